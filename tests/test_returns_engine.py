"""The return over the hand-built caseload: claims, exclusions, caps, ledger, adjustments."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from test_returns_caseload import (
    AS_OF_Q3,
    AS_OF_Q4,
    EXPECTED_Q3,
    EXPECTED_Q3_EXCLUSIONS,
    EXPECTED_Q3_TOTAL,
    Builder,
    build_caseload,
    contract_document,
)

from linkworker.access import PermissionDenied
from linkworker.errors import UserError
from linkworker.models import AuditEvent, Claim, Contact, Measure, OutcomeReturn
from linkworker.outcomes.store import save_contract
from linkworker.returns.build import build_return
from linkworker.returns.equality import suppress
from linkworker.returns.export import render
from linkworker.returns.submit import add_adjustment, list_returns, submit_return

D = dt.date


@pytest.fixture
def hand(caseload, actor_manager):
    """(caseload, builder, {person id: reference}) for the fixture in test_returns_caseload."""
    with caseload.transaction() as s:
        _, builder = build_caseload(s, actor_manager)
    return caseload, builder, {v: k for k, v in builder.people.items()}


def build(caseload, actor, period="2026-Q3", as_of=AS_OF_Q3):
    with caseload.transaction() as s:
        return build_return(s, actor, "TEST-SIB", period, as_of=as_of)


def claims_of(doc, refs):
    return sorted(
        (refs[r.link.person_id], r.outcome_id, r.achieved_on, r.amount,
         r.late) for r in doc.rows if r.kind == "claim"
    )


def test_q3_claims_are_exactly_the_hand_computed_ones(hand, actor_manager):
    caseload, _, refs = hand
    doc = build(caseload, actor_manager)
    assert claims_of(doc, refs) == sorted(EXPECTED_Q3)
    assert doc.totals.net == EXPECTED_Q3_TOTAL
    assert doc.totals.claims == 13 and doc.totals.people == 9
    assert doc.totals.late_claims == 1
    dates = [r.achieved_on for r in doc.rows]
    assert dates == sorted(dates)  # the deterministic order caps apply in
    assert [r.line for r in doc.rows] == list(range(1, 14))
    by_outcome = {t.outcome_id: (t.claims, t.amount) for t in doc.totals.by_outcome}
    assert by_outcome["ENG"] == (4, 400.0) and by_outcome["GOALS"] == (2, 80.0)


def test_every_claim_carries_its_evidence(hand, actor_manager):
    caseload, builder, refs = hand
    doc = build(caseload, actor_manager)
    rows = {(refs[r.link.person_id], r.outcome_id): r for r in doc.rows}
    wb = rows[("P1", "WB")].evidence
    assert (wb["baseline"]["date"], wb["baseline"]["score"]) == ("2026-07-10", 40.0)
    assert (wb["follow_up"]["date"], wb["follow_up"]["score"], wb["change"]) == (
        "2026-09-20", 45.0, 5.0)
    eng3 = rows[("P1", "ENG3")].evidence["contacts"]
    assert [c["date"] for c in eng3] == ["2026-07-10", "2026-07-24", "2026-08-07"]
    sustained = rows[("P8", "WBS")].evidence
    assert sustained["sustained"]["date"] == "2026-08-15" and sustained["sustained_change"] == 6
    assert len(rows[("P9", "GOALS")].evidence["goals"]) == 2
    assert rows[("P10", "EXIT")].evidence["exit"] == {"date": "2026-07-10",
                                                         "reason": "goals_met"}
    assert "ICB match" in rows[("P14", "EXT")].evidence_text
    assert all(r.pseudonym.startswith("P-") and len(r.pseudonym) == 14
               for r in doc.rows)


def test_exclusions_say_why(hand, actor_manager):
    caseload, _, refs = hand
    doc = build(caseload, actor_manager)
    found = [(refs[e.link.person_id], e.outcome_id, e.reason) for e in doc.exclusions]
    assert len(found) == len(EXPECTED_Q3_EXCLUSIONS)
    for who, outcome, fragment in EXPECTED_Q3_EXCLUSIONS:
        assert any(w == who and o == outcome and fragment in r for w, o, r in found), (who,
                                                                                      outcome)


def test_data_quality_lists_each_kind_of_problem(hand, actor_manager):
    caseload, builder, refs = hand
    with caseload.transaction() as s:  # a form dated in the future
        s.add(Measure(person_id=builder.people["P4"], episode_id=builder.episodes["P4"],
                      instrument="WEMWBS", completed_on=D(2026, 10, 30), value=50.0, raw=50))
    doc = build(caseload, actor_manager)
    issues = {(q.link.reference, q.code) for q in doc.data_quality}
    assert ("P16", "ineligible") in issues
    assert ("P17", "missing_consent") in issues
    assert ("P6", "follow_up_outside_window") in issues
    assert ("P7", "incomplete_form") in issues
    assert ("P18", "future_date") in issues
    assert ("P4", "future_date") in issues
    assert ("P13", "exit_without_reason") in issues
    assert ("P2", "missing_baseline") in issues
    assert ("P1", "missing_baseline") not in issues
    assert all(q.link.person_id and q.severity in ("blocks", "weakens")
               for q in doc.data_quality)


def test_caps_apply_in_the_documented_order(hand, actor_manager):
    """With "pay_remainder": per person 400: P1's WB 300 -> 250 (P1 already has 150).
    Participants 8: P14 (the 9th new person, 20/08) is out. Contract 1,400: 1,260 before P1's
    WB, so it gets 140."""
    caseload, _, refs = hand
    with caseload.transaction() as s:
        save_contract(s, actor_manager, contract_document(
            caps={"per_person_amount": 400, "participants": 8, "total_amount": 1400,
                  "over_cap": "pay_remainder"}))
    doc = build(caseload, actor_manager)
    rows = {(refs[r.link.person_id], r.outcome_id): r for r in doc.rows}
    assert ("P14", "EXT") not in rows
    assert rows[("P1", "WB")].amount == 140.0
    assert "per-person cap" in rows[("P1", "WB")].note
    assert "contract cap" in rows[("P1", "WB")].note
    assert doc.totals.net == 1400.0
    reasons = {(refs[e.link.person_id], e.outcome_id): e.reason for e in doc.exclusions}
    assert "participant cap of 8" in reasons[("P14", "EXT")]
    assert doc.caps.participants_after == 8


def test_late_claims_can_be_turned_off(hand, actor_manager):
    caseload, _, refs = hand
    with caseload.transaction() as s:
        save_contract(s, actor_manager, contract_document(late_claims=False))
    doc = build(caseload, actor_manager)
    assert ("P5", "ENG") not in {(refs[r.link.person_id], r.outcome_id) for r in doc.rows}
    assert any("late claims" in e.reason for e in doc.exclusions)


def test_submit_locks_claims_and_the_next_quarter_never_claims_them_again(hand, actor_manager):
    caseload, builder, refs = hand
    with caseload.transaction() as s:
        snapshot = submit_return(s, actor_manager, "TEST-SIB", "2026-Q3", as_of=AS_OF_Q3)
    assert snapshot.status == "submitted" and snapshot.totals.net == EXPECTED_Q3_TOTAL
    assert all(r.link is None for r in snapshot.rows)  # nothing private is kept
    with caseload.reading() as s:
        assert len(s.execute(select(Claim)).scalars().all()) == 13
        assert s.execute(select(AuditEvent).where(AuditEvent.action == "return.submit")).first()
    # Q4: P20 engages; P2's two goals from September are entered late; P1 gets more forms.
    with caseload.transaction() as s:
        b = Builder(s, builder.contract_id)
        b.people, b.episodes = builder.people, builder.episodes
        b.person("P20", referral=D(2026, 10, 1), first_meeting=D(2026, 10, 10))
        b.contacts("P20", D(2026, 10, 10))
        b.goals("P2", D(2026, 9, 10), D(2026, 9, 12))
        b.wemwbs("P1", (D(2026, 11, 1), 60))
        refs[b.people["P20"]] = "P20"
        line = s.execute(select(Claim.line).where(
            Claim.person_id == builder.people["P1"], Claim.outcome_id == "ENG3")).scalar_one()
        add_adjustment(s, actor_manager, "TEST-SIB", f"2026-Q3:{line}",
                       reason="One of the three contacts was a phone call", amount=-50)
    doc = build(caseload, actor_manager, "2026-Q4", AS_OF_Q4)
    got = [(refs.get(r.link.person_id), r.outcome_id, r.amount, r.late, r.kind)
           for r in doc.rows]
    assert got == [
        ("P2", "GOALS", 40.0, True, "claim"),
        ("P20", "ENG", 100.0, False, "claim"),
        ("P1", "ENG3", -50.0, False, "adjustment"),
    ]
    assert doc.rows[2].reason == "One of the three contacts was a phone call"
    assert doc.rows[2].adjusts == f"2026-Q3:{line}"
    assert doc.totals.net == 90.0
    assert doc.caps.claimed_after == EXPECTED_Q3_TOTAL + 90.0
    with caseload.transaction() as s:
        submit_return(s, actor_manager, "TEST-SIB", "2026-Q4", as_of=AS_OF_Q4)
    with caseload.reading() as s:
        listed = list(list_returns(s, "TEST-SIB"))
        assert [r.period for r in listed] == ["2026-Q3", "2026-Q4"]
        assert [(r.claims, r.net, r.submitted_on) for r in listed] == [
            (13, EXPECTED_Q3_TOTAL, "2026-10-05"), (doc.totals.claims, 90, "2027-01-10")]
        assert all(r.hash_checks for r in listed)  # as submitted, by the rule they name
        pending = s.execute(select(Claim).where(Claim.return_id.is_(None))).scalars().all()
        assert pending == []
    # A third quarter finds nothing new to claim.
    doc = build(caseload, actor_manager, "2027-Q1", D(2027, 4, 5))
    assert [r for r in doc.rows if r.kind == "claim"] == []


def test_submitted_return_regenerates_byte_for_byte_after_edits(hand, actor_manager):
    caseload, builder, _ = hand
    with caseload.transaction() as s:
        submit_return(s, actor_manager, "TEST-SIB", "2026-Q3", as_of=AS_OF_Q3)
    first = build(caseload, actor_manager)
    exports = {suffix: render(first, suffix) for suffix in (".xlsx", ".csv", ".pdf", ".json")}
    with caseload.transaction() as s:  # later edits: a score changed, a contact deleted
        form = s.execute(select(Measure).where(Measure.person_id == builder.people["P1"])
                         .order_by(Measure.completed_on)).scalars().first()
        form.value = 20.0
        s.delete(s.execute(select(Contact).where(
            Contact.episode_id == builder.episodes["P2"])).scalars().first())
    again = build(caseload, actor_manager)
    assert again == first
    for suffix, data in exports.items():
        assert render(again, suffix) == data, suffix
    with caseload.reading() as s:
        stored = s.execute(select(OutcomeReturn)).scalar_one()
        assert stored.content_hash == first.content_hash


def test_submit_rules(hand, actor_manager, actor_coordinator):
    caseload, _, _ = hand
    with caseload.transaction() as s, pytest.raises(PermissionDenied):
        submit_return(s, actor_coordinator, "TEST-SIB", "2026-Q3", as_of=AS_OF_Q3)
    with caseload.transaction() as s, pytest.raises(UserError, match="changed since"):
        submit_return(s, actor_manager, "TEST-SIB", "2026-Q3", as_of=AS_OF_Q3,
                      expected_hash="0" * 64)
    with caseload.transaction() as s:
        submit_return(s, actor_manager, "TEST-SIB", "2026-Q4", as_of=AS_OF_Q4)
    with caseload.transaction() as s, pytest.raises(UserError, match="in order"):
        submit_return(s, actor_manager, "TEST-SIB", "2026-Q3", as_of=AS_OF_Q3)
    with caseload.transaction() as s, pytest.raises(UserError, match="already submitted"):
        submit_return(s, actor_manager, "TEST-SIB", "2026-Q4", as_of=AS_OF_Q4)


def test_adjustment_rules(hand, actor_manager):
    caseload, _, _ = hand
    with caseload.transaction() as s:
        submit_return(s, actor_manager, "TEST-SIB", "2026-Q3", as_of=AS_OF_Q3)
    with caseload.transaction() as s, pytest.raises(UserError, match="reason"):
        add_adjustment(s, actor_manager, "TEST-SIB", "2026-Q3:1", reason=" ")
    with caseload.transaction() as s, pytest.raises(UserError, match="below zero"):
        add_adjustment(s, actor_manager, "TEST-SIB", "2026-Q3:1", reason="x", amount=-101)
    with caseload.transaction() as s, pytest.raises(UserError, match="No submitted claim"):
        add_adjustment(s, actor_manager, "TEST-SIB", "2026-Q3:99", reason="x")
    with caseload.transaction() as s:
        adj = add_adjustment(s, actor_manager, "TEST-SIB", "2026-Q3:1", reason="wrong person")
        assert adj.amount == -100.0  # by default the whole claim is reversed
    # Asked again (a second person pressing Adjust on the same line): it says why, not "0".
    with caseload.transaction() as s, pytest.raises(UserError, match="already been reversed"):
        add_adjustment(s, actor_manager, "TEST-SIB", "2026-Q3:1", reason="wrong person")


def test_suppression_hides_small_cells_and_one_more():
    cells = suppress([("A", 10), ("B", 3), ("C", 7), ("D", 0)])
    assert [c.shown for c in cells] == [10, "<5", "suppressed", 0]
    # Female 85, Male 81, Other 3: Male is hidden only to protect Other, and is not "<5".
    cells = suppress([("Female", 85), ("Male", 81), ("Other", 3)])
    assert [c.shown for c in cells] == [85, "suppressed", "<5"]
    assert [c.shown for c in suppress([("A", 2), ("B", 4), ("C", 9)])] == ["<5", "<5", 9]
    assert [c.shown for c in suppress([("A", 5), ("B", 6)])] == [5, 6]


def test_a_claim_that_would_cross_a_money_cap_is_skipped_by_default(hand, actor_manager):
    """Per person 400: P1 has 150, so WB (300) would cross it and is not claimed at all; a
    smaller later claim for P1 still fits, and no claim is ever paid less than its price."""
    caseload, _, refs = hand
    with caseload.transaction() as s:
        save_contract(s, actor_manager, contract_document(caps={"per_person_amount": 400}))
    doc = build(caseload, actor_manager)
    rows = {(refs[r.link.person_id], r.outcome_id): r for r in doc.rows}
    assert ("P1", "WB") not in rows
    reasons = {(refs[e.link.person_id], e.outcome_id): e.reason for e in doc.exclusions}
    assert reasons[("P1", "WB")] == "would take the per-person cap of £400.00 over (£250.00 left)"
    assert all(r.amount == r.price for r in doc.rows if r.kind == "claim")
    p1 = sum(r.amount for r in doc.rows if refs[r.link.person_id] == "P1")
    assert p1 <= 400


def test_money_is_decimal_from_price_to_totals(hand, actor_manager):
    from decimal import Decimal

    caseload, _, _ = hand
    doc = build(caseload, actor_manager)
    claims = [r for r in doc.rows if r.kind == "claim"]
    assert all(isinstance(r.amount, Decimal) and isinstance(r.price, Decimal)
               for r in claims)
    assert isinstance(doc.totals.net, Decimal)
    assert doc.totals.net == sum(r.amount for r in claims)


@pytest.mark.parametrize("enabled", [True, False])
def test_a_build_leaves_automatic_garbage_collection_as_it_found_it(hand, actor_manager,
                                                                     enabled, monkeypatch):
    """The build pauses the cycle collector (its many small rows form no cycles); afterwards
    it is on again for scripts, and still off under the window's own collector."""
    import gc

    from linkworker.returns import build as building

    seen = []
    real = building.load_facts

    def watching(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(building, "load_facts", watching)
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        build(hand[0], actor_manager)
        assert seen == [False]
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
