"""Repairing a caseload whose edits were saved but never entered the change log.

Until stop 19 a caseload opened after another had been closed could lose its change tracking
(see ``changelog.TrackedSession``): its edits were saved, but no change was recorded, so no
sync or pack would ever send them and the other replicas kept the old values for good. The
tracking is fixed; this finds what such sessions left behind and records it, so the next sync
sends it.

A record's *logged* value of a field is the value of its newest field head (what ``merge``
shows); a difference between that and the stored record is an edit nobody logged. For every
synchronised table:

* a record whose fields differ from their heads gets one update change with those fields, its
  bases the heads it overwrites (a conflicted field is thereby settled, as an edit settles it);
* a record its log says was deleted, but which is here, gets an insert (made again);
* a record the log holds but which is gone gets a delete;
* a record with no change at all is the first log's job (``baseline``), run first.

Fields are compared as values (``tables.decode``), not as text. Not a difference: a field
whose head does not carry it (a column added by a later migration), one that waits for a late
link (``merge._fill_links``), and ``updated_at`` (set by the database on every write, here and
at each replica that applies a change, and never part of an edit's change).

The changes are stamped like any local edit (this device, the next clock stamp, the signed-in
user) and named as a repair by one audit event (``sync.repair``: how many per table and the
first and last change id, never a value).
Everything happens in one transaction.

It is not run by itself after an upgrade: each change must be attributed to a person who chose
to make it, and a caseload may hold differences in reference data that only an admin or a
manager may send (the hub would refuse a worker's push of them, and refuse the whole pack).
``linkworker sync repair --dry-run`` says whether there is anything to do.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, literal_column, select
from sqlalchemy.engine import Connection

from linkworker import audit
from linkworker.access import Actor, PermissionDenied
from linkworker.storage.database import Caseload
from linkworker.sync import adopted, baseline, dataless, state
from linkworker.sync.changelog import CHANGES, ROWS, Recorder, field_heads
from linkworker.sync.tables import LOAD_ORDER, RULES, TableRule, decode, encode

CHUNK = 2000  # records compared at a time
IDS = 500  # ids per IN (...) list

# Reference data and who may change it from a laptop (the hub's rule, hub.inbox).
REFERENCE_EDITORS = {
    "users": {"admin"}, "settings": {"admin"}, "instruments": {"admin"},
    "contracts": {"manager"},
    "services": {"link_worker", "coordinator", "manager", "admin"},
}
PERSON_EDITORS = {"link_worker", "coordinator", "manager"}


@dataclass(frozen=True)
class Difference:
    """One record whose stored state its change log does not explain."""

    table: str
    row_id: str
    op: str  # "update" (fields differ), "insert" (here, logged as deleted), "delete" (gone)
    values: dict[str, Any]  # the record as stored, encoded as the log holds values
    fields: tuple[str, ...] = ()  # for an update: the fields that differ
    person_id: str | None = None  # for a delete: the person, from the log


@dataclass
class RepairReport:
    """What a repair found (and, unless a dry run, recorded), per table: no values."""

    records: dict[str, int] = field(default_factory=dict)  # differing records, per table
    never_logged: int = 0  # records with no change at all (the first log's)
    changes: int = 0  # changes recorded (0 for a dry run)
    first: str | None = None
    last: str | None = None

    @property
    def total(self) -> int:
        return sum(self.records.values()) + self.never_logged


def repair(caseload: Caseload, actor: Actor, *, dry_run: bool = False) -> RepairReport:
    """Find (``dry_run``) or find and record every edit the change log is missing."""
    if dry_run:
        with caseload.reading() as session:
            conn = session.connection()
            report = _report(list(differences(conn)))
            report.never_logged = count_never_logged(conn)
            return report
    with caseload.transaction() as session:
        session.info["sync_user"] = actor.user_id
        conn = session.connection()
        before = conn.execute(select(func.max(CHANGES.c.seq))).scalar() or 0
        found = list(differences(conn))
        refuse_unless_allowed(actor, found)
        report = _report(found)
        report.never_logged = baseline.baseline(conn, actor.user_id)
        record(conn, found, actor.user_id)
        first, last, count = conn.execute(
            select(func.min(CHANGES.c.change_id), func.max(CHANGES.c.change_id), func.count())
            .where(CHANGES.c.seq > before)).one()
        report.first, report.last, report.changes = first, last, count
        audit.record(session, actor, "sync.repair", details={
            "records": report.records, "never_logged": report.never_logged,
            "changes": count, "first": first, "last": last})
        return report


def _report(found: list[Difference]) -> RepairReport:
    report = RepairReport()
    for difference in found:
        report.records[difference.table] = report.records.get(difference.table, 0) + 1
    return report


def refuse_unless_allowed(actor: Actor, found: list[Difference]) -> None:
    """Refuse the whole repair if the user may not send one of its changes (the hub would
    refuse their pack: a worker may not change the settings), saying who may."""
    if actor.role == "system":
        return
    for name in sorted({d.table for d in found}):
        allowed = _editors(name)
        if actor.role not in allowed:
            who = " or ".join(sorted(r.replace("_", " ") for r in allowed))
            raise PermissionDenied(
                f"The unlogged edits here include {name.replace('_', ' ')}, which only a user "
                f"with the role {who} may send to the team: sign in as one to repair. "
                "Nothing was changed.",
                role=actor.role, permission="sync.repair")


def _editors(name: str) -> set[str]:
    if name in REFERENCE_EDITORS:
        return REFERENCE_EDITORS[name]
    if RULES[name].hub_only:
        return {"manager"}
    return PERSON_EDITORS | {"admin"} if name == "audit_events" else PERSON_EDITORS


# --- finding ----------------------------------------------------------------------------------


def differences(conn: Connection) -> Iterator[Difference]:
    """Every record, in every synchronised table, that its change log does not explain."""
    late = {tuple(link) for link in state.get(conn, "late_links", [])}
    for name in LOAD_ORDER:
        rule = RULES[name]
        yield from _changed(conn, rule, late)
        yield from _vanished(conn, rule)


def count_never_logged(conn: Connection) -> int:
    """Records with no change at all (``baseline`` logs them before anything leaves)."""
    total = 0
    note = adopted.note(conn)
    for name in LOAD_ORDER:
        rule = RULES[name]
        joined = rule.table.outerjoin(ROWS, and_(ROWS.c.table_name == rule.name,
                                                 ROWS.c.row_id == baseline.row_id_expression(rule)))
        query = select(func.count()).select_from(joined).where(ROWS.c.row_id.is_(None))
        if note is not None and name in note["tables"]:  # adopted at hub init: logged
            query = query.where(literal_column(f'"{name}".rowid') > note["tables"][name][0])
        total += conn.execute(query).scalar_one()
    return total


HEADS, GONE = "sync_heads__", "sync_deleted__"  # labels beside the record's own columns


def _changed(conn: Connection, rule: TableRule, late: set[tuple]) -> Iterator[Difference]:
    """Records here whose fields differ from their heads (or that the log says are deleted)."""
    table = rule.table
    columns = [c for c in table.columns if c.key not in rule.skip]
    stamps = {c.key for c in columns if c.onupdate is not None}  # never logged on an edit
    query = select(*columns, ROWS.c.heads.label(HEADS), ROWS.c.deleted.label(GONE)).join(
        ROWS, and_(ROWS.c.table_name == rule.name,
                   ROWS.c.row_id == baseline.row_id_expression(rule)))
    if conn.dialect.name == "sqlite":
        candidates = _candidates(conn, rule, stamps)
        chunks: Iterator[Any] = (conn.execute(query.where(ROWS.c.row_id.in_(
            candidates[start:start + IDS]))).all() for start in range(0, len(candidates), IDS))
    else:
        chunks = conn.execution_options(stream_results=True).execute(query).partitions(CHUNK)
    for chunk in chunks:
        rows = [dict(r._mapping) for r in chunk]
        logged = _head_data(conn, rule, rows)
        for row in rows:
            heads, gone = row.pop(HEADS), row.pop(GONE)
            values = {k: encode(v) for k, v in row.items()}
            row_id = rule.row_id(values)
            if gone:
                yield Difference(rule.name, row_id, "insert", values)
                continue
            fields = tuple(f for f in values if f not in stamps
                           and (rule.name, row_id, f) not in late
                           and _differs(rule, f, row[f], heads, logged))
            if fields:
                yield Difference(rule.name, row_id, "update", values, fields)


def _candidates(conn: Connection, rule: TableRule, stamps: set[str]) -> list[str]:
    """The records that may differ, found by SQLite alone (the set-wise pass): a record whose
    only head is its insert and whose columns, as JSON, are exactly that insert's is no
    difference. Everything else (edited since, made again, text that is merely written
    differently, such as an escaped "ë" or "12.5" for 12.50) is compared value by value. A
    dataless first insert (``baseline``) is the record as stored: no difference by definition."""
    quoted = [f'"{c}"' for c in rule.identity]
    row_id = " || '|' || ".join(f"CAST(t.{q} AS TEXT)" for q in quoted)
    columns = [c for c in rule.table.columns if c.key not in rule.skip and c.key not in stamps]
    stored = {c.key: dataless.json_value(c, 't."' + c.name + '"') for c in columns}
    now = ", ".join(f"'{key}', {sql}" for key, sql in stored.items())
    logged = ", ".join(f"'{c.key}', json(c.data -> '$.\"{c.key}\"')" for c in columns)
    return list(conn.exec_driver_sql(
        f'SELECT r.row_id FROM "{rule.name}" t JOIN sync_rows r ON r.table_name = ? '
        f"AND r.row_id = {row_id} LEFT JOIN sync_changes c ON c.change_id = "
        "(SELECT max(h.value) FROM json_each(r.heads, '$._') h) "
        "WHERE r.deleted OR c.change_id IS NULL OR (SELECT count(*) FROM json_each(r.heads)) > 1 "
        f"OR (c.data IS NOT NULL AND json_object({now}) IS NOT json_object({logged}))",
        (rule.name,)).scalars())


def _head_data(conn: Connection, rule: TableRule, rows: list[dict[str, Any]]
               ) -> dict[str, dict[str, Any]]:
    """The data of every change that is the newest head of a field of ``rows``."""
    wanted = sorted({max(ids) for row in rows if not row[GONE]
                     for f in row if f not in (HEADS, GONE)
                     for ids in [field_heads(row[HEADS], f)] if ids})
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(wanted), IDS):
        found.update((cid, data or {}) for cid, data in conn.execute(
            select(CHANGES.c.change_id, CHANGES.c.data)
            .where(CHANGES.c.change_id.in_(wanted[start:start + IDS]))))
    return found


def _differs(rule: TableRule, f: str, stored: Any, heads: dict[str, list[str]],
             logged: dict[str, dict[str, Any]]) -> bool:
    ids = field_heads(heads, f)
    data = logged.get(max(ids)) if ids else None
    if data is None or f not in data:
        return False  # nothing logged says what it should be (a column added since)
    value = data[f]
    if value == encode(stored):
        return False
    try:
        return decode(rule.table.c[f], value) != stored
    except (TypeError, ValueError):
        return True


def _vanished(conn: Connection, rule: TableRule) -> Iterator[Difference]:
    """Records the log holds (not deleted) that are no longer here."""
    here = select(baseline.row_id_expression(rule))
    gone = conn.execute(select(ROWS.c.row_id).where(
        ROWS.c.table_name == rule.name, ROWS.c.deleted.is_(False),
        ROWS.c.row_id.not_in(here))).scalars().all()
    for row_id in gone:
        person = conn.execute(select(CHANGES.c.person_id).where(
            CHANGES.c.table_name == rule.name, CHANGES.c.row_id == row_id,
            CHANGES.c.person_id.is_not(None)).limit(1)).scalar()
        identity = {k: encode(v) for k, v in rule.identity_values(row_id).items()}
        yield Difference(rule.name, row_id, "delete", identity, person_id=person)


# --- recording --------------------------------------------------------------------------------


def record(conn: Connection, found: list[Difference], user_id: str | None) -> None:
    """Record each difference as a local change (this device, the next stamps, ``user_id``)."""
    if not found:
        return
    recorder = Recorder(conn, {"sync_user": user_id})
    for difference in found:
        rule = RULES[difference.table]
        recorder.record_row(rule, difference.values, difference.op, list(difference.fields),
                            person_id=difference.person_id)
    recorder.finish()

