"""Which records travel, how each is named across replicas, and how each field merges.

Every synchronised record has a global id that is the same on every replica: its UUID key for
nearly every table (``models.Tracked``), the setting's key, the audit event's UUID (its local
``seq`` is only this replica's order) and ``measure_id|item`` for a form's answers.

Fields merge in one of two ways:

* *needs a person* (the default): the same field edited on two replicas from the same starting
  point becomes a conflict that a person resolves. Case notes, forms, goals and journey stages
  are all of this kind; no silent last-writer-wins.
* *last writer wins*: reference data and summaries the core recomputes (directory, settings,
  contracts, instruments, users, ``updated_at``, the journey summaries), where a stale value is
  harmless and asking a person would be noise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, DateTime, Table, Time

from linkworker import models
from linkworker.storage.pence import Pence


@dataclass(frozen=True)
class TableRule:
    name: str
    table: Table
    identity: tuple[str, ...]
    person_via: str | None  # "self", or the column leading to the person (see person_of)
    last_writer_wins: bool = False
    hub_only: bool = False  # the claims ledger and returns: built and submitted at the hub only
    skip: frozenset[str] = frozenset()  # local-only columns, never sent

    def row_id(self, values: dict[str, Any]) -> str:
        return "|".join(str(values[c]) for c in self.identity)

    def identity_values(self, row_id: str) -> dict[str, Any]:
        parts = row_id.split("|") if len(self.identity) > 1 else [row_id]
        return {c: decode(self.table.c[c], p) for c, p in zip(self.identity, parts, strict=True)}

    def fields(self) -> list[str]:
        return [c.key for c in self.table.columns if c.key not in self.skip]


# Summaries and stamps the core recomputes: the newest value is right, a conflict is noise.
LAST_WRITER_WINS_FIELDS = frozenset(
    {"updated_at", "next_review_due", "latest_change", "current_episode_id"}
)


def _rule(model: type, person_via: str | None, **kw: Any) -> TableRule:
    table = model.__table__
    identity = kw.pop("identity", tuple(c.key for c in table.primary_key.columns))
    return TableRule(table.name, table, identity, person_via, **kw)


RULES: dict[str, TableRule] = {
    r.name: r
    for r in (
        _rule(models.User, None, last_writer_wins=True,
              skip=frozenset({"failed_attempts", "locked_until"})),
        _rule(models.Contract, None, last_writer_wins=True),
        _rule(models.InstrumentDefinition, None, last_writer_wins=True),
        _rule(models.Service, None, last_writer_wins=True),
        _rule(models.Setting, None, last_writer_wins=True),
        _rule(models.Person, "self"),
        _rule(models.Condition, "person_id"),
        _rule(models.Consent, "person_id"),
        _rule(models.PersonAccess, "person_id"),
        _rule(models.Episode, "person_id"),
        _rule(models.Contact, "episode_id"),
        _rule(models.Goal, "episode_id"),
        _rule(models.GoalStep, "goal_id"),
        _rule(models.GoalReview, "goal_id"),
        _rule(models.Signpost, "episode_id"),
        _rule(models.UnmetNeed, "episode_id"),
        _rule(models.Note, "person_id"),
        _rule(models.Measure, "person_id"),
        _rule(models.MeasureAnswer, "measure_id"),
        _rule(models.ExternalResult, "person_id", hub_only=True),
        _rule(models.OutcomeReturn, None, hub_only=True),
        _rule(models.Claim, "person_id", hub_only=True),
        _rule(models.AuditEvent, "person_id", identity=("id",), skip=frozenset({"seq"})),
    )
}

# Order in which a fresh replica's records are written: parents before children.
LOAD_ORDER = (
    "users", "contracts", "instruments", "services", "settings", "people", "episodes",
    "conditions", "consents", "person_access", "contacts", "goals", "goal_steps",
    "goal_reviews", "signposts", "unmet_needs", "notes", "measures", "measure_answers",
    "external_results", "returns", "claims", "audit_events",
)

# How a child row leads to its person: column -> (parent table, the parent's column onwards).
PARENT_PERSON = {
    "episode_id": ("episodes", "person_id"),
    "goal_id": ("goals", "episode_id"),
    "measure_id": ("measures", "person_id"),
}


def needs_a_person(rule: TableRule, field: str) -> bool:
    """True when concurrent edits of this field must be resolved by a person."""
    return not rule.last_writer_wins and field not in LAST_WRITER_WINS_FIELDS


def encode(value: Any) -> Any:
    """A JSON-safe form of a column value (dates and times as ISO 8601, money as its exact
    decimal text, "1234.57": a JSON number would come back as a float)."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def decode(column: Any, value: Any) -> Any:
    """The column's Python value back from its JSON form."""
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return dt.date.fromisoformat(value)
    if isinstance(kind, Time):
        return dt.time.fromisoformat(value)
    if isinstance(kind, Pence) and isinstance(value, str):
        return Decimal(value)  # as encode wrote it; anything else (a float) Pence refuses
    if column.type.python_type is int and isinstance(value, str):
        return int(value)
    return value
