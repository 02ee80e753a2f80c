"""The import wizard: its state machine without Qt, then the window driven through an import."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from linkworker.access import Actor, PermissionDenied
from linkworker.io.wizard import ImportFlow, Step
from linkworker.models import Person
from ui.io import ImportWizard, export_everything
from ui.operations import Runner
from ui.widgets import keyboard_problems

CSV = ("Ref,Name 1,Surname,DOB\nC1,Ann,Lee,01/02/1950\nC2,Bob,Hall,31/02/1960\n"
       "C3,Cal,Reed,03/04/1970\n")


def people_count(caseload) -> int:
    with caseload.reading() as s:
        return s.execute(select(func.count()).select_from(Person)).scalar_one()


@pytest.fixture
def sheet(tmp_path) -> Path:
    path = tmp_path / "clients.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def test_flow_choose_map_check_import(caseload, actor_manager, sheet, tmp_path):
    flow = ImportFlow(actor_manager)
    assert flow.choose(sheet, "people") == []  # a CSV has no sheets
    flow.load()
    assert flow.step is Step.MAPPING
    assert flow.missing() == ["Given name or Full name"]
    flow.set_column("Name 1", "given_name")
    assert flow.missing() == []
    assert ("Name 1", "given_name", "Ann") in flow.columns()
    flow.save_mapping(tmp_path / "m.json")
    report = flow.check(caseload)
    assert flow.step is Step.CHECK
    assert [p.row for p in report.problems] == [3]
    assert not flow.can_import(good_rows_only=False) and flow.can_import(good_rows_only=True)
    rejects = flow.save_bad_rows(tmp_path / "fix.csv")
    assert "31/02/1960" in rejects.read_text(encoding="utf-8-sig")
    assert people_count(caseload) == 0
    result = flow.run(caseload, good_rows_only=True)
    assert result.applied and flow.step is Step.DONE and people_count(caseload) == 2
    # A second file with the same columns reuses the saved mapping.
    again = ImportFlow(actor_manager)
    again.choose(sheet, "people")
    again.load()
    again.load_mapping(tmp_path / "m.json")
    assert again.missing() == []
    assert again.back() is Step.CHOOSE and again.table is None


def test_flow_refuses_link_workers():
    with pytest.raises(PermissionDenied):
        ImportFlow(Actor(None, "w", "link_worker"))


def test_wizard_window_imports_a_small_csv(qtbot, caseload, actor_manager, sheet, tmp_path):
    runner = Runner(caseload)
    wizard = ImportWizard(runner, actor_manager)
    qtbot.addWidget(wizard)
    wizard.show()
    assert wizard.next_button.isDefault()  # Enter moves on
    qtbot.keyClicks(wizard.path_edit, str(sheet))
    wizard.kind_box.setCurrentIndex(wizard.kind_box.findData("people"))
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.flow.step is Step.MAPPING and not wizard._working)
    assert wizard.pages.currentIndex() == 1
    assert not wizard.next_button.isEnabled()  # "Given name" has no column yet
    assert "Given name" in wizard.missing_label.text()
    row = [wizard.columns_table.item(r, 0).text()
           for r in range(wizard.columns_table.rowCount())].index("Name 1")
    box = wizard.columns_table.cellWidget(row, 1)
    box.setCurrentIndex(box.findData("given_name"))
    assert wizard.next_button.isEnabled()
    assert keyboard_problems(wizard) == []  # the column choices in the table included
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.flow.step is Step.CHECK and not wizard._working)
    assert wizard.problems_table.rowCount() == 1
    assert wizard.problems_table.item(0, 1).text() == "DOB"
    assert "is not a real date" in wizard.problems_table.item(0, 3).text()
    assert "2 new" in wizard.plan_text.toPlainText()
    assert not wizard.import_button.isEnabled()
    assert not wizard.import_button.isDefault() and not wizard.import_button.autoDefault()
    assert keyboard_problems(wizard) == []
    assert wizard.save_bad_rows_to(tmp_path / "to-fix.csv")
    assert (tmp_path / "to-fix.csv").exists()
    wizard.good_only.setChecked(True)
    assert wizard.import_button.isEnabled()
    with qtbot.waitSignal(wizard.imported):
        qtbot.mouseClick(wizard.import_button, Qt.MouseButton.LeftButton)
    assert wizard.pages.currentIndex() == 3
    assert "Done: 2 new" in wizard.result_text.toPlainText()
    assert wizard.close_button.isDefault()
    assert people_count(caseload) == 2
    runner.shutdown()


def test_export_everything_runs_off_the_gui_thread(qtbot, caseload, actor_manager, tmp_path):
    runner = Runner(caseload)
    threads: set[threading.Thread] = set()  # where the export's progress reports come from
    runner.progress.connect(lambda *_: threads.add(threading.current_thread()),
                            Qt.ConnectionType.DirectConnection)
    future = export_everything(None, runner, actor_manager, tmp_path / "out", quiet=True)
    qtbot.waitUntil(lambda: not runner.is_busy())
    assert future.done()
    assert threads and threading.main_thread() not in threads
    assert (tmp_path / "out" / "linkworker-export.xlsx").exists()
    assert (tmp_path / "out" / "people.csv").exists()
    runner.shutdown()
