"""A hybrid logical clock: change ids that sort in causal order across laptops.

Wall-clock time alone cannot order changes from laptops whose clocks disagree; a pure counter
means nothing to a person. An HLC stamp is the wall time in milliseconds, a counter for changes
in the same millisecond, and the device id; receiving a change moves the clock past it, so
anything made after seeing a change sorts after it, even on a laptop whose clock is behind.
The text form sorts the same way as the stamp, so the database can order by it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

COUNTER_LIMIT = 999_999


@dataclass(frozen=True, order=True)
class Stamp:
    wall_ms: int
    counter: int
    device: str

    def __str__(self) -> str:
        return f"{self.wall_ms:013d}.{self.counter:06d}.{self.device}"

    @classmethod
    def parse(cls, text: str) -> Stamp:
        wall, counter, device = text.split(".", 2)
        return cls(int(wall), int(counter), device)

    @property
    def seconds(self) -> float:
        return self.wall_ms / 1000


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def tick(last: Stamp | None, device: str, wall_ms: int | None = None) -> Stamp:
    """The stamp for a new local change, later than ``last`` and than anything received."""
    wall = now_ms() if wall_ms is None else wall_ms
    if last is None or wall > last.wall_ms:
        return Stamp(wall, 0, device)
    if last.counter >= COUNTER_LIMIT:
        return Stamp(last.wall_ms + 1, 0, device)
    return Stamp(last.wall_ms, last.counter + 1, device)


def witness(last: Stamp | None, seen: Stamp, device: str) -> Stamp:
    """The clock after receiving ``seen``: never behind it, so later local changes sort after."""
    if last is None or (seen.wall_ms, seen.counter) > (last.wall_ms, last.counter):
        return Stamp(seen.wall_ms, seen.counter, device)
    return last
