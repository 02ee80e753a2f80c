"""People leaving a laptop's scope at the hub are removed from its replica, nothing unsent lost.

When the hub gives a person to another worker (or a grant ends, or a coordinator's venue no
longer sees them), the hub stops sending their changes; this is how the laptop then forgets
them, so a lost laptop exposes only its user's caseload *as it is now*. It runs after a sync's
push and pull, with the scope the hub computed (``linkworker_scope()``):

* a person outside the scope has every record about them removed, with their change log, field
  heads and conflicts, so they come back whole if they are given back (the pull resends their
  history to a laptop that does not know them);
* a person seen only at a coordinator's venue keeps just the register's records (the person,
  their journeys and contacts) and loses the rest;
* a person with a change recorded here that has not yet been pushed is **kept** (reported), so
  an edit made before the reassignment is never lost; the next sync pushes it, then removes.

Removal is local bookkeeping, not a delete for the team: rows are deleted with Core statements
on the caseload's connection, so the change log records nothing and the hub keeps everything.
``PRAGMA secure_delete`` is on for the removal (freed pages are overwritten with zeros, on top
of SQLCipher's encryption) and the WAL is checkpointed afterwards by the caller. This laptop's
own audit events about them stay: the hash chain must stay whole, and they are at the hub too.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, tuple_
from sqlalchemy.engine import Connection

from linkworker.models import Person, SyncChange, SyncConflict
from linkworker.sync import adopted, marks, state
from linkworker.sync.baseline import PersonIndex
from linkworker.sync.changelog import CHANGES, ROWS
from linkworker.sync.tables import LOAD_ORDER, RULES

# What a coordinator's laptop holds of a person seen only at their venue (see hub.schema).
VENUE_TABLES = frozenset({"people", "episodes", "contacts"})
KEPT_TABLES = frozenset({"audit_events"})  # append-only, hash-chained: never removed
CONFLICTS = SyncConflict.__table__


@dataclass(frozen=True)
class Left:
    removed: int  # people removed from this replica
    trimmed: int  # venue-only people whose other records were removed
    kept_unsent: int  # left the scope but hold changes not yet pushed: removed next sync


def remove_out_of_scope(conn: Connection, whole: set[str], venue: set[str]) -> Left:
    """Remove (or trim to the venue register) the local people the hub no longer gives us."""
    here = set(conn.execute(select(Person.id)).scalars())
    gone = here - whole - venue
    trim = (here & venue) - whole
    unsent = _with_unsent_changes(conn, gone | trim)
    gone, trim = gone - unsent, trim - unsent
    if gone or trim:
        conn.exec_driver_sql("PRAGMA secure_delete = ON")
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")  # children and parents together
        try:
            _remove(conn, gone, tables=set(LOAD_ORDER))
            _remove(conn, trim, tables=set(LOAD_ORDER) - VENUE_TABLES)
        finally:
            conn.exec_driver_sql("PRAGMA secure_delete = OFF")
        marks.clamp(conn)  # SQLite gives a removed top seq out again: keep the marks below it
    return Left(len(gone), len(trim), len(unsent))


def _with_unsent_changes(conn: Connection, people: set[str]) -> set[str]:
    if not people:
        return set()
    pushed = int(state.get(conn, "hub_pushed_seq", 0))
    return set(conn.execute(select(CHANGES.c.person_id).distinct().where(
        CHANGES.c.person_id.in_(people), marks.unsent(conn, pushed))).scalars())


def _remove(conn: Connection, people: set[str], tables: set[str]) -> None:
    """Every record of ``tables`` about ``people``, with its log, heads and conflicts.

    The change log names each record's person (``SyncChange.person_id``), so it is the index
    of what to remove; children go before parents (``LOAD_ORDER`` reversed)."""
    if not people:
        return
    names = [n for n in reversed(LOAD_ORDER) if n in tables and n not in KEPT_TABLES]
    adopted.materialize_people(conn, people, names)  # so the log names every record of theirs
    records = _theirs_now(conn, people, names)
    by_table: dict[str, list[str]] = {}
    for table_name, row_id in records:
        by_table.setdefault(table_name, []).append(row_id)
    for name in names:
        rule = RULES[name]
        for row_id in by_table.get(name, []):
            where = [rule.table.c[k] == v for k, v in rule.identity_values(row_id).items()]
            conn.execute(rule.table.delete().where(*where))
    keys = [tuple(r) for r in records]
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        conn.execute(ROWS.delete().where(tuple_(ROWS.c.table_name, ROWS.c.row_id).in_(chunk)))
        conn.execute(CONFLICTS.delete().where(
            tuple_(CONFLICTS.c.table_name, CONFLICTS.c.row_id).in_(chunk)))
        conn.execute(SyncChange.__table__.delete().where(
            tuple_(CHANGES.c.table_name, CHANGES.c.row_id).in_(chunk)))
    adopted.clamp(conn)


def _theirs_now(conn: Connection, people: set[str], names: list[str]) -> list[tuple[str, str]]:
    """The records the log names as ``people``'s that are still theirs as stored now (through
    their parents): a journey a merge moved to the kept person, and its contacts, stay with
    their whole history, though their first changes named the person who left."""
    named = conn.execute(select(CHANGES.c.table_name, CHANGES.c.row_id).distinct().where(
        CHANGES.c.person_id.in_(people), CHANGES.c.table_name.in_(names))).all()
    index = PersonIndex(conn)
    theirs = []
    for table_name, row_id in named:
        rule = RULES[table_name]
        if rule.person_via == "self":
            person = row_id
        else:
            where = [rule.table.c[k] == v for k, v in rule.identity_values(row_id).items()]
            link = conn.execute(select(rule.table.c[rule.person_via]).where(*where)).scalar()
            person = None if link is None else index.person_of(rule, {rule.person_via: link})
        if person is None or person in people:  # (None: the record is gone already)
            theirs.append((table_name, row_id))
    return theirs
