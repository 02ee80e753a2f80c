"""Who is acting, and what their role lets them do.

Roles are enforced here, in the core, so a script or a bug in a view cannot do what the
signed-in role may not: every core operation on personal data takes an ``Actor`` and calls
``require``. The UI hides what a role cannot do, but that is courtesy, not protection.
"""

from __future__ import annotations

from dataclasses import dataclass

from linkworker.errors import UserError


class PermissionDenied(UserError):
    """The signed-in role may not do this."""


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
}


def can(actor: Actor, permission: str) -> bool:
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    return actor.role == "system" or actor.role in PERMISSIONS[permission]


def require(actor: Actor, permission: str) -> None:
    """Raise ``PermissionDenied`` (a clear message) unless ``actor`` holds ``permission``."""
    if not can(actor, permission):
        role = actor.role.replace("_", " ")
        raise PermissionDenied(
            f"A {role} may not do this ({permission}). Ask a manager or admin if you need to."
        )


def sees_everyone(actor: Actor) -> bool:
    """Managers, admins and scripts see every person; others see a scope (see people_scope)."""
    return actor.role in ("manager", "admin", "system")


def people_scope(actor: Actor):  # noqa: ANN201 - a SQLAlchemy boolean clause
    """A WHERE clause over ``Person`` limiting rows to those ``actor`` may see.

    A link worker (and, for now, a coordinator) sees the people with any episode assigned to
    them. Use it in every query that lists or opens people.
    """
    from sqlalchemy import exists, true

    from linkworker.models import Episode, Person

    if sees_everyone(actor):
        return true()
    return exists().where(Episode.person_id == Person.id, Episode.worker_id == actor.user_id)
