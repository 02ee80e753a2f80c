"""The export's tables, and how their rows are read and written: what each table holds
(``TABLES``), the one query per table that reads its rows with looked-up names
(``_lookup_selects``, ``_temporary_lookups``, ``_row_query``, ``_rows``), how a value becomes a CSV
field or a sheet cell, and a sheet's deflated rows (``_Part``, ``_Piece``). Its own home so
that both ``export`` (which puts the files together) and ``export_workers`` (the processes
that read shares of the big tables) use it without importing each other; see ``export``'s
docstring for the decisions.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import math
import os
import re
import shutil
import sys
import tempfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    Select,
    String,
    Time,
    and_,
    func,
    insert,
    select,
)
from sqlalchemy import column as sql_column
from sqlalchemy import table as sql_table
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from xlsxwriter.utility import xl_col_to_name

try:  # ISA-L's deflate: the same format, about 4x less CPU than zlib's level 1 on the sheets
    from isal import isal_zlib as _sheet_zlib
except ImportError:  # pragma: no cover - a pyproject dependency; zlib gives the same workbook
    _sheet_zlib = zlib

from linkworker.access import Actor, people_scope, sees_everyone
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

EXCEL_MAX_ROWS = 1_048_575  # below the header
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_BATCH = 2000



@dataclass(frozen=True)
class Lookup:
    """A column whose value is looked up by the row's key column in what ``_lookup_selects``
    read before the tables (the person's reference, a journey's number, a username...), rather
    than joined row by row in SQL."""

    kind: str  # one of ``LOOKUPS``
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


LOOKUPS = ("people", "episode_people", "episode_numbers", "users", "contracts", "services")


def _lookup_table(name: str) -> Any:
    """The temporary table ``temp.lw_NAME`` (id -> value) as SQLAlchemy sees it."""
    return sql_table(f"lw_{name}", sql_column("id"), sql_column("value"), schema="temp")


def _lookup_selects(actor: Actor) -> dict[str, Select]:
    """What each ``LOOKUPS`` table holds, as (id, value) queries: who is in the export
    (``people``: in-scope person id -> reference; ``episode_people``: their journeys ->
    reference, ``episode_numbers``: -> number), and the small tables a row names by id. A
    million contacts then need no join of their own, a key look-up each. Read by SQLite
    straight into the temporary tables: no Python object per person in any process."""
    people = _lookup_table("people")
    theirs = select(Episode.id, people.c.value, Episode.number).join(
        people, people.c.id == Episode.person_id)
    return {"people": select(Person.id, Person.reference).where(_people_rows(actor)),
            "episode_people": theirs.with_only_columns(Episode.id, people.c.value),
            "episode_numbers": theirs.with_only_columns(Episode.id, Episode.number),
            "users": select(User.id, User.username),
            "contracts": select(Contract.id, Contract.code),
            "services": select(Service.id, Service.name)}


# How each kind of column is written. SQLite reads each table's stored values (joining the
# looked-up names from small temporary tables, on its own thread without the GIL); Python
# formats a batch of rows a column at a time. Each column of a batch is checked whole (the
# types it holds, its text joined once and searched once) and, when it holds what the app
# stores (ISO dates, 0/1, plain text...), passed on as it is or through a small cache; the
# sheet row is then one ``str.format`` call, from a template per pattern of blank cells
# (``_Templates``). A column holding anything else in a batch is written a value at a time
# through ``csv_text`` and ``_cell``, exactly as before (``_exact``). Formatting every cell in
# SQL (a CASE, GLOBs and concat per cell) was most of the export's time until stop 22.
_TEXT, _INT, _FLOAT, _DATE, _TIME, _BOOL, _OTHER = (
    "text", "int", "float", "date", "time", "bool", "other")
_NONE = type(None)
_FEW_TEXTS = 256  # distinct texts in a batch's column: see ``_Column.plain``
_ODD = object()  # a stored date or time not in the app's own form: written exactly
# In "\n" + "\n".join(texts): a text that starts as a formula would (a line break inside a
# text may match too: that batch's column is then just checked a value at a time).
_FORMULA_AT_START = tuple("\n" + start for start in "=+-@\t\r")
# What the sheet escapes: & < >, control characters (\r too) and _xHHHH_ look-alikes.
_CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")
_CONTROL_BYTES = bytes(range(0x20)).replace(b"\t", b"").replace(b"\n", b"")


def _formula_at_start(joined: str) -> bool:
    """Does a text in ``joined`` (each after a line break) start as a formula would? Six
    searches for two characters are several times quicker than one regular expression."""
    return any(start in joined for start in _FORMULA_AT_START)


def _needs_escaping(text: str) -> bool:
    """Would the sheet write any of ``text`` differently (& < >, control characters, text
    like _xHHHH_)? Plain ``in`` searches are much faster than a regular expression over a
    batch's text; so is deleting the control characters from ASCII text (its bytes are a
    copy) and comparing lengths, where ``isprintable`` looks each character up."""
    if "&" in text or "<" in text or ">" in text or "_x" in text:
        return True
    if text.isascii():
        data = text.encode("ascii")
        return len(data.translate(None, _CONTROL_BYTES)) != len(data)
    # A batch's text is joined with line breaks (never printable): ``isprintable`` without
    # them rules out control characters faster than the search (which then runs rarely).
    return (not text.isprintable() and not text.replace("\n", "").isprintable()
            and _CONTROL_CHARACTER.search(text) is not None)


_TIME_STORED = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\.[0-9]{6}")


def _markup(slot: str, letter: str) -> tuple[str, str, str]:
    """A cell's markup before its row number, between the number and the value, and after
    the value (``cell``: the whole cell, made by ``_cell``)."""
    return {"number": (f'<c r="{letter}', '"><v>', "</v></c>"),
            "date": (f'<c r="{letter}', f'" s="{_DATE_STYLE}"><v>', "</v></c>"),
            "text": (f'<c r="{letter}', '" t="inlineStr"><is><t xml:space="preserve">',
                     "</t></is></c>"),
            "cell": ("", "", "")}[slot]


_NUMBER = -1  # in a ``_Layout``: the row's number goes here


@dataclass(frozen=True)
class _Layout:
    """A row as pieces: the markup (the same in every row) and where the row's number and
    each column's text go. A batch is laid out a column at a time: the row's markup
    repeated for every row (one list multiplication), each column put into its places by
    one slice assignment, then one join. No Python runs per row or per cell: an f-string
    per row, the way stop 24 built them, was half the formatting's time."""

    markup: tuple[str | None, ...]  # None: a row's number or a column's text goes here
    places: tuple[tuple[int, int], ...]  # (where in the row, column index or _NUMBER)

    @staticmethod
    def of(pieces: Sequence[str | int]) -> _Layout:
        """From a row's pieces: text (markup: neighbours are joined) or what goes there."""
        markup: list[str | None] = []
        places = []
        for piece in pieces:
            if type(piece) is int:
                places.append((len(markup), piece))
                markup.append(None)
            elif markup and markup[-1] is not None:
                markup[-1] += piece
            elif piece:
                markup.append(piece)
        return _Layout(tuple(markup), tuple(places))

    def join(self, count: int, numbers: Sequence[str], columns: Sequence[Sequence[str]]
             ) -> str:
        width = len(self.markup)
        parts = list(self.markup) * count
        for at, column in self.places:
            parts[at::width] = numbers if column == _NUMBER else columns[column]
        return "".join(parts)


@functools.lru_cache(maxsize=256)
def _sheet_layout(slots: tuple[tuple[str, str, bool], ...]) -> _Layout:
    """A batch's sheet rows for its ``slots`` (each column's kind of cell, letter, and
    whether it has blanks). A column with blanks comes whole (``_blank_cells``: a blank has
    no cell), so its cells go in one place; any other column's value goes between its
    markup, its row number in the cell's reference."""
    pieces: list[str | int] = ['<row r="', _NUMBER, '">']
    for k, (slot, letter, blanks) in enumerate(slots):
        before, middle, after = _markup(slot, letter)
        pieces += [k] if blanks or slot == "cell" else [before, _NUMBER, middle, k, after]
    return _Layout.of([*pieces, "</row>"])


@functools.lru_cache(maxsize=256)
def _lines_layout(width: int) -> _Layout:
    """A batch's CSV lines from fields already quoted where they need it (``csv_field``,
    only in the columns that have such a field: ``_needs_quoting``) and blanks as ""."""
    pieces: list[str | int] = []
    for k in range(width):
        pieces += [k, ","] if k < width - 1 else [k, "\r\n"]
    return _Layout.of(pieces)


def _blank_cells(slot: str, letter: str, numbers: Sequence[str], values: Sequence[Any]
                 ) -> list[str]:
    """A column's whole cells where it has blanks: no cell for a blank."""
    if slot == "cell":
        return ["" if v is None else v for v in values]
    before, middle, after = _markup(slot, letter)
    return [f"{before}{n}{middle}{v}{after}" if v is not None else ""
            for n, v in zip(numbers, values, strict=True)]


def _texts(values: Sequence[Any], blanks: bool, numbers: bool) -> Sequence[str]:
    """A column's fields or cells as text: numbers as the f-string wrote them, blanks as ""."""
    if blanks:
        values = ["" if v is None else v for v in values]
    return list(map(str, values)) if numbers else values


def _needs_quoting(joined: str, count: int) -> bool:
    """Would csv's writer quote any of ``count`` text fields, each after a line break in
    ``joined`` (a comma, a quote, a line break of its own)?"""
    return "," in joined or '"' in joined or "\r" in joined or joined.count("\n") != count


def _kind(expr: Any) -> str:
    kind = expr.type
    if isinstance(kind, Date) and not isinstance(kind, DateTime):
        return _DATE
    if isinstance(kind, Time):
        return _TIME
    if isinstance(kind, Boolean):
        return _BOOL
    if isinstance(kind, Integer):
        return _INT
    if isinstance(kind, Float):
        return _FLOAT
    if isinstance(kind, String) and not isinstance(kind, JSON):
        return _TEXT
    return _OTHER


class _Dates(dict):
    """A stored date -> its Excel serial day, made once per date (a caseload holds a few
    thousand); ``_ODD`` for anything but the app's ISO form (then written exactly)."""

    def __init__(self) -> None:
        super().__init__({None: None})

    def __missing__(self, stored: Any) -> Any:
        try:
            day = dt.date.fromisoformat(stored)
            serial = _excel_date(day) if day.isoformat() == stored else _ODD
        except (TypeError, ValueError):
            serial = _ODD
        self[stored] = serial
        return serial


class _Times(dict):
    """A stored time -> HH:MM, or ``_ODD`` for anything but the app's own form."""

    def __init__(self) -> None:
        super().__init__({None: None})

    def __missing__(self, stored: Any) -> Any:
        short = (stored[:5] if type(stored) is str and _TIME_STORED.fullmatch(stored)
                 else _ODD)
        self[stored] = short
        return short


class _Texts(dict):
    """A stored value (JSON: lists, yes/no choices) -> its (CSV field, quoted if it needs it;
    cell text), made once per distinct value; ``_ODD`` for a value whose cell is not text
    (then written exactly)."""

    def __init__(self, convert: Callable[[Any], Any] | None) -> None:
        super().__init__({None: (None, None)})
        self.convert = convert or (lambda v: v)

    def __missing__(self, stored: Any) -> Any:
        value = self.convert(stored)
        if value is None or isinstance(value, list | dict | bool | str):
            text = csv_text(value)
            made = (csv_field(text),
                    _rare_escapes(_markup_text(text if type(value) is not str else value)))
        else:
            made = _ODD
        if len(self) < 10_000:  # free text in such a column is not worth keeping
            self[stored] = made
        return made


class _YesNo(dict):
    def __missing__(self, stored: Any) -> Any:
        return "yes" if stored else "no"


_YES_NO = _YesNo({None: None, 0: "no", 1: "yes"})


@dataclass
class _Column:
    """One column's formatting: its kind, its letter, and what a stored value becomes in
    Python (``_converter``) when it is written exactly."""

    kind: str
    letter: str
    convert: Callable[[Any], Any] | None
    dates: _Dates
    times: _Times
    texts: _Texts = field(init=False)
    # Texts already found to be written as they are (no formula start, quoting or escaping,
    # not too long): a column of a few distinct values (a mode, a status, a username) is
    # then checked by one set of its batch instead of searching its joined text. None once
    # the column has shown it holds too many different values for that to pay.
    plain: set[str] | None = field(init=False, default_factory=set)

    def __post_init__(self) -> None:
        self.texts = _Texts(self.convert)

    def format(self, values: Sequence[Any], numbers: Sequence[str]
               ) -> tuple[Sequence[Any], Sequence[Any], str, bool, bool]:
        """This column of a batch: its CSV fields (None: blank), the values its sheet cells
        hold (None: no cell), the kind of cell they go in (``_SLOTS``), whether a field may
        still need csv's quoting (numbers, dates, times and yes/no never do; a text column
        says so from the text it has already joined and searched), and whether it has
        blanks (a blank stays None in both fields and cells, whatever the path: read from
        the types, which are looked at anyway, rather than by searching both lists)."""
        types = set(map(type, values))
        blanks = _NONE in types
        types.discard(_NONE)
        return (*self._format(values, numbers, types, blanks), blanks)

    def _format(self, values: Sequence[Any], numbers: Sequence[str], types: set[type],
                blanks: bool) -> tuple[Sequence[Any], Sequence[Any], str, bool]:
        kind = self.kind
        if kind == _TEXT and types <= {str}:
            return self._text(values, blanks)
        if kind == _INT and types <= {int}:
            if min(filter(None, values), default=0) < 0:  # Excel would read -5 as a formula
                return [f"'{v}" if v is not None and v < 0 else v for v in values], values, \
                    "number", False
            return values, values, "number", False
        if kind == _FLOAT and types <= {float} and all(map(math.isfinite, filter(None, values))):
            return values, values, "number", False
        if kind == _DATE and types <= {str}:
            serials = list(map(self.dates.__getitem__, values))
            if _ODD not in serials:
                return values, serials, "date", False
        if kind == _TIME and types <= {str}:
            short = list(map(self.times.__getitem__, values))
            if _ODD not in short:
                return short, short, "text", False
        if kind == _BOOL and types <= {int}:
            words = list(map(_YES_NO.__getitem__, values))
            return words, words, "text", False
        if kind == _OTHER and types <= {str}:  # JSON: a few distinct values, each made once
            made = list(map(self.texts.__getitem__, values))
            if _ODD not in made:
                fields, texts = zip(*made, strict=True)
                return fields, texts, "text", False
        return self._exact(values, numbers)

    def _text(self, values: Sequence[str | None], blanks: bool
              ) -> tuple[Sequence[Any], Sequence[Any], str, bool]:
        distinct = None
        if self.plain is not None:
            distinct = set(values)
            distinct.discard(None)
            if distinct <= self.plain:
                return values, values, "text", False
            if len(distinct) > _FEW_TEXTS:
                self.plain = distinct = None
        made = self._searched(values, blanks)
        if distinct is not None and made[0] is values and made[1] is values and not made[3] \
                and len(self.plain) < _FEW_TEXTS * 16:
            self.plain |= distinct  # each of them is written as it is
        return made

    def _searched(self, values: Sequence[str | None], blanks: bool
                  ) -> tuple[Sequence[Any], Sequence[Any], str, bool]:
        """A text column's batch from its text joined once and searched once."""
        texts = list(filter(None, values)) if blanks else values  # "" changes nothing
        if not texts:
            return values, values, "text", False
        joined = "\n" + "\n".join(texts)  # \n: no cell escapes it
        fields = values
        if _formula_at_start(joined):
            fields = [f"'{v}" if v and v.startswith(_FORMULA_START) else v for v in values]
        quoting = _needs_quoting(joined, len(texts))  # an apostrophe never needs quoting
        short = len(joined) <= _EXCEL_TEXT or max(map(len, texts)) <= _EXCEL_TEXT
        if short and not _needs_escaping(joined):
            return fields, values, "text", quoting
        return fields, [v if v is None or (len(v) <= _EXCEL_TEXT and not _needs_escaping(v))
                        else _rare_escapes(_markup_text(v)) for v in values], "text", quoting

    def _exact(self, values: Sequence[Any], numbers: Sequence[str]
               ) -> tuple[Sequence[Any], Sequence[Any], str, bool]:
        """A value at a time, as the plain Python export wrote it (and as SQLite did)."""
        change = self.convert or (lambda v: v)
        fields, cells = [], []
        for number, stored in zip(numbers, values, strict=True):
            if stored is None:
                fields.append(None)
                cells.append(None)
                continue
            value = change(stored)
            fields.append(csv_text(value))
            cells.append(_rare_escapes(_cell(f"{self.letter}{number}", value, '"')))
        texts = [f for f in fields if f]
        return fields, cells, "cell", _needs_quoting("\n" + "\n".join(texts), len(texts))


@dataclass(frozen=True)
class _RowQuery:
    """One table's stored values in stored order (``sql``: one read of the table, its scope
    and its looked-up names) and how each column is written."""

    sql: str
    columns: tuple[_Column, ...]

    def format(self, batch: Sequence[tuple[Any, ...]], first: int) -> tuple[str, str]:
        """A batch of rows as CSV lines and sheet rows (each one text), the sheet rows
        numbered from ``first``."""
        count = len(batch)
        numbers = list(map(str, range(first, first + count)))  # once per row, not per cell
        fields, cells, slots = [], [], []
        for column, values in zip(self.columns, zip(*batch, strict=True), strict=True):
            csv_values, cell_values, slot, quoting, blank = column.format(values, numbers)
            number = slot == "number"
            fields.append(_texts(_quoted(csv_values) if quoting else csv_values, blank, number))
            cells.append(_blank_cells(slot, column.letter, numbers, cell_values)
                         if blank or slot == "cell" else _texts(cell_values, False, number))
            slots.append((slot, column.letter, blank))
        return (_lines_layout(len(fields)).join(count, numbers, fields),
                _sheet_layout(tuple(slots)).join(count, numbers, cells))


def _row_query(table: ExportTable, answers: int, dialect: Any,
               dates: _Dates | None = None, times: _Times | None = None,
               bounds: tuple[int, int] | None = None) -> _RowQuery:
    """One read of the table in rowid order; the scope and the looked-up names come from the
    temporary ``lw_*`` tables (``_temporary_lookups``), joined by key. ``bounds`` (low,
    high): only the rows with low < rowid <= high (a share of a big table, ``_shares``)."""
    source = table.source.__tablename__
    joins = []
    if table.through is not None:
        model, on = table.through
        joins.append(f"CROSS JOIN {model.__tablename__} ON {_sql(on, dialect)}")
    scope = None
    if table.scope is not None:
        kind, key = table.scope
        scope = (kind, _sql(key, dialect))
        joins.append(f"CROSS JOIN temp.lw_{kind} AS lw_scope ON lw_scope.id = {scope[1]}")
    values, kinds, converters = [], [], []
    for n, column in enumerate(table.columns):
        if isinstance(column.expr, Lookup):
            key = _sql(column.expr.key, dialect)
            if (column.expr.kind, key) == scope:  # the scope's own row: no second look-up
                values.append("lw_scope.value")
            else:
                joins.append(f"LEFT JOIN temp.lw_{column.expr.kind} AS lw_{n} ON lw_{n}.id = {key}")
                values.append(f"lw_{n}.value")
            kinds.append(_INT if column.expr.kind == "episode_numbers" else _TEXT)
            converters.append(None)
        else:
            values.append(_sql(column.expr, dialect))
            kinds.append(_kind(column.expr))
            converters.append(_converter(column.expr, dialect))
    answers = answers if table is MEASURES else 0
    kinds += [_INT] * answers
    converters += [None] * answers
    selected = ", ".join(f"{v} AS v{n}" for n, v in enumerate(values))
    within = (f" WHERE {source}.rowid > {int(bounds[0])} AND {source}.rowid <= {int(bounds[1])}"
              if bounds is not None else "")
    rows = f"FROM {source} {' '.join(joins)}{within} ORDER BY {source}.rowid"
    sql = f"SELECT {selected} {rows}"
    if answers:
        # A form's answers as one JSON object read once, then taken apart: a look-up per
        # question cost twice as much. OFFSET keeps the inner query a subquery of its own.
        first = len(values)
        taken = ", ".join(f"lw_answers ->> '$.\"{item}\"'" for item in range(1, answers + 1))
        sql = (f"SELECT {', '.join(f'v{n}' for n in range(first))}, {taken} FROM (SELECT "
               f"{selected}, (SELECT json_group_object(item, answer) FROM measure_answers "
               f"WHERE measure_id = {source}.id) AS lw_answers {rows} LIMIT -1 OFFSET 0)")
    dates = dates if dates is not None else _Dates()
    times = times if times is not None else _Times()
    return _RowQuery(sql, tuple(
        _Column(kind, xl_col_to_name(n), convert, dates, times)
        for n, (kind, convert) in enumerate(zip(kinds, converters, strict=True))))


def _sql(clause: Any, dialect: Any) -> str:
    return str(clause.compile(dialect=dialect))


def _converter(expr: Any, dialect: Any) -> Callable[[Any], Any] | None:
    """What the stored value becomes in Python: ISO text to dates and times, 0/1 to yes/no,
    JSON text to lists and dictionaries (SQLite's stored form is ISO 8601 for dates)."""
    kind = expr.type
    if isinstance(kind, DateTime):
        return dt.datetime.fromisoformat
    if isinstance(kind, Date):
        return dt.date.fromisoformat
    if isinstance(kind, Time):
        return dt.time.fromisoformat
    return kind.result_processor(dialect, None)


@contextlib.contextmanager
def _temporary_lookups(connection: Connection, actor: Actor) -> Iterator[None]:
    """The lookups (``_lookup_selects``) as temporary tables (in memory: ``temp_store=MEMORY``)
    that the row queries join by key, filled by SQLite from the connection's own snapshot:
    each worker process builds its own, so no look-up is read into Python or sent down a
    pipe. Dropped afterwards, so nothing stays on the pooled connection."""
    try:
        for name, query in _lookup_selects(actor).items():
            connection.exec_driver_sql(f"CREATE TEMP TABLE lw_{name} (id TEXT PRIMARY KEY, "
                                       "value) WITHOUT ROWID")
            connection.execute(insert(_lookup_table(name)).from_select(["id", "value"], query))
        yield
    finally:
        for name in LOOKUPS:
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS temp.lw_{name}")


def _rows(connection: Any, query: _RowQuery, before: int = 0, most: int | None = None
          ) -> Iterator[tuple[int, str, str, int]]:
    """One table's rows as batches of (the sheet they go on, CSV lines, sheet rows, how many
    rows). ``before``: the table's rows before these (a share's), so that the sheet rows are
    numbered and cut into sheets of ``most`` rows as one pass would; a batch that reaches a
    sheet's end is cut there."""
    most = most or EXCEL_MAX_ROWS
    cursor = connection.cursor()
    try:
        cursor.execute(query.sql)
        while batch := cursor.fetchmany(_BATCH):
            while batch:
                sheet, row = divmod(before, most)
                taken = batch[:most - row]
                lines, sheet_rows = query.format(taken, row + 2)
                yield sheet, lines, sheet_rows, len(taken)
                before += len(taken)
                batch = batch[len(taken):]
    finally:
        cursor.close()


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


def _quoted(fields: Sequence[str | None]) -> list[str | None]:
    """``csv_field`` over a column's text fields, written out in one comprehension: a call
    per field was most of the cost of a column with a comma somewhere in its batch."""
    return [f'"{f.replace(chr(34), chr(34) * 2)}"'
            if f and ("," in f or '"' in f or "\n" in f or "\r" in f) else f for f in fields]


def csv_field(text: str) -> str:
    """A field as the csv module writes it (``QUOTE_MINIMAL``: quoted when it holds a comma,
    a quote or a line break)."""
    if "," in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


# --- the workbook -----------------------------------------------------------------------------
#
# The sheets are written as SpreadsheetML straight into the zip, one row at a time: a million
# contacts through a general-purpose writer cost several function calls per cell, which was most
# of the export's time. Only what the export needs is written: inline strings, numbers, dates
# (a number with the date style), three styles, a frozen header row and column widths.

_NS = ('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
_BOLD, _DATE_STYLE, _WRAP = 1, 2, 3  # cell styles: cellXfs in ``STYLES`` below
STYLES = (  # cellXfs 1-3 are _BOLD, _DATE_STYLE and _WRAP
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
_EXCEL_EPOCH = dt.date(1899, 12, 31).toordinal()
_X_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_EXCEL_TEXT = 32767  # characters in a cell
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]")  # \r too: XML would drop it


def _markup_text(text: str, limit: int = _EXCEL_TEXT) -> str:
    """The first ``limit`` characters with & < > escaped: the part of ``_xml_text`` done cell
    by cell (in SQL for most cells); ``_rare_escapes`` does the rest a whole batch at once."""
    text = text[:limit]
    if "&" in text or "<" in text or ">" in text:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def _rare_escapes(xml: str) -> str:
    """Excel's _xHHHH_ escapes for control characters, and _x005F before text that already
    looks like one, over a batch of finished rows. The markup around the text holds neither
    (no control character, no underscore), and & < > escaping neither makes nor breaks a
    match, so this equals escaping each cell's text in ``_xml_text``'s order."""
    if "_x" in xml and _X_ESCAPE.search(xml):
        xml = _X_ESCAPE.sub(r"_x005F\1", xml)
    if _CONTROL.search(xml):
        xml = _CONTROL.sub(lambda found: f"_x{ord(found.group()):04X}_", xml)
    return xml


def _cell(ref: str, value: Any, styled: str) -> str:
    """One cell of the Python path (``_Sheet.row``, and values SQLite leaves to Python): a
    number, a date (the date style), or inline text (yes/no, lists... as in the CSV, without
    the protective apostrophe); & < > escaped here, the rest by ``_rare_escapes``."""
    kind = type(value)
    if kind is int or kind is float and math.isfinite(value):
        return f"<c r=\"{ref}{styled}><v>{value!r}</v></c>"
    if kind is not str and isinstance(value, dt.date):
        return f'<c r="{ref}" s="{_DATE_STYLE}"><v>{_excel_date(value)}</v></c>'
    if value == "" and styled != '"':
        return f"<c r=\"{ref}{styled}/>"  # a blank styled cell, as XlsxWriter wrote
    text = _markup_text(value if kind is str else csv_text(value))
    return f'<c r="{ref}{styled} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


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


# How hard to squeeze the sheets: level 1. A sheet is up to ~1 GB of repetitive XML at 50,000
# people; level 6 (zlib's default) took three times the CPU for a file about a sixth smaller.
# The sheets' rows go through ISA-L (``_sheet_zlib``): its level 1 took a quarter of zlib's
# CPU on the contacts sheet, for a slightly smaller file (stop 23, docs/performance.md).
_LEVEL = 1


class _Part:
    """One worksheet: its rows deflated into a scratch file as they come (on the thread that
    reads them: zlib lets go of the GIL). Its start, which holds the row count, is deflated
    once the rows are known and put in front of them (``_Book.add_sheet``)."""

    def __init__(self, scratch: Path, name: str, headers: Sequence[str],
                 widths: Sequence[float] = (), frozen: bool = True) -> None:
        self.name, self.headers, self.widths, self.frozen = name, headers, widths, frozen
        handle, path = tempfile.mkstemp(suffix=".deflate", dir=scratch)
        self.path = Path(path)
        self.file = os.fdopen(handle, "wb")
        self.deflate = _sheet_zlib.compressobj(_LEVEL, zlib.DEFLATED, -15)
        self.rows = self.size = self.crc = 0

    def add_text(self, text: str, rows: int) -> None:
        """Append ``rows`` finished rows written as one text (a batch's: ``_rows``),
        numbered from ``self.rows + 2``."""
        self.rows += rows
        self._write(text)

    def row(self, values: Sequence[Any], style: int = 0) -> None:
        """Append one row from Python values (the README); an empty line is left out."""
        self.add_text(_row_xml(self.rows + 2, values, style) if values else "", 1)

    def _write(self, text: str) -> None:
        data = text.encode("utf-8")
        self.crc = _sheet_zlib.crc32(data, self.crc)
        self.size += len(data)
        self.file.write(self.deflate.compress(data))

    def close(self) -> None:
        self._write(_SHEET_END)
        self.file.write(self.deflate.flush())
        self.file.close()

    def piece(self) -> _Piece:
        """End these rows as one piece of a sheet (``_Book.add_pieces``): the deflate stream
        is flushed to a byte boundary but not ended, so the next piece's stream can follow."""
        self.file.write(self.deflate.flush(zlib.Z_SYNC_FLUSH))
        self.file.close()
        return _Piece(self.path, self.rows, self.size, self.crc)

    def start(self) -> str:
        return _sheet_start(self.headers, self.rows, self.widths, self.frozen)


_SHEET_END = ('</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" '
              'header="0.3" footer="0.3"/></worksheet>')


@dataclass(frozen=True)
class _Piece:
    """Some of a sheet's rows, deflated by whichever worker read them (``_Part.piece``)."""

    path: Path
    rows: int
    size: int  # bytes before deflating
    crc: int


def _sheet_start(headers: Sequence[str], rows: int, widths: Sequence[float] = (),
                 frozen: bool = True) -> str:
    """The sheet's XML before its rows: the dimension (which readers such as openpyxl's
    read-only mode rely on), the frozen header row, column widths, the header."""
    columns = max(len(headers), len(widths), 1)
    pane = ('<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft"/>' if frozen else "")
    cols = "".join(f'<col min="{n}" max="{n}" width="{_excel_width(w)}" customWidth="1"/>'
                   for n, w in enumerate(widths, 1))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {_NS}>'
            f'<dimension ref="A1:{xl_col_to_name(columns - 1)}{rows + 1}"/>'
            f'<sheetViews><sheetView workbookViewId="0">{pane}</sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/>{f"<cols>{cols}</cols>" if cols else ""}'
            f"<sheetData>{_row_xml(1, headers, _BOLD)}")


def _row_xml(number: int, values: Sequence[Any], style: int = 0) -> str:
    """One row from Python values: blanks left out, text inline, numbers, dates styled."""
    styled = f'" s="{style}"' if style else '"'
    return _rare_escapes(f'<row r="{number}">' + "".join(
        _cell(f"{xl_col_to_name(n)}{number}", value, styled)
        for n, value in enumerate(values) if value is not None) + "</row>")


STOP_POLL_S = 0.1  # how often a running export asks whether it should stop


def append_file(source: Path, handle: Any) -> None:
    """Copy ``source`` onto the end of what ``handle`` (a binary file) has written: in the
    kernel where it can (``sendfile``: a sheet's hundreds of megabytes never pass through
    Python), else through a buffer."""
    with source.open("rb") as data:
        size = os.fstat(data.fileno()).st_size
        if hasattr(os, "sendfile") and sys.platform == "linux":
            handle.flush()
            sent = 0
            while sent < size:
                done = os.sendfile(handle.fileno(), data.fileno(), sent, size - sent)
                if not done:
                    break
                sent += done
            if sent == size:
                return
            data.seek(sent)
        shutil.copyfileobj(data, handle, 1 << 20)


def _flush(handle: Any) -> None:
    handle.flush()
    os.fsync(handle.fileno())


