"""A charity's own messy people-and-referral sheet imports in one step, with every bad row
named (row, column, value, what to do), through the command line and through the wizard's
state machine (issue 12). The sheet is written by fixtures/import/make_charity_sheet.py."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
from pathlib import Path

from conftest import cli_as_first_admin
from sqlalchemy import select

from linkworker.cli import main
from linkworker.io.wizard import ImportFlow, Step
from linkworker.models import Episode, Person
from linkworker.storage import keys
from linkworker.storage.database import Caseload

FIXTURES = Path(__file__).parent / "fixtures" / "import"
SHEET = FIXTURES / "charity_people_referrals.xlsx"
TODAY = dt.date(2026, 3, 1)


def _planted() -> list[tuple[int, str]]:
    spec = importlib.util.spec_from_file_location("make_charity_sheet",
                                                  FIXTURES / "make_charity_sheet.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.bad_cells()


BAD = _planted()
GOOD = 11 - len(BAD)


def _stored(caseload: Caseload) -> dict[str, tuple]:
    with caseload.reading() as s:
        rows = s.execute(select(Person.given_name, Episode.referral_date,
                                Episode.referral_source, Episode.referrer_organisation)
                         .join(Episode, Episode.person_id == Person.id)).all()
    return {name: (referred, source, org) for name, referred, source, org in rows}


def _check_stored(caseload: Caseload) -> None:
    stored = _stored(caseload)
    assert len(stored) == GOOD
    assert stored["Mary"] == (dt.date(2025, 9, 1), "gp", None)
    assert stored["Peter"] == (dt.date(2025, 9, 2), "other_service", "Age UK")
    assert stored["Joan"][0] == dt.date(2025, 9, 10)  # 45910, an Excel serial number cell


def test_the_sheet_in_one_step_on_the_command_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(keys.PASSPHRASE_ENV, "correct horse battery")
    cli_as_first_admin(monkeypatch)
    db = tmp_path / "caseload.db"
    assert main(["--db", str(db), "init"]) == 0
    fix = tmp_path / "to-fix.csv"
    args = ["--db", str(db), "import", str(SHEET), "--kind", "people"]
    assert main(args) == 2  # every problem listed, nothing written
    out = capsys.readouterr().out
    for row, column in BAD:
        assert f"row {row}, column '{column}': " in out, (row, column)
    assert f"{len({r for r, _ in BAD})} of 11 rows have problems" in out
    assert "Nothing was imported" in out
    assert main([*args, "--good-rows-only", "--rejects", str(fix)]) == 0
    out = capsys.readouterr().out
    assert f"Done: {GOOD} new" in out
    assert f"Journeys (from the referral columns): {GOOD} new" in out
    assert "Referral source 'Age UK' is not in LinkWorker's list" in out
    with fix.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert [int(r[1]) for r in rows[1:]] == sorted({r for r, _ in BAD})
    assert all(r[0] for r in rows[1:])  # each says what is wrong and what to do
    with Caseload.open(db, "correct horse battery") as caseload:
        _check_stored(caseload)


def test_the_sheet_through_the_wizard_flow(caseload, actor_manager):
    flow = ImportFlow(actor_manager, today=TODAY)
    assert flow.choose(SHEET, "people") == ["Clients 2025"]
    flow.load()
    assert flow.step is Step.MAPPING and flow.missing() == []
    preview = flow.check(caseload)
    assert sorted({(p.row, p.column) for p in preview.problems}) == sorted(BAD)
    assert all(p.reason for p in preview.problems)
    values = {(p.row, p.column): p.value for p in preview.problems}
    assert values[(10, "NHS Number")] == "943 476 5918"
    assert preview.journeys is not None and not flow.can_import(False)
    assert flow.can_import(True)
    result = flow.run(caseload, good_rows_only=True)
    assert result.applied and flow.step is Step.DONE
    _check_stored(caseload)


def test_the_generator_reproduces_the_committed_sheet(tmp_path, monkeypatch):
    """The committed workbook is exactly what the script writes (nobody hand-edited it)."""
    spec = importlib.util.spec_from_file_location("make_charity_sheet",
                                                  FIXTURES / "make_charity_sheet.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "HERE", tmp_path)
    module.charity_sheet()
    from linkworker.io.readers import read_table

    assert read_table(tmp_path / SHEET.name).rows == read_table(SHEET).rows


def test_people_already_imported_still_get_their_journeys_in_the_wizard(caseload,
                                                                        actor_manager,
                                                                        tmp_path):
    from test_import_apply import run, write

    run(caseload, write(tmp_path / "p.csv", "Client ID,First name,Surname\nC1,Ann,Lee\n"),
        "people")
    flow = ImportFlow(actor_manager, today=TODAY)
    flow.choose(write(tmp_path / "pr.csv", "Client ID,First name,Surname,Date referred\n"
                                           "C1,Ann,Lee,05/01/2026\n"), "people")
    flow.load()
    preview = flow.check(caseload)
    assert preview.plan.unchanged == 1 and len(preview.journeys.creates) == 1
    assert flow.can_import(False)
    assert flow.run(caseload).applied
