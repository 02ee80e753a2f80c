"""The first change log of a caseload made before sync: SQL (SQLite) and Python agree exactly.

``baseline_sql`` stores its inserts without data, and ``dataless.fill`` builds each one's JSON in
SQLite from the stored columns; ``baseline_rows`` is the record-by-record reference
(SQLAlchemy's types, then ``tables.encode``). Both run on copies of one demo caseload with every
kind of column (money, a time, booleans, JSON, nulls, datetimes with and without microseconds)
and must record the same changes.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import uuid
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, update

from linkworker import models
from linkworker.demo import generate
from linkworker.storage.database import Caseload
from linkworker.sync import baseline, clock, state
from linkworker.sync.changelog import CHANGES, DEFAULT, ROWS
from linkworker.sync.dataless import fill
from tests.conftest import TEST_PASSPHRASE


def _with_odd_values(caseload: Caseload) -> None:
    """Rows no demo writes: claims with pennies (negative too), a return, a time of day."""
    now = dt.datetime(2026, 11, 2, 9, 30, 0)
    with caseload.engine.begin() as conn:  # Core, as the importers: no change recorded
        contract = conn.execute(select(models.Contract.id)).scalar()
        person, episode = conn.execute(select(models.Episode.person_id, models.Episode.id)).first()
        returned = str(uuid.uuid4())
        conn.execute(models.OutcomeReturn.__table__.insert().values(
            id=returned, contract_id=contract, period="2026-Q3", status="submitted",
            submitted_at=now.replace(microsecond=123456), total_amount=Decimal("-0.05"),
            snapshot=None, created_at=now, updated_at=now))
        for amount, late in ((Decimal("123.45"), True), (Decimal("1.00"), False),
                             (Decimal("0.00"), False)):
            conn.execute(models.Claim.__table__.insert().values(
                id=str(uuid.uuid4()), return_id=returned, contract_id=contract, person_id=person,
                episode_id=episode, outcome_id="o1", achieved_on=dt.date(2026, 9, 1), late=late,
                amount=amount, evidence={"forms": [1, 2.5, None], "ok": True},
                created_at=now, updated_at=now))
        conn.execute(models.Contact.__table__.update().where(
            models.Contact.id == conn.execute(select(models.Contact.id)).scalar()).values(
            start_time=dt.time(14, 5, 9, 7)))


def _log(caseload: Caseload, dataless: bool = False) -> tuple[dict, dict, list[str]]:
    with caseload.engine.connect() as conn:
        changes = conn.execute(select(CHANGES).order_by(CHANGES.c.seq)).all()
        assert all((c.data is None) == (dataless and c.user_id == "u-1") for c in changes)
        changes = [SimpleNamespace(**c) for c in fill(
            conn, [dict(c._mapping) for c in changes])]
        heads = {(r.table_name, r.row_id): (r.heads, r.deleted) for r in conn.execute(select(ROWS))}
        stamp = state.last_stamp(conn)
    by_row = {(c.table_name, c.row_id): c for c in changes}
    assert len(by_row) == len(changes)  # one change per record
    for key, change in by_row.items():
        assert heads[key] == ({DEFAULT: [change.change_id]}, False)
        assert clock.Stamp.parse(change.change_id) <= stamp
    ids = [c.change_id for c in changes]
    assert len(set(ids)) == len(ids)
    ids = [c.change_id for c in changes if c.user_id == "u-1"]  # the baseline's own
    return ({k: (c.op, c.person_id, c.user_id, c.bases, c.applied, c.data)
             for k, c in by_row.items()}, heads, ids)


def test_the_sql_baseline_records_what_the_python_one_does(tmp_path, monkeypatch):
    monkeypatch.setattr(baseline, "BIG", 1000)  # as a first adoption: indexes made again
    python_path, sql_path = tmp_path / "python.db", tmp_path / "sql.db"
    with Caseload.create(python_path, TEST_PASSPHRASE) as caseload:
        generate(caseload, people=25, seed=3, today=dt.date(2026, 11, 20))
        _with_odd_values(caseload)
    shutil.copyfile(python_path, sql_path)
    shutil.copyfile(f"{python_path}.key", f"{sql_path}.key")
    counts = {}
    for path, write in ((python_path, baseline.baseline_rows), (sql_path, baseline.baseline_sql)):
        with Caseload.open(path, TEST_PASSPHRASE) as caseload, caseload.transaction() as s:
            before = state.last_stamp(s.connection())
            counts[path] = write(s.connection(), user_id="u-1")
            assert write(s.connection()) == 0  # once only
    assert counts[python_path] == counts[sql_path] > 2000
    with Caseload.open(python_path, TEST_PASSPHRASE) as a, \
            Caseload.open(sql_path, TEST_PASSPHRASE) as b:
        expected, _, _ = _log(a)
        found, _, ids = _log(b, dataless=True)
        with b.engine.connect() as conn:
            indexes = set(conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE tbl_name = 'sync_changes'").scalars())
        assert b.integrity_problems(quick=False) == []
    assert set(baseline.RANDOM_INDEXES) <= indexes
    assert found.keys() == expected.keys()
    for key, value in expected.items():
        assert found[key] == value, key
    assert before is None or all(clock.Stamp.parse(i) > before for i in ids)
    assert len(ids) == counts[sql_path] and ids == sorted(ids)  # in the order written
    claims = [v[5] for k, v in found.items() if k[0] == "claims"]
    assert sorted(c["amount"] for c in claims) == ["0.00", "1.00", "123.45"]
    assert any(v[5]["total_amount"] == "-0.05" and v[5]["submitted_at"].endswith(".123456")
               for k, v in found.items() if k[0] == "returns")
    assert json.dumps(claims[0]["evidence"]) == '{"forms": [1, 2.5, null], "ok": true}'


def test_the_sql_baseline_numbers_past_a_full_millisecond(tmp_path):
    """More records than one millisecond of the clock holds: the wall moves on, ids stay in
    order, and the saved clock is the last id (later local changes sort after it)."""
    with Caseload.create(tmp_path / "c.db", TEST_PASSPHRASE) as caseload:
        with caseload.engine.begin() as conn:
            conn.execute(models.Setting.__table__.insert(), [
                {"key": f"k{i}", "value": i, "updated_at": dt.datetime(2026, 1, 1)}
                for i in range(30)])
        with caseload.transaction() as s:
            conn = s.connection()
            device = state.device_id(conn)
            state.save_stamp(conn, clock.Stamp(clock.now_ms() + 60_000, 999_990, device))
            assert baseline.baseline_sql(conn) >= 30
            ids = list(conn.execute(select(CHANGES.c.change_id)
                                    .order_by(CHANGES.c.seq)).scalars())
            last = state.last_stamp(conn)
    stamps = [clock.Stamp.parse(i) for i in ids]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    assert stamps[0].counter == 999_991 and stamps[-1] == last
    assert stamps[-1].wall_ms == stamps[0].wall_ms + 1


def test_a_dataless_insert_is_given_its_values_before_the_record_changes(tmp_path):
    """The record stands for its first insert only while unchanged: an edit through a
    session, an UPDATE statement and a delete each store the values as they were first."""
    with Caseload.create(tmp_path / "c.db", TEST_PASSPHRASE) as caseload:
        with caseload.engine.begin() as conn:
            conn.execute(models.Setting.__table__.insert(), [
                {"key": f"k{i}", "value": {"n": i}, "updated_at": dt.datetime(2026, 1, 1)}
                for i in range(4)])
        with caseload.transaction() as s:
            assert baseline.baseline_sql(s.connection()) == 4
        with caseload.transaction() as s:
            s.get(models.Setting, "k0").value = {"n": 10}
            s.delete(s.get(models.Setting, "k1"))
            s.execute(update(models.Setting).where(models.Setting.key == "k2")
                      .values(value={"n": 12}))
        with caseload.engine.connect() as conn:
            stored = dict(conn.execute(select(CHANGES.c.row_id, CHANGES.c.data).where(
                CHANGES.c.op == "insert")).all())
    assert stored == {"k0": {"key": "k0", "value": {"n": 0}, "updated_at": "2026-01-01T00:00:00"},
                      "k1": {"key": "k1", "value": {"n": 1}, "updated_at": "2026-01-01T00:00:00"},
                      "k2": {"key": "k2", "value": {"n": 2}, "updated_at": "2026-01-01T00:00:00"},
                      "k3": None}  # untouched: still the record as stored


def test_a_first_log_cut_short_between_tables_is_finished_by_the_next_run(tmp_path,
                                                                          monkeypatch):
    """``prepare`` commits table by table: killed after some tables (here: an error on the
    third), those stay logged, the rest are logged next time, and the by-person and
    by-record indexes dropped for a big log come back."""
    monkeypatch.setattr(baseline, "BIG", 10)
    with Caseload.create(tmp_path / "c.db", TEST_PASSPHRASE) as caseload:
        generate(caseload, people=3, seed=5, today=dt.date(2026, 11, 20))
        real, calls = baseline.baseline_sql, []

        def third_fails(conn, user_id=None, only=None):
            calls.append(only)
            if len(calls) == 3:
                raise RuntimeError("cut short")
            return real(conn, user_id, only)

        monkeypatch.setattr(baseline, "baseline_sql", third_fails)
        with pytest.raises(RuntimeError):
            baseline.prepare(caseload)
        monkeypatch.setattr(baseline, "baseline_sql", real)
        with caseload.engine.connect() as conn:
            assert state.get(conn, baseline.RESTORE)  # the indexes are away, and named
            logged = {r for r, in conn.execute(select(ROWS.c.table_name).distinct())}
        assert {calls[0][0], calls[1][0]} <= logged and calls[2][0] not in logged
        assert baseline.prepare(caseload) > 0
        with caseload.transaction() as s:
            assert baseline.baseline(s.connection()) == 0  # everything logged, once
        with caseload.engine.connect() as conn:
            indexes = set(conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE tbl_name = 'sync_changes'").scalars())
            assert not state.get(conn, baseline.RESTORE)
            rows = conn.execute(select(func.count()).select_from(ROWS)).scalar()
            changes = conn.execute(select(func.count()).select_from(CHANGES)).scalar()
        assert set(baseline.RANDOM_INDEXES) <= indexes and rows == changes
