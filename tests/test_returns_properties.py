"""Property tests (hypothesis) for the return engine's arithmetic: caps, units per person
across journeys, the ledger carried from quarter to quarter, periods, and money round trips."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from linkworker.outcomes.contract import parse_contract
from linkworker.outcomes.rules import Achievement
from linkworker.returns.build import CapTally, apply_caps
from linkworker.returns.document import HistoryEntry, ReturnDocument
from linkworker.returns.ledger import Ledger
from linkworker.returns.period import parse_period, previous_quarter, quarter_of

PEOPLE = [f"person-{n}" for n in range(6)]
prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("500"), places=2)


@st.composite
def contracts(draw):
    n = draw(st.integers(1, 3))
    outcomes = [{
        "id": f"O{i}", "definition": "d", "evidence": "e",
        "price": float(draw(prices)), "max_per_person": draw(st.integers(1, 3)),
        "rule": {"kind": "external"},
    } for i in range(n)]
    caps = {}
    if draw(st.booleans()):
        caps["per_person_amount"] = float(draw(prices) * 3)
    if draw(st.booleans()):
        caps["total_amount"] = float(draw(prices) * 10)
    if draw(st.booleans()):
        caps["participants"] = draw(st.integers(1, 5))
    caps["over_cap"] = draw(st.sampled_from(["skip", "pay_remainder"]))
    return parse_contract({
        "code": "P", "name": "p", "commissioner": "c", "providers": ["x"],
        "start": "2026-01-01", "end": "2027-12-31", "outcomes": outcomes, "caps": caps,
    })


@st.composite
def achievements(draw, cdef):
    found = []
    for i in range(draw(st.integers(0, 25))):
        person = draw(st.sampled_from(PEOPLE))
        episode = draw(st.sampled_from(["a", "b"]))  # two journeys of the same person
        outcome = draw(st.sampled_from(cdef.outcome_ids))
        day = dt.date(2026, 1, 1) + dt.timedelta(days=draw(st.integers(0, 700)))
        found.append(Achievement(outcome, person, f"{person}-{episode}",
                                 f"{outcome}:{person}-{episode}:{i}", day, {}))
    return found


def admit_all(cdef, ledger, found):
    labels = {p: p for p in PEOPLE}
    return apply_caps(cdef, CapTally(cdef, ledger), found, labels)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_caps_are_never_crossed_and_units_count_across_journeys(data):
    cdef = data.draw(contracts())
    found = data.draw(achievements(cdef))
    admitted = [(a, r) for a, r in admit_all(cdef, Ledger(), found) if not r[3]]
    caps = cdef.caps
    per_person: dict[str, Decimal] = {}
    units: dict[tuple[str, str], int] = {}
    for a, (amount, unit, _note, _) in admitted:
        per_person[a.person_id] = per_person.get(a.person_id, Decimal(0)) + amount
        units[(a.person_id, a.outcome_id)] = units.get((a.person_id, a.outcome_id), 0) + 1
        price = cdef.outcome(a.outcome_id).price
        assert Decimal(0) < amount <= price
        assert amount == amount.quantize(Decimal("0.01"))
        if caps.over_cap == "skip":
            assert amount == price  # a claim is paid in full or not at all
        assert unit == units[(a.person_id, a.outcome_id)]
    total = sum(per_person.values(), Decimal(0))
    for (_person, outcome_id), n in units.items():
        assert n <= cdef.outcome(outcome_id).max_per_person  # whichever journey it came from
    if caps.per_person_amount is not None:
        assert all(v <= caps.per_person_amount for v in per_person.values())
    if caps.total_amount is not None:
        assert total <= caps.total_amount
    if caps.participants is not None:
        assert len(per_person) <= caps.participants


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_quarter_by_quarter_equals_all_at_once(data):
    """Submitting returns quarter by quarter, each carrying the ledger forward, claims exactly
    what one return over the whole time would (same claims, same amounts)."""
    cdef = data.draw(contracts())
    found = data.draw(achievements(cdef))
    at_once = [(a.key, r[0]) for a, r in admit_all(cdef, Ledger(), found) if not r[3]]
    ledger, quarterly = Ledger(), []
    quarters = sorted({quarter_of(a.achieved_on) for a in found})
    for label in quarters:
        period = parse_period(label)
        mine = [a for a in found if period.contains(a.achieved_on) and a.key not in ledger.keys]
        for a, (amount, _unit, _note, refusal) in admit_all(cdef, ledger, mine):
            if not refusal:
                quarterly.append((a.key, amount))
                ledger.record(a.person_id, a.outcome_id, a.key, amount, "claim", label)
    assert quarterly == at_once


@given(st.dates(min_value=dt.date(1900, 4, 1), max_value=dt.date(2999, 12, 31)))
def test_quarters_tile_the_calendar(day):
    period = parse_period(quarter_of(day))
    assert period.contains(day)
    before = parse_period(previous_quarter(day))
    assert before.end + dt.timedelta(days=1) == period.start
    assert period.start.day == 1 and period.start.month in (1, 4, 7, 10)
    assert (period.end + dt.timedelta(days=1)).day == 1
    month = parse_period(f"{day:%Y-%m}")
    assert period.start <= month.start <= day <= month.end <= period.end


money_values = st.decimals(min_value=Decimal("-1000000"), max_value=Decimal("1000000"),
                           places=2)


@given(st.lists(money_values, max_size=20))
def test_money_survives_the_snapshot_round_trip(amounts):
    """Money is stored as text with two decimals and reads back to the same pence (the whole
    document's round trip is in ``test_returns_document``)."""
    history = tuple(HistoryEntry("2026-Q3", "ENG", 1, a) for a in amounts)
    stored = [{"period": h.period, "outcome_id": h.outcome_id, "claims": h.claims,
               "amount": f"{h.amount:.2f}"} for h in history]
    doc = ReturnDocument.from_json(_skeleton(stored))
    assert doc.history == history
    assert [h["amount"] for h in doc.to_json()["history"]] == [h["amount"] for h in stored]
    assert sum((h.amount for h in doc.history), Decimal("0.00")) == sum(amounts, Decimal("0"))


def _skeleton(history: list[dict]) -> dict:
    """The smallest stored return around ``history``."""
    zero = "0.00"
    return {
        "format": 1, "status": "draft", "as_of": "2026-10-05", "rows": [], "exclusions": [],
        "data_quality": [], "equality": {}, "equality_note": "", "wellbeing": [],
        "history": history, "content_hash": "",
        "period": {"label": "2026-Q3", "start": "2026-07-01", "end": "2026-09-30"},
        "contract": {"code": "C", "name": "C", "commissioner": "ICB", "providers": ["P"],
                     "investor": None, "start": "2026-01-01", "end": "2027-12-31",
                     "currency": "GBP", "person_identifier": "pseudonym", "late_claims": True,
                     "caps": {"total_amount": None, "participants": None,
                              "per_person_amount": None}, "outcomes": []},
        "totals": {"claims": 0, "people": 0, "late_claims": 0, "claimed": zero,
                   "adjustments": zero, "net": zero, "by_outcome": []},
        "caps": {"total_amount": None, "participants": None, "per_person_amount": None,
                 "claimed_before": zero, "claimed_after": zero, "participants_before": 0,
                 "participants_after": 0},
    }
