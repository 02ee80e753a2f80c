"""Taking everything out: every table a user may see, as CSV files and one XLSX workbook.

Decisions, so the files are both honest and useful:

* **CSV**: UTF-8 *with* a byte-order mark (Excel then shows £ and accents correctly; every
  other tool ignores it), comma-separated, one header row. **Dates ISO 8601** (2026-04-03),
  times HH:MM, yes/no for true/false, lists joined with "; ".
* **Columns are named as the importer's fields**, so importing a file back maps every column by
  itself. ``id`` is LinkWorker's own id: importing it into another caseload creates the record
  with the same id, so export -> import -> export gives the same files. References between
  tables use the person's LinkWorker reference (``person`` = LW-000123) and the journey's id.
* A text cell starting with = + - or @ is written with a leading apostrophe in CSV, so Excel
  shows it rather than running it as a formula (the importer removes the apostrophe again).
* One workbook ``linkworker-export.xlsx``: a README sheet documenting every table and column,
  then a sheet per table (dates as real dates). ``README.txt`` says the same beside the CSVs.
* Only people within the actor's scope are exported (``people_scope``), never erased people.
  Files are written atomically; one audit event records the export and its counts.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import Session, aliased

from linkworker import __version__, audit
from linkworker.access import Actor, people_scope, require
from linkworker.errors import UserError
from linkworker.io.mapping import MAX_ANSWERS, fields_of
from linkworker.models import (
    Condition,
    Consent,
    Contact,
    Contract,
    Episode,
    Goal,
    GoalReview,
    GoalStep,
    Measure,
    MeasureAnswer,
    Note,
    Person,
    Service,
    Signpost,
    UnmetNeed,
    User,
)
from linkworker.storage.database import Caseload
from linkworker.storage.files import atomic_write_text, atomic_writer

Progress = Callable[[int, int, str], None]
WORKBOOK = "linkworker-export.xlsx"
README = "README.txt"
EXCEL_MAX_ROWS = 1_048_575  # below the header
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Worker = aliased(User)


@dataclass(frozen=True)
class Column:
    name: str
    expr: Any
    doc: str = ""


@dataclass(frozen=True)
class ExportTable:
    name: str
    doc: str
    columns: tuple[Column, ...]
    query: Callable[[Actor], Select]
    importable: str | None = None  # the import kind that reads it back

    def describe_columns(self) -> list[tuple[str, str]]:
        catalogue = fields_of(self.importable) if self.importable else {}
        out = []
        for column in self.columns:
            known = catalogue.get(column.name)
            doc = column.doc or (known.help or known.label if known else "")
            out.append((column.name, doc))
        return out


@dataclass(frozen=True)
class ExportResult:
    folder: Path
    files: tuple[Path, ...]
    counts: dict[str, int] = field(default_factory=dict)


# --- the tables -------------------------------------------------------------------------------


def _c(name: str, expr: Any, doc: str = "") -> Column:
    return Column(name, expr, doc)


def _people_rows(actor: Actor) -> Any:
    return and_(Person.deleted_at.is_(None), people_scope(actor))


def _episode_join(query: Select, actor: Actor, model: Any) -> Select:
    return (query.join(Episode, Episode.id == model.episode_id)
            .join(Person, Person.id == Episode.person_id).where(_people_rows(actor)))


_PERSON_REF = _c("person", Person.reference, "The person's LinkWorker reference (see people).")
_EPISODE_REF = (_c("episode", Episode.id, "The journey's id (see episodes)."), _PERSON_REF,
                _c("episode_number", Episode.number, "The journey's number for the person."))
def _id(model: Any) -> Column:
    return Column("id", model.id, "LinkWorker's own id for the row.")


def _ref(model: Any) -> Column:
    return Column("external_ref", model.external_ref,
                  "Your own reference for the row, if it was imported with one.")


def _plain(model: Any, *names: str) -> tuple[Column, ...]:
    return tuple(Column(n, getattr(model, n)) for n in names)


PEOPLE = ExportTable(
    "people", "Everyone supported by the service (erased people are left out).",
    (_id(Person), _c("lw_reference", Person.reference), _ref(Person),
     *_plain(Person, "given_name", "family_name", "preferred_name", "date_of_birth",
             "nhs_number", "address_line1", "address_line2", "town", "postcode", "phone",
             "email", "gender", "gender_self_described", "ethnicity"),
     _c("ethnicity_nhs_code", Person.ethnicity_nhs_code, "NHS ethnic category code, derived "
        "from ethnicity (not imported)."),
     *_plain(Person, "disability", "carer_status", "living_circumstances", "gp_practice",
             "is_volunteer", "contact_preferences"),
     _c("imd_decile", Person.imd_decile, "Index of Multiple Deprivation decile (1 = most "
        "deprived), from the postcode lookup (not imported)."),
     _c("imd_edition", Person.imd_edition, "Which IoD edition the decile came from.")),
    lambda actor: select().select_from(Person).where(_people_rows(actor))
    .order_by(Person.reference),
    "people",
)

EPISODES = ExportTable(
    "episodes", "Journeys: one per referral, from referral to exit.",
    (_id(Episode), _ref(Episode), _PERSON_REF, _c("number", Episode.number),
     *_plain(Episode, "referral_date", "referral_source", "referral_reasons", "referrer_name",
             "referrer_organisation"),
     _c("worker", Worker.username, "The assigned link worker's username."),
     _c("contract", Contract.code, "The contract's code."),
     *_plain(Episode, "eligibility", "eligibility_notes"),
     _c("stage", Episode.stage, "Stage, worked out from the dates (not imported)."),
     *_plain(Episode, "first_contact_date", "first_meeting_date", "exit_date", "exit_reason",
             "what_matters", "crisis_plan"),
     _c("next_review_due", Episode.next_review_due, "Worked out from the schedule (not "
        "imported)."),
     _c("latest_change", Episode.latest_change, "Latest wellbeing change (not imported).")),
    lambda actor: select().select_from(Episode).join(Person, Person.id == Episode.person_id)
    .outerjoin(Worker, Worker.id == Episode.worker_id)
    .outerjoin(Contract, Contract.id == Episode.contract_id).where(_people_rows(actor))
    .order_by(Person.reference, Episode.number),
    "episodes",
)

CONTACTS = ExportTable(
    "contacts", "Contacts, sessions, attempts and planned appointments.",
    (_id(Contact), _ref(Contact), *_EPISODE_REF,
     *_plain(Contact, "contact_date", "start_time", "mode", "purpose", "venue",
             "duration_minutes", "status", "note"),
     _c("worker", Worker.username, "Who recorded or held the contact (username).")),
    lambda actor: _episode_join(select().select_from(Contact), actor, Contact)
    .outerjoin(Worker, Worker.id == Contact.worker_id)
    .order_by(Person.reference, Episode.number, Contact.contact_date, Contact.start_time,
              Contact.id),
    "contacts",
)

GOALS = ExportTable(
    "goals", "Goals in the person's own words.",
    (_id(Goal), _ref(Goal), *_EPISODE_REF,
     *_plain(Goal, "own_words", "category", "agreed_date", "status", "status_date")),
    lambda actor: _episode_join(select().select_from(Goal), actor, Goal)
    .order_by(Person.reference, Episode.number, Goal.agreed_date, Goal.id),
    "goals",
)

GOAL_STEPS = ExportTable(
    "goal_steps", "Action-plan steps of each goal (not imported).",
    (_id(GoalStep), _c("goal", GoalStep.goal_id, "The goal's id (see goals)."), _PERSON_REF,
     *_plain(GoalStep, "position", "description", "who", "due_date", "done_date")),
    lambda actor: _episode_join(select().select_from(GoalStep).join(
        Goal, Goal.id == GoalStep.goal_id), actor, Goal)
    .order_by(Person.reference, GoalStep.goal_id, GoalStep.position, GoalStep.id),
)

GOAL_REVIEWS = ExportTable(
    "goal_reviews", "Progress reviews of each goal, 0-10 (not imported).",
    (_id(GoalReview), _c("goal", GoalReview.goal_id, "The goal's id (see goals)."),
     _PERSON_REF, *_plain(GoalReview, "review_date", "progress", "status", "note")),
    lambda actor: _episode_join(select().select_from(GoalReview).join(
        Goal, Goal.id == GoalReview.goal_id), actor, Goal)
    .order_by(Person.reference, GoalReview.goal_id, GoalReview.review_date, GoalReview.id),
)

SIGNPOSTS = ExportTable(
    "signposts", "Connections made to services in the directory.",
    (_id(Signpost), _ref(Signpost), *_EPISODE_REF,
     _c("service", Signpost.service_id, "The service's id (see services)."),
     _c("service_name", Service.name, "The service's name (for reading; not imported)."),
     *_plain(Signpost, "signposted_on", "accompanied", "taken_up", "taken_up_on", "note")),
    lambda actor: _episode_join(select().select_from(Signpost), actor, Signpost)
    .outerjoin(Service, Service.id == Signpost.service_id)
    .order_by(Person.reference, Episode.number, Signpost.signposted_on, Signpost.id),
    "signposts",
)

UNMET_NEEDS = ExportTable(
    "unmet_needs", "What people needed that no local service offered (not imported).",
    (_id(UnmetNeed), *_EPISODE_REF,
     *_plain(UnmetNeed, "recorded_on", "category", "description")),
    lambda actor: _episode_join(select().select_from(UnmetNeed), actor, UnmetNeed)
    .order_by(Person.reference, UnmetNeed.recorded_on, UnmetNeed.id),
)

MEASURES = ExportTable(
    "measures", "Wellbeing forms: every answer, and the score stored when it was saved.",
    (_id(Measure), _ref(Measure), _PERSON_REF,
     _c("episode", Measure.episode_id, "The journey's id, if the form belongs to one."),
     *_plain(Measure, "instrument", "timepoint", "completed_on", "mode"),
     _c("raw", Measure.raw, "Raw score (not imported: worked out from the answers)."),
     _c("value", Measure.value, "Reported score (not imported: worked out from the answers)."),
     _c("complete", Measure.complete, "yes when every question was answered (not imported).")),
    lambda actor: select().select_from(Measure).join(Person, Person.id == Measure.person_id)
    .where(_people_rows(actor))
    .order_by(Person.reference, Measure.completed_on, Measure.instrument, Measure.id),
    "measures",
)

SERVICES = ExportTable(
    "services", "The directory of community services.",
    (_id(Service), _ref(Service),
     *_plain(Service, "name", "category", "description", "venue", "address", "postcode",
             "times", "contact_name", "phone", "email", "website", "accessibility",
             "last_checked", "active")),
    lambda actor: select().select_from(Service).order_by(Service.name, Service.id),
    "services",
)

CONDITIONS = ExportTable(
    "conditions", "Long-term conditions: the code and the person's own words (not imported).",
    (_id(Condition), _PERSON_REF, *_plain(Condition, "code", "term", "own_words")),
    lambda actor: select().select_from(Condition).join(Person, Person.id == Condition.person_id)
    .where(_people_rows(actor)).order_by(Person.reference, Condition.id),
)

CONSENTS = ExportTable(
    "consents", "What each person agreed to, when and how (not imported).",
    (_id(Consent), _PERSON_REF,
     *_plain(Consent, "kind", "given", "recorded_on", "how", "expires_on", "withdrawn_on")),
    lambda actor: select().select_from(Consent).join(Person, Person.id == Consent.person_id)
    .where(_people_rows(actor)).order_by(Person.reference, Consent.recorded_on, Consent.id),
)

NOTES = ExportTable(
    "notes", "Free-text notes on people's records (not imported).",
    (_id(Note), _PERSON_REF, _c("episode", Note.episode_id, "The journey's id, if any."),
     *_plain(Note, "written_on", "title", "body"),
     _c("author", Worker.username, "Who wrote it (username).")),
    lambda actor: select().select_from(Note).join(Person, Person.id == Note.person_id)
    .outerjoin(Worker, Worker.id == Note.author_id).where(_people_rows(actor))
    .order_by(Person.reference, Note.written_on, Note.id),
)

STAFF = ExportTable(
    "staff", "Everyone who signs in (no passwords), so worker usernames can be read.",
    tuple(Column(n, getattr(User, n)) for n in ("username", "display_name", "role", "active",
                                                 "venue")),
    lambda actor: select().select_from(User).order_by(User.username),
)

TABLES: tuple[ExportTable, ...] = (PEOPLE, EPISODES, CONTACTS, GOALS, GOAL_STEPS, GOAL_REVIEWS,
                                   SIGNPOSTS, UNMET_NEEDS, MEASURES, SERVICES, CONDITIONS,
                                   CONSENTS, NOTES, STAFF)
IMPORT_ORDER = ("services", "people", "episodes", "contacts", "goals", "signposts", "measures")


# --- reading rows -----------------------------------------------------------------------------


def _answer_width(session: Session, actor: Actor) -> int:
    from sqlalchemy import func

    widest = session.execute(
        select(func.max(MeasureAnswer.item)).join(Measure, Measure.id == MeasureAnswer.measure_id)
        .join(Person, Person.id == Measure.person_id).where(_people_rows(actor))
    ).scalar_one_or_none()
    return min(widest or 0, MAX_ANSWERS)


def _rows(session: Session, actor: Actor, table: ExportTable,
          answers: int) -> Iterator[list[Any]]:
    query = table.query(actor).add_columns(*(c.expr for c in table.columns))
    result = session.execute(query.execution_options(yield_per=2000))
    if table is not MEASURES or not answers:
        for row in result:
            yield list(row)
        return
    for batch in result.partitions(2000):
        ids = [row[0] for row in batch]
        found: dict[str, dict[int, int | None]] = {}
        for measure_id, item, answer in session.execute(
                select(MeasureAnswer.measure_id, MeasureAnswer.item, MeasureAnswer.answer)
                .where(MeasureAnswer.measure_id.in_(ids))):
            found.setdefault(measure_id, {})[item] = answer
        for row in batch:
            items = found.get(row[0], {})
            yield [*row, *(items.get(n) for n in range(1, answers + 1))]


def _headers(table: ExportTable, answers: int) -> list[str]:
    names = [c.name for c in table.columns]
    if table is MEASURES:
        names += [f"answer_{n}" for n in range(1, answers + 1)]
    return names


def csv_text(value: Any) -> str:
    """One value as it is written to CSV (see the module docstring for the conventions)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, float):
        return repr(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


# --- writing ----------------------------------------------------------------------------------


class _Workbook:
    """The XLSX beside the CSVs, written row by row (constant memory; its scratch files live in
    the export folder, where the same data is going anyway, and are removed)."""

    def __init__(self, handle: Any, folder: Path) -> None:
        import xlsxwriter

        self.book = xlsxwriter.Workbook(handle, {
            "constant_memory": True, "tmpdir": str(folder), "strings_to_numbers": False,
            "strings_to_formulas": False, "strings_to_urls": False})
        self.bold = self.book.add_format({"bold": True})
        self.date = self.book.add_format({"num_format": "yyyy-mm-dd"})
        self.wrap = self.book.add_format({"text_wrap": True, "valign": "top"})
        self.readme = self.book.add_worksheet("README")

    def sheet(self, name: str, headers: list[str]) -> Any:
        sheet = self.book.add_worksheet(name[:31])
        sheet.write_row(0, 0, headers, self.bold)
        sheet.freeze_panes(1, 0)
        return sheet

    def row(self, sheet: Any, number: int, values: Sequence[Any]) -> None:
        for col, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, dt.date | dt.datetime):
                sheet.write_datetime(number, col, value, self.date)
            elif isinstance(value, bool):
                sheet.write_string(number, col, "yes" if value else "no")
            elif isinstance(value, int | float):
                sheet.write_number(number, col, value)
            else:
                text = csv_text(value).removeprefix("'") if isinstance(value, str) \
                    else csv_text(value)
                sheet.write_string(number, col, text[:32767])

    def write_readme(self, lines: list[list[str]]) -> None:
        self.readme.set_column(0, 0, 22)
        self.readme.set_column(1, 1, 28)
        self.readme.set_column(2, 2, 90)
        for number, line in enumerate(lines):
            style = self.bold if len(line) == 1 else self.wrap
            self.readme.write_row(number, 0, line, style)

    def close(self) -> None:
        self.book.close()


def readme_lines(counts: dict[str, int], answers: int, today: dt.date) -> list[list[str]]:
    lines = [[f"LinkWorker export, {today.isoformat()} (LinkWorker {__version__})"],
             ["Files are UTF-8 CSV (with a byte-order mark), dates as YYYY-MM-DD, yes/no for "
              "true/false, lists separated by '; '."],
             ["To import into LinkWorker, import in this order: " + ", ".join(IMPORT_ORDER)
              + ". Every column maps back by itself."],
             []]
    lines.append(["table", "column", "meaning"])
    for table in TABLES:
        rows = counts.get(table.name, 0)
        doc = table.doc
        if rows > EXCEL_MAX_ROWS:
            doc += f" Only the first {EXCEL_MAX_ROWS:,} rows fit on the sheet: see the CSV."
        lines.append([table.name, f"{rows} rows", doc])
        for name, doc in table.describe_columns():
            lines.append(["", name, doc])
        if table is MEASURES and answers:
            lines.append(["", f"answer_1 ... answer_{answers}",
                          "Each answer in question order; blank if not answered."])
    return lines


def export_all(caseload: Caseload, actor: Actor, folder: Path | str,
               progress: Progress | None = None, today: dt.date | None = None) -> ExportResult:
    """Write every table as CSV and one workbook into ``folder``; audited. Returns the files."""
    require(actor, "data.export")
    folder = Path(folder).expanduser()
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{folder} is a file; choose a folder to export into.")
    folder.mkdir(parents=True, exist_ok=True)
    today = today or dt.date.today()
    counts: dict[str, int] = {}
    files: list[Path] = []
    with caseload.transaction() as session, atomic_writer(folder / WORKBOOK) as handle:
        answers = _answer_width(session, actor)
        book = _Workbook(handle, folder)
        for index, table in enumerate(TABLES):
            if progress:
                progress(index, len(TABLES), f"Exporting {table.name}")
            counts[table.name] = _export_table(session, actor, table, answers, folder, book)
            files.append(folder / f"{table.name}.csv")
        book.write_readme(readme_lines(counts, answers, today))
        book.close()
        audit.record(session, actor, "export", entity="everything",
                     details={"tables": counts, "format": "csv+xlsx"})
    readme = "\n".join("\t".join(line) for line in readme_lines(counts, answers, today))
    atomic_write_text(folder / README, readme + "\n")
    if progress:
        progress(len(TABLES), len(TABLES), "Export finished")
    return ExportResult(folder, (*files, folder / WORKBOOK, folder / README), counts)


def _export_table(session: Session, actor: Actor, table: ExportTable, answers: int,
                  folder: Path, book: _Workbook) -> int:
    headers = _headers(table, answers)
    sheet = book.sheet(table.name, headers)
    count = 0
    with atomic_writer(folder / f"{table.name}.csv", "w") as handle:
        handle.write("\ufeff")
        out = csv.writer(handle)
        out.writerow(headers)
        for values in _rows(session, actor, table, answers):
            out.writerow([csv_text(v) for v in values])
            count += 1
            if count <= EXCEL_MAX_ROWS:
                book.row(sheet, count, values)
    return count
