"""Instrument definitions: wellbeing scales as data, never as code.

Each instrument is one JSON document (format described in ``resources/instruments/README.md``).
The three built-ins ship in ``resources/instruments/``; an organisation's own instruments are
stored in the caseload's ``instruments`` table and registered here when the caseload opens, so
scoring a licensed "star" tool or a local questionnaire needs no code change.

``parse_definition`` is the validator: it collects *every* problem in a file and names the field
of each (``answers.max``, ``items[3].bands``...), because an admin fixing a file by hand needs
the whole list at once, not one error per attempt. The shape is the published JSON Schema
``resources/instruments/instrument.schema.json`` (checked with jsonschema, so other tools and
editors can check a file too); the cross-field rules a schema cannot express are ours.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from linkworker.errors import NotFound, UserError
from linkworker.resources import resource_path

if TYPE_CHECKING:  # jsonschema is imported when a definition is first checked, not at start-up
    from jsonschema import Draft202012Validator

FORMAT_VERSION = 1
BUILTIN_FILES = ("wemwbs.json", "swemwbs.json", "ons4.json")
SCHEMA_FILE = "instrument.schema.json"  # the published shape of a definition (JSON Schema)


class InstrumentFileError(UserError):
    """An instrument definition is invalid; ``problems`` lists each one with its field."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = tuple(problems)
        listed = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source} is not a valid instrument definition:\n{listed}")


@dataclass(frozen=True)
class Band:
    """A named range of answers on one item, e.g. ONS4 life satisfaction 7-8 "High"."""

    low: int
    high: int
    label: str

    def contains(self, answer: int) -> bool:
        return self.low <= answer <= self.high


@dataclass(frozen=True)
class Item:
    """One question or statement. ``text`` is ``None`` when the wording does not ship."""

    number: int
    code: str
    label: str
    text: str | None
    reverse: bool = False
    higher_is_better: bool = True
    bands: tuple[Band, ...] = ()

    def band_for(self, answer: int | None) -> str | None:
        if answer is None:
            return None
        return next((b.label for b in self.bands if b.contains(answer)), None)


@dataclass(frozen=True)
class ReferenceLine:
    """A population reference value drawn on charts (e.g. a national survey mean)."""

    value: float
    label: str
    source: str = ""


@dataclass(frozen=True)
class Instrument:
    """A validated instrument definition. Build one with ``parse_definition``."""

    code: str
    name: str
    short_name: str
    answer_min: int
    answer_max: int
    answer_labels: Mapping[int, str]
    items: tuple[Item, ...]
    scoring: str
    lookup: Mapping[int, float] | None
    score_name: str
    score_decimals: int
    higher_is_better: bool
    meaningful_change: float
    reliable_change: float | None
    change_basis: str
    reference_lines: tuple[ReferenceLine, ...]
    notice: str
    licence: str
    wording_ships: bool
    placeholder: str
    wording_same_as: tuple[str, tuple[int, ...]] | None
    recall: str = ""
    instructions: str = ""
    builtin: bool = False
    definition: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def item_count(self) -> int:
        return len(self.items)

    @property
    def reports_total(self) -> bool:
        """False for instruments reported item by item (ONS4): no single score, no ``value``."""
        return self.scoring != "items"

    @property
    def raw_min(self) -> int:
        return self.answer_min * self.item_count

    @property
    def raw_max(self) -> int:
        return self.answer_max * self.item_count

    @property
    def value_range(self) -> tuple[float, float]:
        """The lowest and highest reported score (answer range for item-reported instruments)."""
        if self.lookup is not None:
            return (min(self.lookup.values()), max(self.lookup.values()))
        if self.scoring == "items":
            return (float(self.answer_min), float(self.answer_max))
        return (float(self.raw_min), float(self.raw_max))

    def item(self, key: int | str) -> Item:
        """An item by 1-based number or code."""
        for it in self.items:
            if key in (it.number, it.code):
                return it
        raise NotFound(f"{self.code} has no item {key!r}")

    def answer_label(self, answer: int) -> str:
        return self.answer_labels.get(answer, str(answer))

    def item_prompt(self, number: int, wording: tuple[str, ...] | None = None) -> str:
        """What the form shows for an item: licensed wording if loaded, else the placeholder."""
        if wording is not None:
            return wording[number - 1]
        text = self.items[number - 1].text
        return text if text else self.placeholder.format(n=number)


# --- validation -----------------------------------------------------------------------------
# Two layers: the published JSON Schema (resources/instruments/instrument.schema.json, checked
# with jsonschema) says the shape and types, with our field-named messages in its "x-error" /
# "x-required" annotations; ``_check_rules`` adds what a schema cannot say (ranges that depend
# on other fields, coverage, uniqueness, the lookup table). Both always run, so an admin gets
# every problem at once; the rules skip any part the schema already rejected.


class _Problems:
    """Collects validation problems with the field path they concern."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, path: str, message: str) -> None:
        line = f"{path}: {message}"
        if line not in self.items:
            self.items.append(line)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@functools.cache
def _validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    schema = json.loads(resource_path("instruments", SCHEMA_FILE).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _field(path: Sequence[str | int]) -> str:
    """``items``, 0 -> ``items[1]`` (items are numbered from 1, as admins count them);
    other lists from 0 (``items[1].bands[0]``), object keys dotted."""
    text = ""
    for index, part in enumerate(path):
        if isinstance(part, int):
            text += f"[{part + 1 if index == 1 and path[0] == 'items' else part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _schema_at(path: Sequence[str | int]) -> Mapping[str, Any]:
    """The schema of the object at ``path`` (for naming a missing property)."""
    schema: Mapping[str, Any] = _validator().schema
    for part in path:
        schema = schema.get("items" if isinstance(part, int) else "properties", {})
        schema = schema if isinstance(part, int) else schema.get(part, {})
    return schema


def schema_problems(data: Any) -> list[str]:
    """Every place ``data`` breaks the published schema, as "field: what is wrong"."""
    problems = _Problems()
    for error in _validator().iter_errors(data):
        path = list(error.absolute_path)
        if error.validator == "required":
            owner = _schema_at(path)
            for name in error.validator_value:
                if isinstance(error.instance, Mapping) and name not in error.instance:
                    wanted = owner.get("properties", {}).get(name, {})
                    message = wanted.get("x-required") or wanted.get("x-error") or "is required"
                    problems.add(wanted.get("x-required-path") or _field([*path, name]),
                                 message)
            continue
        message = error.schema.get("x-error") if isinstance(error.schema, Mapping) else None
        problems.add(_field(path) or "file", message or error.message)
    return problems.items


def _answer_range(answers: Any, problems: _Problems) -> tuple[int, int] | None:
    low, high = (answers.get("min"), answers.get("max")) if isinstance(answers, Mapping) else (
        None, None)
    if not (_is_int(low) and _is_int(high)):
        return None
    if high <= low:
        problems.add("answers.max", f"must be a whole number greater than answers.min ({low})")
        return None
    if high - low > 100:
        problems.add("answers.max", "allows more than 101 answers; use a smaller range")
        return None
    labels = answers.get("labels", {})
    for key in labels if isinstance(labels, Mapping) else ():
        if re.fullmatch(r"-?[0-9]+", str(key)) and not low <= int(key) <= high:
            problems.add(f"answers.labels.{key}", f"is outside the answer range {low}..{high}")
    return (low, high)


def _check_bands(raw: Any, path: str, low: int, high: int, problems: _Problems) -> None:
    if not isinstance(raw, list):
        return
    covered: list[int] = []
    for i, band in enumerate(raw):
        if not (isinstance(band, Mapping) and _is_int(band.get("min"))
                and _is_int(band.get("max"))):
            return  # the schema has named it
        if not low <= band["min"] <= band["max"] <= high:
            problems.add(f"{path}[{i}]", f"min and max must be whole numbers, "
                         f"{low} <= min <= max <= {high}")
            return
        covered += range(band["min"], band["max"] + 1)
    if raw and sorted(covered) != list(range(low, high + 1)):
        problems.add(path, f"must cover every answer {low}..{high} exactly once")


def _check_items(data: Mapping[str, Any], answers: tuple[int, int] | None,
                 problems: _Problems) -> None:
    raw = data.get("items")
    if not isinstance(raw, list):
        return
    wording = data.get("wording")
    ships = wording.get("ships") if isinstance(wording, Mapping) else None
    reverse = data.get("reverse_items", [])
    for n in reverse if isinstance(reverse, list) else ():
        if _is_int(n) and n > len(raw):
            problems.add("reverse_items", f"item {n} does not exist (items are 1..{len(raw)})")
    seen: set[str] = set()
    for i, entry in enumerate(raw):
        if not isinstance(entry, Mapping):
            continue
        where = f"items[{i + 1}]"
        code = entry.get("code", f"item{i + 1}")
        if code in seen:
            problems.add(f"{where}.code", f"{code!r} is used by more than one item")
        seen.add(code)
        has_text = entry.get("text") is not None
        if has_text and ships is False:
            problems.add(f"{where}.text", 'wording.ships is false, so items must not carry "text"')
        if not has_text and ships is True:
            problems.add(f"{where}.text", "is required because wording.ships is true")
        if answers is not None:
            _check_bands(entry.get("bands"), f"{where}.bands", *answers, problems)


def _check_lookup(data: Mapping[str, Any], answers: tuple[int, int] | None,
                  problems: _Problems) -> None:
    scoring, items = data.get("scoring"), data.get("items")
    if not (isinstance(scoring, Mapping) and scoring.get("method") == "lookup"
            and isinstance(scoring.get("table"), Mapping) and isinstance(items, list) and items
            and answers is not None):
        return
    raw_min, raw_max = answers[0] * len(items), answers[1] * len(items)
    parsed: dict[int, float] = {}
    for key, value in scoring["table"].items():
        if not re.fullmatch(r"-?[0-9]+", str(key)) or not isinstance(value, int | float):
            continue  # the schema has named it
        if not raw_min <= int(key) <= raw_max:
            problems.add(f"scoring.table.{key}", f"is outside the raw sums {raw_min}..{raw_max}")
        else:
            parsed[int(key)] = float(value)
    missing = [r for r in range(raw_min, raw_max + 1) if r not in parsed]
    if missing:
        shown = ", ".join(str(r) for r in missing[:8]) + (" ..." if len(missing) > 8 else "")
        problems.add("scoring.table", f"has no score for raw sum(s) {shown}; every sum "
                     f"{raw_min}..{raw_max} needs one (scores are never interpolated)")
    ordered = [parsed[r] for r in sorted(parsed)]
    if any(b < a for a, b in zip(ordered, ordered[1:], strict=False)):
        problems.add("scoring.table", "scores must not go down as the raw sum goes up")


def _check_rules(data: Mapping[str, Any], problems: _Problems) -> None:
    """What the schema cannot say; each check skips input the schema already rejected."""
    answers = _answer_range(data.get("answers"), problems)
    _check_items(data, answers, problems)
    _check_lookup(data, answers, problems)


def _build(data: Mapping[str, Any], builtin: bool) -> Instrument:
    """The ``Instrument`` of a definition that passed both layers (defaults filled in)."""
    code = data["code"]
    short_name = data.get("short_name") or code
    answers, wording, scoring = data["answers"], data["wording"], data["scoring"]
    placeholder = wording.get("placeholder", "Item {n}")
    reverse = set(data.get("reverse_items", []))
    items = tuple(
        Item(n, entry.get("code", f"item{n}"), entry.get("label", placeholder.format(n=n)),
             entry.get("text"), n in reverse, entry.get("higher_is_better", True),
             tuple(Band(b["min"], b["max"], b["label"]) for b in entry.get("bands", ())))
        for n, entry in enumerate(data["items"], 1)
    )
    same_as = wording.get("same_as")
    reported = data.get("reported_score", {})
    change = data["change"]
    lookup = ({int(k): float(v) for k, v in scoring["table"].items()}
              if scoring["method"] == "lookup" else None)
    return Instrument(
        code=code, name=data["name"], short_name=short_name, answer_min=answers["min"],
        answer_max=answers["max"],
        answer_labels=MappingProxyType({int(k): v for k, v in answers.get("labels", {}).items()}),
        items=items, scoring=scoring["method"],
        lookup=None if lookup is None else MappingProxyType(lookup),
        score_name=str(reported.get("name", f"{short_name} score")),
        score_decimals=reported.get("decimals", 0),
        higher_is_better=reported.get("higher_is_better", True),
        meaningful_change=float(change["meaningful"]),
        reliable_change=None if change.get("reliable") is None else float(change["reliable"]),
        change_basis=change.get("basis", ""),
        reference_lines=tuple(ReferenceLine(float(r["value"]), r["label"], str(r.get("source", "")))
                              for r in data.get("reference_lines", [])),
        notice=data.get("notice", ""), licence=data.get("licence", ""),
        wording_ships=wording["ships"], placeholder=placeholder,
        wording_same_as=(same_as["instrument"], tuple(same_as["items"])) if same_as else None,
        recall=data.get("recall", ""), instructions=data.get("instructions", ""),
        builtin=builtin, definition=MappingProxyType(dict(data)),
    )


def parse_definition(data: Any, *, source: str = "definition", builtin: bool = False) -> Instrument:
    """Validate an instrument definition and build an ``Instrument``.

    Raises ``InstrumentFileError`` listing every problem, each naming its field.
    """
    problems = _Problems()
    problems.items += schema_problems(data)
    if not isinstance(data, Mapping):
        raise InstrumentFileError(source, ["the file must contain one JSON object"])
    _check_rules(data, problems)
    if problems.items:
        raise InstrumentFileError(source, problems.items)
    return _build(data, builtin)


def load_definition_file(path: Path) -> tuple[Instrument, dict[str, Any]]:
    """Read and validate an instrument file; return the instrument and its JSON document."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UserError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InstrumentFileError(
            str(path), [f"line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg})"]
        ) from exc
    return parse_definition(data, source=str(path)), data


# --- the registry ---------------------------------------------------------------------------

_BUILTINS: dict[str, Instrument] | None = None
_CUSTOM: dict[str, Instrument] = {}


def builtin_instruments() -> dict[str, Instrument]:
    """The shipped instruments, parsed once (a broken shipped file is a bug: it raises)."""
    global _BUILTINS
    if _BUILTINS is None:
        loaded = {}
        for name in BUILTIN_FILES:
            path = resource_path("instruments", name)
            data = json.loads(path.read_text(encoding="utf-8"))
            instrument = parse_definition(data, source=name, builtin=True)
            loaded[instrument.code] = instrument
        _BUILTINS = loaded
    return _BUILTINS


def register(instrument: Instrument) -> None:
    """Make an organisation's instrument available to ``score`` by code in this process."""
    if instrument.code in builtin_instruments():
        raise UserError(f"{instrument.code} is a built-in instrument; choose another code")
    _CUSTOM[instrument.code] = instrument


def unregister(code: str) -> None:
    _CUSTOM.pop(code, None)


def get_instrument(code: str | Instrument) -> Instrument:
    """The instrument for a code (built-in or registered); an ``Instrument`` passes through."""
    if isinstance(code, Instrument):
        return code
    key = str(code).strip().upper()
    found = builtin_instruments().get(key) or _CUSTOM.get(key)
    if found is None:
        known = ", ".join(sorted(builtin_instruments()) + sorted(_CUSTOM))
        raise NotFound(f"Unknown instrument {code!r}. Known instruments: {known}")
    return found


def list_instruments() -> tuple[Instrument, ...]:
    """Built-ins first (in shipped order), then the organisation's own, by code."""
    return tuple(builtin_instruments().values()) + tuple(_CUSTOM[c] for c in sorted(_CUSTOM))
