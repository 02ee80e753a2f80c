"""The demo organisation: staff who can sign in, and a directory of about 100 local services.

Every demo account's password is "demo". Argon2 is slow on purpose, so the password is hashed
once and the same hash string is stored for every account (each hash carries its own salt, so
this is exactly what hashing each one separately would verify as).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from linkworker.accounts import hash_password
from linkworker.demo.world import World
from linkworker.models import Service, User

DEMO_PASSWORD = "demo"
# Where the coordinator runs the drop-ins: the demo's group sessions are held there, so
# signing in as the coordinator shows a real drop-in register.
DROP_IN_VENUE = "Elswick Community Centre"
MIN_WORKERS, MAX_WORKERS, PEOPLE_PER_WORKER = 3, 60, 40
FIXED_STAFF = (
    ("admin", "Pat Morrison", "admin", None),
    ("manager", "Jo Fletcher", "manager", None),
    ("coordinator", "Sam Okoye", "coordinator", DROP_IN_VENUE),
)


def worker_count(people: int) -> int:
    return min(MAX_WORKERS, max(MIN_WORKERS, round(people / PEOPLE_PER_WORKER)))


def user_rows(world: World, session: Session, people: int) -> tuple[list[dict], list[str]]:
    """New user rows, and the ids of the link workers (existing demo workers are reused).

    An account that already exists is never touched: re-running the demo into a demo caseload
    must not reset a password someone changed.
    """
    existing = dict(session.execute(select(User.username, User.id)).all())
    password_hash = hash_password(DEMO_PASSWORD)
    since = world.stamp(world.today - dt.timedelta(days=6 * 365))
    staff = list(FIXED_STAFF)
    for n in range(1, worker_count(people) + 1):
        given = world.pick(world.data.given_names[("british", world.pick("FM"))])
        family = world.pick(world.data.family_names[world.pick(("british", "british", "irish",
                                                               "pakistani", "african"))])
        staff.append((f"worker{n}", f"{given} {family}", "link_worker", None))
    rows, workers = [], []
    for username, display, role, venue in staff:
        user_id = existing.get(username)
        if user_id is None:
            user_id = world.new_id()
            rows.append({
                "id": user_id, "created_at": since, "updated_at": since, "username": username,
                "display_name": display, "role": role, "password_hash": password_hash,
                "active": True, "venue": venue, "failed_attempts": 0, "locked_until": None,
                "must_change_password": False,
            })
        if role == "link_worker":
            workers.append(user_id)
    return rows, workers


def service_rows(world: World, session: Session) -> tuple[list[dict], dict[str, list[str]]]:
    """The directory, unless the caseload already has one (then signposting uses it)."""
    existing = session.execute(select(Service.category, Service.id)).all()
    by_category: dict[str, list[str]] = {}
    if existing:
        for category, service_id in existing:
            by_category.setdefault(category, []).append(service_id)
        return [], by_category
    rows = []
    for n, template in enumerate(world.data.services):
        service_id = world.new_id()
        checked = world.today - world.days(0, 700)
        stamp = world.stamp(checked)
        rows.append({
            "id": service_id, "created_at": stamp, "updated_at": stamp, "name": template.name,
            "category": template.category, "description": template.description,
            "venue": template.venue, "address": None, "postcode": None,
            "times": template.times, "contact_name": None,
            "phone": f"0191 498 0{n:03d}", "email": None,
            "website": f"https://example.org/services/{n + 1}",
            "accessibility": template.accessibility, "last_checked": checked,
            "active": not world.chance(0.04), "external_ref": None,
        })
        by_category.setdefault(template.category, []).append(service_id)
    return rows, by_category
