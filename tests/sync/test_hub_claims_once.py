""""Never the same outcome claimed twice" held by the hub's PostgreSQL too (migration 0012),
worded when it refuses, refused before a hub whose ledger already claims twice is upgraded,
and never tripped on a manager's laptop by what the hub sends it, copied or replayed."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import func, insert, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from linkworker import models
from linkworker.hub.create import create_hub
from linkworker.returns.submit import add_adjustment
from linkworker.storage import migrate
from linkworker.storage.database import Caseload, UpgradeRefused
from linkworker.storage.server import ServerCaseload
from linkworker.sync.online import sync_with_hub
from tests.sync.test_hub import _laptop_for
from tests.sync.test_hub_returns import (  # noqa: F401 (team is a fixture)
    _built,
    _manager,
    hub_return,
    submit_return_at,
    team,
)

GUARD = "uq_claims_achievement_once"


def _copy_claim(conn: Connection, period: str, **changed) -> None:
    """Line 1 of the ``period`` return again, with ``changed`` columns, written straight
    into the claims table (as a fault in the returns code, or a writer without the lock)."""
    columns = [c["name"] for c in inspect(conn).get_columns("claims")]
    row = dict(conn.execute(select(models.Claim.__table__).join(
        models.OutcomeReturn, models.OutcomeReturn.id == models.Claim.return_id).where(
        models.OutcomeReturn.period == period, models.Claim.line == 1)).mappings().one())
    conn.execute(insert(models.Claim.__table__).values(
        {c: row[c] for c in columns} | {"id": str(uuid.uuid4())} | changed))


def _claim_keys(caseload: Caseload) -> list[tuple]:
    with caseload.reading() as s:
        return sorted(s.execute(select(models.Claim.id, models.Claim.kind,
                                       models.Claim.achievement_key, models.Claim.return_id,
                                       models.Claim.amount)).all())


def test_the_hub_refuses_a_second_claim_itself_and_hub_return_says_so_in_words(
        team, pg_url, capsys):  # noqa: F811
    """A claim the ledger's read cannot see (no return yet, as a writer without the hub's
    lock would leave it) holds what Q3 claims first: ``hub return --submit`` is refused in
    words, with nothing written; the hub's own index refuses a direct second claim."""
    laptop, ids = team
    create_hub(laptop, pg_url)
    with ServerCaseload.connect(pg_url) as hub:
        first = next(r for r in _built(hub, _manager(ids), "2026-Q3").rows if r.is_claim)
        with hub.reading() as s:
            contract_id = s.execute(select(models.Contract.id)).scalar_one()
        claim = {"contract_id": contract_id, "outcome_id": first.outcome_id, "kind": "claim",
                 "achievement_key": first.link.achievement_key, "achieved_on": first.achieved_on,
                 "amount": 0, "unit": 1, "late": False, "created_at": dt.datetime(2026, 10, 1),
                 "updated_at": dt.datetime(2026, 10, 1)}
        with hub.engine.begin() as conn:
            conn.execute(insert(models.Claim.__table__).values(id=str(uuid.uuid4()), **claim))
        with pytest.raises(IntegrityError, match=GUARD), hub.engine.begin() as conn:
            conn.execute(insert(models.Claim.__table__).values(id=str(uuid.uuid4()), **claim))
        with hub.engine.connect() as conn:
            made = conn.execute(text("SELECT indexdef FROM pg_indexes WHERE indexname = :n"),
                                {"n": GUARD}).scalar_one()
        assert made.startswith("CREATE UNIQUE INDEX") and "(kind)::text = 'claim'" in made
    assert hub_return(pg_url, "--period", "2026-Q3", "--as-of", "05/10/2026", "--by", "meg",
                      "--submit") == 2
    said = capsys.readouterr().err
    assert ("The 2026-Q3 return of TEST-SIB was not submitted: it claims an achievement the "
            "claims ledger already holds") in said
    assert "Traceback" not in said and "IntegrityError" not in said
    assert first.link.achievement_key not in said
    with ServerCaseload.connect(pg_url) as hub, hub.reading() as s:
        assert s.scalar(select(func.count()).select_from(models.OutcomeReturn)) == 0
        assert s.scalar(select(func.count()).select_from(models.Claim)) == 1


def test_a_hub_whose_ledger_already_claims_twice_is_not_upgraded_and_is_told_why(
        team, pg_url):  # noqa: F811
    """A hub at 0011 (made before this version) holding one achievement claimed twice: the
    upgrade is refused before anything runs, naming the contract, outcome and claims; once
    the ledger is corrected, the same connect upgrades it and the guard is there."""
    laptop, ids = team
    create_hub(laptop, pg_url)
    with ServerCaseload.connect(pg_url) as hub:
        submit_return_at(hub, ids, "2026-Q3")
        with hub.engine.begin() as conn:
            conn.execute(text(f"DROP INDEX {GUARD}"))
            conn.execute(text("UPDATE alembic_version SET version_num = '0011'"))
            _copy_claim(conn, "2026-Q3", line=14)
    with pytest.raises(UpgradeRefused) as refused:
        ServerCaseload.connect(pg_url)
    said = str(refused.value)
    assert said.startswith("The hub at postgresql")
    assert "contract TEST-SIB, outcome" in said and "(2 claims: 2026-Q3:1, 2026-Q3:14)" in said
    hub = ServerCaseload.connect(pg_url, upgrade=False)
    try:
        assert migrate.current_revision(hub.engine) == "0011"
        with hub.engine.begin() as conn:
            conn.execute(text("DELETE FROM claims WHERE line = 14"))  # as support would
    finally:
        hub.close()
    with ServerCaseload.connect(pg_url) as hub, hub.engine.connect() as conn:
        assert migrate.current_revision(hub.engine) == migrate.head_revision()
        assert conn.execute(text("SELECT count(*) FROM pg_indexes WHERE indexname = :n"),
                            {"n": GUARD}).scalar_one() == 1


@pytest.mark.parametrize("bulk", [True, False], ids=["copied", "replayed"])
def test_a_managers_laptop_takes_the_hubs_ledger_reversal_and_later_returns_under_the_guard(
        team, pg_url, tmp_path, bulk):  # noqa: F811
    """Q3 submitted at the hub, a new manager's laptop syncs (its first replica copied in bulk,
    or the log replayed); then at the hub Q3's first claim is reversed in full and Q4 is
    submitted (the reversal goes into it, its claims are new achievements: a reversal never
    frees one), and the laptop syncs again. It ends with the hub's ledger exactly, never
    tripping its own guard on the way, and its database refuses a second claim too."""
    office, ids = team
    create_hub(office, pg_url)
    with ServerCaseload.connect(pg_url) as hub:
        submit_return_at(hub, ids, "2026-Q3")
    laptop, url = _laptop_for(tmp_path, office, pg_url, "meg", ids["meg"])
    try:
        sync_with_hub(laptop, url, bulk=bulk)
        with ServerCaseload.connect(pg_url) as hub:
            with hub.transaction() as s:
                add_adjustment(s, _manager(ids), "TEST-SIB", "2026-Q3:1", reason="not eligible")
                result = s.execute(select(models.ExternalResult).where(
                    models.ExternalResult.achieved.is_(False))).scalar_one()
                result.achieved, result.achieved_on = True, dt.date(2026, 11, 2)  # new in Q4
            submit_return_at(hub, ids, "2026-Q4")
            at_hub = _claim_keys(hub)
        sync_with_hub(laptop, url, bulk=bulk)
        assert _claim_keys(laptop) == at_hub
        kinds = [kind for _, kind, *_ in at_hub]
        assert kinds.count("adjustment") == 1 and kinds.count("claim") == 14
        with laptop.reading() as s:
            keys = s.execute(select(models.Claim.achievement_key).where(
                models.Claim.kind == "claim")).scalars().all()
            assert len(keys) == len(set(keys))
            assert s.scalar(select(func.count()).select_from(models.OutcomeReturn)) == 2
        with pytest.raises(IntegrityError), laptop.engine.begin() as conn:
            _copy_claim(conn, "2026-Q4", return_id=None)
    finally:
        laptop.close()
