"""measure_change and measure_level: the person's own wellbeing forms against the contract.

Both read complete forms of one instrument (or one item of it) and share the window rules in
``linkworker.outcomes.rules``: the *first* complete form in a window counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from linkworker.outcomes.evidence_words import form_text
from linkworker.outcomes.fields import Window
from linkworker.outcomes.kinds import Needs, Rule, RuleKind, register
from linkworker.outcomes.rules import (
    Achievement,
    anchor_evidence,
    first_in,
    window_dates,
)
from linkworker.validation import format_date
from linkworker.wellbeing.scoring import Direction, classify_change

if TYPE_CHECKING:
    from linkworker.outcomes.contract import Outcome
    from linkworker.outcomes.facts import EpisodeRow, Facts, FormRow
    from linkworker.outcomes.fields import Fields
    from linkworker.outcomes.quality import Collector
    from linkworker.outcomes.rules import RuleContext


@dataclass(frozen=True)
class MeasureRule(Rule):
    instrument: str = ""
    item: str | None = None
    follow_up: Window = Window(0, 0)
    # measure_change
    baseline: Window = Window(0, 0)
    min_change: float | None = None
    sustained: Window | None = None
    # measure_level
    at_least: float | None = None
    at_most: float | None = None


def _form(form: FormRow) -> dict[str, Any]:
    return {"id": form.id, "date": form.date.isoformat(), "score": form.value}


def _measured(facts: Facts, rule: MeasureRule
              ) -> Iterator[tuple[EpisodeRow, list[FormRow], dt.date]]:
    """Journeys with forms of the rule's instrument (and item) and a start date."""
    key = (rule.instrument, rule.item)
    for episode in facts.episodes.values():
        forms = facts.forms.get((episode.id, *key))
        if not forms:  # most journeys: no start date worked out for them
            continue
        start = facts.anchor(episode, rule.start)
        if start is not None:
            yield episode, forms, start


class _Measure(RuleKind):
    def _instrument(self, f: Fields, instruments: frozenset[str] | None) -> dict[str, Any]:
        instrument = f.text("instrument", required=True).upper()
        if instrument and instruments is not None and instrument not in instruments:
            f.problem("instrument", f"{instrument!r} is not an instrument this caseload knows")
        return {"instrument": instrument, "item": f.text("item") or None}

    def needs(self, rule: MeasureRule) -> Needs:
        return Needs(forms=frozenset({(rule.instrument, rule.item)}))


@register
class MeasureChange(_Measure):
    name, order = "measure_change", 2
    indigo_validation = "Pre-Post analysis"
    issue_labels = {"missing_baseline": "Missing baseline",
                    "follow_up_outside_window": "Follow-up outside its window"}

    def parse(self, f: Fields, start: str, instruments: frozenset[str] | None) -> Rule:
        values = self._instrument(f, instruments)
        baseline = f.window("baseline", required=True, anchored=True)
        follow = f.window("follow_up", required=True)
        sustained = f.window("sustained")
        if sustained and follow and sustained.min <= follow.max:
            f.problem("sustained.min", "must be after the follow_up window ends")
        return MeasureRule(self.name, start, baseline=baseline or Window(0, 0),
                           follow_up=follow or Window(0, 0),
                           min_change=f.number("min_change", positive=True),
                           sustained=sustained, **values)

    @staticmethod
    def _improved_later(ctx: RuleContext, rule: MeasureRule, forms: list[FormRow],
                        baseline: FormRow, window: Window, after: FormRow):
        """(form, change, threshold) for the first form in ``window`` (days from the
        baseline) after ``after``, if it improved on the baseline by the threshold."""
        form = first_in(forms, baseline.date, window, after=after)
        if form is None:
            return None
        instrument = ctx.instruments[rule.instrument]
        threshold = rule.min_change or ctx.thresholds[rule.instrument]
        verdict = classify_change(instrument, baseline.value, form.value, threshold=threshold,
                                  item=rule.item)
        if verdict.direction != Direction.IMPROVED:
            return None
        return form, verdict.difference, threshold

    def _improved(self, ctx: RuleContext, rule: MeasureRule, facts: Facts,
                  episode: EpisodeRow, forms: list[FormRow], start: dt.date
                  ) -> tuple[FormRow | None, tuple[FormRow, float, float] | None]:
        """(baseline, (follow-up, change, threshold)) of one journey; None for what is not
        there (no baseline in its window; no improved follow-up)."""
        bounds = window_dates(facts, episode, rule.baseline, start)
        baseline = first_in(forms, start, rule.baseline, bounds=bounds) if bounds else None
        if baseline is None:
            return None, None
        return baseline, self._improved_later(ctx, rule, forms, baseline, rule.follow_up,
                                              baseline)

    def evaluate(self, outcome: Outcome, facts: Facts, ctx: RuleContext
                 ) -> Iterator[Achievement]:
        """Own baseline in its window, first follow-up in its window improved by the
        threshold (and, if ``sustained``, the first form in that later window still)."""
        rule: MeasureRule = outcome.rule  # type: ignore[assignment]
        # A change and the same change sustained (WB1, WB2) share their baseline and first
        # follow-up: worked out once per journey for every outcome with the same windows.
        shared = facts.shared.setdefault(
            ("measure_change", rule.instrument, rule.item, rule.start, rule.baseline,
             rule.follow_up, rule.min_change or ctx.thresholds.get(rule.instrument)), {})
        for episode, forms, start in _measured(facts, rule):
            try:
                baseline, found = shared[episode.id]
            except KeyError:
                baseline, found = shared[episode.id] = self._improved(ctx, rule, facts,
                                                                      episode, forms, start)
            if found is None:
                continue
            follow, change, threshold = found
            evidence: dict[str, Any] = {
                "instrument": rule.instrument, "item": rule.item,
                "start": anchor_evidence(rule.start, start), "baseline": _form(baseline),
                "follow_up": _form(follow), "change": change, "threshold": threshold,
            }
            achieved = follow.date
            if rule.sustained is not None:
                kept = self._improved_later(ctx, rule, forms, baseline, rule.sustained, follow)
                if kept is None:
                    continue
                later, later_change, _ = kept
                evidence["sustained"] = _form(later)
                evidence["sustained_change"] = later_change
                achieved = later.date
            yield Achievement(outcome.id, episode.person_id, episode.id,
                              f"{outcome.id}:{episode.id}", achieved, evidence)

    def check(self, issues: Collector, outcome: Outcome, episode: EpisodeRow,
              as_of: dt.date) -> None:
        """A baseline window closed with no baseline; a follow-up only outside its window."""
        rule: MeasureRule = outcome.rule  # type: ignore[assignment]
        facts = issues.facts
        start = facts.anchor(episode, rule.start)
        bounds = window_dates(facts, episode, rule.baseline, start) if start else None
        if bounds is None:
            return
        opens, closes = bounds
        forms = facts.forms.get((episode.id, rule.instrument, rule.item), [])
        baseline = next((f for f in forms if opens <= f.date <= closes), None)
        if baseline is None:
            if closes < as_of:
                issues.add("missing_baseline", "weakens", episode,
                           f"No complete {rule.instrument} baseline between "
                           f"{format_date(opens)} and {format_date(closes)}.")
            return
        later = [f for f in forms if f.date > baseline.date]
        in_window = [f for f in later
                     if rule.follow_up.contains((f.date - baseline.date).days)]
        follow_closes = baseline.date + dt.timedelta(days=rule.follow_up.max)
        if later and not in_window and follow_closes < as_of:
            days = (later[0].date - baseline.date).days
            issues.add("follow_up_outside_window", "blocks", episode,
                       f"{rule.instrument} follow-up on {format_date(later[0].date)} is {days} "
                       f"days after the baseline; the window is {rule.follow_up.min} to "
                       f"{rule.follow_up.max} days.")

    def check_key(self, rule: MeasureRule) -> tuple:
        return rule.instrument, rule.item, rule.start, rule.baseline, rule.follow_up

    def evidence_parts(self, evidence: dict[str, Any], ids: bool) -> list[str]:
        parts = [form_text(f"{evidence['instrument']} baseline", evidence["baseline"], ids),
                 form_text("follow-up", evidence["follow_up"], ids),
                 f"change {evidence['change']:+g}"]
        if "sustained" in evidence:
            parts += [form_text("sustained", evidence["sustained"], ids),
                      f"change {evidence['sustained_change']:+g}"]
        return parts


@register
class MeasureLevel(_Measure):
    name, order = "measure_level", 3

    def parse(self, f: Fields, start: str, instruments: frozenset[str] | None) -> Rule:
        values = self._instrument(f, instruments)
        follow = f.window("follow_up", required=True)
        at_least, at_most = f.number("at_least"), f.number("at_most")
        if (at_least is None) == (at_most is None):
            f.problem("at_least", "give exactly one of at_least or at_most")
        return MeasureRule(self.name, start, follow_up=follow or Window(0, 0),
                           at_least=at_least, at_most=at_most, **values)

    def evaluate(self, outcome: Outcome, facts: Facts, ctx: RuleContext
                 ) -> Iterator[Achievement]:
        """The first form in the window (days from the start) is at or above (below) it."""
        rule: MeasureRule = outcome.rule  # type: ignore[assignment]
        for episode, forms, start in _measured(facts, rule):
            form = first_in(forms, start, rule.follow_up)
            if form is None:
                continue
            if rule.at_least is not None and form.value < rule.at_least:
                continue
            if rule.at_most is not None and form.value > rule.at_most:
                continue
            yield Achievement(
                outcome.id, episode.person_id, episode.id, f"{outcome.id}:{episode.id}",
                form.date,
                {"instrument": rule.instrument, "item": rule.item,
                 "start": anchor_evidence(rule.start, start), "follow_up": _form(form),
                 "at_least": rule.at_least, "at_most": rule.at_most},
            )

    def evidence_parts(self, evidence: dict[str, Any], ids: bool) -> list[str]:
        return [form_text(f"{evidence['instrument']} follow-up", evidence["follow_up"], ids)]
