"""Building a return: from a contract and a period to claim rows, caps applied, ready to export.

The order of work, and so of the rules a commissioner can check by hand:

1. Every rule finds its achievements (``linkworker.outcomes.rules``).
2. Screening, per achievement: achieved after the period -> left for a later return (not
   listed); already in the claims ledger -> never again (reversed or not); the same
   achievement (key) found again after one kept -> not again; dated after today, outside the
   contract dates, person erased, journey ineligible (or eligibility unknown), required consent
   missing -> excluded with the reason; achieved before the period and never claimed -> claimed
   as a *late claim* (flagged) if the contract allows late claims, else excluded.
3. Ordering: achieved date, then pseudonymised id, then the outcome's order in the contract,
   then the achievement key. Caps are applied in this order, so regeneration is stable.
4. Caps, in this order: maximum units per person per outcome (counting earlier returns);
   participant cap (people with any claim, ever); per-person money cap; contract money cap. A
   count cap excludes the claim; a claim that would cross a money cap is skipped (the contract's
   ``caps.over_cap`` default; a later, smaller claim may still fit) or, with
   ``"pay_remainder"``, reduced to what is left (noted on the row). Pending adjustments count
   towards the money caps first.
5. The "Not claimed" list holds this return's own findings: an achievement dated inside a
   period already submitted was listed (or claimed) there and is not listed again.

The result is a ``ReturnDocument`` (``linkworker.returns.document``): typed, frozen, money in
``Decimal``, with who each line is about (person ids for the ledger and the screen) in private
fields that no snapshot or export can hold.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import replace
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from linkworker.access import Actor, require
from linkworker.codes import CONSENT_KINDS
from linkworker.errors import UserError
from linkworker.models import Contract, OutcomeReturn
from linkworker.outcomes.contract import Caps, ContractDef, Outcome
from linkworker.outcomes.eligibility import (
    ELIGIBLE,
    eligibility_verdicts,
    missing_consents,
    person_label,
)
from linkworker.outcomes.facts import Facts, load_facts, needs_of
from linkworker.outcomes.kinds import RuleKind, achievements, kinds
from linkworker.outcomes.quality import find_issues
from linkworker.outcomes.rules import Achievement, RuleContext
from linkworker.outcomes.store import definition_of, find_contract
from linkworker.returns.document import (
    DOCUMENT_FORMAT,
    CapsPosition,
    ClaimLine,
    ContractInfo,
    DataQualityItem,
    HistoryEntry,
    NotClaimed,
    OutcomeTerms,
    OutcomeTotal,
    PersonLink,
    ReturnDocument,
    Totals,
    WellbeingChange,
    WellbeingLine,
)
from linkworker.returns.equality import FOOTNOTE, breakdowns
from linkworker.returns.evidence import evidence_in_words
from linkworker.returns.ledger import Ledger, load_ledger, pending_adjustments, who
from linkworker.returns.money import ZERO, money, optional_money
from linkworker.returns.period import Period, parse_period
from linkworker.validation import format_money

Progress = Callable[[int, int, str], None]


def _context(session: Session, cdef: ContractDef) -> tuple[RuleContext, dict]:
    """Instruments and change thresholds for the forms the contract's rules read, and the item
    numbers of item-reported instruments (ONS4 "happy")."""
    from linkworker.wellbeing.store import change_thresholds, instrument_for

    instruments, thresholds, items = {}, {}, {}
    for code, item in sorted(needs_of(cdef).forms, key=str):
        inst = instrument_for(session, code)
        instruments[code] = inst
        thresholds[code] = change_thresholds(session, inst)[0]
        items[(code, item)] = inst.item(item).number if item else None
    return RuleContext(instruments, thresholds), items


class _Labels(dict):
    """Each person's label in this contract's returns, made when first needed: a pseudonym is
    an HMAC, and most of a contract's people appear on no line of a given return."""

    def __init__(self, cdef: ContractDef, key_hex: str, facts: Facts) -> None:
        super().__init__()
        self.cdef, self.key_hex, self.people = cdef, key_hex, facts.people

    def __missing__(self, person_id: str) -> str:
        self[person_id] = label = person_label(self.cdef, self.key_hex, self.people[person_id])
        return label


def _not_claimed(a: Achievement, label: str, reason: str) -> NotClaimed:
    return NotClaimed(label, a.outcome_id, a.achieved_on, reason, PersonLink(a.person_id))


def _screen(
    cdef: ContractDef, facts: Facts, found: list[Achievement], ledger: Ledger,
    period: Period, as_of: dt.date, label_of: Callable[[str], str], verdicts: dict,
) -> tuple[list[Achievement], list[NotClaimed]]:
    """Keep what may be claimed in this return; say why the rest of this period's may not."""
    keep: list[Achievement] = []
    excluded: list[NotClaimed] = []
    consent_day = min(as_of, period.end)
    gaps: dict[str, list[str]] = {}  # person -> consents missing on consent_day

    def exclude(a: Achievement, reason: str) -> None:
        excluded.append(_not_claimed(a, label_of(a.person_id), reason))

    def missing_for(person_id: str) -> list[str]:
        if person_id not in gaps:
            gaps[person_id] = missing_consents(cdef, facts, person_id, consent_day)
        return gaps[person_id]

    kept: set[str] = set()
    for a in found:
        if a.achieved_on > period.end:
            continue
        if a.key in ledger.keys:
            if period.contains(a.achieved_on):
                exclude(a, f"already claimed in the {ledger.keys[a.key]} return")
            continue
        if a.key in kept:  # one achievement found twice (a merged person's two commissioner
            continue       # results): claimed once
        verdict = verdicts.get(a.episode_id) if a.episode_id else None
        if a.achieved_on > as_of:
            exclude(a, "dated in the future")
        elif not cdef.start <= a.achieved_on <= cdef.end:
            exclude(a, "achieved outside the contract's dates")
        elif facts.people[a.person_id].erased:
            exclude(a, "the person's record has been erased")
        elif verdict is not None and verdict.status != ELIGIBLE:
            exclude(a, verdict.reason)
        elif missing := missing_for(a.person_id):
            exclude(a, "no consent in force for " + ", ".join(  # words, not codes
                f'"{CONSENT_KINDS.get(kind, kind)}"' for kind in missing))
        elif a.achieved_on < period.start and not cdef.late_claims:
            exclude(a, "achieved before this period; the contract does not allow late claims")
        else:
            keep.append(a)
            kept.add(a.key)
    return keep, excluded


class CapTally:
    """Running totals while claims are accepted one by one, in the deterministic order."""

    def __init__(self, cdef: ContractDef, ledger: Ledger) -> None:
        self.cdef = cdef
        self.units = Counter(ledger.units)
        self.people = set(ledger.people)
        self.person_amount: defaultdict[str, Decimal] = defaultdict(
            lambda: ZERO, ledger.person_amount)
        self.total: Decimal = ledger.total

    def adjust(self, person: str, amount: Decimal) -> None:
        self.person_amount[person] += amount
        self.total += amount

    def admit(self, a: Achievement) -> tuple[Decimal, int, str, str]:
        """(amount, unit, note, refusal): a refusal names the cap that stopped the claim."""
        outcome, caps = self.cdef.outcome(a.outcome_id), self.cdef.caps
        if self.units[(a.person_id, a.outcome_id)] >= outcome.max_per_person:
            return ZERO, 0, "", f"maximum of {outcome.max_per_person} per person already reached"
        if caps.participants and a.person_id not in self.people and (
            len(self.people) >= caps.participants
        ):
            return ZERO, 0, "", f"participant cap of {caps.participants} people reached"
        amount, notes = outcome.price, []
        for cap, spent, what in (
            (caps.per_person_amount, self.person_amount[a.person_id], "per-person cap"),
            (caps.total_amount, self.total, "contract cap"),
        ):
            if cap is None:
                continue
            room, cur = cap - spent, self.cdef.currency
            if room <= 0:
                return ZERO, 0, "", f"{what} of {format_money(cap, cur)} reached"
            if amount > room and caps.over_cap == "skip":
                return ZERO, 0, "", (f"would take the {what} of {format_money(cap, cur)} over "
                                     f"({format_money(room, cur)} left)")
            if amount > room:
                amount = room
                notes.append(f"reduced to the {what}")
        self.units[(a.person_id, a.outcome_id)] += 1
        self.people.add(a.person_id)
        self.adjust(a.person_id, amount)
        return money(amount), self.units[(a.person_id, a.outcome_id)], "; ".join(notes), ""


def apply_caps(
    cdef: ContractDef, caps: CapTally, found: list[Achievement], labels: dict[str, str],
) -> list[tuple[Achievement, tuple[Decimal, int, str, str]]]:
    """Each achievement with (amount, unit, note, refusal), in the documented order: achieved
    date, then the person's label, then the outcome's position in the contract, then its key.
    Pure: the caps' running totals are the only state."""
    order = {o.id: i for i, o in enumerate(cdef.outcomes)}
    ranked = sorted(found, key=lambda a: (a.achieved_on, labels[a.person_id],
                                          order[a.outcome_id], a.key))
    return [(a, caps.admit(a)) for a in ranked]


class _ClaimTerms(NamedTuple):
    """What every claim line of one outcome shares, worked out once per return rather than
    per claim: the outcome, its price to the penny and the kind that words its evidence."""

    outcome: Outcome
    price: Decimal
    kind: RuleKind | None


def _claim_terms(cdef: ContractDef) -> dict[str, _ClaimTerms]:
    return {o.id: _ClaimTerms(o, money(o.price), kinds().get(o.rule.kind)) for o in cdef.outcomes}


def _claim_line(terms: _ClaimTerms, a: Achievement, label: str, amount: Decimal, unit: int,
                note: str, period: Period, line: int) -> ClaimLine:
    evidence = a.evidence  # built here, for claims only
    return ClaimLine(
        line=line, kind="claim", pseudonym=label, outcome_id=a.outcome_id,
        outcome=terms.outcome.name, unit=unit, achieved_on=a.achieved_on,
        late=a.achieved_on < period.start, price=terms.price, amount=amount, note=note,
        reason="", adjusts="", evidence=evidence,
        evidence_text=evidence_in_words(evidence, terms.kind),
        link=PersonLink(a.person_id, a.episode_id, achievement_key=a.key),
    )


def _adjustment_lines(session: Session, contract_id: str, caps: CapTally) -> list[ClaimLine]:
    lines = []
    for adj in pending_adjustments(session, contract_id):
        amount = adj.amount  # Decimal from the ledger (Pence)
        caps.adjust(who(adj.person_id, adj.pseudonym), amount)
        lines.append(ClaimLine(
            line=0, kind="adjustment", pseudonym=adj.pseudonym or "", outcome_id=adj.outcome_id,
            outcome="", unit=adj.unit, achieved_on=adj.achieved_on, late=False, price=ZERO,
            amount=amount, note="", reason=adj.reason or "",
            adjusts=(adj.evidence or {}).get("adjusts", ""), evidence=adj.evidence or {},
            evidence_text="",
            link=PersonLink(adj.person_id, adj.episode_id, adjustment_id=adj.id),
        ))
    return lines


def _totals(cdef: ContractDef, rows: list[ClaimLine]) -> Totals:
    claims = [r for r in rows if r.is_claim]
    by_outcome = []
    for outcome in cdef.outcomes:
        mine = [r for r in claims if r.outcome_id == outcome.id]
        by_outcome.append(OutcomeTotal(
            outcome.id, outcome.name, money(outcome.price), claims=len(mine),
            people=len({r.pseudonym for r in mine}), amount=sum((r.amount for r in mine), ZERO),
        ))
    claimed = sum((r.amount for r in claims), ZERO)
    adjustments = sum((r.amount for r in rows if not r.is_claim), ZERO)
    return Totals(
        claims=len(claims), people=len({r.pseudonym for r in claims}),
        late_claims=sum(1 for r in claims if r.late), claimed=claimed,
        adjustments=adjustments, net=claimed + adjustments, by_outcome=tuple(by_outcome),
    )


def _wellbeing(session: Session, actor: Actor, cdef: ContractDef, contract_id: str,
               period: Period, facts: Facts) -> tuple[WellbeingChange, ...]:
    """The paired-change summary (``wellbeing.summaries``) per instrument the contract pays on,
    from the forms the rules loaded where they hold the instrument's totals."""
    from linkworker.wellbeing.summaries import SummaryFilter, build_summary, summary_lines

    needs = needs_of(cdef).forms
    out = []
    for code in sorted({code for code, _item in needs}) or ["WEMWBS"]:
        summary = build_summary(session, actor, SummaryFilter(
            code, start=cdef.start, end=period.end, contract_id=contract_id, as_of=period.end,
        ), forms=_summary_forms(facts, code, period.end) if (code, None) in needs else None)
        out.append(WellbeingChange(code, summary.instrument_name, tuple(
            WellbeingLine(line.label, line.value, line.note)
            for line in summary_lines(summary, suppress=True))))
    return tuple(out)


def _summary_forms(facts: Facts, code: str, as_of: dt.date) -> list:
    """The contract's complete ``code`` forms as the wellbeing summary would read them: recorded
    on one of its journeys (not placed there by date), up to ``as_of``, not of a deleted
    person. Names are not loaded: the return shows only the summary's figures."""
    from linkworker.wellbeing.summaries import SummaryForm

    out = []
    for (episode_id, instrument, item), forms in facts.forms.items():
        if instrument != code or item is not None:
            continue
        episode = facts.episodes[episode_id]
        person = facts.people[episode.person_id]
        if person.deleted:
            continue
        out.extend(SummaryForm(person.id, episode_id, form.timepoint, form.date, form.created,
                               person.reference, "", "", "", episode.exit_date, form.value,
                               form.id)
                   for form in forms if form.on_journey and form.date <= as_of)
    return out


def contract_info(cdef: ContractDef) -> ContractInfo:
    """The contract as it stands, carried in the return (a later edit does not change it)."""
    caps = cdef.caps
    return ContractInfo(
        code=cdef.code, name=cdef.name, commissioner=cdef.commissioner,
        providers=tuple(cdef.providers), investor=cdef.investor, start=cdef.start,
        end=cdef.end, currency=cdef.currency, person_identifier=cdef.person_identifier,
        late_claims=cdef.late_claims,
        caps=Caps(optional_money(caps.total_amount), caps.participants,
                  optional_money(caps.per_person_amount), caps.over_cap),
        outcomes=tuple(
            OutcomeTerms(o.id, o.name, o.definition, money(o.price), o.max_per_person,
                         o.evidence, o.rule.kind)
            for o in cdef.outcomes),
        document=dict(cdef.document),
    )


def _quality(issues: list, labels: dict[str, str]) -> tuple[DataQualityItem, ...]:
    return tuple(
        DataQualityItem(i.code, i.label, i.severity, labels[i.person_id], i.message,
                        PersonLink(i.person_id, i.episode_id, reference=i.reference))
        for i in issues)


_pause_lock = threading.Lock()
_pauses = 0  # builds running with the cycle collector paused by them
_was_enabled = False


@contextlib.contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Automatic garbage collection off while a return is built, then as it was.

    A build makes a few hundred thousand small objects that form no cycles (a row per contact,
    form and goal, a claim per achievement); each batch of them set off a collection that also
    walked everything else alive, which cost a third of a 150,000-person build. The app's
    window already collects on its own timer instead (``ui.collector``); this does the same
    for the command line and scripts. Counted, so overlapping builds on two threads leave the
    collector as they found it."""
    global _pauses, _was_enabled
    with _pause_lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                _survivors_to_the_oldest_generation()
                gc.enable()


def _survivors_to_the_oldest_generation() -> None:
    """What the build made and kept (the document: tens of thousands of small records) goes
    straight to the oldest generation, which only the rare full collection walks.

    With the collector paused, every object the build allocated still counts towards the
    youngest generation, so the first allocation after it is switched back on set off a
    collection walking all of them (then a second, when they reached the middle generation):
    2-3 % of a 50,000-person build, and nothing to find, as the records hold no cycles.
    ``gc.freeze`` then ``gc.unfreeze`` moves every tracked object there in constant time and
    restarts the young count. Skipped if anything is frozen (the window's start-up objects,
    ``ui.collector``): unfreezing would hand them back to the collector. The window runs with
    the collector off, so there this never runs."""
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()


def build_return(
    session: Session, actor: Actor, contract: Contract | str, period: Period | str, *,
    as_of: dt.date | None = None, progress: Progress | None = None, reference: bool = False,
) -> ReturnDocument:
    """The return for ``period``: a submitted one is returned exactly as it was frozen.

    Rules whose kind SQLite can evaluate are evaluated there (``load_facts(in_sql=True)``);
    ``reference=True`` evaluates every rule in Python instead, the definition the SQL is
    tested against (``tests/test_returns_sql_rules.py``)."""
    with _cycle_collector_paused():
        return _build_return(session, actor, contract, period, as_of=as_of, progress=progress,
                             in_sql=not reference)


def _build_return(
    session: Session, actor: Actor, contract: Contract | str, period: Period | str, *,
    as_of: dt.date | None, progress: Progress | None, in_sql: bool,
) -> ReturnDocument:
    require(actor, "return.build")
    row = contract if isinstance(contract, Contract) else find_contract(session, contract)
    period = period if isinstance(period, Period) else parse_period(period)
    frozen = submitted_return(session, row.id, period.label)
    if frozen is not None:
        return ReturnDocument.from_json(frozen.snapshot)
    report = progress or (lambda *_: None)
    as_of = as_of or dt.date.today()
    cdef = definition_of(row)
    if period.end < cdef.start:
        raise UserError(f"The period {period.label} ends before the contract starts "
                        f"({cdef.start:%d/%m/%Y}); nothing in it can be claimed.")
    ctx, items = _context(session, cdef)
    report(0, 5, "Loading the caseload")
    facts = load_facts(session, row.id, cdef, today=as_of, item_numbers=items,
                       in_sql=in_sql)
    report(1, 5, "Applying the contract's rules")
    found = [a for outcome in cdef.outcomes for a in achievements(outcome, facts, ctx)]
    labels = _Labels(cdef, row.pseudonym_key, facts)
    ledger = load_ledger(session, row.id)
    report(2, 5, "Checking the claims ledger and caps")
    verdicts = eligibility_verdicts(cdef, facts)
    keep, excluded = _screen(cdef, facts, found, ledger, period, as_of, labels.__getitem__,
                             verdicts)
    order = {o.id: i for i, o in enumerate(cdef.outcomes)}
    caps = CapTally(cdef, ledger)
    adjustments = _adjustment_lines(session, row.id, caps)
    claims, terms = [], _claim_terms(cdef)
    for a, (amount, unit, note, refusal) in apply_caps(cdef, caps, keep, labels):
        if refusal:
            excluded.append(_not_claimed(a, labels[a.person_id], refusal))
        else:
            claims.append(_claim_line(terms[a.outcome_id], a, labels[a.person_id], amount,
                                      unit, note, period, line=len(claims) + 1))
    rows = claims + [replace(r, line=n) for n, r in enumerate(adjustments, start=len(claims) + 1)]
    report(3, 5, "Checking data quality")
    issues = find_issues(cdef, facts, period_end=period.end, as_of=as_of, verdicts=verdicts)
    claimed_people = sorted({r.link.person_id for r in claims})
    totals = _totals(cdef, rows)
    history = ledger.history + [
        HistoryEntry(period.label, t.outcome_id, t.claims, t.amount)
        for t in totals.by_outcome if t.claims
    ]
    report(4, 5, "Summarising wellbeing and equality")
    doc = ReturnDocument(
        format=DOCUMENT_FORMAT, status="draft", contract=contract_info(cdef), period=period,
        as_of=as_of, rows=tuple(rows), totals=totals,
        caps=CapsPosition(
            total_amount=optional_money(cdef.caps.total_amount),
            participants=cdef.caps.participants,
            per_person_amount=optional_money(cdef.caps.per_person_amount),
            claimed_before=ledger.total, claimed_after=ledger.total + totals.net,
            participants_before=len(ledger.people), participants_after=len(caps.people),
        ),
        exclusions=tuple(sorted(
            _not_reported_before(excluded, ledger, period),
            key=lambda e: (e.achieved_on, e.pseudonym, order.get(e.outcome_id, 0)))),
        data_quality=_quality(issues, labels),
        equality=breakdowns([facts.people[p] for p in claimed_people], period.end),
        equality_note=FOOTNOTE,
        wellbeing=_wellbeing(session, actor, cdef, row.id, period, facts),
        history=tuple(history),
    ).hashed()
    report(5, 5, "Done")
    return doc


def _not_reported_before(excluded: list[NotClaimed], ledger: Ledger,
                         period: Period) -> list[NotClaimed]:
    """Drop exclusions dated inside a period already submitted: that return listed them."""
    return [e for e in excluded
            if not (e.achieved_on < period.start and ledger.reported(e.achieved_on))]


def submitted_return(session: Session, contract_id: str, label: str) -> OutcomeReturn | None:
    return session.execute(
        select(OutcomeReturn).where(
            OutcomeReturn.contract_id == contract_id, OutcomeReturn.period == label,
            OutcomeReturn.status == "submitted",
        )
    ).scalar_one_or_none()
