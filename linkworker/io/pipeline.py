"""An import from start to finish: read, map, check, plan, and write in one transaction.

``import_file`` is what the command line, the wizard and scripts call. The order is the
promise made to the user: every row is checked and the whole plan worked out *before* anything
is written; then everything is written in ONE transaction with the audit event, so an import
lands completely or not at all (also when the process is killed: SQLite rolls an unfinished
transaction back when the file is next opened).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linkworker import audit
from linkworker.access import Actor, require
from linkworker.errors import UserError
from linkworker.io.errors import ImportFileError
from linkworker.io.importers import Plan, apply_plan, build_plan
from linkworker.io.mapping import (
    KIND_LABELS,
    REFERRAL_FIELDS,
    ColumnMapping,
    check_kind,
    fields_of,
    guess_mapping,
    header_score,
    load_mapping,
)
from linkworker.io.readers import Table, read_table
from linkworker.io.validate import Problem, Record, cell_text, check_table
from linkworker.models import Contract
from linkworker.storage.database import Caseload
from linkworker.storage.files import atomic_writer

Progress = Callable[[int, int, str], None]
PROBLEM_COLUMN = "Problems (remove this column once fixed)"
ROW_COLUMN = "Row in original file"
_OWN_COLUMNS = (PROBLEM_COLUMN, ROW_COLUMN)  # the rows-to-fix file's own columns


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
    journeys: Plan | None = None  # a people sheet with referral columns: their journeys

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
        out = [self.table.describe(), *mapping_summary(self.mapping)]
        if self.problems:
            out.append(f"{len(self.bad_rows)} of {len(self.table.rows)} rows have problems:")
            out += [f"  {p}" for p in self.problems[:limit]]
            if len(self.problems) > limit:
                more = f"  ... and {len(self.problems) - limit} more"
                out.append(more + (" (all are in the file of rows to fix)"
                                   if self.rejects_path else ""))
        plan = self.plan.describe()
        out.append(("Plan: " if not self.applied else "Done: ") + plan[0])
        out += [f"  {line}" for line in plan[1:]]
        if self.journeys is not None:
            out.append(f"Journeys (from the referral columns): {self.journeys.headline()}")
        out += list(self.notes)
        if self.rejects_path:
            out.append(f"Rows to fix were written to {self.rejects_path}.")
        if self.dry_run:
            out.append(self._dry_run_line())
        elif self.blocked:
            good = len(self.table.rows) - len(self.bad_rows)
            rows = "good row" if good == 1 else "good rows"
            out.append("Nothing was imported. Fix the rows above and import again" + (
                f", or import the {good} {rows} and get the others back in a file to fix "
                "(--good-rows-only)." if good else "."))
        return out

    def _dry_run_line(self) -> str:
        if self.good_rows_only and self.problems:
            good = len(self.table.rows) - len(self.bad_rows)
            return (f"Dry run: nothing was written, and no file of rows to fix. Without "
                    f"--dry-run the {good} good rows would be imported and the "
                    f"{len(self.bad_rows)} rows with problems written to a file to fix.")
        return "Dry run: nothing was written."


def mapping_summary(mapping: ColumnMapping) -> list[str]:
    """Which column feeds which field, and each column left out with the reason why."""
    catalogue = fields_of(mapping.kind)
    used = [f"'{h}' -> {catalogue[f].label}" for h, f in mapping.columns.items() if f]
    used += [f"{catalogue[f].label} = '{v}' for every row" for f, v in mapping.fixed.items()]
    lines = ["Columns: " + (", ".join(used) or "none recognised")]
    unused = [h for h, f in mapping.columns.items() if not f and h not in _OWN_COLUMNS]
    if unused:
        what = KIND_LABELS[mapping.kind].lower()
        lines.append("Not imported: " + ", ".join(f"'{h}'" for h in unused) + f" (no field of "
                     f"{what} has that name; if one holds a field, say which in a mapping file "
                     "(--mapping) or in the app's column choices).")
    return lines


# --- the steps ------------------------------------------------------------------------------


def read_file(path: Path | str, kind: str, sheet: str | None = None,
              progress: Progress | None = None, encoding: str | None = None) -> Table:
    return read_table(path, sheet, header_score(check_kind(kind)), progress, encoding)


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
    """Look rows up in the caseload, plan, and (unless told not to) write, all in one go.

    The rows to fix are written *before* the commit: if that file cannot be written, nothing
    is saved and the error says why (the user is never left with people saved and no list of
    the rows that were not)."""
    require(actor, "data.import")
    today = today or dt.date.today()
    kind = checked.mapping.kind
    with caseload.transaction() as session:
        if progress:
            progress(0, 0, "Matching rows with the caseload")
        plan = build_plan(session, kind, checked.records, today)
        journeys = None
        if _carries_referrals(checked):
            # The people are written first (rolled back below unless the import goes ahead)
            # so their journeys can be planned against them exactly as they will be.
            apply_plan(session, plan, today, progress)
            journeys = build_plan(session, "episodes", _journey_records(checked, plan), today)
        problems = tuple(sorted(checked.problems + plan.problems
                                + (journeys.problems if journeys else []), key=lambda p: p.row))
        write = not dry_run and (good_rows_only or not problems)
        notes = _notes(session, checked, journeys or plan)
        rejects_path = None
        if write and problems and rejects is not None:
            rejects_path = _write_rejects_or_stop(checked.table, problems, Path(rejects))
        if write:
            if journeys is None:
                apply_plan(session, plan, today, progress)
            else:
                apply_plan(session, journeys, today, progress)
            audit.record(session, actor, "import", entity=kind, details={
                "kind": kind, "rows": len(checked.table.rows), "bad_rows": len({
                    p.row for p in problems}), **plan.counts,
                **({"journeys_new": len(journeys.creates)} if journeys else {}),
                "format": "xlsx" if checked.table.sheet else "csv"})
        else:
            session.rollback()
    report = ImportReport(kind, checked.table, checked.mapping, problems, plan, write, dry_run,
                          good_rows_only, rejects_path, tuple(notes), journeys)
    if problems and rejects is not None and not write and not dry_run:
        report = _with_rejects(report, Path(rejects))  # nothing saved: the list is all there is
    return report


def _carries_referrals(checked: Checked) -> bool:
    mapped = set(checked.mapping.header_for()) | set(checked.mapping.fixed)
    return checked.mapping.kind == "people" and "referral_date" in mapped


def _journey_records(checked: Checked, plan: Plan) -> list[Record]:
    """The journey each good row of a people sheet with referral columns describes."""
    records = []
    for record in checked.records:
        person_id = plan.targets.get(record.row)
        if person_id is None or not record.values.get("referral_date"):
            continue
        values = {n: record.values[n] for n in REFERRAL_FIELDS if n in record.values}
        records.append(Record(record.row, values | {"person": person_id}, record.columns))
    return records


def _notes(session: Session, checked: Checked, plan: Plan) -> list[str]:
    """What the user should know though nothing is wrong: words taken as a nearby code,
    journeys that will count towards no contract."""
    notes: list[str] = []
    unlisted: dict[tuple[str, str], list[int]] = {}
    for record in checked.records:
        for name, text in record.unlisted.items():
            unlisted.setdefault((name, text), []).append(record.row)
    for (name, text), rows in unlisted.items():
        label = fields_of(checked.mapping.kind)[name].label
        notes.append(f"{label} '{text}' is not in LinkWorker's list: recorded as 'Another "
                     f"service', with '{text}' kept as the referrer ({_rows(rows)}).")
    if plan.kind == "episodes":
        loose = [change.row for change, cols in plan.creates if not cols.get("contract_id")]
        if loose:
            have = session.execute(select(func.count()).select_from(Contract)).scalar_one()
            notes.append(
                f"Warning: {len(loose)} new journey{'s' if len(loose) != 1 else ''} "
                f"{'have' if len(loose) != 1 else 'has'} no contract ({_rows(loose)}), so "
                "they count towards no contract's returns. " + (
                    "Add a Contract column, or give every row one (--set contract=CODE; in "
                    "the app, 'Same value for every row')." if have else
                    "This caseload has no contracts yet: add the contract first, then import "
                    "again with its code."))
    return notes


def _rows(rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:10])
    return ("row " if len(rows) == 1 else "rows ") + shown + (
        f" and {len(rows) - 10} more" if len(rows) > 10 else "")


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
    encoding: str | None = None,
    fixed: dict[str, str] | None = None,
) -> ImportReport:
    """Import one sheet of ``kind`` from ``path``. Nothing is written if any row has a problem,
    unless ``good_rows_only`` (then the bad rows go to ``rejects``, default beside the file).
    ``encoding`` reads a CSV that is not UTF-8; ``fixed`` gives every row a value for a field
    (``{"contract": "IOC-1"}``), on top of any the mapping gives."""
    require(actor, "data.import")
    kind = check_kind(kind)
    if kind == "measures":
        from linkworker.wellbeing.store import register_stored_instruments

        register_stored_instruments(caseload)
    table = read_file(path, kind, sheet, progress, encoding)
    resolved = resolve_mapping(kind, table, mapping)
    for name, value in (fixed or {}).items():
        resolved.set_fixed(name, value)
    checked = check_rows(table, resolved, today, progress)
    if good_rows_only and rejects is None:
        rejects = default_rejects_path(Path(path))
    return plan_and_apply(caseload, actor, checked, dry_run=dry_run,
                          good_rows_only=good_rows_only, rejects=rejects, today=today,
                          progress=progress)


# --- rows to fix ----------------------------------------------------------------------------


def default_rejects_path(source: Path) -> Path:
    return source.with_name(f"{source.stem}-to-fix.csv")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def write_rejects(table: Table, problems: tuple[Problem, ...] | list[Problem],
                  target: Path) -> Path:
    """The bad rows as they were, with what is wrong and the row they came from (UTF-8 CSV,
    written atomically). Text that Excel would run as a formula keeps its apostrophe."""
    reasons: dict[int, list[str]] = {}
    for problem in problems:
        where = f"{problem.column}: " if problem.column else ""
        reasons.setdefault(problem.row, []).append(where + problem.reason)
    with atomic_writer(target, "w") as handle:
        handle.write("\ufeff")
        out = csv.writer(handle)
        out.writerow([PROBLEM_COLUMN, ROW_COLUMN, *table.headers])
        for row in table.rows:
            if row.number in reasons:
                cells = [_neutralised(c) for c in row.cells]
                out.writerow(["; ".join(reasons[row.number]), row.number, *cells])
    return target


def _neutralised(cell: object) -> str:
    text = cell_text(cell)
    return "'" + text if isinstance(cell, str) and text.startswith(_FORMULA_START) else text


def _write_rejects_or_stop(table: Table, problems: tuple[Problem, ...], target: Path) -> Path:
    try:
        return write_rejects(table, problems, target)
    except OSError as exc:
        raise ImportFileError(
            f"Nothing was imported: the rows to fix could not be written to {target} "
            f"({exc.strerror or exc}). Choose another place for them (--rejects PATH) and "
            "import again.") from None


def _with_rejects(report: ImportReport, target: Path) -> ImportReport:
    path = _write_rejects_or_stop(report.table, report.problems, target)
    return dataclasses.replace(report, rejects_path=path)


def kind_label(kind: str) -> str:
    return KIND_LABELS[check_kind(kind)]
