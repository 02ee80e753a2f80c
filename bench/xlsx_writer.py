"""The export's streamed sheet writer against the libraries that could replace it.

    python -m bench.xlsx_writer [--rows 300000]     (no caseload needed)
    python -m bench --only xlsx_writer

Writes the same contact-shaped rows (14 columns: ids, a reference, numbers, a date, short
texts and a note, some blanks) as one sheet with: ``linkworker.io.export``'s own SpreadsheetML
streamer, XlsxWriter in constant-memory mode, and openpyxl in write-only mode; each in a child
process, so time and peak memory are each writer's own. docs/ARCHITECTURE.md ("Libraries vs
our own code") records the result and what was kept.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import Row, in_child

ROWS = 300_000
HEADERS = ("id", "external_ref", "episode", "person", "episode_number", "contact_date",
           "start_time", "mode", "purpose", "venue", "duration_minutes", "status", "note",
           "worker")
MODES = ("face_to_face", "phone", "video", "home_visit", "group")


def rows(count: int):
    start = dt.date(2021, 1, 4)
    for n in range(count):
        yield (f"{n:032x}", None if n % 3 else f"EXT-{n}", f"{n // 18:032x}", f"LW-{n // 18:06d}",
               1 + n % 2, start + dt.timedelta(days=n % 1800), f"{9 + n % 8:02d}:30",
               MODES[n % 5], "support", "Library" if n % 4 else "", 30 + n % 60, "attended",
               f"Talked about the walking group and next steps, session {n}" if n % 2 else None,
               f"worker{1 + n % 40}")


def write_ours(path: Path, count: int) -> None:
    from linkworker.io.export import _Book
    from linkworker.io.export_rows import _Part

    with path.open("wb") as handle:
        book = _Book(handle)
        sheet = _Part(path.parent, "contacts", HEADERS)
        for values in rows(count):
            sheet.row(values)
        sheet.close()
        book.add_sheet(sheet)
        book.write_readme(path.parent, [["README"], ["a", "b", "c"]])
        book.close()


def write_xlsxwriter(path: Path, count: int) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "tmpdir": str(path.parent)})
    sheet = book.add_worksheet("contacts")
    bold, day = book.add_format({"bold": True}), book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, HEADERS, bold)
    for r, values in enumerate(rows(count), 1):
        for c, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, value, day)
            else:
                sheet.write(r, c, value)
    book.close()


def write_openpyxl(path: Path, count: int) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("contacts")
    sheet.append(HEADERS)
    for values in rows(count):
        sheet.append(values)
    book.save(path)


WRITERS = {"ours (streamed SpreadsheetML)": write_ours,
           "XlsxWriter constant_memory": write_xlsxwriter,
           "openpyxl write_only": write_openpyxl}


def run_one(name: str, count: int) -> dict[str, Any]:
    """Runs in a child process."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sheet.xlsx"
        started, cpu = time.perf_counter(), time.process_time()
        WRITERS[name](path, count)
        return {"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu,
                "mb": path.stat().st_size / 1e6}


def measure(_bench: object = None, count: int = ROWS) -> list[Row]:
    out = []
    for name in WRITERS:
        result = in_child("bench.xlsx_writer:run_one", name, count)
        if "error" in result:
            out.append(Row(f"xlsx sheet: {name}", "n/a", note=result["error"]))
            continue
        out.append(Row(f"xlsx sheet, {count:,} rows x 14: {name}", f"{result['seconds']:.1f} s",
                       result.get("rss_mb"),
                       f"{result['cpu']:.1f} s CPU; {result['mb']:.1f} MB file"))
    return out


def main(argv: list[str] | None = None) -> int:
    from bench.__main__ import table

    parser = argparse.ArgumentParser(prog="python -m bench.xlsx_writer", description=__doc__)
    parser.add_argument("--rows", type=int, default=ROWS)
    args = parser.parse_args(argv)
    print(table(measure(count=args.rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
