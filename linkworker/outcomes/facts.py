"""Everything the rules of one contract need, loaded with a handful of set-based queries.

A return over 50,000 people must take seconds, so nothing here queries per person: each table
is read once (only the columns and rows the contract's rules use) and grouped into plain
dictionaries keyed by journey. The rules then work on these in memory.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from linkworker.models import (
    Condition,
    Consent,
    Contact,
    Episode,
    ExternalResult,
    Goal,
    Measure,
    MeasureAnswer,
    Person,
)
from linkworker.outcomes.kinds import Needs, kind_of

if TYPE_CHECKING:
    from linkworker.outcomes.contract import ContractDef


class PersonRow(NamedTuple):
    id: str
    reference: str
    date_of_birth: dt.date | None
    gender: str | None
    ethnicity_code: str | None
    disability: str | None
    imd_decile: int | None
    postcode: str | None
    erased: bool


class EpisodeRow(NamedTuple):
    id: str
    person_id: str
    number: int
    referral_date: dt.date
    first_meeting_date: dt.date | None
    exit_date: dt.date | None
    exit_reason: str | None
    eligibility: str | None

    def start(self, anchor: str) -> dt.date | None:
        """The referral or recorded first meeting (``Facts.anchor`` adds first contact)."""
        return self.referral_date if anchor == "referral" else self.first_meeting_date


class ContactRow(NamedTuple):
    date: dt.date
    id: str
    mode: str
    purpose: str | None


class FormRow(NamedTuple):
    """A complete, scored form (or one answered item of an item-reported instrument)."""

    date: dt.date
    created: dt.datetime
    id: str
    value: float
    timepoint: str


class GoalRow(NamedTuple):
    date: dt.date | None
    id: str
    category: str
    status: str


class ConsentRow(NamedTuple):
    kind: str
    given: bool
    recorded_on: dt.date
    expires_on: dt.date | None
    withdrawn_on: dt.date | None

    def valid_on(self, day: dt.date) -> bool:
        return (
            self.given
            and self.recorded_on <= day
            and (self.withdrawn_on is None or self.withdrawn_on > day)
            and (self.expires_on is None or self.expires_on >= day)
        )


class ExternalRow(NamedTuple):
    id: str
    person_id: str
    achieved: bool
    achieved_on: dt.date | None
    value: float | None
    source: str | None


@dataclass
class Facts:
    """The loaded caseload slice of one contract."""

    people: dict[str, PersonRow] = field(default_factory=dict)
    episodes: dict[str, EpisodeRow] = field(default_factory=dict)
    contacts: dict[str, list[ContactRow]] = field(default_factory=dict)  # attended, by episode
    first_contact: dict[str, dt.date] = field(default_factory=dict)  # first attended, by episode
    future_contacts: list[tuple[str, dt.date]] = field(default_factory=list)
    forms: dict[tuple[str, str, str | None], list[FormRow]] = field(default_factory=dict)
    incomplete_forms: list[tuple[str, str, dt.date, str]] = field(default_factory=list)
    goals: dict[str, list[GoalRow]] = field(default_factory=dict)
    # person id -> recorded (code, term) pairs, for eligibility.conditions_check
    conditions: dict[str, set[tuple[str | None, str | None]]] = field(default_factory=dict)
    consents: dict[str, list[ConsentRow]] = field(default_factory=dict)
    external: dict[str, list[ExternalRow]] = field(default_factory=dict)  # by outcome id

    def anchor(self, episode: EpisodeRow, anchor: str) -> dt.date | None:
        """The date a rule's days count from. ``first_attended_contact`` is the earliest
        attended contact; ``first_meeting`` is the recorded first meeting, or the earliest
        attended contact where none is recorded."""
        if anchor == "referral":
            return episode.referral_date
        if anchor == "first_meeting" and episode.first_meeting_date is not None:
            return episode.first_meeting_date
        return self.first_contact.get(episode.id)

    def episodes_of(self, person_id: str) -> list[EpisodeRow]:
        return sorted(
            (e for e in self.episodes.values() if e.person_id == person_id),
            key=lambda e: e.number,
        )


def _all(session: Session, query: Any) -> Sequence[Row]:
    """Plain rows through the session's connection (its snapshot): a Core result, so no ORM
    row processing is paid for tens of thousands of contacts."""
    return session.connection().execute(query).all()


def _episodes(session: Session, contract_id: str, facts: Facts) -> None:
    rows = _all(session,
        select(
            Episode.id, Episode.person_id, Episode.number, Episode.referral_date,
            Episode.first_meeting_date, Episode.exit_date, Episode.exit_reason,
            Episode.eligibility, Person.reference, Person.date_of_birth, Person.gender,
            Person.ethnicity_nhs_code, Person.disability, Person.imd_decile, Person.postcode,
            Person.deleted_at, Person.anonymised_at,
        )
        .join(Person, Person.id == Episode.person_id)
        .where(Episode.contract_id == contract_id)
    )
    for r in rows:
        facts.episodes[r[0]] = EpisodeRow(*r[:8])
        if r[1] not in facts.people:
            facts.people[r[1]] = PersonRow(
                r[1], r.reference, r.date_of_birth, r.gender, r.ethnicity_nhs_code,
                r.disability, r.imd_decile, r.postcode,
                r.deleted_at is not None or r.anonymised_at is not None,
            )


def _contacts(session: Session, contract_id: str, facts: Facts, today: dt.date,
              within: int | None) -> None:
    """Attended contacts, read once (from each journey through the contacts' journey index):
    each journey's first attended contact, those within the longest engagement window of any
    anchor (referral, first meeting, first attended contact), and those dated after today (for
    the data-quality list). With no engagement rule only the first contact (the first
    meeting's stand-in and an anchor) and future ones are kept."""
    rows = _all(session,
        select(Contact.episode_id, Contact.contact_date, Contact.id, Contact.mode,
               Contact.purpose)
        .select_from(Episode).join(Contact, Contact.episode_id == Episode.id)
        .where(Episode.contract_id == contract_id, Contact.status == "attended")
    )
    attended: dict[str, list[ContactRow]] = defaultdict(list)
    make = ContactRow._make
    for row in rows:
        attended[row[0]].append(make(row[1:]))
    span = None if within is None else dt.timedelta(days=within)
    grouped: dict[str, list[ContactRow]] = {}
    for episode_id, items in attended.items():
        items.sort()  # (date, id), as ContactRow's first two fields
        first = items[0].date
        facts.first_contact[episode_id] = first
        episode = facts.episodes[episode_id]
        last = first if span is None else max(
            day + span for day in (first, episode.referral_date, episode.first_meeting_date)
            if day is not None)
        kept = [c for c in items if c.date <= last or c.date > today]
        facts.future_contacts.extend((episode_id, c.date) for c in kept if c.date > today)
        grouped[episode_id] = kept
    facts.contacts = grouped


def _episode_for(facts: Facts, by_person: dict[str, list[EpisodeRow]], person_id: str,
                 day: dt.date) -> str | None:
    """The contract journey a form with no journey belongs to: the latest referred by then."""
    best = None
    for episode in by_person.get(person_id, ()):
        if episode.referral_date <= day:
            best = episode.id
    return best


def _forms(session: Session, contract_id: str, facts: Facts, wanted: set[tuple[str, str | None]],
           instrument_items: dict[tuple[str, str | None], int | None]) -> None:
    """Complete forms of the instruments (and items) the rules name, grouped by journey."""
    by_person: dict[str, list[EpisodeRow]] = defaultdict(list)
    for episode in sorted(facts.episodes.values(), key=lambda e: e.referral_date):
        by_person[episode.person_id].append(episode)
    instruments = sorted({code for code, _ in wanted})
    if not instruments:
        return
    people_in_contract = select(Episode.person_id).where(Episode.contract_id == contract_id)
    base = select(
        Measure.person_id, Measure.episode_id, Measure.instrument, Measure.completed_on,
        Measure.created_at, Measure.id, Measure.timepoint, Measure.complete, Measure.value,
    ).where(Measure.instrument.in_(instruments), Measure.person_id.in_(people_in_contract))
    grouped: dict[tuple[str, str, str | None], list[FormRow]] = defaultdict(list)

    def place(person_id: str, episode_id: str | None, day: dt.date) -> str | None:
        if episode_id in facts.episodes:
            return episode_id
        if episode_id is None:
            return _episode_for(facts, by_person, person_id, day)
        return None  # a form from a journey outside this contract

    for r in _all(session, base):
        episode_id = place(r.person_id, r.episode_id, r.completed_on)
        if episode_id is None:
            continue
        if not r.complete:
            facts.incomplete_forms.append((episode_id, r.id, r.completed_on, r.instrument))
            continue
        if (r.instrument, None) in wanted and r.value is not None:
            grouped[(episode_id, r.instrument, None)].append(
                FormRow(r.completed_on, r.created_at, r.id, float(r.value), r.timepoint)
            )
    for (code, item), number in instrument_items.items():
        if item is None or number is None:
            continue
        rows = _all(session,
            base.add_columns(MeasureAnswer.answer).join(
                MeasureAnswer,
                (MeasureAnswer.measure_id == Measure.id) & (MeasureAnswer.item == number),
            ).where(Measure.instrument == code, MeasureAnswer.answer.is_not(None))
        )
        for r in rows:
            episode_id = place(r.person_id, r.episode_id, r.completed_on)
            if episode_id is not None:
                grouped[(episode_id, code, item)].append(
                    FormRow(r.completed_on, r.created_at, r.id, float(r.answer), r.timepoint)
                )
    for items in grouped.values():
        items.sort(key=lambda f: (f.date, f.created, f.id))
    facts.forms = dict(grouped)


def _goals(session: Session, contract_id: str, facts: Facts) -> None:
    grouped: dict[str, list[GoalRow]] = defaultdict(list)
    rows = _all(session,
        select(Goal.episode_id, Goal.status_date, Goal.id, Goal.category, Goal.status)
        .join(Episode, Episode.id == Goal.episode_id)
        .where(Episode.contract_id == contract_id, Goal.status != "open")
    )
    for episode_id, day, goal_id, category, status in rows:
        grouped[episode_id].append(GoalRow(day, goal_id, category, status))
    for items in grouped.values():
        items.sort(key=lambda g: (g.date or dt.date.max, g.id))
    facts.goals = dict(grouped)


def _people_details(session: Session, contract_id: str, facts: Facts, cdef: ContractDef) -> None:
    people = select(Episode.person_id).where(Episode.contract_id == contract_id)
    if cdef.eligibility.conditions:
        for person_id, code, term in _all(session,
            select(Condition.person_id, Condition.code, Condition.term).where(
                Condition.person_id.in_(people)
            )
        ):
            facts.conditions.setdefault(person_id, set()).add((code, term))
    if cdef.consent_required:
        for r in _all(session,
            select(Consent.person_id, Consent.kind, Consent.given, Consent.recorded_on,
                   Consent.expires_on, Consent.withdrawn_on)
            .where(Consent.person_id.in_(people), Consent.kind.in_(cdef.consent_required))
        ):
            facts.consents.setdefault(r[0], []).append(ConsentRow(*r[1:]))


def _external(session: Session, contract_id: str, facts: Facts) -> None:
    grouped: dict[str, list[ExternalRow]] = defaultdict(list)
    for r in _all(session,
        select(ExternalResult.outcome_id, ExternalResult.id, ExternalResult.person_id,
               ExternalResult.achieved, ExternalResult.achieved_on, ExternalResult.value,
               ExternalResult.source)
        .where(ExternalResult.contract_id == contract_id)
        .order_by(ExternalResult.person_id, ExternalResult.id)
    ):
        grouped[r[0]].append(ExternalRow(*r[1:]))
    facts.external = dict(grouped)


def needs_of(cdef: ContractDef) -> Needs:
    """What the contract's rule kinds read, together (``RuleKind.needs``)."""
    return Needs.combine(kind_of(o.rule.kind).needs(o.rule) for o in cdef.outcomes)


def load_facts(
    session: Session, contract_id: str, cdef: ContractDef, *, today: dt.date,
    item_numbers: dict[tuple[str, str | None], int | None] | None = None,
) -> Facts:
    """Load the slice of the caseload the contract's rules and quality checks read: journeys,
    people and attended contacts always (anchors, data quality), and forms, goals and
    commissioner results only when a rule kind of the contract needs them."""
    facts = Facts()
    needs = needs_of(cdef)
    _episodes(session, contract_id, facts)
    _contacts(session, contract_id, facts, today, needs.contact_days)
    if needs.forms:
        _forms(session, contract_id, facts, set(needs.forms), item_numbers or {})
    if needs.goals:
        _goals(session, contract_id, facts)
    _people_details(session, contract_id, facts, cdef)
    if needs.external:
        _external(session, contract_id, facts)
    return facts
