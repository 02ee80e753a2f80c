"""The organisation's settings that the safety features read: typed, bounded, with defaults.

Each setting is a row of the ``settings`` table (JSON value) and is declared once here with its
type, default and allowed range, so a bad value (from a form, the CLI or a damaged row) can never
reach the code that relies on it: reading falls back to the default, writing refuses with a
clear message. Changes are admin-only and audited with the old and new value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, text

from linkworker import audit
from linkworker.access import Actor, require
from linkworker.errors import UserError
from linkworker.storage.database import Caseload

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Spec:
    kind: type
    default: Any
    label: str
    minimum: int | None = None
    maximum: int | None = None


IDLE_LOCK_MINUTES = "security.idle_lock_minutes"
MIN_PASSWORD_LENGTH = "security.min_password_length"
LOCKOUT_ATTEMPTS = "security.lockout_attempts"
BACKUP_KEEP_DAILY = "backup.keep_daily"
BACKUP_ON_EXIT = "backup.on_exit"
RETENTION_YEARS = "retention.years"
ORGANISATION_NAME = "organisation.name"  # on "My plan": who the person's worker is with
ORGANISATION_CONTACT = "organisation.contact"  # and how to reach them (phone, email)
DEMO = "demo"  # set by the demo generator: the sign-in screen shows the demo accounts

SPECS: dict[str, Spec] = {
    IDLE_LOCK_MINUTES: Spec(int, 10, "Lock the window after this many idle minutes", 1, 240),
    MIN_PASSWORD_LENGTH: Spec(int, 10, "Shortest password allowed", 8, 64),
    LOCKOUT_ATTEMPTS: Spec(int, 5, "Failed sign-ins before an account is locked", 3, 20),
    BACKUP_KEEP_DAILY: Spec(int, 14, "Daily backups to keep", 1, 365),
    BACKUP_ON_EXIT: Spec(bool, True, "Back up when LinkWorker closes"),
    RETENTION_YEARS: Spec(int, 8, "Years to keep a record after the last journey ended", 1, 100),
    DEMO: Spec(bool, False, "This is a demonstration caseload"),
    ORGANISATION_NAME: Spec(str, "", "Organisation's name (printed on My plan)", 0, 200),
    ORGANISATION_CONTACT: Spec(str, "", "Phone or email people can reach you on", 0, 200),
}


def _spec(key: str) -> Spec:
    try:
        return SPECS[key]
    except KeyError:
        raise UserError(f"There is no setting called {key!r}.") from None


def check(key: str, value: Any) -> Any:
    """``value`` converted to the setting's type, or ``UserError`` saying what is allowed."""
    spec = _spec(key)
    if spec.kind is str:
        text = "" if value is None else str(value).strip()
        if spec.maximum is not None and len(text) > spec.maximum:
            raise UserError(f"{spec.label}: at most {spec.maximum} characters.")
        return text
    if spec.kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("yes", "true", "on", "1", "no",
                                                                 "false", "off", "0"):
            return value.strip().lower() in ("yes", "true", "on", "1")
        raise UserError(f"{spec.label}: answer yes or no.")
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise UserError(f"{spec.label}: enter a whole number.") from None
    if isinstance(number, bool) or (spec.minimum is not None and number < spec.minimum) or (
        spec.maximum is not None and number > spec.maximum
    ):
        raise UserError(f"{spec.label}: choose from {spec.minimum} to {spec.maximum}.")
    return number


# A setting's stored value, in plain SQL (on a session or a Core connection): the sign-in box
# reads the settings before the models have loaded (issue 15, stop 24).
_VALUE = text("SELECT value FROM settings WHERE key = :key").columns(value=JSON)


def get(session: Session | Connection, key: str) -> Any:
    """The setting's value; its default if unset or unusable (a damaged row must not lock
    anyone out or switch backups off)."""
    spec = _spec(key)
    row = session.execute(_VALUE, {"key": key}).first()
    if row is None:
        return spec.default
    if key == DEMO and isinstance(row.value, dict):  # the demo generator's record of its runs
        return bool(row.value.get("synthetic"))
    try:
        return check(key, row.value)
    except UserError:
        return spec.default


def values(session: Session | Connection) -> dict[str, Any]:
    return {key: get(session, key) for key in SPECS}


def put(session: Session, actor: Actor, key: str, value: Any) -> bool:
    """Set one setting (admin), audited; False if it already had that value."""
    from linkworker.models import Setting

    require(actor, "settings.edit")
    value = check(key, value)
    old = get(session, key)
    if old == value and session.get(Setting, key) is not None:
        return False
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
    audit.record(session, actor, "settings_change", entity="setting",
                 details={"field": key, "old": old, "new": value})
    return True


def update(caseload: Caseload, actor: Actor, changes: dict[str, Any]) -> list[str]:
    """Apply several settings in one transaction (all checked first); the keys that changed."""
    require(actor, "settings.edit")
    checked = {key: check(key, value) for key, value in changes.items()}
    with caseload.transaction() as session:
        return [key for key, value in checked.items() if put(session, actor, key, value)]


def read_all(caseload: Caseload) -> dict[str, Any]:
    """Every setting's value (no personal data: anyone signed in may read them)."""
    with caseload.rows() as conn:
        return values(conn)
