"""A link worker's day at the design point: the Due badge, then Today and Due as their pages
read them.

The main window asks for ``count_due`` at start-up (the navigation badge), so it is timed
first, straight after a cold open, for worker1 (their own caseload) and for a manager looking
at everyone. Then what each page waits for before its first rows, read as the views read them:
Today's three lists a page each (``today_page``), Due's first page of "Everything due"
(``due_first_keys``, ``due_rows``); then what follows the first rows (Today's counts, Due's
every key with each "Show" choice's first page, and its overdue tasks), and a scroll to 90% of
each of Today's lists (its keys read once, then the page there by key). Wall and CPU time for
each, in one fresh process: on a loaded machine the CPU time is the steadier figure.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path
from typing import Any

from bench.common import Bench, Row, in_child, passphrase

PAGE_ROWS = 200  # as ui.person_list.PAGE_ROWS (the bench's child imports no Qt)


def _timed(func, *args) -> tuple[Any, dict[str, float]]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = func(*args)
    return result, {"s": round(time.perf_counter() - wall, 3),
                    "cpu": round(time.process_time() - cpu, 3)}


def _due_first(caseload, actor, worker, day):
    """What Due's first read does: the first page of "Everything due", cut in the database."""
    from linkworker import today

    keys = today.due_first_keys(caseload, actor, worker, day, None, PAGE_ROWS)
    return today.due_rows(caseload, actor, keys, day)


def _due_rest(caseload, actor, worker, day):
    """What Due reads after its first rows: every key, then each choice's first page."""
    from linkworker import today

    keys = today.due_keys(caseload, actor, worker, day)
    for kind in (None, "review", "measure", "contact"):
        shown = [k for k in keys if kind is None or k.kind == kind]
        today.due_rows(caseload, actor, shown[:PAGE_ROWS], day)
    return keys


def _deep_pages(caseload, actor, worker, day) -> dict[str, Any]:
    """A scroll to 90% of each of Today's lists, as the view reads it: the list's keys (read
    once, after the counts), then the page there by its keys. Timed apart: (keys, page)."""
    from linkworker import today

    times: dict[str, Any] = {}
    for part in today.TODAY_LISTS:
        listed = today.TodayList(actor, worker, day, part)
        keys, read = _timed(listed.read_keys, caseload)
        deep = len(keys) * 9 // 10
        _rows, page = _timed(listed.page, caseload, max(deep, 1), PAGE_ROWS)
        times[part] = {"keys": read, "page": page, "at": deep}
    return times


def _steps() -> dict[str, Any]:
    """What is timed, in order: each called with (caseload, actor, worker, day)."""
    from linkworker import today

    def first_pages(caseload, actor, worker, day):
        return {part: today.today_page(caseload, actor, worker, day, part, 0, PAGE_ROWS)
                for part in today.TODAY_LISTS}

    return {"count": today.count_due, "today": first_pages, "today_counts": today.today_counts,
            "due": _due_first, "due_keys": _due_rest, "due_tasks": today.overdue_tasks}


def run(path: str) -> dict[str, Any]:
    """Runs in a child."""
    from sqlalchemy import select

    from linkworker.access import Actor
    from linkworker.models import User
    from linkworker.storage.database import Caseload

    day = dt.date.today()
    times: dict[str, dict[str, float]] = {}
    counts: dict[str, Any] = {}
    with Caseload.open(Path(path), passphrase()) as caseload:
        with caseload.reading() as s:
            actors = {name: Actor(uid, name, role) for uid, name, role in s.execute(
                select(User.id, User.username, User.role)
                .where(User.username.in_(("manager", "worker1"))))}
        for who, worker in (("worker1", "own"), ("manager", None)):
            actor = actors[who]
            shown = actor.user_id if worker == "own" else None
            for name, step in _steps().items():
                result, times[f"{who}.{name}"] = _timed(step, caseload, actor, shown, day)
                if name == "count":
                    counts[f"{who}.count"] = list(result)
                elif name == "today_counts":
                    counts[f"{who}.today"] = [result.appointments, result.later, result.tasks]
                elif name == "due_keys":
                    counts[f"{who}.due"] = len(result)
            counts[f"{who}.deep"] = _deep_pages(caseload, actor, shown, day)
    return {"times": times, "counts": counts, "load": round(os.getloadavg()[0], 1)}


def _figure(t: dict[str, float]) -> str:
    return f"{t['s']:.2f} s"


def measure(bench: Bench) -> list[Row]:
    result = in_child("bench.today:run", str(bench.path))
    if "error" in result:
        return [Row("Today and Due", "n/a", note=result["error"])]
    times, counts, load = result["times"], result["counts"], result["load"]
    rows = []
    for who, label in (("worker1", "worker1's own"), ("manager", "manager, everyone")):
        t = {name: times[f"{who}.{name}"] for name in
             ("count", "today", "today_counts", "due", "due_keys", "due_tasks")}
        due, overdue = counts[f"{who}.count"]
        appointments, later, tasks = counts[f"{who}.today"]
        rows += [
            Row(f"Due badge count_due, {label}", _figure(t["count"]),
                note=f"CPU {t['count']['cpu']:.2f} s; {due:,} due this week, {overdue:,} overdue"
                     + (" (first query after a cold open)" if who == "worker1" else "")),
            Row(f"Today first rows, {label}", _figure(t["today"]), target="< 2 s",
                note=f"CPU {t['today']['cpu']:.2f} s; a page of each list; counted after: "
                     f"{_figure(t['today_counts'])} (CPU {t['today_counts']['cpu']:.2f} s), "
                     f"{appointments:,} appointments, {later:,} later, {tasks:,} tasks"),
            Row(f"Due first rows, {label}", _figure(t["due"]), target="< 2 s",
                rss_mb=result["rss_mb"] if who == "manager" else None,
                note=f"CPU {t['due']['cpu']:.2f} s; a page of everything due; after: "
                     f"every key and each choice's first page {_figure(t['due_keys'])} (CPU "
                     f"{t['due_keys']['cpu']:.2f} s, {counts[f'{who}.due']:,} items), overdue "
                     f"tasks {_figure(t['due_tasks'])}; load {load}"),
            _deep_row(label, counts[f"{who}.deep"]),
        ]
    return rows


def _deep_row(label: str, deep: dict[str, Any]) -> Row:
    """Today's slowest page at 90% of a list, besides each list's keys read once."""
    slowest = max(deep.values(), key=lambda d: d["page"]["s"])
    keys = ", ".join(f"{part} {d['keys']['s']:.2f} s (CPU {d['keys']['cpu']:.2f})"
                     for part, d in deep.items())
    return Row(f"Today page at 90% of a list, {label}", _figure(slowest["page"]),
               target="< 2 s", note=f"CPU {slowest['page']['cpu']:.2f} s, by its keys (no "
               f"OFFSET); the keys, read once after the counts: {keys}")
