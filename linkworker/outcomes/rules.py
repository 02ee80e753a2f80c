"""What every rule kind shares: achievements, the anchors days count from, and windows.

The kinds themselves (one object each: parse, facts needed, evaluate, data-quality checks,
evidence text) live in ``linkworker.outcomes.kinds``. The choices that decide money are made
there and here, and written down in ``resources/contracts/FORMAT.md``:

- days are whole calendar days and both ends of a window count (``min <= days <= max``);
- "from" is the referral date, the first meeting (if a journey has no first meeting date
  recorded, its earliest attended contact stands in for it) or the first attended contact;
- for measures, the *first* complete form in a window is the one that counts (later forms in
  the same window cannot be picked to get a better score), and change is always the person's
  own follow-up against their own baseline;
- an outcome is achieved on the date of the evidence that completes it (the K-th contact, the
  follow-up form, the K-th achieved goal, the exit, the commissioner's date).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from linkworker.wellbeing.instruments import Instrument

if TYPE_CHECKING:
    from linkworker.outcomes.facts import EpisodeRow, Facts, FormRow
    from linkworker.outcomes.fields import Window


@dataclass(frozen=True)
class Achievement:
    """One unit of an outcome achieved by one person (``key`` names it for the ledger)."""

    outcome_id: str
    person_id: str
    episode_id: str | None
    key: str
    achieved_on: dt.date
    # The evidence, or how to build it: only a claim's is ever read, and a contract's rules
    # find every achievement of every period (tens of thousands at 150,000 people), so the
    # kinds hand over a ``partial`` that builds it when a claim line asks.
    found: dict[str, Any] | Callable[[], dict[str, Any]] = field(compare=False, repr=False)

    @property
    def evidence(self) -> dict[str, Any]:
        return self.found() if callable(self.found) else self.found


@dataclass(frozen=True)
class RuleContext:
    """What rules need beyond the facts: instruments and the change thresholds in force."""

    instruments: dict[str, Instrument]
    thresholds: dict[str, float]


def iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def anchor_evidence(start_from: str, day: dt.date) -> dict[str, Any]:
    return {"from": start_from, "date": iso(day)}


def window_dates(facts: Facts, episode: EpisodeRow, window: Window,
                 origin: dt.date) -> tuple[dt.date, dt.date] | None:
    """The first and last day of ``window``: each end counts from ``origin`` unless it names
    its own anchor (``min_from``/``max_from``); None if an anchor has no date yet."""
    low = facts.anchor(episode, window.min_from) if window.min_from else origin
    high = facts.anchor(episode, window.max_from) if window.max_from else origin
    if low is None or high is None:
        return None
    return low + dt.timedelta(days=window.min), high + dt.timedelta(days=window.max)


def first_in(forms: list[FormRow], origin: dt.date, window: Window,
             after: FormRow | None = None,
             bounds: tuple[dt.date, dt.date] | None = None) -> FormRow | None:
    """The first form (after ``after``, if given) whose date is inside the window."""
    low, high = bounds or (origin + dt.timedelta(days=window.min),
                           origin + dt.timedelta(days=window.max))
    for form in forms:
        if after is not None and (form is after or form.date < after.date):
            continue
        if low <= form.date <= high:
            return form
    return None
