"""Data quality before money: what would block or weaken a claim, each with its record.

"Blocks" means LinkWorker will not claim for that person (or that outcome) until the record is
fixed; "weakens" means a claim may be missed or be questioned by the commissioner. Each issue
names the person (their internal id, to open the record in the app, and the pseudonym used in
exports) and says what is wrong in words a manager can act on, without personal details.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from linkworker.outcomes.contract import ContractDef
from linkworker.outcomes.eligibility import (
    ELIGIBLE,
    Verdict,
    check_eligibility,
    missing_consents,
)
from linkworker.outcomes.facts import EpisodeRow, Facts, FormRow
from linkworker.outcomes.kinds import RuleKind, issue_labels, kind_of
from linkworker.validation import format_date

if TYPE_CHECKING:
    from linkworker.outcomes.contract import Outcome

BLOCKS, WEAKENS = "blocks", "weakens"

ISSUE_LABELS = {  # the rule kinds add their own (RuleKind.issue_labels)
    "ineligible": "Ineligible person",
    "eligibility_unknown": "Eligibility cannot be confirmed",
    "missing_consent": "Missing consent",
    "incomplete_form": "Incomplete form",
    "future_date": "Date in the future",
    "exit_without_reason": "Exit without a reason",
}


def issue_label(code: str) -> str:
    """A code's words: a rule kind's own label first, then the shared ones."""
    return issue_labels().get(code) or ISSUE_LABELS.get(code, code)


@dataclass(frozen=True)
class Issue:
    code: str
    severity: str
    person_id: str
    episode_id: str | None
    reference: str
    message: str

    @property
    def label(self) -> str:
        return issue_label(self.code)


class Collector:
    """Issues found so far; the same issue twice (two outcomes, one instrument) counts once."""

    def __init__(self, facts: Facts) -> None:
        self.facts, self.issues = facts, []
        self._seen: set[tuple[str, str, str]] = set()

    def add(self, code: str, severity: str, episode: EpisodeRow, message: str) -> None:
        if (code, episode.id, message) in self._seen:
            return
        self._seen.add((code, episode.id, message))
        person = self.facts.people[episode.person_id]
        self.issues.append(
            Issue(code, severity, person.id, episode.id, person.reference, message)
        )


def _eligibility_and_consent(c: Collector, cdef: ContractDef, episode: EpisodeRow,
                             as_of: dt.date, verdict: Verdict) -> None:
    if verdict.status != ELIGIBLE:
        code = "ineligible" if verdict.status == "ineligible" else "eligibility_unknown"
        c.add(code, BLOCKS, episode, verdict.reason.capitalize() + ".")
    missing = missing_consents(cdef, c.facts, episode.person_id, as_of)
    if missing:
        c.add("missing_consent", BLOCKS, episode,
              "No valid consent recorded for: " + ", ".join(missing) + ".")


def _checks(cdef: ContractDef) -> list[tuple[RuleKind, Outcome]]:
    """The outcomes whose kind checks journeys, each distinct check once: two outcomes on the
    same forms and windows (a change, and the same change sustained) find the same issues,
    which the collector would only drop as repeats."""
    found: dict[tuple[str, Hashable], tuple[RuleKind, Outcome]] = {}
    for outcome in cdef.outcomes:
        kind = kind_of(outcome.rule.kind)
        if type(kind).check is not RuleKind.check:
            found.setdefault((kind.name, kind.check_key(outcome.rule)), (kind, outcome))
    return list(found.values())


def _dates(c: Collector, episode: EpisodeRow, as_of: dt.date) -> None:
    for label, day in (("first meeting", episode.first_meeting_date),
                       ("exit", episode.exit_date), ("referral", episode.referral_date)):
        if day is not None and day > as_of:
            c.add("future_date", BLOCKS, episode, f"The {label} date {format_date(day)} is in "
                  "the future.")
    if episode.exit_date is not None and not episode.exit_reason:
        c.add("exit_without_reason", WEAKENS, episode,
              f"Exited on {format_date(episode.exit_date)} with no reason recorded.")
    for goal in c.facts.goals.get(episode.id, ()):
        if goal.date is not None and goal.date > as_of:
            c.add("future_date", BLOCKS, episode,
                  f"A goal's status date {format_date(goal.date)} is in the future.")


def future_forms(facts: Facts, wanted: set[str], as_of: dt.date
                 ) -> list[tuple[tuple[str, str, str | None], FormRow]]:
    """The forms dated after ``as_of`` on the ``wanted`` journeys, in the order of each form
    list's key as text (an item may be None, so the keys do not compare as tuples), each
    list's forms in their order. Only the few future forms are sorted: sorting every list by
    its whole text (the key and each form) cost more than the rest of these checks."""
    future = [(repr(key), key, form) for key, forms in facts.forms.items() if key[0] in wanted
              for form in forms if form.date > as_of]
    future.sort(key=lambda found: found[0])  # stable: a list's forms keep their order
    return [(key, form) for _text, key, form in future]


def find_issues(cdef: ContractDef, facts: Facts, *, period_end: dt.date,
                as_of: dt.date, verdicts: dict[str, Verdict] | None = None) -> list[Issue]:
    """Every issue on the contract's journeys referred by the end of the period (``verdicts``:
    eligibility already worked out for the return, so it is not worked out twice)."""
    c = Collector(facts)
    episodes = sorted(
        (e for e in facts.episodes.values() if e.referral_date <= period_end),
        key=lambda e: (facts.people[e.person_id].reference, e.number),
    )
    wanted = {e.id for e in episodes}
    checks = _checks(cdef)
    for episode in episodes:
        if facts.people[episode.person_id].erased:
            continue
        verdict = (verdicts or {}).get(episode.id) or check_eligibility(cdef, facts, episode)
        _eligibility_and_consent(c, cdef, episode, as_of, verdict)
        for kind, outcome in checks:
            kind.check(c, outcome, episode, as_of)
        _dates(c, episode, as_of)
    by_id = facts.episodes
    for episode_id, day in sorted(facts.future_contacts):
        if episode_id in wanted:
            c.add("future_date", BLOCKS, by_id[episode_id],
                  f"A contact dated {format_date(day)} is marked attended but is in the future.")
    for (episode_id, instrument, _item), form in future_forms(facts, wanted, as_of):
        c.add("future_date", BLOCKS, by_id[episode_id],
              f"The {instrument} form of {format_date(form.date)} is dated in the future.")
    for episode_id, _measure, day, instrument in sorted(facts.incomplete_forms):
        if episode_id in wanted:
            c.add("incomplete_form", WEAKENS, by_id[episode_id],
                  f"The {instrument} form of {format_date(day)} has unanswered items, so it has "
                  "no score.")
    return c.issues
