"""The append-only audit trail, hash-chained so that editing a past event is detectable.

Each event's hash covers its own fields and the previous event's hash; changing, inserting or
deleting any past event breaks every hash after it. ``verify_chain`` walks the trail and names
the first broken event.

The chain is *keyed*: each hash is an HMAC-SHA256 under a secret derived (HKDF) from the
caseload's own key, so nobody can recompute the hashes after an edit without that key.
Caseloads from before keyed chains are re-keyed once when opened (``upgrade_chain``: checked
first, then re-hashed, audited as ``audit_rekey``). The newest event is *anchored* outside the
database: its seq and hash (with an HMAC tag) go into the key file when the caseload closes and
into every backup's key file, so trimming the tail of the trail is caught too; the sync code
can compare heads with ``chain_head``/``head_problem``. ``verify_chain`` also checks that the
append-only triggers are still there, unchanged, and that every redaction marker has exactly
the marker's shape and an erasure after it.

Events are written in the same transaction as the work they describe, so an action and its
audit line land together or not at all.

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
import hmac
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import JSON, DateTime, bindparam, func, select, text, update

from linkworker.access import Actor, check_actor, require
from linkworker.errors import UserError
from linkworker.storage import keys
from linkworker.storage.files import atomic_writer

if TYPE_CHECKING:  # storage opens caseloads through safeguards, which use this module
    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Session

    from linkworker.models import AuditEvent
    from linkworker.storage.database import Caseload

# The models (and the ORM) are imported where they are used: opening a caseload asks only
# ``is_legacy``, in plain SQL, so they load on the warm thread while the user signs in
# (issue 15, stop 24).

_log = logging.getLogger(__name__)

GENESIS = "0" * 64
# Who re-keys a legacy chain: LinkWorker itself, when the caseload is opened.
SYSTEM_CHAIN = Actor(user_id=None, username="system:audit-upgrade", role="system",
                     display_name="LinkWorker (upgrade)")
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


CHAIN_INFO = b"linkworker audit chain v1"
REKEY_ACTION = "audit_rekey"
# The append-only triggers of migration 0002, by the SHA-256 of their SQL with whitespace
# collapsed: a trigger dropped, or replaced by a weaker one of the same name, is tampering.
TRIGGERS = {
    "audit_events_no_delete": "5cc258b2f7ff2ace3f7d85d6c66aac98e25f26968df4057a0fb74e7395acf621",
    "audit_events_no_update": "defe6b7ec45244c711dd807240e04d9e1cd58b1b1f541b3b08d5ef558dd26b1c",
}
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_CHAIN_KEYS: dict[str, bytes] = {}


def chain_key(raw_key: bytes) -> bytes:
    """The audit chain's HMAC key: HKDF-SHA256 of the caseload key, for this purpose only."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=CHAIN_INFO).derive(raw_key)


def session_chain_key(session: Session) -> bytes | None:
    """The chain key of the caseload ``session`` is bound to (None: not an encrypted file)."""
    bind = session.get_bind()
    password = getattr(bind, "engine", bind).url.password
    if not password or not str(password).startswith("x'"):
        return None
    password = str(password)
    if password not in _CHAIN_KEYS:
        _CHAIN_KEYS[password] = chain_key(bytes.fromhex(password[2:-1]))
    return _CHAIN_KEYS[password]


def _digest(event: AuditEvent, key: bytes | None = None) -> str:
    """HMAC-SHA256 of the event under ``key``; plain SHA-256 for a legacy (unkeyed) chain."""
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
    ).encode("utf-8")
    if key is None:
        return hashlib.sha256(payload).hexdigest()
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


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
    """Append one event inside the caller's transaction.

    Checks the actor's account first (``access.check_actor``): a deactivated or demoted user
    still signed in somewhere can do nothing that is audited, and their work rolls back.
    """
    from linkworker.models import AuditEvent, new_id, utcnow

    check_actor(session, actor)
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
    event.hash = _digest(event, session_chain_key(session))
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


def _triggers_problem(session: Session) -> str:
    """"" if both append-only triggers are in place exactly as migration 0002 made them."""
    if session.get_bind().dialect.name != "sqlite":
        return ""
    found = dict(session.execute(text(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_events'"
    )).all())
    for name, digest in TRIGGERS.items():
        sql = found.get(name)
        if sql is None:
            return f"the append-only rule {name} was removed"
        if hashlib.sha256(" ".join(sql.split()).encode("utf-8")).hexdigest() != digest:
            return f"the append-only rule {name} was changed"
    return ""


def _marker_ok(details: dict) -> bool:
    """A redaction marker holds the day and the original digest, and nothing else."""
    if set(details) != {REDACTED, "digest"}:
        return False
    day, digest = details.get(REDACTED), details.get("digest")
    try:
        dt.date.fromisoformat(day)
    except (TypeError, ValueError):
        return False
    return isinstance(digest, str) and bool(_HEX64.match(digest))


# The first event with the fields ``_digest`` covers, typed as the model types them.
_FIRST_EVENT = text(
    "SELECT id, at, user_id, username, action, entity, entity_id, person_id, details, "
    "prev_hash, hash FROM audit_events ORDER BY seq LIMIT 1").columns(at=DateTime, details=JSON)


def is_legacy(session: Session | Connection) -> bool:
    """True when the trail still uses the old unkeyed (plain SHA-256) chain. Plain SQL on a
    session or a Core connection: every open asks it, before the models have loaded."""
    first = session.execute(_FIRST_EVENT).first()
    return first is not None and first.hash == _digest(first)


def verify_chain(session: Session, anchor: dict | None = None) -> ChainReport:
    """Check every hash and link, the redactions, the ``anchor`` (the head recorded outside the
    database: see ``anchor_head``) and the append-only triggers; names the first problem."""
    report = _walk(session, anchor)
    triggers = _triggers_problem(session)
    if not triggers:
        return report
    if report.ok:
        return ChainReport(False, report.events, None, triggers)
    return ChainReport(False, report.events, report.first_bad_seq,
                       f"{report.reason}; and {triggers}")


def _walk(session: Session, anchor: dict | None) -> ChainReport:
    from linkworker.models import AuditEvent

    key = session_chain_key(session)
    if key is not None and is_legacy(session):
        if anchor:
            return ChainReport(False, 0, 1, "the trail was re-hashed without the caseload key")
        key = None  # not yet re-keyed (upgrade_chain refused a broken legacy chain)
    expected_prev = GENESIS
    count = 0
    redacted: dict[str, tuple[int, int]] = {}  # person id -> first, last redacted seq
    erased: dict[str, int] = {}  # person id -> first erase event's seq
    head: tuple[int, str] | None = None
    received = _received_events(session)
    rows = session.execute(select(AuditEvent).order_by(AuditEvent.seq).execution_options(
        yield_per=2000)).scalars()
    for event in rows:
        count += 1
        if event.id in received:  # another replica's link: verified where it was written
            if event.action == ERASE_ACTION and event.person_id:
                erased.setdefault(event.person_id, event.seq)
            expected_prev, head = event.hash, (event.seq, event.hash)
            continue
        if event.prev_hash != expected_prev:
            return ChainReport(
                False, count, event.seq, "an event before this one is missing or changed"
            )
        if _digest(event, key) != event.hash:
            return ChainReport(
                False, count, event.seq, "this event was changed after it was written"
            )
        if is_redacted(event.details):
            if not event.person_id or not _marker_ok(event.details):
                return ChainReport(False, count, event.seq,
                                   "a redaction marker carries something other than a redaction")
            first = redacted.get(event.person_id, (event.seq, 0))[0]
            redacted[event.person_id] = (first, event.seq)
        if event.action == ERASE_ACTION and event.person_id:
            erased.setdefault(event.person_id, event.seq)
        expected_prev, head = event.hash, (event.seq, event.hash)
    unexplained = [first for person, (first, last) in redacted.items()
                   if person not in erased or erased[person] < last]
    if unexplained:
        return ChainReport(
            False, count, min(unexplained), "details were removed without an erasure"
        )
    problem = head_problem(session, anchor, head) if anchor else ""
    if problem:
        return ChainReport(False, count, anchor.get("seq") if anchor else None, problem)
    return ChainReport(True, count)


def _received_events(session: Session) -> set[str]:
    """Events that came by sync from another replica (a pack, the hub). Each was chained and
    keyed with its own laptop's caseload key, so this replica cannot check its hash; it checks
    that its own events link through them (one removed or changed here is still caught)."""
    from linkworker.models import SyncChange, SyncState

    me = session.scalar(select(SyncState.value).where(SyncState.key == "device_id"))
    if me is None:
        return set()
    return set(session.scalars(select(SyncChange.row_id).where(
        SyncChange.table_name == "audit_events", SyncChange.op == "insert",
        SyncChange.device_id != me)))


# --- the head, anchored outside the database ------------------------------------------------


def _tag(key: bytes | None, seq: int, digest: str) -> str:
    return hmac.new(key or b"", f"{seq}:{digest}".encode(), hashlib.sha256).hexdigest()


def chain_head(session: Session) -> dict | None:
    """The newest event's seq and hash with an HMAC tag: what is anchored in key files and
    backups, and what a sync hub compares (``head_problem``). None for an empty trail."""
    from linkworker.models import AuditEvent

    row = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    if row is None:
        return None
    return {"seq": row.seq, "hash": row.hash, "tag": _tag(session_chain_key(session), *row)}


def head_problem(session: Session, anchor: dict, head: tuple[int, str] | None = None) -> str:
    """"" if the anchored head is still in this trail unchanged; else what went wrong."""
    from linkworker.models import AuditEvent

    try:
        seq, digest, tag = int(anchor["seq"]), str(anchor["hash"]), str(anchor["tag"])
    except (KeyError, TypeError, ValueError):
        return "the head recorded outside the database is unreadable"
    if not hmac.compare_digest(tag, _tag(session_chain_key(session), seq, digest)):
        return "the head recorded outside the database was altered"
    found = session.execute(select(AuditEvent.hash).where(AuditEvent.seq == seq)).scalar()
    if found is None:
        last = head[0] if head else session.execute(select(func.max(AuditEvent.seq))).scalar()
        return (f"events at the end were removed: the trail ends at event {last or 0}, but "
                f"event {seq} was recorded outside the database")
    if found != digest:
        return f"event {seq} differs from the one recorded outside the database"
    return ""


def anchor_head(caseload: Caseload, db_path: Path | None = None) -> bool:
    """Record the trail's head in the key file beside ``db_path`` (default: the caseload's).

    The anchor only moves forward: if the head already recorded is no longer in the trail
    (trimmed or rewritten), it is kept as evidence for ``verify`` and False is returned.
    """
    target = Path(db_path or caseload.path)
    with caseload.reading() as session:
        head = chain_head(session)
        if head is None:
            return True
        if target == caseload.path:
            previous = keys.read_anchor(target)
            if previous and head_problem(session, previous):
                return False
    keys.write_anchor(target, head)
    return True


def upgrade_chain(caseload: Caseload) -> bool:
    """Re-key a legacy (unkeyed) chain once, if it verifies; audited. True if re-keyed.

    The UPDATEs need the append-only triggers out of the way: they are dropped and made again
    from their own stored SQL in the same transaction, so no other writer ever sees them gone.
    """
    if keys.engine_key(caseload.engine) is None:
        return False  # not an encrypted file: no key to chain with
    with caseload.rows() as conn:
        if not is_legacy(conn):
            return False  # the everyday answer at every open, without the models
    from linkworker.models import AuditEvent

    with caseload.reading() as session:
        if not verify_chain(session).ok:
            return False  # keep the evidence: verify goes on reporting the break
    with caseload.transaction() as session:
        key = session_chain_key(session)
        triggers = session.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
            "AND tbl_name = 'audit_events'")).all()
        for name, _sql in triggers:
            session.execute(text(f'DROP TRIGGER "{name}"'))
        previous, changed, legacy_head = GENESIS, [], None
        for event in session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars():
            legacy_head = event.hash
            event.prev_hash = previous
            previous = _digest(event, key)
            changed.append({"s": event.seq, "p": event.prev_hash, "h": previous})
        session.expunge_all()
        table = AuditEvent.__table__
        session.connection().execute(table.update().where(table.c.seq == bindparam("s")).values(
            prev_hash=bindparam("p"), hash=bindparam("h")), changed)
        for _name, sql in triggers:
            session.execute(text(sql))
        record(session, SYSTEM_CHAIN, REKEY_ACTION,
               details={"events": len(changed), "legacy_head": legacy_head})
    anchor_head(caseload)
    return True


def redact_person(session: Session, person_id: str, on: dt.date) -> int:
    """Replace the details of ``person_id``'s events by redaction markers; how many changed.

    Only the erasure code calls this, in the same transaction as the ``erase`` event.
    """
    from linkworker.models import AuditEvent

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
    from linkworker.models import AuditEvent, Person

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
    from linkworker.models import AuditEvent, Person

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
    from linkworker.models import AuditEvent

    require(actor, "audit.view")
    query = select(func.count()).select_from(AuditEvent).where(*_where(filters or AuditFilter()))
    return session.execute(query).scalar_one()


def person_events(session: Session, person_id: str) -> list[EventRow]:
    """Every event about one person, oldest first (for a subject access request)."""
    return list(reversed(_rows(session, AuditFilter(person_id=person_id), 0, None)))


def actions(session: Session) -> list[str]:
    """The actions that occur in the trail, for the filter's drop-down."""
    from linkworker.models import AuditEvent

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
    """Walk the whole chain against the head anchored in the key file (admins; seconds for a
    million events: run it off the GUI thread)."""
    require(actor, "audit.view")
    with caseload.reading() as session:
        return verify_chain(session, keys.read_anchor(caseload.path))


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
        check_actor(session, actor)  # before the file is written
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
    from linkworker.models import utcnow

    return utcnow() - dt.timedelta(days=days)
