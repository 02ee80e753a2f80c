"""One journey, drawn in full: contact attempts, first meeting, sessions, reviews, wellbeing
forms, goals, signposting, exit, and the appointments still to come.

The episode's summary columns (``next_review_due``, ``latest_change``, ``stage``) are worked
out here from the rows just drawn, by the same code as the caseload (``journey_clock`` and
``wellbeing.pairing``), because asking the database per episode would make a 50,000-person
demo take an hour. ``tests/test_demo.py`` checks the two agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import SimpleNamespace

from linkworker.dates import months_between
from linkworker.demo import forms, support
from linkworker.demo.organisation import DROP_IN_VENUE
from linkworker.demo.plans import EARLY_EXITS, EpisodePlan
from linkworker.demo.world import World, weekday
from linkworker.journey_clock import JourneyClock, ReviewSchedule
from linkworker.wellbeing import get_instrument
from linkworker.wellbeing.pairing import latest_pair_change

SOURCES = ("gp", "self", "family", "walk_in", "other_service", "peer", "hospital",
           "social_care", "other")
SOURCE_WEIGHTS = (45.0, 15.0, 6.0, 4.0, 12.0, 3.0, 6.0, 6.0, 3.0)
REASONS = ("loneliness", "long_term_condition", "mental_wellbeing", "money", "housing",
           "physical_activity", "carer", "bereavement", "employment", "other")
REASON_WEIGHTS = (30.0, 25.0, 25.0, 15.0, 6.0, 12.0, 6.0, 6.0, 5.0, 3.0)
ORGANISATIONS = {
    "hospital": "Hospital discharge team",
    "social_care": "Adult Social Care",
    "other_service": "Community mental health team",
    "peer": "Tenants' association",
}
SESSION_MODES = ("face_to_face", "phone", "home_visit", "video", "group")
SESSION_MODE_WEIGHTS = (45.0, 22.0, 10.0, 5.0, 18.0)
SESSION_STATUSES = ("attended", "did_not_attend", "cancelled")
SESSION_STATUS_WEIGHTS = (84.0, 9.0, 7.0)
REVIEW_OUTCOMES = ("in_window", "late", "missed")
REVIEW_OUTCOME_WEIGHTS = (78.0, 11.0, 11.0)
FOLLOW_UP_CHANCE = 0.76  # a held review has wellbeing forms; the rest are missing follow-ups
GROUP_FORM_CHANCE = 0.9  # quick ONS4 forms the coordinator takes at group sessions
CRISIS_PLAN = "If things get bad: ring my sister; call NHS 111 or Samaritans on 116 123."


@dataclass
class Drawn:
    """Rows drawn for one episode, by table name."""

    rows: dict[str, list[dict]] = field(default_factory=lambda: {
        "contacts": [], "measures": [], "measure_answers": [], "goals": [], "goal_steps": [],
        "goal_reviews": [], "signposts": [], "unmet_needs": []})


@dataclass
class EpisodeContext:
    world: World
    plan: EpisodePlan
    person_id: str
    episode_id: str
    worker_id: str
    venues: tuple[str, ...]
    wellbeing: forms.Wellbeing
    months: tuple[int, ...]
    window_days: int
    reasons: list[str]
    drawn: Drawn = field(default_factory=Drawn)

    def contact(self, day: dt.date, purpose: str, status: str, mode: str,
                start: dt.time | None = None) -> dict:
        world = self.world
        rng = world.rng
        if start is None:
            start = dt.time(rng.randint(9, 15), rng.choice((0, 15, 30, 45)))
        venue = None
        if mode == "face_to_face":
            venue = world.pick(self.venues)
        elif mode == "home_visit":
            venue = "Home"
        elif mode == "group":
            venue = DROP_IN_VENUE  # the coordinator's drop-in: their register lists them
        key = ("review" if purpose.startswith("review_") else purpose, status)
        texts = world.data.notes.get(key)
        note = world.pick(texts) if texts and world.chance(0.7) else None
        minutes = None
        if status == "attended":
            minutes = rng.randint(5, 15) if purpose == "attempt" else rng.choice((30, 45, 60, 90))
        worker = self.worker_id if world.chance(0.95) else world.pick(world.workers)
        stamp = world.stamp(day)
        row = {
            "id": world.new_id(), "created_at": stamp, "updated_at": stamp,
            "episode_id": self.episode_id, "worker_id": worker, "contact_date": day,
            "start_time": start, "mode": mode, "purpose": purpose, "venue": venue,
            "duration_minutes": minutes, "status": status, "note": note, "external_ref": None,
        }
        self.drawn.rows["contacts"].append(row)
        return row

    def forms(self, day: dt.date, timepoint: str, months: float,
              instruments: tuple[str, ...] | None = None) -> None:
        level = self.wellbeing.level(months)
        for instrument in instruments or self.wellbeing.instruments:
            measure, answers = forms.form_rows(
                self.world, person_id=self.person_id, episode_id=self.episode_id,
                instrument=instrument, timepoint=timepoint, completed_on=day, level=level,
                worker_id=self.worker_id,
            )
            self.drawn.rows["measures"].append(measure)
            self.drawn.rows["measure_answers"].extend(answers)


def episode_header(world: World, plan: EpisodePlan) -> dict:
    """Referral details: source, reasons (several), referrer."""
    source = world.pick(SOURCES, SOURCE_WEIGHTS)
    reasons: list[str] = []
    for _ in range(world.pick((1, 2, 3), (45.0, 40.0, 15.0))):
        reason = world.pick(REASONS, REASON_WEIGHTS)
        if reason not in reasons:
            reasons.append(reason)
    referrer = None
    if source in ("gp", "hospital", "social_care", "other_service"):
        given = world.pick(world.data.given_names[("british", world.pick("FM"))])
        referrer = f"{given} {world.pick(world.data.family_names['british'])}"
        if source == "gp":
            referrer = "Dr " + referrer.split()[-1]
    return {"referral_source": source, "referral_reasons": reasons, "referrer_name": referrer,
            "referrer_organisation": ORGANISATIONS.get(source)}


def draw_episode(ctx: EpisodeContext) -> dict:
    """Draw the episode's rows into ``ctx.drawn``; returns the episode's own column values."""
    plan, today = ctx.plan, ctx.world.today
    values: dict = {"first_contact_date": None, "first_meeting_date": plan.first_meeting,
                    "exit_date": plan.exit_date, "exit_reason": plan.exit_reason}
    if plan.kind == "referred":
        return values
    if plan.first_meeting is None:
        values["first_contact_date"] = _attempts_only(ctx)
        return values
    values["first_contact_date"] = _attempts(ctx, plan.referral, plan.first_meeting)
    met = plan.first_meeting
    ctx.contact(met, "first_meeting", "attended",
                ctx.world.pick(("face_to_face", "home_visit", "phone"), (70.0, 20.0, 10.0)))
    if not plan.eligible:
        return values
    stop = plan.exit_date or today
    sessions = _sessions(ctx, met, stop)
    _baseline(ctx, met, sessions)
    reviews = _reviews(ctx, met, stop)
    attended = sorted({met, *sessions, *reviews})
    if plan.exit_date is not None:
        _exit(ctx, plan.exit_date)
        if plan.exit_reason not in ("died", "not_engaged"):
            attended.append(plan.exit_date)
    else:
        _future(ctx)
    _support(ctx, attended, reviews)
    return values


def _attempts(ctx: EpisodeContext, referral: dt.date, met: dt.date) -> dt.date:
    """Phone attempts between referral and first meeting; the last one gets through."""
    world = ctx.world
    count = world.pick((1, 2, 3, 4), (45.0, 30.0, 17.0, 8.0))
    space = max(0, (met - referral).days - 1)
    days = sorted(referral + dt.timedelta(days=world.rng.randint(0, space)) for _ in range(count))
    for i, day in enumerate(days):
        reached = i == count - 1
        ctx.contact(day, "attempt", "attended" if reached else "no_answer",
                    "phone" if reached or world.chance(0.8) else "text")
    return days[-1]


def _attempts_only(ctx: EpisodeContext) -> dt.date | None:
    """Contacting now, or closed without meeting: attempts, perhaps a first meeting booked."""
    world, plan, today = ctx.world, ctx.plan, ctx.world.today
    end = plan.exit_date or today - dt.timedelta(days=1)
    count = world.pick((1, 2, 3), (40.0, 35.0, 25.0)) + (1 if plan.exit_date else 0)
    space = max(0, (end - plan.referral).days)
    days = sorted(plan.referral + dt.timedelta(days=world.rng.randint(0, space))
                  for _ in range(count))
    reached = plan.exit_date is None and world.chance(0.45)
    declined = plan.exit_reason == "declined"
    for i, day in enumerate(days):
        last = i == count - 1
        status = "attended" if last and (reached or declined) else "no_answer"
        ctx.contact(day, "attempt", status, "phone")
    if reached:
        booked = weekday(today + world.days(1, 10))
        ctx.contact(booked, "first_meeting", "planned", world.pick(("face_to_face", "home_visit")))
    return days[-1] if reached or declined else None


def _sessions(ctx: EpisodeContext, met: dt.date, stop: dt.date) -> list[dt.date]:
    """Support sessions from first meeting until exit or today; returns attended dates."""
    world = ctx.world
    rng = world.rng
    attended = []
    day = met
    dropping_out = ctx.plan.exit_reason in EARLY_EXITS
    while True:
        months = months_between(met, day)
        gap = rng.randint(7, 14) if months < 3 else rng.randint(12, 24) if months < 9 else \
            rng.randint(25, 40)
        day = weekday(day + dt.timedelta(days=gap))
        if day >= stop:
            return attended
        late = dropping_out and (stop - day).days < 45
        status = "did_not_attend" if late and world.chance(0.6) else \
            world.pick(SESSION_STATUSES, SESSION_STATUS_WEIGHTS)
        mode = world.pick(SESSION_MODES, SESSION_MODE_WEIGHTS)
        ctx.contact(day, "support", status, mode)
        if status == "attended":
            attended.append(day)
            if mode == "group" and world.chance(GROUP_FORM_CHANCE):
                ctx.forms(day, "other", months, ("ONS4",))


def _baseline(ctx: EpisodeContext, met: dt.date, sessions: list[dt.date]) -> None:
    """Baseline as early as possible: usually at the first meeting, sometimes the next session,
    occasionally never (a data-quality problem the returns must list)."""
    world = ctx.world
    when = world.pick(("first", "next", "never"), (93.0, 4.0, 3.0))
    if when == "never" or (when == "next" and not sessions):
        return
    day = met if when == "first" else sessions[0]
    ctx.forms(day, "baseline", 0)


def _reviews(ctx: EpisodeContext, met: dt.date, stop: dt.date) -> list[dt.date]:
    """Reviews on the schedule: most in window, some late, some missed; returns held dates."""
    world, today = ctx.world, ctx.world.today
    held = []
    for point in ReviewSchedule(ctx.months, ctx.window_days).points(met)[1:]:
        if point.opens >= stop:
            break
        outcome = world.pick(REVIEW_OUTCOMES, REVIEW_OUTCOME_WEIGHTS)
        if outcome == "missed":
            continue
        offset = world.days(-21, 21) if outcome == "in_window" else world.days(35, 80)
        day = weekday(point.due + offset)
        purpose = point.timepoint
        if day >= stop:
            if ctx.plan.exit_date is None and outcome == "in_window" and day <= today + \
                    dt.timedelta(days=42):
                ctx.contact(day, purpose, "planned", "face_to_face")
            continue
        ctx.contact(day, purpose, "attended", world.pick(("face_to_face", "home_visit", "phone"),
                                                         (70.0, 15.0, 15.0)))
        held.append(day)
        if world.chance(FOLLOW_UP_CHANCE):
            ctx.forms(day, purpose, months_between(met, day))
    return held


def _exit(ctx: EpisodeContext, ended: dt.date) -> None:
    world, plan = ctx.world, ctx.plan
    if plan.exit_reason == "died":
        return
    if plan.exit_reason == "not_engaged":
        ctx.contact(ended, "attempt", "no_answer", "phone")
        return
    ctx.contact(ended, "exit", "attended", "phone" if plan.exit_reason == "declined" else
                world.pick(("face_to_face", "phone"), (75.0, 25.0)))
    last_form = max((m["completed_on"] for m in ctx.drawn.rows["measures"]), default=None)
    if plan.exit_reason in ("goals_met", "stepped_down") and last_form is not None and \
            (ended - last_form).days > 28 and world.chance(0.6):
        ctx.forms(ended, "exit", months_between(plan.first_meeting, ended))


def _future(ctx: EpisodeContext) -> None:
    """Appointments already booked: the Today screen and the week ahead need them."""
    world, today = ctx.world, ctx.world.today
    day = weekday(today + world.days(0, 8))
    ctx.contact(day, "support", "planned", world.pick(SESSION_MODES, SESSION_MODE_WEIGHTS))
    if world.chance(0.5):
        ctx.contact(weekday(day + dt.timedelta(days=14)), "support", "planned", "face_to_face")


def _support(ctx: EpisodeContext, attended: list[dt.date], reviews: list[dt.date]) -> None:
    world, plan, rows = ctx.world, ctx.plan, ctx.drawn.rows
    goals = support.goal_rows(
        world, episode_id=ctx.episode_id, reasons=ctx.reasons, sessions=attended, reviews=reviews,
        exited=plan.exit_date, exit_reason=plan.exit_reason,
        few=plan.exit_reason in EARLY_EXITS,
    )
    rows["goals"].extend(goals["goals"])
    rows["goal_steps"].extend(goals["steps"])
    rows["goal_reviews"].extend(goals["reviews"])
    categories = [g["category"] for g in goals["goals"]]
    rows["signposts"].extend(support.signpost_rows(
        world, episode_id=ctx.episode_id, goal_categories=categories, sessions=attended))
    rows["unmet_needs"].extend(support.unmet_need_rows(world, ctx.episode_id, attended))


# --- summaries, by the rules of linkworker.journey ------------------------------------------


def clock(ctx: EpisodeContext, values: dict) -> JourneyClock:
    """The journey clock of the drawn episode (as ``journey.clock_for`` builds it)."""
    rows = ctx.drawn.rows
    done: dict[str, tuple[dt.date, str]] = {}
    for m in sorted(rows["measures"], key=lambda m: m["completed_on"]):
        if m["complete"]:
            done.setdefault(m["timepoint"], (m["completed_on"], f"{m['instrument']} form"))
    for c in sorted(rows["contacts"], key=lambda c: c["contact_date"]):
        if c["status"] == "attended" and c["purpose"].startswith("review_"):
            done.setdefault(c["purpose"], (c["contact_date"], "review meeting"))
    return JourneyClock(ReviewSchedule(ctx.months, ctx.window_days),
                        values["first_meeting_date"], values["exit_date"],
                        values["first_contact_date"], done)


def latest_change(ctx: EpisodeContext) -> str | None:
    """As ``pairing.episode_latest_change``, at each instrument's own thresholds."""
    scored = [SimpleNamespace(**m) for m in sorted(
        ctx.drawn.rows["measures"], key=lambda m: (m["completed_on"], m["created_at"]))
        if m["complete"] and m["value"] is not None]
    best = None
    for code in dict.fromkeys(m.instrument for m in scored):
        inst = get_instrument(code)
        found = latest_pair_change(inst, [m for m in scored if m.instrument == code],
                                   inst.meaningful_change, inst.reliable_change)
        if found is not None and (best is None or found.follow_up_on >= best.follow_up_on):
            best = found
    return None if best is None else best.direction
