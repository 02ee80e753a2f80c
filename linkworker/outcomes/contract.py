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
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from linkworker.codes import CONSENT_KINDS
from linkworker.errors import UserError
from linkworker.journey_clock import DEFAULT_REVIEW_MONTHS, DEFAULT_WINDOW_DAYS, ReviewSchedule
from linkworker.outcomes.fields import ANCHORS, MAX_DEPTH, MISSING, Fields, depth
from linkworker.outcomes.kinds import Rule, kinds, rule_kinds
from linkworker.resources import resource_path

FORMAT_VERSION = 1
SCHEMA_FILE = "contract.schema.json"
RULE_KINDS = rule_kinds()
OVER_CAP = ("skip", "pay_remainder")
PERSON_IDENTIFIERS = ("pseudonym", "reference")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}$")


class ContractFileError(UserError):
    """A contract document with problems; ``problems`` lists each as ``path: message``."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        if len(problems) == 1:  # one problem, one line (what a script's log can keep)
            super().__init__(f"{source}: {problems[0]}")
            return
        listed = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source} has {len(problems)} problems:\n{listed}")


# --- the parsed contract --------------------------------------------------------------------


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

    @property
    def review_schedule(self) -> ReviewSchedule:
        """The schedule the journey clock runs on for this contract's journeys."""
        return ReviewSchedule(self.review_months, self.review_window_days)

    def outcome(self, outcome_id: str) -> Outcome:
        return self._outcomes_by_id[outcome_id]

    @functools.cached_property
    def _outcomes_by_id(self) -> dict[str, Outcome]:
        """Worked out once: a return looks an outcome up for every achievement it screens,
        caps and claims."""
        return {o.id: o for o in self.outcomes}

    @property
    def outcome_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.outcomes)


# --- checking -------------------------------------------------------------------------------

def _rule(f: Fields, instruments: frozenset[str] | None) -> Rule:
    """The rule's kind reads its own settings (``linkworker.outcomes.kinds``)."""
    known = kinds()
    kind = f.text("kind", required=True)
    if kind and kind not in known:
        f.problem("kind", f"must be one of {', '.join(known)} (got {kind!r})")
        kind = ""
    if not kind:
        f.used.update(f.data)  # nothing more can be checked without a kind
        return Rule(kind="")
    start = f.choice("from", ANCHORS, "first_meeting") if known[kind].anchored else (
        "first_meeting")
    rule = known[kind].parse(f, start, instruments)
    f.finish()
    return rule


def _outcome(f: Fields, instruments: frozenset[str] | None) -> Outcome:
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
    if depth(data) > MAX_DEPTH:
        raise ContractFileError(source, [f"(document): nests more than {MAX_DEPTH} levels deep; "
                                         "a contract file is never that deep"])
    f = Fields(data, "", problems)
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
    if months is not MISSING:
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
        c.money("total_amount"),
        c.whole("participants", low=1),
        c.money("per_person_amount"),
        c.choice("over_cap", OVER_CAP, "skip"),
    )
    c.finish()

    outcomes_raw = f.raw("outcomes", True)
    outcomes: list[Outcome] = []
    if outcomes_raw is not MISSING:
        if not isinstance(outcomes_raw, list) or not outcomes_raw:
            f.problem("outcomes", "must be a list of at least one outcome")
        else:
            seen: set[str] = set()
            for i, item in enumerate(outcomes_raw):
                outcome = _outcome(Fields(item, f"outcomes[{i}]", problems), instruments)
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
