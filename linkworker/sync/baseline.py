"""Bringing records written before sync (or by bulk Core inserts) into the change log.

The demo generator and the importers write rows with Core ``insert()`` for speed, and caseloads
made before migration 0004 have no change log at all. Before anything leaves a replica (a pack,
a sync, ``hub init``), every record with no ``sync_rows`` entry gets one insert change carrying
all of it, so nothing is left behind. It is done set-wise (one pass per table, changes written
in batches) because a first adoption may hold 50,000 people.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, and_, cast, func, select
from sqlalchemy.engine import Connection

from linkworker.sync import clock, state
from linkworker.sync.changelog import DEFAULT, ROWS, insert_changes, insert_rows
from linkworker.sync.changelog import person_of as changelog_person_of
from linkworker.sync.tables import LOAD_ORDER, RULES, TableRule, encode

BATCH = 2000


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
    """Two counts instead of the join, which is what makes a routine pack quick."""
    rows = conn.execute(select(func.count()).select_from(rule.table)).scalar_one()
    tracked = conn.execute(select(func.count()).select_from(ROWS).where(
        ROWS.c.table_name == rule.name, ROWS.c.deleted.is_(False))).scalar_one()
    return rows != tracked


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
