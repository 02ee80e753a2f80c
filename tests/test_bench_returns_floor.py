"""The bench's hand-written SQL floor of the return computes the return's own rules.

Issue 15 sets the return against "a hand-written SQL of the same rules": on a real demo caseload
whose ledger already holds a submitted quarter, the floor (``bench.returns.sql_claims``) must
find the build's claims per outcome, so it does the eligibility, consent, claim-window, ledger
and cap work the build does, not just the achievements.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, text

from bench.returns import build_claims, sql_claims, sql_rules
from linkworker.access import SYSTEM
from linkworker.demo import generate
from linkworker.models import Claim
from linkworker.outcomes.store import definition_of, find_contract
from linkworker.returns.build import build_return
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
    """A 600-person demo caseload with the sample contract's 2026-Q2 return submitted, and four
    of the people 2026-Q3 would pay for no longer eligible or consenting."""
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


def test_the_same_rules_floor_finds_the_builds_claims_per_outcome(demo):
    period = parse_period("2026-Q3")
    with demo.reading() as s:
        row = find_contract(s, "SAMPLE-SP-SIB")
        contract_id, cdef = row.id, definition_of(row)
        in_ledger = s.execute(select(func.count()).select_from(Claim).where(
            Claim.contract_id == contract_id, Claim.return_id.is_not(None))).scalar()
        doc = build_return(s, SYSTEM, row, period, as_of=TODAY)
    built = build_claims(doc)
    assert in_ledger > 0 and doc.totals.claims > 0
    assert sql_claims(demo, contract_id, cdef, period, as_of=TODAY) == built
    # Achievements alone (the earlier floor) count more: the screening is work the floor must do.
    assert sum(sql_rules(demo, contract_id).values()) > doc.totals.claims
