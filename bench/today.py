"""A link worker's day at the design point: the Due badge, Today, and Due and overdue.

The main window asks for ``count_due`` at start-up (the navigation badge), so it is timed
first, straight after a cold open, for worker1 (their own caseload) and for a manager looking
at everyone. Then Today and the Due list for each. All in one fresh process.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from bench.common import Bench, Row, in_child, passphrase, timed


def run(path: str) -> dict[str, Any]:
    """Runs in a child."""
    from sqlalchemy import select

    from linkworker import today
    from linkworker.access import Actor
    from linkworker.models import User
    from linkworker.storage.database import Caseload

    day = dt.date.today()
    ms: dict[str, float] = {}
    counts: dict[str, Any] = {}
    with Caseload.open(Path(path), passphrase()) as caseload:
        with caseload.reading() as s:
            actors = {name: Actor(uid, name, role) for uid, name, role in s.execute(
                select(User.id, User.username, User.role)
                .where(User.username.in_(("manager", "worker1"))))}
        for who, worker in (("worker1", "own"), ("manager", None)):
            actor = actors[who]
            shown = actor.user_id if worker == "own" else None
            for name, func in (("count", today.count_due), ("today", today.today_items),
                               ("due", today.due_and_overdue)):
                result, seconds = timed(func, caseload, actor, shown, day)
                ms[f"{who}.{name}"] = round(seconds * 1000, 1)
                counts[f"{who}.{name}"] = (
                    list(result) if name == "count" else len(result) if name == "due"
                    else [len(result.appointments), len(result.tasks)])
    return {"ms": ms, "counts": counts}


def measure(bench: Bench) -> list[Row]:
    result = in_child("bench.today:run", str(bench.path))
    if "error" in result:
        return [Row("Today and Due", "n/a", note=result["error"])]
    ms, counts = result["ms"], result["counts"]
    rows = []
    for who, label in (("worker1", "worker1's own"), ("manager", "manager, everyone")):
        due, overdue = counts[f"{who}.count"]
        appointments, tasks = counts[f"{who}.today"]
        rows += [
            Row(f"Due badge count_due, {label}", f"{ms[f'{who}.count']:.0f} ms",
                note=f"{due:,} due this week, {overdue:,} overdue"
                     + (" (first query after a cold open)" if who == "worker1" else "")),
            Row(f"Today list, {label}", f"{ms[f'{who}.today']:.0f} ms",
                note=f"{appointments:,} appointments, {tasks:,} tasks"),
            Row(f"Due and overdue list, {label}", f"{ms[f'{who}.due']:.0f} ms",
                result["rss_mb"] if who == "manager" else None,
                note=f"{counts[f'{who}.due']:,} items"),
        ]
    return rows
