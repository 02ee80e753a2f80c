"""``hub init``: the first laptop's caseload becomes the hub's content, nothing lost.

The hub is migrated to the same schema, then every table is copied across in parent-before-
child order with Core batches (a first adoption may hold 50,000 people), together with the
laptop's change log and field heads, so the hub and the laptop start from the same history:
nothing is sent twice and nothing is in conflict. Audit events keep their ``seq``, ``hash`` and
``prev_hash`` verbatim, so the chain verifies at the hub exactly as it did on the laptop. All
in one hub transaction: a failure leaves the hub empty. The laptop gets the team key (made
here if it had none) and remembers the hub.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, func, select, text

from linkworker.errors import UserError
from linkworker.hub import schema
from linkworker.models import Person, SyncChange
from linkworker.storage.database import Caseload
from linkworker.storage.server import ServerCaseload, describe_url
from linkworker.sync import baseline, state, teamkey
from linkworker.sync.changelog import CHANGES, ROWS
from linkworker.sync.tables import LOAD_ORDER, RULES

BATCH = 5000


@dataclass(frozen=True)
class HubCreated:
    people: int
    changes: int
    key_id: str


def create_hub(laptop: Caseload, url: str) -> HubCreated:
    hub = ServerCaseload.connect(url)
    try:
        with hub.transaction() as hub_session:
            hub_conn = hub_session.connection()
            if hub_conn.execute(select(func.count()).select_from(SyncChange)).scalar_one():
                raise UserError(f"The hub at {describe_url(url)} already holds a caseload; "
                                "add this laptop with 'linkworker sync' instead.")
            with laptop.transaction() as session:
                conn = session.connection()
                baseline.baseline(conn)
                key = teamkey.current(conn) or teamkey.create(conn)
                for name in (*LOAD_ORDER, "sync_changes", "sync_rows"):
                    _copy(conn, hub_conn, name)
                _reset_sequences(hub_conn)
                teamkey.install(hub_conn, key)
                last = conn.execute(select(func.max(CHANGES.c.seq))).scalar() or 0
                state.put(conn, "hub", describe_url(url))
                state.put(conn, "hub_pushed_seq", last)
                schema.install(hub_conn)
            people = hub_conn.execute(select(func.count()).select_from(Person)).scalar_one()
            changes = hub_conn.execute(select(func.count()).select_from(SyncChange)).scalar_one()
        return HubCreated(people, changes, key.key_id)
    finally:
        hub.close()


def _later_links(table) -> list[str]:
    """Optional links to rows copied later (a person's current journey, a claim's adjusted
    claim): written empty first and filled in once their rows are there."""
    if table.name not in LOAD_ORDER:
        return []
    here = LOAD_ORDER.index(table.name)
    return [fk.parent.key for fk in table.foreign_keys if fk.parent.nullable
            and fk.column.table.name in LOAD_ORDER
            and LOAD_ORDER.index(fk.column.table.name) >= here]


def _copy(source, target, name: str) -> None:
    table = RULES[name].table if name in RULES else {"sync_changes": CHANGES,
                                                        "sync_rows": ROWS}[name]
    later = _later_links(table)
    batch, links = [], []
    for row in source.execute(select(table)):
        values = dict(row._mapping)
        if any(values.get(k) is not None for k in later):
            links.append({"_id": values["id"]} | {f"v_{k}": values[k] for k in later})
            values |= dict.fromkeys(later)
        batch.append(values)
        if len(batch) >= BATCH:
            target.execute(table.insert(), batch)
            batch = []
    if batch:
        target.execute(table.insert(), batch)
    if links:
        target.execute(table.update().where(table.c.id == bindparam("_id"))
                       .values({k: bindparam(f"v_{k}") for k in later}), links)


def _reset_sequences(conn) -> None:
    """Copied serial keys (audit ``seq``, change ``seq``) continue after the copied rows."""
    for table, column in (("audit_events", "seq"), ("sync_changes", "seq")):
        conn.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
            f"COALESCE((SELECT max({column}) FROM {table}), 0) + 1, false)"))
