"""An import from start to finish: read, map, check, plan, and write in one transaction.

``import_file`` is what the command line, the wizard and scripts call. The order is the
promise made to the user: every row is checked and the whole plan worked out *before* anything
is written; then everything is written in ONE transaction with the audit event, so an import
lands completely or not at all (also when the process is killed: SQLite rolls an unfinished
transaction back when the file is next opened).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from linkworker import audit
from linkworker.access import Actor, require
from linkworker.errors import UserError
from linkworker.io.importers import Plan, apply_plan, build_plan
from linkworker.io.mapping import (
    KIND_LABELS,
    ColumnMapping,
    check_kind,
    fields_of,
    guess_mapping,
    header_score,
    load_mapping,
)
from linkworker.io.readers import Table, read_table
from linkworker.io.validate import Problem, Record, cell_text, check_table
from linkworker.storage.database import Caseload
from linkworker.storage.files import atomic_writer

Progress = Callable[[int, int, str], None]
PROBLEM_COLUMN = "Problems (remove this column once fixed)"


@dataclass
class Checked:
    """A file read, mapped and checked row by row (nothing looked up in the caseload yet)."""

    table: Table
    mapping: ColumnMapping
    records: list[Record]
    problems: list[Problem]


@dataclass(frozen=True)
class ImportReport:
    """What an import found and did; ``lines()`` is the readable report."""

    kind: str
    table: Table
    mapping: ColumnMapping
    problems: tuple[Problem, ...]
    plan: Plan
    applied: bool
    dry_run: bool
    good_rows_only: bool = False
    rejects_path: Path | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def bad_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems})

    @property
    def counts(self) -> dict[str, int]:
        return self.plan.counts | {"rows": len(self.table.rows), "bad_rows": len(self.bad_rows)}

    @property
    def blocked(self) -> bool:
        """Nothing was written because of problems."""
        return bool(self.problems) and not self.applied and not self.dry_run

    def lines(self, limit: int = 200) -> list[str]:
        out = [self.table.describe(), mapping_summary(self.mapping)]
        if self.problems:
            out.append(f"{len(self.bad_rows)} of {len(self.table.rows)} rows have problems:")
            out += [f"  {p}" for p in self.problems[:limit]]
            if len(self.problems) > limit:
                out.append(f"  ... and {len(self.problems) - limit} more (all are in the "
                           "file of rows to fix)")
        plan = self.plan.describe()
        out.append(("Plan: " if not self.applied else "Done: ") + plan[0])
        out += [f"  {line}" for line in plan[1:]]
        out += list(self.notes)
        if self.rejects_path:
            out.append(f"Rows to fix were written to {self.rejects_path}.")
        if self.dry_run:
            out.append("Dry run: nothing was written.")
        elif self.blocked:
            good = len(self.table.rows) - len(self.bad_rows)
            rows = "good row" if good == 1 else "good rows"
            out.append("Nothing was imported. Fix the rows above and import again" + (
                f", or import the {good} {rows} and get the others back in a file to fix "
                "(--good-rows-only)." if good else "."))
        return out


def mapping_summary(mapping: ColumnMapping) -> str:
    catalogue = fields_of(mapping.kind)
    used = [f"'{h}' -> {catalogue[f].label}" for h, f in mapping.columns.items() if f]
    unused = [f"'{h}'" for h, f in mapping.columns.items() if not f]
    text = "Columns: " + (", ".join(used) or "none recognised")
    return text + (f"; not imported: {', '.join(unused)}" if unused else "")


# --- the steps ------------------------------------------------------------------------------


def read_file(path: Path | str, kind: str, sheet: str | None = None,
              progress: Progress | None = None) -> Table:
    return read_table(path, sheet, header_score(check_kind(kind)), progress)


def resolve_mapping(kind: str, table: Table,
                    mapping: ColumnMapping | Path | str | None = None) -> ColumnMapping:
    """The mapping to use: a given one (or file) for the columns it names, guesses for the rest."""
    if isinstance(mapping, str | Path):
        mapping = load_mapping(mapping, kind)
    return guess_mapping(kind, table.headers, mapping)


def require_usable(mapping: ColumnMapping, table: Table) -> None:
    missing = mapping.missing()
    if missing:
        headers = ", ".join(f"'{h}'" for h in table.headers)
        raise UserError(
            f"{table.source}: no column was recognised for {'; '.join(missing)}. The columns "
            f"found (header on row {table.header_row}) are: {headers}. Rename the column, or "
            "say which column holds it with a mapping file (--mapping).")


def check_rows(table: Table, mapping: ColumnMapping, today: dt.date | None = None,
               progress: Progress | None = None) -> Checked:
    require_usable(mapping, table)
    records: list[Record] = []
    problems: list[Problem] = []
    total = len(table.rows)
    for index, (record, found) in enumerate(check_table(table, mapping, today), start=1):
        if record is not None:
            records.append(record)
        problems += found
        if progress and index % 2000 == 0:
            progress(index, total, "Checking rows")
    return Checked(table, mapping, records, problems)


def plan_and_apply(
    caseload: Caseload,
    actor: Actor,
    checked: Checked,
    *,
    dry_run: bool = False,
    good_rows_only: bool = False,
    rejects: Path | str | None = None,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Look rows up in the caseload, plan, and (unless told not to) write, all in one go."""
    require(actor, "data.import")
    today = today or dt.date.today()
    kind = checked.mapping.kind
    with caseload.transaction() as session:
        if progress:
            progress(0, 0, "Matching rows with the caseload")
        plan = build_plan(session, kind, checked.records, today)
        problems = tuple(sorted(checked.problems + plan.problems, key=lambda p: p.row))
        write = not dry_run and (good_rows_only or not problems)
        if write:
            apply_plan(session, plan, today, progress)
            audit.record(session, actor, "import", entity=kind, details={
                "kind": kind, "rows": len(checked.table.rows), "bad_rows": len({
                    p.row for p in problems}), **plan.counts,
                "format": "xlsx" if checked.table.sheet else "csv"})
        else:
            session.rollback()
    report = ImportReport(kind, checked.table, checked.mapping, problems, plan, write, dry_run,
                          good_rows_only)
    if problems and rejects is not None:
        report = _with_rejects(report, Path(rejects))
    return report


def import_file(
    caseload: Caseload,
    actor: Actor,
    path: Path | str,
    kind: str,
    sheet: str | None = None,
    mapping: ColumnMapping | Path | str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    *,
    good_rows_only: bool = False,
    rejects: Path | str | None = None,
    today: dt.date | None = None,
) -> ImportReport:
    """Import one sheet of ``kind`` from ``path``. Nothing is written if any row has a problem,
    unless ``good_rows_only`` (then the bad rows go to ``rejects``, default beside the file)."""
    require(actor, "data.import")
    kind = check_kind(kind)
    if kind == "measures":
        from linkworker.wellbeing.store import register_stored_instruments

        register_stored_instruments(caseload)
    table = read_file(path, kind, sheet, progress)
    checked = check_rows(table, resolve_mapping(kind, table, mapping), today, progress)
    if good_rows_only and rejects is None:
        rejects = default_rejects_path(Path(path))
    return plan_and_apply(caseload, actor, checked, dry_run=dry_run,
                          good_rows_only=good_rows_only, rejects=rejects, today=today,
                          progress=progress)


# --- rows to fix ----------------------------------------------------------------------------


def default_rejects_path(source: Path) -> Path:
    return source.with_name(f"{source.stem}-to-fix.csv")


def write_rejects(table: Table, problems: tuple[Problem, ...] | list[Problem],
                  target: Path) -> Path:
    """The bad rows as they were, with a first column saying what is wrong (UTF-8 CSV)."""
    reasons: dict[int, list[str]] = {}
    for problem in problems:
        where = f"{problem.column}: " if problem.column else ""
        reasons.setdefault(problem.row, []).append(where + problem.reason)
    with atomic_writer(target, "w") as handle:
        handle.write("\ufeff")
        out = csv.writer(handle)
        out.writerow([PROBLEM_COLUMN, *table.headers])
        for row in table.rows:
            if row.number in reasons:
                cells = [cell_text(c) for c in row.cells]
                out.writerow(["; ".join(reasons[row.number]), *cells])
    return target


def _with_rejects(report: ImportReport, target: Path) -> ImportReport:
    path = write_rejects(report.table, report.problems, target)
    return ImportReport(report.kind, report.table, report.mapping, report.problems, report.plan,
                        report.applied, report.dry_run, report.good_rows_only, path,
                        report.notes)


def kind_label(kind: str) -> str:
    return KIND_LABELS[check_kind(kind)]
