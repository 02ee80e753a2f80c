"""Bringing records written before sync (or by bulk Core inserts) into the change log.

The demo generator and the importers write rows with Core ``insert()`` for speed, and caseloads
made before migration 0004 have no change log at all. Before anything leaves a replica (a pack,
a sync), every record with no ``sync_rows`` entry gets one insert change and its field heads,
so nothing is left behind. ``hub init`` writes none: it *adopts* them (``adopted``), and records
adopted there are not logged here again.

On a laptop (SQLite) that insert stores no data (``data`` is SQL NULL): the record's stored
values stand for it, and are filled in whenever the change is read to be sent or shown
(``dataless.fill``) or is about to stop being true: before anything changes or deletes
a record (a local edit, an UPDATE or DELETE statement, a change merged from elsewhere) its
dataless insert is given the record's values as they still are (``dataless.settle``, in the
same transaction). So a dataless insert always means "exactly the record as stored", and the first
change log of a 150,000-person caseload holds no copy of the caseload (the JSON was most of
its 17 GB). The JSON is built by SQLite's ``json_object`` from each column as it is stored,
in exactly the form ``tables.encode`` gives it in Python (ISO dates and times, booleans, money
as its decimal text), and the clock ids are numbered in SQL the way ``clock.tick`` would have
stamped them. Any other database uses the Python pass (``baseline_rows``, with the data
stored), which is also the reference the SQL is tested against.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, and_, cast, func, select
from sqlalchemy.engine import Connection

from linkworker.sync import adopted, clock, state
from linkworker.sync.changelog import DEFAULT, ROWS, insert_changes, insert_rows
from linkworker.sync.changelog import person_of as changelog_person_of
from linkworker.sync.dataless import BATCH, quote
from linkworker.sync.tables import LOAD_ORDER, RULES, TableRule, encode


def row_id_expression(rule: TableRule) -> Any:
    parts = [cast(rule.table.c[c], String) for c in rule.identity]
    expression = parts[0]
    for part in parts[1:]:
        expression = expression + "|" + part
    return expression


def untracked(conn: Connection, rule: TableRule) -> Any:
    """The rows of one table with no change recorded yet."""
    table = rule.table
    row_id = row_id_expression(rule)
    joined = table.outerjoin(ROWS, and_(ROWS.c.table_name == rule.name, ROWS.c.row_id == row_id))
    return conn.execute(select(table).select_from(joined).where(ROWS.c.row_id.is_(None)))


def baseline(conn: Connection, user_id: str | None = None) -> int:
    """Record an insert change for every untracked record; returns how many."""
    if conn.dialect.name == "sqlite":
        return baseline_sql(conn, user_id)
    return baseline_rows(conn, user_id)


def baseline_rows(conn: Connection, user_id: str | None = None) -> int:
    """The record-by-record baseline (any database; the reference for ``baseline_sql``)."""
    device = state.device_id(conn)
    stamp = state.last_stamp(conn)
    people = PersonIndex(conn)
    total = 0
    for name in LOAD_ORDER:
        rule = RULES[name]
        if not _may_have_untracked(conn, rule):
            continue
        changes, rows = [], []
        for row in untracked(conn, rule):
            values = {k: encode(v) for k, v in row._mapping.items() if k not in rule.skip}
            stamp = clock.tick(stamp, device)
            row_id, change_id = rule.row_id(values), str(stamp)
            changes.append({"change_id": change_id, "device_id": device, "user_id": user_id,
                            "table_name": name, "row_id": row_id, "op": "insert",
                            "person_id": people.person_of(rule, values), "data": values,
                            "bases": None, "applied": True})
            rows.append({"table_name": name, "row_id": row_id, "heads": {DEFAULT: [change_id]},
                         "deleted": False})
            if len(changes) >= BATCH:
                total += _write(conn, changes, rows)
                changes, rows = [], []
        total += _write(conn, changes, rows)
    if stamp is not None:
        state.save_stamp(conn, stamp)
    return total


def _may_have_untracked(conn: Connection, rule: TableRule) -> bool:
    """Two counts instead of the join, which is what makes a routine pack quick. In a table
    adopted at ``hub init`` only rows past its mark can be untracked (``adopted``)."""
    mark = _adopted_mark(conn, rule.name)
    if mark is not None:
        top = conn.exec_driver_sql(f"SELECT coalesce(max(rowid), 0) FROM {quote(rule.name)}"
                                   ).scalar()
        return top > mark
    rows = conn.execute(select(func.count()).select_from(rule.table)).scalar_one()
    tracked = conn.execute(select(func.count()).select_from(ROWS).where(
        ROWS.c.table_name == rule.name, ROWS.c.deleted.is_(False))).scalar_one()
    return rows != tracked


def _adopted_mark(conn: Connection, name: str) -> int | None:
    """The highest ``rowid`` adopted in this table at ``hub init`` (None: not adopted)."""
    note = adopted.note(conn)
    if note is None or name not in note["tables"]:
        return None
    return note["tables"][name][0]


def _write(conn: Connection, changes: list[dict[str, Any]], rows: list[dict[str, Any]]) -> int:
    insert_changes(conn, changes)
    insert_rows(conn, rows)
    return len(changes)


class PersonIndex:
    """Which person each journey, goal and form belongs to, loaded once per table on demand."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.maps: dict[str, dict[str, Any]] = {}

    def _map(self, table_name: str, column: str) -> dict[str, Any]:
        if table_name not in self.maps:
            table = RULES[table_name].table
            rows = self.conn.execute(select(table.c.id, table.c[column])).all()
            self.maps[table_name] = dict(rows)
        return self.maps[table_name]

    def person_of(self, rule: TableRule, values: dict[str, Any]) -> str | None:
        return changelog_person_of(self.conn, rule, values,
                                   lambda parent, onwards, value:
                                   self._map(parent, onwards).get(value))


# --- the set-wise baseline (SQLite) -------------------------------------------------------

COUNTER_SPAN = clock.COUNTER_LIMIT + 1  # stamps a millisecond holds before the wall moves on


def baseline_sql(conn: Connection, user_id: str | None = None,
                 only: list[str] | None = None) -> int:
    """``baseline`` as one INSERT ... SELECT per table on SQLite (see the module's docstring).

    Each table is read in storage order and the changes are numbered in that order, so the
    change log and its clock index grow at their ends. The two indexes that would be written
    at random places (by person, by record) are dropped while a big first log is written and
    made again after (a sort), and the field heads are written in key order: on a 50,000-
    person caseload the random writes, not the JSON, were what took the time."""
    device, wall, first = adopted.next_stamps(conn)
    rules = [RULES[name] for name in only or LOAD_ORDER
             if _may_have_untracked(conn, RULES[name])]
    if only is None:  # a whole baseline: a ``prepare`` cut short has its indexes made again
        _restore_indexes(conn)
    if not rules:
        return 0
    before = conn.exec_driver_sql("SELECT coalesce(max(seq), 0) FROM sync_changes").scalar()
    dropped = _drop_random_indexes(conn) if only is None and _is_big(conn, rules) else []
    total = 0
    for rule in rules:
        total += conn.exec_driver_sql(_changes_sql(rule), {
            "wall": wall, "first": first + total, "span": COUNTER_SPAN, "device": device,
            "user": user_id, "past": _adopted_mark(conn, rule.name) or 0}).rowcount
    if total:
        state.put(conn, state.DATALESS, True)
    for statement in dropped:
        conn.exec_driver_sql(statement)
    conn.exec_driver_sql(  # sorted (the `|| ''` keeps SQLite from walking an index instead)
        "INSERT INTO sync_rows (table_name, row_id, heads, deleted) "
        "SELECT table_name, row_id, json_object(?, json_array(change_id)), 0 "
        "FROM sync_changes WHERE seq > ? ORDER BY table_name || '', row_id", (DEFAULT, before))
    if total:
        n = first + total - 1
        state.save_stamp(conn, clock.Stamp(wall + n // COUNTER_SPAN, n % COUNTER_SPAN, device))
    return total


def prepare(caseload: Any, user_id: str | None = None) -> int:
    """``baseline`` committed table by table, before the work that needs it (``hub init``, a
    pack, a push) opens its own transaction; returns how many records it logged.

    One transaction for a 150,000-person first log held every page it wrote in the WAL at
    once (about 12 GB when the inserts carried their data). Each table's changes and field
    heads are committed together, so the WAL holds one table at a time, and a kill -9 leaves
    whole tables logged and the rest untracked, which the next run (or the caller's own
    ``baseline``) logs. The two indexes dropped for a big first log are named in
    ``sync_state`` (``RESTORE``) while they are away, and made again by whichever run comes
    next if this one is cut short."""
    with caseload.transaction() as session:
        conn = session.connection()
        if conn.dialect.name != "sqlite":
            return baseline(conn, user_id)
        names = [n for n in LOAD_ORDER if _may_have_untracked(conn, RULES[n])]
        if names and not state.get(conn, RESTORE) and _is_big(conn, [RULES[n] for n in names]):
            state.put(conn, RESTORE, _drop_random_indexes(conn))
    total = 0
    for name in names:
        with caseload.transaction() as session:
            total += baseline_sql(session.connection(), user_id, only=[name])
    with caseload.transaction() as session:
        _restore_indexes(session.connection())
    return total


RESTORE = "baseline_indexes"  # sync_state: indexes a cut-short ``prepare`` left to make again


def _restore_indexes(conn: Connection) -> None:
    statements = state.get(conn, RESTORE)
    if statements:
        for statement in statements:
            conn.exec_driver_sql(statement.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS",
                                                   1))
        state.put(conn, RESTORE, [])


BIG = 100_000  # records: above this, indexes are made again rather than kept up to date
RANDOM_INDEXES = ("ix_sync_changes_person_id", "ix_sync_changes_row")


def _is_big(conn: Connection, rules: list[TableRule]) -> bool:
    return sum(conn.execute(select(func.count()).select_from(rule.table)).scalar_one()
               for rule in rules) > BIG


def _drop_random_indexes(conn: Connection) -> list[str]:
    """Drop the change log's by-person and by-record indexes; returns how to make them again
    (in the same transaction: a failure puts them back with everything else)."""
    made = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = "
        "'sync_changes' AND name IN (?, ?)", RANDOM_INDEXES).all()
    for name, _sql in made:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    return [sql for _name, sql in made]


def _changes_sql(rule: TableRule) -> str:
    """``INSERT INTO sync_changes SELECT ...`` for the untracked rows of one table (the
    inserts store no data: the records stand for it)."""
    table = quote(rule.name)
    row_id = " || '|' || ".join(f"CAST(t.{quote(c)} AS TEXT)" for c in rule.identity)
    person, joins = adopted.person_sql(rule)
    number = "(:first + row_number() OVER (ORDER BY t.rowid) - 1)"
    return (
        "INSERT INTO sync_changes (change_id, device_id, user_id, table_name, row_id, person_id, "
        "op, data, bases, applied) "
        f"SELECT printf('%013d.%06d.%s', :wall + {number} / :span, {number} % :span, :device), "
        f":device, :user, '{rule.name}', {row_id}, {person}, 'insert', NULL, "
        f"'null', 1 FROM {table} t {joins} "
        f"LEFT JOIN sync_rows r ON r.table_name = '{rule.name}' AND r.row_id = {row_id} "
        "WHERE t.rowid > :past AND r.row_id IS NULL "  # past the adopted records (``adopted``)
        "ORDER BY t.rowid")  # storage order: read straight through
