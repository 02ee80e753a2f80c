"""Sync as a link worker's laptop uses it: packs, status, conflicts, over an open caseload.

These are the functions the ``linkworker sync`` command and the window's Sync button call.
Each runs in one caseload transaction, so a pack is applied entirely or not at all, even if
the process is killed half way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session

from linkworker import audit
from linkworker.access import Actor
from linkworker.errors import UserError
from linkworker.models import SyncChange, SyncConflict
from linkworker.storage.database import Caseload
from linkworker.sync import baseline, changelog, marks, merge, packs, people, state, teamkey


@dataclass(frozen=True)
class SyncStatus:
    """What the window's sync indicator shows."""

    last_synced: dt.datetime | None
    changes_waiting: int  # to send: not yet sent in a pack or a sync, nor from the hub
    open_conflicts: int
    incoming_waiting: int  # received but waiting for something they depend on
    has_team_key: bool
    hub: str | None

    @property
    def summary(self) -> str:
        when = self.last_synced.strftime("%d/%m/%Y %H:%M") if self.last_synced else "never"
        parts = [f"Last synced {when}", f"{self.changes_waiting} changes waiting"]
        if self.open_conflicts:
            parts.append(f"{self.open_conflicts} to review")
        return " · ".join(parts)


def export_pack(caseload: Caseload, path: Path, *, everything: bool = False,
                actor: Actor | None = None) -> packs.PackInfo:
    """Write a pack; with ``actor`` (the CLI, the window) audited by name in the same
    transaction, so a pack leaves the laptop only with an event saying who took it."""
    baseline.prepare(caseload)  # a first log is committed table by table (bounded WAL)
    with caseload.transaction() as session:
        if actor is not None:  # first, so the pack carries its own event
            audit.record(session, actor, "sync.pack_export", details={
                "file": str(path), "all": everything})
            session.flush()
        return packs.export_pack(session.connection(), Path(path), everything=everything)


def import_pack(caseload: Caseload, path: Path, *, actor: Actor | None = None) -> merge.Applied:
    with caseload.transaction() as session:
        conn = session.connection()
        report = packs.import_pack(conn, Path(path))
        report.duplicates = people.duplicates_among(session, report.new_people)
        state.put(conn, "last_synced", _now())
        if actor is not None:
            audit.record(session, actor, "sync.pack_import", details={
                "file": str(path), "received": report.received, "new": report.new})
    from linkworker import rights  # (not at import: opening a caseload does not need it)

    # An erasure that arrived here stays erased here too, even after restoring an older backup.
    rights.register_received_erasures(caseload)
    return report


def status(caseload: Caseload) -> SyncStatus:
    with caseload.engine.connect() as conn:
        waiting = marks.count_unsent(conn, marks.pack_mark(conn))
        conflicts = conn.execute(select(func.count()).select_from(SyncConflict)
                                 .where(SyncConflict.resolved_at.is_(None))).scalar_one()
        pending = conn.execute(select(func.count()).select_from(SyncChange)
                               .where(changelog.WAITING)).scalar_one()
        last = state.get(conn, "last_synced")
        return SyncStatus(
            last_synced=dt.datetime.fromisoformat(last) if last else None,
            changes_waiting=waiting, open_conflicts=conflicts, incoming_waiting=pending,
            has_team_key=teamkey.current(conn) is not None, hub=state.get(conn, "hub"),
        )


def require_hub_for_returns(session: Session, actor: Actor, action: str) -> None:
    """Refuse on a laptop that syncs with a hub: returns and the claims ledger live there only,
    so a return is built and submitted in one place (a single-laptop charity has no hub). The
    refusal gives the command that does it at the hub (``action``: the options after
    ``hub return``, e.g. ``--contract X --period 2026-Q3 --submit``)."""
    if hub := returns_hub(session):
        raise UserError(
            f"Returns are submitted at the team's hub ({_shown(hub)}), not on a laptop, so the "
            "claims ledger stays in one place. At the hub, as its owner: "
            f"{hub_return_command(hub, actor, action)}")


def returns_hub(session: Session) -> str | None:
    """The hub this laptop syncs with, where its team's returns are submitted; ``None`` at the
    hub itself and on a laptop with no hub (a single-laptop charity submits on it)."""
    conn = session.connection()
    return state.get(conn, "hub") if conn.dialect.name == "sqlite" else None


def hub_return_command(hub: str, actor: Actor, action: str) -> str:
    """``linkworker hub return ...`` for this laptop's hub: the hub's owner logs in, not this
    laptop's own login (which may only push and pull)."""
    try:  # (``URL.set`` would keep the password)
        url = make_url(hub)._replace(username="OWNER", password=None).render_as_string()
    except (ArgumentError, ValueError):  # a hand-set hub value that is not a URL
        url = "postgresql://OWNER@HOST/DATABASE"
    return f"linkworker hub return {action} --by {actor.username} --url {url}"


def _shown(hub: str) -> str:
    """The hub's address without its password, for messages."""
    try:
        return make_url(hub).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "the hub set for this laptop"


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")
