"""Money at rest is whole pennies: exact through a real SQLCipher file, floats refused, a 0004
caseload's REAL amounts upgraded to the pennies the app always showed, and the sync change log
carrying the exact amount from one caseload to another."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import StatementError

from linkworker import models
from linkworker.storage import migrate
from linkworker.storage.database import Caseload
from linkworker.storage.pence import from_pence, to_pence
from linkworker.sync.changelog import CHANGES
from tests.conftest import TEST_PASSPHRASE
from tests.money_rows import (
    EXPECTED_LOG,
    EXPECTED_PENNIES,
    logged_amounts,
    stored_pennies,
    write_0004_money,
)
from tests.sync.conftest import send

CASELOADS = Path(__file__).parent / "fixtures" / "caseloads"
FIXTURE_PASSPHRASE = "fixture caseload passphrase"  # as in caseloads/make_caseload.py

# Any amount a ledger may hold: pounds and pence, either sign, up to a billion pounds.
AMOUNTS = st.decimals(min_value=Decimal("-999999999.99"), max_value=Decimal("999999999.99"),
                      places=2, allow_nan=False, allow_infinity=False)


def _contract(s) -> str:
    contract = models.Contract(code="PENNY", name="Pennies", definition={},
                               pseudonym_key="00" * 32)
    s.add(contract)
    s.flush()
    return contract.id


def _claim(contract_id: str, amount) -> models.Claim:
    return models.Claim(contract_id=contract_id, outcome_id="ENG1", unit=1,
                        achieved_on=dt.date(2026, 8, 1), amount=amount)


@pytest.fixture
def money_caseload(caseload):
    with caseload.transaction() as s:
        contract_id = _contract(s)
    return caseload, contract_id


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amount=AMOUNTS)
def test_any_amount_in_pounds_and_pence_reads_back_exactly(money_caseload, amount):
    caseload, contract_id = money_caseload
    with caseload.transaction() as s:
        claim = _claim(contract_id, amount)
        s.add(claim)
        s.flush()
        claim_id = claim.id
    with caseload.reading() as s:  # a new session: the value comes from the file
        back = s.get(models.Claim, claim_id).amount
        stored = s.execute(text("SELECT amount, typeof(amount) FROM claims WHERE id = :i"),
                           {"i": claim_id}).one()
    assert back == amount and isinstance(back, Decimal)
    assert back.as_tuple().exponent == -2  # always two places, as money is shown
    assert tuple(stored) == (int(amount * 100), "integer")


def test_sums_are_exact_where_floats_drift(money_caseload):
    caseload, contract_id = money_caseload
    with caseload.transaction() as s:
        s.add_all(_claim(contract_id, Decimal("0.10")) for _ in range(1000))
    with caseload.reading() as s:
        total = s.execute(select(func.sum(models.Claim.amount))).scalar_one()
    assert total == Decimal("100.00") and sum([0.1] * 1000) != 100.0


def test_a_float_is_refused_and_nothing_is_written(money_caseload):
    caseload, contract_id = money_caseload
    with pytest.raises(TypeError, match="not float 0.3"), caseload.transaction() as s:
        s.add(_claim(contract_id, Decimal("0.30")))
        s.add(_claim(contract_id, 0.3))
    with pytest.raises(ValueError, match="fraction of a penny"), caseload.transaction() as s:
        s.add(_claim(contract_id, Decimal("1.005")))
    ret = models.OutcomeReturn(contract_id=contract_id, period="2026-Q3")
    with pytest.raises(TypeError, match="not float"):
        ret.total_amount = 12.5
    # A Core insert, past the records, meets the same check in the column type.
    row = {"id": "x", "contract_id": contract_id, "outcome_id": "ENG1", "unit": 1,
           "achieved_on": dt.date(2026, 8, 1), "late": False, "kind": "claim", "amount": 0.1}
    with pytest.raises(StatementError) as raised, caseload.transaction() as s:
        s.execute(insert(models.Claim.__table__), [row])
    assert isinstance(raised.value.orig, TypeError)
    with caseload.reading() as s:
        assert s.execute(select(func.count()).select_from(models.Claim)).scalar_one() == 0


def test_pennies_convert_both_ways():
    assert (to_pence(Decimal("-50.10")), to_pence(12), to_pence(Decimal("7"))) == (-5010, 1200,
                                                                                    700)
    assert str(from_pence(123457)) == "1234.57" and str(from_pence(0)) == "0.00"
    for wrong in (True, "1.00", 1.0, None):
        with pytest.raises(TypeError):
            to_pence(wrong)
    with pytest.raises(ValueError, match="not an amount"):
        to_pence(Decimal("NaN"))


def test_a_0004_caseload_with_awkward_amounts_upgrades_to_the_pennies_it_showed(
        tmp_path, no_keyring):
    path = tmp_path / "caseload.db"
    for name in ("caseload.db", "caseload.db.key"):
        shutil.copyfile(CASELOADS / "0004" / name, tmp_path / name)
    with Caseload.open(path, FIXTURE_PASSPHRASE, upgrade=False) as old, \
            old.engine.begin() as conn:
        write_0004_money(conn)
        assert conn.execute(text("SELECT typeof(amount) FROM claims")).scalars().all() == [
            "real"] * 5
    with Caseload.open(path, FIXTURE_PASSPHRASE) as caseload:
        assert migrate.current_revision(caseload.engine) == migrate.head_revision()
        with caseload.engine.connect() as conn:
            pennies = stored_pennies(conn)
            types = set(conn.execute(text("SELECT typeof(amount) FROM claims")).scalars())
            log = logged_amounts(conn)
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        assert pennies == EXPECTED_PENNIES and types == {"integer"}
        assert log == EXPECTED_LOG  # the change log carries decimal text, never a float
        with caseload.reading() as s:
            amounts = dict(s.execute(select(models.Claim.id, models.Claim.amount)).all())
            total = s.get(models.OutcomeReturn, "r1").total_amount
            assert s.get(models.Claim, "c-back").adjusts_claim_id == "c-big"
        assert amounts["c-half"] == Decimal("1234.57") and amounts["c-sum"] == Decimal("0.30")
        assert amounts["c-tiny"] == Decimal("1.01") and amounts["c-back"] == Decimal("-50.10")
        assert total == Decimal("40234.87")
        command.downgrade(migrate.alembic_config(caseload.engine), "0004")
        with caseload.engine.connect() as conn:
            floats = stored_pennies(conn)
            types = set(conn.execute(text("SELECT typeof(amount) FROM claims")).scalars())
        assert types == {"real"} and floats["c-half"] == 1234.57 and floats["r2"] is None


def test_the_change_log_carries_the_exact_amount_to_another_caseload(tmp_path):
    source = Caseload.create(tmp_path / "hub-side.db", TEST_PASSPHRASE)
    target = Caseload.create(tmp_path / "laptop.db", TEST_PASSPHRASE)
    try:
        amounts = [Decimal("0.30"), Decimal("1234.57"), Decimal("39000.00"), Decimal("-0.01")]
        with source.transaction() as s:
            contract_id = _contract(s)
            claims = [_claim(contract_id, a) for a in amounts]
            s.add_all(claims)
            s.add(models.OutcomeReturn(contract_id=contract_id, period="2026-Q3",
                                       total_amount=sum(amounts)))
        with source.engine.connect() as conn:
            logged = [d["amount"] for d in conn.execute(select(CHANGES.c.data).where(
                CHANGES.c.table_name == "claims")).scalars()]
        assert sorted(logged) == sorted(f"{a:.2f}" for a in amounts)
        send(source, target)
        with target.reading() as s:
            got = sorted(s.execute(select(models.Claim.amount)).scalars())
            total = s.execute(select(models.OutcomeReturn.total_amount)).scalar_one()
        assert got == sorted(amounts) and total == Decimal("40234.86")
    finally:
        source.close()
        target.close()
