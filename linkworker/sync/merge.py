"""Applying changes from other replicas, field by field, in any order, each exactly once.

The state a replica converges to depends only on *which* changes it holds:

* a change is stored once (its id is unique), so a pack applied twice adds nothing;
* a change waits (``applied = False``) until what it builds on is here: its record (for an
  update), its parent records (for an insert), and every change it overwrote (its bases).
  So packs applied out of order end exactly where packs applied in order do;
* a field's *heads* are the changes to it that nothing later has overwritten. Applying a change
  replaces its bases among the heads by itself. The field shows the newest head (clock order);
  two or more heads with different values are a conflict: for fields that need a person it is
  opened (once per field) for review, for last-writer-wins fields the newest simply shows.

Remote changes are written with Core statements, so ``changelog`` never records them again.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection

from linkworker.models import utcnow
from linkworker.sync import adopted, clock, dataless, state
from linkworker.sync.changelog import (
    CHANGES,
    CONFLICTS,
    DEFAULT,
    DELETED,
    ROWS,
    WAITING,
    conflict_id,
    field_heads,
    insert_changes,
    insert_rows,
)
from linkworker.sync.tables import LOAD_ORDER, RULES, TableRule, decode, needs_a_person

# Built once: the statements run for every change applied (building them per change cost more
# than running them).
_FIND_ROW = select(ROWS).where(ROWS.c.table_name == bindparam("t"), ROWS.c.row_id == bindparam("r"))
_SET_ROW = ROWS.update().where(ROWS.c.table_name == bindparam("t"),
                                ROWS.c.row_id == bindparam("r")).values(
    heads=bindparam("h"), deleted=bindparam("d"))
_LOAD_RANK = {name: i for i, name in enumerate(LOAD_ORDER)}

CHANGE_FIELDS = ("change_id", "device_id", "user_id", "table_name", "row_id", "person_id",
                 "op", "data", "bases")


@dataclass
class Applied:
    """What one batch of incoming changes did."""

    received: int = 0
    new: int = 0
    applied: int = 0
    waiting: int = 0
    conflicts: list[str] = field(default_factory=list)
    new_people: list[str] = field(default_factory=list)  # to check for duplicates
    clashes: list[str] = field(default_factory=list)  # usernames held by another account here
    duplicates: list[Any] = field(default_factory=list)  # filled by the caller (sync.people)


def clash_advice(username: str) -> str:
    """What to do when two separately set-up caseloads each made an account of one name."""
    return (f"The account {username!r} that arrived is a different account from the "
            f"{username!r} here (each caseload's 'init' made its own), and one username names "
            "one person team-wide. It waits here, with its changes, until it is renamed where "
            f"it was made: there, run 'linkworker user rename {username} NEW-NAME', then sync "
            "again. Nothing is lost.")


def waiting_clashes(conn: Connection) -> list[str]:
    """Usernames of accounts waiting here because another account holds the name."""
    applier = Applier(conn)
    waiting = conn.execute(select(CHANGES).where(WAITING,
                                                 CHANGES.c.table_name == "users"))
    return sorted({applier.username_of(dict(c._mapping)) for c in waiting
                   if applier.username_clash(dict(c._mapping))})


def receive(conn: Connection, changes: Iterable[dict[str, Any]]) -> Applied:
    """Store the unknown ones among ``changes`` and apply everything that can now be applied."""
    report = Applied()
    incoming = {c["change_id"]: c for c in changes}
    report.received = len(incoming)
    _write_down_adopted(conn, incoming.values())  # an insert arriving may be one held here
    known = known_ids(conn, list(incoming))
    fresh = [incoming[i] for i in sorted(incoming) if i not in known]
    for rule_name in {c["table_name"] for c in fresh}:
        if rule_name not in RULES:
            raise ValueError(f"unknown table {rule_name!r} in incoming changes")
    if fresh:
        insert_changes(conn, [{k: c.get(k) for k in CHANGE_FIELDS} | {"applied": False}
                              for c in fresh])
        _witness(conn, fresh)
    report.new = len(fresh)
    report.new_people = [c["row_id"] for c in fresh
                         if c["table_name"] == "people" and c["op"] == "insert"]
    _apply_waiting(conn, report)
    return report


def _write_down_adopted(conn: Connection, changes: Iterable[dict[str, Any]]) -> None:
    """The adopted records these changes are about get their insert and heads written down
    (``adopted``) before anything is decided: from then on they are ordinary records."""
    note = adopted.note(conn)
    if note is None:
        return
    by_table: dict[str, set[str]] = {}
    for change in changes:
        by_table.setdefault(change["table_name"], set()).add(change["row_id"])
    for table, row_ids in by_table.items():
        adopted.materialize(conn, table, sorted(row_ids), note)


def known_ids(conn: Connection, ids: list[str]) -> set[str]:
    known: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        known.update(conn.execute(
            select(CHANGES.c.change_id).where(CHANGES.c.change_id.in_(chunk))).scalars())
    return known


def _witness(conn: Connection, changes: list[dict[str, Any]]) -> None:
    newest = max(clock.Stamp.parse(c["change_id"]) for c in changes)
    device = state.device_id(conn)
    state.save_stamp(conn, clock.witness(state.last_stamp(conn), newest, device))


def _apply_waiting(conn: Connection, report: Applied) -> None:
    waiting = [dict(r._mapping) for r in conn.execute(
        select(CHANGES).where(WAITING).order_by(CHANGES.c.change_id))]
    _write_down_adopted(conn, waiting)
    applier = Applier(conn)
    applier.preload(waiting)
    progress = True
    while waiting and progress:
        progress, still = False, []
        for change in waiting:
            if applier.ready(change):
                applier.apply(change)
                progress = True
                report.applied += 1
            else:
                still.append(change)
        waiting = still
    applier.mark_done()
    report.waiting = len(waiting)
    report.clashes = sorted({applier.username_of(c) for c in waiting
                             if applier.username_clash(c)})
    report.conflicts = sorted(applier.opened)
    _fill_links(conn, applier.late_links)


@dataclass
class _SyncRow:
    """A record's field heads as the applier knows them (read once, written back at the end)."""

    heads: dict[str, list[str]]
    deleted: bool


@dataclass
class _Conflict:
    heads: list[str]
    resolved_at: Any


class Applier:
    """Applies ready changes to the records, the field heads and the conflict list.

    What it decides on is read in a few set-wise queries (``preload``) and then kept in memory
    as it changes: the records' field heads, which changes are applied, the open conflicts and
    which parent records exist. Its writes are batched: field heads once per record at the end
    (``mark_done``), new records per table and runs of like edits in one statement each,
    in the order they were made, flushed before anything else touches the records. One
    query per change made a 200-change pack cost seconds."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.opened: set[str] = set()
        self.applied_ids: set[str] = set()
        self.late_links: list[list[str]] = []  # [table, row_id, column] left empty for now
        self.done: list[str] = []  # applied, to be marked so in one statement
        self.checked: set[str] = set()  # change ids whose applied state has been read
        self.rows: dict[tuple[str, str], _SyncRow | None] = {}
        self.rows_changed: dict[tuple[str, str], bool] = {}  # key -> is it a new sync row
        self.conflicts: dict[str, _Conflict | None] = {}
        self.present: set[tuple[str, str, Any]] = set()  # (table, column, value) that exist
        self.pending: dict[str, list[dict[str, Any]]] = {}  # new records, per table
        self.pending_keys: set[tuple[str, str, Any]] = set()
        self.updates: list[tuple[str, dict[str, Any]]] = []  # edits waiting, in order
        # Read once: may a dataless insert need settling? (Adopted records this applier sees
        # were written down before it was made: ``_write_down_adopted``.)
        self.settling = (None, adopted.pending(conn)[1])

    def mark_done(self) -> None:
        self.flush()
        for chunk in _chunks(self.done):
            self.conn.execute(CHANGES.update().where(CHANGES.c.change_id.in_(chunk))
                              .values(applied=True))
        self.done = []

    # --- reading once -------------------------------------------------------------------

    def preload(self, changes: list[dict[str, Any]]) -> None:
        """Read what deciding on ``changes`` needs in a few queries instead of one a change."""
        by_table: dict[str, set[str]] = {}
        for change in changes:
            by_table.setdefault(change["table_name"], set()).add(change["row_id"])
        for table, row_ids in by_table.items():
            for key in row_ids:
                self.rows[(table, key)] = None
            for chunk in _chunks(sorted(row_ids)):
                for row in self.conn.execute(select(ROWS.c.row_id, ROWS.c.heads, ROWS.c.deleted)
                                             .where(ROWS.c.table_name == table,
                                                    ROWS.c.row_id.in_(chunk))):
                    self.rows[(table, row.row_id)] = _SyncRow(dict(row.heads), row.deleted)
        bases = {b for c in changes for ids in (c["bases"] or {}).values() for b in ids}
        self._read_applied(bases)
        self._read_conflicts([conflict_id(c["table_name"], c["row_id"], f) for c in changes
                              if c["op"] != "delete" and c["data"]
                              and (c["op"] == "update" or self.rows[(c["table_name"],
                                                                     c["row_id"])] is not None)
                              for f in c["data"] if needs_a_person(RULES[c["table_name"]], f)])

    def _read_applied(self, ids: set[str]) -> None:
        unknown = sorted(ids - self.checked - self.applied_ids)
        for chunk in _chunks(unknown):  # applied is tested here: SQLite would scan its index
            self.applied_ids.update(row.change_id for row in self.conn.execute(
                select(CHANGES.c.change_id, CHANGES.c.applied)
                .where(CHANGES.c.change_id.in_(chunk))) if row.applied)
        self.checked.update(unknown)

    def _read_conflicts(self, keys: list[str]) -> None:
        unknown = sorted({k for k in keys if k not in self.conflicts})
        for key in unknown:
            self.conflicts[key] = None
        for chunk in _chunks(unknown):
            for row in self.conn.execute(select(CONFLICTS.c.id, CONFLICTS.c.heads,
                                                CONFLICTS.c.resolved_at)
                                         .where(CONFLICTS.c.id.in_(chunk))):
                self.conflicts[row.id] = _Conflict(list(row.heads), row.resolved_at)

    def _sync_row(self, table: str, row_id: str) -> _SyncRow | None:
        key = (table, row_id)
        if key not in self.rows:
            row = self.conn.execute(_FIND_ROW, {"t": table, "r": row_id}).first()
            self.rows[key] = None if row is None else _SyncRow(dict(row.heads), row.deleted)
        return self.rows[key]

    def _put_row(self, table: str, row_id: str, heads: dict[str, list[str]],
                 deleted: bool) -> None:
        key = (table, row_id)
        if key not in self.rows_changed:  # is it new to the table (an insert when written)?
            self.rows_changed[key] = self.rows.get(key) is None
        self.rows[key] = _SyncRow(heads, deleted)

    def _exists(self, target: Any, value: Any) -> bool:
        """Does a record with ``target`` (a key column) = ``value`` exist (or wait to be
        written by this applier)?"""
        key = (target.table.name, target.key, value)
        if key in self.present:
            return True
        if self.conn.execute(select(target).where(target == value).limit(1)).first() is None:
            return False
        self.present.add(key)
        return True

    # --- is it ready? -------------------------------------------------------------------

    def ready(self, change: dict[str, Any]) -> bool:
        rule = RULES[change["table_name"]]
        sync_row = self._sync_row(rule.name, change["row_id"])
        if change["op"] == "delete":
            return True
        if change["op"] == "insert":
            return self._parents_present(rule, change["data"]) and not self.username_clash(change)
        if sync_row is None:
            return False  # the record itself has not arrived yet
        if self.username_clash(change):
            return False
        if sync_row.deleted:
            return True  # it will do nothing
        bases = {b for ids in (change["bases"] or {}).values() for b in ids}
        return self._all_applied(bases) and self._parents_present(rule, change["data"])

    # --- one username, one account, team-wide ---------------------------------------------

    def username_of(self, change: dict[str, Any]) -> str | None:
        """The username an account change would write: for an insert, its newest rename held
        here (so an account renamed on its laptop arrives under its new name)."""
        if change["table_name"] != "users" or "username" not in (change["data"] or {}):
            return None
        if change["op"] != "insert":
            return change["data"]["username"]
        renames = self.conn.execute(select(CHANGES.c.data).where(
            CHANGES.c.table_name == "users", CHANGES.c.row_id == change["row_id"],
            CHANGES.c.op == "update").order_by(CHANGES.c.change_id)).scalars()
        names = [d["username"] for d in renames if d and "username" in d]
        return names[-1] if names else change["data"]["username"]

    def username_clash(self, change: dict[str, Any]) -> bool:
        """Two caseloads each set up with ``init`` both made an ``admin``: different accounts
        (their own ids and passwords) that cannot share a name. The arriving one waits, with
        everything that depends on it, until it is renamed on its own laptop; nothing is
        merged by guesswork and nothing fails half way."""
        name = self.username_of(change)
        if name is None:
            return False
        users = RULES["users"].table
        holder = self.conn.execute(select(users.c.id).where(users.c.username == name)).scalar()
        return holder is not None and holder != change["row_id"]

    def _all_applied(self, ids: set[str]) -> bool:
        if ids <= self.applied_ids:
            return True
        self._read_applied(ids)
        return ids <= self.applied_ids

    def _parents_present(self, rule: TableRule, data: dict[str, Any]) -> bool:
        for fk in rule.table.foreign_keys:
            column = fk.parent
            value = data.get(column.key)
            if value is None or column.nullable:
                continue  # optional links are filled in later if their record is late
            if not self._exists(fk.column, decode(fk.column, value)):
                return False
        return True

    # --- applying -----------------------------------------------------------------------

    def apply(self, change: dict[str, Any]) -> None:
        rule = RULES[change["table_name"]]
        sync_row = self._sync_row(rule.name, change["row_id"])
        if sync_row is not None and not sync_row.deleted:  # before it changes
            adopted.settle(self.conn, {rule.name: [change["row_id"]]}, self.settling)
        if change["op"] == "delete":
            self._delete(rule, change, sync_row)
        elif _dead(sync_row, change["change_id"]):
            pass  # about a record deleted after it; the change is kept, it does nothing
        elif change["op"] == "insert" and sync_row is not None and sync_row.deleted:
            self._resurrect(rule, change, sync_row)
        elif sync_row is not None and sync_row.deleted:
            pass  # an edit of a deleted record
        elif change["op"] == "insert":
            self._insert(rule, change, sync_row)
        else:
            self._update(rule, change, sync_row)
        self.done.append(change["change_id"])
        self.applied_ids.add(change["change_id"])

    def _where(self, rule: TableRule, row_id: str) -> list[Any]:
        return [rule.table.c[c] == v for c, v in rule.identity_values(row_id).items()]

    def _delete(self, rule: TableRule, change: dict[str, Any], sync_row: Any) -> None:
        """Delete, unless the record was made again after this delete (the newer one wins:
        a form's answer or a setting's key can be deleted and made again)."""
        cid = change["change_id"]
        if sync_row is None:
            self._remove(rule, change["row_id"])
            self._put_row(rule.name, change["row_id"], {DELETED: [cid]}, True)
            return
        heads = dict(sync_row.heads)
        newest_delete = max([cid, *heads.get(DELETED, [])])
        heads[DELETED] = [newest_delete]
        made_again = max(heads.get(DEFAULT, [""])) > newest_delete
        if sync_row.deleted or made_again:
            self._put_row(rule.name, change["row_id"], heads, sync_row.deleted)
            return
        self._remove(rule, change["row_id"])
        self._put_row(rule.name, change["row_id"], {DELETED: [newest_delete]}, True)

    def _remove(self, rule: TableRule, row_id: str) -> None:
        self.flush_records()
        self.flush_updates()
        self.conn.execute(rule.table.delete().where(*self._where(rule, row_id)))
        adopted.clamp(self.conn)
        self.present.clear()  # a delete may cascade: existence is read again

    def _resurrect(self, rule: TableRule, change: dict[str, Any], sync_row: Any) -> None:
        values = self._row_values(rule, change["data"], change["row_id"])
        self._add_record(rule, values)
        self._put_row(rule.name, change["row_id"],
                      {DEFAULT: [change["change_id"]], DELETED: sync_row.heads[DELETED]}, False)

    def _insert(self, rule: TableRule, change: dict[str, Any], sync_row: Any) -> None:
        cid, data = change["change_id"], change["data"]
        if sync_row is None:
            values = self._row_values(rule, data, change["row_id"])
            if rule.name == "users" and "username" in values:
                values["username"] = self.username_of(change)  # renamed since: no clash
            self._add_record(rule, values)
            self._put_row(rule.name, change["row_id"], {DEFAULT: [cid]}, False)
            return
        # The same record inserted twice (e.g. one caseload copied to two laptops before either
        # synced): every field gains this insert as one more head, as if edited concurrently.
        heads = dict(sync_row.heads)
        fields = set(heads) | set(data)
        updates = {f: self._add_head(rule, change, f, field_heads(heads, f), [], data[f])
                   for f in fields if f in data and f != DEFAULT}
        heads = {f: h for f, (h, _) in updates.items()} | {
            DEFAULT: sorted(set(heads.get(DEFAULT, [])) | {cid})}
        self._write(rule, change, heads, {f: v for f, (_, v) in updates.items()})

    def _update(self, rule: TableRule, change: dict[str, Any], sync_row: Any) -> None:
        heads = dict(sync_row.heads)
        updates = {}
        for f, value in change["data"].items():
            heads_f, shown = self._add_head(rule, change, f, field_heads(heads, f),
                                            change["bases"].get(f, []), value)
            heads[f] = heads_f
            updates[f] = shown
        self._write(rule, change, heads, updates)

    def _add_head(self, rule: TableRule, change: dict[str, Any], f: str, current: list[str],
                  bases: list[str], value: Any) -> tuple[list[str], Any]:
        """The field's heads with ``change`` added, and the value the field should now show."""
        cid = change["change_id"]
        heads = sorted((set(current) - set(bases)) | {cid})
        newest = heads[-1]
        shown = value if newest == cid else _UNCHANGED
        self._settle_conflict(rule, change, f, heads)
        return heads, shown

    def _settle_conflict(self, rule: TableRule, change: dict[str, Any], f: str,
                         heads: list[str]) -> None:
        if not needs_a_person(rule, f):
            return
        key = conflict_id(rule.name, change["row_id"], f)
        values = _head_values(self.conn, heads, f) if len(heads) > 1 else []
        is_conflict = len({repr(v) for v in values}) > 1
        self._read_conflicts([key])
        existing = self.conflicts[key]
        if is_conflict:
            row = {"heads": heads, "resolved_at": None, "resolved_by": None, "resolution": None}
            if existing is None:
                self.conn.execute(CONFLICTS.insert().values(
                    id=key, table_name=rule.name, row_id=change["row_id"], field=f,
                    person_id=change.get("person_id"), opened_at=utcnow(), **row))
            elif existing.resolved_at is not None or list(existing.heads) != heads:
                self.conn.execute(CONFLICTS.update().where(CONFLICTS.c.id == key).values(**row))
            self.conflicts[key] = _Conflict(list(heads), None)
            self.opened.add(key)
        elif existing is not None and existing.resolved_at is None:
            resolved_at = utcnow()
            self.conn.execute(CONFLICTS.update().where(CONFLICTS.c.id == key).values(
                resolved_at=resolved_at, resolved_by=change.get("user_id"),
                resolution={"change": change["change_id"]}))
            self.conflicts[key] = _Conflict(existing.heads, resolved_at)

    def _write(self, rule: TableRule, change: dict[str, Any], heads: dict[str, list[str]],
               updates: dict[str, Any]) -> None:
        self._put_row(rule.name, change["row_id"], heads, False)
        shown = {f: v for f, v in updates.items() if v is not _UNCHANGED}
        if shown:
            values = self._row_values(rule, shown, change["row_id"])
            self.flush_records()  # the record may be one of those waiting to be written
            where = {f"w_{k}": v for k, v in rule.identity_values(change["row_id"]).items()}
            self.updates.append((rule.name, where | {f"v_{k}": v for k, v in values.items()}))

    def flush_updates(self) -> None:
        """Run the edits waiting, in order; a run of edits of the same fields of one table is
        one statement."""
        shape, run = None, []
        for name, params in self.updates:
            if (name, tuple(params)) != shape and run:
                self.conn.execute(_update_statement(*shape), run)
                run = []
            shape = (name, tuple(params))
            run.append(params)
        if run:
            self.conn.execute(_update_statement(*shape), run)
        self.updates.clear()

    def _add_record(self, rule: TableRule, values: dict[str, Any]) -> None:
        """A new record, written with the others of its table in one statement."""
        self.pending.setdefault(rule.name, []).append(values)
        keys = [c.key for c in rule.table.primary_key.columns]
        if len(keys) == 1 and keys[0] in values:
            key = (rule.name, keys[0], values[keys[0]])
            self.present.add(key)
            self.pending_keys.add(key)

    def flush_records(self) -> None:
        """Write the new records waiting, parents before children."""
        if not self.pending:
            return
        for name in sorted(self.pending, key=_LOAD_RANK.__getitem__):
            by_shape: dict[tuple[str, ...], list[dict[str, Any]]] = {}
            for values in self.pending[name]:
                by_shape.setdefault(tuple(values), []).append(values)
            for rows in by_shape.values():
                self.conn.execute(RULES[name].table.insert(), rows)
        self.pending.clear()
        self.pending_keys.clear()

    def flush(self) -> None:
        """Everything held back: new records, edits, then every record's field heads."""
        self.flush_records()
        self.flush_updates()
        new = [{"table_name": t, "row_id": r, "heads": self.rows[(t, r)].heads,
                "deleted": self.rows[(t, r)].deleted}
               for (t, r), is_new in self.rows_changed.items() if is_new]
        old = [{"t": t, "r": r, "h": self.rows[(t, r)].heads, "d": self.rows[(t, r)].deleted}
               for (t, r), is_new in self.rows_changed.items() if not is_new]
        insert_rows(self.conn, new)
        if old:
            self.conn.execute(_SET_ROW, old)
        self.rows_changed.clear()

    def _row_values(self, rule: TableRule, data: dict[str, Any], row_id: str) -> dict[str, Any]:
        """Decoded column values; an optional link to a record not here yet stays empty until
        that record arrives (``_fill_links``), e.g. a person's current journey."""
        values = {k: decode(rule.table.c[k], v) for k, v in data.items()
                  if k in rule.table.c and k not in rule.skip}
        for fk in rule.table.foreign_keys:
            key = fk.parent.key
            if values.get(key) is not None and fk.parent.nullable:
                target = fk.column
                if (target.table.name, target.key, values[key]) in self.pending_keys \
                        and _LOAD_RANK[target.table.name] >= _LOAD_RANK[rule.name]:
                    self.flush_records()  # so the linked record is written before this one
                if not self._exists(target, values[key]):
                    values[key] = None
                    self.late_links.append([rule.name, row_id, key])
        return values


@functools.lru_cache(maxsize=256)
def _update_statement(table_name: str, keys: tuple[str, ...]) -> Any:
    """``UPDATE table SET v_ columns WHERE w_ columns`` for an executemany (built once)."""
    table = RULES[table_name].table
    return table.update().where(*[table.c[k[2:]] == bindparam(k) for k in keys
                                  if k.startswith("w_")]).values(
        {k[2:]: bindparam(k) for k in keys if k.startswith("v_")})


def _chunks(items: list[Any], size: int = 500) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _dead(sync_row: Any, change_id: str) -> bool:
    """True for an insert or edit older than the record's newest delete."""
    if sync_row is None:
        return False
    deletes = sync_row.heads.get(DELETED, [])
    return bool(deletes) and change_id < max(deletes)


def _fill_links(conn: Connection, new: list[list[str]]) -> None:
    """Fill optional links whose record has arrived since; keep waiting for the rest."""
    waiting = [*state.get(conn, "late_links", []), *new]
    if not waiting:
        return
    still = []
    for table, row_id, column in waiting:
        rule = RULES[table]
        sync_row = conn.execute(select(ROWS.c.heads).where(
            ROWS.c.table_name == table, ROWS.c.row_id == row_id)).first()
        if sync_row is None:
            continue
        newest = max(field_heads(sync_row.heads, column))
        value = _head_values(conn, [newest], column)[0]
        fk = next(iter(rule.table.c[column].foreign_keys)).column
        if value is not None and conn.execute(select(fk).where(fk == value)).first() is None:
            still.append([table, row_id, column])
            continue
        where = [rule.table.c[k] == v for k, v in rule.identity_values(row_id).items()]
        conn.execute(rule.table.update().where(*where).values({column: value}))
    state.put(conn, "late_links", still)


class _Unchanged:
    def __repr__(self) -> str:
        return "<unchanged>"


_UNCHANGED = _Unchanged()


def _head_values(conn: Connection, heads: list[str], f: str) -> list[Any]:
    rows = [dict(r._mapping) for r in conn.execute(
        select(CHANGES.c.table_name, CHANGES.c.row_id, CHANGES.c.op, CHANGES.c.data)
        .where(CHANGES.c.change_id.in_(heads)))]
    return [(row["data"] or {}).get(f) for row in dataless.fill(conn, rows)]
