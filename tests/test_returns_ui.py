"""The Returns screen and contract editor, driven with the keyboard against a real caseload."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from test_returns_caseload import AS_OF_Q3, CONTRACT, build_caseload

from ui.operations import Runner
from ui.returns import ContractEditor, ReturnsScreen


@pytest.fixture
def runner(caseload, qtbot, actor_manager):
    with caseload.transaction() as s:
        build_caseload(s, actor_manager)
    runner = Runner(caseload)
    yield runner
    runner.shutdown()


def wait_idle(qtbot, runner):
    qtbot.waitUntil(lambda: not runner.is_busy())


def test_walk_through_preview_open_record_export_and_submit(qtbot, runner, actor_manager,
                                                            tmp_path, monkeypatch):
    screen = ReturnsScreen(runner, actor_manager)
    screen.as_of = AS_OF_Q3
    qtbot.addWidget(screen)
    screen.resize(1366, 768)
    screen.show()
    wait_idle(qtbot, runner)
    assert screen.contract_page.contracts.count() == 1
    assert screen.state.contract == "TEST-SIB"
    qtbot.mouseClick(screen.next_button, Qt.MouseButton.LeftButton)
    assert screen.pages.currentWidget() is screen.period_page
    period = screen.period_page.period
    period.setEditText("")
    qtbot.keyClicks(period, "2026-Q3")
    screen.next_button.setFocus()
    qtbot.keyClick(screen.next_button, Qt.Key.Key_Space)  # Next builds the return
    wait_idle(qtbot, runner)
    assert screen.pages.currentWidget() is screen.quality_page
    table = screen.quality_page.table
    assert table.rowCount() == len(screen.state.document["data_quality"]) > 0
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == "P16")
    table.selectRow(row)
    with qtbot.waitSignal(screen.open_person) as opened:
        qtbot.mouseClick(screen.quality_page.open_record, Qt.MouseButton.LeftButton)
    assert opened.args[0] == screen.state.document["data_quality"][row]["_person_id"]

    screen.go_next()
    assert screen.preview_page.claims.rowCount() == 13
    assert "net £2,060.00" in screen.preview_page.totals.text()
    screen.go_next()
    assert screen.pages.currentWidget() is screen.export_page

    target = tmp_path / "q3"
    monkeypatch.setattr("ui.returns.screen.QFileDialog.getSaveFileName",
                        lambda *a, **k: (str(target), ""))
    with qtbot.waitSignal(screen.exported) as done:
        qtbot.mouseClick(screen.export_page.buttons["xlsx"], Qt.MouseButton.LeftButton)
    assert done.args[0].endswith("q3.xlsx")
    assert len(list(load_workbook(done.args[0])["Claims"].iter_rows())) == 14

    monkeypatch.setattr("ui.returns.screen.QMessageBox.question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(screen.submitted):
        qtbot.mouseClick(screen.export_page.submit, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, runner)
    assert screen.state.submitted
    assert not screen.export_page.submit.isEnabled()
    assert "Submitted on" in screen.export_page.status.text()


def test_contract_editor_validates_live_and_saves(qtbot, runner, actor_manager, tmp_path):
    editor = ContractEditor(runner, actor_manager)
    qtbot.addWidget(editor)
    editor.show()
    wait_idle(qtbot, runner)
    bad = dict(CONTRACT, code="NEW-ONE", start="someday")
    path = tmp_path / "c.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    editor.open_path(path)
    problems = [editor.problems.item(i).text() for i in range(editor.problems.count())]
    assert any(p.startswith("start: must be a date") for p in problems)
    assert not editor.save_button.isEnabled()
    start = editor.fields["start"]
    start.setFocus()
    start.selectAll()
    qtbot.keyClicks(start, "2026-02-01")
    editor.check()
    assert editor.problems.item(0).text() == "No problems found."
    assert editor.document()["start"] == "2026-02-01"
    with qtbot.waitSignal(editor.saved) as saved:
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert saved.args == ["NEW-ONE"]
    wait_idle(qtbot, runner)
    assert editor.stored.count() == 3  # the placeholder, TEST-SIB and NEW-ONE
