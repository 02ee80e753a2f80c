"""The person's record: one read for the whole screen, and every edit made on it.

``open_record`` returns a frozen ``PersonRecord`` (header facts, profile, the journeys, the
conditions and consents) from one short read and writes the ``view_person`` audit line in the
same transaction. ``update_person`` saves any set of profile changes as one transaction: every
value is checked first (nothing is written if one is wrong), each changed field is audited with
its old and new value (inside the encrypted caseload, never in logs), and ``updated_at`` guards
against two people saving over each other (optimistic concurrency).

Access is checked here, in the core, through ``linkworker.access.require_person`` (the one
rule: a link worker reaches people with a journey assigned to them or given to them; managers
and admins reach everyone).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, func, or_, select
from sqlalchemy.orm import Session

from linkworker import audit, codes
from linkworker.access import Actor, can, require, require_person
from linkworker.dates import month_of_journey
from linkworker.errors import NotFound, UserError
from linkworker.models import Condition, Consent, Contract, Episode, Note, Person, User
from linkworker.storage.database import Caseload, unit_of_work
from linkworker.validation import (
    InvalidValue,
    age_on,
    check_birth_date,
    check_email,
    format_date,
    normalise_nhs_number,
    normalise_postcode,
    parse_date,
)

REFERENCE_PREFIX = "LW-"


class StaleRecord(UserError):
    """Someone else saved this record after it was opened here."""


# --- access -----------------------------------------------------------------------------------


def person_for(session: Session, actor: Actor, person_id: str, permission: str = "") -> Person:
    """The person if ``actor`` may reach them (and holds ``permission``, if given).

    Scope is ``linkworker.access.require_person``: managers and admins reach everyone; a link
    worker reaches people with a journey assigned to them or given to them.
    """
    if permission:
        require(actor, permission)
    return require_person(session, actor, person_id, "edit" if permission == "person.edit"
                          else "view")


def episode_for(session: Session, actor: Actor, episode_id: str, permission: str = "") -> Episode:
    """The journey if ``actor`` may reach its person (see ``person_for``)."""
    episode = session.get(Episode, episode_id)
    if episode is None:
        raise NotFound("That journey is not in this caseload.")
    person_for(session, actor, episode.person_id, permission)
    return episode


def open_episode(session: Session, person: Person) -> Episode | None:
    """The person's latest journey if it has not ended."""
    latest = session.execute(
        select(Episode).where(Episode.person_id == person.id).order_by(Episode.number.desc())
    ).scalars().first()
    return latest if latest is not None and latest.exit_date is None else None


def latest_episode(session: Session, person_id: str) -> Episode | None:
    return session.execute(
        select(Episode).where(Episode.person_id == person_id).order_by(Episode.number.desc())
    ).scalars().first()


# --- references -------------------------------------------------------------------------------


def format_reference(number: int) -> str:
    """A person's reference as people read it out: ``LW-000123``. The one place it is spelt."""
    return f"{REFERENCE_PREFIX}{number:06d}"


def next_reference(session: Session) -> str:
    """The next free reference, ``LW-000124`` after ``LW-000123``."""
    return format_reference(next_reference_number(session))


def next_reference_number(session: Session) -> int:
    """One more than the highest reference number in use (for callers numbering many people).

    Demo caseloads made before references were unified used ``LW000123`` (no hyphen); their
    numbers count too, so a new person never gets a number someone already has.
    """
    after_lw = func.substr(Person.reference, 3)  # "-000123" or "000123"
    number = func.cast(func.ltrim(after_lw, "-"), Integer)
    numbered = or_(Person.reference.op("GLOB")("LW-[0-9]*"),
                   Person.reference.op("GLOB")("LW[0-9]*"))
    highest = session.execute(select(func.max(number)).where(numbered)).scalar_one_or_none()
    return (highest or 0) + 1


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


def _names(session: Session, user_ids: set[str | None]) -> dict[str, str]:
    wanted = {u for u in user_ids if u}
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(wanted))).all()
    return dict(rows)


def episode_summaries(session: Session, person_id: str) -> tuple[EpisodeSummary, ...]:
    episodes = session.execute(
        select(Episode).where(Episode.person_id == person_id).order_by(Episode.number)
    ).scalars().all()
    workers = _names(session, {e.worker_id for e in episodes})
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
    from linkworker.journey import refresh_stage

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


# --- editing the profile ----------------------------------------------------------------------

def _text(limit: int, required: str = "") -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        text = (str(value).strip() if value is not None else "") or None
        if text is None and required:
            raise InvalidValue(f"{required} cannot be empty.")
        if text is not None and len(text) > limit:
            raise InvalidValue(f"That is too long (at most {limit} characters).")
        return text

    return check


def check_date_of_birth(value: Any, today: dt.date | None = None) -> dt.date | None:
    born = parse_date(value, allow_serial=False)
    return born if born is None else check_birth_date(born, today or dt.date.today())


def _email(value: Any) -> str | None:
    text = _text(200)(value)
    return text if text is None else check_email(text)


def _code_in(options: Mapping[str, str], what: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if value in (None, ""):
            return None
        if value not in options:
            raise InvalidValue(f"Unknown {what} {value!r}.")
        return str(value)

    return check


def _ethnicity(value: Any) -> str | None:
    text = _text(100)(value)
    if text is not None and text not in {g.category for g in codes.ethnic_groups()}:
        raise InvalidValue(f"{text!r} is not a 2021 Census ethnic group category.")
    return text


def _preferences(value: Any) -> dict[str, Any] | None:
    if value in (None, {}):
        return None
    if not isinstance(value, Mapping):
        raise InvalidValue("Contact preferences must be a set of choices.")
    return dict(value)


CHECKS: dict[str, Callable[[Any], Any]] = {
    "given_name": _text(100, "Given name"),
    "family_name": _text(100, "Family name"),
    "preferred_name": _text(100),
    "date_of_birth": check_date_of_birth,
    "nhs_number": normalise_nhs_number,
    "address_line1": _text(200),
    "address_line2": _text(200),
    "town": _text(100),
    "postcode": normalise_postcode,
    "phone": _text(40),
    "email": _email,
    "contact_preferences": _preferences,
    "gender": _code_in(codes.GENDERS, "gender"),
    "gender_self_described": _text(100),
    "ethnicity": _ethnicity,
    "disability": _code_in(codes.DISABILITY, "disability answer"),
    "carer_status": _code_in(codes.CARER_STATUS, "carer status"),
    "living_circumstances": _text(4000),
    "gp_practice": _text(200),
    "is_volunteer": bool,
}

FIELD_LABELS = {
    "given_name": "Given name", "family_name": "Family name", "preferred_name": "Preferred name",
    "date_of_birth": "Date of birth", "nhs_number": "NHS number", "postcode": "Postcode",
    "email": "Email", "phone": "Phone", "gender": "Gender", "ethnicity": "Ethnicity",
    "disability": "Disability", "carer_status": "Carer status",
}


class FieldProblems(UserError):
    """One or more fields could not be accepted; ``problems`` maps field -> message."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__(problems)

    def __str__(self) -> str:
        return "Not saved: " + "; ".join(
            f"{FIELD_LABELS.get(k, k.replace('_', ' ').capitalize())}: {v}"
            for k, v in self.problems.items()
        )


def check_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Every change checked and normalised; ``FieldProblems`` names each one that is wrong."""
    clean: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for name, value in changes.items():
        if name not in CHECKS:
            problems[name] = "is not a field of the person's profile"
            continue
        try:
            clean[name] = CHECKS[name](value)
        except InvalidValue as exc:
            problems[name] = str(exc)
    if problems:
        raise FieldProblems(problems)
    return clean


def _audit_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def update_person(
    target: Caseload | Session,
    actor: Actor,
    person_id: str,
    changes: Mapping[str, Any],
    expected_updated_at: dt.datetime | None,
) -> list[str]:
    """Save profile changes in one transaction; returns the names of fields that changed.

    ``expected_updated_at`` is the ``updated_at`` the screen read: if the record was saved by
    someone else since, nothing is written and ``StaleRecord`` says so.
    """
    clean = check_changes(changes)
    with unit_of_work(target) as session:
        person = person_for(session, actor, person_id, "person.edit")
        if expected_updated_at is not None and person.updated_at != expected_updated_at:
            raise StaleRecord(
                "This record was changed elsewhere since you opened it. Your edits are still "
                "on screen: copy anything you need, then reload the record."
            )
        if clean.get("nhs_number"):
            _refuse_shared_nhs_number(session, person.id, clean["nhs_number"])
        changed: list[str] = []
        for name, new in clean.items():
            old = getattr(person, name)
            if old == new:
                continue
            setattr(person, name, new)
            changed.append(name)
            audit.record(session, actor, "change", entity="person", entity_id=person.id,
                         person_id=person.id,
                         details={"field": name, "old": _audit_value(old),
                                  "new": _audit_value(new)})
        if "ethnicity" in changed:
            person.ethnicity_nhs_code = codes.nhs_ethnic_code(person.ethnicity)
        if changed:
            person.updated_at = _later_than(person.updated_at)
        session.flush()
        return changed


def _later_than(previous: dt.datetime | None) -> dt.datetime:
    """Now, but strictly after ``previous``: two quick saves must not share a stamp."""
    from linkworker.models import utcnow

    now = utcnow()
    if previous is not None and now <= previous:
        now = previous + dt.timedelta(microseconds=1)
    return now


def _refuse_shared_nhs_number(session: Session, person_id: str, nhs: str) -> None:
    other = session.execute(
        select(Person.reference).where(
            Person.nhs_number == nhs, Person.id != person_id, Person.deleted_at.is_(None)
        )
    ).scalar_one_or_none()
    if other is not None:
        raise FieldProblems({"nhs_number": f"already belongs to {other}: is this the same person?"})


# --- the journey's own words: what matters, crisis plan ----------------------------------------

EPISODE_TEXT_FIELDS = ("what_matters", "crisis_plan")


def update_episode_text(
    target: Caseload | Session, actor: Actor, episode_id: str, changes: Mapping[str, Any]
) -> list[str]:
    """Save "what matters" and the crisis/back-up plan of a journey (audited per field)."""
    unknown = set(changes) - set(EPISODE_TEXT_FIELDS)
    if unknown:
        raise UserError(f"Not saved: {', '.join(sorted(unknown))} cannot be edited here.")
    with unit_of_work(target) as session:
        episode = episode_for(session, actor, episode_id, "journey.edit")
        changed = []
        for name, value in changes.items():
            new = _text(8000)(value)
            if getattr(episode, name) == new:
                continue
            setattr(episode, name, new)
            changed.append(name)
            audit.record(session, actor, "change", entity="episode", entity_id=episode.id,
                         person_id=episode.person_id, details={"field": name, "changed": True})
        return changed


# --- conditions and consents ----------------------------------------------------------------


def add_condition(
    target: Caseload | Session, actor: Actor, person_id: str, code: str | None,
    own_words: str | None,
) -> str:
    """A long-term condition: a coded term (optional) beside the person's own words."""
    if code and code not in codes.LONG_TERM_CONDITIONS:
        raise UserError(f"Unknown condition code {code!r}.")
    words = _text(400)(own_words)
    if not code and not words:
        raise UserError("Choose a condition or write it in the person's own words.")
    with unit_of_work(target) as session:
        person = person_for(session, actor, person_id, "person.edit")
        row = Condition(person_id=person.id, code=code or None,
                        term=codes.LONG_TERM_CONDITIONS.get(code) if code else None,
                        own_words=words)
        session.add(row)
        session.flush()
        audit.record(session, actor, "condition.add", entity="condition", entity_id=row.id,
                     person_id=person.id, details={"code": code})
        return row.id


def remove_condition(target: Caseload | Session, actor: Actor, condition_id: str) -> None:
    with unit_of_work(target) as session:
        row = session.get(Condition, condition_id)
        if row is None:
            raise NotFound("That condition is no longer on the record.")
        person_for(session, actor, row.person_id, "person.edit")
        audit.record(session, actor, "condition.remove", entity="condition", entity_id=row.id,
                     person_id=row.person_id, details={"code": row.code})
        session.delete(row)


CONSENT_HOW = {"verbal": "Verbally", "written": "In writing", "electronic": "Electronically"}


def add_consent(
    target: Caseload | Session, actor: Actor, person_id: str, kind: str, *,
    given: bool = True, recorded_on: dt.date | None = None, how: str = "verbal",
    expires_on: dt.date | None = None, today: dt.date | None = None,
) -> str:
    """Record what the person agreed (or declined), when, how, and until when."""
    today = today or dt.date.today()
    recorded_on = recorded_on or today
    if kind not in codes.CONSENT_KINDS:
        raise UserError(f"Unknown consent {kind!r}.")
    if how not in CONSENT_HOW:
        raise UserError(f"Unknown way of recording consent {how!r}.")
    if recorded_on > today:
        raise UserError(f"Consent cannot be dated in the future ({format_date(recorded_on)}).")
    if expires_on is not None and expires_on <= recorded_on:
        raise UserError("A consent's expiry date must be after the date it was given.")
    with unit_of_work(target) as session:
        person = person_for(session, actor, person_id, "person.edit")
        row = Consent(person_id=person.id, kind=kind, given=given, recorded_on=recorded_on,
                      how=how, expires_on=expires_on, recorded_by_id=actor.user_id)
        session.add(row)
        session.flush()
        audit.record(session, actor, "consent.add", entity="consent", entity_id=row.id,
                     person_id=person.id, details={"kind": kind, "given": given})
        return row.id


def withdraw_consent(
    target: Caseload | Session, actor: Actor, consent_id: str, on: dt.date | None = None
) -> None:
    """Withdrawal keeps the consent's history (when it was given and when it was withdrawn)."""
    on = on or dt.date.today()
    with unit_of_work(target) as session:
        row = session.get(Consent, consent_id)
        if row is None:
            raise NotFound("That consent is no longer on the record.")
        person_for(session, actor, row.person_id, "person.edit")
        if row.withdrawn_on is not None:
            when = format_date(row.withdrawn_on)
            raise UserError(f"That consent was already withdrawn on {when}.")
        if on < row.recorded_on:
            raise UserError("Consent cannot be withdrawn before the date it was given.")
        row.withdrawn_on = on
        audit.record(session, actor, "consent.withdraw", entity="consent", entity_id=row.id,
                     person_id=row.person_id, details={"kind": row.kind})


# --- notes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoteItem:
    id: str
    written_on: dt.date
    author: str
    title: str | None
    body: str
    episode_number: int | None


def add_note(
    target: Caseload | Session, actor: Actor, person_id: str, body: str,
    title: str | None = None, written_on: dt.date | None = None,
) -> str:
    text = (body or "").strip()
    if not text:
        raise UserError("The note is empty.")
    with unit_of_work(target) as session:
        person = person_for(session, actor, person_id, "person.edit")
        current = latest_episode(session, person.id)
        row = Note(person_id=person.id, episode_id=current.id if current else None,
                   written_on=written_on or dt.date.today(), author_id=actor.user_id,
                   title=_text(200)(title), body=text)
        session.add(row)
        session.flush()
        audit.record(session, actor, "note.add", entity="note", entity_id=row.id,
                     person_id=person.id)
        return row.id


def list_notes(target: Caseload | Session, actor: Actor, person_id: str) -> tuple[NoteItem, ...]:
    """The person's notes, newest first."""
    with unit_of_work(target, write=False) as session:
        person_for(session, actor, person_id)
        rows = session.execute(
            select(Note, Episode.number)
            .outerjoin(Episode, Episode.id == Note.episode_id)
            .where(Note.person_id == person_id)
            .order_by(Note.written_on.desc(), Note.created_at.desc())
        ).all()
        authors = _names(session, {n.author_id for n, _ in rows})
        return tuple(
            NoteItem(n.id, n.written_on, authors.get(n.author_id or "", ""), n.title, n.body, num)
            for n, num in rows
        )


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
