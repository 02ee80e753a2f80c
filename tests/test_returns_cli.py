"""``linkworker contract``, ``linkworker return`` and ``linkworker cohort`` end to end."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import cli_sign_in
from openpyxl import load_workbook
from sqlalchemy import select
from test_returns_caseload import CONTRACT, build_caseload

from linkworker.access import SYSTEM
from linkworker.cli import main
from linkworker.models import Consent, Person
from linkworker.storage import keys
from linkworker.storage.database import Caseload

PASS = "correct horse battery"


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv(keys.PASSPHRASE_ENV, PASS)
    path = tmp_path / "c.db"
    with Caseload.create(path, PASS) as caseload, caseload.transaction() as s:
        build_caseload(s, SYSTEM)
    cli_sign_in(monkeypatch, path, "manager", PASS)
    return path


def run(db, *args) -> int:
    return main(["--db", str(db), *args])


def test_contract_check_reports_each_field(tmp_path, capsys):
    bad = dict(CONTRACT, start="next year")
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    assert main(["contract", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "start: must be a date written YYYY-MM-DD" in err and "Traceback" not in err
    good = tmp_path / "good.json"
    good.write_text(json.dumps(CONTRACT), encoding="utf-8")
    assert main(["contract", "check", str(good)]) == 0
    assert "OK - TEST-SIB, 8 outcomes" in capsys.readouterr().out


def test_contract_add_and_list(db, tmp_path, capsys):
    path = tmp_path / "c.json"
    path.write_text(json.dumps(dict(CONTRACT, code="SECOND")), encoding="utf-8")
    assert run(db, "contract", "add", str(path)) == 0
    assert run(db, "contract", "list") == 0
    out = capsys.readouterr().out
    assert "SECOND" in out and "TEST-SIB" in out and "18 journeys" in out


def test_return_export_submit_regenerate_and_adjust(db, tmp_path, capsys):
    draft = tmp_path / "draft.xlsx"
    assert run(db, "return", "--contract", "TEST-SIB", "--period", "2026-Q3",
               "--as-of", "05/10/2026", "--out", str(draft)) == 0
    out = capsys.readouterr().out
    assert "(draft): 13 claims for 9 people, net £2,060.00" in out
    assert len(list(load_workbook(draft)["Claims"].iter_rows())) == 14

    first, second = tmp_path / "q3.pdf", tmp_path / "q3-again.pdf"
    assert run(db, "return", "--contract", "TEST-SIB", "--period", "2026-Q3", "--as-of",
               "2026-10-05", "--out", str(first), "--out", str(tmp_path / "q3.csv"),
               "--submit") == 0
    assert "(SUBMITTED)" in capsys.readouterr().out
    assert run(db, "return", "--contract", "TEST-SIB", "--period", "2026-Q3",
               "--out", str(second)) == 0
    assert first.read_bytes() == second.read_bytes()

    assert run(db, "return", "--contract", "TEST-SIB", "--period", "2026-Q3", "--submit") == 2
    assert "already submitted" in capsys.readouterr().err
    assert run(db, "return", "--contract", "TEST-SIB", "--adjust", "2026-Q3:2",
               "--reason", "duplicate referral") == 0
    assert "Adjustment of -£100.00" in capsys.readouterr().out
    assert run(db, "return", "--contract", "TEST-SIB", "--list") == 0
    assert "2026-Q3" in capsys.readouterr().out


def test_bad_period_and_unknown_contract_are_clear_errors(db, capsys):
    assert run(db, "return", "--contract", "TEST-SIB", "--period", "Q9") == 2
    assert "is not a period" in capsys.readouterr().err
    assert run(db, "return", "--contract", "NOPE", "--period", "2026-Q3") == 2
    assert "No contract 'NOPE'" in capsys.readouterr().err


def test_cohort_export_and_results_import(db, tmp_path, capsys):
    with Caseload.open(db, PASS) as caseload, caseload.transaction() as s:
        p1 = s.execute(select(Person.id).where(Person.reference == "P1")).scalar_one()
        s.add(Consent(person_id=p1, kind="external_matching", given=True,
                      recorded_on=dt.date(2026, 1, 1)))
    cohort = tmp_path / "cohort.csv"
    assert run(db, "cohort", "export", "--contract", "TEST-SIB", "--out", str(cohort)) == 0
    lines = cohort.read_text("utf-8").splitlines()
    assert len(lines) == 2 and lines[0].startswith("pseudonym,nhs_number")
    pseudo = lines[1].split(",")[0]
    results = tmp_path / "results.csv"
    results.write_text(f"pseudonym,achieved,achieved_on,value\n{pseudo},yes,15/09/2026,-800\n",
                       encoding="utf-8")
    assert run(db, "cohort", "import", "--contract", "TEST-SIB", str(results),
               "--outcome", "EXT") == 0
    assert "1 results added" in capsys.readouterr().out
    out = tmp_path / "r.csv"
    assert run(db, "return", "--contract", "TEST-SIB", "--period", "2026-Q3", "--as-of",
               "2026-10-05", "--out", str(out)) == 0
    assert "14 claims" in capsys.readouterr().out
