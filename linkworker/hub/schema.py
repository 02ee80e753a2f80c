"""The hub's door: the inbox, the login table and the four functions laptops may call.

Installed (idempotently) by ``hub init`` and ``hub add-user`` as the database owner, after the
Alembic migrations, and refreshed by every other ``hub`` command when this version's door
differs from the one installed (``refresh``): a hub updated to a new LinkWorker gets the new
functions from its next ``hub apply``, not only when someone adds a login. PostgreSQL only; a
laptop never has these.

The functions run with ``jit = off``: at a 50,000-person hub their plans are costed high
enough for PostgreSQL to compile them, and compiling took about 250 ms a call, longer than
the indexed look-ups they do for one worker.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import String, text
from sqlalchemy.engine import Connection

from linkworker.sync.tables import RULES, TableRule

HUB_ONLY_TABLES = ("returns", "claims", "external_results")


def _record_join(rule: TableRule) -> str:
    """Join one table's rows to the pulled records' ids (by its key's index)."""
    if len(rule.identity) == 1:
        column = rule.table.c[rule.identity[0]]
        key = "k.row_id" if isinstance(column.type, String) else \
            f"CAST(k.row_id AS {column.type.compile()})"
        return f't."{column.name}" = {key}'
    return " AND ".join(
        f't."{c}" = CAST(split_part(k.row_id, \'|\', {i + 1}) AS '
        f"{rule.table.c[c].type.compile()})" for i, c in enumerate(rule.identity))


# Is the change ``c`` in this login's first pull (``linkworker_pull(0, '{}')``)? The pull's
# arms for ``after_seq`` 0 as one condition a row can be tested by, with the scope's two
# sets hashed once (``scope`` and ``me``: the replica's CTEs): the whole people's changes,
# the venue people's register (their person, journeys and contacts at the venue) and the
# changes of no person; hub-only tables and the audit trail for managers and admins only.
_FIRST_PULL = """c.applied
    AND (c.person_id IN (SELECT person_id FROM scope WHERE whole)
         OR (c.person_id IN (SELECT person_id FROM scope WHERE NOT whole)
             AND (c.table_name IN ('people', 'episodes')
                  OR (c.table_name = 'contacts' AND EXISTS (
                      SELECT 1 FROM contacts v, me WHERE v.id = c.row_id
                      AND v.venue = me.venue))))
         OR (c.person_id IS NULL AND EXISTS (SELECT 1 FROM me)))
    AND ((SELECT role FROM me) IN ('manager', 'admin')
         OR c.table_name NOT IN ('returns', 'claims', 'external_results', 'audit_events'))"""


def _record_arm(rule: TableRule) -> str:
    """One table's records in the first pull, a row each: its key, its first change's seq,
    its field heads and whether it is deleted (``sync_rows``), and the record as the hub holds
    it (none once deleted). The keys come grouped from the changes' (table, row) index in its
    order, so nothing is hashed or sorted, and the laptop takes them in its keys' order."""
    row = "to_json(t)::text" if not rule.skip else \
        "(to_jsonb(t) - ARRAY[{}]::text[])::text".format(
            ", ".join(f"'{c}'" for c in sorted(rule.skip)))
    return (
        f"SELECT 'key', k.first_seq, '{rule.name}'::varchar, k.row_id, NULL, NULL, NULL, "
        f"NULL, NULL, r.heads::text, NULL, r.deleted, {row} "
        f"FROM (SELECT c.row_id, min(c.seq) AS first_seq FROM sync_changes c "
        f"WHERE c.table_name = '{rule.name}' AND {_FIRST_PULL} GROUP BY c.row_id) k "
        f"LEFT JOIN sync_rows r ON r.table_name = '{rule.name}' AND r.row_id = k.row_id "
        f"LEFT JOIN \"{rule.name}\" t ON {_record_join(rule)}")


def _replica_function() -> str:
    """``linkworker_replica_cursor()``: a new laptop's first replica, as a cursor it fetches.

    Exactly the changes ``linkworker_pull(0, '{}')`` gives this login (so the scope, the
    role's limits and the coordinator's venue register are the pull's own), and with them,
    for every record those changes are about, the record as the hub holds it with its field
    heads and the seq of its first change sent, and its conflicts. The laptop writes them in
    bulk instead of replaying the changes one by one (``sync.replica``). Local-only columns
    (``TableRule.skip``) never leave the hub.

    A cursor, not a set-returning function: PostgreSQL keeps a function's whole result (and
    here the pull's, and the pull's sort by seq) in tuplestores, on disk past ``work_mem``:
    9.5-14 GB of temp files for one manager at 50,000 people before the first row left the
    hub. The cursor's query is planned to stream: the changes by person (the pull's index),
    in the table's order; each table's records from the changes' (table, row) index, grouped
    as they come, with no hash or sort (turned off for the plan, made when the cursor opens).
    The cursor is opened inside this SECURITY DEFINER function, so its tables are checked as
    the hub's owner once, when it opens; the login can fetch from it, and read nothing else.
    It lives to the end of the caller's transaction."""
    nothing = "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL"
    changes = (
        "SELECT 'change', c.seq, c.table_name, c.row_id, c.change_id, c.device_id, c.user_id, "
        "c.person_id, c.op, c.data::text, c.bases::text, NULL::boolean, NULL::text "
        "FROM sync_changes c WHERE c.person_id = ANY (ARRAY(SELECT person_id FROM scope "
        f"WHERE whole)) AND {_FIRST_PULL} "  # by the person index, as the pull reads
        f"UNION ALL SELECT 'change', c.seq, c.table_name, c.row_id, c.change_id, c.device_id, "
        "c.user_id, c.person_id, c.op, c.data::text, c.bases::text, NULL, NULL "
        "FROM sync_changes c WHERE (c.person_id IS NULL OR c.person_id = ANY (ARRAY("
        f"SELECT person_id FROM scope WHERE NOT whole))) AND {_FIRST_PULL}")
    conflicts = (
        f"SELECT 'conflict', 0, s.table_name, s.row_id, {nothing}, to_json(s)::text "
        "FROM sync_conflicts s WHERE EXISTS (SELECT 1 FROM sync_changes c "
        f"WHERE c.table_name = s.table_name AND c.row_id = s.row_id AND {_FIRST_PULL})")
    arms = [changes, *(_record_arm(rule) for rule in RULES.values()), conflicts]
    return f"""CREATE OR REPLACE FUNCTION linkworker_replica_cursor() RETURNS refcursor
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public SET jit = off
    SET work_mem = '64MB' SET enable_hashagg = off SET enable_hashjoin = off
    SET enable_sort = off AS $$
    DECLARE
        answer refcursor := 'linkworker_replica';
    BEGIN
        OPEN answer NO SCROLL FOR
        WITH me AS MATERIALIZED (
            SELECT u.id, u.role, u.venue FROM hub_accounts a JOIN users u ON u.id = a.user_id
            WHERE a.role_name = session_user AND u.active
        ), scope AS MATERIALIZED (
            SELECT * FROM linkworker_scope()
        )
        {" UNION ALL ".join(f"({arm})" for arm in arms)};
        RETURN answer;
    END $$"""


STATEMENTS = (
    """CREATE TABLE IF NOT EXISTS hub_accounts (
        role_name text PRIMARY KEY,
        user_id varchar(36) NOT NULL REFERENCES users(id)
    )""",
    """CREATE TABLE IF NOT EXISTS hub_inbox (
        id bigserial PRIMARY KEY,
        role_name text NOT NULL DEFAULT session_user,
        received_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
        pack bytea NOT NULL,
        applied_at timestamp,
        refused text
    )""",
    "CREATE INDEX IF NOT EXISTS ix_hub_inbox_waiting ON hub_inbox (id) "
    "WHERE applied_at IS NULL AND refused IS NULL",
    # Roles belong to the whole server, so two hubs installed at once on one server (or two
    # installs racing) may both find the role missing: the loser's CREATE is then a
    # duplicate, which means the role is there, as wanted.
    """DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'linkworker_laptop') THEN
            CREATE ROLE linkworker_laptop NOLOGIN;
        END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION linkworker_push(pack bytea) RETURNS bigint
    LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
        INSERT INTO hub_inbox (role_name, pack)
        SELECT session_user, pack
        WHERE EXISTS (SELECT 1 FROM hub_accounts WHERE role_name = session_user)
        RETURNING id
    $$""",
    # Who this login may hold: ``whole`` people with everything about them (a link worker's
    # journeys, people given to them; everyone for managers and admins), and, for a
    # coordinator, the people with a contact at their venue (``whole`` false: the drop-in
    # register's person, journeys and contacts there, as ``access.people_scope`` "attend"),
    # through ``ix_contacts_venue`` (partial: "NOT NULL" said outright so the planner takes it).
    """CREATE OR REPLACE FUNCTION linkworker_scope()
    RETURNS TABLE (person_id varchar, whole boolean)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public SET jit = off
    SET work_mem = '64MB' AS $$
        WITH me AS (
            SELECT u.id, u.role, u.venue FROM hub_accounts a JOIN users u ON u.id = a.user_id
            WHERE a.role_name = session_user AND u.active
        ), reach (id, whole) AS (
            -- each way in by its own index (the worker's journeys, the grants), so a link
            -- worker's scope reads their people, not every person at the hub
            SELECT p.id, true FROM people p, me WHERE me.role IN ('manager', 'admin')
            UNION ALL
            SELECT e.person_id, true FROM episodes e, me
            WHERE e.worker_id = me.id AND me.role = 'link_worker'
            UNION ALL
            SELECT g.person_id, true FROM person_access g, me WHERE g.user_id = me.id
            UNION ALL
            SELECT e.person_id, false FROM episodes e JOIN contacts k ON k.episode_id = e.id, me
            WHERE me.role = 'coordinator' AND k.venue = me.venue AND k.venue IS NOT NULL
        )
        SELECT id, bool_or(whole) FROM reach GROUP BY id
    $$""",
    """CREATE OR REPLACE FUNCTION linkworker_pull(after_seq integer, known text[])
    RETURNS TABLE (seq integer, change_id varchar, device_id varchar, user_id varchar,
                   table_name varchar, row_id varchar, person_id varchar, op varchar,
                   data json, bases json)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public SET jit = off
    SET work_mem = '64MB' AS $$
        WITH me AS (
            SELECT u.id, u.role, u.venue FROM hub_accounts a JOIN users u ON u.id = a.user_id
            WHERE a.role_name = session_user AND u.active
        ), scope AS (
            SELECT * FROM linkworker_scope()
        ), whole AS MATERIALIZED (
            SELECT person_id FROM scope WHERE whole
        ), route AS (  -- the new changes by sequence while there are fewer than 16 a person
            SELECT (SELECT max(c.seq) FROM sync_changes c) - after_seq
                   <= 16 * (SELECT count(*) FROM whole) AS by_seq
        ), fresh AS MATERIALIZED (  -- read only when by_seq; two bounds, so planned by index
            SELECT c.* FROM sync_changes c
            WHERE c.seq > after_seq AND c.seq <= (SELECT max(seq) FROM sync_changes)
              AND c.applied
        ), chosen AS (
            -- the new changes of the whole people. A daily pull (a few hundred since
            -- ``after_seq``) reads them by sequence and keeps the scope's by hash: through the
            -- person index it read every change of the scope (all of them for a manager) to
            -- keep the few new ones. A first pull, or one after long away, reads by person.
            SELECT f.* FROM fresh f
            WHERE (SELECT by_seq FROM route) AND f.person_id IN (SELECT person_id FROM whole)
            UNION ALL
            SELECT c.* FROM sync_changes c
            WHERE NOT (SELECT by_seq FROM route)
              AND c.person_id = ANY (ARRAY(SELECT person_id FROM whole))  -- by index
              AND c.applied AND c.seq > after_seq
            UNION ALL
            -- the whole history of people new to this laptop: the set difference is made once
            -- (``NOT (person_id = ANY (known))`` on each change scanned the whole array per
            -- row: about a millisecond a change with 150,000 people known, hours at 14 million);
            -- nothing to read on a first pull (``after_seq`` 0: the arm above has it all)
            SELECT c.* FROM sync_changes c
            WHERE after_seq > 0
              AND c.person_id = ANY (ARRAY(SELECT person_id FROM whole
                                           EXCEPT SELECT unnest(known)))  -- by index
              AND c.applied AND c.seq <= after_seq
            UNION ALL
            -- venue people: few and small, so sent whole each time (a contact that moved to
            -- this venue brings its history); never their notes, goals or forms
            SELECT c.* FROM sync_changes c JOIN scope s ON s.person_id = c.person_id
                AND NOT s.whole, me
            WHERE c.applied AND (c.table_name IN ('people', 'episodes')
                  OR (c.table_name = 'contacts' AND EXISTS (
                      SELECT 1 FROM contacts k WHERE k.id = c.row_id AND k.venue = me.venue)))
            UNION ALL
            SELECT c.* FROM sync_changes c, me
            WHERE c.applied AND c.person_id IS NULL AND c.seq > after_seq
              AND (me.role IN ('manager', 'admin')
                   OR c.table_name NOT IN ('returns', 'claims', 'external_results',
                                           'audit_events'))
        )
        SELECT seq, change_id, device_id, user_id, table_name, row_id, person_id, op,
               data, bases
        FROM chosen
        WHERE (SELECT role FROM me) IN ('manager', 'admin')
           OR table_name NOT IN ('returns', 'claims', 'external_results', 'audit_events')
        ORDER BY seq
    $$""",
    # The first replica was a set-returning function, built whole before its first row: gone
    # (a laptop from before the cursor then replays the pull, as with a hub without either).
    "DROP FUNCTION IF EXISTS linkworker_replica()",
    _replica_function(),  # after linkworker_scope, which it calls
    "REVOKE ALL ON FUNCTION linkworker_push(bytea) FROM PUBLIC",
    "REVOKE ALL ON FUNCTION linkworker_replica_cursor() FROM PUBLIC",
    "GRANT EXECUTE ON FUNCTION linkworker_replica_cursor() TO linkworker_laptop",
    "REVOKE ALL ON FUNCTION linkworker_pull(integer, text[]) FROM PUBLIC",
    "REVOKE ALL ON FUNCTION linkworker_scope() FROM PUBLIC",
    "GRANT EXECUTE ON FUNCTION linkworker_push(bytea) TO linkworker_laptop",
    "GRANT EXECUTE ON FUNCTION linkworker_pull(integer, text[]) TO linkworker_laptop",
    "GRANT EXECUTE ON FUNCTION linkworker_scope() TO linkworker_laptop",
    "GRANT SELECT ON alembic_version TO linkworker_laptop",  # the schema check before sync
)


DOOR = "linkworker door " + hashlib.sha256("\n".join(STATEMENTS).encode()).hexdigest()[:16]
PULL = "linkworker_pull(integer, text[])"


def install(conn: Connection) -> None:
    """Create or refresh the hub's door (needs the database owner)."""
    database = conn.execute(text("SELECT current_database()")).scalar_one()
    conn.execute(text(f'REVOKE ALL ON DATABASE "{database}" FROM PUBLIC'))
    conn.execute(text("REVOKE ALL ON SCHEMA public FROM PUBLIC"))
    for statement in STATEMENTS:
        conn.execute(text(statement))
    conn.execute(text(f'GRANT CONNECT ON DATABASE "{database}" TO linkworker_laptop'))
    conn.execute(text("GRANT USAGE ON SCHEMA public TO linkworker_laptop"))
    conn.execute(text(f"COMMENT ON FUNCTION {PULL} IS '{DOOR}'"))  # which door this is


def installed_door(conn: Connection) -> str | None:
    """The door the hub has (None before ``hub init``, or from before doors were marked)."""
    return conn.execute(text(
        f"SELECT obj_description(to_regprocedure('{PULL}'), 'pg_proc')")).scalar()


def refresh(conn: Connection) -> bool:
    """Install this version's door if the hub has another one; True if it did.

    One look-up when nothing changed, so ``hub apply --every`` can ask each round. A login
    that does not own the hub's database cannot install it and leaves it to the owner's next
    command (the command itself goes on, as it did before doors were refreshed)."""
    if installed_door(conn) == DOOR or not _owns_database(conn):
        return False
    install(conn)
    return True


def _owns_database(conn: Connection) -> bool:
    return bool(conn.execute(text(
        "SELECT pg_has_role(current_user, datdba, 'MEMBER') FROM pg_database "
        "WHERE datname = current_database()")).scalar())


def add_login(conn: Connection, role_name: str, password: str, user_id: str) -> None:
    """A PostgreSQL login for one LinkWorker user's laptop, with nothing but the door."""
    if not role_name.replace("_", "").isalnum():
        raise ValueError("login names are letters, digits and underscores")
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"),
                          {"r": role_name}).first()
    verb = "ALTER" if exists else "CREATE"
    quoted = password.replace("'", "''")
    conn.execute(text(f"{verb} ROLE \"{role_name}\" LOGIN PASSWORD '{quoted}'"))
    conn.execute(text(f'GRANT linkworker_laptop TO "{role_name}"'))
    conn.execute(text("INSERT INTO hub_accounts (role_name, user_id) VALUES (:r, :u) "
                      "ON CONFLICT (role_name) DO UPDATE SET user_id = EXCLUDED.user_id"),
                 {"r": role_name, "u": user_id})
