"""Who is acting, and what their role lets them do.

Roles are enforced here, in the core, so a script or a bug in a view cannot do what the
signed-in role may not: every core operation on personal data takes an ``Actor`` and calls
``require``. The UI hides what a role cannot do, but that is courtesy, not protection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from linkworker.errors import NotFound, UserError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from linkworker.models import Person


class PermissionDenied(UserError):
    """The signed-in role may not do this.

    ``role`` and ``permission`` are set when a role lacks a permission, so a screen can say it
    in the user's language; the message itself stays English (scripts, the CLI, logs).
    """

    def __init__(self, message: str, *, role: str | None = None,
                 permission: str | None = None) -> None:
        super().__init__(message)
        self.role, self.permission = role, permission


@dataclass(frozen=True)
class Actor:
    """The person (or script) doing something; recorded in the audit trail."""

    user_id: str | None
    username: str
    role: str
    display_name: str = ""
    venue: str | None = None

    @property
    def label(self) -> str:
        return self.display_name or self.username


# The data person running a CLI command against a caseload they hold the key to.
SYSTEM = Actor(user_id=None, username="system", role="system", display_name="LinkWorker (script)")

# Permission -> roles that hold it. "system" holds every permission.
PERMISSIONS: dict[str, frozenset[str]] = {
    # people and journeys
    "person.view_any": frozenset({"manager", "admin"}),
    "person.view_own": frozenset({"link_worker", "manager", "admin"}),
    # Full records of people *given* to the user (PersonAccess): also coordinators, for the
    # self-referrals they registered. require_person(need="view") checks this plus the scope.
    "person.view_given": frozenset({"link_worker", "coordinator", "manager", "admin"}),
    "person.share": frozenset({"link_worker", "manager", "admin"}),
    "person.create": frozenset({"link_worker", "coordinator", "manager"}),
    "person.edit": frozenset({"link_worker", "manager"}),
    "journey.edit": frozenset({"link_worker", "manager"}),
    "contact.record": frozenset({"link_worker", "manager"}),
    "attendance.record": frozenset({"link_worker", "coordinator", "manager"}),
    "measure.record": frozenset({"link_worker", "coordinator", "manager"}),
    "goal.edit": frozenset({"link_worker", "manager"}),
    "directory.edit": frozenset({"link_worker", "coordinator", "manager", "admin"}),
    "caseload.switch_worker": frozenset({"manager", "admin"}),
    # outcomes and returns
    "contract.edit": frozenset({"manager"}),
    "return.build": frozenset({"manager"}),
    "return.submit": frozenset({"manager"}),
    "report.view": frozenset({"manager", "admin"}),
    # data in and out
    "data.import": frozenset({"manager", "admin"}),
    "data.export": frozenset({"manager", "admin"}),
    # administration
    "users.manage": frozenset({"admin"}),
    "settings.edit": frozenset({"admin"}),
    "wording.load": frozenset({"admin"}),
    "instrument.add": frozenset({"admin"}),
    "audit.view": frozenset({"admin"}),
    "backup.run": frozenset({"admin", "manager"}),
    "backup.restore": frozenset({"admin"}),
    "rights.sar": frozenset({"admin", "manager"}),
    "rights.erase": frozenset({"admin"}),
    # team sync: the team key opens every pack, and a hub made from this laptop holds it all
    "sync.team_key": frozenset({"admin"}),
    "sync.hub_init": frozenset({"admin"}),
}


def check_actor(session: Session, actor: Actor) -> None:
    """Refuse an actor whose account was deactivated, or whose role or venue changed, since
    they signed in: a window left open must not keep rights an admin has taken away.

    ``audit.record`` and ``require_person`` call this, so every audited operation and every
    opened record checks the account as it is now.
    """
    from sqlalchemy import select

    from linkworker.models import User

    if actor.user_id is None or actor.role in ("system", "none"):
        return
    row = session.execute(select(User.active, User.role, User.venue).where(
        User.id == actor.user_id)).first()
    if row is None or not row.active:
        raise PermissionDenied("This account has been deactivated: sign in again or ask an "
                               "admin. Nothing was changed.")
    if row.role != actor.role or (row.venue or None) != (actor.venue or None):
        raise PermissionDenied("Your role was changed by an admin: sign out and in again to "
                               "go on. Nothing was changed.")


def can(actor: Actor, permission: str) -> bool:
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    return actor.role == "system" or actor.role in PERMISSIONS[permission]


def require(actor: Actor, permission: str) -> None:
    """Raise ``PermissionDenied`` (a clear message) unless ``actor`` holds ``permission``."""
    if not can(actor, permission):
        role = actor.role.replace("_", " ")
        article = "An" if role[:1] in "aeiou" else "A"
        raise PermissionDenied(
            f"{article} {role} may not do this ({permission}). "
            "Ask a manager or admin if you need to.",
            role=actor.role, permission=permission,
        )


# --- whom an actor may reach ----------------------------------------------------------------

# What an operation needs to do to a person, and the permission each need requires.
NEEDS: dict[str, str] = {
    "view": "person.view_given",  # open the full record (within people_scope)
    "edit": "person.edit",  # change the record, journeys, goals
    "attend": "attendance.record",  # register attendance or a quick form at a venue
}


def sees_everyone(actor: Actor) -> bool:
    """Managers, admins and scripts see every person; others see a scope (see people_scope)."""
    return actor.role in ("manager", "admin", "system")


def people_scope(actor: Actor, need: str = "view", person=None):  # SQL
    """A WHERE clause over ``Person`` limiting rows to those ``actor`` may reach for ``need``.

    * link worker: people with any journey assigned to them, and people given to them
      (``PersonAccess``), for every need;
    * coordinator: full records ("view") only of people given to them (their own
      self-referrals are given to them when they register them); for "attend" also anyone with
      a contact at the coordinator's venue, so the drop-in register lists the day's people;
    * manager, admin, system: everyone.

    Use it in every query that lists or opens people. ``person`` is the Person entity the outer
    query selects from (pass an ``aliased(Person)`` if it uses one). The EXISTS subqueries use
    their own aliases of Episode, Contact and PersonAccess and correlate to ``person`` only, so
    an outer query that itself selects from Episode or Contact (a list of journeys or contacts)
    cannot capture them: "any journey of this person is mine" stays exactly that.
    """
    from sqlalchemy import exists, false, or_, select, true
    from sqlalchemy.orm import aliased

    from linkworker.models import Contact, Episode, Person, PersonAccess

    if need not in NEEDS:
        raise KeyError(f"unknown need {need!r}")
    if sees_everyone(actor):
        return true()
    if actor.user_id is None:
        return false()
    me, who = actor.user_id, person if person is not None else Person
    grant, journey, contact = aliased(PersonAccess), aliased(Episode), aliased(Contact)

    def any_of(*where):
        return exists().where(*where).correlate(who)

    given = any_of(grant.person_id == who.id, grant.user_id == me)
    if actor.role == "link_worker":
        return or_(any_of(journey.person_id == who.id, journey.worker_id == me), given)
    if actor.role == "coordinator":
        if need != "attend" or not actor.venue:
            return given
        # Asked once, venue first (``ix_contacts_venue``): the people with a contact there. As
        # an EXISTS per person SQLite, knowing nothing of how many contacts a venue has,
        # walked the venue's contacts again for every person.
        at_venue = who.id.in_(select(journey.person_id)
                              .join(contact, contact.episode_id == journey.id)
                              .where(contact.venue == actor.venue))
        return or_(given, at_venue)
    return false()


def require_person(session: Session, actor: Actor, person_id: str, need: str = "view") -> Person:
    """The person, if ``actor`` holds the permission for ``need`` and may reach them.

    Raises ``PermissionDenied`` (role may not, or person outside the actor's scope) or
    ``NotFound`` (no such person, or erased). Checks nothing else and writes nothing: the
    caller audits the view or change in its own transaction.
    """
    from sqlalchemy import select

    from linkworker.models import Person

    if need not in NEEDS:
        raise KeyError(f"unknown need {need!r}")
    require(actor, NEEDS[need])
    check_actor(session, actor)
    person = session.get(Person, person_id)
    if person is None or person.deleted_at is not None:
        raise NotFound("That person is not in this caseload (they may have been erased).")
    if sees_everyone(actor):
        return person
    reachable = session.execute(
        select(Person.id).where(Person.id == person_id, people_scope(actor, need))
    ).first()
    if reachable is None:
        raise PermissionDenied(
            "This person is not on your caseload and has not been given to you. "
            "Ask a manager if you need to see them."
        )
    return person


def may_reach(session: Session, actor: Actor, person_id: str, need: str = "view") -> bool:
    """``require_person`` as a yes/no, for views deciding what to offer."""
    try:
        require_person(session, actor, person_id, need)
    except (PermissionDenied, NotFound):
        return False
    return True
