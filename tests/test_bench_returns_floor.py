"""The bench's hand-written SQL floor of the return computes the return's own rules.

Issue 15 sets the return against "a hand-written SQL of the same rules": on a real demo caseload
whose ledger already holds a submitted quarter, the floor (``bench.returns.sql_claims``) must
find the build's claims per outcome, so it does the eligibility, consent, claim-window, ledger
and cap work the build does, not just the achievements.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from bench.returns import build_claims, sql_claims, sql_rules
from linkworker.access import SYSTEM
from linkworker.demo import generate
from linkworker.models import Claim
from linkworker.outcomes.store import definition_of, find_contract
from linkworker.returns.build import build_return
from linkworker.returns.document import ReturnDocument
from linkworker.returns.period import parse_period
from linkworker.returns.submit import submit_return

TODAY = dt.date(2026, 12, 2)
# Each makes one person fail one of the contract's criteria (age at referral, area, a listed
# condition, consent in force), so a floor that skips a criterion finds a claim too many.
_FAILING = (
    "UPDATE people SET date_of_birth = '2000-01-01' WHERE id = :person",
    "UPDATE people SET postcode = 'SW1A 1AA' WHERE id = :person",
    "DELETE FROM conditions WHERE person_id = :person",
    "UPDATE consents SET withdrawn_on = '2026-08-01' WHERE person_id = :person",
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A 600-person demo caseload with the sample contract's 2026-Q2 return submitted, four of
    the people 2026-Q3 would pay for no longer eligible or consenting, and caps that bite."""
    from linkworker.storage.database import Caseload
    from tests.conftest import TEST_PASSPHRASE

    db = Caseload.create(tmp_path_factory.mktemp("floor") / "demo.db", TEST_PASSPHRASE)
    generate(db, people=600, seed=7, today=TODAY)
    with db.transaction() as s:
        submit_return(s, SYSTEM, "SAMPLE-SP-SIB", "2026-Q2", as_of=dt.date(2026, 7, 10))
    with db.reading() as s:
        doc = build_return(s, SYSTEM, "SAMPLE-SP-SIB", "2026-Q3", as_of=TODAY)
    claimed = sorted({r.link.person_id for r in doc.rows if r.is_claim})
    with db.transaction() as s:  # four people the return would pay for, each now failing one
        for change, person in zip(_FAILING, claimed, strict=False):
            s.execute(text(change), {"person": person})
    yield db
    db.close()


def _cap(caseload, change) -> None:
    """The contract's stored terms changed by ``change`` (as a manager's edit would)."""
    with caseload.transaction() as s:
        row = find_contract(s, "SAMPLE-SP-SIB")
        definition = copy.deepcopy(row.definition)
        change(s, row.id, definition)
        row.definition = definition


def _paid_before_on_an_earlier_journey(caseload, doc: ReturnDocument) -> None:
    """Someone 2026-Q3 would pay "Sustained engagement" for was paid it in 2026-Q2 for an
    earlier journey: its maximum of one per person now refuses the new one."""
    line = next(r for r in doc.rows if r.is_claim and r.outcome_id == "ENG2")
    with caseload.transaction() as s:
        earlier = s.execute(select(Claim).where(Claim.return_id.is_not(None))).scalars().first()
        s.add(Claim(return_id=earlier.return_id, contract_id=earlier.contract_id,
                    person_id=line.link.person_id, outcome_id="ENG2",
                    achievement_key="ENG2:an-earlier-journey", unit=1,
                    achieved_on=dt.date(2026, 5, 1), amount=Decimal("150.00"), kind="claim"))


def _room_for_five_more_people(session, contract_id: str, definition: dict) -> None:
    claimed = session.execute(select(func.count(func.distinct(Claim.person_id))).where(
        Claim.contract_id == contract_id, Claim.kind == "claim")).scalar()
    definition["caps"]["participants"] = claimed + 5


def _two_hundred_pounds_a_person(session, contract_id: str, definition: dict) -> None:
    definition["caps"]["per_person_amount"] = 200


def _same_claims(caseload) -> ReturnDocument:
    """The 2026-Q3 return, its claims per outcome found by the floor too."""
    period = parse_period("2026-Q3")
    with caseload.reading() as s:
        row = find_contract(s, "SAMPLE-SP-SIB")
        contract_id, cdef = row.id, definition_of(row)
        doc = build_return(s, SYSTEM, row, period, as_of=TODAY)
    assert sql_claims(caseload, contract_id, cdef, period, as_of=TODAY) == build_claims(doc)
    return doc


def test_the_same_rules_floor_finds_the_builds_claims_per_outcome(demo):
    with demo.reading() as s:
        row = find_contract(s, "SAMPLE-SP-SIB")
        in_ledger = s.execute(select(func.count()).select_from(Claim).where(
            Claim.contract_id == row.id, Claim.return_id.is_not(None))).scalar()
        contract_id = row.id
    doc = _same_claims(demo)
    assert in_ledger > 0 and doc.totals.claims > 0
    # Achievements alone (the earlier floor) count more: the screening is work the floor must do.
    assert sum(sql_rules(demo, contract_id).values()) > doc.totals.claims
    # Caps that bite on 600 people, one after another: the maximum per person (counting the
    # ledger's units), the participant cap, the per-person money cap (counting the ledger's).
    _paid_before_on_an_earlier_journey(demo, doc)
    assert _same_claims(demo).totals.claims == doc.totals.claims - 1
    _cap(demo, _room_for_five_more_people)
    capped = _same_claims(demo).totals.claims
    assert capped < doc.totals.claims - 1
    _cap(demo, _two_hundred_pounds_a_person)
    assert _same_claims(demo).totals.claims < capped
