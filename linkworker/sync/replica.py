"""A new laptop's first replica, copied in bulk from the hub instead of replayed change by change.

Replaying a caseload's history (``merge.receive``) decides every change: is it ready, which
head shows, is there a conflict. For a laptop that has never pulled, the hub has already made
every one of those decisions, and they are the same ones the laptop would make (the state
depends only on which changes a replica holds: ``merge``). So the hub's
``linkworker_replica_cursor()`` sends, in one answer fetched a batch at a time and for exactly
the records its pull would send, the changes, each record as the hub holds it with its field
heads and first change's seq, and its conflicts; they are written here with one executemany
per table. The laptop then holds what a replay would have
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
from dataclasses import dataclass
from functools import cache
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Time
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.types import JSON

from linkworker.models import SyncConflict
from linkworker.sync import clock, merge, state
from linkworker.sync.changelog import (
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
# ... unless the index's sort would hold more than this (``_sorts_in_memory``): the estimate
# of one entry is a sorter record with its allocation and rowid, plus each column (an id is
# 36 characters). Measured at 5,000 people: 59 and 72 bytes an entry for the change log's
# one- and two-column indexes, estimated 88 and 128.
SORT_BYTES = 32 * 2**20
SORT_ENTRY_BYTES = 48
SORT_COLUMN_BYTES = 40
# The copy's page cache (KiB). The app syncs on its writer lane, whose connections keep 8 MB
# (``storage.database``): a 300-person copy writes about 37 MB of pages, so most were spilled
# to the WAL part way through, encrypted, and read back and decrypted when the next rows
# landed on them. For the copy's transaction only (``_roomy_cache``).
COPY_CACHE_KIB = 64 * 1024
FETCH_ROWS = 5000  # rows of the hub's answer read, and records written, at a time
FETCH_WORK_MEM = "64MB"  # the hub session's memory for a batch (``answer``)

# The hub's answer is staged in a scratch file of its own beside the caseload (``scratch``:
# encrypted with the caseload's key, attached to the copy's connection), read back by the copy
# in the caseload's one transaction: a failure part way leaves the replica as it was, and the
# answer is never held whole in memory (issue 15: a manager's first sync at 50,000 people went
# over 5 GB as Python objects). Staged in the caseload itself, every staged page went through
# its WAL and was checkpointed: at 20,000 people 12.1 GB written, and the files at 7.2 GB.
# The scratch file has no journal and no syncs: a crash only leaves a file the next first
# sync deletes. Its tables are reached by their bare names (no caseload table has them).
# The checks run in SQL on id columns; the records are read back a table and ``FETCH_ROWS``
# at a time.
# The heads' and records' JSON is appended, in arrival order, to a table of its own
# (``STAGE_BODIES``: a rowid table, so each batch fills new pages at its end); the staged keys
# hold only keys, marks and the bodies' numbers. When the keys held the JSON, every heads row
# and record went into a b-tree of every body at a random place, and each mark rewrote the
# whole row: at 50,000 people 17 GB written through a 3.6 GB WAL, and not done in 45 minutes.
SCRATCH = "replica_scratch"  # the scratch file's schema name on the copy's connection
SCRATCH_SUFFIX = "-first-sync"  # the scratch file: the caseload's name with this added
SCRATCH_CACHE_KIB = 8 * 1024  # its page cache: 32 MB wrote no less at 5,000 people
STAGE_CHANGES = "replica_stage_changes"
STAGE_KEYS = "replica_stage_keys"
STAGE_BODIES = "replica_stage_bodies"
STAGE_CONFLICTS = "replica_stage_conflicts"
STAGE_PRESENT = "replica_stage_present"
_STAGE = (
    f"CREATE TABLE {SCRATCH}.{STAGE_CHANGES} (seq INTEGER PRIMARY KEY, table_name, row_id, "
    "change_id, device_id, user_id, person_id, op, data, bases)",
    f"CREATE TABLE {SCRATCH}.{STAGE_KEYS} (table_name, row_id, has_heads INTEGER DEFAULT 0, "
    "heads_n, deleted, body_n, first_seq, copied INTEGER DEFAULT 0, "
    "PRIMARY KEY (table_name, row_id)) WITHOUT ROWID",
    f"CREATE TABLE {SCRATCH}.{STAGE_BODIES} (n INTEGER PRIMARY KEY, body)",
    f"CREATE TABLE {SCRATCH}.{STAGE_CONFLICTS} (n INTEGER PRIMARY KEY, table_name, row_id, body)",
    f"CREATE TABLE {SCRATCH}.{STAGE_PRESENT} (table_name, col, value, "
    "PRIMARY KEY (table_name, col, value)) WITHOUT ROWID",
    # Made before its rows (kept as they come, not sorted after: a sort of every key). The
    # changes have no (table, row) index: 4.7 million entries at 50,000 people taken at
    # random, for one check that reads the few changes held here instead (``_unmark_held``)
    f"CREATE INDEX {SCRATCH}.{STAGE_KEYS}_order ON {STAGE_KEYS} (table_name, first_seq)",
)
# No NOT NULL on the columns updated: a statement that may fail part way keeps every page it
# changes in a statement journal, which is in memory (``temp_store``): an UPDATE of every key
# held the whole table there.
_COMING = "k.copied = 1 AND k.body_n IS NOT NULL AND k.first_seq IS NOT NULL"
_BODY = f"(SELECT b.body FROM {STAGE_BODIES} b WHERE b.n = k.body_n)"  # a staged key k's record
_COPIED_KEY = (f"EXISTS (SELECT 1 FROM {STAGE_KEYS} k WHERE k.table_name = c.table_name "
               "AND k.row_id = c.row_id AND k.copied = 1)")


@dataclass
class Copied:
    """What a first replica's copy did: ``merge.receive``'s report (the copied changes
    counted in), the people copied, and the hub's answer's number of changes and newest seq."""

    report: merge.Applied
    people: list[str]
    changes: int
    last_seq: int


def available(hub_conn: Connection) -> bool:
    """Does the hub offer the bulk copy (hubs made before it only offer the pull)?"""
    return hub_conn.exec_driver_sql(
        "SELECT to_regprocedure('linkworker_replica_cursor()') IS NOT NULL").scalar()


def scratch_path(caseload_path: Path) -> Path:
    """Where a caseload's first sync stages the hub's answer."""
    return caseload_path.with_name(caseload_path.name + SCRATCH_SUFFIX)


@contextmanager
def scratch(engine: Engine, caseload_path: Path) -> Iterator[Connection]:
    """A connection of the caseload's (not in a transaction) with a new, empty scratch file
    attached as ``SCRATCH``, for ``copy`` in ``Caseload.transaction(on=...)``; the file is
    deleted afterwards, whatever happened, and one left by a crash is deleted first. It is
    encrypted with the caseload's key (SQLCipher gives each file its own salt): it holds
    personal data. ``journal_mode=OFF`` and ``synchronous=OFF``: nothing in it outlives the
    sync, so its pages are written once, straight to it, never through the caseload's WAL.
    Owner-only, as the caseload's files are. The copy's WAL is checkpointed only after the
    scratch file is gone (``shrink_wal``): checkpointed at the commit, the caseload, its WAL
    and the scratch file were all on disk at once (6.8 GB at 20,000 people)."""
    path = scratch_path(caseload_path)
    _discard(path)
    path.touch(mode=0o600)  # owner-only, as the caseload (SQLite takes an empty file as new)
    with engine.connect() as conn:
        every = conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
        conn.exec_driver_sql("PRAGMA wal_autocheckpoint = 0")
        conn.exec_driver_sql(f"ATTACH DATABASE ? AS {SCRATCH} KEY ?",
                             (str(path), engine.url.password))
        try:
            for pragma in ("journal_mode = OFF", "synchronous = OFF",
                           f"cache_size = -{SCRATCH_CACHE_KIB}"):
                conn.exec_driver_sql(f"PRAGMA {SCRATCH}.{pragma}")
            conn.commit()
            yield conn
        finally:
            conn.rollback()
            conn.exec_driver_sql(f"DETACH DATABASE {SCRATCH}")
            conn.commit()
            _discard(path)
            conn.exec_driver_sql(f"PRAGMA wal_autocheckpoint = {int(every)}")
            shrink_wal(conn)


def _discard(path: Path) -> None:
    """The scratch file and any journal SQLite may have begun for it before its
    ``journal_mode`` was set."""
    for leftover in (path, path.with_name(path.name + "-journal")):
        leftover.unlink(missing_ok=True)


def shrink_wal(conn: Connection) -> None:
    """After the copy: its pages from the WAL into the caseload and the WAL cut to nothing
    (it held the whole replica). Only if no reader needs it; otherwise the next checkpoint
    reuses the WAL from its start."""
    conn.exec_driver_sql("PRAGMA main.wal_checkpoint(TRUNCATE)").all()
    conn.commit()


def copy(conn: Connection, hub_conn: Connection) -> Copied:
    """The hub's answer written into this (never pulled) replica, in the caller's one
    transaction (``conn``'s, with ``scratch`` attached), read from ``hub_conn``'s."""
    _roomy_cache(conn)
    for statement in _STAGE:
        conn.exec_driver_sql(statement)
    changes, last_seq = stage(conn, hub_conn)
    report, people = load(conn)
    return Copied(report, people, changes, last_seq)


def stage(conn: Connection, hub_conn: Connection) -> tuple[int, int]:
    """The hub's answer, each batch written to the staging tables as it comes; the JSON
    stays text until its table is written. Returns how many changes came and the newest
    seq."""
    changes = last_seq = 0
    for rows in answer(hub_conn):
        count, newest = _stage_batch(conn, rows)
        changes, last_seq = changes + count, max(last_seq, newest)
    return changes, last_seq


def answer(hub_conn: Connection) -> Iterator[list[tuple[Any, ...]]]:
    """The hub's answer ``FETCH_ROWS`` rows at a time, through the driver (a row through
    SQLAlchemy cost more than its JSON), from the cursor ``linkworker_replica_cursor()``
    opens in ``hub_conn``'s transaction: the hub makes each batch as it is fetched, never the
    whole answer first (issue 15). A FETCH's rows are held in the hub session's memory until
    sent, and in a temp file past ``work_mem`` (4 MB by default: a batch of a manager's is
    3-6 MB), so the session has ``FETCH_WORK_MEM`` for the transaction."""
    cursor = hub_conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(f"SET LOCAL work_mem = '{FETCH_WORK_MEM}'")
        name = cursor.execute("SELECT linkworker_replica_cursor()").fetchone()[0]
        while rows := cursor.execute(f'FETCH FORWARD {int(FETCH_ROWS)} FROM "{name}"').fetchall():
            yield rows
        cursor.execute(f'CLOSE "{name}"')
    finally:
        cursor.close()


def _stage_batch(conn: Connection, rows: Sequence[Sequence[Any]]) -> tuple[int, int]:
    """One batch of the answer into the staging tables, by kind, each written once: the
    changes, the heads' and records' JSON appended to the bodies, their keys (with the
    bodies' numbers and the key's first change's seq: the order a replay writes records
    in) and the conflicts. The hub sends each table's keys in its (table, row) index's
    order, so the staged keys' b-tree takes them near its last page, not at random."""
    n = conn.exec_driver_sql(f"SELECT coalesce(max(n), 0) FROM {STAGE_BODIES}").scalar()
    changes, bodies, keys, conflicts = _by_kind(rows, n)
    driver_executemany(conn, f"INSERT INTO {STAGE_CHANGES} VALUES (?,?,?,?,?,?,?,?,?,?)",
                       changes)
    driver_executemany(conn, f"INSERT INTO {STAGE_BODIES} (n, body) VALUES (?, ?)", bodies)
    driver_executemany(conn, f"INSERT INTO {STAGE_KEYS} (table_name, row_id, first_seq, "
                       "has_heads, heads_n, deleted, body_n) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       keys)
    driver_executemany(conn, f"INSERT INTO {STAGE_CONFLICTS} (table_name, row_id, body) "
                       "VALUES (?, ?, ?)", conflicts)
    return len(changes), max((c[0] for c in changes), default=0)


def _by_kind(rows: Sequence[Sequence[Any]], n: int) -> tuple[
        list[Sequence[Any]], list[tuple[int, str]], list[tuple[Any, ...]],
        list[tuple[Any, ...]]]:
    """A batch's rows sorted out: the changes, the bodies numbered from after ``n``, the
    keys (table, row, first seq, has heads, the heads' body's number, deleted, the record's
    body's number: none for a null body) and the conflicts."""
    changes, keys, conflicts, bodies = [], [], [], []
    for kind, *row in rows:
        if kind == "change":
            changes.append(row[:10])
        elif kind == "key":
            numbers = []
            for body in (row[8], row[11]):  # the heads, the record
                if body is not None:
                    n += 1
                    bodies.append((n, body))
                numbers.append(n if body is not None else None)
            heads, record = numbers
            keys.append((row[1], row[2], row[0], int(heads is not None), heads, bool(row[10]),
                         record))
        else:
            conflicts.append((row[1], row[2], row[11]))
    return changes, bodies, keys, conflicts


def load(conn: Connection) -> tuple[merge.Applied, list[str]]:
    """Write the staged answer into this (never pulled) replica, in the caller's one
    transaction; returns what ``merge.receive`` did with the changes that could not be
    copied, and the people copied."""
    _mark_copyable(conn)
    conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")  # a person's current journey
    late = _write_records(conn)
    copied = conn.exec_driver_sql(
        f"SELECT count(*), max(change_id) FROM {STAGE_CHANGES} c WHERE {_COPIED_KEY}").one()
    with _indexes_after(conn, "sync_changes", copied[0]):
        _in_batches(conn, ("seq",), f"{STAGE_CHANGES} c WHERE {_COPIED_KEY}",
                    "INSERT INTO sync_changes (change_id, device_id, user_id, table_name, "
                    "row_id, person_id, op, data, bases, applied) SELECT change_id, device_id, "
                    "user_id, table_name, row_id, person_id, op, data, bases, 1 FROM {rows}")
    _in_batches(conn, _KEY, f"{STAGE_KEYS} k WHERE copied = 1",
                "INSERT INTO sync_rows (table_name, row_id, heads, deleted) "  # in key order
                f"SELECT table_name, row_id, (SELECT b.body FROM {STAGE_BODIES} b "
                "WHERE b.n = k.heads_n), deleted FROM {rows}")
    opened = _write_conflicts(conn)
    if copied[1]:  # a stamp's text sorts as the stamp does (``clock``)
        state.save_stamp(conn, clock.witness(state.last_stamp(conn),
                                             clock.Stamp.parse(copied[1]), state.device_id(conn)))
    if late:
        state.put(conn, "late_links", [*state.get(conn, "late_links", []), *late])
    rest = [dict(zip(_CHANGE_COLUMNS, row, strict=True)) for row in conn.exec_driver_sql(
        f"SELECT {', '.join(_CHANGE_COLUMNS)} FROM {STAGE_CHANGES} c "
        f"WHERE NOT {_COPIED_KEY} ORDER BY seq")]
    report = merge.receive(conn, [{k: c[k] for k in CHANGE_FIELDS} | {
        "data": _json(c["data"]), "bases": _json(c["bases"])} for c in rest])
    report.received += copied[0]
    report.new += copied[0]
    report.applied += copied[0]
    people = list(conn.exec_driver_sql(
        f"SELECT row_id FROM {STAGE_KEYS} k WHERE k.table_name = 'people' AND k.copied = 1 "
        "AND k.body_n IS NOT NULL ORDER BY row_id").scalars())
    report.new_people = sorted({*report.new_people, *people})
    report.conflicts = sorted({*report.conflicts, *opened})
    return report, people


def _in_batches(conn: Connection, key: tuple[str, ...], rows: str, insert: str) -> None:
    """``insert`` (an INSERT ... SELECT ... FROM ``{rows}``) ``FETCH_ROWS`` rows at a time
    in ``key``'s order: one statement over every row kept each page it changed in the
    statement journal, which is in memory."""
    columns = ", ".join(key)
    marks = ", ".join("?" for _ in key)
    for start, end in _batch_bounds(conn, key, rows):
        conn.exec_driver_sql(insert.format(
            rows=f"{rows} AND ({columns}) > ({marks}) AND ({columns}) <= ({marks}) "
                 f"ORDER BY {columns}"), (*start, *end))


def _batch_bounds(conn: Connection, key: tuple[str, ...], rows: str
                  ) -> Iterator[tuple[tuple[Any, ...], tuple[Any, ...]]]:
    """The ``rows`` (``TABLE WHERE condition``) ``FETCH_ROWS`` at a time in ``key``'s order,
    as (after, up to) bounds of ``key``."""
    columns = ", ".join(key)
    start: tuple[Any, ...] = ("",) * len(key) if len(key) > 1 else (-1,)
    marks = ", ".join("?" for _ in key)
    while True:
        end = conn.exec_driver_sql(
            f"SELECT {columns} FROM {rows} AND ({columns}) > ({marks}) ORDER BY {columns} "
            "LIMIT 1 OFFSET ?", (*start, FETCH_ROWS - 1)).first()
        if end is None:
            end = conn.exec_driver_sql(
                f"SELECT {columns} FROM {rows} AND ({columns}) > ({marks}) "
                f"ORDER BY {', '.join(f'{c} DESC' for c in key)} LIMIT 1", start).first()
            if end is None:
                return
        yield start, tuple(end)
        start = tuple(end)


def _update_keys(conn: Connection, change: str) -> None:
    """``change`` (an UPDATE of the staged keys ``k``, ``{keys}`` its condition on their key)
    ``FETCH_ROWS`` keys at a time: SQLite's UPDATE first lists the key of every row it will
    change in a temporary table, in memory (``temp_store``): 29 MB at 5,000 people, ten
    times that at 50,000 (issue 15)."""
    for start, end in _batch_bounds(conn, _KEY, f"{STAGE_KEYS} WHERE 1"):
        conn.exec_driver_sql(change.format(
            keys="(k.table_name, k.row_id) > (?, ?) AND (k.table_name, k.row_id) <= (?, ?)"),
            (*start, *end))


_KEY = ("table_name", "row_id")
_CHANGE_COLUMNS = ("seq", "table_name", "row_id", "change_id", "device_id", "user_id",
                   "person_id", "op", "data", "bases")


def _mark_copyable(conn: Connection) -> None:
    """Mark the records a replay would simply have written as the hub holds them: not held
    here already (made before this first sync), none of their changes here, a record or a
    delete, an account whose username no other account holds here; then drop those whose
    required parent is neither copied nor here (a replay would keep their insert waiting),
    until nothing changes. Each record's first change at the hub gives the order a replay
    writes them in (the audit trail's local seq follows it; kept as they were staged)."""
    _update_keys(conn,
        f"UPDATE {STAGE_KEYS} AS k SET copied = 1 WHERE {{keys}} AND has_heads = 1 "
        "AND (body_n IS NOT NULL OR deleted) AND NOT EXISTS (SELECT 1 FROM sync_rows r "
        "WHERE r.table_name = k.table_name AND r.row_id = k.row_id)")
    _unmark_held(conn)
    conn.exec_driver_sql(  # another account holds the name here: it waits (merge.clash_advice)
        f"UPDATE {STAGE_KEYS} AS k SET copied = 0 WHERE table_name = 'users' AND copied = 1 "
        f"AND body_n IS NOT NULL AND EXISTS (SELECT 1 FROM users u WHERE u.username = "
        f"json_extract({_BODY}, '$.username') AND u.id != k.row_id)")
    while True:
        _stage_present(conn)
        dropped = 0
        for table in RULES:
            for column, (target, key) in _required_links(table):
                value = f"json_extract({_BODY}, '$.{column}')"
                dropped += conn.exec_driver_sql(
                    f"UPDATE {STAGE_KEYS} AS k SET copied = 0 WHERE k.table_name = ? "
                    f"AND {_COMING} AND {value} IS NOT NULL "
                    f'AND {value} NOT IN (SELECT "{key}" FROM "{target}" '
                    f'WHERE "{key}" IS NOT NULL) '
                    f"AND {value} NOT IN (SELECT value FROM {STAGE_PRESENT} "
                    "WHERE table_name = ? AND col = ?)", (table, target, key)).rowcount
        if not dropped:
            return


def _unmark_held(conn: Connection) -> None:
    """A record one of whose staged changes this laptop holds already (made here and pushed
    before its first sync) is not copied: its changes go through ``merge.receive``. A new
    laptop holds few changes or none, so the staged changes are scanned once, and only if
    it holds any, looking each up among its own (no index of every staged change's key)."""
    if not conn.exec_driver_sql("SELECT EXISTS (SELECT 1 FROM sync_changes)").scalar():
        return
    held = conn.exec_driver_sql(
        f"SELECT DISTINCT c.table_name, c.row_id FROM {STAGE_CHANGES} c "
        "WHERE c.change_id IN (SELECT change_id FROM sync_changes)").all()
    driver_executemany(conn, f"UPDATE {STAGE_KEYS} SET copied = 0 WHERE table_name = ? "
                       "AND row_id = ?", held)


def _stage_present(conn: Connection) -> None:
    """Every key a link may point at among the records coming (those here are looked up in
    their table)."""
    conn.exec_driver_sql(f"DELETE FROM {STAGE_PRESENT}")
    for table, column in _link_targets():
        conn.exec_driver_sql(
            f"INSERT OR IGNORE INTO {STAGE_PRESENT} SELECT ?, ?, "
            f"json_extract(b.body, '$.{column}') FROM {STAGE_KEYS} k JOIN {STAGE_BODIES} b "
            f"ON b.n = k.body_n WHERE k.table_name = ? "
            f"AND {_COMING} AND json_extract(b.body, '$.{column}') IS NOT NULL",
            (table, column, table))


@cache
def _link_targets() -> tuple[tuple[str, str], ...]:
    return tuple({(fk.column.table.name, fk.column.key) for rule in RULES.values()
                  for fk in rule.table.foreign_keys if fk.column.table.name in RULES})


@cache
def _required_links(table: str) -> tuple[tuple[str, tuple[str, str]], ...]:
    """(column, (parent table, parent column)) of each link a record cannot go in without."""
    return tuple((fk.parent.key, (fk.column.table.name, fk.column.key))
                 for fk in RULES[table].table.foreign_keys if not fk.parent.nullable)


def _write_records(conn: Connection) -> list[list[str]]:
    """The copied records, table by table (``WRITE_ORDER``), each table's in the order a
    replay would write them, ``FETCH_ROWS`` at a time; returns the optional links left empty
    because their record is not in this replica."""
    late: list[list[str]] = []
    for name in WRITE_ORDER:
        count = conn.exec_driver_sql(
            f"SELECT count(*) FROM {STAGE_KEYS} k WHERE k.table_name = ? AND {_COMING}",
            (name,)).scalar()
        if not count:
            continue
        with _indexes_after(conn, name, count):
            shape = None
            for row_ids, records in _staged_records(conn, name):
                shape = shape or _Shape.of(name, records[0], conn.dialect)
                rows = shape.rows(records, row_ids, _Present(conn), late)
                driver_executemany(conn, shape.insert, rows)
    return late


def _staged_records(conn: Connection, name: str) -> Iterator[tuple[list[str], list[Any]]]:
    """A table's coming records, ``FETCH_ROWS`` at a time in arrival order: their row ids
    and the records, parsed in one pass as one JSON array (30,000 separate parses cost three
    times as much)."""
    after = -1
    while True:
        batch = conn.exec_driver_sql(
            f"SELECT first_seq, row_id, {_BODY} FROM {STAGE_KEYS} k WHERE k.table_name = ? "
            f"AND {_COMING} AND k.first_seq > ? ORDER BY k.first_seq LIMIT ?",
            (name, after, FETCH_ROWS)).all()
        if not batch:
            return
        after = batch[-1][0]
        yield ([row_id for _, row_id, _ in batch],
               json.loads(f"[{','.join(body for *_, body in batch)}]"))


class _Present:
    """Which of a batch's link values name a record here or coming (``_Shape.rows``)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def among(self, link: tuple[str, str], values: set[Any]) -> set[Any]:
        if not values:
            return set()
        table, column = link
        wanted = json.dumps(sorted(values, key=str))
        here = self.conn.exec_driver_sql(
            f'SELECT "{column}" FROM "{table}" WHERE "{column}" IN '
            "(SELECT value FROM json_each(?))", (wanted,)).scalars()
        coming = self.conn.exec_driver_sql(
            f"SELECT value FROM {STAGE_PRESENT} WHERE table_name = ? AND col = ? AND value IN "
            "(SELECT value FROM json_each(?))", (table, column, wanted)).scalars()
        return {*here, *coming}


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

    def rows(self, records: list[dict[str, Any]], row_ids: list[str], present: _Present,
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
            column = columns[i]
            here = present.among(link, {value for value in column if value is not None})
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
    """Without those of ``table``'s own secondary indexes whose sort fits ``SORT_BYTES``
    while ``rows`` records go in, if that is many and more than it holds already: each index
    then takes its rows in random order (ids, people, dates), page by page, where making it
    again afterwards is one sort. Made again with the statements they were made by, in the
    same transaction (so kill -9 leaves both or neither); the unique ones (constraints) stay,
    and so does an index too big to sort in memory (``_sorts_in_memory``)."""
    made = []
    if rows > BIG_COPY and rows > conn.exec_driver_sql(f'SELECT count(*) FROM "{table}"').scalar():
        made = [(name, sql) for name, sql in conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL", (table,)).all() if _sorts_in_memory(conn, name, rows)]
    for name, _sql in made:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    yield
    for _name, sql in made:
        conn.exec_driver_sql(sql)


def _sorts_in_memory(conn: Connection, index: str, rows: int) -> bool:
    """Would making ``index`` again over ``rows`` rows stay inside ``SORT_BYTES``? SQLite's
    sorter holds every entry of a CREATE INDEX in memory when temp files are (``temp_store``:
    on disk they would be plaintext), with no spill: the change log's (table, row) index took
    34 MB at 5,000 people, so about ten times that at 50,000 (issue 15)."""
    columns = len(conn.exec_driver_sql(f'PRAGMA index_info("{index}")').all())
    return rows * (SORT_ENTRY_BYTES + SORT_COLUMN_BYTES * columns) <= SORT_BYTES


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


def _write_conflicts(conn: Connection) -> list[str]:
    """The copied records' conflicts, ``FETCH_ROWS`` at a time; returns the open ones' ids."""
    opened: list[str] = []
    after = 0
    while batch := conn.exec_driver_sql(
            f"SELECT n, body FROM {STAGE_CONFLICTS} c WHERE n > ? AND {_COPIED_KEY} "
            "ORDER BY n LIMIT ?", (after, FETCH_ROWS)).all():
        after = batch[-1][0]
        rows = json.loads(f"[{','.join(body for _, body in batch)}]")
        conn.execute(CONFLICTS.insert(), [
            {c.key: decode(c, row.get(c.name)) if c.key not in ("heads", "resolution")
             else row.get(c.name) for c in CONFLICTS.columns} for row in rows])
        opened += [row["id"] for row in rows if row["resolved_at"] is None]
    return opened


def _json(text: str | None) -> Any:
    return None if text is None else json.loads(text)
