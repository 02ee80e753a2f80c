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
  A sheet holds 1,048,575 rows below its header; a longer table goes on over "contacts (2)",
  "contacts (3)"... (each with the header), and the README says so. The CSV is never split.
* Speed and memory (a 50,000-person caseload is 2.7 million rows): each table is one query
  over that table alone, in stored (rowid) order: no join and no sort, so SQLite reads its
  pages once, in order, and memory does not grow with the table. What a row names by id (the
  person's reference, the journey's number, usernames, contract codes, service names) and who
  is in the export are read once beforehand into dictionaries (``_Lookups``). Rows stream in
  batches; each goes to the CSV and the sheet from the same pass. The sheets are streamed as
  SpreadsheetML straight into the workbook's zip (see ``_Sheet``; docs/ARCHITECTURE.md says
  why not XlsxWriter's constant-memory mode: four times slower here).
* Rows are in the order they were stored (for a caseload built by the app or an import: the
  order they were recorded or imported), the same on every export; importing an export into a
  fresh caseload and exporting again gives the same files.
* Only people within the actor's scope are exported (``people_scope``), never erased people.
  Everything is written into a hidden ``.NAME.*.part`` folder beside the target and moved into
  place only when complete (a new folder by one rename); a failed export leaves nothing. One
  audit event records the export and its counts.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import itertools
import json
import math
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Date, DateTime, Select, Time, and_, func, literal_column, select
from sqlalchemy.orm import Session
from xlsxwriter.utility import xl_col_to_name

from linkworker import __version__, audit
from linkworker.access import Actor, check_actor, people_scope, require, sees_everyone
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

Progress = Callable[[int, int, str], None]
WORKBOOK = "linkworker-export.xlsx"
README = "README.txt"
EXCEL_MAX_ROWS = 1_048_575  # below the header
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_SET = frozenset(_FORMULA_START)
_BATCH = 2000



@dataclass(frozen=True)
class Lookup:
    """A column whose value is looked up by the row's key column in what ``_lookups`` read
    before the tables (the person's reference, a journey's number, a username...), rather
    than joined row by row in SQL."""

    kind: str  # a field of ``_Lookups``
    key: Any  # the row's column holding the id


@dataclass(frozen=True)
class Column:
    name: str
    expr: Any  # a model column, or a ``Lookup``
    doc: str = ""


@dataclass(frozen=True)
class ExportTable:
    """One table: read in a single pass over ``source`` in stored order (no join, no sort)."""

    name: str
    doc: str
    columns: tuple[Column, ...]
    source: Any  # the model read
    scope: tuple[str, Any] | None  # ("people" | "episode_people", its id column); None: all
    importable: str | None = None  # the import kind that reads it back
    through: tuple[Any, Any] | None = None  # (model, ON clause) joined to reach ``scope``'s key

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


def _person_ref(key: Any) -> Column:
    return _c("person", Lookup("people", key), "The person's LinkWorker reference (see people).")


def _episode_ref(model: Any) -> tuple[Column, ...]:
    return (_c("episode", model.episode_id, "The journey's id (see episodes)."),
            _c("person", Lookup("episode_people", model.episode_id),
               "The person's LinkWorker reference (see people)."),
            _c("episode_number", Lookup("episode_numbers", model.episode_id),
               "The journey's number for the person."))


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
    Person, ("people", Person.id), "people",
)

EPISODES = ExportTable(
    "episodes", "Journeys: one per referral, from referral to exit.",
    (_id(Episode), _ref(Episode), _person_ref(Episode.person_id), _c("number", Episode.number),
     *_plain(Episode, "referral_date", "referral_source", "referral_reasons", "referrer_name",
             "referrer_organisation"),
     _c("worker", Lookup("users", Episode.worker_id), "The assigned link worker's username."),
     _c("contract", Lookup("contracts", Episode.contract_id), "The contract's code."),
     *_plain(Episode, "eligibility", "eligibility_notes"),
     _c("stage", Episode.stage, "Stage, worked out from the dates (not imported)."),
     *_plain(Episode, "first_contact_date", "first_meeting_date", "exit_date", "exit_reason",
             "what_matters", "crisis_plan"),
     _c("next_review_due", Episode.next_review_due, "Worked out from the schedule (not "
        "imported)."),
     _c("latest_change", Episode.latest_change, "Latest wellbeing change (not imported).")),
    Episode, ("episode_people", Episode.id), "episodes",
)

CONTACTS = ExportTable(
    "contacts", "Contacts, sessions, attempts and planned appointments.",
    (_id(Contact), _ref(Contact), *_episode_ref(Contact),
     *_plain(Contact, "contact_date", "start_time", "mode", "purpose", "venue",
             "duration_minutes", "status", "note"),
     _c("worker", Lookup("users", Contact.worker_id),
        "Who recorded or held the contact (username).")),
    Contact, ("episode_people", Contact.episode_id), "contacts",
)

GOALS = ExportTable(
    "goals", "Goals in the person's own words.",
    (_id(Goal), _ref(Goal), *_episode_ref(Goal),
     *_plain(Goal, "own_words", "category", "agreed_date", "status", "status_date")),
    Goal, ("episode_people", Goal.episode_id), "goals",
)

GOAL_STEPS = ExportTable(
    "goal_steps", "Action-plan steps of each goal (not imported).",
    (_id(GoalStep), _c("goal", GoalStep.goal_id, "The goal's id (see goals)."),
     _c("person", Lookup("episode_people", Goal.episode_id),
        "The person's LinkWorker reference (see people)."),
     *_plain(GoalStep, "position", "description", "who", "due_date", "done_date")),
    GoalStep, ("episode_people", Goal.episode_id), through=(Goal, Goal.id == GoalStep.goal_id),
)

GOAL_REVIEWS = ExportTable(
    "goal_reviews", "Progress reviews of each goal, 0-10 (not imported).",
    (_id(GoalReview), _c("goal", GoalReview.goal_id, "The goal's id (see goals)."),
     _c("person", Lookup("episode_people", Goal.episode_id),
        "The person's LinkWorker reference (see people)."),
     *_plain(GoalReview, "review_date", "progress", "status", "note")),
    GoalReview, ("episode_people", Goal.episode_id), through=(Goal, Goal.id == GoalReview.goal_id),
)

SIGNPOSTS = ExportTable(
    "signposts", "Connections made to services in the directory.",
    (_id(Signpost), _ref(Signpost), *_episode_ref(Signpost),
     _c("service", Signpost.service_id, "The service's id (see services)."),
     _c("service_name", Lookup("services", Signpost.service_id),
        "The service's name (for reading; not imported)."),
     *_plain(Signpost, "signposted_on", "accompanied", "taken_up", "taken_up_on", "note")),
    Signpost, ("episode_people", Signpost.episode_id), "signposts",
)

UNMET_NEEDS = ExportTable(
    "unmet_needs", "What people needed that no local service offered (not imported).",
    (_id(UnmetNeed), *_episode_ref(UnmetNeed),
     *_plain(UnmetNeed, "recorded_on", "category", "description")),
    UnmetNeed, ("episode_people", UnmetNeed.episode_id),
)

MEASURES = ExportTable(
    "measures", "Wellbeing forms: every answer, and the score stored when it was saved.",
    (_id(Measure), _ref(Measure), _person_ref(Measure.person_id),
     _c("episode", Measure.episode_id, "The journey's id, if the form belongs to one."),
     *_plain(Measure, "instrument", "timepoint", "completed_on", "mode"),
     _c("raw", Measure.raw, "Raw score (not imported: worked out from the answers)."),
     _c("value", Measure.value, "Reported score (not imported: worked out from the answers)."),
     _c("complete", Measure.complete, "yes when every question was answered (not imported).")),
    Measure, ("people", Measure.person_id), "measures",
)

SERVICES = ExportTable(
    "services", "The directory of community services.",
    (_id(Service), _ref(Service),
     *_plain(Service, "name", "category", "description", "venue", "address", "postcode",
             "times", "contact_name", "phone", "email", "website", "accessibility",
             "last_checked", "active")),
    Service, None, "services",
)

CONDITIONS = ExportTable(
    "conditions", "Long-term conditions: the code and the person's own words (not imported).",
    (_id(Condition), _person_ref(Condition.person_id),
     *_plain(Condition, "code", "term", "own_words")),
    Condition, ("people", Condition.person_id),
)

CONSENTS = ExportTable(
    "consents", "What each person agreed to, when and how (not imported).",
    (_id(Consent), _person_ref(Consent.person_id),
     *_plain(Consent, "kind", "given", "recorded_on", "how", "expires_on", "withdrawn_on")),
    Consent, ("people", Consent.person_id),
)

NOTES = ExportTable(
    "notes", "Free-text notes on people's records (not imported).",
    (_id(Note), _person_ref(Note.person_id),
     _c("episode", Note.episode_id, "The journey's id, if any."),
     *_plain(Note, "written_on", "title", "body"),
     _c("author", Lookup("users", Note.author_id), "Who wrote it (username).")),
    Note, ("people", Note.person_id),
)

STAFF = ExportTable(
    "staff", "Everyone who signs in (no passwords), so worker usernames can be read.",
    tuple(Column(n, getattr(User, n)) for n in ("username", "display_name", "role", "active",
                                                 "venue")),
    User, None,
)

TABLES: tuple[ExportTable, ...] = (PEOPLE, EPISODES, CONTACTS, GOALS, GOAL_STEPS, GOAL_REVIEWS,
                                   SIGNPOSTS, UNMET_NEEDS, MEASURES, SERVICES, CONDITIONS,
                                   CONSENTS, NOTES, STAFF)
IMPORT_ORDER = ("services", "people", "episodes", "contacts", "goals", "signposts", "measures")


# --- reading rows -----------------------------------------------------------------------------


@dataclass
class _Lookups:
    """Read once before the tables: who is in the export (``people``: in-scope person id ->
    reference; ``episode_people``: their journeys -> reference), and the small tables a row
    names by id. A million contacts then need no join: a dictionary look-up each."""

    people: dict[str, str]
    episode_people: dict[str, str]
    episode_numbers: dict[str, int]
    users: dict[str, str]
    contracts: dict[str, str]
    services: dict[str, str]


def _lookups(session: Session, actor: Actor) -> _Lookups:
    connection = session.connection()

    def pairs(query: Select) -> dict:
        return dict(connection.execute(query).all())

    people = pairs(select(Person.id, Person.reference).where(_people_rows(actor)))
    episode_people, episode_numbers = {}, {}
    for episode_id, person_id, number in connection.execute(
            select(Episode.id, Episode.person_id, Episode.number)):
        if person_id in people:
            episode_people[episode_id] = people[person_id]
            episode_numbers[episode_id] = number
    return _Lookups(people, episode_people, episode_numbers,
                    pairs(select(User.id, User.username)),
                    pairs(select(Contract.id, Contract.code)),
                    pairs(select(Service.id, Service.name)))


def _stored_order(model: Any) -> Any:
    """The table's rowid: its rows as stored, read page after page (an id order would read
    the pages in random order: ids are random UUIDs), the same order on every export."""
    return literal_column(f"{model.__tablename__}.rowid")


def _keys(session: Session, table: ExportTable, lookups: _Lookups) -> int:
    """How many rows the table will write (the sheet's size goes before its rows): only its
    scope's key column is read, from an index where there is one."""
    if table.scope is None:
        return session.connection().execute(
            select(func.count()).select_from(table.source)).scalar_one()
    kind, key = table.scope
    query = select(key).select_from(table.source)
    if table.through is not None:
        query = query.join(*table.through)
    scope = getattr(lookups, kind)
    return sum(1 for (k,) in session.connection().execute(query) if k in scope)


def _rows(session: Session, table: ExportTable, lookups: _Lookups,
          answers: int) -> Iterator[Sequence[Any]]:
    """The table's rows in stored order, out-of-scope ones skipped, looked-up columns filled
    in. Read straight from the driver's cursor with one converter per column that needs one
    (``_converters``): SQLAlchemy's per-row result machinery cost three times the read."""
    exprs = [c.expr.key if isinstance(c.expr, Lookup) else c.expr for c in table.columns]
    lookup = [(n, getattr(lookups, c.expr.kind)) for n, c in enumerate(table.columns)
              if isinstance(c.expr, Lookup)]
    kind, key = table.scope if table.scope else (None, None)
    query = select(*exprs).select_from(table.source)
    if key is not None:
        query = query.add_columns(key)
    if table.through is not None:
        query = query.join(*table.through)
    query = query.order_by(_stored_order(table.source))
    connection = session.connection()
    convert = _converters(exprs, connection.dialect)
    scope = getattr(lookups, kind) if kind else None
    width = len(exprs)
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.execute(str(query.compile(dialect=connection.dialect)))
        while batch := cursor.fetchmany(_BATCH):
            out = []
            for row in batch:
                if scope is not None and row[width] not in scope:
                    continue
                values = list(row[:width])
                for n, change in convert:
                    if values[n] is not None:
                        values[n] = change(values[n])
                for n, found in lookup:
                    values[n] = found.get(values[n])
                out.append(values)
            if table is MEASURES and answers and out:
                _add_answers(connection, out, answers)
            yield from out
    finally:
        cursor.close()


def _converters(exprs: list[Any], dialect: Any) -> list[tuple[int, Callable[[Any], Any]]]:
    """(column, converter) for the columns whose stored form is not what the files want:
    ISO text to dates and times, 0/1 to yes/no, JSON text to lists and dictionaries. Dates
    and times are parsed by the standard library (SQLite's stored form is ISO 8601)."""
    out = []
    for n, expr in enumerate(exprs):
        kind = expr.type
        if isinstance(kind, DateTime):
            out.append((n, dt.datetime.fromisoformat))
        elif isinstance(kind, Date):
            out.append((n, dt.date.fromisoformat))
        elif isinstance(kind, Time):
            out.append((n, dt.time.fromisoformat))
        elif (change := kind.result_processor(dialect, None)) is not None:
            out.append((n, change))
    return out


def _add_answers(connection: Any, rows: list[list[Any]], answers: int) -> None:
    """Each form's answers in question order (``answer_1``...), for one batch of forms."""
    found: dict[str, dict[int, int | None]] = {}
    for measure_id, item, answer in connection.execute(
            select(MeasureAnswer.measure_id, MeasureAnswer.item, MeasureAnswer.answer)
            .where(MeasureAnswer.measure_id.in_([row[0] for row in rows]))):
        found.setdefault(measure_id, {})[item] = answer
    items = range(1, answers + 1)
    for row in rows:
        given = found.get(row[0], {})
        row.extend(given.get(n) for n in items)


def _answer_width(session: Session, actor: Actor) -> int:
    """How many ``answer_N`` columns the measures need: the highest question number answered
    (over everyone's forms when the actor sees everyone: the answers' own key, no join)."""
    query = select(func.max(MeasureAnswer.item))
    if not sees_everyone(actor):
        query = (query.join(Measure, Measure.id == MeasureAnswer.measure_id)
                 .join(Person, Person.id == Measure.person_id).where(_people_rows(actor)))
    widest = session.execute(query).scalar_one_or_none()
    return min(widest or 0, MAX_ANSWERS)


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


def _csv_row(values: Sequence[Any]) -> list[str]:
    """``csv_text`` of every value; text, blanks and dates (most cells) without a call each."""
    return [value if type(value) is str and value[:1] not in _FORMULA_SET
            else "" if value is None else value.isoformat() if type(value) is dt.date
            else csv_text(value) for value in values]


# --- the workbook -----------------------------------------------------------------------------
#
# The sheets are written as SpreadsheetML straight into the zip, one row at a time: a million
# contacts through a general-purpose writer cost several function calls per cell, which was most
# of the export's time. Only what the export needs is written: inline strings, numbers, dates
# (a number with the date style), three styles, a frozen header row and column widths.

_NS = ('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>')
_BOLD, _DATE, _WRAP = 1, 2, 3
_EXCEL_EPOCH = dt.date(1899, 12, 31).toordinal()
_XML_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]")  # \r too: XML would drop it


def _xml_text(text: str) -> str:
    """Text for an XML element, control characters as Excel's own _xHHHH_ escapes."""
    if not _XML_SPECIAL.search(text):
        return text
    text = re.sub(r"(_x[0-9a-fA-F]{4}_)", r"_x005F\1", text)
    text = _CONTROL.sub(lambda found: f"_x{ord(found.group()):04X}_", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _excel_date(value: dt.date) -> str:
    """Excel's serial day number (1900 system, including its fictional 29/02/1900)."""
    days = value.toordinal() - _EXCEL_EPOCH
    days += days >= 60
    if isinstance(value, dt.datetime):
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        return repr(days + seconds / 86400)
    return str(days)


def _excel_width(characters: float) -> float:
    """A column width in characters as Excel stores it (with the cell padding)."""
    return int((characters * 7 + 5) / 7 * 256) / 256


class _Sheet:
    """One worksheet being streamed into the workbook's zip."""

    def __init__(self, book: _Workbook, name: str, headers: Sequence[str], rows: int,
                 widths: Sequence[float] = (), frozen: bool = True) -> None:
        """``rows``: how many rows follow the first (for the sheet's dimension, which readers
        such as openpyxl's read-only mode rely on)."""
        columns = max(len(headers), len(widths), 1)
        self.refs = [f'<c r="{xl_col_to_name(n)}' for n in range(columns)]
        self.number = 0
        self.parts: list[str] = []
        self.book = book
        self.pending: Future | None = None
        # No ZIP64 records: Excel is strict about them and a sheet of 1,048,576 rows stays
        # under 2 GiB unless its rows average over 2 KB (then ``close`` says so clearly).
        self.entry = book.zip.open(f"xl/worksheets/sheet{len(book.sheets) + 1}.xml", "w")
        book.entries.append(self.entry)
        book.sheets.append(name)
        pane = ('<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                '<selection pane="bottomLeft"/>' if frozen else "")
        cols = "".join(f'<col min="{n}" max="{n}" width="{_excel_width(w)}" customWidth="1"/>'
                       for n, w in enumerate(widths, 1))
        self.parts.append(
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {_NS}>'
            f'<dimension ref="A1:{xl_col_to_name(columns - 1)}{rows + 1}"/>'
            f'<sheetViews><sheetView workbookViewId="0">{pane}</sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/>{f"<cols>{cols}</cols>" if cols else ""}'
            '<sheetData>')
        self.row(headers, _BOLD)

    def row(self, values: Sequence[Any], style: int = 0) -> None:
        """Append one row: blanks left out, text inline, numbers, dates with the date style."""
        self.number += 1
        if not values:
            return
        number = str(self.number)
        cells = [f'<row r="{number}">']
        add = cells.append
        styled = f'" s="{style}"' if style else '"'
        for ref, value in zip(self.refs, values, strict=False):
            if value is None:
                continue
            kind = type(value)
            if kind is int or kind is float and math.isfinite(value):
                add(f"{ref}{number}{styled}><v>{value!r}</v></c>")
            elif kind is not str and isinstance(value, dt.date):
                add(f'{ref}{number}" s="{_DATE}"><v>{_excel_date(value)}</v></c>')
            elif value == "" and style:
                add(f"{ref}{number}{styled}/>")  # a blank styled cell, as XlsxWriter wrote
            else:  # text as it is (no protective apostrophe); yes/no, lists... as in the CSV
                text = _xml_text((value if kind is str else csv_text(value))[:32767])
                add(f'{ref}{number}{styled} t="inlineStr"><is><t xml:space="preserve">'
                    f"{text}</t></is></c>")
        add("</row>")
        self.parts.append("".join(cells))
        if len(self.parts) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        """Hand the rows so far to the compressing thread, after its previous batch: zlib
        lets go of the GIL, so compression overlaps building the next batch."""
        data = "".join(self.parts).encode("utf-8")
        self.parts.clear()
        if self.pending is not None:
            self.pending.result()
        self.pending = self.book.compressor.submit(self.entry.write, data)

    def close(self) -> None:
        self.parts.append("</sheetData>"
                          '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" '
                          'header="0.3" footer="0.3"/></worksheet>')
        self.flush()
        self.pending.result()
        try:
            self.entry.close()
        except RuntimeError:  # zipfile: "File size too large, try using force_zip64"
            raise UserError("A sheet of the workbook would be larger than 2 GB, more than "
                            "Excel can open; the CSV files hold every row.") from None


class _Workbook:
    """The XLSX beside the CSVs, streamed sheet by sheet into its zip (constant memory, no
    scratch files). The README sheet is written last but listed first."""

    def __init__(self, handle: Any) -> None:
        self.zip = zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED)
        self.compressor = ThreadPoolExecutor(1, thread_name_prefix="export-zip")
        self.entries: list[Any] = []  # the sheets' zip entries, to close if the export fails
        self.sheets: list[str] = []

    def write_readme(self, lines: list[list[str]]) -> None:
        readme = _Sheet(self, "README", lines[0], len(lines) - 1, widths=(22, 28, 90),
                        frozen=False)
        for line in lines[1:]:
            readme.row(line, _BOLD if len(line) == 1 else _WRAP)
        readme.close()

    def close(self) -> None:
        order = [self.sheets.index("README"), *(n for n, name in enumerate(self.sheets)
                                                if name != "README")]
        sheets = "".join(f'<sheet name="{_xml_text(self.sheets[n])}" sheetId="{n + 1}" '
                         f'r:id="rId{n + 1}"/>' for n in order)
        count = len(self.sheets)
        rels = "".join(f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" '
                       f'Target="worksheets/sheet{n}.xml"/>' for n in range(1, count + 1))
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for n in range(1, count + 1))
        head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        self.zip.writestr("[Content_Types].xml", (
            f'{head}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            f'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>{overrides}</Types>'))
        self.zip.writestr("_rels/.rels", (
            f'{head}<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
            f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        self.zip.writestr("xl/workbook.xml", (
            f'{head}<workbook {_NS}><bookViews><workbookView activeTab="0"/></bookViews>'
            f"<sheets>{sheets}</sheets></workbook>"))
        self.zip.writestr("xl/_rels/workbook.xml.rels", (
            f'{head}<Relationships xmlns="{_PKG_REL}">{rels}<Relationship '
            f'Id="rId{count + 1}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'))
        self.zip.writestr("xl/styles.xml", _STYLES)
        self.zip.close()

    def __enter__(self) -> _Workbook:
        return self

    def __exit__(self, failed: type[BaseException] | None, *exc: object) -> None:
        """Also when the export failed half-way: stop the thread and finish the zip (in the
        temporary file, which is then removed) so nothing writes to it after that."""
        self.compressor.shutdown()
        if failed is not None:
            with contextlib.suppress(Exception):
                for entry in self.entries:
                    entry.close()
                self.zip.close()


def sheet_names(table: str, rows: int) -> list[str]:
    """The sheets a table fills: Excel holds ``EXCEL_MAX_ROWS`` rows below the header, so a
    bigger table goes on over "contacts (2)", "contacts (3)"..."""
    sheets = max(1, -(-rows // EXCEL_MAX_ROWS))
    return [table[:31]] + [f"{table[:26]} ({n})" for n in range(2, sheets + 1)]


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
        more = sheet_names(table.name, rows)[1:]
        if more:
            doc += (f" Longer than a sheet ({EXCEL_MAX_ROWS:,} rows): in the workbook it goes on "
                    f"over {'the sheet' if len(more) == 1 else 'the sheets'} "
                    f"{', '.join(more)} (the CSV has every row).")
        lines.append([table.name, f"{rows} rows", doc])
        for name, doc in table.describe_columns():
            lines.append(["", name, doc])
        if table is MEASURES and answers:
            lines.append(["", f"answer_1 ... answer_{answers}",
                          "Each answer in question order; blank if not answered."])
    return lines


def export_all(caseload: Caseload, actor: Actor, folder: Path | str,
               progress: Progress | None = None, today: dt.date | None = None) -> ExportResult:
    """Write every table as CSV and one workbook into ``folder``; audited. Returns the files.

    Everything is written into a hidden folder beside ``folder`` and moved into place only when
    every file is complete: a new folder appears whole; in an existing folder each file
    replaces its old copy whole. A failed export leaves nothing behind."""
    require(actor, "data.export")
    with caseload.reading() as session:
        check_actor(session, actor)  # a manager deactivated since signing in gets nothing
    folder = Path(folder).expanduser()
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{folder} is a file; choose a folder to export into.")
    folder.parent.mkdir(parents=True, exist_ok=True)
    today = today or dt.date.today()
    counts: dict[str, int] = {}
    names: list[str] = []
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".part", dir=folder.parent))
    try:
        # One read snapshot, so every file shows the same moment; no write lock is held while
        # the files are written (a minute at 50,000 people), so others can keep saving.
        with caseload.reading() as session, (staging / WORKBOOK).open("wb") as handle:
            answers = _answer_width(session, actor)
            lookups = _lookups(session, actor)
            with _Workbook(handle) as book:
                for index, table in enumerate(TABLES):
                    if progress:
                        progress(index, len(TABLES), f"Exporting {table.name}")
                    counts[table.name] = _export_table(session, table, lookups, answers,
                                                       staging, book)
                    names.append(f"{table.name}.csv")
                book.write_readme(readme_lines(counts, answers, today))
                book.close()
            _flush(handle)
        readme = "\n".join("\t".join(line) for line in readme_lines(counts, answers, today))
        with (staging / README).open("w", encoding="utf-8") as text:
            text.write(readme + "\n")
            _flush(text)
        names += [WORKBOOK, README]
        _move_into_place(staging, folder, names)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    with caseload.transaction() as session:
        audit.record(session, actor, "export", entity="everything",
                     details={"tables": counts, "format": "csv+xlsx"})
    if progress:
        progress(len(TABLES), len(TABLES), "Export finished")
    return ExportResult(folder, tuple(folder / name for name in names), counts)


def _flush(handle: Any) -> None:
    handle.flush()
    os.fsync(handle.fileno())


def _move_into_place(staging: Path, folder: Path, names: list[str]) -> None:
    """A new folder: the staging folder is renamed to it (one step). An existing one: each
    file replaces its old copy (``os.replace``: a reader sees the old file or the new)."""
    if not folder.exists():
        staging.rename(folder)
    else:
        for name in names:
            os.replace(staging / name, folder / name)
    with contextlib.suppress(OSError):  # make the renames durable (not possible on Windows)
        directory = os.open(folder.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def _export_table(session: Session, table: ExportTable, lookups: _Lookups, answers: int,
                  folder: Path, book: _Workbook) -> int:
    """One CSV and its sheet(s), from one pass over the rows, in batches. A table longer than
    a sheet goes on over "name (2)"... (see ``sheet_names``)."""
    headers = _headers(table, answers)
    expected = _keys(session, table, lookups)

    def next_sheet(count: int) -> _Sheet:
        name = sheet_names(table.name, count + 1)[-1]
        return _Sheet(book, name, headers, min(max(expected - count, 0), EXCEL_MAX_ROWS))

    sheet = next_sheet(0)
    count = 0
    with (folder / f"{table.name}.csv").open("w", encoding="utf-8", newline="") as handle:
        handle.write("\ufeff")
        out = csv.writer(handle)
        out.writerow(headers)
        rows = _rows(session, table, lookups, answers)
        while batch := list(itertools.islice(rows, _BATCH)):
            out.writerows(map(_csv_row, batch))
            for values in batch:
                if sheet.number > EXCEL_MAX_ROWS:
                    sheet.close()
                    sheet = next_sheet(count)
                sheet.row(values)
                count += 1
        _flush(handle)
    sheet.close()
    return count
