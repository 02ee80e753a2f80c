"""Giving a person to a colleague outside their own caseload, and taking them back.

A link worker covering a colleague's leave, or a coordinator who took a self-referral at a
drop-in, needs the person's record without the journey being reassigned. A ``PersonAccess`` row
widens that one user's scope (``linkworker.access.people_scope``) to that one person. Giving is
audited against the person, so a subject access request shows everyone who was given the record.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from linkworker import audit
from linkworker.access import Actor, require, require_person
from linkworker.errors import NotFound, UserError
from linkworker.models import PersonAccess, User
from linkworker.storage.database import Caseload


@dataclass(frozen=True)
class Grant:
    user_id: str
    username: str
    display_name: str
    reason: str


def give_in_session(
    session: Session, actor: Actor, person_id: str, user_id: str, reason: str = ""
) -> bool:
    """Inside the caller's transaction (e.g. a coordinator registering a self-referral gives the
    new person to themselves); False if the user already had them."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise NotFound("That colleague has no active account.")
    existing = session.execute(
        select(PersonAccess.id).where(PersonAccess.person_id == person_id,
                                      PersonAccess.user_id == user_id)
    ).first()
    if existing is not None:
        return False
    session.add(PersonAccess(person_id=person_id, user_id=user_id, granted_by_id=actor.user_id,
                             reason=reason.strip() or None))
    audit.record(session, actor, "person_give", entity="user", entity_id=user_id,
                 person_id=person_id, details={"to": user.username, "reason": reason.strip()})
    return True


def give_person(
    caseload: Caseload, actor: Actor, person_id: str, user_id: str, reason: str = ""
) -> bool:
    """Share one person's record with a colleague; the giver must be able to see them."""
    require(actor, "person.share")
    with caseload.transaction() as session:
        require_person(session, actor, person_id, "view")
        return give_in_session(session, actor, person_id, user_id, reason)


def take_back(caseload: Caseload, actor: Actor, person_id: str, user_id: str) -> None:
    require(actor, "person.share")
    with caseload.transaction() as session:
        require_person(session, actor, person_id, "view")
        grant = session.execute(
            select(PersonAccess).where(PersonAccess.person_id == person_id,
                                       PersonAccess.user_id == user_id)
        ).scalar_one_or_none()
        if grant is None:
            raise UserError("That colleague was not given this person.")
        session.delete(grant)
        audit.record(session, actor, "person_take_back", entity="user", entity_id=user_id,
                     person_id=person_id)


def grants(caseload: Caseload, actor: Actor, person_id: str) -> list[Grant]:
    with caseload.reading() as session:
        require_person(session, actor, person_id, "view")
        rows = session.execute(
            select(PersonAccess, User).join(User, User.id == PersonAccess.user_id)
            .where(PersonAccess.person_id == person_id).order_by(User.username)
        ).all()
        return [Grant(u.id, u.username, u.display_name, g.reason or "") for g, u in rows]
