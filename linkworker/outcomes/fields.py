"""Reading the manager's JSON one field at a time, collecting every problem with its path.

``Fields`` wraps one JSON object: each accessor (``text``, ``whole``, ``money``, ``window``...)
returns a checked value or a default, and records ``path: message`` for anything wrong, so a
contract with five mistakes reports all five. Rule kinds (``linkworker.outcomes.kinds``) read
their own settings with it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

ANCHORS = ("referral", "first_meeting", "first_attended_contact")
MAX_MONEY = 1_000_000_000  # no price or cap reaches a billion; beyond it is a typing slip
MAX_DEPTH = 20  # contract documents nest four levels; deeper is not a contract


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


MISSING = object()


def finite(value: Any) -> bool:
    """A JSON number that is a real number (Python's json reads NaN and Infinity too)."""
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))


def not_a_number(value: Any) -> str:
    """What a person reads for a value where a number belongs (it said "NaN and Infinity are
    not allowed" to someone who had typed "1,500"). Files keep plain JSON numbers: no quotes,
    no £, no thousands commas; the contract editor's form takes those and writes them plain."""
    if isinstance(value, str):
        return f"must be a number, e.g. 1500 or 1500.50, written without quotes, £ or commas " \
               f"(not {value!r})"
    if isinstance(value, float):  # json reads NaN and Infinity as floats
        return "must be a number, e.g. 1500 or 1500.50 (not NaN or Infinity)"
    return "must be a number, e.g. 1500 or 1500.50"


def depth(value: Any, limit: int = MAX_DEPTH) -> int:
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


class Fields:
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
        value = self.data.get(key, MISSING)
        if value is None:
            value = MISSING
        if value is MISSING and required:
            self.problem(key, "is required")
        return value

    def text(self, key: str, *, required: bool = False, default: str = "") -> str:
        value = self.raw(key, required)
        if value is MISSING:
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
        if value is MISSING:
            return default
        if not finite(value) or value != int(value):
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
        if value is MISSING:
            return None
        if not finite(value):
            self.problem(key, not_a_number(value))
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
        if value is MISSING:
            return default
        if not isinstance(value, bool):
            self.problem(key, "must be true or false")
            return default
        return value

    def date(self, key: str, *, required: bool = False) -> dt.date | None:
        value = self.raw(key, required)
        if value is MISSING:
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
        if value is MISSING:
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
        if value is MISSING:
            return None
        sub = Fields(value, self.where(key), self.problems)
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

    def obj(self, key: str) -> Fields:
        value = self.raw(key, False)
        return Fields({} if value is MISSING else value, self.where(key), self.problems)

    def finish(self) -> None:
        for key in self.data:
            if key not in self.used:
                self.problem(str(key), "is not a field this format knows (check the spelling)")
