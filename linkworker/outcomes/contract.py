"""An outcome contract as data: parsing and checking the manager's JSON document.

A contract file is plain JSON (``resources/contracts/FORMAT.md`` documents every field). It is
checked in one pass that collects *every* problem, each naming the field path
(``outcomes[2].rule.within_days: must be a whole number``), so a manager fixes a file in one
go rather than one error at a time. The parsed result is a tree of frozen dataclasses the
engine reads; the original document is what the caseload stores.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from linkworker.codes import CONSENT_KINDS, EXIT_REASONS
from linkworker.errors import UserError
from linkworker.journey_clock import DEFAULT_REVIEW_MONTHS, DEFAULT_WINDOW_DAYS, ReviewSchedule
from linkworker.models import CONTACT_MODES, GOAL_CATEGORIES, GOAL_STATUSES

FORMAT_VERSION = 1
RULE_KINDS = ("engagement", "measure_change", "measure_level", "goals", "journey", "external")
ANCHORS = ("referral", "first_meeting")
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
    """Whole days, both ends included: ``min <= days <= max``."""

    min: int
    max: int

    def contains(self, days: int) -> bool:
        return self.min <= days <= self.max


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
    price: float
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
    total_amount: float | None = None
    participants: int | None = None
    per_person_amount: float | None = None


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

    @property
    def review_schedule(self) -> ReviewSchedule:
        """The schedule the journey clock runs on for this contract's journeys."""
        return ReviewSchedule(self.review_months, self.review_window_days)

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
        if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
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
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(key, "must be a number")
            return None
        if positive and value <= 0:
            self.problem(key, "must be more than 0")
            return None
        return float(value)

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

    def window(self, key: str, *, required: bool = False) -> Window | None:
        value = self.raw(key, required)
        if value is _MISSING:
            return None
        sub = _Fields(value, self.where(key), self.problems)
        low = sub.whole("min", required=True, low=-3650)
        high = sub.whole("max", required=True)
        sub.finish()
        if low is None or high is None:
            return None
        if high < low:
            sub.problem("max", f"must not be less than min ({low})")
            return None
        return Window(low, high)

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
            values["baseline"] = f.window("baseline", required=True)
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
    price = f.number("price", required=True, positive=True)
    max_per_person = f.whole("max_per_person", default=1, low=1)
    evidence = f.text("evidence", required=True)
    if f.data.get("rule") is None:
        f.used.add("rule")
        f.problem("rule", "is required")
        rule = Rule(kind="")
    else:
        rule = _rule(f.obj("rule"), instruments)
    f.finish()
    return Outcome(outcome_id, name, definition, price or 0.0, max_per_person or 1, evidence, rule)


def parse_contract(
    data: Any, *, source: str = "contract", instruments: frozenset[str] | None = None
) -> ContractDef:
    """Check a contract document; raise ``ContractFileError`` listing every problem.

    ``instruments`` (codes) lets the check reject an unknown instrument; ``None`` skips that.
    """
    problems: list[str] = []
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
    review_months: tuple[int, ...] = DEFAULT_REVIEW_MONTHS
    if months is not _MISSING:
        if isinstance(months, list) and all(
            isinstance(m, int) and not isinstance(m, bool) and m >= 0 for m in months
        ):
            review_months = tuple(months)
        else:
            r.problem("months", "must be a list of whole numbers of months, e.g. [0, 3, 6, 12]")
    window_days = r.whole("window_days", default=DEFAULT_WINDOW_DAYS) or 0
    r.finish()

    c = f.obj("caps")
    caps = Caps(
        c.number("total_amount", positive=True),
        c.whole("participants", low=1),
        c.number("per_person_amount", positive=True),
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


def read_contract_file(path: Path | str) -> dict[str, Any]:
    """The JSON document in ``path`` (not yet checked); a clear error if it is not JSON."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UserError(f"There is no contract file at {path}.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path.name} could not be read as text: {exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ContractFileError(
            path.name, [f"(document): not valid JSON at line {exc.lineno}, column {exc.colno}: "
                        f"{exc.msg}"]
        ) from None


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
