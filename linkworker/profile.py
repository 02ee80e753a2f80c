"""Editing the person's profile, and the journey's own words (what matters, crisis plan).

``update_person`` saves any set of profile changes as one transaction: every value is checked
first (nothing is written if one is wrong), each changed field is audited with its old and new
value (inside the encrypted caseload, never in logs), and ``updated_at`` guards against two
people saving over each other (optimistic concurrency).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linkworker import audit, codes, rules
from linkworker.access import Actor
from linkworker.errors import UserError
from linkworker.models import Person, utcnow
from linkworker.person import episode_for, person_for
from linkworker.storage.database import Caseload, unit_of_work
from linkworker.validation import (
    InvalidValue,
    check_birth_date,
    check_email,
    labelled,
    normalise_nhs_number,
    normalise_postcode,
    parse_date,
    tidy_text,
)


class StaleRecord(UserError):
    """Someone else saved this record after it was opened here."""


# --- editing the profile ----------------------------------------------------------------------

def checked_text(limit: int, required: str = "") -> Callable[[Any], str | None]:
    """A check for a free-text field: trimmed, empty is None, at most ``limit`` characters."""
    def check(value: Any) -> str | None:
        text = tidy_text(str(value)) if value is not None else None
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
    text = checked_text(200)(value)
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
    text = checked_text(100)(value)
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
    "given_name": checked_text(100, "Given name"),
    "family_name": checked_text(100, "Family name"),
    "preferred_name": checked_text(100),
    "date_of_birth": check_date_of_birth,
    "nhs_number": normalise_nhs_number,
    "address_line1": checked_text(200),
    "address_line2": checked_text(200),
    "town": checked_text(100),
    "postcode": normalise_postcode,
    "phone": checked_text(40),
    "email": _email,
    "contact_preferences": _preferences,
    "gender": _code_in(codes.GENDERS, "gender"),
    "gender_self_described": checked_text(100),
    "ethnicity": _ethnicity,
    "disability": _code_in(codes.DISABILITY, "disability answer"),
    "carer_status": _code_in(codes.CARER_STATUS, "carer status"),
    "living_circumstances": checked_text(4000),
    "gp_practice": checked_text(200),
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
        return "Not saved: " + " ".join(  # each problem is a sentence of its own
            labelled(FIELD_LABELS.get(k, k.replace("_", " ").capitalize()), v)
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

    now = utcnow()
    if previous is not None and now <= previous:
        now = previous + dt.timedelta(microseconds=1)
    return now


def _refuse_shared_nhs_number(session: Session, person_id: str, nhs: str) -> None:
    other = session.execute(
        select(Person.id).where(
            Person.nhs_number == nhs, Person.id != person_id, Person.deleted_at.is_(None)
        ).limit(1)
    ).first()
    # Never say whose: the user may not be allowed to see them.
    holder = "someone else known to the service (check it, or ask a manager)" if other else None
    for broken in rules.nhs_number_free(nhs, holder):
        raise FieldProblems({broken.field: broken.message})


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
            new = checked_text(8000)(value)
            if getattr(episode, name) == new:
                continue
            setattr(episode, name, new)
            changed.append(name)
            audit.record(session, actor, "change", entity="episode", entity_id=episode.id,
                         person_id=episode.person_id, details={"field": name, "changed": True})
        return changed
