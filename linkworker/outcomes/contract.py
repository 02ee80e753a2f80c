"""An outcome contract as data: parsing and checking the manager's JSON document.

A contract file is plain JSON (``resources/contracts/FORMAT.md`` documents every field). It is
checked in one pass that collects *every* problem, each naming the field path
(``outcomes[2].rule.within_days: must be a whole number``), so a manager fixes a file in one
go rather than one error at a time. The parsed result is a tree of frozen dataclasses the
engine reads; the original document is what the caseload stores.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from linkworker.codes import CONSENT_KINDS, EXIT_REASONS
from linkworker.errors import UserError
from linkworker.models import CONTACT_MODES, GOAL_CATEGORIES, GOAL_STATUSES
from linkworker.resources import resource_path

FORMAT_VERSION = 1
SCHEMA_FILE = "contract.schema.json"
RULE_KINDS = ("engagement", "measure_change", "measure_level", "goals", "journey", "external")
ANCHORS = ("referral", "first_meeting", "first_attended_contact")
OVER_CAP = ("skip", "pay_remainder")
MAX_MONEY = 1_000_000_000  # no price or cap reaches a billion; beyond it is a typing slip
MAX_DEPTH = 20  # contract documents nest four levels; deeper is not a contract
PERSON_IDENTIFIERS = ("pseudonym", "reference")
PLANNED_EXITS = ("goals_met", "stepped_down", "referred_on")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}$")


class ContractFileError(UserError):
    """A contract document with problems; ``problems`` lists each as ``path: message``."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        listed = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source} has {len(problems)} problem(s):\n{listed}")


# --- the parsed contract --------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """Whole days, both ends included: ``min <= days <= max``.

    Each end counts from the rule's own start unless it names another anchor
    (``min_from``/``max_from``), so a baseline can run "from referral up to first contact + 14
    days".
    """

    min: int
    max: int
    min_from: str | None = None
    max_from: str | None = None

    def contains(self, days: int) -> bool:
        return self.min <= days <= self.max

    @property
    def anchors(self) -> tuple[str, ...]:
        return tuple(a for a in (self.min_from, self.max_from) if a)


@dataclass(frozen=True)
class Rule:
    """One outcome's rule. ``kind`` picks the evaluator; unused fields keep their defaults."""

    kind: str
    start: str = "first_meeting"  # the anchor the rule's days count from
    # engagement
    contacts: int = 1
    within_days: int | None = None
    modes: tuple[str, ...] = ()
    purposes: tuple[str, ...] = ()
    # measures
    instrument: str = ""
    item: str | None = None
    baseline: Window | None = None
    follow_up: Window | None = None
    min_change: float | None = None
    sustained: Window | None = None
    at_least: float | None = None
    at_most: float | None = None
    # goals
    count: int = 1
    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ("achieved",)
    # journey
    min_months: int = 0
    exit_reasons: tuple[str, ...] = PLANNED_EXITS
    # external
    min_value: float | None = None
    max_value: float | None = None


@dataclass(frozen=True)
class Outcome:
    id: str
    name: str
    definition: str
    price: Decimal
    max_per_person: int
    evidence: str
    rule: Rule


@dataclass(frozen=True)
class Eligibility:
    age_min: int | None = None
    age_max: int | None = None
    conditions: tuple[str, ...] = ()
    postcode_districts: tuple[str, ...] = ()

    @property
    def checks_anything(self) -> bool:
        return bool(
            self.age_min is not None
            or self.age_max is not None
            or self.conditions
            or self.postcode_districts
        )


@dataclass(frozen=True)
class Caps:
    """Money caps in ``Decimal``; ``over_cap`` says what a claim that would cross one does:
    ``skip`` (the default: it is not claimed, a later smaller one may still fit) or
    ``pay_remainder`` (it is paid what is left)."""

    total_amount: Decimal | None = None
    participants: int | None = None
    per_person_amount: Decimal | None = None
    over_cap: str = "skip"


@dataclass(frozen=True)
class ContractDef:
    code: str
    name: str
    commissioner: str
    providers: tuple[str, ...]
    investor: str | None
    start: dt.date
    end: dt.date
    currency: str
    eligibility: Eligibility
    review_months: tuple[int, ...]
    review_window_days: int
    caps: Caps
    outcomes: tuple[Outcome, ...]
    person_identifier: str = "pseudonym"
    late_claims: bool = True
    consent_required: tuple[str, ...] = ()
    description: str = ""
    document: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def outcome(self, outcome_id: str) -> Outcome:
        for o in self.outcomes:
            if o.id == outcome_id:
                return o
        raise KeyError(outcome_id)

    @property
    def outcome_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.outcomes)


# --- checking -------------------------------------------------------------------------------

_MISSING = object()


def _finite(value: Any) -> bool:
    """A JSON number that is a real number (Python's json reads NaN and Infinity too)."""
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))


def _depth(value: Any, limit: int = MAX_DEPTH) -> int:
    """How deeply ``value`` nests, counting no further than ``limit`` + 1 (never recursing
    deeper than that, so a hostile file cannot exhaust the stack)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if not isinstance(item, dict | list) or level > limit + 1:
            continue
        deepest = max(deepest, level)
        stack.extend((v, level + 1) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


class _Fields:
    """Reads one JSON object, recording a problem (with its path) for each bad field."""

    def __init__(self, data: Any, path: str, problems: list[str]) -> None:
        self.path, self.problems, self.used = path, problems, set()
        if not isinstance(data, Mapping):
            self.problem("", "must be an object ({...})")
            data = {}
        self.data = data

    def where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def problem(self, key: str, message: str) -> None:
        where = self.where(key) if key else (self.path or "(document)")
        self.problems.append(f"{where}: {message}")

    def raw(self, key: str, required: bool) -> Any:
        self.used.add(key)
        value = self.data.get(key, _MISSING)
        if value is None:
            value = _MISSING
        if value is _MISSING and required:
            self.problem(key, "is required")
        return value

    def text(self, key: str, *, required: bool = False, default: str = "") -> str:
        value = self.raw(key, required)
        if value is _MISSING:
            return default
        if not isinstance(value, str) or not value.strip():
            self.problem(key, "must be some text")
            return default
        return value.strip()

    def choice(self, key: str, options: tuple[str, ...], default: str) -> str:
        value = self.text(key, default=default)
        if value not in options:
            self.problem(key, f"must be one of {', '.join(options)} (got {value!r})")
            return default
        return value

    def whole(
        self, key: str, *, required: bool = False, default: int | None = None, low: int = 0
    ) -> int | None:
        value = self.raw(key, required)
        if value is _MISSING:
            return default
        if not _finite(value) or value != int(value):
            self.problem(key, "must be a whole number")
            return default
        if value < low:
            self.problem(key, f"must be {low} or more")
            return default
        return int(value)

    def number(
        self, key: str, *, required: bool = False, positive: bool = False
    ) -> float | None:
        value = self.raw(key, required)
        if value is _MISSING:
            return None
        if not _finite(value):
            self.problem(key, "must be a number (NaN and Infinity are not allowed)")
            return None
        if positive and value <= 0:
            self.problem(key, "must be more than 0")
            return None
        return float(value)

    def money(self, key: str, *, required: bool = False) -> Decimal | None:
        """An amount in pounds, more than 0, to the penny, as the decimal it was written as."""
        value = self.number(key, required=required, positive=True)
        if value is None:
            return None
        if value >= MAX_MONEY:
            self.problem(key, f"must be less than {MAX_MONEY:,}")
            return None
        amount = Decimal(repr(value))
        if amount != amount.quantize(Decimal("0.01")):
            self.problem(key, "must be in pounds and pence (at most two decimal places)")
            return None
        return amount

    def flag(self, key: str, default: bool) -> bool:
        value = self.raw(key, False)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self.problem(key, "must be true or false")
            return default
        return value

    def date(self, key: str, *, required: bool = False) -> dt.date | None:
        value = self.raw(key, required)
        if value is _MISSING:
            return None
        try:
            if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise ValueError
            return dt.date.fromisoformat(value)
        except ValueError:
            self.problem(key, f"must be a date written YYYY-MM-DD (got {value!r})")
            return None

    def texts(self, key: str, *, allowed: tuple[str, ...] | None = None) -> tuple[str, ...]:
        value = self.raw(key, False)
        if value is _MISSING:
            return ()
        if not isinstance(value, list) or not all(
            isinstance(v, str) and v.strip() for v in value
        ):
            self.problem(key, "must be a list of text values")
            return ()
        items = tuple(v.strip() for v in value)
        if allowed is not None:
            for i, item in enumerate(items):
                if item not in allowed:
                    self.problem(f"{key}[{i}]", f"must be one of {', '.join(allowed)}")
        return items

    def window(
        self, key: str, *, required: bool = False, anchored: bool = False
    ) -> Window | None:
        """``{"min": -14, "max": 14}``; with ``anchored`` each end may name its own anchor."""
        value = self.raw(key, required)
        if value is _MISSING:
            return None
        sub = _Fields(value, self.where(key), self.problems)
        low = sub.whole("min", required=True, low=-3650)
        high = sub.whole("max", required=True, low=-3650)
        ends: tuple[str | None, str | None] = (None, None)
        if anchored:
            ends = tuple(  # type: ignore[assignment]
                sub.choice(end, ANCHORS, "") if end in sub.data else None
                for end in ("min_from", "max_from"))
        sub.finish()
        if low is None or high is None:
            return None
        if high < low and ends[0] == ends[1]:
            sub.problem("max", f"must not be less than min ({low})")
            return None
        return Window(low, high, ends[0] or None, ends[1] or None)

    def obj(self, key: str) -> _Fields:
        value = self.raw(key, False)
        return _Fields({} if value is _MISSING else value, self.where(key), self.problems)

    def finish(self) -> None:
        for key in self.data:
            if key not in self.used:
                self.problem(str(key), "is not a field this format knows (check the spelling)")


def _rule(f: _Fields, instruments: frozenset[str] | None) -> Rule:
    kind = f.text("kind", required=True)
    if kind and kind not in RULE_KINDS:
        f.problem("kind", f"must be one of {', '.join(RULE_KINDS)} (got {kind!r})")
        kind = ""
    start = f.choice("from", ANCHORS, "first_meeting") if kind != "external" else "first_meeting"
    values: dict[str, Any] = {"kind": kind, "start": start}
    if kind == "engagement":
        values["contacts"] = f.whole("contacts", default=1, low=1)
        values["within_days"] = f.whole("within_days", required=True)
        values["modes"] = f.texts("modes", allowed=CONTACT_MODES)
        values["purposes"] = f.texts("purposes")
    elif kind in ("measure_change", "measure_level"):
        instrument = f.text("instrument", required=True).upper()
        if instrument and instruments is not None and instrument not in instruments:
            f.problem("instrument", f"{instrument!r} is not an instrument this caseload knows")
        values["instrument"] = instrument
        item = f.text("item") or None
        values["item"] = item
        if kind == "measure_change":
            values["baseline"] = f.window("baseline", required=True, anchored=True)
            values["follow_up"] = f.window("follow_up", required=True)
            values["min_change"] = f.number("min_change", positive=True)
            values["sustained"] = f.window("sustained")
            sustained, follow = values["sustained"], values["follow_up"]
            if sustained and follow and sustained.min <= follow.max:
                f.problem("sustained.min", "must be after the follow_up window ends")
        else:
            values["follow_up"] = f.window("follow_up", required=True)
            values["at_least"] = f.number("at_least")
            values["at_most"] = f.number("at_most")
            if (values["at_least"] is None) == (values["at_most"] is None):
                f.problem("at_least", "give exactly one of at_least or at_most")
    elif kind == "goals":
        values["count"] = f.whole("count", default=1, low=1)
        values["categories"] = f.texts("categories", allowed=GOAL_CATEGORIES)
        values["statuses"] = f.texts("statuses", allowed=GOAL_STATUSES) or ("achieved",)
        values["within_days"] = f.whole("within_days")
    elif kind == "journey":
        values["min_months"] = f.whole("min_months", required=True)
        values["exit_reasons"] = (
            f.texts("exit_reasons", allowed=tuple(EXIT_REASONS)) or PLANNED_EXITS
        )
    elif kind == "external":
        values["min_value"] = f.number("min_value")
        values["max_value"] = f.number("max_value")
    f.finish()
    return Rule(**{k: v for k, v in values.items() if v is not None})


def _outcome(f: _Fields, instruments: frozenset[str] | None) -> Outcome:
    outcome_id = f.text("id", required=True)
    if outcome_id and not _ID.match(outcome_id):
        f.problem("id", "use letters, digits, '-', '_' or '.' (up to 60), no spaces")
    name = f.text("name", default=outcome_id)
    definition = f.text("definition", required=True)
    price = f.money("price", required=True)
    max_per_person = f.whole("max_per_person", default=1, low=1)
    evidence = f.text("evidence", required=True)
    if f.data.get("rule") is None:
        f.used.add("rule")
        f.problem("rule", "is required")
        rule = Rule(kind="")
    else:
        rule = _rule(f.obj("rule"), instruments)
    f.finish()
    return Outcome(outcome_id, name, definition, price or Decimal("0.00"), max_per_person or 1,
                   evidence, rule)


def parse_contract(
    data: Any, *, source: str = "contract", instruments: frozenset[str] | None = None
) -> ContractDef:
    """Check a contract document; raise ``ContractFileError`` listing every problem.

    ``instruments`` (codes) lets the check reject an unknown instrument; ``None`` skips that.
    """
    problems: list[str] = []
    if _depth(data) > MAX_DEPTH:
        raise ContractFileError(source, [f"(document): nests more than {MAX_DEPTH} levels deep; "
                                         "a contract file is never that deep"])
    f = _Fields(data, "", problems)
    fmt = f.whole("format", default=FORMAT_VERSION)
    if fmt != FORMAT_VERSION:
        f.problem("format", f"this LinkWorker reads format {FORMAT_VERSION}")
    code = f.text("code", required=True)
    if code and not _ID.match(code):
        f.problem("code", "use letters, digits, '-', '_' or '.' (up to 60), no spaces")
    name = f.text("name", required=True)
    description = f.text("description")
    commissioner = f.text("commissioner", required=True)
    providers = f.texts("providers")
    if not providers:
        f.problem("providers", "list at least one provider")
    investor = f.text("investor") or None
    start, end = f.date("start", required=True), f.date("end", required=True)
    if start and end and end < start:
        f.problem("end", "must not be before start")
    currency = f.text("currency", default="GBP")
    if not re.fullmatch(r"[A-Z]{3}", currency):
        f.problem("currency", "must be a three-letter code such as GBP")
    person_identifier = f.choice("person_identifier", PERSON_IDENTIFIERS, "pseudonym")
    late_claims = f.flag("late_claims", True)
    consent = f.texts("consent_required", allowed=tuple(CONSENT_KINDS))

    e = f.obj("eligibility")
    eligibility = Eligibility(
        e.whole("age_min"), e.whole("age_max"), e.texts("conditions"),
        tuple(d.upper() for d in e.texts("postcode_districts")),
    )
    if None not in (eligibility.age_min, eligibility.age_max) and (
        eligibility.age_max < eligibility.age_min  # type: ignore[operator]
    ):
        e.problem("age_max", "must not be less than age_min")
    e.finish()

    r = f.obj("review_schedule")
    months = r.raw("months", False)
    review_months: tuple[int, ...] = (0, 3, 6, 12, 18)
    if months is not _MISSING:
        if isinstance(months, list) and all(
            isinstance(m, int) and not isinstance(m, bool) and m >= 0 for m in months
        ):
            review_months = tuple(months)
        else:
            r.problem("months", "must be a list of whole numbers of months, e.g. [0, 3, 6, 12]")
    window_days = r.whole("window_days", default=28) or 0
    r.finish()

    c = f.obj("caps")
    caps = Caps(
        c.money("total_amount"),
        c.whole("participants", low=1),
        c.money("per_person_amount"),
        c.choice("over_cap", OVER_CAP, "skip"),
    )
    c.finish()

    outcomes_raw = f.raw("outcomes", True)
    outcomes: list[Outcome] = []
    if outcomes_raw is not _MISSING:
        if not isinstance(outcomes_raw, list) or not outcomes_raw:
            f.problem("outcomes", "must be a list of at least one outcome")
        else:
            seen: set[str] = set()
            for i, item in enumerate(outcomes_raw):
                outcome = _outcome(_Fields(item, f"outcomes[{i}]", problems), instruments)
                if outcome.id in seen:
                    problems.append(f"outcomes[{i}].id: {outcome.id!r} is used twice")
                seen.add(outcome.id)
                outcomes.append(outcome)
    f.finish()
    problems = problems or schema_problems(data)
    if problems:
        raise ContractFileError(source, problems)
    return ContractDef(
        code=code, name=name, commissioner=commissioner, providers=providers,
        investor=investor, start=start, end=end, currency=currency,  # type: ignore[arg-type]
        eligibility=eligibility, review_months=review_months, review_window_days=window_days,
        caps=caps, outcomes=tuple(outcomes), person_identifier=person_identifier,
        late_claims=late_claims, consent_required=consent, description=description,
        document=data,
    )


@functools.cache
def _schema_validator() -> Any:
    import jsonschema

    schema = json.loads(resource_path("contracts", SCHEMA_FILE).read_text("utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _where(path: Any) -> str:
    where = ""
    for part in path:
        where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
    return where or "(document)"


def schema_problems(data: Any) -> list[str]:
    """Problems the published JSON Schema (``resources/contracts/contract.schema.json``) finds,
    as ``path: message``. The hand-written checks above run first and say more; this keeps the
    schema other tools validate with and LinkWorker's own reading of a file in step."""
    errors = sorted(_schema_validator().iter_errors(data), key=lambda e: list(map(str, e.path)))
    return [f"{_where(e.absolute_path)}: {e.message}" for e in errors]


def read_contract_file(path: Path | str) -> dict[str, Any]:
    """The JSON document in ``path`` (not yet checked); a clear error if it is not JSON."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UserError(f"There is no contract file at {path}.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path.name} could not be read as text: {exc}") from None
    return parse_json(text, path.name)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a contract can use")


def parse_json(text: str, source: str = "contract") -> Any:
    """JSON text as data, refusing NaN/Infinity and absurd nesting with one clear problem."""
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise ContractFileError(
            source, [f"(document): not valid JSON at line {exc.lineno}, column {exc.colno}: "
                     f"{exc.msg}"]
        ) from None
    except ValueError as exc:
        raise ContractFileError(source, [f"(document): {exc}"]) from None
    except RecursionError:
        raise ContractFileError(source, ["(document): nests too deeply to be a contract"]) from None


def load_contract_file(
    path: Path | str, *, instruments: frozenset[str] | None = None
) -> ContractDef:
    return parse_contract(
        read_contract_file(path), source=Path(path).name, instruments=instruments
    )


def contract_problems(data: Any, instruments: frozenset[str] | None = None) -> list[str]:
    """Every problem with a document, or an empty list (for live checking in the editor)."""
    try:
        parse_contract(data, instruments=instruments)
    except ContractFileError as exc:
        return exc.problems
    return []
