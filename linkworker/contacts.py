"""Contacts: the quick note after a session, attempts to reach someone, planned appointments.

A contact is a fact about the journey, so recording one also moves the journey on: the first
attempt makes it "contacting", the first attended meeting sets ``first_meeting_date`` (which
starts the review schedule) and an attended review marks that review done. Appointments in the
future are ``planned``; they appear on Today and become attended / did not attend later
(``update_contact``). The note's text is never written to the audit trail or logs.

A contact recorded in error is corrected with ``update_contact`` or taken back with
``withdraw_contact``: the row stays, marked "withdrawn" with the reason, so the audit trail and
the record still show what happened; it stops counting for the journey and the returns.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from linkworker import audit, codes, rules
from linkworker.access import Actor
from linkworker.errors import UserError
from linkworker.journey import refresh_stage
from linkworker.models import CONTACT_MODES, CONTACT_STATUSES, Contact, Episode, User
from linkworker.person import episode_for
from linkworker.record_rows import (
    WITHDRAWN,
    changeable,
    person_rows,
    withdraw_reason,
)
from linkworker.storage.database import Caseload, unit_of_work
from linkworker.validation import format_date

PURPOSES = {
    "attempt": "Trying to make contact",
    "first_meeting": "First meeting",
    "support": "Support session",
    "accompanied": "Accompanied introduction",
    "exit": "Closing meeting",
    "other": "Other",
}
_REVIEW = re.compile(r"^review_(\d{1,3})m$")
NOT_MET = ("attempt",)  # purposes that are not a meeting with the person
MAX_MINUTES = 600
WITHDRAW_REASONS = codes.WITHDRAW_REASONS  # why a record is taken back


def purpose_label(purpose: str | None) -> str:
    if purpose is None:
        return ""
    match = _REVIEW.match(purpose)
    if match:
        return f"{match.group(1)}-month review"
    return PURPOSES.get(purpose, purpose)


@dataclass(frozen=True)
class ContactItem:
    id: str
    episode_id: str
    episode_number: int
    contact_date: dt.date
    start_time: dt.time | None
    mode: str
    purpose: str | None
    venue: str | None
    duration_minutes: int | None
    status: str
    note: str | None
    worker: str

    @property
    def mode_label(self) -> str:
        return codes.label(codes.CONTACT_MODE_LABELS, self.mode)

    @property
    def status_label(self) -> str:
        return codes.label(codes.CONTACT_STATUS_LABELS, self.status)

    @property
    def purpose_label(self) -> str:
        return purpose_label(self.purpose)

    @property
    def when(self) -> str:
        time = f" {self.start_time.strftime('%H:%M')}" if self.start_time else ""
        return format_date(self.contact_date) + time


@dataclass(frozen=True)
class ContactInput:
    """What the quick-note panel sends; ``purpose`` None means "work it out"."""

    contact_date: dt.date
    mode: str = "face_to_face"
    status: str = "attended"
    start_time: dt.time | None = None
    purpose: str | None = None
    venue: str | None = None
    duration_minutes: int | None = None
    note: str | None = None


def _check(
    entry: ContactInput, episode: Episode, today: dt.date, allow_past_plan: bool = False
) -> None:
    if entry.mode not in CONTACT_MODES:
        raise UserError(f"Unknown way of meeting {entry.mode!r}.")
    if entry.status not in CONTACT_STATUSES:
        raise UserError(f"Unknown contact status {entry.status!r}.")
    if entry.purpose is not None and entry.purpose not in PURPOSES \
            and not _REVIEW.match(entry.purpose):
        raise UserError(f"Unknown purpose {entry.purpose!r}.")
    rules.enforce(rules.contact_date(entry.contact_date, entry.status, today,
                                     referral=episode.referral_date, exit_date=episode.exit_date,
                                     allow_past_plan=allow_past_plan))
    minutes = entry.duration_minutes
    if minutes is not None and not 0 <= minutes <= MAX_MINUTES:
        raise UserError(f"A contact lasts between 0 and {MAX_MINUTES} minutes.")


def default_purpose(entry: ContactInput, episode: Episode) -> str:
    if entry.purpose:
        return entry.purpose
    if entry.status in ("no_answer",):
        return "attempt"
    return "first_meeting" if episode.first_meeting_date is None else "support"


def _apply_effects(contact: Contact, episode: Episode) -> None:
    """What the contact tells us about the journey (dates only ever move earlier)."""
    if contact.status in ("planned", "cancelled"):
        return
    if episode.first_contact_date is None or contact.contact_date < episode.first_contact_date:
        episode.first_contact_date = contact.contact_date
    met = contact.status == "attended" and contact.purpose not in NOT_MET
    if met and (episode.first_meeting_date is None
                or (contact.purpose == "first_meeting"
                    and contact.contact_date < episode.first_meeting_date)):
        episode.first_meeting_date = contact.contact_date


def record_contact(
    target: Caseload | Session, actor: Actor, episode_id: str, entry: ContactInput,
    today: dt.date | None = None,
) -> str:
    """Save a contact (or a planned appointment) in one transaction; returns its id."""
    today = today or dt.date.today()
    with unit_of_work(target) as session:
        episode = episode_for(session, actor, episode_id, "contact.record")
        return add_contact(session, actor, episode, entry, today).id


def add_contact(session: Session, actor: Actor, episode: Episode, entry: ContactInput,
                today: dt.date) -> Contact:
    """Check and write one contact on ``episode`` in the caller's transaction: the journey's
    dates and stage move on and the audit line is written, as for every contact. The caller
    has checked the actor may (``record_contact``; the drop-in register's ``mark_attended``)."""
    _check(entry, episode, today)
    contact = Contact(
        episode_id=episode.id, worker_id=actor.user_id or episode.worker_id,
        contact_date=entry.contact_date, start_time=entry.start_time, mode=entry.mode,
        purpose=default_purpose(entry, episode), venue=(entry.venue or "").strip() or None,
        duration_minutes=entry.duration_minutes, status=entry.status,
        note=(entry.note or "").strip() or None,
    )
    session.add(contact)
    _apply_effects(contact, episode)
    session.flush()
    audit.record(session, actor, "contact.record", entity="contact", entity_id=contact.id,
                 person_id=episode.person_id,
                 details={"status": contact.status, "mode": contact.mode,
                          "purpose": contact.purpose})
    refresh_stage(session, episode, today)
    return contact


EDITABLE = ("contact_date", "start_time", "mode", "purpose", "venue", "duration_minutes",
            "status", "note")


def _live_contact(session: Session, actor: Actor, contact_id: str) -> tuple[Contact, Episode]:
    """A contact the actor may change: on their caseload and not withdrawn."""
    return changeable(session, actor, Contact, contact_id,
                      "That contact is no longer on the record.", "contact.record",
                      "That contact was withdrawn (it stays as it was); record a new one.")


def update_contact(
    target: Caseload | Session, actor: Actor, contact_id: str, changes: Mapping[str, Any],
    today: dt.date | None = None,
) -> None:
    """Change a contact, e.g. a planned appointment that was attended (or missed)."""
    today = today or dt.date.today()
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise UserError(f"Not saved: {', '.join(sorted(unknown))} cannot be changed.")
    with unit_of_work(target) as session:
        contact, episode = _live_contact(session, actor, contact_id)
        current = {name: getattr(contact, name) for name in EDITABLE}
        merged = ContactInput(**{**current, **changes})
        _check(merged, episode, today, allow_past_plan=merged.contact_date == contact.contact_date)
        for name in changes:
            setattr(contact, name, getattr(merged, name))
        _apply_effects(contact, episode)
        audit.record(session, actor, "contact.change", entity="contact", entity_id=contact.id,
                     person_id=episode.person_id,
                     details={"fields": sorted(changes), "status": contact.status})
        refresh_stage(session, episode, today)


def withdraw_contact(
    target: Caseload | Session, actor: Actor, contact_id: str, reason: str,
    today: dt.date | None = None,
) -> None:
    """Take back a contact recorded in error (``reason`` from ``WITHDRAW_REASONS``).

    The row is kept and marked withdrawn (audited with the reason, never the note), and the
    journey's first-contact and first-meeting dates are worked out again without it.
    """
    today = today or dt.date.today()
    withdraw_reason(reason)
    with unit_of_work(target) as session:
        contact, episode = _live_contact(session, actor, contact_id)
        take_back(session, actor, contact, episode, reason, today)


def take_back(session: Session, actor: Actor, contact: Contact, episode: Episode, reason: str,
              today: dt.date) -> None:
    """Mark ``contact`` withdrawn in the caller's transaction (the caller has checked the actor
    may): audited with the reason, the journey's dates and stage worked out again."""
    was = contact.status
    contact.status = WITHDRAWN
    session.flush()
    _recount_dates(session, episode, contact)
    audit.record(session, actor, "contact.withdraw", entity="contact", entity_id=contact.id,
                 person_id=episode.person_id, details={"reason": reason, "was": was})
    refresh_stage(session, episode, today)


def _recount_dates(session: Session, episode: Episode, withdrawn: Contact) -> None:
    """The journey's dates that came from the withdrawn contact, from the contacts left."""
    others = [c for c in session.query(Contact).filter(Contact.episode_id == episode.id)
              if c.status not in ("planned", "cancelled", WITHDRAWN)]
    if episode.first_contact_date == withdrawn.contact_date:
        episode.first_contact_date = min((c.contact_date for c in others), default=None)
    if episode.first_meeting_date == withdrawn.contact_date:
        met = [c.contact_date for c in others
               if c.status == "attended" and c.purpose not in NOT_MET]
        episode.first_meeting_date = min(met, default=None)


def list_contacts(
    target: Caseload | Session, actor: Actor, person_id: str
) -> tuple[ContactItem, ...]:
    """All the person's contacts across their journeys, newest first (planned ones on top)."""
    with unit_of_work(target, write=False) as session:
        rows = session.execute(
            person_rows(session, actor, person_id, Contact.episode_id,
                        Contact, Episode.number, User.display_name)
            .outerjoin(User, User.id == Contact.worker_id)
            .order_by(Contact.contact_date.desc(), Contact.start_time.desc(),
                      Contact.created_at.desc())
        ).all()
        return tuple(
            ContactItem(
                c.id, c.episode_id, number, c.contact_date, c.start_time, c.mode, c.purpose,
                c.venue, c.duration_minutes, c.status, c.note, worker or "",
            )
            for c, number, worker in rows
        )


def purposes_for(schedule_months: tuple[int, ...]) -> dict[str, str]:
    """The purposes a worker can pick, with one review per point on the journey's schedule."""
    reviews = {f"review_{m}m": f"{m}-month review" for m in schedule_months if m > 0}
    return {**{k: v for k, v in PURPOSES.items() if k != "other"}, **reviews,
            "other": PURPOSES["other"]}
