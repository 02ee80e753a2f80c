"""journey: a planned exit (one of ``exit_reasons``) at least ``min_months`` after the start."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from linkworker.codes import EXIT_REASONS
from linkworker.dates import add_months
from linkworker.outcomes.evidence_words import day_text, words
from linkworker.outcomes.kinds import Rule, RuleKind, register
from linkworker.outcomes.rules import Achievement, anchor_evidence, iso

if TYPE_CHECKING:
    import datetime as dt

    from linkworker.outcomes.contract import Outcome
    from linkworker.outcomes.facts import EpisodeRow, Facts
    from linkworker.outcomes.fields import Fields
    from linkworker.outcomes.rules import RuleContext

PLANNED_EXITS = ("goals_met", "stepped_down", "referred_on")


@dataclass(frozen=True)
class JourneyRule(Rule):
    min_months: int = 0
    exit_reasons: tuple[str, ...] = PLANNED_EXITS


def _evidence(rule: JourneyRule, start: dt.date, episode: EpisodeRow) -> dict[str, Any]:
    return {"start": anchor_evidence(rule.start, start),
            "exit": {"date": iso(episode.exit_date), "reason": episode.exit_reason},
            "min_months": rule.min_months}


@register
class Journey(RuleKind):
    name, order = "journey", 5

    def parse(self, f: Fields, start: str, instruments: frozenset[str] | None) -> Rule:
        return JourneyRule(
            self.name, start, min_months=f.whole("min_months", required=True) or 0,
            exit_reasons=f.texts("exit_reasons", allowed=tuple(EXIT_REASONS)) or PLANNED_EXITS)

    def evaluate(self, outcome: Outcome, facts: Facts, ctx: RuleContext
                 ) -> Iterator[Achievement]:
        rule: JourneyRule = outcome.rule  # type: ignore[assignment]
        for episode in facts.episodes.values():
            if episode.exit_date is None or episode.exit_reason not in rule.exit_reasons:
                continue
            start = facts.anchor(episode, rule.start)
            if start is None or episode.exit_date < add_months(start, rule.min_months):
                continue
            yield Achievement(
                outcome.id, episode.person_id, episode.id, f"{outcome.id}:{episode.id}",
                episode.exit_date, partial(_evidence, rule, start, episode))

    def evidence_parts(self, evidence: dict[str, Any], ids: bool) -> list[str]:
        exit_ = evidence["exit"]
        return [f"exit {day_text(exit_['date'])} ({words(exit_['reason'])})"]
