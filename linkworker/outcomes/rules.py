"""One evaluator per rule kind: which journeys achieved an outcome, when, and on what evidence.

Every evaluator is a pure function of the loaded ``Facts``. The choices that decide money are
made here and written down in ``resources/contracts/FORMAT.md``:

- days are whole calendar days and both ends of a window count (``min <= days <= max``);
- "from" is the referral date or the first meeting (if a journey has no first meeting date
  recorded, its earliest attended contact stands in for it);
- for measures, the *first* complete form in a window is the one that counts (later forms in
  the same window cannot be picked to get a better score), and change is always the person's
  own follow-up against their own baseline;
- an outcome is achieved on the date of the evidence that completes it (the K-th contact, the
  follow-up form, the K-th achieved goal, the exit, the commissioner's date).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from linkworker.dates import add_months
from linkworker.outcomes.contract import Outcome, Rule
from linkworker.outcomes.facts import EpisodeRow, Facts, FormRow
from linkworker.wellbeing.instruments import Instrument
from linkworker.wellbeing.scoring import Direction, classify_change


@dataclass(frozen=True)
class Achievement:
    """One unit of an outcome achieved by one person (``key`` names it for the ledger)."""

    outcome_id: str
    person_id: str
    episode_id: str | None
    key: str
    achieved_on: dt.date
    evidence: dict[str, Any] = field(compare=False)


@dataclass(frozen=True)
class RuleContext:
    """What rules need beyond the facts: instruments and the change thresholds in force."""

    instruments: dict[str, Instrument]
    thresholds: dict[str, float]


def iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def start_of(facts: Facts, episode: EpisodeRow, anchor: str) -> dt.date | None:
    """The date a rule counts from (first meeting falls back to the first attended contact)."""
    start = episode.start(anchor)
    if start is None and anchor == "first_meeting":
        contacts = facts.contacts.get(episode.id)
        start = contacts[0].date if contacts else None
    return start


def _anchor(rule: Rule, day: dt.date) -> dict[str, Any]:
    return {"from": rule.start, "date": iso(day)}


def _form(form: FormRow) -> dict[str, Any]:
    return {"id": form.id, "date": iso(form.date), "score": form.value}


# --- engagement -----------------------------------------------------------------------------


def engagement(outcome: Outcome, facts: Facts, ctx: RuleContext) -> Iterator[Achievement]:
    """At least ``contacts`` attended contacts within ``within_days`` of the start."""
    rule = outcome.rule
    for episode in facts.episodes.values():
        start = start_of(facts, episode, rule.start)
        if start is None:
            continue
        counted = [
            c for c in facts.contacts.get(episode.id, ())
            if 0 <= (c.date - start).days <= (rule.within_days or 0)
            and (not rule.modes or c.mode in rule.modes)
            and (not rule.purposes or c.purpose in rule.purposes)
        ]
        if len(counted) < rule.contacts:
            continue
        used = counted[: rule.contacts]
        yield Achievement(
            outcome.id, episode.person_id, episode.id, f"{outcome.id}:{episode.id}",
            used[-1].date,
            {"start": _anchor(rule, start),
             "contacts": [{"id": c.id, "date": iso(c.date), "mode": c.mode} for c in used]},
        )


# --- measures -------------------------------------------------------------------------------


def _first_in(forms: list[FormRow], origin: dt.date, window, after: FormRow | None = None):
    for form in forms:
        if after is not None and (form is after or form.date < after.date):
            continue
        if window.contains((form.date - origin).days):
            return form
    return None


def _improved(ctx: RuleContext, rule: Rule, baseline: FormRow, follow: FormRow):
    instrument = ctx.instruments[rule.instrument]
    threshold = rule.min_change or ctx.thresholds[rule.instrument]
    verdict = classify_change(instrument, baseline.value, follow.value, threshold=threshold,
                              item=rule.item)
    return verdict.direction == Direction.IMPROVED, verdict.difference, threshold


def _later_improved(ctx: RuleContext, rule: Rule, forms: list[FormRow], baseline: FormRow,
                    window, after: FormRow):
    """(form, change, threshold) for the first form in ``window`` (days from the baseline)
    after ``after``, if it improved on the baseline by the threshold; else None."""
    form = _first_in(forms, baseline.date, window, after=after)
    if form is None:
        return None
    ok, change, threshold = _improved(ctx, rule, baseline, form)
    return (form, change, threshold) if ok else None


def _measured(facts: Facts, rule: Rule) -> Iterator[tuple[EpisodeRow, list[FormRow], dt.date]]:
    """Journeys with forms of the rule's instrument (and item) and a start date."""
    for episode in facts.episodes.values():
        forms = facts.forms.get((episode.id, rule.instrument, rule.item))
        start = start_of(facts, episode, rule.start)
        if forms and start is not None:
            yield episode, forms, start


def measure_change(outcome: Outcome, facts: Facts, ctx: RuleContext) -> Iterator[Achievement]:
    """Own baseline in its window, first follow-up in its window improved by the threshold
    (and, if ``sustained``, the first form in that later window still improved)."""
    rule = outcome.rule
    for episode, forms, start in _measured(facts, rule):
        baseline = _first_in(forms, start, rule.baseline)
        if baseline is None:
            continue
        found = _later_improved(ctx, rule, forms, baseline, rule.follow_up, after=baseline)
        if found is None:
            continue
        follow, change, threshold = found
        evidence: dict[str, Any] = {
            "instrument": rule.instrument, "item": rule.item, "start": _anchor(rule, start),
            "baseline": _form(baseline), "follow_up": _form(follow), "change": change,
            "threshold": threshold,
        }
        achieved = follow.date
        if rule.sustained is not None:
            kept = _later_improved(ctx, rule, forms, baseline, rule.sustained, after=follow)
            if kept is None:
                continue
            later, later_change, _ = kept
            evidence["sustained"] = _form(later)
            evidence["sustained_change"] = later_change
            achieved = later.date
        yield Achievement(outcome.id, episode.person_id, episode.id,
                          f"{outcome.id}:{episode.id}", achieved, evidence)


def measure_level(outcome: Outcome, facts: Facts, ctx: RuleContext) -> Iterator[Achievement]:
    """The first form in the window (days from the start) is at or above (below) the level."""
    rule = outcome.rule
    for episode, forms, start in _measured(facts, rule):
        form = _first_in(forms, start, rule.follow_up)
        if form is None:
            continue
        if rule.at_least is not None and form.value < rule.at_least:
            continue
        if rule.at_most is not None and form.value > rule.at_most:
            continue
        yield Achievement(
            outcome.id, episode.person_id, episode.id, f"{outcome.id}:{episode.id}", form.date,
            {"instrument": rule.instrument, "item": rule.item, "start": _anchor(rule, start),
             "follow_up": _form(form), "at_least": rule.at_least, "at_most": rule.at_most},
        )


# --- goals, journey, external ---------------------------------------------------------------


def goals(outcome: Outcome, facts: Facts, ctx: RuleContext) -> Iterator[Achievement]:
    """Every ``count`` goals reaching a counted status (by their status date) is one unit."""
    rule = outcome.rule
    for episode in facts.episodes.values():
        start = start_of(facts, episode, rule.start) if rule.within_days is not None else None
        counted = [
            g for g in facts.goals.get(episode.id, ())
            if g.status in rule.statuses and g.date is not None
            and (not rule.categories or g.category in rule.categories)
            and (rule.within_days is None
                 or (start is not None and 0 <= (g.date - start).days <= rule.within_days))
        ]
        for unit in range(1, len(counted) // rule.count + 1):
            used = counted[(unit - 1) * rule.count: unit * rule.count]
            yield Achievement(
                outcome.id, episode.person_id, episode.id, f"{outcome.id}:{episode.id}:{unit}",
                used[-1].date,  # type: ignore[arg-type]
                {"goals": [{"id": g.id, "date": iso(g.date), "category": g.category,
                            "status": g.status} for g in used]},
            )


def journey(outcome: Outcome, facts: Facts, ctx: RuleContext) -> Iterator[Achievement]:
    """A planned exit (one of ``exit_reasons``) at least ``min_months`` after the start."""
    rule = outcome.rule
    for episode in facts.episodes.values():
        if episode.exit_date is None or episode.exit_reason not in rule.exit_reasons:
            continue
        start = start_of(facts, episode, rule.start)
        if start is None or episode.exit_date < add_months(start, rule.min_months):
            continue
        yield Achievement(
            outcome.id, episode.person_id, episode.id, f"{outcome.id}:{episode.id}",
            episode.exit_date,
            {"start": _anchor(rule, start),
             "exit": {"date": iso(episode.exit_date), "reason": episode.exit_reason},
             "min_months": rule.min_months},
        )


def external(outcome: Outcome, facts: Facts, ctx: RuleContext) -> Iterator[Achievement]:
    """The commissioner's imported per-person result says achieved, on its date."""
    rule = outcome.rule
    for result in facts.external.get(outcome.id, ()):
        if not result.achieved or result.achieved_on is None:
            continue
        if result.value is not None and (
            (rule.min_value is not None and result.value < rule.min_value)
            or (rule.max_value is not None and result.value > rule.max_value)
        ):
            continue
        journeys = [e for e in facts.episodes_of(result.person_id)
                    if e.referral_date <= result.achieved_on] or facts.episodes_of(result.person_id)
        if not journeys:
            continue
        yield Achievement(
            outcome.id, result.person_id, journeys[-1].id, f"{outcome.id}:{result.person_id}",
            result.achieved_on,
            {"external": {"id": result.id, "value": result.value, "source": result.source,
                          "date": iso(result.achieved_on)}},
        )


EVALUATORS: dict[str, Callable[[Outcome, Facts, RuleContext], Iterator[Achievement]]] = {
    "engagement": engagement,
    "measure_change": measure_change,
    "measure_level": measure_level,
    "goals": goals,
    "journey": journey,
    "external": external,
}


def achievements(outcome: Outcome, facts: Facts, ctx: RuleContext) -> list[Achievement]:
    return list(EVALUATORS[outcome.rule.kind](outcome, facts, ctx))
