"""The floor under "search per keystroke": the same keystrokes answered by hand-written SQL.

In a fresh process, ``sqlcipher3`` alone (no SQLAlchemy, no LinkWorker module, the app's page
cache size): for each keystroke the bench types, the caseload's search index (migration 0006)
is asked for the first 100 matching people in its own order (FTS5, rowid order) and their
rows are read by id; the first keystrokes after opening read cold pages, as the app's do.
The app does more than this (the list's exact order, the current journey and worker of each
row, a Qt model), so its figure is printed beside this one. The raw key arrives in the
environment (``BENCH_RAW_KEY``), as for ``bench/floor.py``.
"""

from __future__ import annotations

import os
import re
import statistics
import time
from typing import Any

ROWS = "SELECT id, reference, family_name, given_name, postcode FROM people WHERE id IN ({})"
FIRST = ("SELECT c.person_id FROM person_search s JOIN caseload_entries c ON c.entry = s.rowid "
         "WHERE person_search MATCH ? ORDER BY s.rowid LIMIT 100")


def run(path: str, username: str, own: bool, typed: list[str]) -> dict[str, Any]:
    """Runs in a child with ``BENCH_RAW_KEY`` set."""
    import sqlcipher3

    conn = sqlcipher3.connect(path)
    conn.execute(f"PRAGMA key = \"x'{os.environ['BENCH_RAW_KEY']}'\"")
    conn.execute("PRAGMA cache_size = -40960")
    worker = conn.execute("SELECT id FROM users WHERE username = ?", (username,)).fetchone()[0]
    limit = 'list : "open"' + (f' AND list : "w{worker.replace("-", "")}"' if own else "")
    times = []
    for word in typed:
        for end in range(1, len(word) + 1):
            words = re.findall(r"\w+", word[:end])
            started = time.perf_counter()
            ids = [r[0] for r in conn.execute(FIRST, (f'"{" ".join(words)}"* AND {limit}',))]
            conn.execute(ROWS.format(",".join("?" * len(ids))), ids).fetchall()
            times.append((time.perf_counter() - started) * 1000)
    conn.close()
    return {"worst_ms": round(max(times), 1), "mean_ms": round(statistics.mean(times), 1)}
