"""The append-only audit trail, hash-chained so that editing a past event is detectable.

Each event's hash covers its own fields and the previous event's hash; changing, inserting or
deleting any past event breaks every hash after it. ``verify_chain`` walks the trail and names
the first broken event. Events are written in the same transaction as the work they describe,
so an action and its audit line land together or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linkworker.access import Actor
from linkworker.models import AuditEvent, new_id, utcnow

GENESIS = "0" * 64


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
            event.details,
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
    return event


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    first_bad_seq: int | None = None
    reason: str = ""


def verify_chain(session: Session) -> ChainReport:
    """Walk every event in order and check each hash and link."""
    expected_prev = GENESIS
    count = 0
    for event in session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars():
        count += 1
        if event.prev_hash != expected_prev:
            return ChainReport(
                False, count, event.seq, "an event before this one is missing or changed"
            )
        if _digest(event) != event.hash:
            return ChainReport(
                False, count, event.seq, "this event was changed after it was written"
            )
        expected_prev = event.hash
    return ChainReport(True, count)


def since(days: int) -> dt.datetime:
    return utcnow() - dt.timedelta(days=days)
