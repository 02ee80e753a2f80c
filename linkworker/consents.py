"""A person's consents: given or refused, how, until when, and withdrawn."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from linkworker import audit, codes
from linkworker.access import Actor
from linkworker.errors import NotFound, UserError
from linkworker.models import Consent
from linkworker.person import person_for
from linkworker.storage.database import Caseload, unit_of_work
from linkworker.validation import (
    format_date,
)

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
