"""What real contracts say, each against a tiny caseload built for it: the first-attended-contact
anchor, a baseline window with two anchors, the order of same-day claims under a cap, and a
"Not claimed" list that does not repeat earlier returns."""

from __future__ import annotations

import copy
import datetime as dt

from test_returns_caseload import AS_OF_Q3, AS_OF_Q4, Builder, build_caseload

from linkworker.outcomes.store import save_contract
from linkworker.returns.build import build_return
from linkworker.returns.submit import submit_return

D = dt.date
BASE = {
    "format": 1, "code": "OPT", "name": "Options", "commissioner": "ICB",
    "providers": ["Links"], "start": "2026-01-01", "end": "2027-12-31",
}


def contract(*outcomes: dict, **extra) -> dict:
    return {**copy.deepcopy(BASE), "outcomes": list(outcomes), **extra}


def engagement(oid: str, price: int = 100, **rule) -> dict:
    return {"id": oid, "definition": oid, "price": price, "evidence": "contacts",
            "rule": {"kind": "engagement", "within_days": 28, **rule}}


def build(caseload, actor, period="2026-Q3", as_of=AS_OF_Q3, code="OPT"):
    with caseload.transaction() as s:
        return build_return(s, actor, code, period, as_of=as_of)


def claimed(doc) -> list[tuple[str, str]]:
    return [(r.link.person_id, r.outcome_id) for r in doc.rows if r.kind == "claim"]


def test_first_attended_contact_anchor_counts_days_from_the_earliest_contact(
        caseload, actor_manager):
    """The first meeting is recorded as 20/07 but the earliest attended contact was 01/07; a
    "third contact within 14 days of first attended contact" counts from 01/07."""
    rule = {"from": "first_attended_contact", "contacts": 3, "within_days": 14}
    with caseload.transaction() as s:
        row = save_contract(s, actor_manager, contract(engagement("E3", **rule)))
        b = Builder(s, row.id)
        a = b.person("A", referral=D(2026, 6, 20), first_meeting=D(2026, 7, 20))
        b.contacts("A", D(2026, 7, 1), D(2026, 7, 8), D(2026, 7, 15), D(2026, 7, 20))
        late = b.person("B", referral=D(2026, 6, 20), first_meeting=D(2026, 7, 1))
        b.contacts("B", D(2026, 7, 1), D(2026, 7, 8), D(2026, 7, 16))  # day 15: outside
        b.contacts("B", D(2026, 6, 25), status="dna")  # not attended: not the anchor
    doc = build(caseload, actor_manager)
    rows = [r for r in doc.rows if r.kind == "claim"]
    assert [(r.link.person_id, r.achieved_on) for r in rows] == [(a, dt.date(2026, 7, 15))]
    assert rows[0].evidence["start"] == {"from": "first_attended_contact",
                                            "date": "2026-07-01"}
    assert late not in {r.link.person_id for r in rows}


def test_a_baseline_window_with_two_anchors(caseload, actor_manager):
    """Baseline "on or after referral and up to first contact + 14 days"."""
    outcome = {
        "id": "WB", "definition": "WEMWBS up 3", "price": 300, "evidence": "forms",
        "rule": {"kind": "measure_change", "instrument": "WEMWBS", "from": "referral",
                 "baseline": {"min": 0, "min_from": "referral",
                              "max": 14, "max_from": "first_attended_contact"},
                 "follow_up": {"min": 30, "max": 120}, "min_change": 3},
    }
    with caseload.transaction() as s:
        row = save_contract(s, actor_manager, contract(outcome))
        b = Builder(s, row.id)
        inside = b.person("IN", referral=D(2026, 5, 1), first_meeting=D(2026, 5, 30))
        b.contacts("IN", D(2026, 5, 30))
        # 40 days after referral but 13 after first contact: a baseline.
        b.wemwbs("IN", (D(2026, 6, 10), 40), (D(2026, 8, 1), 45))
        before = b.person("BEFORE", referral=D(2026, 5, 1), first_meeting=D(2026, 5, 3))
        b.contacts("BEFORE", D(2026, 5, 3))
        # 28/04 is before the referral: not a baseline, so no claim even though 50 > 40.
        b.wemwbs("BEFORE", (D(2026, 4, 28), 40), (D(2026, 6, 20), 50))
        after = b.person("AFTER", referral=D(2026, 5, 1), first_meeting=D(2026, 5, 3))
        b.contacts("AFTER", D(2026, 5, 3))
        # first contact + 15 days: too late for a baseline.
        b.wemwbs("AFTER", (D(2026, 5, 18), 40), (D(2026, 7, 20), 50))
    doc = build(caseload, actor_manager)
    assert claimed(doc) == [(inside, "WB")]
    assert {before, after}.isdisjoint({q.link.person_id for q in doc.data_quality
                                       if q.code != "missing_baseline"})
    baseline_issues = {q.link.person_id for q in doc.data_quality
                       if q.code == "missing_baseline"}
    assert {before, after} <= baseline_issues


def test_same_day_claims_go_in_the_contracts_outcome_order(caseload, actor_manager):
    """Two outcomes achieved on the same day for one person, with room under the per-person
    cap for one: the one listed first in the contract file is claimed."""
    caps = {"per_person_amount": 150}
    with caseload.transaction() as s:
        row = save_contract(s, actor_manager, contract(
            engagement("FIRST"), engagement("SECOND"), caps=caps))
        b = Builder(s, row.id)
        who = b.person("A", referral=D(2026, 7, 1), first_meeting=D(2026, 7, 2))
        b.contacts("A", D(2026, 7, 2))
    assert claimed(build(caseload, actor_manager)) == [(who, "FIRST")]
    with caseload.transaction() as s:
        save_contract(s, actor_manager, contract(
            engagement("SECOND"), engagement("FIRST"), caps=caps))
    assert claimed(build(caseload, actor_manager)) == [(who, "SECOND")]


def test_not_claimed_does_not_repeat_earlier_returns(caseload, actor_manager):
    """Q3 lists P8's 2025 outcomes (before the contract) and P9's third goals unit; once Q3
    is submitted, Q4 lists only what is new in Q4."""
    with caseload.transaction() as s:
        build_caseload(s, actor_manager)
    q3 = build(caseload, actor_manager, code="TEST-SIB")
    assert {e.outcome_id for e in q3.exclusions} >= {"ENG", "WB", "GOALS"}
    with caseload.transaction() as s:
        submit_return(s, actor_manager, "TEST-SIB", "2026-Q3", as_of=AS_OF_Q3)
    q4 = build(caseload, actor_manager, "2026-Q4", AS_OF_Q4, code="TEST-SIB")
    assert [e for e in q4.exclusions if e.achieved_on < dt.date(2026, 10, 1)] == []
