"""Demo generation: the cached design-point build, and a fresh 2,000-person run (``make run``)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import PASSPHRASE, SEED, Bench, Row, in_child

SMALL = 2000


def build(path: str, people: int, seed: int) -> dict[str, Any]:
    """Runs in a child: create the caseload and fill it, timing the fill."""
    from linkworker.demo import generate
    from linkworker.storage.database import Caseload

    with Caseload.create(Path(path), PASSPHRASE) as caseload:
        started = time.perf_counter()
        summary = generate(caseload, people=people, seed=seed)
        seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 1), "rows": summary.rows,
            "size_mb": round(Path(path).stat().st_size / 1e6)}


def measure(bench: Bench) -> list[Row]:
    meta = bench.meta
    if meta.get("external"):
        return [Row("Caseload size", f"{meta['size_mb']:,} MB", note=f"{bench.path.name} (--db)")]
    rows = meta["rows"]
    when = f"cached, built {meta['built_on']}" if meta.get("cached") else "built this run"
    out = [
        Row(f"Demo generation, {bench.people:,} people", f"{meta['seconds']:.0f} s",
            meta.get("rss_mb"), when),
        Row("Caseload size", f"{meta['size_mb']:,} MB",
            note=f"{rows['people']:,} people, {rows['contacts']:,} contacts, "
                 f"{rows['measures']:,} measures, {rows['goals']:,} goals"),
    ]
    with tempfile.TemporaryDirectory(prefix="linkworker-bench-") as folder:
        small = in_child("bench.demo:build", str(Path(folder) / "small.db"), SMALL, SEED)
    if "error" in small:
        out.append(Row(f"Demo generation, {SMALL:,} people", "n/a", note=small["error"]))
    else:
        out.append(Row(f"Demo generation, {SMALL:,} people", f"{small['seconds']:.1f} s",
                       small["rss_mb"], "what 'make run' builds the first time"))
    return out
