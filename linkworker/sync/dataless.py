"""Dataless first inserts: a record's own stored values stand for its first change.

The first change log (``baseline``) stores its inserts without data: while a record is unchanged
its row says exactly what the insert would have held. So the data is filled in from the record
whenever a change is read to leave this replica (``fill``, ``filled_data_sql``), and is written
down from the record, in the same transaction, just before anything changes or deletes it
(``settle``, which the change log's flush hook calls). This module depends only on the table
rules, so the change log can call it without an import cycle.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Boolean, DateTime, Time
from sqlalchemy.engine import Connection
from sqlalchemy.types import JSON

from linkworker.errors import UserError
from linkworker.storage.pence import Pence
from linkworker.sync.tables import LOAD_ORDER, RULES, TableRule

BATCH = 2000


def json_value(column: Any, ref: str) -> str:
    """SQL for one stored column value as ``json.dumps(encode(value))`` would have it."""
    kind = column.type
    if isinstance(kind, Pence):  # whole pennies at rest; Decimal pounds' text in the log
        return (f"CASE WHEN {ref} IS NULL THEN NULL ELSE printf('%s%d.%02d', "
                f"CASE WHEN {ref} < 0 THEN '-' ELSE '' END, abs({ref}) / 100, "
                f"abs({ref}) % 100) END")
    if isinstance(kind, Boolean):
        return (f"CASE WHEN {ref} IS NULL THEN NULL WHEN {ref} THEN json('true') "
                "ELSE json('false') END")
    if isinstance(kind, DateTime | Time):  # isoformat: a T, no ".000000"
        text = f"replace({ref}, ' ', 'T')" if isinstance(kind, DateTime) else ref
        return (f"CASE WHEN {ref} IS NULL THEN NULL WHEN {ref} LIKE '%.000000' THEN "
                f"substr({text}, 1, length({ref}) - 7) ELSE {text} END")
    if isinstance(kind, JSON):
        return f"json({ref})"
    return ref  # text, dates, numbers: as stored


def quote(name: str) -> str:
    return f'"{name}"'


# --- dataless inserts: filled from the record, settled before the record changes ------------

def record_json(rule: TableRule, row_id_sql: str) -> str:
    """SQL for the JSON of the record whose row id is ``row_id_sql`` (NULL if none), exactly as
    the baseline's data would have held it (``json_object`` of the stored columns)."""
    table = quote(rule.name)
    data = ", ".join(f"'{c.key}', {json_value(c, f'd.{quote(c.name)}')}"
                     for c in rule.table.columns if c.key not in rule.skip)
    return f"(SELECT json_object({data}) FROM {table} d WHERE {match(rule, row_id_sql)})"


def match(rule: TableRule, ref: str, alias: str = "d") -> str:
    """``alias``'s row id equals ``ref``, through the key's index (its first column compared
    as stored, the whole id as text)."""
    first = f"{alias}.{quote(rule.identity[0])}"
    if len(rule.identity) == 1:
        return f"{first} = {ref}"
    whole = " || '|' || ".join(f"CAST({alias}.{quote(c)} AS TEXT)" for c in rule.identity)
    return f"{first} = substr({ref}, 1, instr({ref}, '|') - 1) AND {whole} = {ref}"


def filled_data_sql(alias: str = "c") -> str:
    """SQL for a change's data with a dataless insert filled from its record (``hub init``
    copies the change log with it: the hub holds every change's data)."""
    cases = " ".join(f"WHEN '{name}' THEN {record_json(RULES[name], f'{alias}.row_id')}"
                     for name in LOAD_ORDER)
    return (f"CASE WHEN {alias}.data IS NULL AND {alias}.op = 'insert' "
            f"THEN CASE {alias}.table_name {cases} END ELSE {alias}.data END")


def fill(conn: Connection, changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give every dataless insert in ``changes`` its record's values (in place; returned).

    A dataless insert whose record is missing cannot be sent: it was deleted without going
    through LinkWorker (``settle`` runs before every delete LinkWorker makes)."""
    wanted: dict[str, list[dict[str, Any]]] = {}
    for change in changes:
        if change["op"] == "insert" and change["data"] is None:
            wanted.setdefault(change["table_name"], []).append(change)
    for name, group in wanted.items():
        sql = f"SELECT r.value, {record_json(RULES[name], 'r.value')} FROM json_each(?) r"
        for start in range(0, len(group), BATCH):
            chunk = group[start:start + BATCH]
            found = dict(conn.exec_driver_sql(
                sql, (json.dumps([c["row_id"] for c in chunk]),)).all())
            for change in chunk:
                data = found.get(change["row_id"])
                if data is None:
                    raise UserError(f"A record this laptop holds ({name} {change['row_id']}) "
                                    "was removed outside LinkWorker, so its first change "
                                    "cannot be sent. Run 'linkworker sync repair', then try "
                                    "again.")
                change["data"] = json.loads(data)
    return changes


def settle(conn: Connection, table_name: str, row_ids: list[str]) -> None:
    """Store the data of these records' dataless inserts, from the records as they are now:
    called before anything changes or deletes them (same transaction), so a dataless insert
    never stands for values that are no longer its own."""
    if conn.dialect.name != "sqlite" or not row_ids or table_name not in RULES:
        return
    data = record_json(RULES[table_name], "sync_changes.row_id")
    for start in range(0, len(row_ids), BATCH):
        chunk = row_ids[start:start + BATCH]
        conn.exec_driver_sql(
            f"UPDATE sync_changes SET data = {data} WHERE table_name = ? AND row_id IN "
            f"(SELECT value FROM json_each(?)) AND op = 'insert' AND data IS NULL",
            (table_name, json.dumps(chunk)))
