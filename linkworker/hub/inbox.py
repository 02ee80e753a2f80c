"""The hub applies what laptops pushed, after checking every change against the pusher.

Each pack in ``hub_inbox`` is opened with the team key, its schema checked, and every change
checked *with the hub's own data* (not what the laptop claims): the record's person must be in
the pushing user's scope at the hub (or be a person that same pack creates), the role must be
allowed to change that kind of record, and the claims ledger and returns are never accepted
from a laptop (they are built and submitted at the hub only). One change out of bounds refuses
the whole pack, with the reason kept in the inbox; otherwise it is applied in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, MetaData, String, Table, select, text
from sqlalchemy.engine import Connection

from linkworker.access import Actor, people_scope
from linkworker.errors import UserError
from linkworker.models import Person, User
from linkworker.storage.server import ServerCaseload
from linkworker.sync import merge, packs, teamkey
from linkworker.sync.changelog import CHANGES, person_of
from linkworker.sync.tables import RULES

# Reference data only these roles may change from a laptop; everything else is person-scoped.
REFERENCE_EDITORS = {
    "users": {"admin"},
    "settings": {"admin"},
    "instruments": {"admin"},
    "contracts": {"manager"},
    "services": {"link_worker", "coordinator", "manager", "admin"},
}
HUB_ONLY = {name for name, rule in RULES.items() if rule.hub_only}
# What a coordinator may write about a person: attendance and quick forms at a venue.
COORDINATOR_TABLES = {"contacts", "measures", "measure_answers", "audit_events", "people",
                      "episodes", "person_access", "consents"}


# The hub's login table (made by hub.schema, outside the models: laptops never have it).
_ACCOUNTS = Table("hub_accounts", MetaData(), Column("role_name", String),
                  Column("user_id", String))


class Refused(UserError):
    pass


@dataclass
class InboxReport:
    applied: int = 0
    refused: list[str] = field(default_factory=list)
    changes: int = 0


def apply_inbox(hub: ServerCaseload) -> InboxReport:
    """Apply every waiting pack, oldest first, each all-or-nothing."""
    report = InboxReport()
    while True:
        with hub.transaction() as session:
            conn = session.connection()
            item = conn.execute(text(
                "SELECT id, role_name, pack FROM hub_inbox WHERE applied_at IS NULL "
                "AND refused IS NULL ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED")).first()
            if item is None:
                return report
            try:
                with conn.begin_nested():
                    applied = _apply_one(conn, item.role_name, bytes(item.pack))
                conn.execute(text("UPDATE hub_inbox SET applied_at = now() AT TIME ZONE 'utc' "
                                  "WHERE id = :id"), {"id": item.id})
                report.applied += 1
                report.changes += applied.new
            except (UserError, ValueError) as exc:
                conn.execute(text("UPDATE hub_inbox SET refused = :why WHERE id = :id"),
                             {"why": str(exc), "id": item.id})
                report.refused.append(f"pack {item.id} from {item.role_name}: {exc}")


def _apply_one(conn: Connection, role_name: str, blob: bytes) -> merge.Applied:
    return apply_pack_as(conn, _actor_for(conn, role_name), blob)


def apply_pack_as(conn: Connection, actor: Actor, blob: bytes) -> merge.Applied:
    """Apply a laptop's pack as ``actor`` may: the team key only proves the pack came from the
    team, so what each change may touch is judged by who made it, with the hub's own data."""
    header, changes = packs.unseal(teamkey.require(conn), blob)
    packs.check_schema(header.get("schema"), "pack")
    known = merge.known_ids(conn, [c["change_id"] for c in changes])
    fresh = [c for c in changes if c["change_id"] not in known]  # echoes of the hub's own
    check_changes(conn, actor, fresh)
    applied = merge.receive(conn, fresh)
    forget_erased(conn, fresh)
    return applied


def forget_erased(conn: Connection, changes: list[dict[str, Any]]) -> None:
    """An erasure pushed by a laptop also scrubs the hub's change log and its audit details
    about the person, so no later pull or pack hands the old values out again; an edit of an
    erased person arriving late is scrubbed away again."""
    from sqlalchemy.orm import Session

    from linkworker import audit, rights

    erased = set(rights.erased_in(changes))
    touched = erased | {c["person_id"] for c in changes if c.get("person_id")}
    for person_id in sorted(touched):
        with Session(bind=conn) as session:
            person = session.get(Person, person_id)
            if person is None or person.anonymised_at is None:
                continue
            if person_id in erased:
                audit.redact_person(session, person_id, person.anonymised_at.date())
                rights.scrub_change_log(session, person_id, person.reference)
            else:  # a laptop's edit made before it heard of the erasure
                rights.scrub_again(session, person_id)
            session.commit()  # into the pack's savepoint (the hub transaction commits it)


def actor_named(conn: Connection, username: str) -> Actor:
    """The hub's active user ``username`` (the one whose laptop made a pack carried in)."""
    row = conn.execute(select(User.id, User.username, User.role, User.active)
                       .where(User.username == username)).first()
    if row is None or not row.active:
        raise Refused(f"{username!r} is not an active LinkWorker user at the hub.")
    return Actor(user_id=row.id, username=row.username, role=row.role)


def _actor_for(conn: Connection, role_name: str) -> Actor:
    row = conn.execute(
        select(User.id, User.username, User.role, User.active)
        .join_from(User, _ACCOUNTS, _ACCOUNTS.c.user_id == User.id)
        .where(_ACCOUNTS.c.role_name == role_name)).first()
    if row is None or not row.active:
        raise Refused(f"{role_name} is not an active LinkWorker user at the hub.")
    return Actor(user_id=row.id, username=row.username, role=row.role)


def check_changes(conn: Connection, actor: Actor, changes: list[dict[str, Any]]) -> None:
    """Raise ``Refused`` naming the first change the pusher may not make at the hub."""
    created = {c["row_id"] for c in changes if c["table_name"] == "people" and c["op"] == "insert"
               and not _exists(conn, "people", c["row_id"])}
    if created and actor.role not in ("link_worker", "coordinator", "manager"):
        raise Refused("This user's role may not add people.")
    owners: dict[str, set[str]] = {}
    for change in changes:
        name = change["table_name"]
        if name not in RULES:
            raise Refused(f"unknown kind of record {name!r}")
        if name in HUB_ONLY:
            raise Refused("The claims ledger and returns are made at the hub only; "
                          "a laptop cannot send them.")
        if name in REFERENCE_EDITORS:
            if actor.role not in REFERENCE_EDITORS[name]:
                raise Refused(f"A {actor.role.replace('_', ' ')} may not change {name}.")
            continue
        if actor.role == "coordinator" and name not in COORDINATOR_TABLES:
            raise Refused(f"A coordinator may not change {name.replace('_', ' ')}.")
        person = _true_person(conn, change)
        if person is not None and person not in created:
            owners.setdefault(person, set()).add(change["change_id"])
    reachable = _reachable(conn, actor, list(owners))
    outside = set(owners) - reachable
    outside = sorted(outside - _formerly_theirs(conn, actor, outside))
    if outside:
        raise Refused(f"{len(owners[outside[0]])} change(s) are about a person outside "
                      f"{actor.username}'s caseload at the hub; nothing was applied.")


def _true_person(conn: Connection, change: dict[str, Any]) -> str | None:
    """The person a change is about, from the hub's own records where they exist."""
    rule = RULES[change["table_name"]]
    where = [rule.table.c[k] == v for k, v in rule.identity_values(change["row_id"]).items()]
    row = conn.execute(select(rule.table).where(*where)).first()
    values = dict(row._mapping) if row is not None else dict(change.get("data") or {})
    if row is None and change["op"] != "insert":
        return change.get("person_id")
    return person_of(conn, rule, values) or (change.get("person_id") if row is None else None)


def _reachable(conn: Connection, actor: Actor, people: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(people), 500):
        chunk = people[start:start + 500]
        found.update(conn.execute(select(Person.id).where(
            Person.id.in_(chunk), people_scope(actor, "view"))).scalars())
    return found


def _formerly_theirs(conn: Connection, actor: Actor, people: set[str]) -> set[str]:
    """People once on this link worker's caseload (the hub's log shows a journey of theirs
    assigned to them) and since given to someone else. The edits their laptop made before it
    heard of the handover are accepted, not refused: refusing them would lose the last visit's
    notes. Their laptop removes the person at the same sync (``sync.leaving``), after pushing."""
    if actor.role != "link_worker" or not people:
        return set()
    rows = conn.execute(select(CHANGES.c.person_id, CHANGES.c.data).where(
        CHANGES.c.person_id.in_(sorted(people)), CHANGES.c.table_name == "episodes",
        CHANGES.c.applied)).all()
    return {p for p, data in rows if (data or {}).get("worker_id") == actor.user_id}


def _exists(conn: Connection, table: str, row_id: str) -> bool:
    rule = RULES[table]
    return conn.execute(select(rule.table.c.id).where(rule.table.c.id == row_id)).first() \
        is not None

