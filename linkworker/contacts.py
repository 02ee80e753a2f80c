"""Contacts: the quick note after a session, attempts to reach someone, planned appointments.

A contact is a fact about the journey, so recording one also moves the journey on: the first
attempt makes it "contacting", the first attended meeting sets ``first_meeting_date`` (which
starts the review schedule) and an attended review marks that review done. Appointments in the
future are ``planned``; they appear on Today and become attended / did not attend later
(``update_contact``). The note's text is never written to the audit trail or logs.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from linkworker import audit, codes
from linkworker.access import Actor
from linkworker.errors import UserError
from linkworker.journey import refresh_stage
from linkworker.models import CONTACT_MODES, CONTACT_STATUSES, Contact, Episode, User
from linkworker.person import episode_for
from linkworker.record_rows import must_get, person_rows
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
    day = format_date(entry.contact_date)
    if entry.status == "planned" and entry.contact_date < today and not allow_past_plan:
        raise UserError(f"A planned appointment cannot be in the past ({day}).")
    if entry.status != "planned" and entry.contact_date > today:
        raise UserError(f"{day} is in the future: record it as a planned appointment.")
    if entry.contact_date < episode.referral_date:
        raise UserError(
            f"{day} is before the referral ({format_date(episode.referral_date)})."
        )
    if episode.exit_date is not None and entry.contact_date > episode.exit_date:
        raise UserError("This journey has ended; re-refer the person to record new contacts.")
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
        return contact.id


EDITABLE = ("contact_date", "start_time", "mode", "purpose", "venue", "duration_minutes",
            "status", "note")


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
        contact = must_get(session, Contact, contact_id, "That contact is no longer on the record.")
        episode = episode_for(session, actor, contact.episode_id, "contact.record")
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
