"""Recording changes as they are made: one ``SyncChange`` per record changed, same transaction.

Every caseload session is a ``TrackedSession``: after each flush, every new, changed or
deleted record of a synchronised table (``tables.RULES``) gets a change: an insert carries
every field, an update the fields that changed and, per field, the *heads* it overwrote (its
bases), a delete just the record. The clock, the change rows and the field heads are written on
the flush's own connection, so a rolled-back action leaves no change behind and a committed one
always has its change.

Who made a change: ``session.info["sync_user"]`` if the caller set it, else the user on the
audit event written in the same transaction (every user action writes one).

Changes applied *from* another replica are written with Core statements by ``merge`` and are
never recorded again here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import event, inspect, literal_column, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from linkworker.models import AuditEvent, SyncChange, SyncConflict, SyncRow, SyncState, utcnow
from linkworker.sync import adopted, clock, state
from linkworker.sync.tables import PARENT_PERSON, RULES, TableRule, encode

CHANGES = SyncChange.__table__
# The changes waiting for what they depend on, written as ``ix_sync_changes_waiting``'s
# condition word for word ("applied = false" on SQLite and PostgreSQL alike), so both planners
# take that partial index (SQLAlchemy writes ``~applied`` differently for each).
WAITING = CHANGES.c.applied == literal_column("false")
ROWS = SyncRow.__table__
CONFLICTS = SyncConflict.__table__
STATE_TABLE = SyncState.__table__
DEFAULT = "_"  # heads key for every field not edited since the record's insert(s)
DELETED = "~"  # heads key naming the newest delete: older inserts and edits are dead


def field_heads(heads: dict[str, list[str]], field: str) -> list[str]:
    return heads.get(field, heads.get(DEFAULT, []))


def conflict_id(table: str, row_id: str, field: str) -> str:
    return f"{table}/{row_id}/{field}"


def _after_flush(session: Session, _context: Any) -> None:
    work = [(obj, "insert") for obj in session.new]
    work += [(obj, "update") for obj in session.dirty if session.is_modified(obj)]
    work += [(obj, "delete") for obj in session.deleted]
    work = [(o, op) for o, op in work if o.__table__.name in RULES]
    if not work:
        return
    _note_user(session, work)
    recorder = Recorder(session.connection(), session.info)
    for obj, op in work:
        recorder.record(obj, op)
    recorder.finish()
    if any(op == "delete" for _obj, op in work):
        adopted.clamp(session.connection())


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    """Records about to be changed or deleted keep their first insert true: an adopted
    record's is written down, a dataless one is given their values as they still are
    (``adopted.settle``; nothing is run when there is nothing to settle)."""
    targets: dict[str, list[str]] = {}
    for obj in [*session.dirty, *session.deleted]:
        rule = RULES.get(getattr(getattr(obj, "__table__", None), "name", ""))
        if rule is not None and not inspect(obj).pending:
            targets.setdefault(rule.name, []).append(rule.row_id(
                {c: encode(getattr(obj, c)) for c in rule.identity}))
    if targets:
        adopted.settle(session.connection(), targets)


def _bulk_statement(orm_state: Any) -> Any:
    """UPDATE and DELETE statements run through the session (erasure's audit redaction, the
    importers' updates, summaries) are recorded per row too: the rows they will touch are found
    first, and their new values read back after."""
    statement = orm_state.statement
    if not (orm_state.is_update or orm_state.is_delete):
        return None
    table = getattr(statement, "table", None)
    rule = RULES.get(getattr(table, "name", ""))
    if rule is None:
        return None
    session = orm_state.session
    conn = session.connection()
    where = statement.whereclause
    keys = [rule.table.c[c] for c in rule.identity]
    found = conn.execute(select(*keys).where(where) if where is not None else select(*keys))
    targets = [dict(r._mapping) for r in found]
    adopted.settle(conn, {rule.name: [rule.row_id({k: encode(v) for k, v in t.items()})
                                      for t in targets]})
    result = orm_state.invoke_statement()
    if not targets:
        return result
    recorder = Recorder(conn, session.info)
    if orm_state.is_delete:
        adopted.clamp(conn)
        for values in targets:
            recorder.record_row(rule, values, "delete", None)
    else:
        fields = [_column_key(k) for k in statement._values]
        for values in targets:
            row = conn.execute(select(rule.table).where(
                *[rule.table.c[k] == v for k, v in values.items()])).first()
            full = {k: encode(v) for k, v in row._mapping.items() if k not in rule.skip}
            recorder.record_row(rule, full, "update", [f for f in fields if f in full])
    recorder.finish()
    return result


class TrackedSession(Session):
    """The session class of every caseload (``Caseload`` makes its sessions from it): each
    flush and each UPDATE/DELETE statement records its changes.

    The listeners are registered once, here, on a class that lives as long as the process.
    They used to be registered on each opening's sessionmaker, guarded by ``event.contains``;
    SQLAlchemy's registry keys that on the ``id()`` of the sessionmaker's session class and
    keeps the key after the class is collected, so a caseload opened later whose class landed
    at the same address was taken as already tracked: its edits were saved but never entered
    the change log, and no sync ever sent them (issue 14's lost edits)."""


event.listen(TrackedSession, "before_flush", _before_flush)
event.listen(TrackedSession, "after_flush", _after_flush)
event.listen(TrackedSession, "do_orm_execute", _bulk_statement)


def _column_key(key: Any) -> str:
    return key if isinstance(key, str) else key.key


def _note_user(session: Session, work: list[tuple[Any, str]]) -> None:
    for obj, op in work:
        if op == "insert" and isinstance(obj, AuditEvent) and obj.user_id:
            session.info.setdefault("sync_user", obj.user_id)
            waiting = session.info.pop("sync_unattributed", [])
            if waiting:
                session.connection().execute(
                    CHANGES.update().where(CHANGES.c.change_id.in_(waiting))
                    .values(user_id=obj.user_id)
                )


class Recorder:
    """Stamps and writes the changes of one flush."""

    def __init__(self, conn: Connection, info: dict[str, Any]) -> None:
        self.conn = conn
        self.info = info
        self.device = state.device_id(conn)
        self.stamp = state.last_stamp(conn)
        self.changes: list[dict[str, Any]] = []  # written together at the end of the flush
        self.new_rows: list[dict[str, Any]] = []

    def next_id(self) -> str:
        self.stamp = clock.tick(self.stamp, self.device)
        return str(self.stamp)

    def record(self, obj: Any, op: str) -> None:
        rule = RULES[obj.__table__.name]
        values = _values(obj, rule)
        row_id = rule.row_id(values)
        reusable = rule.identity != ("id",)  # a setting's key, a form's item: made again
        current = None if op == "insert" and not reusable else self.conn.execute(
            select(ROWS.c.heads, ROWS.c.deleted)
            .where(ROWS.c.table_name == rule.name, ROWS.c.row_id == row_id)
        ).first()
        if op == "update" and current is None:
            op = "insert"  # a record from before sync: its first change carries all of it
        data, bases = self._payload(obj, rule, op, values, current)
        if op == "update" and not data:
            return
        change_id = self.next_id()
        user = self.info.get("sync_user")
        self.changes.append({
            "change_id": change_id, "device_id": self.device, "user_id": user,
            "table_name": rule.name, "row_id": row_id, "op": op, "data": data, "bases": bases,
            "person_id": person_of(self.conn, rule, values), "applied": True,
        })
        if user is None:
            self.info.setdefault("sync_unattributed", []).append(change_id)
        self._move_heads(rule, row_id, op, data, current, change_id)

    def record_row(self, rule: TableRule, values: dict[str, Any], op: str,
                   fields: list[str] | None, *, person_id: str | None = None) -> None:
        """A change made by a statement rather than an ORM object (see ``_bulk_statement``,
        and ``repair``, which also names a deleted record's person)."""
        row_id = rule.row_id(values)
        current = self.conn.execute(
            select(ROWS.c.heads, ROWS.c.deleted)
            .where(ROWS.c.table_name == rule.name, ROWS.c.row_id == row_id)).first()
        data, bases = None, None
        if op == "insert" or (op == "update" and current is None):
            op, data = "insert", values
        elif op == "update":
            data = {k: values[k] for k in sorted(fields or [])}
            bases = {k: field_heads(current.heads, k) for k in data}
            if not data:
                return
        change_id = self.next_id()
        self.changes.append({
            "change_id": change_id, "device_id": self.device,
            "user_id": self.info.get("sync_user"), "table_name": rule.name, "row_id": row_id,
            "op": op, "data": data, "bases": bases, "applied": True,
            "person_id": person_of(self.conn, rule, values) if op != "delete" else person_id,
        })
        self._move_heads(rule, row_id, op, data, current, change_id)

    def _payload(self, obj: Any, rule: TableRule, op: str, values: dict[str, Any],
                 current: Any) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        if op == "insert":
            return values, None
        if op == "delete":
            return None, None
        state_ = inspect(obj)
        changed = {
            attr.key for attr in state_.mapper.column_attrs
            if attr.key in values and state_.attrs[attr.key].history.has_changes()
        }
        data = {k: values[k] for k in sorted(changed)}
        heads = current.heads if current is not None else {}
        return data, {k: field_heads(heads, k) for k in data}

    def _move_heads(self, rule: TableRule, row_id: str, op: str, data: dict[str, Any] | None,
                    current: Any, change_id: str) -> None:
        where = (ROWS.c.table_name == rule.name, ROWS.c.row_id == row_id)
        if op == "delete":
            if current is None:
                self.conn.execute(ROWS.insert().values(
                    table_name=rule.name, row_id=row_id, heads={DELETED: [change_id]},
                    deleted=True))
            else:
                self.conn.execute(ROWS.update().where(*where).values(
                    deleted=True, heads={DELETED: [change_id]}))
            return
        if current is not None and current.deleted:  # made again after a delete
            self.conn.execute(ROWS.update().where(*where).values(
                deleted=False, heads={DEFAULT: [change_id], DELETED: current.heads[DELETED]}))
            return
        if current is None:
            self.new_rows.append({"table_name": rule.name, "row_id": row_id,
                                  "heads": {DEFAULT: [change_id]}, "deleted": False})
            return
        heads = dict(current.heads)
        for field in data or {}:
            if len(field_heads(heads, field)) > 1:
                self._resolved(rule, row_id, field, change_id, data[field])
            heads[field] = [change_id]
        self.conn.execute(ROWS.update().where(*where).values(heads=heads))

    def _resolved(self, rule: TableRule, row_id: str, field: str, change_id: str,
                  value: Any) -> None:
        """An edit of a conflicted field settles it: the person chose by editing."""
        self.conn.execute(
            CONFLICTS.update()
            .where(CONFLICTS.c.id == conflict_id(rule.name, row_id, field),
                   CONFLICTS.c.resolved_at.is_(None))
            .values(resolved_at=utcnow(), resolved_by=self.info.get("sync_user"),
                    resolution={"change": change_id, "value": value})
        )

    def finish(self) -> None:
        if self.changes:
            self.conn.execute(CHANGES.insert(), self.changes)
        if self.new_rows:
            self.conn.execute(ROWS.insert(), self.new_rows)
        if self.stamp is not None:
            state.save_stamp(self.conn, self.stamp)


def _values(obj: Any, rule: TableRule) -> dict[str, Any]:
    mapper = inspect(obj).mapper
    out = {}
    for attr in mapper.column_attrs:
        column = attr.columns[0]
        if column.table is rule.table and column.key not in rule.skip:
            out[column.key] = encode(getattr(obj, attr.key))
    return out


def person_of(conn: Connection, rule: TableRule, values: dict[str, Any],
              parent_of: Callable[[str, str, Any], Any] | None = None) -> str | None:
    """The person a record belongs to (what scopes it to a link worker's replica).

    ``parent_of(table, column, id)`` reads one step up the chain; by default one query a step
    (a bulk caller, such as the first baseline, passes a cached look-up)."""
    if rule.person_via is None:
        return None
    if rule.person_via == "self":
        return values.get("id")

    def one_query(parent: str, onwards: str, value: Any) -> Any:
        table = RULES[parent].table
        return conn.execute(select(table.c[onwards]).where(table.c.id == value)
                            ).scalar_one_or_none()

    step = parent_of or one_query
    column, value = rule.person_via, values.get(rule.person_via)
    while value is not None and column in PARENT_PERSON:
        parent, onwards = PARENT_PERSON[column]
        value = step(parent, onwards, value)
        column = onwards
    return value


INSERT_CHANGE = ("INSERT INTO sync_changes (change_id, device_id, user_id, table_name, row_id, "
                  "person_id, op, data, bases, applied) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
INSERT_ROW = "INSERT INTO sync_rows (table_name, row_id, heads, deleted) VALUES (?, ?, ?, ?)"


def insert_changes(conn: Connection, changes: list[dict[str, Any]]) -> None:
    """Write changes in one statement. On a laptop (SQLite) through the driver, with the JSON
    made here as SQLAlchemy's JSON type would make it: a first adoption or a new laptop's first
    pull writes a change per record, and the per-value type processing cost as much as the
    writing itself."""
    if not changes:
        return
    if conn.dialect.name != "sqlite":
        conn.execute(CHANGES.insert(), changes)
        return
    driver_executemany(conn, INSERT_CHANGE, [
        (c["change_id"], c["device_id"], c.get("user_id"), c["table_name"], c["row_id"],
         c.get("person_id"), c["op"], json.dumps(c.get("data")), json.dumps(c.get("bases")),
         bool(c.get("applied", True))) for c in changes])


def insert_rows(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """New field-heads rows in one statement (see ``insert_changes``)."""
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        conn.execute(ROWS.insert(), rows)
        return
    driver_executemany(conn, INSERT_ROW, [
        (r["table_name"], r["row_id"], json.dumps(r["heads"]), bool(r["deleted"])) for r in rows])


def driver_executemany(conn: Connection, statement: str, rows: list[tuple[Any, ...]]) -> None:
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.executemany(statement, rows)
    finally:
        cursor.close()
