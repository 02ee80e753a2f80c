"""What every part of one demo run shares: the random stream, "today", ids and lookups.

Everything random comes from ``World.rng`` (one ``random.Random(seed)``), and every date is
relative to ``World.today``, so the same seed and day always give the same caseload.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from linkworker.demo.data import DemoData
from linkworker.demo.writer import IdMaker, StampMaker

T = TypeVar("T")


@dataclass(frozen=True)
class ContractInfo:
    """The sample contract the demo assigns eligible journeys to, and its review schedule."""

    id: str
    months: tuple[int, ...]
    window_days: int
    starts: dt.date
    ends: dt.date
    definition: Any  # linkworker.outcomes.contract.ContractDef


@dataclass
class World:
    rng: random.Random
    today: dt.date
    data: DemoData
    new_id: IdMaker
    stamp: StampMaker
    workers: list[str] = field(default_factory=list)  # link workers' user ids
    services: dict[str, list[str]] = field(default_factory=dict)  # category -> service ids
    contract: ContractInfo | None = None
    nhs_numbers: set[str] = field(default_factory=set)
    _cum: dict[tuple, list[float]] = field(default_factory=dict, repr=False)

    def pick(self, items: Sequence[T], weights: tuple[float, ...] | None = None) -> T:
        """One item, optionally weighted (cumulative weights cached per weights tuple)."""
        if weights is None:
            return items[int(self.rng.random() * len(items))]
        cum = self._cum.get(weights)
        if cum is None:
            cum = self._cum[weights] = list(itertools.accumulate(weights))
        return self.rng.choices(items, cum_weights=cum)[0]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def days(self, low: int, high: int) -> dt.timedelta:
        return dt.timedelta(days=self.rng.randint(low, high))


def weekday(day: dt.date, *, forward: bool = True) -> dt.date:
    """Link workers meet people on weekdays: move a weekend day to Monday (or back to Friday)."""
    shift = day.weekday() - 4
    if shift <= 0:
        return day
    return day + dt.timedelta(days=3 - shift) if forward else day - dt.timedelta(days=shift)
