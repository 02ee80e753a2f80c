"""Scoring a form and judging change: pure functions, no database, no Qt.

Contracts pay on these numbers, so the rules are strict and the same everywhere:
- a form with any missing answer is *incomplete*: it is kept, but it never gets a ``value``
  (no pro-rating: the WEMWBS owners publish no rule for it, and the SWEMWBS conversion table
  is defined only for complete raw sums);
- an answer outside the instrument's range, or the wrong number of answers, is a mistake and
  raises ``InvalidAnswers`` rather than being clipped or guessed at;
- change is judged on the *reported* score (SWEMWBS: the metric score) against the instrument's
  threshold: ``>= threshold`` in the better direction is "improved", ``>= threshold`` in the
  worse direction is "deteriorated", anything smaller is "no_change".
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field

from linkworker.errors import UserError
from linkworker.wellbeing.instruments import Instrument, get_instrument

# Differences are compared after rounding, so 20.73 - 17.73 counts as exactly 3.
_PRECISION = 6


class InvalidAnswers(UserError, ValueError):
    """The answers cannot be a filled-in form of this instrument (message names the item)."""


@dataclass(frozen=True)
class ItemScore:
    """One answer as reported (ONS4 reports item by item, each with its band)."""

    number: int
    code: str
    label: str
    answer: int | None
    band: str | None


@dataclass(frozen=True)
class Score:
    """A scored form.

    ``raw`` is the sum of the (reverse-adjusted) answers; ``value`` is the reported score
    (WEMWBS total, SWEMWBS metric score). Both are ``None`` when the form is incomplete, and
    ``value`` is ``None`` for instruments reported item by item (ONS4: see ``items``).
    """

    instrument: str
    answers: tuple[int | None, ...]
    raw: int | None
    value: float | None
    complete: bool
    missing_items: tuple[int, ...]
    items: tuple[ItemScore, ...] = field(repr=False)

    @property
    def answered(self) -> int:
        return len(self.answers) - len(self.missing_items)

    def item(self, key: int | str) -> ItemScore:
        for it in self.items:
            if key in (it.number, it.code):
                return it
        raise KeyError(key)


def _check_answers(instrument: Instrument, answers: Sequence[int | None]) -> tuple[int | None, ...]:
    if isinstance(answers, str | bytes) or not isinstance(answers, Sequence):
        raise InvalidAnswers(
            f"{instrument.code} answers must be a list of {instrument.item_count} numbers"
        )
    if len(answers) != instrument.item_count:
        raise InvalidAnswers(
            f"{instrument.code} has {instrument.item_count} items; got {len(answers)} answers"
        )
    low, high = instrument.answer_min, instrument.answer_max
    checked: list[int | None] = []
    for number, answer in enumerate(answers, start=1):
        if answer is None:
            checked.append(None)
            continue
        if isinstance(answer, bool) or not isinstance(answer, int):
            if isinstance(answer, float) and answer.is_integer():
                answer = int(answer)
            else:
                raise InvalidAnswers(
                    f"{instrument.code} item {number}: answer {answer!r} is not a whole number "
                    f"(allowed {low} to {high})"
                )
        if not low <= answer <= high:
            raise InvalidAnswers(
                f"{instrument.code} item {number}: answer {answer} is outside the allowed range "
                f"{low} to {high}"
            )
        checked.append(answer)
    return tuple(checked)


def score(instrument: str | Instrument, answers: Sequence[int | None]) -> Score:
    """Score a form: ``answers`` in item order, ``None`` for a missing answer."""
    inst = get_instrument(instrument)
    checked = _check_answers(inst, answers)
    missing = tuple(n for n, a in enumerate(checked, start=1) if a is None)
    items = tuple(
        ItemScore(it.number, it.code, it.label, a, it.band_for(a))
        for it, a in zip(inst.items, checked, strict=True)
    )
    complete = not missing
    raw = value = None
    if complete and inst.reports_total:
        flip = inst.answer_min + inst.answer_max
        raw = sum(flip - a if it.reverse else a for it, a in zip(inst.items, checked, strict=True))
        value = float(inst.lookup[raw]) if inst.lookup is not None else float(raw)
    return Score(inst.code, checked, raw, value, complete, missing, items)


# --- change ---------------------------------------------------------------------------------


class Direction(enum.StrEnum):
    IMPROVED = "improved"
    NO_CHANGE = "no_change"
    DETERIORATED = "deteriorated"


DIRECTION_LABELS = {
    Direction.IMPROVED: "Improved",
    Direction.NO_CHANGE: "No meaningful change",
    Direction.DETERIORATED: "Deteriorated",
}


class Change(str):
    """The verdict on a change; compares equal to "improved", "no_change" or "deteriorated".

    ``reliable`` is True/False where the instrument defines a reliable-change threshold, else
    ``None``. ``difference`` is follow-up minus baseline (in the instrument's own direction of
    scoring; for "lower is better" items a fall is an improvement).
    """

    direction: Direction
    reliable: bool | None
    difference: float
    threshold: float
    item: str | None

    def __new__(
        cls,
        direction: Direction,
        *,
        reliable: bool | None,
        difference: float,
        threshold: float,
        item: str | None = None,
    ) -> Change:
        obj = super().__new__(cls, direction.value)
        obj.direction = direction
        obj.reliable = reliable
        obj.difference = difference
        obj.threshold = threshold
        obj.item = item
        return obj

    @property
    def label(self) -> str:
        return DIRECTION_LABELS[self.direction]

    def __repr__(self) -> str:
        return (
            f"Change({self.direction.value!r}, difference={self.difference:g}, "
            f"threshold={self.threshold:g}, reliable={self.reliable})"
        )


def _reported(inst: Instrument, result: float | int | Score, which: str, item: str | None) -> float:
    if isinstance(result, Score):
        if result.instrument != inst.code:
            raise ValueError(f"the {which} form is {result.instrument}, not {inst.code}")
        reported = result.value if item is None else result.item(item).answer
        if reported is None:
            raise ValueError(f"the {which} form is incomplete: it has no score to compare")
        return float(reported)
    if isinstance(result, bool) or not isinstance(result, int | float):
        raise ValueError(f"the {which} score must be a number or a scored form, not {result!r}")
    return float(result)


def classify_change(
    instrument: str | Instrument,
    baseline: float | int | Score,
    follow_up: float | int | Score,
    *,
    threshold: float | None = None,
    reliable_threshold: float | None = None,
    item: str | None = None,
) -> Change:
    """Judge the change from ``baseline`` to ``follow_up`` for one person.

    Scores are reported values (WEMWBS total, SWEMWBS metric score) or ``Score`` results.
    ``threshold``/``reliable_threshold`` override the instrument's defaults (an admin setting).
    Item-reported instruments (ONS4) need ``item`` (e.g. ``"anxious"``): there is no total.
    """
    inst = get_instrument(instrument)
    higher_is_better = inst.higher_is_better
    if not inst.reports_total:
        if item is None:
            codes = ", ".join(it.code for it in inst.items)
            raise ValueError(f"{inst.code} is reported item by item: pass item= one of {codes}")
        higher_is_better = inst.item(item).higher_is_better
    elif item is not None:
        raise ValueError(f"{inst.code} has a total score; item= is for item-reported instruments")
    limit = inst.meaningful_change if threshold is None else float(threshold)
    reliable_limit = inst.reliable_change if reliable_threshold is None else reliable_threshold
    if limit <= 0:
        raise ValueError("the change threshold must be greater than 0")
    difference = round(
        _reported(inst, follow_up, "follow-up", item) - _reported(inst, baseline, "baseline", item),
        _PRECISION,
    )
    gain = difference if higher_is_better else -difference
    if gain >= limit:
        direction = Direction.IMPROVED
    elif gain <= -limit:
        direction = Direction.DETERIORATED
    else:
        direction = Direction.NO_CHANGE
    reliable = None if reliable_limit is None else abs(difference) >= reliable_limit
    return Change(direction, reliable=reliable, difference=difference, threshold=limit, item=item)


def classify_item_changes(
    instrument: str | Instrument,
    baseline: Score,
    follow_up: Score,
    *,
    threshold: float | None = None,
) -> dict[str, Change]:
    """Per-item verdicts for an item-reported instrument (ONS4), keyed by item code."""
    inst = get_instrument(instrument)
    return {
        it.code: classify_change(inst, baseline, follow_up, threshold=threshold, item=it.code)
        for it in inst.items
    }
