"""Instrument definitions: wellbeing scales as data, never as code.

Each instrument is one JSON document (format described in ``resources/instruments/README.md``).
The three built-ins ship in ``resources/instruments/``; an organisation's own instruments are
stored in the caseload's ``instruments`` table and registered here when the caseload opens, so
scoring a licensed "star" tool or a local questionnaire needs no code change.

``parse_definition`` is the validator: it collects *every* problem in a file and names the field
of each (``answers.max``, ``items[3].bands``...), because an admin fixing a file by hand needs
the whole list at once, not one error per attempt.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from linkworker.errors import NotFound, UserError
from linkworker.resources import resource_path

FORMAT_VERSION = 1
BUILTIN_FILES = ("wemwbs.json", "swemwbs.json", "ons4.json")
SCORING_METHODS = ("sum", "lookup", "items")
CODE_PATTERN = re.compile(r"^[A-Z][A-Z0-9_-]{1,39}$")
ITEM_CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_ITEMS = 100


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


class _Problems:
    """Collects validation problems with the field path they concern."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.items.append(f"{path}: {message}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text(data: Mapping[str, Any], key: str, problems: _Problems, *, required: bool) -> str:
    value = data.get(key)
    if value is None:
        if required:
            problems.add(key, "is required (text)")
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        problems.add(key, "must be non-empty text")
        return ""
    return value


def _answers(data: Mapping[str, Any], problems: _Problems) -> tuple[int, int, dict[int, str]]:
    answers = data.get("answers")
    if not isinstance(answers, Mapping):
        problems.add("answers", 'is required: an object like {"min": 1, "max": 5, "labels": {...}}')
        return (0, 0, {})
    low, high = answers.get("min"), answers.get("max")
    if not _is_int(low):
        problems.add("answers.min", "must be a whole number")
        low = 0
    if not _is_int(high) or high <= low:
        problems.add("answers.max", f"must be a whole number greater than answers.min ({low})")
        high = low
    if high - low > 100:
        problems.add("answers.max", "allows more than 101 answers; use a smaller range")
        high = low
    labels: dict[int, str] = {}
    raw_labels = answers.get("labels", {})
    if not isinstance(raw_labels, Mapping):
        problems.add("answers.labels", 'must be an object of answer: label ({"1": "Never"})')
        raw_labels = {}
    for key, label in raw_labels.items():
        try:
            number = int(key)
        except (TypeError, ValueError):
            problems.add(f"answers.labels.{key}", "the key must be a whole-number answer")
            continue
        if not low <= number <= high:
            problems.add(f"answers.labels.{key}", f"is outside the answer range {low}..{high}")
        elif not isinstance(label, str) or not label.strip():
            problems.add(f"answers.labels.{key}", "must be non-empty text")
        else:
            labels[number] = label
    return (low, high, labels)


def _bands(raw: Any, path: str, low: int, high: int, problems: _Problems) -> tuple[Band, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.add(path, 'must be a list of {"min", "max", "label"} objects')
        return ()
    bands: list[Band] = []
    for i, entry in enumerate(raw):
        where = f"{path}[{i}]"
        if not isinstance(entry, Mapping):
            problems.add(where, 'must be an object {"min", "max", "label"}')
            continue
        b_low, b_high, label = entry.get("min"), entry.get("max"), entry.get("label")
        if not (_is_int(b_low) and _is_int(b_high) and low <= b_low <= b_high <= high):
            problems.add(where, f"min and max must be whole numbers, {low} <= min <= max <= {high}")
            continue
        if not isinstance(label, str) or not label.strip():
            problems.add(f"{where}.label", "must be non-empty text")
            continue
        bands.append(Band(b_low, b_high, label))
    covered = sorted(a for b in bands for a in range(b.low, b.high + 1))
    if bands and covered != list(range(low, high + 1)):
        problems.add(path, f"must cover every answer {low}..{high} exactly once")
    return tuple(bands)


def _items(
    data: Mapping[str, Any],
    low: int,
    high: int,
    wording: tuple[bool, str, Any],
    problems: _Problems,
) -> tuple[Item, ...]:
    ships, placeholder, _ = wording
    raw = data.get("items")
    if not isinstance(raw, list) or not raw:
        problems.add("items", "is required: a non-empty list of item objects")
        return ()
    if len(raw) > MAX_ITEMS:
        problems.add("items", f"has {len(raw)} items; at most {MAX_ITEMS} are allowed")
        return ()
    reverse = data.get("reverse_items", [])
    if not isinstance(reverse, list) or not all(_is_int(n) for n in reverse):
        problems.add("reverse_items", "must be a list of item numbers (1-based)")
        reverse = []
    for n in reverse:
        if not 1 <= n <= len(raw):
            problems.add("reverse_items", f"item {n} does not exist (items are 1..{len(raw)})")
    items: list[Item] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw):
        where = f"items[{i + 1}]"
        if not isinstance(entry, Mapping):
            problems.add(where, "must be an object with at least a code")
            continue
        code = entry.get("code", f"item{i + 1}")
        if not isinstance(code, str) or not ITEM_CODE_PATTERN.match(code):
            problems.add(f"{where}.code", "must be lower-case letters, digits or _ (e.g. item1)")
            code = f"item{i + 1}"
        if code in seen:
            problems.add(f"{where}.code", f"{code!r} is used by more than one item")
        seen.add(code)
        text = entry.get("text")
        if text is not None and (not isinstance(text, str) or not text.strip()):
            problems.add(f"{where}.text", "must be non-empty text or left out")
            text = None
        if text is not None and not ships:
            problems.add(f"{where}.text", 'wording.ships is false, so items must not carry "text"')
        if text is None and ships:
            problems.add(f"{where}.text", 'is required because wording.ships is true')
        label = entry.get("label", placeholder.format(n=i + 1))
        if not isinstance(label, str):
            problems.add(f"{where}.label", "must be text")
            label = placeholder.format(n=i + 1)
        better = entry.get("higher_is_better", True)
        if not isinstance(better, bool):
            problems.add(f"{where}.higher_is_better", "must be true or false")
            better = True
        bands = _bands(entry.get("bands"), f"{where}.bands", low, high, problems)
        items.append(Item(i + 1, code, label, text, (i + 1) in reverse, better, bands))
    return tuple(items)


def _wording(data: Mapping[str, Any], problems: _Problems) -> tuple[bool, str, Any]:
    wording = data.get("wording")
    if not isinstance(wording, Mapping) or not isinstance(wording.get("ships"), bool):
        problems.add("wording.ships", "is required: true if the item text may ship, else false")
        return (True, "Item {n}", None)
    placeholder = wording.get("placeholder", "Item {n}")
    if not isinstance(placeholder, str) or "{n}" not in placeholder:
        problems.add("wording.placeholder", 'must be text containing "{n}", e.g. "Statement {n}"')
        placeholder = "Item {n}"
    same_as = wording.get("same_as")
    parsed = None
    if same_as is not None:
        if (
            not isinstance(same_as, Mapping)
            or not isinstance(same_as.get("instrument"), str)
            or not isinstance(same_as.get("items"), list)
            or not all(_is_int(n) and n >= 1 for n in same_as["items"])
        ):
            problems.add("wording.same_as", 'must be {"instrument": CODE, "items": [numbers]}')
        else:
            parsed = (same_as["instrument"], tuple(same_as["items"]))
    return (wording["ships"], placeholder, parsed)


def _lookup(
    scoring: Mapping[str, Any], raw_min: int, raw_max: int, problems: _Problems
) -> dict[int, float] | None:
    table = scoring.get("table")
    if not isinstance(table, Mapping):
        problems.add("scoring.table", 'is required for lookup scoring: {"raw": score, ...}')
        return None
    parsed: dict[int, float] = {}
    for key, value in table.items():
        try:
            raw = int(key)
        except (TypeError, ValueError):
            problems.add(f"scoring.table.{key}", "the key must be a whole-number raw sum")
            continue
        if not raw_min <= raw <= raw_max:
            problems.add(f"scoring.table.{key}", f"is outside the raw sums {raw_min}..{raw_max}")
        elif not _is_number(value):
            problems.add(f"scoring.table.{key}", "must be a number")
        else:
            parsed[raw] = float(value)
    missing = [r for r in range(raw_min, raw_max + 1) if r not in parsed]
    if missing:
        shown = ", ".join(str(r) for r in missing[:8]) + (" ..." if len(missing) > 8 else "")
        problems.add("scoring.table", f"has no score for raw sum(s) {shown}; every sum "
                     f"{raw_min}..{raw_max} needs one (scores are never interpolated)")
    ordered = [parsed[r] for r in sorted(parsed)]
    if any(b < a for a, b in zip(ordered, ordered[1:], strict=False)):
        problems.add("scoring.table", "scores must not go down as the raw sum goes up")
    return parsed


def _change(data: Mapping[str, Any], problems: _Problems) -> tuple[float, float | None, str]:
    change = data.get("change")
    if not isinstance(change, Mapping):
        problems.add("change", 'is required: {"meaningful": number, "reliable": number or null}')
        return (1.0, None, "")
    meaningful = change.get("meaningful")
    if not _is_number(meaningful) or meaningful <= 0:
        problems.add("change.meaningful", "must be a number greater than 0")
        meaningful = 1.0
    reliable = change.get("reliable")
    if reliable is not None and (not _is_number(reliable) or reliable <= 0):
        problems.add("change.reliable", "must be a number greater than 0, or null")
        reliable = None
    basis = change.get("basis", "")
    if not isinstance(basis, str):
        problems.add("change.basis", "must be text")
        basis = ""
    return (float(meaningful), None if reliable is None else float(reliable), basis)


def _reference_lines(data: Mapping[str, Any], problems: _Problems) -> tuple[ReferenceLine, ...]:
    raw = data.get("reference_lines", [])
    if not isinstance(raw, list):
        problems.add("reference_lines", "must be a list")
        return ()
    lines = []
    for i, entry in enumerate(raw):
        if (
            not isinstance(entry, Mapping)
            or not _is_number(entry.get("value"))
            or not isinstance(entry.get("label"), str)
        ):
            problems.add(f"reference_lines[{i}]", 'must be {"value": number, "label": text}')
            continue
        source = str(entry.get("source", ""))
        lines.append(ReferenceLine(float(entry["value"]), entry["label"], source))
    return tuple(lines)


def parse_definition(data: Any, *, source: str = "definition", builtin: bool = False) -> Instrument:
    """Validate an instrument definition and build an ``Instrument``.

    Raises ``InstrumentFileError`` listing every problem, each naming its field.
    """
    problems = _Problems()
    if not isinstance(data, Mapping):
        raise InstrumentFileError(source, ["the file must contain one JSON object"])
    if data.get("format") != FORMAT_VERSION:
        problems.add("format", f"must be {FORMAT_VERSION} (the instrument file format version)")
    code = data.get("code")
    if not isinstance(code, str) or not CODE_PATTERN.match(code):
        problems.add("code", "must be 2-40 capital letters, digits, _ or -, starting with a letter")
        code = "?"
    name = _text(data, "name", problems, required=True)
    short_name = _text(data, "short_name", problems, required=False) or code
    low, high, labels = _answers(data, problems)
    wording = _wording(data, problems)
    ships, placeholder, same_as = wording
    items = _items(data, low, high, wording, problems)
    scoring = data.get("scoring")
    method = scoring.get("method") if isinstance(scoring, Mapping) else None
    if method not in SCORING_METHODS:
        problems.add("scoring.method", f"must be one of {', '.join(SCORING_METHODS)}")
        scoring, method = {}, "sum"
    if scoring.get("missing", "no_score") != "no_score":
        problems.add("scoring.missing", '"no_score" is the only rule: incomplete forms never score')
    lookup = None
    if method == "lookup" and items:
        lookup = _lookup(scoring, low * len(items), high * len(items), problems)
    reported = data.get("reported_score", {})
    if not isinstance(reported, Mapping):
        problems.add("reported_score", "must be an object")
        reported = {}
    score_name = reported.get("name", f"{short_name} score")
    decimals = reported.get("decimals", 0)
    if not _is_int(decimals) or not 0 <= decimals <= 4:
        problems.add("reported_score.decimals", "must be a whole number 0..4")
        decimals = 0
    higher_is_better = reported.get("higher_is_better", True)
    if not isinstance(higher_is_better, bool):
        problems.add("reported_score.higher_is_better", "must be true or false")
        higher_is_better = True
    meaningful, reliable, basis = _change(data, problems)
    lines = _reference_lines(data, problems)
    notice = _text(data, "notice", problems, required=False)
    licence = _text(data, "licence", problems, required=not ships)
    recall = _text(data, "recall", problems, required=False)
    instructions = _text(data, "instructions", problems, required=False)
    if problems.items:
        raise InstrumentFileError(source, problems.items)
    return Instrument(
        code=code, name=name, short_name=short_name, answer_min=low, answer_max=high,
        answer_labels=MappingProxyType(labels), items=items, scoring=method,
        lookup=None if lookup is None else MappingProxyType(lookup),
        score_name=str(score_name), score_decimals=decimals, higher_is_better=higher_is_better,
        meaningful_change=meaningful, reliable_change=reliable, change_basis=basis,
        reference_lines=lines, notice=notice, licence=licence, wording_ships=ships,
        placeholder=placeholder, wording_same_as=same_as, recall=recall,
        instructions=instructions, builtin=builtin, definition=MappingProxyType(dict(data)),
    )


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
