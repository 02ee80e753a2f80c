"""A person's long-term conditions (coded where possible, always in their own words)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from linkworker import audit, codes
from linkworker.access import Actor
from linkworker.errors import NotFound, UserError
from linkworker.models import Condition
from linkworker.person import person_for
from linkworker.profile import checked_text
from linkworker.storage.database import Caseload, unit_of_work

# --- conditions and consents ----------------------------------------------------------------


def add_condition(
    target: Caseload | Session, actor: Actor, person_id: str, code: str | None,
    own_words: str | None,
) -> str:
    """A long-term condition: a coded term (optional) beside the person's own words."""
    if code and code not in codes.LONG_TERM_CONDITIONS:
        raise UserError(f"Unknown condition code {code!r}.")
    words = checked_text(400)(own_words)
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
