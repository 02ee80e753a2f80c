"""``linkworker contract``, ``linkworker return`` and ``linkworker cohort`` end to end."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import cli_sign_in
from openpyxl import load_workbook
from sqlalchemy import select
from test_returns_caseload import CONTRACT, build_caseload

from linkworker.access import SYSTEM
from linkworker.cli import main
from linkworker.models import AuditEvent, Consent, OutcomeReturn, Person
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
    _check_the_document_alone(db, tmp_path, capsys)
    assert run(db, "return", "--contract", "TEST-SIB", "--adjust", "2026-Q3:2",
               "--reason", "duplicate referral") == 0
    assert "Adjustment of -£100.00" in capsys.readouterr().out
    assert run(db, "return", "--contract", "TEST-SIB", "--list") == 0
    assert "2026-Q3" in capsys.readouterr().out


def _check_the_document_alone(db, tmp_path, capsys) -> None:
    """An auditor checks the submitted return's content hash with the file alone, and a
    return stored by an older rule is written out as stored, so it still checks."""
    doc = tmp_path / "q3.document.json"
    assert run(db, "return", "--contract", "TEST-SIB", "--period", "2026-Q3",
               "--out", str(doc)) == 0
    capsys.readouterr()
    assert main(["returns", "verify", str(doc)]) == 0  # no caseload, no sign-in
    assert "(submitted): content hash " in capsys.readouterr().out
    doc.write_text(doc.read_text().replace('"net": "2060.00"', '"net": "2160.00"'))
    assert main(["returns", "verify", str(doc)]) == 1
    assert "altered" in capsys.readouterr().err

    golden = Path(__file__).parent / "fixtures" / "returns_golden" / "q3-submitted.document.json"
    with Caseload.open(db, PASS) as caseload, caseload.transaction() as s:
        s.execute(select(OutcomeReturn)).scalar_one().snapshot = json.loads(golden.read_text())
    assert run(db, "return", "--contract", "TEST-SIB", "--period", "2026-Q3",
               "--out", str(doc)) == 0
    assert json.loads(doc.read_text()) == json.loads(golden.read_text())
    assert main(["returns", "verify", str(doc)]) == 0
    assert "made before it existed: rule 1" in capsys.readouterr().out
    assert run(db, "return", "--contract", "TEST-SIB", "--list") == 0
    assert "DOES NOT CHECK" in capsys.readouterr().out  # the ledger recorded another hash
    with Caseload.open(db, PASS) as caseload, caseload.transaction() as s:
        s.execute(select(OutcomeReturn)).scalar_one().content_hash = json.loads(
            golden.read_text())["content_hash"]
    assert run(db, "return", "--contract", "TEST-SIB", "--list") == 0
    assert "0c4b80d669d7d021 checks" in capsys.readouterr().out


def _submitted_copies(db: Path, count: int, rows_times: int = 40) -> None:
    """The real 2026-Q3 return submitted, then ``count`` later returns whose documents are it
    with its rows repeated (a bigger caseload's), each hashed by rule 2 as submitting does."""
    from linkworker.returns.content_hash import as_stored
    from linkworker.returns.submit import submit_return

    with Caseload.open(db, PASS) as caseload, caseload.transaction() as s:
        submit_return(s, SYSTEM, "TEST-SIB", "2026-Q3", as_of=dt.date(2026, 10, 5))
        first = s.execute(select(OutcomeReturn)).scalar_one()
        big = dict(first.snapshot, rows=first.snapshot["rows"] * rows_times)
        for n in range(count):
            doc, year, quarter = dict(big, content_hash=as_stored(big)), 2030 + n // 4, n % 4
            s.add(OutcomeReturn(contract_id=first.contract_id, period=f"{year}-Q{quarter + 1}",
                                period_start=dt.date(year, 3 * quarter + 1, 1),
                                status="submitted", total_amount=first.total_amount,
                                snapshot=doc, content_hash=doc["content_hash"]))


def _listing_peak(db: Path) -> tuple[int, int]:
    """How many returns ``list_returns`` checks, and the most memory Python held meanwhile."""
    import tracemalloc

    from linkworker.returns.submit import list_returns

    with Caseload.open(db, PASS) as caseload, caseload.reading() as s:
        tracemalloc.start()
        try:
            listed = [r.hash_checks for r in list_returns(s, "TEST-SIB")]
            return sum(listed), tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


def test_listing_years_of_returns_holds_one_document_at_a_time(tmp_path, monkeypatch):
    """``return --list`` checks every submitted return's hash (a tamper check), reading and
    letting go of one document before the next: twelve quarters hold no more memory than two
    (it held every document and a typed copy of each at once)."""
    peaks = {}
    for count in (2, 12):
        db = tmp_path / f"c{count}.db"
        with Caseload.create(db, PASS) as caseload, caseload.transaction() as s:
            build_caseload(s, SYSTEM)
        _submitted_copies(db, count)
        checked, peaks[count] = _listing_peak(db)
        assert checked == count + 1
    assert peaks[12] < peaks[2] * 1.3, peaks


def test_return_list_prints_each_return_with_its_check_in_period_order(db, capsys):
    _submitted_copies(db, 3, rows_times=1)
    with Caseload.open(db, PASS) as caseload, caseload.transaction() as s:
        altered = s.execute(select(OutcomeReturn).where(OutcomeReturn.period == "2030-Q2")
                            ).scalar_one()
        altered.snapshot = dict(altered.snapshot, equality_note="edited after submission")
    assert run(db, "return", "--contract", "TEST-SIB", "--list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == ["2026-Q3", "2030-Q1", "2030-Q2", "2030-Q3"]
    assert [line.endswith(" checks") for line in lines] == [True, True, False, True]
    assert "13 claims, £2,060.00" in lines[0] and "submitted 2026-10-05 by " in lines[0]


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


@pytest.mark.parametrize("period", ["9999-Q4", "0000-Q1", "0000-01", "9999-12-01..9999-12-31",
                                    "2026-Q3" * 10_000])
def test_impossible_periods_are_one_clear_line(db, capsys, period):
    assert run(db, "return", "--contract", "TEST-SIB", "--period", period) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_an_unwritable_out_is_refused_before_anything_is_submitted(db, tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    out = blocker / "return.xlsx"
    assert run(db, "return", "--contract", "TEST-SIB", "--period", "2026-Q3", "--as-of",
               "2026-10-05", "--out", str(out), "--submit") == 2
    err = capsys.readouterr().err
    assert "Cannot write" in err and "Traceback" not in err
    with Caseload.open(db, PASS) as caseload, caseload.reading() as s:
        assert s.execute(select(OutcomeReturn)).first() is None


def test_a_failing_out_after_submit_leaves_nothing_claiming_a_submit_that_did_not_happen(
        db, tmp_path, capsys, monkeypatch):
    """The second file cannot be written (disk full). The submit has committed, so the first
    file's SUBMITTED is true; the message says so and how to write the rest."""
    from linkworker.returns import export as export_module

    real, calls = export_module.atomic_write_bytes, []

    def disk_full_on_second(path, data):
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real(path, data)

    monkeypatch.setattr(export_module, "atomic_write_bytes", disk_full_on_second)
    first, second = tmp_path / "r.csv", tmp_path / "r.json"
    assert run(db, "return", "--contract", "TEST-SIB", "--period", "2026-Q3", "--as-of",
               "2026-10-05", "--out", str(first), "--out", str(second), "--submit") == 2
    err = capsys.readouterr().err
    assert "WAS submitted" in err and "No space left" in err
    assert not second.exists() and not list(tmp_path.glob(".r.json.*"))
    with Caseload.open(db, PASS) as caseload, caseload.reading() as s:
        assert s.execute(select(OutcomeReturn.status)).scalar_one() == "submitted"
        assert s.execute(select(AuditEvent).where(AuditEvent.action == "return.export")
                         ).scalars().all() != []


def test_a_draft_build_from_the_command_line_is_audited(db, capsys):
    assert run(db, "return", "--contract", "TEST-SIB", "--period", "2026-Q3",
               "--as-of", "2026-10-05") == 0
    with Caseload.open(db, PASS) as caseload, caseload.reading() as s:
        assert s.execute(select(AuditEvent).where(AuditEvent.action == "return.build")
                         ).scalars().first() is not None


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-Infinity"])
def test_contract_numbers_must_be_finite(tmp_path, capsys, bad):
    text = json.dumps(CONTRACT).replace('"price": 100', f'"price": {bad}', 1)
    path = tmp_path / "c.json"
    path.write_text(text, "utf-8")
    assert main(["contract", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert bad in err and "not a number a contract can use" in err and "Traceback" not in err


def test_nan_in_a_contract_given_as_data_is_refused(actor_manager):
    from linkworker.outcomes.contract import ContractFileError, parse_contract

    doc = json.loads(json.dumps(CONTRACT))
    doc["outcomes"][0]["price"] = float("nan")
    doc["caps"] = {"total_amount": float("inf")}
    with pytest.raises(ContractFileError) as caught:
        parse_contract(doc)
    assert any("outcomes[0].price" in p and "NaN" in p for p in caught.value.problems)
    assert any("caps.total_amount" in p for p in caught.value.problems)


def test_deeply_nested_contract_json_is_one_clear_line(tmp_path, capsys):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, "utf-8")
    assert main(["contract", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "deep" in err and "Traceback" not in err
    path.write_text('{"code": ' + "[" * 50 + "]" * 50 + "}", "utf-8")
    assert main(["contract", "check", str(path)]) == 2
    assert "nests more than" in capsys.readouterr().err


def test_an_impossible_out_name_is_one_clear_line(db, tmp_path, capsys):
    out = tmp_path / ("a" * 300 + ".csv")
    assert run(db, "return", "--contract", "TEST-SIB", "--period", "2026-Q3",
               "--out", str(out), "--submit") == 2
    err = capsys.readouterr().err
    assert "Cannot write" in err and "Traceback" not in err
    with Caseload.open(db, PASS) as caseload, caseload.reading() as s:
        assert s.execute(select(OutcomeReturn)).first() is None
