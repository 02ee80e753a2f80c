"""The person: finding a person or journey the actor may reach, and people's references.

Access is checked here, in the core, through ``linkworker.access.require_person`` (the one
rule: a link worker reaches people with a journey assigned to them or given to them; managers
and admins reach everyone). The record screen's read is ``record.py``; profile edits are
``profile.py``; conditions, consents and notes have a module each.
"""

from __future__ import annotations

from sqlalchemy import Integer, func, or_, select
from sqlalchemy.orm import Session

from linkworker.access import Actor, require, require_person
from linkworker.errors import NotFound
from linkworker.models import Episode, Person, User

REFERENCE_PREFIX = "LW-"


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


def user_names(session: Session, user_ids: set[str | None]) -> dict[str, str]:
    """Display names of the given users (for lists that show who did what)."""
    wanted = {u for u in user_ids if u}
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(wanted))).all()
    return dict(rows)
