"""User accounts: password hashing (Argon2id, memory-hard), sign-in with lock-out, and the
admin's user management.

Sign-in is the front door to health data, so it is deliberately dull and strict:

* passwords are hashed with Argon2id (argon2-cffi), never stored or logged; hashes made with
  older parameters are upgraded at the next good sign-in;
* an unknown username costs the same time as a known one (a dummy hash is verified), and gets
  the same message, so the screen cannot be used to find out who has an account;
* after ``security.lockout_attempts`` failures in a row an account locks for a minute, then two,
  four... (capped at an hour); a good password resets the count; an admin can unlock at once;
* every sign-in and failed sign-in is an audit event. A failed attempt names the account only if
  it exists: what was typed into the username box may be a password typed in the wrong place.

Every management call takes the acting ``Actor`` and requires ``users.manage`` (admins), except
``create_first_admin`` (only while there are no users) and ``change_password`` (oneself).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, text

from linkworker import audit, settings
from linkworker.access import Actor, PermissionDenied, require
from linkworker.errors import NotFound, UserError
from linkworker.storage.database import Caseload

if TYPE_CHECKING:
    from sqlalchemy.engine import Row
    from sqlalchemy.orm import Session

    from linkworker.models import User

# The models (and the ORM) are imported where they are used. The sign-in box's reads and the
# sign-in's look-up before the password check are plain SQL, so the models load on the warm
# thread beside Argon2id, which runs without the GIL (issue 15, stop 24).

_HASHER = PasswordHasher()  # argon2-cffi defaults: Argon2id, RFC 9106 low-memory profile
_DUMMY_HASH: str | None = None

UNKNOWN_USER = "unknown user"
# One answer for every failed sign-in: a wrong password, an unknown username and a locked
# account must look alike, or the screen tells a stranger which usernames exist.
SIGN_IN_FAILED = ("That username and password do not match, or the account is locked after too "
                  "many failed sign-ins. Check Caps Lock and try again later; an admin can "
                  "unlock an account at once.")
FIRST_LOCK = dt.timedelta(minutes=1)
LONGEST_LOCK = dt.timedelta(hours=1)
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
COMMON_PASSWORDS = frozenset(
    {"password", "password1", "password123", "1234567890", "12345678", "123456789",
     "qwertyuiop", "linkworker", "letmein123", "iloveyou", "welcome123", "changeme"}
)
ROLE_LABELS = {
    "link_worker": "Link worker",
    "coordinator": "Coordinator",
    "manager": "Manager",
    "admin": "Admin",
}


class SignInFailed(UserError):
    """Wrong username or password (deliberately not saying which)."""


class AccountLocked(SignInFailed):
    """Too many failures in a row; ``until`` is when the next attempt is allowed (UTC)."""

    def __init__(self, message: str, until: dt.datetime) -> None:
        super().__init__(message)
        self.until = until


class WeakPassword(UserError):
    pass


# --- hashing ------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    if not stored_hash:
        return False
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _burn_time(password: str) -> None:
    """Verify against a throwaway hash so an unknown username takes as long as a known one."""
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = _HASHER.hash("linkworker timing equaliser")
    verify_password(_DUMMY_HASH, password)


# --- what callers get back ----------------------------------------------------------------


@dataclass(frozen=True)
class UserInfo:
    id: str
    username: str
    display_name: str
    role: str
    active: bool
    venue: str | None
    locked_until: dt.datetime | None  # UTC
    must_change_password: bool

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


def _info(user: User) -> UserInfo:
    return UserInfo(user.id, user.username, user.display_name, user.role, bool(user.active),
                    user.venue, user.locked_until, bool(user.must_change_password))


def actor_for(user: User) -> Actor:
    return Actor(user_id=user.id, username=user.username, role=user.role,
                 display_name=user.display_name, venue=user.venue)


# --- rules ----------------------------------------------------------------------------------


def normalise_username(username: str) -> str:
    name = (username or "").strip().lower()
    if not USERNAME.match(name):
        raise UserError(
            "Usernames are 2 to 40 characters: lower-case letters, digits, dots, dashes or "
            "underscores, starting with a letter or digit (e.g. 'asmith')."
        )
    return name


def check_password(session: Session, password: str, username: str = "") -> None:
    """Refuse passwords that are short, common or the username; say how to do better."""
    shortest = settings.get(session, settings.MIN_PASSWORD_LENGTH)
    if len(password) < shortest:
        raise WeakPassword(
            f"Choose a password of at least {shortest} characters. "
            "Three unrelated words make a strong one that is easy to remember."
        )
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) < 4:
        raise WeakPassword("That password is too easy to guess. Try three unrelated words.")
    if username and username.lower() in lowered:
        raise WeakPassword("The password must not contain the username.")


def _check_role(role: str) -> str:
    from linkworker.models import ROLES

    if role not in ROLES:
        labels = ", ".join(ROLE_LABELS[r].lower() for r in ROLES)
        raise UserError(f"Unknown role {role!r}: choose one of {labels}.")
    return role


def _user(session: Session, user_id: str) -> User:
    from linkworker.models import User

    user = session.get(User, user_id)
    if user is None:
        raise NotFound("That user does not exist.")
    return user


def _active_admins(session: Session) -> int:
    from linkworker.models import User

    return session.execute(
        select(func.count()).select_from(User).where(User.role == "admin", User.active.is_(True))
    ).scalar_one()


def _keep_an_admin(session: Session, user: User) -> None:
    if user.role == "admin" and user.active and _active_admins(session) <= 1:
        raise UserError("This is the only active admin. Make someone else an admin first.")


# --- first run and management (admins) ------------------------------------------------------


def has_users(caseload: Caseload) -> bool:
    """Whether anyone has an account yet (the sign-in box's first question; plain SQL)."""
    with caseload.rows() as conn:
        return conn.execute(text("SELECT 1 FROM users LIMIT 1")).first() is not None


def create_first_admin(
    caseload: Caseload, username: str, display_name: str, password: str
) -> Actor:
    """The first account of a new caseload: an admin. Refused once anyone has an account."""
    from linkworker.models import User

    username = normalise_username(username)
    with caseload.transaction() as session:
        if session.execute(select(User.id).limit(1)).first() is not None:
            raise PermissionDenied("This caseload already has accounts: ask its admin to add you.")
        check_password(session, password, username)
        user = User(username=username, display_name=display_name.strip() or username,
                    role="admin", password_hash=hash_password(password))
        session.add(user)
        session.flush()
        actor = actor_for(user)
        audit.record(session, actor, "user_create", entity="user", entity_id=user.id,
                     details={"username": username, "role": "admin", "first_admin": True})
    return actor


def list_users(caseload: Caseload, actor: Actor) -> list[UserInfo]:
    from linkworker.models import User

    require(actor, "users.manage")
    with caseload.reading() as session:
        users = session.execute(select(User)).scalars()
        return sorted((_info(u) for u in users), key=lambda u: _natural(u.username))


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key putting worker2 before worker10 (as text, worker10-worker19 came between
    worker1 and worker2); case does not count."""
    return tuple((0, int(part)) if part.isdigit() else (1, part)
                 for part in re.split(r"(\d+)", text.casefold()) if part)


def add_user(
    caseload: Caseload,
    actor: Actor,
    username: str,
    display_name: str,
    role: str,
    password: str,
    venue: str | None = None,
) -> UserInfo:
    """A new account with a first password the user must change when they first sign in."""
    from linkworker.models import User

    require(actor, "users.manage")
    username = normalise_username(username)
    _check_role(role)
    if not display_name.strip():
        raise UserError("Give the person's name as colleagues know it (e.g. 'Asha Patel').")
    with caseload.transaction() as session:
        if session.execute(select(User.id).where(User.username == username)).first():
            raise UserError(f"There is already an account called {username!r}.")
        check_password(session, password, username)
        user = User(username=username, display_name=display_name.strip(), role=role,
                    venue=(venue or "").strip() or None, password_hash=hash_password(password),
                    must_change_password=True)
        session.add(user)
        session.flush()
        audit.record(session, actor, "user_create", entity="user", entity_id=user.id,
                     details={"username": username, "role": role})
        return _info(user)


def rename(caseload: Caseload, actor: Actor, user_id: str, new_username: str) -> UserInfo:
    """A new username for an account (its id, password and history stay). Needed when two
    caseloads set up on their own each made an ``admin`` and now sync: the team's usernames
    must name one account each (see ``sync.merge.clash_advice``)."""
    from linkworker.models import User

    require(actor, "users.manage")
    new_username = normalise_username(new_username)
    with caseload.transaction() as session:
        if session.execute(select(User.id).where(User.username == new_username)).first():
            raise UserError(f"There is already an account called {new_username!r}.")
        user = _user(session, user_id)
        old, user.username = user.username, new_username
        audit.record(session, actor, "user_rename", entity="user", entity_id=user.id,
                     details={"field": "username", "old": old, "new": new_username})
        return _info(user)


def set_role(
    caseload: Caseload, actor: Actor, user_id: str, role: str, venue: str | None = None
) -> UserInfo:
    require(actor, "users.manage")
    _check_role(role)
    if user_id == actor.user_id:
        raise UserError("You cannot change your own role: ask another admin.")
    with caseload.transaction() as session:
        user = _user(session, user_id)
        if user.role != role:
            _keep_an_admin(session, user)
        old = (user.role, user.venue)
        user.role, user.venue = role, (venue or "").strip() or None
        audit.record(session, actor, "user_role", entity="user", entity_id=user.id,
                     details={"field": "role", "old": old[0], "new": role,
                              "venue_old": old[1], "venue_new": user.venue})
        return _info(user)


def deactivate(caseload: Caseload, actor: Actor, user_id: str) -> UserInfo:
    """Stop an account signing in (leavers). Their records and audit history stay."""
    require(actor, "users.manage")
    if user_id == actor.user_id:
        raise UserError("You cannot deactivate your own account.")
    with caseload.transaction() as session:
        user = _user(session, user_id)
        _keep_an_admin(session, user)
        user.active = False
        audit.record(session, actor, "user_deactivate", entity="user", entity_id=user.id,
                     details={"username": user.username})
        return _info(user)


def reactivate(caseload: Caseload, actor: Actor, user_id: str) -> UserInfo:
    require(actor, "users.manage")
    with caseload.transaction() as session:
        user = _user(session, user_id)
        user.active, user.failed_attempts, user.locked_until = True, 0, None
        audit.record(session, actor, "user_reactivate", entity="user", entity_id=user.id,
                     details={"username": user.username})
        return _info(user)


def reset_password(caseload: Caseload, actor: Actor, user_id: str, new_password: str) -> None:
    """An admin sets a temporary password; the user must choose their own at next sign-in.
    Also lifts any lock-out."""
    require(actor, "users.manage")
    with caseload.transaction() as session:
        user = _user(session, user_id)
        check_password(session, new_password, user.username)
        user.password_hash = hash_password(new_password)
        user.must_change_password = True
        user.failed_attempts, user.locked_until = 0, None
        audit.record(session, actor, "password_reset", entity="user", entity_id=user.id,
                     details={"username": user.username})


def unlock_account(caseload: Caseload, actor: Actor, user_id: str) -> None:
    require(actor, "users.manage")
    with caseload.transaction() as session:
        user = _user(session, user_id)
        user.failed_attempts, user.locked_until = 0, None
        audit.record(session, actor, "user_unlock", entity="user", entity_id=user.id,
                     details={"username": user.username})


def change_password(caseload: Caseload, actor: Actor, old_password: str, new_password: str) -> None:
    """Oneself: the current password first, then a new one that passes the policy."""
    if actor.user_id is None:
        raise UserError("Scripts have no password to change.")
    with caseload.transaction() as session:
        user = _user(session, actor.user_id)
        if not verify_password(user.password_hash, old_password):
            raise SignInFailed("Your current password is not right; nothing was changed.")
        if old_password == new_password:
            raise WeakPassword("Choose a password different from the current one.")
        check_password(session, new_password, user.username)
        user.password_hash = hash_password(new_password)
        user.must_change_password = False
        audit.record(session, actor, "password_change", entity="user", entity_id=user.id)


def set_own_password(caseload: Caseload, actor: Actor, new_password: str) -> None:
    """Right after signing in with a password an admin set (``must_change_password``): choose
    one's own without typing the admin's again. Refused at any other time."""
    if actor.user_id is None:
        raise UserError("Scripts have no password to change.")
    with caseload.transaction() as session:
        user = _user(session, actor.user_id)
        if not user.must_change_password:
            raise PermissionDenied("Use 'Change password', which asks for the current one.")
        if verify_password(user.password_hash, new_password):
            raise WeakPassword("Choose a password different from the one the admin set.")
        check_password(session, new_password, user.username)
        user.password_hash = hash_password(new_password)
        user.must_change_password = False
        audit.record(session, actor, "password_change", entity="user", entity_id=user.id)


def needs_new_password(caseload: Caseload, actor: Actor) -> bool:
    """True after an admin set or reset the password: the user must choose their own."""
    if actor.user_id is None:
        return False
    with caseload.rows() as conn:  # plain SQL: asked on the way to the first rows
        must = conn.execute(text("SELECT must_change_password FROM users WHERE id = :id"),
                            {"id": actor.user_id}).scalar()
    return bool(must)


# --- the actor, checked again at every operation ---------------------------------------------


# --- signing in -----------------------------------------------------------------------------


def lock_length(failures: int, allowed: int) -> dt.timedelta:
    """One minute at the limit, doubling with each further failure, at most an hour."""
    doublings = max(0, failures - allowed)
    return min(FIRST_LOCK * (2 ** min(doublings, 10)), LONGEST_LOCK)


def _minutes(delta: dt.timedelta) -> str:
    minutes = max(1, -(-int(delta.total_seconds()) // 60))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def _failed(session: Session, user: User | None, now: dt.datetime, reason: str) -> SignInFailed:
    """Count the failure, lock if over the limit, audit it; the error to raise after commit."""
    who = Actor(user_id=user.id if user else None,
                username=user.username if user else UNKNOWN_USER, role="none")
    details = {"reason": reason}
    error: SignInFailed = SignInFailed(SIGN_IN_FAILED)
    if user is not None and reason == "wrong_password":
        allowed = settings.get(session, settings.LOCKOUT_ATTEMPTS)
        user.failed_attempts = (user.failed_attempts or 0) + 1
        if user.failed_attempts >= allowed:
            user.locked_until = now + lock_length(user.failed_attempts, allowed)
            details["locked_minutes"] = _minutes(user.locked_until - now)
            error = AccountLocked(SIGN_IN_FAILED, user.locked_until)
    audit.record(session, who, "sign_in_failed", entity="user",
                 entity_id=user.id if user else None, details=details)
    return error


# Who is signing in, looked up before the password check (outside the write transaction, in
# plain SQL): Argon2id then runs without the GIL while the models load beside it.
_SIGNING_IN = text("SELECT password_hash FROM users WHERE username = :name")


def _checked_before(caseload: Caseload, name: str, password: str) -> tuple[str | None, bool]:
    """The stored hash the password was checked against (None: no such user, and as much time
    was spent as for one) and whether it matched."""
    with caseload.rows() as conn:
        row: Row | None = conn.execute(_SIGNING_IN, {"name": name}).first()
    if row is None:
        _burn_time(password)
        return None, False
    return row.password_hash, verify_password(row.password_hash, password)


def sign_in(
    caseload: Caseload,
    username: str,
    password: str,
    *,
    now: dt.datetime | None = None,
    purpose: str = "sign_in",
) -> Actor:
    """The signed-in ``Actor``, or ``SignInFailed``/``AccountLocked`` (audited either way).

    ``purpose`` is "sign_in" or "unlock" (the idle lock screen), recorded in the audit event.
    The password is checked before the write transaction (``_checked_before``); inside it the
    account is read again and decides, its hash checked again if it changed in between, so
    the lock-out counters and the audit event are as they always were.
    """
    name = (username or "").strip().lower()
    checked_hash, good = _checked_before(caseload, name, password)
    from linkworker.models import User, utcnow

    now = now or utcnow()
    error: SignInFailed | None = None
    with caseload.transaction() as session:
        user = session.execute(select(User).where(User.username == name)).scalar_one_or_none()
        if user is not None and user.password_hash != checked_hash:
            good = verify_password(user.password_hash, password)
        if user is None:
            error = _failed(session, None, now, "unknown_user")
        elif user.locked_until is not None and user.locked_until > now:
            error = AccountLocked(SIGN_IN_FAILED, user.locked_until)
            _failed(session, user, now, "locked")
        elif not good:
            error = _failed(session, user, now, "wrong_password")
        elif not user.active:
            error = _failed(session, user, now, "inactive")
        else:
            user.failed_attempts, user.locked_until = 0, None
            if _HASHER.check_needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            actor = actor_for(user)
            audit.record(session, actor, "sign_in", entity="user", entity_id=user.id,
                         details={"purpose": purpose} if purpose != "sign_in" else None)
    if error is not None:
        raise error
    return actor


def sign_in_readonly(db_path, username: str, password: str,
                     passphrase: str | None = None) -> Actor:
    """Check a user's password against a caseload file without writing to it (nothing
    audited, no lock-out counted): for restoring over a caseload too damaged to sign in to,
    where the backup's own accounts decide who may restore it."""
    from sqlalchemy.orm import Session as _Session

    from linkworker.backup import _reader
    from linkworker.models import User
    from linkworker.storage import keys

    engine = _reader(db_path, keys.unlock_key(db_path, passphrase))
    try:
        with _Session(engine) as session:
            user = session.execute(select(User).where(
                User.username == (username or "").strip().lower())).scalar_one_or_none()
            good = user is not None and verify_password(user.password_hash, password)
            if user is None:
                _burn_time(password)
            if not good or not user.active:
                raise SignInFailed(SIGN_IN_FAILED)
            return actor_for(user)
    finally:
        engine.dispose()


def sign_out(caseload: Caseload, actor: Actor, reason: str = "sign_out") -> None:
    """Record a sign-out or a lock (``reason``); nothing else to undo: sessions are in memory."""
    if actor.user_id is None:
        return
    with caseload.transaction() as session:
        audit.record(session, actor, reason, entity="user", entity_id=actor.user_id)
