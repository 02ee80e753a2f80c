"""Adopted records: a caseload's records at ``hub init`` need no change rows until they change.

When a laptop's caseload becomes the hub's content (``hub init``), every record it holds that
has no change yet is taken as *inserted once, at one baseline clock*: the hub gets those
inserts (with their data, built as they are copied), and the laptop writes nothing per record.
What it keeps is one note in ``sync_state`` (``adopted``): the device and user of the baseline,
its clock, and per table the highest SQLite ``rowid`` adopted and the first clock number. A
record is *adopted* while it has no ``sync_rows`` entry and its ``rowid`` is at most its table's
mark; its insert's id is a function of its ``rowid`` (``change_id_sql``), so the laptop and the
hub name it the same way without storing it. (At 150,000 people the per-record rows were
about 650 bytes a record: 8.5 GB of log and as much WAL, 51 minutes of disk.)

An adopted record's insert and field heads are *implicit*: the record as stored is the insert,
and every field's head is that insert. Nothing reads them implicitly, though: they are written
down (``materialize``) just before anything needs them, exactly as ``dataless.settle`` writes a
dataless insert's data, in the same transaction:

* before a session changes or deletes the record (``changelog``'s flush hook and its UPDATE /
  DELETE statement hook call ``dataless.settle``, which starts here);
* before a change from elsewhere is decided on for it (``merge.Applier.preload``);
* before the record leaves this laptop's scope (``leaving``) and before a pack that carries
  every change (``packs.export_pack(everything=True)``).

From then on it is an ordinary record with an ordinary first insert (the same id the hub
holds), so merging, conflicts, repair and packs see exactly what they saw before. The rule is
the dataless insert's rule, one step on: *an adopted record with no change rows is exactly the
insert the hub was given*; nothing changes it without writing that insert down first.

Records that arrive later without a change (bulk Core inserts) get ``rowid`` above the mark and
are logged by ``baseline`` as before. A ``rowid`` is only ever given out again after the
table's highest row is deleted, so after every delete LinkWorker makes the marks are lowered to
each table's highest ``rowid`` (``clamp``): a later bulk insert cannot pass as adopted.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.engine import Connection

from linkworker.sync import clock, dataless, state
from linkworker.sync.dataless import BATCH, json_value, match, quote
from linkworker.sync.tables import LOAD_ORDER, PARENT_PERSON, RULES, TableRule

KEY = "adopted"  # sync_state: {"wall", "device", "user", "tables": {name: [upto, first]}}
SPAN = clock.COUNTER_LIMIT + 1  # stamps a millisecond holds before the wall moves on


def note(conn: Connection) -> dict[str, Any] | None:
    """The adoption note, or None on a laptop that never adopted (SQLite only)."""
    if conn.dialect.name != "sqlite":
        return None
    return state.get(conn, KEY)


def next_stamps(conn: Connection) -> tuple[str, int, int]:
    """This device, and the wall time and counter a run of stamps numbered in SQL starts at
    (after this replica's clock, as ``clock.tick`` would go on)."""
    device = state.device_id(conn)
    last = state.last_stamp(conn)
    now = clock.now_ms()
    if last is None or now > last.wall_ms:
        return device, now, 0
    return device, last.wall_ms, last.counter + 1


def adopt(conn: Connection, user_id: str | None = None) -> dict[str, Any]:
    """Take every record with no change yet as inserted at one baseline clock (``hub init``).

    Writes one note, no rows. Stamps are numbered after this replica's clock, table by table
    in ``LOAD_ORDER`` and within a table by ``rowid``, and the clock moves past them all, so
    every later change here sorts after the inserts it builds on. A second call keeps the
    first note (records since then are logged by ``baseline``)."""
    existing = note(conn)
    if existing is not None:
        return existing
    device, wall, number = next_stamps(conn)
    tables = {}
    for name in LOAD_ORDER:
        upto = conn.exec_driver_sql(f"SELECT coalesce(max(rowid), 0) FROM {quote(name)}").scalar()
        if upto:
            tables[name] = [upto, number]
            number += upto
    adopted = {"wall": wall, "device": device, "user": user_id, "tables": tables}
    state.put(conn, KEY, adopted)
    if number:
        n = number - 1
        state.save_stamp(conn, clock.Stamp(wall + n // SPAN, n % SPAN, device))
    return adopted


def change_id_sql(adopted: dict[str, Any], name: str, rowid: str = "t.rowid") -> str:
    """SQL for the id of the adopted insert of the record at ``rowid`` (``clock.Stamp``'s
    text, numbered as ``adopt`` numbered it)."""
    first = adopted["tables"][name][1]
    number = f"({first} + {rowid} - 1)"
    return (f"printf('%013d.%06d.%s', {adopted['wall']} + {number} / {SPAN}, "
            f"{number} % {SPAN}, '{adopted['device']}')")


def row_id_sql(rule: TableRule, alias: str = "t") -> str:
    return " || '|' || ".join(f"CAST({alias}.{quote(c)} AS TEXT)" for c in rule.identity)


def data_sql(rule: TableRule, alias: str = "t") -> str:
    """The record's JSON as its insert holds it (what ``dataless.record_json`` gives)."""
    return "json_object({})".format(", ".join(
        f"'{c.key}', {json_value(c, f'{alias}.{quote(c.name)}')}"
        for c in rule.table.columns if c.key not in rule.skip))


def person_sql(rule: TableRule) -> tuple[str, str]:
    """The person column of a table's rows (alias ``t``), through its parents."""
    if rule.person_via is None:
        return "NULL", ""
    if rule.person_via == "self":
        return "t.id", ""
    alias, column, joins = "t", rule.person_via, []
    while column in PARENT_PERSON:
        parent, onwards = PARENT_PERSON[column]
        step = f"p{len(joins)}"
        joins.append(f"LEFT JOIN {quote(parent)} {step} ON {step}.id = {alias}.{quote(column)}")
        alias, column = step, onwards
    return f"{alias}.{quote(column)}", " ".join(joins)


def _untracked(rule: TableRule) -> str:
    return (f"NOT EXISTS (SELECT 1 FROM sync_rows r WHERE r.table_name = '{rule.name}' "
            f"AND r.row_id = {row_id_sql(rule)})")


def changes_sql(adopted: dict[str, Any], name: str) -> str:
    """``SELECT`` of the adopted inserts of one table, as ``sync_changes`` columns without
    ``seq`` (``hub init`` copies them to the hub; ``materialize`` writes some down here)."""
    rule = RULES[name]
    upto = adopted["tables"][name][0]
    person, joins = person_sql(rule)
    user = "NULL" if adopted["user"] is None else f"'{adopted['user']}'"
    return (f"SELECT {change_id_sql(adopted, name)}, '{adopted['device']}', {user}, "
            f"'{name}', {row_id_sql(rule)}, {person}, 'insert', {data_sql(rule)}, 'null', 1 "
            f"FROM {quote(name)} t {joins} WHERE t.rowid <= {upto} AND {_untracked(rule)}")


CHANGE_COLUMNS = ("change_id", "device_id", "user_id", "table_name", "row_id", "person_id",
                  "op", "data", "bases", "applied")


def heads_sql(adopted: dict[str, Any], name: str) -> str:
    """``SELECT`` of the adopted records' field heads (``sync_rows`` columns), every field's
    head their insert, written as ``json.dumps`` writes it."""
    rule = RULES[name]
    upto = adopted["tables"][name][0]
    return (f"SELECT '{name}', {row_id_sql(rule)}, "
            f"'{{\"_\": [\"' || {change_id_sql(adopted, name)} || '\"]}}', 0 "
            f"FROM {quote(name)} t WHERE t.rowid <= {upto} AND {_untracked(rule)}")


def materialize(conn: Connection, table_name: str, row_ids: list[str] | None = None,
                adopted: dict[str, Any] | None = None) -> int:
    """Write down the insert and field heads of these adopted records (all of the table's with
    ``row_ids`` None); returns how many. Records already in the log are left alone."""
    adopted = adopted or note(conn)
    if adopted is None or table_name not in adopted["tables"]:
        return 0
    rule = RULES[table_name]
    before = conn.exec_driver_sql("SELECT coalesce(max(seq), 0) FROM sync_changes").scalar()
    select_sql = changes_sql(adopted, table_name)
    columns = ", ".join(CHANGE_COLUMNS)
    if row_ids is None:
        conn.exec_driver_sql(f"INSERT INTO sync_changes ({columns}) {select_sql} "
                             "ORDER BY t.rowid")
    else:
        chosen = select_sql.replace(
            f"FROM {quote(table_name)} t ",
            f"FROM json_each(?) j JOIN {quote(table_name)} t ON {match(rule, 'j.value', 't')} ",
            1)
        for start in range(0, len(row_ids), BATCH):
            conn.exec_driver_sql(f"INSERT INTO sync_changes ({columns}) {chosen}",
                                 (json.dumps(row_ids[start:start + BATCH]),))
    return conn.exec_driver_sql(
        "INSERT INTO sync_rows (table_name, row_id, heads, deleted) "
        "SELECT table_name, row_id, json_object('_', json_array(change_id)), 0 "
        "FROM sync_changes WHERE seq > ?", (before,)).rowcount


def clamp(conn: Connection) -> None:
    """After records were deleted: no table's mark above its highest ``rowid``. SQLite gives
    the highest ``rowid`` out again once its row is gone; a record written there later by a
    bulk insert must not pass as adopted (it would never be sent)."""
    adopted = note(conn)
    if adopted is None:
        return
    lowered = False
    for name, mark in adopted["tables"].items():
        top = conn.exec_driver_sql(f"SELECT coalesce(max(rowid), 0) FROM {quote(name)}").scalar()
        if top < mark[0]:
            mark[0], lowered = top, True
    if lowered:
        state.put(conn, KEY, adopted)


def materialize_people(conn: Connection, people: set[str], names: list[str]) -> None:
    """Write down every adopted record of ``people`` in ``names`` (before they leave)."""
    adopted = note(conn)
    if adopted is None or not people:
        return
    for name in names:
        rule = RULES[name]
        if name not in adopted["tables"] or rule.person_via is None:
            continue
        person, joins = person_sql(rule)
        ids = [r for (r,) in conn.exec_driver_sql(
            f"SELECT {row_id_sql(rule)} FROM {quote(name)} t {joins} WHERE {person} IN "
            f"(SELECT value FROM json_each(?)) AND t.rowid <= {adopted['tables'][name][0]}",
            (json.dumps(sorted(people)),))]
        if ids:
            materialize(conn, name, ids)


def materialize_all(conn: Connection) -> None:
    """Every adopted record written down (a pack of every change carries them all)."""
    adopted = note(conn)
    for name in (adopted or {}).get("tables", {}):
        materialize(conn, name)


# --- before a record changes: write down what stands for its first insert --------------------

DATALESS = state.DATALESS  # sync_state: may the log hold a dataless insert? (``baseline``)


def pending(conn: Connection) -> tuple[dict[str, Any] | None, bool]:
    """What may need writing down before a record changes, in one read: the adoption note, and
    whether a dataless insert may exist (``baseline`` says so when it writes one; a replica
    whose device id was made since this was recorded says no until then; older ones: maybe)."""
    if conn.dialect.name != "sqlite":
        return None, False
    found = {key: None if value is None else json.loads(value) for key, value in
             conn.exec_driver_sql("SELECT key, value FROM sync_state WHERE key IN (?, ?)",
                                  (KEY, DATALESS)).all()}
    return found.get(KEY), found.get(DATALESS) is not False


def settle(conn: Connection, targets: dict[str, list[str]],
           known: tuple[dict[str, Any] | None, bool] | None = None) -> None:
    """Before these records change (or are deleted), in the same transaction: an adopted
    record's insert and heads are written down (``materialize``) and a dataless insert is
    given its values (``dataless.settle``). Nothing is run when nothing can need it."""
    targets = {name: ids for name, ids in targets.items() if ids and name in RULES}
    if not targets:
        return
    adopted, dataless_may = known or pending(conn)
    for name, row_ids in targets.items():
        if adopted is not None:
            materialize(conn, name, row_ids, adopted)
        if dataless_may:
            dataless.settle(conn, name, row_ids)
