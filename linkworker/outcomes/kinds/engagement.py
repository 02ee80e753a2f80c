"""engagement: at least ``contacts`` attended contacts within ``within_days`` of the start."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from linkworker.models import CONTACT_MODES
from linkworker.outcomes.evidence_words import day_text, ref, words
from linkworker.outcomes.kinds import Needs, Rule, RuleKind, register
from linkworker.outcomes.rules import Achievement, anchor_evidence, iso, start_of

if TYPE_CHECKING:
    from linkworker.outcomes.contract import Outcome
    from linkworker.outcomes.facts import Attended, Facts
    from linkworker.outcomes.fields import Fields
    from linkworker.outcomes.rules import RuleContext


@dataclass(frozen=True)
class EngagementRule(Rule):
    contacts: int = 1
    within_days: int = 0
    modes: tuple[str, ...] = ()
    purposes: tuple[str, ...] = ()


def _evidence(start_from: str, start: dt.date, contacts: Attended,
              used: list[int]) -> dict[str, Any]:
    return {"start": anchor_evidence(start_from, start),
            "contacts": [{"id": c.id, "date": iso(c.date), "mode": c.mode}
                         for c in (contacts[n] for n in used)]}


def _first_within(rule: EngagementRule, contacts: Attended, start: dt.date,
                  end: dt.date) -> list[int]:
    """The positions of the first ``rule.contacts`` contacts from ``start`` to ``end`` (both
    counted) of the modes and purposes the rule asks for: the search starts at ``start`` and
    stops at the window's end or the K-th contact."""
    dates, used = contacts.dates, []
    for n in range(bisect_left(dates, start), len(dates)):
        if dates[n] > end:
            break
        if ((not rule.modes or contacts.mode(n) in rule.modes)
                and (not rule.purposes or contacts.purpose(n) in rule.purposes)):
            used.append(n)
            if len(used) == rule.contacts:
                break
    return used


@register
class Engagement(RuleKind):
    name, order = "engagement", 1

    def parse(self, f: Fields, start: str, instruments: frozenset[str] | None) -> Rule:
        return EngagementRule(
            self.name, start, contacts=f.whole("contacts", default=1, low=1) or 1,
            within_days=f.whole("within_days", required=True) or 0,
            modes=f.texts("modes", allowed=CONTACT_MODES), purposes=f.texts("purposes"))

    def needs(self, rule: EngagementRule) -> Needs:
        return Needs(contact_days=rule.within_days)

    def evaluate(self, outcome: Outcome, facts: Facts, ctx: RuleContext
                 ) -> Iterator[Achievement]:
        """The first ``contacts`` attended contacts from the start to ``within_days`` after it
        (both ends counted); only those contacts are made into rows, for the evidence."""
        rule: EngagementRule = outcome.rule  # type: ignore[assignment]
        span = dt.timedelta(days=rule.within_days)
        for episode in facts.episodes.values():
            contacts = facts.contacts.get(episode.id)
            if not contacts:
                continue
            start = start_of(facts, episode, rule.start)
            if start is None:
                continue
            used = _first_within(rule, contacts, start, start + span)
            if len(used) < rule.contacts:
                continue
            yield Achievement(
                outcome.id, episode.person_id, episode.id, f"{outcome.id}:{episode.id}",
                contacts.dates[used[-1]],
                partial(_evidence, rule.start, start, contacts, used))

    def evidence_parts(self, evidence: dict[str, Any], ids: bool) -> list[str]:
        parts = []
        for c in evidence.get("contacts", ()):
            mode = f" ({words(c.get('mode'))})" if not ids and c.get("mode") else ""
            parts.append(f"contact {day_text(c['date'])}{mode}" + ref(c, ids))
        return parts
