"""Import at the design point: 50,000 people from a CSV ("export everything": bench/export.py).

    python -m bench --only import

The import is timed end to end (read, check every row, plan, write in one transaction) into a
fresh caseload, then again with the same file (every row matched, nothing written).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import PASSPHRASE, Bench, Row, in_child

PEOPLE = 50_000


def write_people_csv(path: Path, rows: int) -> None:
    """A realistic file: Excel-style dates, spaced NHS numbers, lower-case postcodes."""
    from linkworker.validation import nhs_check_digit

    lines = ["Client ID,First name,Surname,DOB,NHS No,Post code,Ethnicity,Sex,Phone"]
    made = 0
    for n in range(rows):
        stem = f"{900000000 + n:09d}"
        check = nhs_check_digit(stem)
        nhs = f"{stem[:3]} {stem[3:6]} {stem[6:]}{check}" if check is not None else ""
        made += bool(nhs)
        lines.append(f"C{n:06d},Person{n},Family{n % 997},{1 + n % 28:02d}/{1 + n % 12:02d}/"
                     f"{1940 + n % 60},{nhs},ne{1 + n % 9} {n % 9}aa,White British,"
                     f"{'MF'[n % 2]},07700 9{n % 100000:05d}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_import(folder: str, rows: int) -> dict[str, Any]:
    """Runs in a child: import the file twice into a fresh caseload."""
    from linkworker.access import SYSTEM
    from linkworker.io import import_file
    from linkworker.storage.database import Caseload

    csv_path = Path(folder) / "people.csv"
    write_people_csv(csv_path, rows)
    with Caseload.create(Path(folder) / "import.db", PASSPHRASE) as caseload:
        started = time.perf_counter()
        first = import_file(caseload, SYSTEM, csv_path, "people")
        middle = time.perf_counter()
        second = import_file(caseload, SYSTEM, csv_path, "people")
        ended = time.perf_counter()
    return {"first": round(middle - started, 1), "again": round(ended - middle, 1),
            "new": first.plan.counts["new"], "unchanged": second.plan.counts["unchanged"],
            "problems": len(first.problems)}


def measure(bench: Bench) -> list[Row]:
    out: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="linkworker-bench-") as folder:
        done = in_child("bench.import:run_import", folder, PEOPLE)
        if "error" in done:
            out.append(Row(f"Import {PEOPLE:,} people (CSV)", "n/a", note=done["error"]))
        else:
            out.append(Row(f"Import {PEOPLE:,} people (CSV)", f"{done['first']:.1f} s",
                           done["rss_mb"], f"{done['new']:,} new, {done['problems']} problems; "
                           "read, check, plan, one transaction"))
            out.append(Row("Import the same file again", f"{done['again']:.1f} s",
                           note=f"{done['unchanged']:,} unchanged, nothing written"))
    return out
