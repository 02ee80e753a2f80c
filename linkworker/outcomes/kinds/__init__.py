"""Outcome rule kinds: one object per kind, found here, so adding a kind touches one place.

A kind is a ``RuleKind`` subclass in a module of this package, registered with ``@register``.
It says everything LinkWorker needs to know about that kind of rule:

- ``parse``: read its settings from the contract (``Fields`` collects problems with paths) and
  return its frozen ``Rule`` dataclass;
- ``needs``: which facts the return must load for it (``Needs``), so nothing else is read;
- ``evaluate``: the achievements, a pure function of the loaded facts;
- ``sql_column`` and ``from_sql`` (optional, with ``in_sql = True``): the same achievements
  worked out by SQLite, for a kind whose facts would otherwise be read into Python only to be
  counted. The return uses them; ``evaluate`` stays the reference they are tested against;
- ``check``: its data-quality issues for one journey (optional);
- ``evidence_parts``: its evidence in words (optional);
- ``indigo_validation``: the INDIGO outcome validation method.

Every module in this package is imported on first use, so a new file is a new kind.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from linkworker.outcomes.contract import Outcome
    from linkworker.outcomes.dialect import SqlWords
    from linkworker.outcomes.facts import EpisodeRow, Facts
    from linkworker.outcomes.fields import Fields
    from linkworker.outcomes.quality import Collector
    from linkworker.outcomes.rules import Achievement, RuleContext


@dataclass(frozen=True)
class Rule:
    """One outcome's rule: ``kind`` and the anchor its days count from. Each kind extends this
    with its own settings."""

    kind: str
    start: str = "first_meeting"


@dataclass(frozen=True)
class Needs:
    """Facts a rule reads. ``contact_days``: attended contacts up to N days after an anchor;
    ``forms``: complete forms of these (instrument, item) pairs."""

    contact_days: int | None = None
    forms: frozenset[tuple[str, str | None]] = frozenset()
    goals: bool = False
    external: bool = False

    @staticmethod
    def combine(all_needs: Iterable[Needs]) -> Needs:
        days: int | None = None
        forms: set[tuple[str, str | None]] = set()
        goals = external = False
        for n in all_needs:
            if n.contact_days is not None:
                days = max(days or 0, n.contact_days)
            forms |= n.forms
            goals, external = goals or n.goals, external or n.external
        return Needs(days, frozenset(forms), goals, external)


class RuleKind:
    """Base of every kind; ``name`` is what a contract's ``rule.kind`` says."""

    name: ClassVar[str] = ""
    order: ClassVar[int] = 99  # position in lists and messages
    anchored: ClassVar[bool] = True  # does the rule take "from"?
    indigo_validation: ClassVar[str] = "Simple ex-post verification"
    issue_labels: ClassVar[dict[str, str]] = {}
    in_sql: ClassVar[bool] = False  # has ``sql_column`` and ``from_sql``

    def parse(self, f: Fields, start: str, instruments: frozenset[str] | None) -> Rule:
        raise NotImplementedError

    def needs(self, rule: Any) -> Needs:
        return Needs()

    def evaluate(self, outcome: Outcome, facts: Facts, ctx: RuleContext
                 ) -> Iterator[Achievement]:
        raise NotImplementedError

    def sql_column(self, outcome: Outcome, n: int, words: SqlWords
                   ) -> tuple[str, dict[str, Any]]:
        """(SQL, parameters): a scalar expression over the contract's journey ``e`` that
        ``from_sql`` reads; parameter names start with ``o{n}``. Only with ``in_sql``. The
        same text runs on SQLite and PostgreSQL: ``words`` spells what the two engines say
        differently (``outcomes.dialect``)."""
        raise NotImplementedError

    def from_sql(self, outcome: Outcome, facts: Facts, found: dict[str, Any]
                 ) -> Iterator[Achievement]:
        """``evaluate``'s achievements, in its order, from ``sql_column``'s value per journey
        id (``facts`` holds journeys, people and first attended contacts, not contacts)."""
        raise NotImplementedError

    def check(self, issues: Collector, outcome: Outcome, episode: EpisodeRow, as_of: Any
              ) -> None:
        """Data-quality issues of this kind on one journey (none by default)."""

    def check_key(self, rule: Any) -> Hashable:
        """What ``check`` reads of the rule: outcomes with the same key find the same issues,
        so a return checks each journey once per key (the whole rule by default)."""
        return rule

    def evidence_parts(self, evidence: dict[str, Any], ids: bool) -> list[str]:
        return []


_REGISTRY: dict[str, RuleKind] = {}
_ORDERED: dict[str, RuleKind] = {}  # _REGISTRY in order, rebuilt when a kind is registered
_LABELS: dict[str, dict[str, str]] = {}  # every kind's issue labels ("issues"), likewise


def register(cls: type[RuleKind]) -> type[RuleKind]:
    _REGISTRY[cls.name] = cls()
    _forget_derived()
    return cls


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)
    _forget_derived()


def _forget_derived() -> None:
    _ORDERED.clear()
    _LABELS.clear()


def issue_labels() -> dict[str, str]:
    """Every kind's data-quality issue labels in one lookup (the first kind in order names a
    code both name), made once, not walked per issue: a return at 150,000 people labels
    thousands of issues."""
    if "issues" not in _LABELS:
        _LABELS["issues"] = {code: label for kind in reversed(kinds().values())
                             for code, label in kind.issue_labels.items()}
    return _LABELS["issues"]


def kinds() -> dict[str, RuleKind]:
    """Every kind, in their documented order (importing this package's modules once)."""
    if not _REGISTRY:
        for module in pkgutil.iter_modules(__path__):
            importlib.import_module(f"{__name__}.{module.name}")
    if not _ORDERED:
        _ORDERED.update(sorted(_REGISTRY.items(), key=lambda kv: kv[1].order))
    return _ORDERED


def kind_of(name: str) -> RuleKind:
    return kinds()[name]


def rule_kinds() -> tuple[str, ...]:
    return tuple(kinds())


def achievements(outcome: Outcome, facts: Facts, ctx: RuleContext) -> list[Achievement]:
    """The outcome's achievements: those SQLite found while the facts were loaded
    (``load_facts(in_sql=True)``), else the kind's Python evaluation."""
    found = facts.found.get(outcome.id)
    if found is not None:
        return list(found)
    return list(kind_of(outcome.rule.kind).evaluate(outcome, facts, ctx))
