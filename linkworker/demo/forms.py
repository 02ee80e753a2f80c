"""Wellbeing forms with plausible trajectories, scored by the real scoring code.

Each person has a latent wellbeing level (on the WEMWBS 14-70 scale) at referral, usually
below the population mean, and a trajectory: most improve modestly over the first six months,
some do not change, some deteriorate. Each form's answers are drawn to sum to the latent
level plus noise, then scored with ``linkworker.wellbeing.score`` (never a copy of its rules),
so the stored ``raw``/``value``/``complete`` are exactly what the app would have saved.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from linkworker.demo.world import World
from linkworker.wellbeing import score

TRAJECTORIES = ("improve", "no_change", "deteriorate")
TRAJECTORY_WEIGHTS = (60.0, 25.0, 15.0)
# Which scales a person's service used: a WEMWBS or a SWEMWBS, often with ONS4 beside it.
INSTRUMENT_SETS = (("WEMWBS",), ("WEMWBS", "ONS4"), ("SWEMWBS",), ("SWEMWBS", "ONS4"))
INSTRUMENT_SET_WEIGHTS = (5.0, 50.0, 5.0, 40.0)
MODES = ("with_worker", "self_completed", "paper")
MODE_WEIGHTS = (80.0, 10.0, 10.0)
INCOMPLETE_CHANCE = 0.025


@dataclass(frozen=True)
class Wellbeing:
    """One person's latent wellbeing for one journey."""

    baseline: float
    gain: float  # total change reached by about six months
    instruments: tuple[str, ...]

    def level(self, months: float) -> float:
        return self.baseline + self.gain * min(1.0, max(0.0, months) / 6.0)


def wellbeing_for(world: World) -> Wellbeing:
    rng = world.rng
    kind = world.pick(TRAJECTORIES, TRAJECTORY_WEIGHTS)
    gain = {
        "improve": lambda: rng.gauss(8.0, 4.0),
        "no_change": lambda: rng.gauss(0.0, 1.5),
        "deteriorate": lambda: rng.gauss(-6.0, 3.0),
    }[kind]()
    baseline = min(66.0, max(16.0, rng.gauss(40.0, 8.0)))
    return Wellbeing(baseline, gain, world.pick(INSTRUMENT_SETS, INSTRUMENT_SET_WEIGHTS))


def spread(world: World, total: int, count: int, low: int, high: int) -> list[int]:
    """``count`` answers in ``low..high`` summing to ``total`` (clamped to what is possible)."""
    rng = world.rng
    total = min(max(total, low * count), high * count)
    mean = total / count
    answers = [min(high, max(low, round(mean + rng.gauss(0, 0.7)))) for _ in range(count)]
    gap = total - sum(answers)
    while gap:
        i = rng.randrange(count)
        step = 1 if gap > 0 else -1
        if low <= answers[i] + step <= high:
            answers[i] += step
            gap -= step
    return answers


def answers_for(world: World, instrument: str, level: float) -> list[int | None]:
    rng = world.rng
    if instrument == "WEMWBS":
        answers: list[int | None] = list(spread(world, round(level + rng.gauss(0, 2.0)), 14, 1, 5))
    elif instrument == "SWEMWBS":
        answers = list(spread(world, round(level / 2 + rng.gauss(0, 1.0)), 7, 1, 5))
    else:  # ONS4: satisfied, worthwhile, happy (higher better), anxious (lower better)
        scaled = (level - 14) / 56 * 10

        def item(centre: float, sd: float) -> int:
            return min(10, max(0, round(centre + rng.gauss(0, sd))))

        answers = [item(scaled, 1.2), item(scaled + 0.5, 1.2), item(scaled, 1.6),
                   item(10 - scaled, 2.0)]
    if world.chance(INCOMPLETE_CHANCE):
        for _ in range(rng.randint(1, 2)):
            answers[rng.randrange(len(answers))] = None
    return answers


def form_rows(
    world: World,
    *,
    person_id: str,
    episode_id: str,
    instrument: str,
    timepoint: str,
    completed_on: dt.date,
    level: float,
    worker_id: str | None,
) -> tuple[dict, list[dict]]:
    """A ``measures`` row and its ``measure_answers`` rows, scored as the app scores them."""
    answers = answers_for(world, instrument, level)
    result = score(instrument, answers)
    measure_id = world.new_id()
    stamp = world.stamp(completed_on)
    measure = {
        "id": measure_id,
        "created_at": stamp,
        "updated_at": stamp,
        "person_id": person_id,
        "episode_id": episode_id,
        "instrument": result.instrument,
        "timepoint": timepoint,
        "completed_on": completed_on,
        "mode": world.pick(MODES, MODE_WEIGHTS),
        "recorded_by_id": worker_id,
        "raw": result.raw,
        "value": result.value,
        "complete": result.complete,
        "external_ref": None,
    }
    rows = [
        {"measure_id": measure_id, "item": number, "answer": answer}
        for number, answer in enumerate(result.answers, start=1)
    ]
    return measure, rows
