"""Goals with action-plan steps and reviews, signposting to the directory, and unmet needs.

Goals are drawn from the person's referral reasons first (someone referred for loneliness
mostly sets social goals), and signposting follows the goals' categories into the directory,
so a record reads like one person's story rather than random rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from linkworker.demo.data import GoalTemplate
from linkworker.demo.world import World

REASON_GOALS = {
    "loneliness": "social_connection",
    "long_term_condition": "physical_health",
    "mental_wellbeing": "mental_wellbeing",
    "money": "money_debt",
    "housing": "housing",
    "physical_activity": "activity",
    "carer": "other",
    "bereavement": "social_connection",
    "employment": "employment_volunteering",
    "other": "learning",
}
GOAL_SERVICES = {
    "activity": ("physical_activity", "gardening"),
    "social_connection": ("befriending", "mens_sheds", "arts_crafts", "faith_community"),
    "mental_wellbeing": ("mental_health_peer", "arts_crafts"),
    "physical_health": ("health", "physical_activity"),
    "money_debt": ("debt_benefits", "food"),
    "housing": ("housing",),
    "employment_volunteering": ("volunteering",),
    "learning": ("learning",),
    "other": ("carers", "befriending"),
}
GOAL_COUNTS = (1, 2, 3, 4, 5)
GOAL_COUNT_WEIGHTS = (5.0, 12.0, 28.0, 30.0, 25.0)
OUTCOMES = ("achieved", "partly", "changed", "dropped")
EXITED_OUTCOME_WEIGHTS = (45.0, 22.0, 8.0, 25.0)
FINAL_PROGRESS = {"achieved": 10, "partly": 6, "changed": 4, "dropped": 2, "open": 6}
SIGNPOST_COUNTS = (0, 1, 2, 3, 4)
SIGNPOST_COUNT_WEIGHTS = (10.0, 28.0, 35.0, 19.0, 8.0)
WHO = {"me": "Me", "link worker": "Link worker"}


def who_does(who: str) -> str:
    """A step's "who" as the plan shows it: a capital first letter, the rest as the file wrote
    it ("GP practice nurse", never ``capitalize``'s "Gp practice nurse")."""
    return WHO.get(who, who[:1].upper() + who[1:])


def _templates(world: World, reasons: Sequence[str], count: int) -> list[GoalTemplate]:
    goals = world.data.goals
    chosen: list[GoalTemplate] = []
    categories = [REASON_GOALS[r] for r in reasons]
    for i in range(count * 3):
        if len(chosen) == count:
            break
        category = categories[i] if i < len(categories) else world.pick(tuple(goals))
        template = world.pick(goals[category])
        if template not in chosen:
            chosen.append(template)
    return chosen


def _outcome(world: World, agreed: dt.date, exited: dt.date | None, reason: str | None) -> str:
    if exited is not None:
        if reason in ("declined", "not_engaged", "died", "moved"):
            return world.pick(("dropped", "partly"), (75.0, 25.0))
        return world.pick(OUTCOMES, EXITED_OUTCOME_WEIGHTS)
    if (world.today - agreed).days > 120:
        return world.pick(("achieved", "partly", "open"), (35.0, 10.0, 55.0))
    return "open"


def goal_rows(
    world: World,
    *,
    episode_id: str,
    reasons: Sequence[str],
    sessions: Sequence[dt.date],
    reviews: Sequence[dt.date],
    exited: dt.date | None,
    exit_reason: str | None,
    few: bool,
) -> dict[str, list[dict]]:
    """Goals agreed at the first meeting or soon after, with steps and progress reviews.

    ``sessions`` are the attended meeting dates (first meeting first); ``reviews`` the dates
    of held reviews, where each goal's progress is rated.
    """
    out: dict[str, list[dict]] = {"goals": [], "steps": [], "reviews": []}
    count = 1 if few else world.pick(GOAL_COUNTS, GOAL_COUNT_WEIGHTS)
    early = [d for d in sessions if (d - sessions[0]).days <= 42] or [sessions[0]]
    for template in _templates(world, reasons, count):
        agreed = sessions[0] if world.chance(0.7) else world.pick(early)
        outcome = _outcome(world, agreed, exited, exit_reason)
        status_date = _status_date(world, agreed, exited, outcome)
        goal_id = world.new_id()
        stamp = world.stamp(agreed)
        out["goals"].append({
            "id": goal_id, "created_at": stamp, "updated_at": world.stamp(status_date or agreed),
            "episode_id": episode_id, "own_words": template.own_words,
            "category": template.category, "agreed_date": agreed, "status": outcome,
            "status_date": status_date, "external_ref": None,
        })
        out["steps"].extend(_steps(world, goal_id, template, agreed, outcome, status_date))
        out["reviews"].extend(
            _reviews(world, goal_id, agreed, reviews, outcome, status_date if exited else None)
        )
    return out


def _status_date(
    world: World, agreed: dt.date, exited: dt.date | None, outcome: str
) -> dt.date | None:
    if outcome == "open":
        return None
    if exited is not None:
        return max(agreed, exited)
    latest = (world.today - agreed).days - 1
    return agreed + dt.timedelta(days=world.rng.randint(min(30, latest), latest))


def _steps(
    world: World,
    goal_id: str,
    template: GoalTemplate,
    agreed: dt.date,
    outcome: str,
    status_date: dt.date | None,
) -> list[dict]:
    rows = []
    steps = template.steps
    for position, (who, what) in enumerate(steps):
        due = agreed + dt.timedelta(days=14 * (position + 1))
        done_chance = {
            "achieved": 1.0,
            "partly": 0.5 if position < len(steps) / 2 else 0.1,
            "open": 0.6,
            "changed": 0.3,
            "dropped": 0.25,
        }[outcome]
        done = None
        if world.chance(done_chance):
            done = due + world.days(-10, 10)
            limit = min(status_date or world.today, world.today)
            done = None if done > limit and outcome != "achieved" else min(max(done, agreed), limit)
        stamp = world.stamp(agreed)
        rows.append({
            "id": world.new_id(), "created_at": stamp, "updated_at": stamp, "goal_id": goal_id,
            "position": position, "description": what, "who": who_does(who),
            "due_date": due, "done_date": done,
        })
    return rows


def _reviews(
    world: World,
    goal_id: str,
    agreed: dt.date,
    review_dates: Sequence[dt.date],
    outcome: str,
    closed: dt.date | None,
) -> list[dict]:
    dates = [d for d in review_dates if d > agreed]
    if closed is not None and (not dates or dates[-1] < closed):
        dates.append(closed)
    rows = []
    final = FINAL_PROGRESS[outcome]
    for i, day in enumerate(dates, start=1):
        last = closed is not None and day == dates[-1]
        progress = final if last else min(10, max(0, round(final * i / (len(dates) + 1)
                                                          + world.rng.gauss(1, 1))))
        stamp = world.stamp(day)
        rows.append({
            "id": world.new_id(), "created_at": stamp, "updated_at": stamp, "goal_id": goal_id,
            "review_date": day, "progress": progress, "status": outcome if last else "open",
            "note": None,
        })
    return rows


def signpost_rows(
    world: World,
    *,
    episode_id: str,
    goal_categories: Sequence[str],
    sessions: Sequence[dt.date],
) -> list[dict]:
    """Connections made to directory services, some accompanied, most taken up."""
    rows = []
    count = world.pick(SIGNPOST_COUNTS, SIGNPOST_COUNT_WEIGHTS)
    for i in range(count):
        category = goal_categories[i] if i < len(goal_categories) else "other"
        service_category = world.pick(GOAL_SERVICES[category])
        services = world.services.get(service_category) or world.services.get("befriending")
        if not services:
            break
        day = world.pick(sessions[: max(1, min(len(sessions), 8))])
        age = (world.today - day).days
        if age > 30:
            taken = world.pick((True, False, None), (62.0, 28.0, 10.0))
        else:
            taken = world.pick((None, True), (70.0, 30.0))
        taken_on = min(day + world.days(3, 28), world.today) if taken else None
        stamp = world.stamp(day)
        rows.append({
            "id": world.new_id(), "created_at": stamp, "updated_at": world.stamp(taken_on or day),
            "episode_id": episode_id, "service_id": world.pick(services), "signposted_on": day,
            "accompanied": world.chance(0.3), "taken_up": taken, "taken_up_on": taken_on,
            "note": None, "external_ref": None,
        })
    return rows


def unmet_need_rows(world: World, episode_id: str, sessions: Sequence[dt.date]) -> list[dict]:
    if not world.chance(0.1):
        return []
    category, description = world.pick(world.data.unmet_needs)
    day = world.pick(sessions[:6])
    stamp = world.stamp(day)
    return [{
        "id": world.new_id(), "created_at": stamp, "updated_at": stamp, "episode_id": episode_id,
        "recorded_on": day, "category": category, "description": description,
    }]
