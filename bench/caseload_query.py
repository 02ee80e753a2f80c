"""The caseload list's queries over the whole caseload (a manager sees everyone).

Times ``linkworker.caseload``: the ordered id list, the first page of rows, and a name-prefix
search, each after a cold open in a fresh process.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bench.common import PASSPHRASE, Bench, Row, in_child


def run(path: str) -> dict[str, Any]:
    """Runs in a child."""
    from sqlalchemy import select

    from linkworker import caseload as listing
    from linkworker.access import Actor
    from linkworker.models import User
    from linkworker.storage.database import Caseload

    timings: dict[str, float] = {}

    def clock(name: str, func, *args, **kwargs):
        started = time.perf_counter()
        result = func(*args, **kwargs)
        timings[name] = round((time.perf_counter() - started) * 1000, 1)
        return result

    with clock("open", Caseload.open, Path(path), PASSPHRASE) as caseload:
        with caseload.reading() as s:
            manager_id, worker_id = (s.execute(select(User.id).where(User.username == name))
                                     .scalar_one() for name in ("manager", "worker1"))
        manager = Actor(manager_id, "manager", "manager")
        worker = Actor(worker_id, "worker1", "link_worker")
        everyone = listing.CaseloadFilter(include_exited=True)
        ids = clock("all_ids", listing.person_ids, caseload, manager, everyone)
        clock("first_page", listing.rows_for, caseload, manager, ids[: listing.PAGE_SIZE])
        current = clock("current_ids", listing.person_ids, caseload, manager,
                        listing.CaseloadFilter())
        found = clock("search", listing.person_ids, caseload, manager,
                      listing.CaseloadFilter(text="rob", include_exited=True))
        own = clock("own_ids", listing.person_ids, caseload, worker,
                    listing.own_caseload(worker))
        clock("own_page", listing.rows_for, caseload, worker, own[: listing.PAGE_SIZE])
    return {"ms": timings, "counts": {"all": len(ids), "current": len(current),
                                      "search": len(found), "own": len(own)}}


def measure(bench: Bench) -> list[Row]:
    result = in_child("bench.caseload_query:run", str(bench.path))
    if "error" in result:
        return [Row("Caseload query", "n/a", note=result["error"])]
    ms, counts, rss = result["ms"], result["counts"], result["rss_mb"]
    return [
        Row("Open caseload (passphrase, cold)", f"{ms['open']:.0f} ms", note="Argon2id unwrap"),
        Row("Caseload ids, everyone", f"{ms['all_ids']:.0f} ms",
            note=f"{counts['all']:,} people, sorted by name"),
        Row("Caseload first page (100 rows)", f"{ms['first_page']:.0f} ms"),
        Row("Caseload ids, current journeys", f"{ms['current_ids']:.0f} ms",
            note=f"{counts['current']:,} people"),
        Row("Name search 'rob', everyone", f"{ms['search']:.0f} ms",
            note=f"{counts['search']:,} matches"),
        Row("worker1's own caseload + page", f"{ms['own_ids'] + ms['own_page']:.0f} ms", rss,
            note=f"{counts['own']:,} people"),
    ]
