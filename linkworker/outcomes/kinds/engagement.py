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
from linkworker.outcomes.rules import Achievement, anchor_evidence, iso

if TYPE_CHECKING:
    from linkworker.outcomes.contract import Outcome
    from linkworker.outcomes.dialect import SqlWords
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


def _sql_evidence(start_from: str, start: dt.date, used: list[str]) -> dict[str, Any]:
    """``_evidence`` from ``_COLUMN``'s text: each used contact is "date<US>id<US>mode"."""
    contacts = []
    for contact in used:
        day, contact_id, mode = contact.split(_UNIT)
        contacts.append({"id": contact_id, "date": day, "mode": mode})
    return {"start": anchor_evidence(start_from, start), "contacts": contacts}


# The date each rule's days count from, as ``Facts.anchor`` works it out, for journey ``e``.
_FIRST_ATTENDED = ("(SELECT MIN(c.contact_date) FROM contacts c"
                   " WHERE c.episode_id = e.id AND c.status = 'attended')")
_ANCHOR_SQL = {"referral": "e.referral_date",
               "first_meeting": f"COALESCE(e.first_meeting_date, {_FIRST_ATTENDED})",
               "first_attended_contact": _FIRST_ATTENDED}
_UNIT, _RECORD = "\x1f", "\x1e"  # separators no date, id or mode code holds
# Bound once for every engagement column (as parameters: SQLite and PostgreSQL name the
# character function differently).
_SEPARATORS = {"unit_sep": _UNIT, "record_sep": _RECORD}
# Journey ``e``'s first ``:k`` attended contacts (date, then id, as ``evaluate`` meets them)
# from its start to ``:days`` after it, as one text ("date<US>id<US>mode" joined by <RS>), from
# ix_contacts_attended (episode, date, ...). ``words`` (``outcomes.dialect``) spells the date
# arithmetic, the ordered join and the date as ISO text for the engine.
_COLUMN = """(
        SELECT {w.join_texts}({day_text} || :unit_sep || c.id || :unit_sep || c.mode,
                              :record_sep ORDER BY c.contact_date, c.id)
        FROM (SELECT c.contact_date, c.id, c.mode FROM contacts c
              WHERE c.episode_id = e.id AND c.status = 'attended'
                AND c.contact_date >= {start}
                AND c.contact_date <= {end}{only}
              ORDER BY c.contact_date, c.id LIMIT :{n}k) c)"""


def _only(column: str, name: str, values: tuple[str, ...]) -> tuple[str, dict[str, Any]]:
    """`` AND c.<column> IN (...)`` for a rule's modes or purposes (nothing if none)."""
    if not values:
        return "", {}
    params = {f"{name}{n}": value for n, value in enumerate(values)}
    return f" AND c.{column} IN (" + ", ".join(f":{key}" for key in params) + ")", params


@register
class Engagement(RuleKind):
    name, order = "engagement", 1
    in_sql = True

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
            start = facts.anchor(episode, rule.start)
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

    def sql_column(self, outcome: Outcome, n: int, words: SqlWords
                   ) -> tuple[str, dict[str, Any]]:
        """The first ``contacts`` attended contacts in the window, as ``evaluate`` finds them,
        worked out by the database from the index: the return never holds a contract's
        contacts (~36,000 at 50,000 people) as Python rows."""
        rule: EngagementRule = outcome.rule  # type: ignore[assignment]
        modes, by_mode = _only("mode", f"o{n}mode", rule.modes)
        purposes, by_purpose = _only("purpose", f"o{n}purpose", rule.purposes)
        start = _ANCHOR_SQL[rule.start]
        sql = _COLUMN.format(w=words, day_text=words.as_text("c.contact_date"), start=start,
                             end=words.days_after(start, f":o{n}days"), n=f"o{n}",
                             only=modes + purposes)
        return sql, {f"o{n}days": rule.within_days, f"o{n}k": rule.contacts, **by_mode,
                     **by_purpose, **_SEPARATORS}

    def from_sql(self, outcome: Outcome, facts: Facts, found: dict[str, Any]
                 ) -> Iterator[Achievement]:
        rule: EngagementRule = outcome.rule  # type: ignore[assignment]
        days: dict[str, dt.date] = {}
        wanted, start_from, oid = rule.contacts, rule.start, outcome.id
        for episode in facts.episodes.values():  # their stored order, as ``evaluate``
            text = found.get(episode.id)
            if not text:
                continue
            used = text.split(_RECORD)
            if len(used) < wanted:
                continue
            last = used[-1][:10]
            achieved = days.get(last) or days.setdefault(last, dt.date.fromisoformat(last))
            # The start, not the facts: an achievement that held them would make a cycle
            # (facts -> found -> achievement), left for the collector instead of freed.
            start = facts.anchor(episode, start_from)
            yield Achievement(oid, episode.person_id, episode.id, f"{oid}:{episode.id}",
                              achieved, partial(_sql_evidence, start_from, start, used))

    def evidence_parts(self, evidence: dict[str, Any], ids: bool) -> list[str]:
        parts = []
        for c in evidence.get("contacts", ()):
            mode = f" ({words(c.get('mode'))})" if not ids and c.get("mode") else ""
            parts.append(f"contact {day_text(c['date'])}{mode}" + ref(c, ids))
        return parts
