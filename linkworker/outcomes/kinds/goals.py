"""goals: every ``count`` goals reaching a counted status (by their status date) is one unit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from linkworker.models import GOAL_CATEGORIES, GOAL_STATUSES
from linkworker.outcomes.evidence_words import day_text, ref, words
from linkworker.outcomes.kinds import Needs, Rule, RuleKind, register
from linkworker.outcomes.rules import Achievement, iso

if TYPE_CHECKING:
    from linkworker.outcomes.contract import Outcome
    from linkworker.outcomes.facts import EpisodeRow, Facts
    from linkworker.outcomes.fields import Fields
    from linkworker.outcomes.quality import Collector
    from linkworker.outcomes.rules import RuleContext


@dataclass(frozen=True)
class GoalsRule(Rule):
    count: int = 1
    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ("achieved",)
    within_days: int | None = None


def _evidence(used: list) -> dict[str, Any]:  # built only for a claim (``Achievement``)
    return {"goals": [{"id": g.id, "date": iso(g.date), "category": g.category,
                       "status": g.status} for g in used]}


@register
class Goals(RuleKind):
    name, order = "goals", 4
    issue_labels = {"goal_without_date": "Goal outcome without a date"}

    def parse(self, f: Fields, start: str, instruments: frozenset[str] | None) -> Rule:
        return GoalsRule(
            self.name, start, count=f.whole("count", default=1, low=1) or 1,
            categories=f.texts("categories", allowed=GOAL_CATEGORIES),
            statuses=f.texts("statuses", allowed=GOAL_STATUSES) or ("achieved",),
            within_days=f.whole("within_days"))

    def needs(self, rule: GoalsRule) -> Needs:
        return Needs(goals=True)

    def evaluate(self, outcome: Outcome, facts: Facts, ctx: RuleContext
                 ) -> Iterator[Achievement]:
        rule: GoalsRule = outcome.rule  # type: ignore[assignment]
        for episode in facts.episodes.values():
            goals = facts.goals.get(episode.id)
            if not goals:
                continue
            start = facts.anchor(episode, rule.start) if rule.within_days is not None else None
            counted = [
                g for g in goals
                if g.status in rule.statuses and g.date is not None
                and (not rule.categories or g.category in rule.categories)
                and (rule.within_days is None
                     or (start is not None and 0 <= (g.date - start).days <= rule.within_days))
            ]
            for unit in range(1, len(counted) // rule.count + 1):
                used = counted[(unit - 1) * rule.count: unit * rule.count]
                yield Achievement(
                    outcome.id, episode.person_id, episode.id,
                    f"{outcome.id}:{episode.id}:{unit}", used[-1].date,  # type: ignore[arg-type]
                    partial(_evidence, used))

    def check(self, issues: Collector, outcome: Outcome, episode: EpisodeRow,
              as_of: dt.date) -> None:
        for goal in issues.facts.goals.get(episode.id, ()):
            if goal.status == "achieved" and goal.date is None:
                issues.add("goal_without_date", "blocks", episode,
                           "A goal is marked achieved with no date.")

    def evidence_parts(self, evidence: dict[str, Any], ids: bool) -> list[str]:
        return [f"goal {words(g['category'])} {g['status']} {day_text(g['date'])}" + ref(g, ids)
                for g in evidence.get("goals", ())]
