"""``linkworker sync``: a laptop pushes its changes to the hub and pulls its scope back.

The laptop connects with its own hub login, which can do nothing but call the hub's two
functions (see ``linkworker.hub``). Push: the changes since the last push (never those that came
from the hub: ``marks``) go as sealed packs of ``BATCH`` changes; the push mark moves after
each is safely in the hub's inbox, so a dropped connection resumes where it stopped (a pack
sent twice is harmless). Pull: the hub returns the changes in this user's scope newer than
the pull mark, plus every change of any person who has newly come into scope; they are
applied in batches, each one transaction (whose new changes are noted as the hub's, so they
are never sent back), and the marks move only when the whole pull is in, so a pull cut
short is simply repeated. Last, people who have left this laptop's scope are removed from it
(``sync.leaving``; never before their changes are pushed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, OperationalError

from linkworker.access import Actor
from linkworker.errors import UserError
from linkworker.models import Person
from linkworker.storage import migrate
from linkworker.storage.database import Caseload
from linkworker.storage.server import describe_url, engine_for_url
from linkworker.sync import (
    baseline,
    leaving,
    marks,
    merge,
    packs,
    people,
    replica,
    state,
    teamkey,
)

BATCH = 2000
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class SyncReport:
    pushed: int
    pulled: int
    applied: int
    conflicts: int
    duplicates: tuple = ()  # people.Duplicate pairs found among the people pulled in
    removed: int = 0  # people who left this laptop's scope, removed from it (sync.leaving)
    kept_unsent: int = 0  # left the scope but still hold unsent changes: removed next time
    clashes: tuple[str, ...] = ()  # usernames held here by another account (merge.clash_advice)


class HubUnreachable(UserError):
    pass


def sync_with_hub(caseload: Caseload, url: str, progress: Progress | None = None, *,
                  bulk: bool = True, actor: Actor | None = None) -> SyncReport:
    """Push, pull, forget who left. ``bulk``: a laptop's first pull copies its replica in bulk
    (``sync.replica``) when the hub offers it; False replays the changes (the tests compare).
    ``actor``: who synced, audited with the hub and how much went each way (the window's
    Sync button and the command line both say; the event itself goes with the next sync)."""
    report = _noop if progress is None else progress
    hub = engine_for_url(url)
    try:
        _check_schema(hub, url)
        pushed = _push(caseload, hub, report)
        pulled, applied, conflicts, duplicates, left = _pull(caseload, hub, report, bulk)
        with caseload.engine.connect() as conn:
            left_clashes = merge.waiting_clashes(conn)
    except OperationalError as exc:
        raise HubUnreachable(
            f"The hub at {describe_url(url)} could not be reached ({_first_line(exc)}). "
            "Nothing was lost: what was not sent is still waiting; try again when online."
        ) from None
    finally:
        hub.dispose()
    with caseload.transaction() as session:
        state.put(session.connection(), "last_synced",
                  dt.datetime.now().isoformat(timespec="seconds"))
    from linkworker import rights  # (not at import: opening a caseload does not need it)

    rights.register_received_erasures(caseload)  # erased here too, and after any restore
    if left.removed or left.trimmed:
        caseload.checkpoint()  # the removed rows leave the WAL file too
    if actor is not None:
        _audit(caseload, actor, url, pushed, pulled)
    return SyncReport(pushed, pulled, applied, conflicts, tuple(duplicates), left.removed,
                      left.kept_unsent, tuple(sorted(set(left_clashes))))


def _audit(caseload: Caseload, actor: Actor, url: str, pushed: int, pulled: int) -> None:
    from linkworker import audit

    with caseload.transaction() as session:
        audit.record(session, actor, "sync.hub", details={
            "hub": describe_url(url), "sent": pushed, "received": pulled})


def _noop(done: int, total: int, text_: str) -> None:
    """No progress display."""


def _first_line(exc: DBAPIError) -> str:
    return str(exc.orig).strip().splitlines()[0] if exc.orig else "no answer"


def _check_schema(hub: Any, url: str) -> None:
    with hub.connect() as conn:
        theirs = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    ours = migrate.head_revision()
    if theirs == ours:
        return
    if theirs is not None and migrate.is_known(theirs):
        raise UserError(f"The hub is at an older schema ({theirs}; this laptop has {ours}): "
                        "ask whoever runs the hub to update it. Nothing was sent.")
    raise UserError(f"The hub runs a newer LinkWorker (schema {theirs}; this laptop has "
                    f"{ours}). Update LinkWorker on this laptop, then sync. Nothing was sent.")


def _push(caseload: Caseload, hub: Any, progress: Progress) -> int:
    sent = 0
    baseline.prepare(caseload)
    while True:
        with caseload.transaction() as session:
            conn = session.connection()
            key = teamkey.require(conn)
            mark = int(state.get(conn, "hub_pushed_seq", 0))
            total = marks.count_unsent(conn, mark)
            changes, last = packs.outgoing(conn, mark, limit=BATCH)
            if not changes:
                top = marks.newest_seq(conn)
                if top > mark:  # all above the mark came from the hub: nothing to echo
                    marks.pushed(conn, top)
                return sent
            header = {"format": 1, "team_key": key.key_id, "schema": migrate.head_revision(),
                      "device": state.device_id(conn), "after_seq": mark, "to_seq": last,
                      "changes": len(changes)}
            blob = packs.seal(key, header, changes)
            with hub.begin() as hub_conn:
                accepted = hub_conn.execute(text("SELECT linkworker_push(:p)"),
                                            {"p": blob}).scalar()
            if accepted is None:
                raise UserError("This hub login is not linked to a LinkWorker user; ask the "
                                "hub's admin to run 'linkworker hub add-user'.")
            marks.pushed(conn, last)
            sent += len(changes)
            progress(sent, sent + total - len(changes), "Sending changes to the hub")


def _pull(caseload: Caseload, hub: Any, progress: Progress, bulk: bool = True
          ) -> tuple[int, int, int, list, leaving.Left]:
    with caseload.engine.connect() as conn:
        mark = int(state.get(conn, "hub_pulled_seq", 0))
        known = list(state.get(conn, "hub_scope_people", []))
    copied = None
    duplicates: list = []
    # One snapshot, so the scope and the changes pulled agree.
    with hub.connect().execution_options(isolation_level="REPEATABLE READ") as hub_conn, \
            hub_conn.begin():
        scope = hub_conn.execute(text("SELECT person_id, whole FROM linkworker_scope()")).all()
        rows = []
        if bulk and mark == 0 and replica.available(hub_conn):
            # A first pull: streamed from the hub into one transaction here (``replica``).
            # The answer is staged in a scratch file apart from the caseload's WAL.
            with replica.scratch(caseload.engine, caseload.path) as on, \
                    caseload.transaction(on) as session:
                before = marks.newest_seq(session.connection())
                copied = replica.copy(session.connection(), hub_conn)
                marks.from_hub(session.connection(), before)
                duplicates += people.duplicates_among(session, copied.report.new_people)
        else:
            rows = [dict(r._mapping) for r in hub_conn.execute(
                text("SELECT * FROM linkworker_pull(:after, :known)"),
                {"after": mark, "known": known})]
    whole = {p for p, is_whole in scope if is_whole}
    venue = {p for p, is_whole in scope if not is_whole}
    changes = [{k: v for k, v in r.items() if k != "seq"} for r in rows]
    applied = conflicts = 0
    pulled, newest = len(rows), max([mark, *(r["seq"] for r in rows)])
    if copied is not None:
        applied, conflicts = copied.report.applied, len(copied.report.conflicts)
        pulled, newest = copied.changes, max(mark, copied.last_seq)
        progress(pulled, pulled, "Receiving the team's changes")
    for start in range(0, len(changes), BATCH):
        with caseload.transaction() as session:
            before = marks.newest_seq(session.connection())
            result = merge.receive(session.connection(), changes[start:start + BATCH])
            marks.from_hub(session.connection(), before)
            duplicates += people.duplicates_among(session, result.new_people)
        applied += result.applied
        conflicts += len(result.conflicts)
        progress(min(start + BATCH, len(changes)), len(changes), "Receiving the team's changes")
    with caseload.transaction() as session:
        conn = session.connection()
        state.put(conn, "hub_pulled_seq", newest)
        left = leaving.remove_out_of_scope(conn, whole, venue)
        here = set(session.scalars(select(Person.id)))
        state.put(conn, "hub_scope_people", sorted(here & whole))  # known whole: not resent
    return pulled, applied, conflicts, duplicates, left
