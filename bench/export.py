"""``linkworker export DIR`` (export everything: every table as CSV plus the workbook).

    python -m bench --db COPY --people N --only export

Runs in a fresh process on the caseload (a copy: the export's audit line is written to it),
into a temporary folder beside the cache. Prints the wall time beside the target, the CPU time
(this process's and its worker processes', which write the tables: export_workers.py) and the
load average (the machine is shared: CPU seconds are the steadier figure), the rows
written and the process's peak memory (the export streams: it must not grow with the caseload).
Beside it, the floor: the same queries' rows fetched through SQLCipher on one connection with
no formatting and nothing written (``floor``), which no export can go below.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import CACHE, Bench, Row, in_child, passphrase


def run_export(caseload_path: str, folder: str) -> dict[str, Any]:
    """Runs in a child: export everything from the caseload."""
    from linkworker.access import SYSTEM
    from linkworker.io import export_all
    from linkworker.storage.database import Caseload

    with Caseload.open(Path(caseload_path), passphrase()) as caseload:
        started, cpu, workers = time.perf_counter(), time.process_time(), _workers_cpu()
        result = export_all(caseload, SYSTEM, Path(folder) / "export")
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        workers = _workers_cpu() - workers  # the worker processes, ended by now
        floor = read_floor(caseload)
    size = sum(p.stat().st_size for p in (Path(folder) / "export").iterdir())
    return {"seconds": round(seconds, 1), "cpu": round(cpu + workers, 1),
            "workers_cpu": round(workers, 1), "workers_mb": round(_workers_peak_mb()),
            "rows": sum(result.counts.values()), "mb": round(size / 2**20),
            "load": os.getloadavg()[0], **floor}


def _workers_cpu() -> float:
    """CPU seconds of this process's ended children: the export's worker processes."""
    times = os.times()
    return times.children_user + times.children_system


def _workers_peak_mb() -> float:
    """The largest ended child's peak memory (Linux reports kilobytes)."""
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def read_floor(caseload: Any) -> dict[str, Any]:
    """Every exported table's rows read through the export's own queries (the same scope and
    looked-up names) on one connection: fetched, not formatted, nothing written."""
    from linkworker.access import SYSTEM
    from linkworker.io import export_rows

    started, cpu, rows = time.perf_counter(), time.process_time(), 0
    with caseload.reading() as session:
        connection = session.connection()
        raw = connection.connection.dbapi_connection
        answers = export_rows._answer_width(session, SYSTEM)
        with export_rows._temporary_lookups(connection, SYSTEM):
            for table in export_rows.TABLES:
                cursor = raw.cursor()
                cursor.execute(export_rows._row_query(table, answers, connection.dialect).sql)
                while batch := cursor.fetchmany(2000):
                    rows += len(batch)
                cursor.close()
    return {"floor_s": round(time.perf_counter() - started, 1),
            "floor_cpu": round(time.process_time() - cpu, 1), "floor_rows": rows}


def measure(bench: Bench) -> list[Row]:
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="export-", dir=CACHE) as folder:
        # An export of 150,000 people on a loaded machine can take longer than the default.
        done = in_child("bench.export:run_export", str(bench.path), folder, timeout=4 * 3600)
    if "error" in done:
        return [Row("Export everything (CSV + XLSX)", "n/a", note=done["error"])]
    return [Row("Export everything (CSV + XLSX)", f"{done['seconds']:.1f} s", done["rss_mb"],
                f"{done['rows']:,} rows, {done['mb']:,} MB; CPU {done['cpu']:.1f} s (of it the "
                f"worker processes {done['workers_cpu']:.1f} s, each at most "
                f"{done['workers_mb']:,} MB); floor (the "
                f"same rows read, not written) {done['floor_s']:.1f} s, CPU "
                f"{done['floor_cpu']:.1f} s; load average {done['load']:.1f}",
                target="< 30 s at 50k")]
