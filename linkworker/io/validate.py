"""Checking every row before anything is written: cells to typed values, or problems.

A problem names the row (as the user sees it in their sheet), the column (their header), the
value and the reason, so the report reads "row 14, column 'DOB': '31/02/1970' is not a real
date". This module checks what one row can show on its own; references to people, journeys,
services and workers are checked against the caseload in ``importers`` and reported the same
way. The checks themselves are the app's own (``linkworker.validation``, ``linkworker.codes``,
``linkworker.wellbeing.score``), so an import accepts exactly what the screens accept.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from linkworker import rules
from linkworker.errors import UserError
from linkworker.io import vocab
from linkworker.io.mapping import ColumnMapping, Field, fields_of
from linkworker.io.readers import MissingValue, Table
from linkworker.validation import (
    InvalidValue,
    check_birth_date,
    check_email,
    format_date,
    normalise_nhs_number,
    normalise_postcode,
    parse_date,
)

_EXCEL_ERRORS = ("#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!",
                 "#SPILL!", "#CALC!", "#GETTING_DATA")
MAX_MINUTES = 600
EARLIEST = dt.date(1900, 1, 1)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one row (``column`` is empty when it is about the whole row)."""

    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        """Row, column, value (unless the reason already quotes it) and what to do."""
        where = f"row {self.row}" + (f", column '{self.column}'" if self.column else "")
        if self.value and self.value not in self.reason:
            where += f", value '{self.value}'"
        return f"{where}: {self.reason}"


@dataclass
class Record:
    """One row's typed values by field name (blank cells are absent: they never clear data)."""

    row: int
    values: dict[str, Any]
    columns: dict[str, str] = field(default_factory=dict)  # field -> header, for problems
    unlisted: dict[str, str] = field(default_factory=dict)  # field -> words not in our list


@dataclass(frozen=True)
class Unlisted:
    """A value not in LinkWorker's list, taken as ``code`` with the words kept (a referral
    source such as "Age UK" is another service; the name goes in the referrer organisation)."""

    code: str
    text: str


FIXED_COLUMN = "(fixed value for every row)"


def cell_text(value: Any) -> str:
    """A cell as the user typed it (dates as dd/mm/yyyy), for messages and rows to fix."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M") if value.time() != dt.time() \
            else format_date(value.date())
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return str(value)


def show(value: Any) -> str:
    """A cell for a message: as typed, cut short if long."""
    text = cell_text(value)
    return text if len(text) <= 60 else text[:57] + "..."


# --- cell converters ------------------------------------------------------------------------


def _text(value: Any, f: Field) -> str:
    if isinstance(value, dt.datetime | dt.date):
        text = value.isoformat()[:10]
    elif isinstance(value, float):
        text = repr(value)
    else:
        text = str(value)
    text = text.strip()
    if len(text) > f.limit:
        raise InvalidValue(f"is {len(text):,} characters long; the most this field holds is "
                           f"{f.limit:,}.")
    return text


_DATE_SHAPE = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}$|^\d{4}-\d{1,2}-\d{1,2}$")


def parse_any_date(value: Any) -> dt.date:
    """A date from a real date cell, an Excel serial, or text (dd/mm/yyyy, ISO, 3 Apr 2026)."""
    if isinstance(value, str):
        value = re.sub(r"[T ]00:00(:00(\.0+)?)?$", "", value.strip())
        value = re.sub(r"\s+", " ", value)
    try:
        # Excel serial numbers only from real number cells: "12345" typed in a CSV is not 1933.
        parsed = parse_date(value, allow_serial=not isinstance(value, str))
    except InvalidValue:
        if isinstance(value, str) and _DATE_SHAPE.match(value):
            raise InvalidValue(f"{value!r} is not a real date.") from None
        raise InvalidValue(f"{show(value)!r} is not a date: use dd/mm/yyyy, for example "
                           "03/04/2026.") from None
    if parsed is None:
        raise InvalidValue("is not a date.")
    if parsed < EARLIEST:
        raise InvalidValue(f"{format_date(parsed)} is before 1900: check the year.")
    return parsed


def _date(value: Any, f: Field, today: dt.date) -> dt.date:
    parsed = parse_any_date(value)
    if parsed > today + dt.timedelta(days=3660):
        raise InvalidValue(f"{format_date(parsed)} is more than ten years ahead: check the year.")
    return parsed


def _dob(value: Any, f: Field, today: dt.date) -> dt.date:
    born = parse_any_date(value)
    if born > today and isinstance(value, str) and re.search(r"\D\d{2}$", value.strip()):
        born = born.replace(year=born.year - 100)  # "03/04/60" is a birth in 1960, not 2060
    return check_birth_date(born, today)


def _time(value: Any, f: Field, today: dt.date) -> dt.time:
    if isinstance(value, dt.datetime):
        return value.time().replace(microsecond=0)
    if isinstance(value, dt.time):
        return value.replace(microsecond=0)
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < 1:
        seconds = round(value * 86400)
        return dt.time(seconds // 3600, seconds % 3600 // 60)
    text = str(value).strip().lower().replace(".", ":")
    match = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?(?::\d{2})?\s*(am|pm)?", text)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if match.group(3) == "pm" and hour < 12:
            hour += 12
        if match.group(3) == "am" and hour == 12:
            hour = 0
        if hour < 24 and minute < 60 and (match.group(2) or match.group(3)):
            return dt.time(hour, minute)
    raise InvalidValue(f"{show(value)!r} is not a time of day (for example 14:30).")


def _whole_number(value: Any) -> int:
    if isinstance(value, bool):
        raise InvalidValue(f"{value!r} is not a number.")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    text = str(value).strip()
    if re.fullmatch(r"-?[0-9]{1,15}(\.0+)?", text):
        return int(text.split(".")[0])
    raise InvalidValue(f"{show(value)!r} is not a whole number.")


def _int(value: Any, f: Field, today: dt.date) -> int:
    number = _whole_number(value)
    if not 1 <= number <= 999:
        raise InvalidValue(f"{number} is not a journey number (1, 2, 3...).")
    return number


def _decile(value: Any, f: Field, today: dt.date) -> int:
    number = _whole_number(value)
    if not 1 <= number <= 10:
        raise InvalidValue(f"{show(number)} is not a decile (1 to 10).")
    return number


def _minutes(value: Any, f: Field, today: dt.date) -> int:
    text = str(value).strip().lower()
    match = re.fullmatch(r"(\d+)\s*(m|min|mins|minutes)?", text)
    hours = re.fullmatch(r"(\d+):(\d{2})", text)
    if isinstance(value, dt.time):
        minutes = value.hour * 60 + value.minute
    elif hours:
        minutes = int(hours.group(1)) * 60 + int(hours.group(2))
    elif match:
        minutes = int(match.group(1))
    else:
        minutes = _whole_number(value)
    if not 0 <= minutes <= MAX_MINUTES:
        raise InvalidValue(f"{minutes} minutes is outside 0 to {MAX_MINUTES}.")
    return minutes


def _number(value: Any, f: Field, today: dt.date) -> float:
    try:
        return float(str(value).strip())
    except ValueError:
        raise InvalidValue(f"{show(value)!r} is not a number.") from None


def _answer(value: Any, f: Field, today: dt.date) -> int:
    return _whole_number(value)


def _email(value: Any, f: Field, today: dt.date) -> str:
    return check_email(_text(value, f))


def _uuid(value: Any, f: Field, today: dt.date) -> str:
    try:
        return str(uuid.UUID(str(value).strip()))
    except ValueError:
        raise InvalidValue(f"{show(value)!r} is not a LinkWorker id (they look like "
                           "3f2b...-....; leave the column out for new records).") from None


MAX_JSON_CHARS = 4000
MAX_JSON_DEPTH = 3


def _json(value: Any, f: Field, today: dt.date) -> dict[str, Any]:
    """Contact preferences as the export writes them: a small, flat set of choices."""
    text = str(value)
    not_choices = InvalidValue("is not a set of choices in LinkWorker's format (as the export "
                               "writes them, for example {\"phone\": true}).")
    if len(text) > MAX_JSON_CHARS:
        raise InvalidValue(f"is {len(text):,} characters long; contact preferences are at most "
                           f"{MAX_JSON_CHARS:,}.")
    if _nesting(text) > MAX_JSON_DEPTH:
        raise InvalidValue(f"nests more than {MAX_JSON_DEPTH} levels deep; contact preferences "
                           "are a flat set of choices.")
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise not_choices from None
    if not isinstance(data, dict):
        raise not_choices
    return data


def _nesting(text: str) -> int:
    """How deep brackets nest (counted before parsing: a deep one overflows the parser)."""
    depth = deepest = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _reasons(value: Any, f: Field, today: dt.date) -> list[str]:
    parts = [p for p in re.split(r"[;,/|\n]+", str(value)) if p.strip()]
    found: list[str] = []
    for part in parts:
        code = vocab.REFERRAL_REASON.code(part)
        if code not in found:
            found.append(code)
    return found


def _instrument(value: Any, f: Field, today: dt.date) -> str:
    """An instrument by code or by one of the names its file lists under ``aliases``."""
    from linkworker.wellbeing import get_instrument, list_instruments

    text = str(value).strip()
    for inst in list_instruments():
        if vocab.squash(text) in {vocab.squash(a) for a in inst.definition.get("aliases", ())}:
            return inst.code
    return get_instrument(text).code


def _purpose(value: Any, f: Field, today: dt.date) -> str:
    from linkworker.contacts import PURPOSES

    try:
        return vocab.timepoint(value) if vocab.squash(value).startswith(("review", "month")) \
            else vocab.Vocabulary("contact purpose", PURPOSES).code(value)
    except InvalidValue:
        raise InvalidValue(f"{show(value)!r} is not a contact purpose (for example First "
                           "meeting, Support session, 3-month review).") from None


def _referral_source(value: Any, f: Field, today: dt.date) -> str | Unlisted:
    try:
        return vocab.REFERRAL_SOURCE.code(value)
    except InvalidValue:
        return Unlisted("other_service", _text(value, f))


def _vocabulary(words: vocab.Vocabulary) -> Callable[[Any, Field, dt.date], str]:
    return lambda value, f, today: words.code(value)


def _wrap(check: Callable[[Any], Any]) -> Callable[[Any, Field, dt.date], Any]:
    return lambda value, f, today: check(str(value) if not isinstance(value, str) else value)


CONVERTERS: dict[str, Callable[[Any, Field, dt.date], Any]] = {
    "text": lambda value, f, today: _text(value, f),
    "ref": lambda value, f, today: _text(value, f),
    "person": lambda value, f, today: _text(value, f),
    "episode": lambda value, f, today: _text(value, f),
    "service": lambda value, f, today: _text(value, f),
    "worker": lambda value, f, today: _text(value, f),
    "contract": lambda value, f, today: _text(value, f),
    "lw_reference": lambda value, f, today: _text(value, f).upper(),
    "uuid": _uuid,
    "date": _date,
    "dob": _dob,
    "time": _time,
    "int": _int,
    "minutes": _minutes,
    "decile": _decile,
    "number": _number,
    "answer": _answer,
    "email": _email,
    "json": _json,
    "reasons": _reasons,
    "instrument": _instrument,
    "purpose": _purpose,
    "nhs": _wrap(normalise_nhs_number),
    "postcode": _wrap(normalise_postcode),
    "bool": lambda value, f, today: vocab.yes_no(value),
    "timepoint": lambda value, f, today: vocab.timepoint(value),
    "gender": _vocabulary(vocab.GENDER),
    "ethnicity": lambda value, f, today: vocab.ethnicity_vocabulary().code(value),
    "disability": _vocabulary(vocab.DISABILITY),
    "carer": _vocabulary(vocab.CARER),
    "referral_source": _referral_source,
    "exit_reason": _vocabulary(vocab.EXIT_REASON),
    "eligibility": _vocabulary(vocab.ELIGIBILITY),
    "contact_mode": _vocabulary(vocab.CONTACT_MODE),
    "contact_status": _vocabulary(vocab.CONTACT_STATUS),
    "goal_category": _vocabulary(vocab.GOAL_CATEGORY),
    "goal_status": _vocabulary(vocab.GOAL_STATUS),
    "service_category": _vocabulary(vocab.SERVICE_CATEGORY),
    "measure_mode": _vocabulary(vocab.MEASURE_MODE),
}


def convert(value: Any, f: Field, today: dt.date) -> Any:
    """One cell to its typed value; ``InvalidValue`` (message includes the value) if it can't."""
    if isinstance(value, MissingValue):
        raise InvalidValue(f"The formula {value.formula} has no saved result: open the file "
                           "in Excel and save it, so the result is stored.")
    if isinstance(value, str) and value.upper() in _EXCEL_ERRORS:
        raise InvalidValue(f"shows the error {value.upper()} in Excel: fix the formula.")
    try:
        return CONVERTERS[f.type](value, f, today)
    except InvalidValue:
        raise
    except UserError as exc:  # e.g. an unknown instrument (NotFound)
        raise InvalidValue(str(exc)) from None


# --- rows -----------------------------------------------------------------------------------

RowCheck = Callable[[Record, dt.date], list[tuple[str, str]]]


def check_table(
    table: Table, mapping: ColumnMapping, today: dt.date | None = None
) -> Iterator[tuple[Record | None, list[Problem]]]:
    """Each row of ``table`` as a record (None if it had problems) and its problems."""
    today = today or dt.date.today()
    catalogue = fields_of(mapping.kind)
    columns = [(i, h, catalogue[mapping.columns[h]]) for i, h in enumerate(table.headers)
               if mapping.columns.get(h)]
    row_check = ROW_CHECKS.get(mapping.kind)
    order = {h: i for i, h in enumerate(table.headers)}
    fixed = fixed_values(mapping, today)
    for row in table.rows:
        record = Record(row.number, {}, {f.name: h for _, h, f in columns})
        problems: list[Problem] = []
        for index, header, f in columns:
            value = row.cells[index] if index < len(row.cells) else None
            if value is None:
                continue
            try:
                record.values[f.name] = convert(mapping.translate(f.name, value), f, today)
            except InvalidValue as exc:
                problems.append(Problem(row.number, header, show(value), _sentence(exc, value)))
            if f.name == "referral_source" and mapping.translate(f.name, value) != value:
                record.values.setdefault("referrer_organisation", str(value))  # their words
        for name, value in fixed.items():
            if name not in record.values:
                record.values[name] = value
                record.columns.setdefault(name, FIXED_COLUMN)
        _keep_unlisted_words(record)
        if row_check is not None:
            for name, reason in row_check(record, today):
                header = record.columns.get(name, "")
                if header and any(p.column == header for p in problems):
                    continue  # the cell's own problem already says it
                shown = show(record.values.get(name, "")) if name in record.values else ""
                problems.append(Problem(row.number, header, shown, reason))
        for f in catalogue.values():
            if f.required and f.name not in record.values and f.name in record.columns \
                    and not any(p.column == record.columns[f.name] for p in problems):
                problems.append(Problem(row.number, record.columns[f.name], "",
                                        f"{f.label} is empty; every row needs one."))
        problems.sort(key=lambda p: order.get(p.column, -1))  # read left to right
        yield (None if problems else record), problems


def fixed_values(mapping: ColumnMapping, today: dt.date) -> dict[str, Any]:
    """The mapping's fixed values, checked once for the whole file (a bad one stops it)."""
    catalogue = fields_of(mapping.kind)
    found: dict[str, Any] = {}
    for name, value in mapping.fixed.items():
        try:
            found[name] = convert(value, catalogue[name], today)
        except InvalidValue as exc:
            raise UserError(f"The fixed value for {catalogue[name].label}: "
                            f"{_sentence(exc, value)}") from None
    return found


def _keep_unlisted_words(record: Record) -> None:
    """A value taken as a nearby code keeps its words where a person will see them."""
    for name, value in list(record.values.items()):
        if isinstance(value, Unlisted):
            record.values[name] = value.code
            record.unlisted[name] = value.text
            if name == "referral_source":
                where = ("referrer_organisation" if not record.values.get("referrer_organisation")
                         else "referrer_name")
                record.values.setdefault(where, value.text)


def _sentence(exc: InvalidValue, value: Any) -> str:
    """Converters may say just "is not a date."; the report puts the value in front."""
    message = str(exc)
    if message.startswith(("holds ", "shows ", "is ")):
        return f"{show(value)!r} {message}"
    return message


# --- checks across a row's cells --------------------------------------------------------------


def _people(record: Record, today: dt.date) -> list[tuple[str, str]]:
    values = record.values
    full = values.pop("full_name", None)
    if full and not (values.get("given_name") and values.get("family_name")):
        given, _, family = full.rpartition(" ")
        if not given:
            return [("full_name", f"'{full}' has only one name; give the family name too.")]
        values.setdefault("given_name", given.strip())
        values.setdefault("family_name", family.strip())
    problems = [(name, f"{label} is empty; every person needs one.")
                for name, label in (("given_name", "Given name"), ("family_name", "Family name"))
                if not values.get(name)]
    referral = [n for n in ("referral_source", "referral_reasons", "referrer_name",
                            "referrer_organisation", "worker", "contract") if n in values]
    if referral and not values.get("referral_date") and "referral_date" in record.columns:
        problems.append(("referral_date", "The referral date is empty, so the journey cannot "
                                          "be created: give the date they were referred."))
    return problems + _broken(rules.not_in_future("referral_date", "referral",
                                                  values.get("referral_date"), today))


def _broken(found: list) -> list[tuple[str, str]]:
    return [(b.field, b.message) for b in found]


def _episodes(record: Record, today: dt.date) -> list[tuple[str, str]]:
    values = record.values
    return _broken(rules.journey_dates(
        values.get("referral_date"), today, first_contact=values.get("first_contact_date"),
        first_meeting=values.get("first_meeting_date"), exit_date=values.get("exit_date"),
        exit_reason=values.get("exit_reason")))


def _contacts(record: Record, today: dt.date) -> list[tuple[str, str]]:
    day, status = record.values.get("contact_date"), record.values.get("status", "attended")
    return _broken(rules.contact_date(day, status, today)) if day else []


def _dated(name: str, label: str) -> RowCheck:
    def check(record: Record, today: dt.date) -> list[tuple[str, str]]:
        return _broken(rules.not_in_future(name, label, record.values.get(name), today))

    return check


def _goals(record: Record, today: dt.date) -> list[tuple[str, str]]:
    """An achieved date is the day the goal was met: status "achieved" from then on."""
    values = record.values
    problems = _dated("agreed_date", "agreed")(record, today)
    achieved = values.get("achieved_date")
    if achieved is None:
        return problems
    problems += _dated("achieved_date", "achieved")(record, today)
    status = values.setdefault("status", "achieved")
    if status != "achieved":
        problems.append(("achieved_date", f"there is an achieved date but the status is "
                                          f"'{vocab.GOAL_STATUS.labels[status]}': clear one "
                                          "of them."))
    agreed = values.get("agreed_date")
    if agreed and achieved < agreed:
        problems.append(("achieved_date", f"the goal was achieved ({format_date(achieved)}) "
                                          f"before it was agreed ({format_date(agreed)})."))
    values.setdefault("status_date", achieved)
    return problems


def _measures(record: Record, today: dt.date) -> list[tuple[str, str]]:
    from linkworker.wellbeing import InvalidAnswers, get_instrument, score

    values = record.values
    problems = _broken(rules.form_date(values["completed_on"], today)) \
        if values.get("completed_on") else []
    code = values.get("instrument")
    if code is None:
        return problems
    inst = get_instrument(code)
    answers: list[int | None] = [values.get(f"answer_{n}") for n in range(1, inst.item_count + 1)]
    for n in range(inst.item_count + 1, 31):
        if values.get(f"answer_{n}") is not None:
            problems.append((f"answer_{n}", f"{inst.code} has {inst.item_count} questions, so "
                                            "this column should be empty."))
    result = None
    for _attempt in range(inst.item_count + 1):  # report every bad answer, not just the first
        try:
            result = score(inst, answers)
            break
        except InvalidAnswers as exc:
            match = re.search(r"item (\d+)", str(exc))
            if not match:
                problems.append(("instrument", str(exc)))
                break
            item = int(match.group(1))
            problems.append((f"answer_{item}", str(exc)))
            answers[item - 1] = None
    if result is not None and not any(a is not None for a in result.answers):
        problems.append(("instrument", f"the {inst.code} form has no answers."))
    total = values.pop("total", None)
    if result is not None and total is not None and result.complete and not problems:
        reported = result.value if result.value is not None else result.raw
        if reported is not None and abs(float(total) - float(reported)) > 0.005:
            problems.append(("total", f"the total {total:g} in the file differs from the "
                                      f"score of the answers ({reported:g}): check the answers."))
    if result is not None and not problems:
        values["_score"] = result
    return problems


ROW_CHECKS: dict[str, RowCheck] = {
    "people": _people,
    "episodes": _episodes,
    "contacts": _contacts,
    "goals": _goals,
    "signposts": _dated("signposted_on", "signposting"),
    "measures": _measures,
}
