"""The return document: what a quarterly outcome return says, as one typed, frozen object.

``returns.build`` makes it once; every export (XLSX, CSV, PDF cover report, INDIGO JSON), the
Returns screen and the command line read it; a submitted return is stored as its JSON
(``OutcomeReturn.snapshot``) and read back with ``ReturnDocument.from_json``, so it regenerates
byte for byte whatever happens to the caseload later.

Two rules are held by the types rather than by care:

- Money is ``Decimal`` to the penny everywhere (prices, caps, claims, totals); the JSON holds it
  as text ("400.00") so it reads back to exactly the same pence.
- Who a line is about inside the caseload (person id, episode, ledger key, the service's own
  reference, the person's name) sits only in ``PersonLink`` fields marked private. ``to_json``
  never writes a private field, so no snapshot, export or content hash can carry one;
  ``public()`` is the same document with them dropped.

Counts hidden to protect privacy are ``SuppressedCount`` ("<5", or "suppressed" for the cell
hidden only so a small one cannot be worked out), never a number.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import re
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from typing import Any

from linkworker.outcomes.contract import Caps
from linkworker.returns.money import money
from linkworker.returns.period import Period

DOCUMENT_FORMAT = 1
# How the content hash is taken (``returns.content_hash``, docs/returns.md): new returns say so.
HASH_RULE = 2
# Not part of the content hash: the same figures submitted or not are the same return.
META_FIELDS = frozenset({"status", "submitted", "content_hash", "hash_rule"})
SMALL_TEXT, SECONDARY_TEXT = "<5", "suppressed"


def _private() -> Any:
    """A field that never leaves the building: not written by ``to_json``, not compared."""
    return field(default=None, compare=False, repr=False, metadata={"private": True})


@dataclass(frozen=True)
class PersonLink:
    """Who a line is about inside this caseload, for the ledger and the manager's screen."""

    person_id: str | None
    episode_id: str | None = None
    achievement_key: str | None = None  # the ledger's "never claim twice" key
    adjustment_id: str | None = None  # the pending adjustment this line submits
    reference: str | None = None  # the service's own reference, e.g. P16
    name: str = ""  # filled in for a manager, who may see names


# --- the contract as it stood when the return was made -----------------------------------


@dataclass(frozen=True)
class OutcomeTerms:
    """One outcome the contract pays for, and its price."""

    id: str
    name: str
    definition: str
    price: Decimal
    max_per_person: int
    evidence: str
    kind: str


@dataclass(frozen=True)
class ContractInfo:
    code: str
    name: str
    commissioner: str
    providers: tuple[str, ...]
    investor: str | None
    start: dt.date
    end: dt.date
    currency: str
    person_identifier: str
    late_claims: bool
    caps: Caps  # the contract's own type: the caps as they stood when the return was made
    outcomes: tuple[OutcomeTerms, ...]
    document: Mapping[str, Any] = field(default_factory=dict)  # the contract file, as written

    @property
    def person_heading(self) -> str:
        if self.person_identifier == "reference":
            return "Person reference"
        return "Person ID (pseudonymised)"

    def outcome_names(self) -> dict[str, str]:
        return {o.id: o.name for o in self.outcomes}


# --- lines ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimLine:
    """One numbered line of the return: a claim, or an adjustment to an earlier claim."""

    line: int
    kind: str  # "claim" or "adjustment"
    pseudonym: str
    outcome_id: str
    outcome: str
    unit: int
    achieved_on: dt.date
    late: bool
    price: Decimal
    amount: Decimal
    note: str
    reason: str
    adjusts: str  # "2026-Q3:12" for an adjustment
    evidence: Mapping[str, Any]
    evidence_text: str
    link: PersonLink | None = _private()

    @property
    def is_claim(self) -> bool:
        return self.kind == "claim"


@dataclass(frozen=True)
class NotClaimed:
    """An outcome found in the period but not claimed, and why."""

    pseudonym: str
    outcome_id: str
    achieved_on: dt.date
    reason: str
    link: PersonLink | None = _private()


@dataclass(frozen=True)
class DataQualityItem:
    """A problem in a record that blocks or may weaken a claim."""

    code: str
    label: str
    severity: str  # "blocks" or "weakens"
    pseudonym: str
    message: str
    link: PersonLink | None = _private()

    @property
    def blocks(self) -> bool:
        return self.severity == "blocks"


# --- totals, caps, equality, wellbeing, history -----------------------------------------------


@dataclass(frozen=True)
class OutcomeTotal:
    outcome_id: str
    name: str
    price: Decimal
    claims: int
    people: int
    amount: Decimal


@dataclass(frozen=True)
class Totals:
    claims: int
    people: int
    late_claims: int
    claimed: Decimal
    adjustments: Decimal
    net: Decimal
    by_outcome: tuple[OutcomeTotal, ...]


@dataclass(frozen=True)
class CapsPosition:
    """The contract's caps, and how much of them was used before and after this return."""

    total_amount: Decimal | None
    participants: int | None
    per_person_amount: Decimal | None
    claimed_before: Decimal
    claimed_after: Decimal
    participants_before: int
    participants_after: int


@dataclass(frozen=True)
class SuppressedCount:
    """A count hidden to protect privacy: "<5" (1 to 4 people) or "suppressed" (any size,
    hidden so that a "<5" beside it cannot be worked out from the total)."""

    text: str

    def __post_init__(self) -> None:
        if self.text not in (SMALL_TEXT, SECONDARY_TEXT):
            raise ValueError(f"{self.text!r} is not a suppressed count")

    @property
    def secondary(self) -> bool:
        return self.text == SECONDARY_TEXT

    def __str__(self) -> str:
        return self.text


SMALL = SuppressedCount(SMALL_TEXT)
SECONDARY = SuppressedCount(SECONDARY_TEXT)


@dataclass(frozen=True)
class EqualityCell:
    label: str
    count: int | SuppressedCount

    @property
    def shown(self) -> int | str:
        """What a reader sees: the number, or the text that stands in for it."""
        return self.count.text if isinstance(self.count, SuppressedCount) else self.count


@dataclass(frozen=True)
class EqualityBreakdown:
    """People with claims by one characteristic (age band, gender ...), small cells hidden."""

    name: str
    cells: tuple[EqualityCell, ...]


@dataclass(frozen=True)
class WellbeingLine:
    label: str
    value: str
    note: str = ""


@dataclass(frozen=True)
class WellbeingChange:
    """Paired wellbeing change on one instrument, as shown (small numbers already hidden)."""

    instrument: str
    name: str
    lines: tuple[WellbeingLine, ...]


@dataclass(frozen=True)
class HistoryEntry:
    """Claims and money for one outcome in one return period (for the chart)."""

    period: str
    outcome_id: str
    claims: int
    amount: Decimal


@dataclass(frozen=True)
class Submission:
    on: dt.date
    by: str


def _equality_to_json(breakdowns: tuple[EqualityBreakdown, ...]) -> dict[str, list]:
    return {b.name: [{"label": c.label, "count": c.shown} for c in b.cells] for b in breakdowns}


def _equality_from_json(data: Mapping[str, list]) -> tuple[EqualityBreakdown, ...]:
    return tuple(
        EqualityBreakdown(name, tuple(
            EqualityCell(c["label"], SuppressedCount(c["count"]) if isinstance(c["count"], str)
                         else int(c["count"])) for c in cells))
        for name, cells in data.items())


# --- the document ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnDocument:
    """A quarterly outcome return for one contract and period, draft or submitted."""

    format: int
    status: str  # "draft" or "submitted"
    contract: ContractInfo
    period: Period
    as_of: dt.date
    rows: tuple[ClaimLine, ...]
    totals: Totals
    caps: CapsPosition
    exclusions: tuple[NotClaimed, ...]
    data_quality: tuple[DataQualityItem, ...]
    equality: tuple[EqualityBreakdown, ...] = field(metadata={
        "json": (_equality_to_json, _equality_from_json)})
    equality_note: str
    wellbeing: tuple[WellbeingChange, ...]
    history: tuple[HistoryEntry, ...]
    content_hash: str = ""
    submitted: Submission | None = field(default=None, metadata={"omit_none": True})
    # The content hash's rule; None in returns made before the field (returns.content_hash).
    hash_rule: int | None = field(default=None, metadata={"omit_none": True})

    @property
    def is_submitted(self) -> bool:
        return self.status == "submitted"

    @property
    def claims(self) -> tuple[ClaimLine, ...]:
        return tuple(r for r in self.rows if r.is_claim)

    @property
    def document_date(self) -> dt.date:
        """The one date an export's metadata carries: submission, else the data's date."""
        return self.submitted.on if self.submitted else self.as_of

    def public(self) -> ReturnDocument:
        """The document without anything private: what a snapshot or an export may hold."""
        return replace(
            self,
            rows=tuple(replace(r, link=None) for r in self.rows),
            exclusions=tuple(replace(e, link=None) for e in self.exclusions),
            data_quality=tuple(replace(q, link=None) for q in self.data_quality),
        )

    def hashed(self) -> ReturnDocument:
        """The document hashed by this version's rule, and saying which rule that is."""
        done = replace(self, hash_rule=HASH_RULE)
        return replace(done, content_hash=done.compute_hash())

    def compute_hash(self) -> str:
        """SHA-256 of the public content, ignoring status and submission details (rule 2 of
        ``returns.content_hash``, which also checks returns hashed by older rules)."""
        body = {k: v for k, v in self.to_json().items() if k not in META_FIELDS}
        return hashlib.sha256(canonical(body)).hexdigest()

    def as_submitted(self, on: dt.date, by: str) -> ReturnDocument:
        """The frozen form of this return: public, marked submitted by ``by`` on ``on``."""
        return replace(self.public(), status="submitted", submitted=Submission(on, by))

    def with_names(self, names: Mapping[str, str]) -> ReturnDocument:
        """Data-quality items with their person's name (for a manager's screen only)."""
        return replace(self, data_quality=tuple(
            replace(q, link=replace(q.link, name=names.get(q.link.person_id or "", "")))
            if q.link else q for q in self.data_quality))

    def to_json(self) -> dict[str, Any]:
        """The JSON-safe form (what ``OutcomeReturn.snapshot`` stores): no private fields."""
        return _encode(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReturnDocument:
        """Read a stored snapshot back (money as ``Decimal``, dates as ``date``)."""
        if not isinstance(data, Mapping):
            raise ValueError("A stored return must be a JSON object.")
        return _decode(data, cls)


def canonical(value: Any) -> bytes:
    """Sorted, compact JSON: the bytes the content hash is taken over.

    The bytes are defined by ``canonical_reference`` (the standard library's encoder: every
    stored return's hash was taken over them). orjson writes the same bytes about six times
    faster (a 50,000-person return's 2.5 MB: ~15 ms, not ~90 ms), so it is used where its
    output is known to be the same; anything it writes differently falls back to the reference:
    integers past 64 bits and dict keys that are not text (it refuses them), and floats under
    1e-4 or written with an exponent (``0.00001`` and ``3.5e-7`` for ``1e-05`` and
    ``3.5e-07``), found by their token.
    NaN and infinity (written ``null`` by orjson) never reach a return: contract numbers are
    refused unless finite (``Fields.number``) and SQLite stores NaN as NULL."""
    if _orjson is None:
        return canonical_reference(value)
    try:
        out = _orjson.dumps(value, option=_ORJSON_OPTIONS, default=str)
    except TypeError:  # orjson.JSONEncodeError
        return canonical_reference(value)
    return out if _spelt_alike(out) else canonical_reference(value)


def canonical_reference(value: Any) -> bytes:
    """The content hash's bytes as first defined: sorted, compact, UTF-8 JSON."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str).encode("utf-8")


try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - a dependency; the reference encoder still works
    _orjson = None  # type: ignore[assignment]
else:
    # Dates, datetimes, dataclasses and subclasses of str/int/dict/list go to ``default=str``
    # (or their base type) exactly as the reference encoder treats them.
    _ORJSON_OPTIONS = (_orjson.OPT_SORT_KEYS | _orjson.OPT_PASSTHROUGH_DATETIME
                       | _orjson.OPT_PASSTHROUGH_DATACLASS)
_NUMBER = frozenset(b"0123456789.")
_BEFORE_NUMBER = frozenset(b":,[")


def _spelt_alike(out: bytes) -> bool:
    """False if orjson's output may hold a float the reference spells differently: one under
    1e-4 (orjson ``0.00001``, the reference ``1e-05``) or with an exponent (``3.5e-7`` against
    ``3.5e-07``). An exponent ends a value (``,``, ``]``, ``}`` or the end follows it) and the
    digits before it start one (after ``:``, ``,``, ``[`` or the start, maybe with a minus);
    no id or word inside a string is both unless its text is itself such a number, and then
    only speed is lost."""
    if b"0.0000" in out:
        return False
    for found in _EXPONENT.finditer(out):
        start = end = found.start()
        while start and out[start - 1] in _NUMBER:
            start -= 1
        if start == end:
            continue
        if start and out[start - 1] == 45:  # "-"
            start -= 1
        if not start or out[start - 1] in _BEFORE_NUMBER:
            return False
    return True


# Scanned in C for its leading "e"; a regular expression that had to try every position of a
# 2.5 MB body took as long as encoding it.
_EXPONENT = re.compile(rb"e[-+][0-9]+(?=[,\]}]|$)")


# --- JSON, driven by the field types ------------------------------------------------------


@functools.cache
def _plan(cls: type) -> tuple[tuple[str, Callable[[Any], Any] | None, bool], ...]:
    """A dataclass's JSON fields, worked out once per class: (name, encoder, omit when None).
    A return holds tens of thousands of small records, so ``fields()`` per record was a
    large part of hashing one."""
    return tuple((f.name, (f.metadata.get("json") or (None,))[0], bool(f.metadata.get("omit_none")))
                 for f in fields(cls) if not f.metadata.get("private"))


_PLAIN = frozenset({str, int, float, bool, type(None)})
_PLANS: dict[type, tuple[tuple[str, Callable[[Any], Any] | None, bool], ...]] = {}


def _encode(value: Any) -> Any:
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is tuple or kind is list:
        return [_encode(v) for v in value]
    if kind is dt.date:
        return value.isoformat()
    if kind is dict:  # evidence: before the dataclass test, as a return holds thousands
        return dict(value)
    if kind is Decimal:
        return f"{value:.2f}"
    plan = _PLANS.get(kind)
    if plan is None and dataclasses.is_dataclass(kind):
        plan = _PLANS[kind] = _plan(kind)
    if plan is not None:
        out = {}
        for name, codec, omit_none in plan:
            item = getattr(value, name)
            if omit_none and item is None:
                continue
            if codec:
                out[name] = codec(item)
            elif type(item) in _PLAIN:  # most fields: no call (a return holds ~65,000 values)
                out[name] = item
            else:
                out[name] = _encode(item)
        return out
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    if isinstance(value, SuppressedCount):
        return value.text
    if isinstance(value, Mapping):
        return dict(value)
    return value


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _decode(value: Any, hint: Any) -> Any:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        return _decode(value, next(a for a in args if a is not type(None)))
    if origin is tuple:
        return tuple(_decode(v, args[0]) for v in value)
    decoder = _DECODERS.get(hint) or _DECODERS.get(origin)
    if decoder is not None:
        return decoder(value)
    if dataclasses.is_dataclass(hint):
        return _decode_dataclass(value, hint)
    return value


def _decode_dataclass(data: Mapping[str, Any], cls: type) -> Any:
    kwargs = {}
    for f in fields(cls):
        if f.metadata.get("private") or f.name not in data:
            continue  # a missing field takes its default (or the class says it is needed)
        codec = f.metadata.get("json")
        kwargs[f.name] = codec[1](data[f.name]) if codec else _decode(data[f.name],
                                                                         _hints(cls)[f.name])
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise ValueError(f"The stored return is incomplete ({cls.__name__}): {exc}") from None


_DECODERS: dict[Any, Callable[[Any], Any]] = {
    Decimal: money,
    dt.date: dt.date.fromisoformat,
    Mapping: dict,
}
