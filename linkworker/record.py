"""The person's record: one read for the whole screen, and saving what was edited on it.

``open_record`` returns a frozen ``PersonRecord`` (header facts, profile, the journeys, the
conditions and consents) from one short read and writes the ``view_person`` audit line in the
same transaction. ``save_record_edits`` saves the profile and the journey's own words together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linkworker import audit, codes
from linkworker.access import Actor, can
from linkworker.dates import month_of_journey
from linkworker.errors import UserError
from linkworker.journey import refresh_stage
from linkworker.models import Contract, Episode
from linkworker.person import episode_for, latest_episode, person_for, user_names
from linkworker.profile import update_episode_text, update_person
from linkworker.storage.database import Caseload, unit_of_work
from linkworker.validation import (
    age_on,
    format_date,
)

# --- the record, as the screen sees it --------------------------------------------------------


@dataclass(frozen=True)
class EpisodeSummary:
    id: str
    number: int
    referral_date: dt.date
    referral_source: str | None
    referral_reasons: tuple[str, ...]
    referrer_name: str | None
    referrer_organisation: str | None
    worker_id: str | None
    worker_name: str
    contract_id: str | None
    contract_name: str
    eligibility: str | None
    eligibility_notes: str | None
    stage: str
    first_contact_date: dt.date | None
    first_meeting_date: dt.date | None
    exit_date: dt.date | None
    exit_reason: str | None
    what_matters: str | None
    crisis_plan: str | None
    next_review_due: dt.date | None
    latest_change: str | None
    updated_at: dt.datetime

    @property
    def is_open(self) -> bool:
        return self.exit_date is None

    @property
    def stage_label(self) -> str:
        return codes.label(codes.STAGE_LABELS, self.stage)

    @property
    def title(self) -> str:
        ended = f" to {format_date(self.exit_date)}" if self.exit_date else " (open)"
        return f"Journey {self.number}: referred {format_date(self.referral_date)}{ended}"


@dataclass(frozen=True)
class ConditionItem:
    id: str
    code: str | None
    term: str | None
    own_words: str | None

    @property
    def text(self) -> str:
        words = f'"{self.own_words}"' if self.own_words else ""
        return " - ".join(p for p in (self.term or self.code, words) if p)


@dataclass(frozen=True)
class ConsentItem:
    id: str
    kind: str
    given: bool
    recorded_on: dt.date
    how: str | None
    expires_on: dt.date | None
    withdrawn_on: dt.date | None

    def in_force(self, on: dt.date) -> bool:
        return (
            self.given
            and self.withdrawn_on is None
            and (self.expires_on is None or self.expires_on >= on)
        )

    @property
    def label(self) -> str:
        return codes.label(codes.CONSENT_KINDS, self.kind)


PROFILE_FIELDS = (
    "given_name", "family_name", "preferred_name", "date_of_birth", "nhs_number",
    "address_line1", "address_line2", "town", "postcode", "phone", "email",
    "contact_preferences", "gender", "gender_self_described", "ethnicity", "disability",
    "carer_status", "living_circumstances", "gp_practice", "is_volunteer",
)


@dataclass(frozen=True)
class PersonRecord:
    """Everything the record screen shows, read in one go; ``updated_at`` guards saving."""

    id: str
    reference: str
    profile: Mapping[str, Any]
    updated_at: dt.datetime
    today: dt.date
    episodes: tuple[EpisodeSummary, ...] = ()
    conditions: tuple[ConditionItem, ...] = ()
    consents: tuple[ConsentItem, ...] = ()
    can_edit: bool = False

    def __getattr__(self, name: str) -> Any:
        # Profile fields read as attributes (record.given_name) without repeating them here.
        profile = self.__dict__.get("profile", {})
        if name in profile:
            return profile[name]
        raise AttributeError(name)

    @property
    def display_name(self) -> str:
        first = self.profile.get("preferred_name") or self.profile.get("given_name") or ""
        return f"{first} {self.profile.get('family_name') or ''}".strip()

    @property
    def full_name(self) -> str:
        return f"{self.profile.get('given_name', '')} {self.profile.get('family_name', '')}".strip()

    @property
    def age(self) -> int | None:
        return age_on(self.profile.get("date_of_birth"), self.today)

    @property
    def current(self) -> EpisodeSummary | None:
        return self.episodes[-1] if self.episodes else None

    @property
    def journey_month(self) -> int | None:
        current = self.current
        if current is None or current.exit_date is not None:
            return None
        return month_of_journey(current.first_meeting_date, self.today)

    @property
    def consents_summary(self) -> str:
        live = [c.label for c in self.consents if c.in_force(self.today)]
        if not self.consents:
            return "No consent recorded"
        if not live:
            return "No consent in force"
        return f"{len(live)} in force"

    @property
    def consent_in_force(self) -> bool:
        return any(c.kind == "data_processing" and c.in_force(self.today) for c in self.consents)


def episode_summaries(session: Session, person_id: str) -> tuple[EpisodeSummary, ...]:
    episodes = session.execute(
        select(Episode).where(Episode.person_id == person_id).order_by(Episode.number)
    ).scalars().all()
    workers = user_names(session, {e.worker_id for e in episodes})
    contract_ids = {e.contract_id for e in episodes if e.contract_id}
    contracts = dict(
        session.execute(select(Contract.id, Contract.name).where(Contract.id.in_(contract_ids)))
        .all()
    ) if contract_ids else {}
    return tuple(
        EpisodeSummary(
            id=e.id, number=e.number, referral_date=e.referral_date,
            referral_source=e.referral_source,
            referral_reasons=tuple(e.referral_reasons or ()),
            referrer_name=e.referrer_name, referrer_organisation=e.referrer_organisation,
            worker_id=e.worker_id, worker_name=workers.get(e.worker_id or "", "Not assigned"),
            contract_id=e.contract_id, contract_name=contracts.get(e.contract_id or "", ""),
            eligibility=e.eligibility, eligibility_notes=e.eligibility_notes, stage=e.stage,
            first_contact_date=e.first_contact_date, first_meeting_date=e.first_meeting_date,
            exit_date=e.exit_date, exit_reason=e.exit_reason, what_matters=e.what_matters,
            crisis_plan=e.crisis_plan, next_review_due=e.next_review_due,
            latest_change=e.latest_change, updated_at=e.updated_at,
        )
        for e in episodes
    )


def read_record(session: Session, actor: Actor, person_id: str, today: dt.date) -> PersonRecord:
    """The record without an audit line (for refreshing a record already open)."""
    person = person_for(session, actor, person_id)
    return PersonRecord(
        id=person.id,
        reference=person.reference,
        profile={name: getattr(person, name) for name in PROFILE_FIELDS},
        updated_at=person.updated_at,
        today=today,
        episodes=episode_summaries(session, person.id),
        conditions=tuple(
            ConditionItem(c.id, c.code, c.term, c.own_words)
            for c in sorted(person.conditions, key=lambda c: c.created_at)
        ),
        consents=tuple(
            ConsentItem(c.id, c.kind, c.given, c.recorded_on, c.how, c.expires_on, c.withdrawn_on)
            for c in sorted(person.consents, key=lambda c: (c.recorded_on, c.created_at))
        ),
        can_edit=can(actor, "person.edit"),
    )


def open_record(
    target: Caseload | Session, actor: Actor, person_id: str, today: dt.date | None = None,
    *, audit_view: bool = True,
) -> PersonRecord:
    """Open the person's record: audited as ``view_person`` in the same transaction.

    Opening also brings the journey stage up to date (a review falls due with time, not with
    an edit), so the header never shows "Active" for someone whose review window is open.
    ``audit_view=False`` is for redrawing a record already open after a change.
    """

    today = today or dt.date.today()
    with unit_of_work(target) as session:
        person = person_for(session, actor, person_id)
        current = latest_episode(session, person.id)
        if current is not None:
            refresh_stage(session, current, today)
        if audit_view:
            audit.record(session, actor, "view_person", entity="person", entity_id=person.id,
                         person_id=person.id)
        return read_record(session, actor, person_id, today)


def save_record_edits(
    target: Caseload | Session, actor: Actor, person_id: str, *,
    person_changes: Mapping[str, Any], expected_updated_at: dt.datetime | None,
    episode_id: str | None = None, episode_changes: Mapping[str, Any] | None = None,
) -> list[str]:
    """Everything edited in place on the record screen, saved as one transaction.

    Profile fields and the journey's own words ("what matters", the crisis plan) are saved
    together or not at all; returns the names of the fields that changed.
    """
    with unit_of_work(target) as session:
        changed = []
        if person_changes:
            changed += update_person(session, actor, person_id, person_changes,
                                     expected_updated_at)
        if episode_id and episode_changes:
            episode = episode_for(session, actor, episode_id)
            if episode.person_id != person_id:
                raise UserError("That journey belongs to someone else.")
            changed += update_episode_text(session, actor, episode_id, episode_changes)
        return changed
