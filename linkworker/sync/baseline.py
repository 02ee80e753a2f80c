"""Bringing records written before sync (or by bulk Core inserts) into the change log.

The demo generator and the importers write rows with Core ``insert()`` for speed, and caseloads
made before migration 0004 have no change log at all. Before anything leaves a replica (a pack,
a sync, ``hub init``), every record with no ``sync_rows`` entry gets one insert change and its
field heads, so nothing is left behind.

On a laptop (SQLite) that insert stores no data (``data`` is SQL NULL): the record's stored
values stand for it, and are filled in whenever the change is read to be sent or shown
(``fill``, ``record_json``) or is about to stop being true: before anything changes or deletes
a record (a local edit, an UPDATE or DELETE statement, a change merged from elsewhere) its
dataless insert is given the record's values as they still are (``settle``, in the same
transaction). So a dataless insert always means "exactly the record as stored", and the first
change log of a 150,000-person caseload holds no copy of the caseload (the JSON was most of
its 17 GB). The JSON is built by SQLite's ``json_object`` from each column as it is stored,
in exactly the form ``tables.encode`` gives it in Python (ISO dates and times, booleans, money
as its decimal text), and the clock ids are numbered in SQL the way ``clock.tick`` would have
stamped them. Any other database uses the Python pass (``baseline_rows``, with the data
stored), which is also the reference the SQL is tested against.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Boolean, DateTime, String, Time, and_, cast, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.types import JSON

from linkworker.errors import UserError
from linkworker.storage.pence import Pence
from linkworker.sync import clock, state
from linkworker.sync.changelog import DEFAULT, ROWS, insert_changes, insert_rows
from linkworker.sync.changelog import person_of as changelog_person_of
from linkworker.sync.tables import LOAD_ORDER, PARENT_PERSON, RULES, TableRule, encode

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
    device = state.device_id(conn)
    last = state.last_stamp(conn)
    now = clock.now_ms()
    if last is None or now > last.wall_ms:
        wall, first = now, 0
    else:
        wall, first = last.wall_ms, last.counter + 1
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
            "user": user_id}).rowcount
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
    table = _quote(rule.name)
    row_id = " || '|' || ".join(f"CAST(t.{_quote(c)} AS TEXT)" for c in rule.identity)
    person, joins = _person_sql(rule)
    number = "(:first + row_number() OVER (ORDER BY t.rowid) - 1)"
    return (
        "INSERT INTO sync_changes (change_id, device_id, user_id, table_name, row_id, person_id, "
        "op, data, bases, applied) "
        f"SELECT printf('%013d.%06d.%s', :wall + {number} / :span, {number} % :span, :device), "
        f":device, :user, '{rule.name}', {row_id}, {person}, 'insert', NULL, "
        f"'null', 1 FROM {table} t {joins} "
        f"LEFT JOIN sync_rows r ON r.table_name = '{rule.name}' AND r.row_id = {row_id} "
        "WHERE r.row_id IS NULL ORDER BY t.rowid")  # storage order: read straight through


def _person_sql(rule: TableRule) -> tuple[str, str]:
    """The person column of a table's rows, through its parents (as ``changelog.person_of``)."""
    if rule.person_via is None:
        return "NULL", ""
    if rule.person_via == "self":
        return "t.id", ""
    alias, column, joins = "t", rule.person_via, []
    while column in PARENT_PERSON:
        parent, onwards = PARENT_PERSON[column]
        step = f"p{len(joins)}"
        joins.append(f"LEFT JOIN {_quote(parent)} {step} ON {step}.id = {alias}.{_quote(column)}")
        alias, column = step, onwards
    return f"{alias}.{_quote(column)}", " ".join(joins)


def _json_value(column: Any, ref: str) -> str:
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


def _quote(name: str) -> str:
    return f'"{name}"'


# --- dataless inserts: filled from the record, settled before the record changes ------------

def record_json(rule: TableRule, row_id_sql: str) -> str:
    """SQL for the JSON of the record whose row id is ``row_id_sql`` (NULL if none), exactly as
    the baseline's data would have held it (``json_object`` of the stored columns)."""
    table = _quote(rule.name)
    data = ", ".join(f"'{c.key}', {_json_value(c, f'd.{_quote(c.name)}')}"
                     for c in rule.table.columns if c.key not in rule.skip)
    return f"(SELECT json_object({data}) FROM {table} d WHERE {_match(rule, row_id_sql)})"


def _match(rule: TableRule, ref: str) -> str:
    """``d``'s row id equals ``ref``, through the key's index (its first column compared as
    stored, the whole id as text)."""
    first = f"d.{_quote(rule.identity[0])}"
    if len(rule.identity) == 1:
        return f"{first} = {ref}"
    whole = " || '|' || ".join(f"CAST(d.{_quote(c)} AS TEXT)" for c in rule.identity)
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
