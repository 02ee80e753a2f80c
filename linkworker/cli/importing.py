"""``linkworker import FILE --kind K`` and ``linkworker export DIR``.

Import checks every row and shows the plan before writing anything; it writes in one
transaction. Exit codes: 0 done (or a clean dry run), 2 nothing imported because of problems
(the report lists every bad row) or a file that cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from linkworker.io.mapping import KINDS


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import", help="import people, journeys, contacts... from a CSV or XLSX file",
        description="Import one sheet. Every row is checked first; nothing is written if any "
                    "row has a problem (unless --good-rows-only). Import in this order: "
                    "services, people, episodes, contacts, goals, signposts, measures.")
    parser.add_argument("file", type=Path, help="the CSV or XLSX file")
    parser.add_argument("--kind", required=True, choices=KINDS, help="what the rows are")
    parser.add_argument("--sheet", help="the sheet to read (default: the first with data)")
    parser.add_argument("--mapping", type=Path, metavar="M",
                        help="a mapping file saying which column holds which field")
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                        dest="fixed", help="give every row this value for a field the file "
                        "has no column for, e.g. --set contract=IOC-1 (repeatable)")
    parser.add_argument("--encoding", metavar="ENC",
                        help="the encoding of a CSV that is not UTF-8 (e.g. cp1252, cp1250, "
                             "mac_roman); asked for when it cannot be told")
    parser.add_argument("--save-mapping", type=Path, metavar="PATH",
                        help="save the mapping used (guessed or given) as a file to edit")
    parser.add_argument("--dry-run", action="store_true",
                        help="check and show the plan; write nothing")
    parser.add_argument("--good-rows-only", action="store_true",
                        help="import the good rows; write the bad ones to a file to fix")
    parser.add_argument("--rejects", type=Path, metavar="PATH",
                        help="where to write the rows to fix (default: FILE-to-fix.csv)")
    parser.set_defaults(func=run_import)

    export = subparsers.add_parser(
        "export", help="write every table as CSV plus one XLSX workbook into a folder")
    export.add_argument("folder", type=Path, help="the folder to write into (created if new)")
    export.set_defaults(func=run_export)


class _ProgressLine:
    """A progress bar on a terminal; plain progress lines when output goes to a file or pipe."""

    def __init__(self, stream: TextIO | None = None) -> None:
        # Looked up at call time, not import time, so a redirected stderr is honoured.
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty()
        self.last = ""

    def __call__(self, done: int, total: int, text: str) -> None:
        if total:
            filled = int(30 * min(done, total) / total)
            line = f"{text}: [{'#' * filled}{'.' * (30 - filled)}] {done:,}/{total:,}"
        else:
            line = f"{text}: {done:,}" if done else f"{text}..."
        if self.tty:
            self.stream.write("\r" + line.ljust(len(self.last)))
            self.last = line
        else:
            self.stream.write(f"progress: {line}\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.tty and self.last:
            self.stream.write("\n")
            self.stream.flush()
            self.last = ""


def run_import(args: argparse.Namespace, open_caseload) -> int:
    from linkworker.io import import_file
    from linkworker.io.mapping import save_mapping

    fixed = _fixed_values(args.fixed)
    progress = _ProgressLine()
    with open_caseload() as caseload:
        try:
            report = import_file(
                caseload, args.actor, args.file, args.kind, sheet=args.sheet, mapping=args.mapping,
                dry_run=args.dry_run, progress=progress, good_rows_only=args.good_rows_only,
                rejects=args.rejects, encoding=args.encoding, fixed=fixed)
        finally:
            progress.finish()
    if args.save_mapping:
        save_mapping(report.mapping, args.save_mapping)
        print(f"Mapping saved to {args.save_mapping}.")
    for line in report.lines():
        print(line)
    if report.problems and (report.blocked or args.dry_run) and not args.good_rows_only:
        return 2
    return 0


def _fixed_values(pairs: list[str]) -> dict[str, str]:
    from linkworker.errors import UserError

    fixed = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UserError(f"--set {pair!r}: write it as FIELD=VALUE, e.g. --set contract=IOC-1.")
        fixed[name.strip()] = value.strip()
    return fixed


def run_export(args: argparse.Namespace, open_caseload) -> int:
    from linkworker.io import export_all

    progress = _ProgressLine()
    with open_caseload() as caseload:
        try:
            result = export_all(caseload, args.actor, args.folder, progress=progress)
        finally:
            progress.finish()
    for name, rows in result.counts.items():
        print(f"{name + '.csv':<20} {rows:>9,} rows")
    print(f"Everything was written to {result.folder} (CSV files, {result.files[-2].name} and "
          f"{result.files[-1].name}).")
    return 0
