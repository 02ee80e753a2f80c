"""Where each person's journeys sit in time, decided before any detail is drawn.

The stage a person is at *today* is chosen first (from fixed proportions, so even a small demo
has someone at every stage) and dates are laid out backwards from it: an exited journey ends
before today, a current one started a while ago (length-biased, as a snapshot of a real
caseload is), and earlier journeys of re-referred people end before the next referral.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from linkworker.demo.world import World, weekday

HORIZON_DAYS = 5 * 365  # referrals spread over about five years up to today
# The stage a person's latest journey is at today ("current" becomes active or review).
FINAL_KINDS = ("referred", "contacting", "current", "exited")
FINAL_WEIGHTS = (2.5, 4.0, 27.5, 66.0)
EPISODE_COUNTS = (1, 2, 3)
EPISODE_COUNT_WEIGHTS = (91.5, 7.5, 1.0)
EXIT_REASONS = (
    "goals_met",
    "stepped_down",
    "referred_on",
    "moved",
    "declined",
    "not_engaged",
    "died",
    "other",
)
EXIT_WEIGHTS = (32.0, 28.0, 8.0, 5.0, 7.0, 12.0, 2.0, 6.0)
EARLY_EXITS = ("declined", "not_engaged")


@dataclass(frozen=True)
class EpisodePlan:
    number: int
    referral: dt.date
    kind: str  # referred, contacting, current, exited
    first_meeting: dt.date | None = None
    exit_date: dt.date | None = None
    exit_reason: str | None = None
    eligible: bool = True


def support_days(world: World, reason: str | None = None) -> int:
    """How long support lasts from first meeting to planned exit."""
    if reason in EARLY_EXITS:
        return world.rng.randint(21, 120)
    band = world.pick(((60, 150), (150, 365), (365, 760)), (12.0, 33.0, 55.0))
    return world.rng.randint(*band)


def final_kinds(world: World, people: int) -> list[str]:
    """Each person's final stage, in proportion, at least one of each when there is room."""
    counts = [round(people * w / sum(FINAL_WEIGHTS)) for w in FINAL_WEIGHTS]
    if people >= len(FINAL_KINDS):
        counts = [max(1, c) for c in counts]
    counts[-1] += people - sum(counts)
    kinds = [kind for kind, count in zip(FINAL_KINDS, counts, strict=True) for _ in range(count)]
    world.rng.shuffle(kinds)
    return kinds


def plan_person(world: World, final_kind: str) -> list[EpisodePlan]:
    """The person's journeys, oldest first."""
    count = world.pick(EPISODE_COUNTS, EPISODE_COUNT_WEIGHTS)
    plans = [_final(world, final_kind, count)]
    while len(plans) < count:
        earlier = _earlier(world, plans[0].referral, count - len(plans))
        if earlier is None:
            break
        plans.insert(0, earlier)
    return [
        EpisodePlan(n, p.referral, p.kind, p.first_meeting, p.exit_date, p.exit_reason, p.eligible)
        for n, p in enumerate(plans, start=1)
    ]


def _final(world: World, kind: str, count: int) -> EpisodePlan:
    today, rng = world.today, world.rng
    if kind == "referred":
        return EpisodePlan(count, weekday(today - world.days(0, 6), forward=False), kind)
    if kind == "contacting":
        return EpisodePlan(count, weekday(today - world.days(3, 30), forward=False), kind)
    if kind == "current":
        days_in = rng.randint(1, support_days(world))
        met = weekday(today - dt.timedelta(days=days_in), forward=False)
        return EpisodePlan(count, met - world.days(5, 35), kind, first_meeting=met)
    latest = today - dt.timedelta(days=1)
    earliest = today - dt.timedelta(days=HORIZON_DAYS)
    return _exited(world, count, earliest, latest)


def _earlier(world: World, next_referral: dt.date, index: int) -> EpisodePlan | None:
    """A journey that ended some months before the next referral (the easy route back)."""
    latest = next_referral - world.days(60, 700)
    earliest = world.today - dt.timedelta(days=HORIZON_DAYS + 730)
    if latest - earliest < dt.timedelta(days=120):
        return None
    return _exited(world, index, earliest, latest)


def _exited(world: World, number: int, earliest: dt.date, latest_exit: dt.date) -> EpisodePlan:
    rng = world.rng
    span = (latest_exit - earliest).days
    if world.chance(0.1) or span < 90:  # never met: contact attempts, then closed
        referral = earliest + dt.timedelta(days=rng.randint(0, max(0, span - 60)))
        closed = min(latest_exit, weekday(referral + world.days(21, 45), forward=False))
        reason = world.pick(("not_engaged", "declined"), (70.0, 30.0))
        return EpisodePlan(number, referral, "exited", exit_date=closed, exit_reason=reason)
    if world.chance(0.04):  # met, found ineligible, referred on
        met = earliest + dt.timedelta(days=rng.randint(40, span))
        return EpisodePlan(
            number, met - world.days(5, 35), "exited", met, met, "referred_on", eligible=False
        )
    reason = world.pick(EXIT_REASONS, EXIT_WEIGHTS)
    length = min(support_days(world, reason), span - 40)
    met = earliest + dt.timedelta(days=rng.randint(40, span - length))
    met = weekday(met, forward=False)
    ended = min(latest_exit, weekday(met + dt.timedelta(days=length), forward=False))
    return EpisodePlan(number, met - world.days(5, 35), "exited", met, ended, reason)
