"""The claims ledger at the hub (PostgreSQL) is whole pennies: migration 0005 on a 0004 hub,
and claims made on a laptop keep every penny into the hub and out to a manager's laptop."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from alembic import command
from sqlalchemy import select, text

from linkworker import models
from linkworker.hub.create import create_hub
from linkworker.storage import migrate
from linkworker.storage.server import ServerCaseload
from linkworker.sync.online import sync_with_hub
from tests.money_rows import (
    EXPECTED_LOG,
    EXPECTED_PENNIES,
    logged_amounts,
    stored_pennies,
    write_0004_money,
)
from tests.sync.test_hub import _laptop_for, office  # noqa: F401 (office is a fixture)

AMOUNTS = [Decimal("0.30"), Decimal("1234.57"), Decimal("39000.00"), Decimal("0.01")]


def _column_types(conn) -> set[str]:
    return set(conn.execute(text(
        "SELECT data_type FROM information_schema.columns WHERE (table_name, column_name) IN "
        "(('claims', 'amount'), ('returns', 'total_amount'))")).scalars())


def test_migration_0005_turns_a_hubs_real_amounts_into_exact_pennies_and_back(pg_url):
    hub = ServerCaseload.connect(pg_url, upgrade=False)
    try:
        migrate.upgrade_to(hub.engine, "0004")
        with hub.engine.begin() as conn:
            write_0004_money(conn)
        migrate.upgrade_to(hub.engine, "0005")
        with hub.engine.connect() as conn:
            assert stored_pennies(conn) == EXPECTED_PENNIES
            assert logged_amounts(conn) == EXPECTED_LOG
            assert _column_types(conn) == {"bigint"}
        with hub.reading() as s:
            assert s.get(models.Claim, "c-half").amount == Decimal("1234.57")
        command.downgrade(migrate.alembic_config(hub.engine), "0004")  # floats of those pennies
        with hub.engine.connect() as conn:
            assert _column_types(conn) == {"double precision"}
            floats = stored_pennies(conn)
        assert floats["c-tiny"] == 1.01 and floats["r1"] == 40234.87 and floats["r2"] is None
    finally:
        hub.close()


def test_claims_keep_their_pennies_at_the_hub_and_on_a_managers_laptop(
        office, pg_url, tmp_path):  # noqa: F811
    caseload, ids = office
    with caseload.transaction() as s:
        contract = models.Contract(code="PENNY", name="Pennies", definition={},
                                   pseudonym_key="00" * 32)
        s.add(contract)
        s.flush()
        ret = models.OutcomeReturn(contract_id=contract.id, period="2026-Q3",
                                   status="submitted", total_amount=sum(AMOUNTS))
        s.add(ret)
        s.flush()
        s.add_all(models.Claim(return_id=ret.id, contract_id=contract.id,
                               person_id=ids["ruth"], outcome_id="ENG1",
                               achieved_on=dt.date(2026, 8, 1), amount=amount)
                  for amount in AMOUNTS)
    create_hub(caseload, pg_url)
    hub = ServerCaseload.connect(pg_url)
    try:
        with hub.engine.connect() as conn:
            raw = sorted(conn.execute(text("SELECT amount FROM claims")).scalars())
            assert raw == [1, 30, 123457, 3900000]
            assert conn.execute(text("SELECT sum(amount) FROM claims")).scalar_one() == 4023488
        with hub.reading() as s:
            assert s.execute(select(models.OutcomeReturn.total_amount)).scalar_one() == \
                Decimal("40234.88")
    finally:
        hub.close()
    laptop, login_url = _laptop_for(tmp_path, caseload, pg_url, "meg", ids["meg"])
    try:
        sync_with_hub(laptop, login_url)
        with laptop.reading() as s:
            assert sorted(s.execute(select(models.Claim.amount)).scalars()) == sorted(AMOUNTS)
            assert s.execute(select(models.OutcomeReturn.total_amount)).scalar_one() == \
                Decimal("40234.88")
    finally:
        laptop.close()
