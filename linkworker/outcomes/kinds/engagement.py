"""engagement: at least ``contacts`` attended contacts within ``within_days`` of the start."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from itertools import islice
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from linkworker.models import CONTACT_MODES
from linkworker.outcomes.evidence_words import day_text, ref, words
from linkworker.outcomes.kinds import Needs, Rule, RuleKind, register
from linkworker.outcomes.rules import Achievement, anchor_evidence, iso, start_of

if TYPE_CHECKING:
    from linkworker.outcomes.contract import Outcome
    from linkworker.outcomes.facts import Facts
    from linkworker.outcomes.fields import Fields
    from linkworker.outcomes.rules import RuleContext

_day = attrgetter("date")


@dataclass(frozen=True)
class EngagementRule(Rule):
    contacts: int = 1
    within_days: int = 0
    modes: tuple[str, ...] = ()
    purposes: tuple[str, ...] = ()


def _evidence(start_from: str, start: dt.date, used: list) -> dict[str, Any]:
    return {"start": anchor_evidence(start_from, start),
            "contacts": [{"id": c.id, "date": iso(c.date), "mode": c.mode} for c in used]}


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
        (both ends counted). A journey's contacts are in date order, so the search starts at
        the start date and stops at the window's end or the K-th contact."""
        rule: EngagementRule = outcome.rule  # type: ignore[assignment]
        span = dt.timedelta(days=rule.within_days)
        for episode in facts.episodes.values():
            contacts = facts.contacts.get(episode.id)
            if not contacts:
                continue
            start = start_of(facts, episode, rule.start)
            if start is None:
                continue
            end, used = start + span, []
            for c in islice(contacts, bisect_left(contacts, start, key=_day), None):
                if c.date > end:
                    break
                if ((not rule.modes or c.mode in rule.modes)
                        and (not rule.purposes or c.purpose in rule.purposes)):
                    used.append(c)
                    if len(used) == rule.contacts:
                        break
            if len(used) < rule.contacts:
                continue
            yield Achievement(
                outcome.id, episode.person_id, episode.id, f"{outcome.id}:{episode.id}",
                used[-1].date, partial(_evidence, rule.start, start, used))

    def evidence_parts(self, evidence: dict[str, Any], ids: bool) -> list[str]:
        parts = []
        for c in evidence.get("contacts", ()):
            mode = f" ({words(c.get('mode'))})" if not ids and c.get("mode") else ""
            parts.append(f"contact {day_text(c['date'])}{mode}" + ref(c, ids))
        return parts
