"""A new laptop's first replica, copied in bulk from the hub instead of replayed change by change.

Replaying a caseload's history (``merge.receive``) decides every change: is it ready, which
head shows, is there a conflict. For a laptop that has never pulled, the hub has already made
every one of those decisions, and they are the same ones the laptop would make (the state
depends only on which changes a replica holds: ``merge``). So the hub's
``linkworker_replica()`` sends, in one answer and for exactly the records its pull would send,
the changes, each record as the hub holds it, its field heads and its conflicts; they are
written here with one executemany per table. The laptop then holds what a replay would have
given it, and later syncs carry on from there.

What a replay would *not* have applied is not copied either: a record this laptop already
holds (made here before its first sync), an account whose username another account holds here,
a record whose parent is outside the scope. Their changes go through ``merge.receive`` as
before, which applies them, or keeps them waiting, exactly as a replay would. An optional link
to a record outside the scope is left empty and remembered (``late_links``), as a replay
leaves it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import DateTime, Time, select
from sqlalchemy.engine import Connection
from sqlalchemy.types import JSON

from linkworker.models import SyncConflict
from linkworker.sync import clock, merge, state
from linkworker.sync.changelog import (
    CHANGES,
    INSERT_CHANGE,
    INSERT_ROW,
    ROWS,
    driver_executemany,
)
from linkworker.sync.merge import CHANGE_FIELDS
from linkworker.sync.tables import LOAD_ORDER, RULES, decode

CONFLICTS = SyncConflict.__table__

# Parents first, but each journey before its person: the caseload index's triggers then
# give a person's entry and search words once, as their row goes in, with the journey
# already there (journeys first find no one to update). People first made every journey
# take its person's words out of the search index and put them back: a third of the copy's
# CPU. The end is the same; the foreign keys are checked at commit (``defer_foreign_keys``).
_PEOPLE = LOAD_ORDER.index("people")
WRITE_ORDER = (*LOAD_ORDER[:_PEOPLE], "episodes",
               *(name for name in LOAD_ORDER[_PEOPLE:] if name != "episodes"))
BIG_COPY = 2000  # records into one table: above this its indexes are made after the rows
# The copy's page cache (KiB). The app syncs on its writer lane, whose connections keep 8 MB
# (``storage.database``): a 300-person copy writes about 37 MB of pages, so most were spilled
# to the WAL part way through, encrypted, and read back and decrypted when the next rows
# landed on them. For the copy's transaction only (``_roomy_cache``).
COPY_CACHE_KIB = 64 * 1024
FETCH_ROWS = 5000  # rows of the hub's answer read at a time (``fetch``)


@dataclass
class Snapshot:
    """What ``linkworker_replica()`` answered, sorted by kind. A change's ``data`` and
    ``bases`` and a record's heads stay JSON text: they are stored as they came."""

    changes: list[dict[str, Any]] = field(default_factory=list)  # with the hub's ``seq``
    records: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    heads: dict[tuple[str, str], tuple[str, bool]] = field(default_factory=dict)
    conflicts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def last_seq(self) -> int:
        return max((c["seq"] for c in self.changes), default=0)


def available(hub_conn: Connection) -> bool:
    """Does the hub offer the bulk copy (hubs made before it only offer the pull)?"""
    return hub_conn.exec_driver_sql(
        "SELECT to_regprocedure('linkworker_replica()') IS NOT NULL").scalar()


_FETCH = ("SELECT kind, seq, table_name, row_id, change_id, device_id, user_id, person_id, op, "
          "data::text, bases::text, deleted, body::text FROM linkworker_replica()")
_CHANGE_COLUMNS = ("seq", "table_name", "row_id", "change_id", "device_id", "user_id",
                   "person_id", "op", "data", "bases")


def fetch(hub_conn: Connection) -> Snapshot:
    """One call, read through the driver (a row through SQLAlchemy cost more than its JSON)
    ``FETCH_ROWS`` at a time from a server-side cursor: the answer never sits whole in this
    process beside what it becomes (a manager's replica at 150,000 people is millions of
    rows; issue 15, memory). Each batch's records and conflicts come as text and are parsed
    in one pass, as one JSON array: 30,000 separate parses (the driver's, per value) cost
    three times as much."""
    snapshot = Snapshot()
    cursor = hub_conn.connection.dbapi_connection.cursor(name="linkworker_replica")
    try:
        cursor.execute(_FETCH)
        while rows := cursor.fetchmany(FETCH_ROWS):
            _sort_in(snapshot, rows)
    finally:
        cursor.close()
    snapshot.changes.sort(key=lambda c: c["seq"])
    return snapshot


def _sort_in(snapshot: Snapshot, rows: Sequence[Sequence[Any]]) -> None:
    """One batch of the answer into the snapshot, by kind."""
    bodies: list[tuple[str, tuple[str, str]]] = []  # (kind, key) of each body, in order
    texts: list[str] = []
    for kind, *row in rows:
        if kind == "change":
            snapshot.changes.append(dict(zip(_CHANGE_COLUMNS, row[:10], strict=True)))
        elif kind == "heads":
            snapshot.heads[(row[1], row[2])] = (row[8], row[10])
        else:  # a record, or a conflict
            bodies.append((kind, (row[1], row[2])))
            texts.append(row[11])
    for (kind, key), body in zip(bodies, json.loads(f"[{','.join(texts)}]"), strict=True):
        if kind == "record":
            snapshot.records[key] = body
        else:
            snapshot.conflicts.append(body)


def load(conn: Connection, snapshot: Snapshot) -> tuple[merge.Applied, list[str]]:
    """Write the snapshot into this (never pulled) replica, in the caller's one transaction;
    returns what ``merge.receive`` did with the changes that could not be copied, and the
    people copied."""
    copied, present, coming = _copyable(conn, snapshot)
    conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")  # a person's current journey
    _roomy_cache(conn)
    late = _write_records(conn, snapshot, coming, present)
    changes = [c for c in snapshot.changes if (c["table_name"], c["row_id"]) in copied]
    with _indexes_after(conn, "sync_changes", len(changes)):
        driver_executemany(conn, INSERT_CHANGE, [
            (c["change_id"], c["device_id"], c["user_id"], c["table_name"], c["row_id"],
             c["person_id"], c["op"], c["data"], c["bases"], True) for c in changes])
    driver_executemany(conn, INSERT_ROW, sorted(  # in their key's order: its index's pages
        (t, r, heads, bool(deleted)) for (t, r), (heads, deleted) in snapshot.heads.items()
        if (t, r) in copied))
    conflicts = [c for c in snapshot.conflicts if (c["table_name"], c["row_id"]) in copied]
    _write_conflicts(conn, conflicts)
    if changes:  # a stamp's text sorts as the stamp does (``clock``): one parse, not 30,000
        newest = clock.Stamp.parse(max(c["change_id"] for c in changes))
        state.save_stamp(conn, clock.witness(state.last_stamp(conn), newest,
                                             state.device_id(conn)))
    if late:
        state.put(conn, "late_links", [*state.get(conn, "late_links", []), *late])
    rest = [{k: c[k] for k in CHANGE_FIELDS} | {"data": _json(c["data"]),
                                                 "bases": _json(c["bases"])}
            for c in snapshot.changes if (c["table_name"], c["row_id"]) not in copied]
    report = merge.receive(conn, rest)
    report.received += len(changes)
    report.new += len(changes)
    report.applied += len(changes)
    people = [r for t, r in copied if t == "people" and (t, r) in snapshot.records]
    report.new_people = sorted({*report.new_people, *people})
    report.conflicts = sorted({*report.conflicts,
                               *(c["id"] for c in conflicts if c["resolved_at"] is None)})
    return report, people


Present = dict[tuple[str, str], set[Any]]  # a key a link may name -> its values here or coming
Coming = dict[str, list[tuple[str, str]]]  # table -> the copied keys with a record, in order


def _copyable(conn: Connection, snapshot: Snapshot
              ) -> tuple[set[tuple[str, str]], Present, Coming]:
    """The records a replay would simply have written as the hub holds them, the keys
    present once they are written, and the copied records by table in the order a replay
    writes them."""
    held = {(t, r) for t, r in conn.execute(select(ROWS.c.table_name, ROWS.c.row_id))}
    known = set(conn.execute(select(CHANGES.c.change_id)).scalars())
    blocked = {(c["table_name"], c["row_id"]) for c in snapshot.changes
               if c["change_id"] in known}
    taken = _usernames_held(conn)
    copied = set()
    for key, (_heads, deleted) in snapshot.heads.items():
        record = snapshot.records.get(key)
        if key in held or key in blocked or (record is None and not deleted):
            continue
        if key[0] == "users" and record is not None and taken.get(record["username"],
                                                                  key[1]) != key[1]:
            continue  # another account holds the name here: it waits (merge.clash_advice)
        copied.add(key)
    return _with_parents(conn, snapshot, copied)


def _usernames_held(conn: Connection) -> dict[str, str]:
    users = RULES["users"].table
    return dict(conn.execute(select(users.c.username, users.c.id)).all())


def _with_parents(conn: Connection, snapshot: Snapshot, copied: set[tuple[str, str]]
                  ) -> tuple[set[tuple[str, str]], Present, Coming]:
    """Drop records whose required parent is neither copied nor here (a replay would keep
    their insert waiting), children before grandchildren, until nothing changes. Checked a
    table and a link at a time, as sets: only the records naming a missing parent are
    looked at one by one."""
    order = _arrival_order(snapshot)
    while True:
        coming = _records_by_table(snapshot, order, copied)
        present = _keys_present(conn, snapshot, coming)
        dropped: set[tuple[str, str]] = set()
        for table, keys in coming.items():
            for column, target in _required_links(table):
                missing = {snapshot.records[key].get(column) for key in keys}
                missing -= present.get(target, set()) | {None}
                if missing:
                    dropped.update(key for key in keys
                                   if snapshot.records[key].get(column) in missing)
        if not dropped:
            return copied, present, coming
        copied -= dropped


def _arrival_order(snapshot: Snapshot) -> list[tuple[str, str]]:
    """Every record's key once, in the order of its first change at the hub: the order a
    replay writes them in (the audit trail's local seq follows it). The changes come sorted
    by the hub's seq, so no record needs a sort key of its own."""
    return list(dict.fromkeys([(c["table_name"], c["row_id"]) for c in snapshot.changes]))


def _records_by_table(snapshot: Snapshot, order: list[tuple[str, str]],
                      copied: set[tuple[str, str]]) -> Coming:
    """The copied keys that have a record (the rest were deleted at the hub), by table."""
    out: Coming = {}
    records = snapshot.records
    for key in order:
        if key in copied and key in records:
            out.setdefault(key[0], []).append(key)
    return out


def _keys_present(conn: Connection, snapshot: Snapshot, coming: Coming) -> Present:
    """Every key column a link may point at: the values here, and those coming."""
    present: Present = {}
    for table, column in _link_targets():
        values = set(conn.execute(select(RULES[table].table.c[column])).scalars())
        values.update(snapshot.records[key].get(column) for key in coming.get(table, ()))
        present[(table, column)] = values
    return present


@cache
def _link_targets() -> tuple[tuple[str, str], ...]:
    return tuple({(fk.column.table.name, fk.column.key) for rule in RULES.values()
                  for fk in rule.table.foreign_keys if fk.column.table.name in RULES})


@cache
def _required_links(table: str) -> tuple[tuple[str, tuple[str, str]], ...]:
    """(column, (parent table, parent column)) of each link a record cannot go in without."""
    return tuple((fk.parent.key, (fk.column.table.name, fk.column.key))
                 for fk in RULES[table].table.foreign_keys if not fk.parent.nullable)


def _write_records(conn: Connection, snapshot: Snapshot, coming: Coming,
                   present: Present) -> list[list[str]]:
    """The copied records, one executemany per table (``WRITE_ORDER``), each table's in the
    order a replay would write them; returns the optional links left empty because their
    record is not in this replica."""
    late: list[list[str]] = []
    for name in WRITE_ORDER:
        keys = coming.get(name)
        if not keys:
            continue
        records = [snapshot.records[key] for key in keys]
        shape = _Shape.of(name, records[0], conn.dialect)
        rows = shape.rows(records, [key[1] for key in keys], present, late)
        with _indexes_after(conn, name, len(rows)):
            driver_executemany(conn, shape.insert, rows)
    return late


@dataclass(frozen=True)
class _Shape:
    """How one table's records (the hub's JSON of each row) become its INSERT's rows, worked
    out once per table: per record only a look-up of every value, and the few columns that
    need a check (an optional link) or another form (times, JSON)."""

    name: str
    insert: str
    sent: Callable[[dict[str, Any]], Any]  # the values the hub sends, in the INSERT's order
    local: tuple[tuple[str, Any], ...]  # then the columns it may not send, with defaults
    every: tuple[tuple[str, Any], ...]  # all of them: for a record missing a column
    linked: tuple[tuple[int, str, tuple[str, str]], ...]
    stored: tuple[tuple[int, Callable[[Any], Any]], ...]

    @classmethod
    def of(cls, name: str, sample: dict[str, Any], dialect: Any) -> _Shape:
        """``sample``: one record, to tell the columns the hub sends from local-only ones."""
        columns = [c for c in RULES[name].table.columns
                   if c.key not in RULES[name].skip or _scalar_default(c)]
        columns.sort(key=lambda c: c.name not in sample)  # sent first (a stable sort)
        sent = [c.name for c in columns if c.name in sample]
        every = tuple((c.name, _default(c)) for c in columns)
        names = ", ".join(f'"{c.name}"' for c in columns)
        return cls(
            name=name,
            insert=f'INSERT INTO "{name}" ({names}) VALUES ({", ".join("?" for _ in columns)})',
            sent=itemgetter(*sent) if len(sent) > 1 else lambda r: (r[sent[0]],) if sent else (),
            local=every[len(sent):], every=every,
            linked=tuple((i, c.key, (fk.column.table.name, fk.column.key))
                         for i, c in enumerate(columns) if c.nullable for fk in c.foreign_keys),
            stored=tuple((i, form) for i, c in enumerate(columns)
                         if (form := _storage_form(c, dialect)) is not None))

    def rows(self, records: list[dict[str, Any]], row_ids: list[str], present: Present,
             late: list[list[str]]) -> list[Any]:
        """The INSERT's rows, worked a column at a time (a record's columns as one tuple,
        then each column that needs it checked or converted as one list): per record only
        the look-up. An optional link to a record not here is emptied and added to ``late``
        (record by record, in column order, as a replay lists them)."""
        rows = [self.values(record) for record in records]
        if not (self.linked or self.stored):
            return rows
        columns = [list(column) for column in zip(*rows, strict=True)]
        emptied = []
        for i, key, link in self.linked:
            here, column = present.get(link, set()), columns[i]
            for j in [j for j, value in enumerate(column)
                      if value is not None and value not in here]:
                column[j] = None  # its record is not here (yet): filled if it comes
                emptied.append((j, i, key))
        late.extend([self.name, row_ids[j], key] for j, _i, key in sorted(emptied))
        for i, to_storage in self.stored:
            columns[i] = list(map(to_storage, columns[i]))
        return list(zip(*columns, strict=True))

    def values(self, record: dict[str, Any]) -> list[Any]:
        try:
            return [*self.sent(record), *(record.get(n, d) for n, d in self.local)]
        except KeyError:  # this record lacks a column the first one had
            return [record.get(n, d) for n, d in self.every]


def _roomy_cache(conn: Connection) -> None:
    """``COPY_CACHE_KIB`` of page cache for this transaction (never less than it has). Kept
    to the commit, which writes the pages (dirty pages are never evicted; a smaller cache
    before it spilled them again as the caller read people for duplicates), and given back at
    the connection's next checkout: the pool's record forgets its size, so ``storage.
    database`` sets the checking-out thread's own size again (which frees the rest)."""
    was = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    if was < 0 and -was >= COPY_CACHE_KIB:
        return
    conn.exec_driver_sql(f"PRAGMA cache_size = -{COPY_CACHE_KIB}")
    conn.connection.info.pop("cache_kib", None)


@contextmanager
def _indexes_after(conn: Connection, table: str, rows: int) -> Iterator[None]:
    """Without ``table``'s own secondary indexes while ``rows`` records go in, if that is
    many and more than it holds already: each index then takes its rows in random order
    (ids, people, dates), page by page, where making it again afterwards is one sort. Made
    again with the statements they were made by, in the same transaction (so kill -9 leaves
    both or neither); the unique ones (constraints) stay."""
    made = []
    if rows > BIG_COPY and rows > conn.exec_driver_sql(f'SELECT count(*) FROM "{table}"').scalar():
        made = conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL", (table,)).all()
    for name, _sql in made:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    yield
    for _name, sql in made:
        conn.exec_driver_sql(sql)


def _default(column: Any) -> Any:
    """A local-only column the hub does not send: its default, as a Core insert fills it."""
    return column.default.arg if _scalar_default(column) else None


def _scalar_default(column: Any) -> bool:
    return column.default is not None and column.default.is_scalar


def _storage_form(column: Any, dialect: Any) -> Callable[[Any], Any] | None:
    """From a value in the hub's JSON of a row to the form SQLAlchemy stores it in on SQLite
    (None: as it comes). Text, numbers, booleans, ISO dates and money (whole pennies on both
    sides) need nothing; timestamps and times get SQLite's space and six-digit fraction;
    JSON goes through the column type's own serialiser."""
    kind = column.type
    if isinstance(kind, DateTime):
        return _datetime_text
    if isinstance(kind, Time):
        return _time_text
    if isinstance(kind, JSON):
        return kind._cached_bind_processor(dialect)
    return None


def _datetime_text(value: str | None) -> str | None:
    """``2026-11-02T10:00:00.5`` (PostgreSQL's JSON) as ``2026-11-02 10:00:00.500000``."""
    if value is None:
        return None
    if len(value) == 19:  # no fraction: most of them
        return f"{value[:10]} {value[11:]}.000000"
    whole, _, fraction = value.partition(".")
    return f"{whole[:10]} {whole[11:]}.{fraction.ljust(6, '0')}"


def _time_text(value: str | None) -> str | None:
    if value is None:
        return None
    whole, _, fraction = value.partition(".")
    return f"{whole}.{fraction.ljust(6, '0')}"


def _write_conflicts(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn.execute(CONFLICTS.insert(), [
            {c.key: decode(c, row.get(c.name)) if c.key not in ("heads", "resolution")
             else row.get(c.name) for c in CONFLICTS.columns} for row in rows])


def _json(text: str | None) -> Any:
    return None if text is None else json.loads(text)
