""""Never the same outcome claimed twice", held by the database as well as by the returns code
(migration 0012's unique index), on a laptop's SQLite; the hub's PostgreSQL is in
``tests/sync/test_hub_claims_once.py``."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import func, insert, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from test_returns_caseload import AS_OF_Q3, AS_OF_Q4, build_caseload, contract_document

from linkworker.errors import UserError
from linkworker.models import AuditEvent, Claim, ExternalResult, OutcomeReturn
from linkworker.outcomes.store import save_contract
from linkworker.returns.build import build_return
from linkworker.returns.submit import add_adjustment, submit_return


@pytest.fixture
def submitted(caseload, actor_manager):
    """The returns test caseload with its 2026-Q3 return submitted (13 claims)."""
    with caseload.transaction() as s:
        _, builder = build_caseload(s, actor_manager)
        submit_return(s, actor_manager, "TEST-SIB", "2026-Q3", as_of=AS_OF_Q3)
    return caseload, builder


def copy_claim(conn: Connection, of: str = "2026-Q3", **changed) -> None:
    """A copy of line 1 of the ``of`` return with ``changed`` columns, written straight into
    the table: what a fault in the returns code could write."""
    columns = [c["name"] for c in inspect(conn).get_columns("claims")]
    row = dict(conn.execute(select(Claim.__table__).join(
        OutcomeReturn, OutcomeReturn.id == Claim.return_id).where(
        OutcomeReturn.period == of, Claim.line == 1)).mappings().one())
    conn.execute(insert(Claim.__table__).values(
        {c: row[c] for c in columns} | {"id": str(uuid.uuid4())} | changed))


def test_the_database_itself_refuses_a_second_claim_of_one_achievement(submitted):
    caseload, _ = submitted
    with pytest.raises(IntegrityError, match="claims.contract_id, claims.achievement_key"), \
            caseload.engine.begin() as conn:
        copy_claim(conn, line=14)
    with pytest.raises(IntegrityError), caseload.engine.begin() as conn:  # pending, too
        copy_claim(conn, return_id=None, line=None)
    # What the rule allows: adjustments (a reversal of the claim, and another), claims that
    # name no achievement (any number), and the same key in another contract.
    with caseload.engine.begin() as conn:
        copy_claim(conn, kind="adjustment", achievement_key=None, line=None, return_id=None)
        copy_claim(conn, kind="adjustment", line=None, return_id=None)
        copy_claim(conn, achievement_key=None, line=15)
        copy_claim(conn, achievement_key=None, line=16)
        other = conn.execute(text("INSERT INTO contracts (id, code, name, definition, "
                                  "pseudonym_key, created_at, updated_at) SELECT 'other', "
                                  "'OTHER', name, definition, pseudonym_key, created_at, "
                                  "updated_at FROM contracts RETURNING id")).scalar_one()
        copy_claim(conn, contract_id=other, return_id=None)
    with caseload.reading() as s:
        assert s.scalar(select(func.count()).select_from(Claim)) == 13 + 5


def test_a_reversed_claim_is_never_claimed_again_so_the_guard_never_refuses_a_return(
        submitted, actor_manager):
    """Reversing a claim in full does not free its achievement (the ledger's rule): the next
    return neither claims it again nor trips the index, and submits; the database still
    refuses a second claim of it."""
    caseload, _ = submitted
    with caseload.transaction() as s:
        reversed_key = s.execute(select(Claim.achievement_key).where(
            Claim.line == 1)).scalar_one()
        add_adjustment(s, actor_manager, "TEST-SIB", "2026-Q3:1", reason="not eligible")
    with caseload.transaction() as s:
        q4 = submit_return(s, actor_manager, "TEST-SIB", "2026-Q4", as_of=AS_OF_Q4)
    assert [r.kind for r in q4.rows].count("adjustment") == 1
    with caseload.reading() as s:
        keys = s.execute(select(Claim.achievement_key).where(Claim.kind == "claim")
                         ).scalars().all()
    assert keys.count(reversed_key) == 1 and len(keys) == len(set(keys))
    with pytest.raises(IntegrityError), caseload.engine.begin() as conn:
        copy_claim(conn, return_id=None, line=None)


def test_a_submission_the_database_refuses_says_so_in_words_and_writes_nothing(
        caseload, actor_manager):
    """A claim the ledger's read did not see (as a writer without the hub's lock would have
    left it) holds an achievement this return claims: a clear refusal, not an IntegrityError,
    and no return, claim or audit line written."""
    with caseload.transaction() as s:
        build_caseload(s, actor_manager)
    with caseload.reading() as s:
        draft = build_return(s, actor_manager, "TEST-SIB", "2026-Q3", as_of=AS_OF_Q3)
    line = draft.rows[0]
    with caseload.transaction() as s:
        s.add(Claim(contract_id=s.execute(text("SELECT id FROM contracts")).scalar_one(),
                    outcome_id=line.outcome_id, achievement_key=line.link.achievement_key,
                    achieved_on=line.achieved_on, amount=line.amount, kind="claim"))
    with pytest.raises(UserError) as refused, caseload.transaction() as s:
        submit_return(s, actor_manager, "TEST-SIB", "2026-Q3", as_of=AS_OF_Q3)
    said = str(refused.value)
    assert said.startswith("The 2026-Q3 return of TEST-SIB was not submitted: it claims an "
                           "achievement the claims ledger already holds")
    assert "Nothing was written" in said and line.link.achievement_key not in said
    with caseload.reading() as s:
        assert s.scalar(select(func.count()).select_from(OutcomeReturn)) == 0
        assert s.scalar(select(func.count()).select_from(Claim)) == 1
        assert not s.execute(select(AuditEvent.id).where(
            AuditEvent.action == "return.submit")).first()


def test_one_achievement_found_twice_is_claimed_once(caseload, actor_manager):
    """Two commissioner results for one person and outcome (a person referred twice, then
    merged, keeps both): one achievement, whose key both give. It is claimed once, even where
    the outcome may be claimed twice per person, and the return submits; a first result that
    cannot be claimed (before the contract) does not stop the second."""
    with caseload.transaction() as s:
        _, builder = build_caseload(s, actor_manager)
        document = contract_document()
        for outcome in document["outcomes"]:
            if outcome["id"] == "EXT":
                outcome["max_per_person"] = 2
        save_contract(s, actor_manager, document)
        s.add(ExternalResult(contract_id=builder.contract_id, person_id=builder.people["P14"],
                             outcome_id="EXT", achieved=True, achieved_on=dt.date(2026, 9, 1),
                             value=-900.0, source="ICB match, second file"))
        for result_id, day in (("00000000-first", dt.date(2025, 6, 1)),
                                ("ffffffff-second", dt.date(2026, 9, 5))):
            s.add(ExternalResult(id=result_id, contract_id=builder.contract_id,
                                 person_id=builder.people["P15"], outcome_id="EXT",
                                 achieved=True, achieved_on=day, value=-800.0, source="ICB"))
    with caseload.reading() as s:
        doc = build_return(s, actor_manager, "TEST-SIB", "2026-Q3", as_of=AS_OF_Q3)
    claimed = [r.link.person_id for r in doc.rows if r.outcome_id == "EXT"]
    assert sorted(claimed) == sorted([builder.people["P14"], builder.people["P15"]])
    assert doc.totals.claims == 14
    assert [e.reason for e in doc.exclusions if e.outcome_id == "EXT"] == [
        "achieved outside the contract's dates"]
    with caseload.transaction() as s:
        submit_return(s, actor_manager, "TEST-SIB", "2026-Q3", as_of=AS_OF_Q3)
