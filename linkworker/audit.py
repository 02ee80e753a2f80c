"""The append-only audit trail, hash-chained so that editing a past event is detectable.

Each event's hash covers its own fields and the previous event's hash; changing, inserting or
deleting any past event breaks every hash after it. ``verify_chain`` walks the trail and names
the first broken event. Events are written in the same transaction as the work they describe,
so an action and its audit line land together or not at all.

Two layers keep the trail append-only: SQLite triggers (migration 0002) refuse ``UPDATE`` and
``DELETE`` even from raw SQL, and the chain catches anyone who drops the triggers first.

Erasure is the one sanctioned change. An erased person's events keep who, when, what and which
(anonymous) record, but their ``details`` (e.g. the old and new value of a changed name) are
replaced by a *redaction marker* that carries the digest of what was there. The chain hashes
the details' digest rather than the details, so it still verifies after redaction; a redacted
event with no ``erase`` event for its person is reported as tampering.

Appending reads only the newest event (primary key, descending): O(log n) however long the
trail, so routine viewing never slows down as it grows.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from linkworker.access import Actor, require
from linkworker.errors import UserError
from linkworker.models import AuditEvent, Person, new_id, utcnow
from linkworker.storage.database import Caseload
from linkworker.storage.files import atomic_writer

_log = logging.getLogger(__name__)

GENESIS = "0" * 64
ERASE_ACTION = "erase"
REDACTED = "redacted"


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))


def is_redacted(details: Any) -> bool:
    return isinstance(details, dict) and REDACTED in details


def details_digest(details: Any) -> str | None:
    """The digest the chain covers: of the details, or the one a redaction marker kept."""
    if details is None:
        return None
    if is_redacted(details):
        return details.get("digest")
    return hashlib.sha256(_canonical(details).encode("utf-8")).hexdigest()


def _digest(event: AuditEvent) -> str:
    payload = json.dumps(
        [
            event.id,
            event.at.isoformat(timespec="microseconds"),
            event.user_id,
            event.username,
            event.action,
            event.entity,
            event.entity_id,
            event.person_id,
            details_digest(event.details),
            event.prev_hash,
        ],
        sort_keys=True,
        default=str,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    entity: str | None = None,
    entity_id: str | None = None,
    person_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event inside the caller's transaction."""
    previous = session.execute(
        select(AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).scalar_one_or_none()
    event = AuditEvent(
        id=new_id(),
        at=utcnow(),
        user_id=actor.user_id,
        username=actor.username,
        action=action,
        entity=entity,
        entity_id=entity_id,
        person_id=person_id,
        details=details,
        prev_hash=previous or GENESIS,
    )
    event.hash = _digest(event)
    session.add(event)
    session.flush()
    # The log's story of a session (sign-in, imports, backups, returns): the action and ids
    # only; details and usernames stay in the encrypted audit trail.
    _log.info("%s %s by %s (%s)", action, entity or "-", actor.user_id or "system", actor.role)
    return event


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    first_bad_seq: int | None = None
    reason: str = ""


def verify_chain(session: Session) -> ChainReport:
    """Walk every event in order and check each hash and link, then the redactions."""
    expected_prev = GENESIS
    count = 0
    redacted: dict[str, int] = {}  # person id -> first redacted event's seq
    erased: set[str] = set()
    rows = session.execute(select(AuditEvent).order_by(AuditEvent.seq).execution_options(
        yield_per=2000)).scalars()
    for event in rows:
        count += 1
        if event.prev_hash != expected_prev:
            return ChainReport(
                False, count, event.seq, "an event before this one is missing or changed"
            )
        if _digest(event) != event.hash:
            return ChainReport(
                False, count, event.seq, "this event was changed after it was written"
            )
        if event.person_id and is_redacted(event.details):
            redacted.setdefault(event.person_id, event.seq)
        if event.action == ERASE_ACTION and event.person_id:
            erased.add(event.person_id)
        expected_prev = event.hash
    unexplained = [seq for person, seq in redacted.items() if person not in erased]
    if unexplained:
        return ChainReport(
            False, count, min(unexplained), "details were removed without an erasure"
        )
    return ChainReport(True, count)


def redact_person(session: Session, person_id: str, on: dt.date) -> int:
    """Replace the details of ``person_id``'s events by redaction markers; how many changed.

    Only the erasure code calls this, in the same transaction as the ``erase`` event.
    """
    rows = session.execute(
        select(AuditEvent.seq, AuditEvent.details).where(
            AuditEvent.person_id == person_id, AuditEvent.details.is_not(None)
        )
    ).all()
    changed = 0
    for seq, details in rows:
        if is_redacted(details):
            continue
        marker = {REDACTED: on.isoformat(), "digest": details_digest(details)}
        session.execute(update(AuditEvent).where(AuditEvent.seq == seq).values(details=marker))
        changed += 1
    return changed


# --- reading the trail (admins) -------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    """What an admin narrows the trail to; every part is optional."""

    username: str | None = None
    action: str | None = None
    person_id: str | None = None
    person_reference: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None  # inclusive


@dataclass(frozen=True)
class EventRow:
    seq: int
    at: dt.datetime  # UTC
    username: str
    action: str
    entity: str
    entity_id: str
    person_id: str
    person_reference: str
    details: str  # JSON text, or "" when there are none


def _where(filters: AuditFilter) -> list:
    where = []
    if filters.username:
        where.append(AuditEvent.username == filters.username.strip())
    if filters.action:
        where.append(AuditEvent.action == filters.action.strip())
    if filters.person_id:
        where.append(AuditEvent.person_id == filters.person_id)
    if filters.person_reference:
        ids = select(Person.id).where(Person.reference == filters.person_reference.strip().upper())
        where.append(AuditEvent.person_id.in_(ids))
    if filters.since:
        where.append(AuditEvent.at >= dt.datetime.combine(filters.since, dt.time()))
    if filters.until:
        end = dt.datetime.combine(filters.until + dt.timedelta(days=1), dt.time())
        where.append(AuditEvent.at < end)
    return where


def _rows(
    session: Session,
    filters: AuditFilter,
    offset: int,
    limit: int | None,
    before_seq: int | None = None,
) -> list[EventRow]:
    query = (
        select(AuditEvent, Person.reference)
        .outerjoin(Person, Person.id == AuditEvent.person_id)
        .where(*_where(filters))
        .order_by(AuditEvent.seq.desc())
        .offset(offset)
    )
    if before_seq is not None:
        query = query.where(AuditEvent.seq < before_seq)
    if limit is not None:
        query = query.limit(limit)
    return [
        EventRow(
            seq=e.seq,
            at=e.at,
            username=e.username or "",
            action=e.action,
            entity=e.entity or "",
            entity_id=e.entity_id or "",
            person_id=e.person_id or "",
            person_reference=reference or "",
            details="" if e.details is None else _canonical(e.details),
        )
        for e, reference in session.execute(query)
    ]


def events(
    session: Session,
    actor: Actor,
    filters: AuditFilter | None = None,
    *,
    offset: int = 0,
    limit: int = 200,
) -> list[EventRow]:
    """One page of the trail, newest first (admins only)."""
    require(actor, "audit.view")
    return _rows(session, filters or AuditFilter(), offset, limit)


def count_events(session: Session, actor: Actor, filters: AuditFilter | None = None) -> int:
    require(actor, "audit.view")
    query = select(func.count()).select_from(AuditEvent).where(*_where(filters or AuditFilter()))
    return session.execute(query).scalar_one()


def person_events(session: Session, person_id: str) -> list[EventRow]:
    """Every event about one person, oldest first (for a subject access request)."""
    return list(reversed(_rows(session, AuditFilter(person_id=person_id), 0, None)))


def actions(session: Session) -> list[str]:
    """The actions that occur in the trail, for the filter's drop-down."""
    return list(
        session.execute(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).scalars()
    )


# --- the same, each in its own short read, for the screen (which never holds a session) -------


def read_page(caseload: Caseload, actor: Actor, filters: AuditFilter | None = None, *,
              offset: int = 0, limit: int = 200) -> list[EventRow]:
    with caseload.reading() as session:
        return events(session, actor, filters, offset=offset, limit=limit)


def read_count(caseload: Caseload, actor: Actor, filters: AuditFilter | None = None) -> int:
    with caseload.reading() as session:
        return count_events(session, actor, filters)


def read_actions(caseload: Caseload, actor: Actor) -> list[str]:
    require(actor, "audit.view")
    with caseload.reading() as session:
        return actions(session)


def verify(caseload: Caseload, actor: Actor) -> ChainReport:
    """Walk the whole chain (admins; seconds for a million events: run it off the GUI thread)."""
    require(actor, "audit.view")
    with caseload.reading() as session:
        return verify_chain(session)


EXPORT_COLUMNS = [f.name for f in fields(EventRow)]


def export_events(
    caseload: Caseload, actor: Actor, target: Path, filters: AuditFilter | None = None
) -> int:
    """Write the (filtered) trail to ``target`` as CSV, atomically and audited; rows written."""
    require(actor, "audit.view")
    filters = filters or AuditFilter()
    target = Path(target)
    if target.suffix.lower() != ".csv":
        raise UserError("Export the audit trail to a file ending in .csv.")
    with caseload.transaction() as session:
        written = 0
        with atomic_writer(target, "w") as handle:
            out = csv.writer(handle)
            out.writerow(EXPORT_COLUMNS)
            for row in _iterate(session, filters):
                out.writerow([_cell(getattr(row, c)) for c in EXPORT_COLUMNS])
                written += 1
        record(session, actor, "audit_export",
               details={"rows": written, "filters": _filter_summary(filters)})
    return written


def _iterate(session: Session, filters: AuditFilter, page: int = 5000) -> Iterator[EventRow]:
    """Newest first, a page at a time by key (not OFFSET, which rescans on every page)."""
    before: int | None = None
    while True:
        rows = _rows(session, filters, 0, page, before)
        yield from rows
        if len(rows) < page:
            return
        before = rows[-1].seq


def _cell(value: Any) -> Any:
    return value.isoformat(timespec="seconds") if isinstance(value, dt.datetime) else value


def _filter_summary(filters: AuditFilter) -> dict[str, str]:
    return {f.name: str(getattr(filters, f.name)) for f in fields(filters)
            if getattr(filters, f.name) not in (None, "")}


def since(days: int) -> dt.datetime:
    return utcnow() - dt.timedelta(days=days)
