"""Sync packs at the hub, for a laptop that stays offline (a venue with no Wi-Fi for weeks).

``pack_for_user`` writes the changes within one user's scope since the last pack made for
them (the same scope ``linkworker_pull`` gives their laptop online: never the whole caseload
on a USB stick); ``import_pack_from`` applies a laptop's pack at the hub in one transaction,
checked against the user who made it exactly as ``hub apply`` checks an online push (the team
key is shared by the whole team, so it cannot say whose pack it is: the operator names them).
"""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import select

from linkworker.access import Actor, people_scope, sees_everyone
from linkworker.errors import NotFound
from linkworker.hub import inbox
from linkworker.models import Person, User, utcnow
from linkworker.storage import migrate
from linkworker.storage.database import Caseload
from linkworker.storage.files import atomic_write_bytes
from linkworker.sync import merge, packs, people, state, teamkey
from linkworker.sync.changelog import CHANGES
from linkworker.sync.tables import RULES

NOT_FOR_LAPTOPS = {name for name, rule in RULES.items() if rule.hub_only} | {"audit_events"}


def pack_for_user(hub: Caseload, username: str, path: Path) -> packs.PackInfo:
    with hub.transaction() as s:
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"There is no user {username!r} at the hub.")
        actor = Actor(user.id, user.username, user.role)
        conn = s.connection()
        key = teamkey.require(conn)
        mark_key = f"pack_seq:{user.id}"
        since = int(state.get(conn, mark_key, 0))
        everyone = sees_everyone(actor)
        scope = set() if everyone else set(s.scalars(select(Person.id).where(
            people_scope(actor, "view"))))
        rows = conn.execute(select(CHANGES).where(CHANGES.c.seq > since, CHANGES.c.applied)
                            .order_by(CHANGES.c.seq)).all()
        chosen = [{k: r._mapping[k] for k in merge.CHANGE_FIELDS} for r in rows
                  if everyone or (r.table_name not in NOT_FOR_LAPTOPS
                                  and (r.person_id is None or r.person_id in scope))]
        last = rows[-1].seq if rows else since
        header = {"format": 1, "team_key": key.key_id, "schema": migrate.head_revision(),
                  "device": state.device_id(conn), "pack": str(uuid.uuid4()), "for": username,
                  "hub": True,
                  "after_seq": since, "to_seq": last, "changes": len(chosen),
                  "made_at": utcnow().isoformat(timespec="seconds")}
        atomic_write_bytes(path, packs.seal(key, header, chosen))
        state.put(conn, mark_key, last)
        return packs.PackInfo(Path(path), len(chosen), header)


def import_pack_from(hub: Caseload, username: str, path: Path) -> merge.Applied:
    """Apply ``username``'s pack at the hub, all of it or none of it, refusing any change that
    user may not make (a worker's pack cannot reach outside their scope by travelling on a USB
    stick instead of the network)."""
    blob = packs.read(path)
    with hub.transaction() as s:
        conn = s.connection()
        applied = inbox.apply_pack_as(conn, inbox.actor_named(conn, username), blob)
        applied.duplicates = people.duplicates_among(s, applied.new_people)
        return applied
