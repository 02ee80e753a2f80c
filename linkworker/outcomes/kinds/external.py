"""external: the commissioner's imported per-person result says achieved, on its date."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from linkworker.outcomes.evidence_words import day_text, ref, score
from linkworker.outcomes.kinds import Needs, Rule, RuleKind, register
from linkworker.outcomes.rules import Achievement, iso

if TYPE_CHECKING:
    from linkworker.outcomes.contract import Outcome
    from linkworker.outcomes.facts import Facts
    from linkworker.outcomes.fields import Fields
    from linkworker.outcomes.rules import RuleContext


@dataclass(frozen=True)
class ExternalRule(Rule):
    min_value: float | None = None
    max_value: float | None = None


@register
class External(RuleKind):
    name, order = "external", 6
    anchored = False
    indigo_validation = "Quasi-experimental study"

    def parse(self, f: Fields, start: str, instruments: frozenset[str] | None) -> Rule:
        return ExternalRule(self.name, start, min_value=f.number("min_value"),
                            max_value=f.number("max_value"))

    def needs(self, rule: ExternalRule) -> Needs:
        return Needs(external=True)

    def evaluate(self, outcome: Outcome, facts: Facts, ctx: RuleContext
                 ) -> Iterator[Achievement]:
        rule: ExternalRule = outcome.rule  # type: ignore[assignment]
        for result in facts.external.get(outcome.id, ()):
            if not result.achieved or result.achieved_on is None:
                continue
            if result.value is not None and (
                (rule.min_value is not None and result.value < rule.min_value)
                or (rule.max_value is not None and result.value > rule.max_value)
            ):
                continue
            mine = facts.episodes_of(result.person_id)
            journeys = [e for e in mine if e.referral_date <= result.achieved_on] or mine
            if not journeys:
                continue
            yield Achievement(
                outcome.id, result.person_id, journeys[-1].id,
                f"{outcome.id}:{result.person_id}", result.achieved_on,
                {"external": {"id": result.id, "value": result.value, "source": result.source,
                              "date": iso(result.achieved_on)}},
            )

    def evidence_parts(self, evidence: dict[str, Any], ids: bool) -> list[str]:
        ext = evidence["external"]
        value = "" if ext.get("value") is None else f" value {score(ext['value'])}"
        source = f" from {ext['source']}" if ext.get("source") else ""
        return [f"commissioner result {day_text(ext['date'])}{value}" + ref(ext, ids) + source]
