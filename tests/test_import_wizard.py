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


def test_export_everything_runs_off_the_gui_thread(qtbot, caseload, actor_manager, tmp_path,
                                                  monkeypatch):
    from ui.io import export_dialog

    runner = Runner(caseload)
    threads: set[threading.Thread] = set()  # where the export's progress reports come from

    def export_all(*args, progress, **kwargs):
        def report(*values):
            threads.add(threading.current_thread())
            progress(*values)
        return real_export_all(*args, progress=report, **kwargs)

    real_export_all = export_dialog.export_all
    monkeypatch.setattr(export_dialog, "export_all", export_all)
    future = export_everything(None, runner, actor_manager, tmp_path / "out", quiet=True)
    # The future, not "the runner is idle": the runner may report idle a moment before the
    # future is marked done (that race failed this test under load).
    qtbot.waitUntil(future.done, timeout=30_000)
    qtbot.waitUntil(lambda: not runner.is_busy(), timeout=30_000)
    assert threads and threading.main_thread() not in threads
    assert (tmp_path / "out" / "linkworker-export.xlsx").exists()
    assert (tmp_path / "out" / "people.csv").exists()
    runner.shutdown()


POLISH = "Client ID,First name,Surname\nC1,Łukasz,Wójcik\nC2,Zofia,Śliwińska\n"


def test_flow_asks_for_the_encoding_and_remembers_the_answer(caseload, actor_manager, tmp_path):
    from linkworker.io.readers import EncodingQuestion

    path = tmp_path / "polish.csv"
    path.write_bytes(POLISH.encode("cp1250"))
    flow = ImportFlow(actor_manager)
    flow.choose(path, "people")
    with pytest.raises(EncodingQuestion):
        flow.load()
    assert "cp1250" in [codec for codec, _label, _sample in flow.encoding_choices]
    flow.choose_encoding("cp1250")
    table = flow.load()
    assert table.rows[0].cells[1] == "Łukasz" and flow.encoding_choices == []


def test_wizard_window_offers_the_encodings_and_a_value_for_every_row(
        qtbot, caseload, actor_manager, tmp_path):
    path = tmp_path / "polish.csv"
    path.write_bytes(POLISH.encode("cp1250"))
    runner = Runner(caseload)
    wizard = ImportWizard(runner, actor_manager)
    qtbot.addWidget(wizard)
    wizard.show()
    assert not wizard.encoding_box.isEnabled()
    qtbot.keyClicks(wizard.path_edit, str(path))
    wizard.kind_box.setCurrentIndex(wizard.kind_box.findData("people"))
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.encoding_box.isEnabled() and not wizard._working)
    assert wizard.flow.step is Step.CHOOSE
    assert "not saved as UTF-8" in wizard.message.text()
    index = wizard.encoding_box.findData("cp1250")
    assert "Łukasz" in wizard.encoding_box.itemText(index)
    wizard.encoding_box.setCurrentIndex(index)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.flow.step is Step.MAPPING and not wizard._working)
    wizard.fixed_field.setCurrentIndex(wizard.fixed_field.findData("town"))
    wizard.fixed_value.setText("Newcastle")
    wizard._set_fixed()
    assert wizard.flow.mapping.fixed == {"town": "Newcastle"}
    assert "Every row: town = 'Newcastle'." in wizard.missing_label.text()
    assert keyboard_problems(wizard) == []
    runner.shutdown()
