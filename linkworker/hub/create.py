"""``hub init``: the first laptop's caseload becomes the hub's content, nothing lost.

The hub is migrated to the same schema, then every table is copied across with PostgreSQL COPY
as a bulk load (``bulk.loading``: keys, indexes and links built after the copy; a first
adoption may hold 150,000 people), together with the
laptop's change log and field heads, so the hub and the laptop start from the same history:
nothing is sent twice and nothing is in conflict. Audit events keep their ``seq``, ``hash`` and
``prev_hash`` verbatim, so the chain verifies at the hub exactly as it did on the laptop. The
records that have no change yet are *adopted* (``sync.adopted``): the laptop writes one note
and no row per record, and the hub is given each one's insert and field heads, with the
record's data, made as the records are copied (dataless inserts an earlier ``baseline`` wrote
are filled the same way), so the hub holds every change's data and the laptop never held a
copy. All in one hub transaction, inside the laptop's: a failure leaves the hub empty and
the laptop as it was. The laptop gets the team key (made here if it had none) and remembers
the hub, and that it holds everything the hub holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, text

from linkworker.errors import UserError
from linkworker.hub import bulk, schema
from linkworker.models import Person, SyncChange
from linkworker.storage.database import Caseload
from linkworker.storage.server import ServerCaseload, describe_url
from linkworker.sync import adopted, baseline, dataless, state, teamkey
from linkworker.sync.changelog import CHANGES, ROWS
from linkworker.sync.tables import LOAD_ORDER, RULES

COPIED = (*LOAD_ORDER, "sync_changes", "sync_rows")
# A new laptop's first replica reads its people's changes: written person by person (the
# laptop's person index gives that order), they sit on a few pages each instead of one page
# per change scattered across the whole log, which is what a cold hub has to read from disk.
ORDER = {"sync_changes": " ORDER BY c.person_id, c.seq"}


@dataclass(frozen=True)
class HubCreated:
    people: int
    changes: int
    key_id: str


def create_hub(laptop: Caseload, url: str) -> HubCreated:
    hub = ServerCaseload.connect(url)
    try:
        # The laptop's transaction holds the hub's: the laptop takes its records as adopted
        # only once the hub has committed them (a failure leaves both as they were).
        with laptop.transaction() as session, hub.transaction() as hub_session:
            hub_conn = hub_session.connection()
            if bulk.nonempty(hub_conn, COPIED):
                raise UserError(f"The hub at {describe_url(url)} already holds a caseload; "
                                "add this laptop with 'linkworker sync' instead.")
            conn = session.connection()
            note = adopted.adopt(conn)  # one note: no change rows for the caseload as it is
            baseline.baseline(conn)  # only what came after an earlier adoption, if any
            key = teamkey.current(conn) or teamkey.create(conn)
            last = conn.execute(select(func.max(CHANGES.c.seq))).scalar() or 0
            with bulk.loading(hub_conn, COPIED) as options:
                for name in COPIED:
                    _copy(conn, hub_conn, name, options)
                _copy_adopted(conn, hub_conn, note, last, options)
            _reset_sequences(hub_conn)
            teamkey.install(hub_conn, key)
            schema.install(hub_conn)
            _remember_hub(conn, hub_conn, url, last)
            hub_conn.execute(text("ANALYZE"))  # the planner's figures for the copied tables
            people = hub_conn.execute(select(func.count()).select_from(Person)).scalar_one()
            changes = hub_conn.execute(select(func.count()).select_from(SyncChange)).scalar_one()
        return HubCreated(people, changes, key.key_id)
    finally:
        hub.close()


def _copy_adopted(conn, hub_conn, note: dict, last: int, options: str) -> None:
    """The adopted records' inserts and field heads, made from the records as they are copied
    (``adopted``): the hub holds every change, with its data, and the laptop none of these.
    They are numbered after the laptop's own changes."""
    hub_conn.exec_driver_sql(
        f"SELECT setval(pg_get_serial_sequence('sync_changes', 'seq'), {last + 1}, false)")
    for name in note["tables"]:
        _stream(conn, hub_conn, adopted.changes_sql(note, name) + " ORDER BY t.rowid",
                f"COPY sync_changes ({', '.join(adopted.CHANGE_COLUMNS)}) FROM STDIN "
                f"({options})")
        _stream(conn, hub_conn, adopted.heads_sql(note, name),
                f"COPY sync_rows (table_name, row_id, heads, deleted) FROM STDIN ({options})")


def _remember_hub(conn, hub_conn, url: str, last: int) -> None:
    """The laptop holds everything the hub now holds: its first sync sends only what is new
    since and pulls only what is new at the hub (it used to be sent the whole hub back)."""
    state.put(conn, "hub", describe_url(url))
    state.put(conn, "hub_pushed_seq", last)
    state.put(conn, "hub_pulled_seq", hub_conn.exec_driver_sql(
        "SELECT coalesce(max(seq), 0) FROM sync_changes").scalar())
    state.put(conn, "hub_scope_people", sorted(conn.execute(select(Person.id)).scalars()))


def _copy(source, target, name: str, options: str) -> None:
    """One table from the laptop to the hub with PostgreSQL's COPY, values passed as SQLite
    holds them (ISO text for dates, JSON text, 0/1 for booleans, all of which PostgreSQL reads
    as they are): a row costs microseconds, not an INSERT's round of type conversions. The
    links are checked once everything is in (``bulk.loading``), so the order is free."""
    table = RULES[name].table if name in RULES else {"sync_changes": CHANGES,
                                                        "sync_rows": ROWS}[name]
    columns = ", ".join(f'"{c.name}"' for c in table.columns)
    read = ", ".join(dataless.filled_data_sql("c") if c.name == "data" and table is CHANGES
                     else f'c."{c.name}"' for c in table.columns)
    _stream(source, target, f'SELECT {read} FROM "{table.name}" c{ORDER.get(name, "")}',
            f'COPY "{table.name}" ({columns}) FROM STDIN ({options})')


def _stream(source, target, query: str, copy_sql: str) -> None:
    """The rows of a laptop query into a hub COPY, as they are read."""
    rows = source.connection.dbapi_connection.cursor()
    try:
        rows.execute(query)
        with target.connection.driver_connection.cursor() as hub, hub.copy(copy_sql) as copy:
            for row in rows:
                copy.write_row(row)
    finally:
        rows.close()


def _reset_sequences(conn) -> None:
    """Copied serial keys (audit ``seq``, change ``seq``) continue after the copied rows."""
    for table, column in (("audit_events", "seq"), ("sync_changes", "seq")):
        conn.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
            f"COALESCE((SELECT max({column}) FROM {table}), 0) + 1, false)"))
