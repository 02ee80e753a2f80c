"""The Returns screen and contract editor, driven with the keyboard against a real caseload."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox
from test_returns_caseload import AS_OF_Q3, CONTRACT, build_caseload

from linkworker.returns import flow
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


def shown_screen(qtbot, runner, actor_manager) -> ReturnsScreen:
    """The Returns screen at 1366x768, contracts loaded, "today" the day after Q3's return."""
    screen = ReturnsScreen(runner, actor_manager)
    screen.as_of = AS_OF_Q3
    qtbot.addWidget(screen)
    screen.resize(1366, 768)
    screen.show()
    wait_idle(qtbot, runner)
    return screen


def test_walk_through_preview_open_record_export_and_submit(qtbot, runner, actor_manager,
                                                            tmp_path, monkeypatch):
    screen = shown_screen(qtbot, runner, actor_manager)
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
    assert table.rowCount() == len(screen.state.document.data_quality) > 0
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == "P16")
    table.selectRow(row)
    with qtbot.waitSignal(screen.open_person) as opened:
        qtbot.mouseClick(screen.quality_page.open_record, Qt.MouseButton.LeftButton)
    p16 = next(q for q in screen.state.document.data_quality if q.link.reference == "P16")
    assert opened.args[0] == p16.link.person_id

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

    with qtbot.waitSignal(screen.submitted):
        screen.submit()
    wait_idle(qtbot, runner)
    assert screen.state.submitted
    assert not screen.export_page.submit.isEnabled()
    assert "Submitted on" in screen.export_page.status.text()


def test_contract_editor_validates_live_and_saves(qtbot, runner, actor_manager, tmp_path):
    bad = dict(CONTRACT, code="NEW-ONE", start="someday")
    editor = _editor_on(qtbot, runner, actor_manager, tmp_path, bad)
    problems = [editor.problems.item(i).text() for i in range(editor.problems.count())]
    assert "Start date: 'someday' is not a date (dd/mm/yyyy)" in problems
    assert not editor.save_button.isEnabled()
    start = editor.fields["start"]
    assert start.text() == "someday"  # what the file says is wrong is what the field shows
    start.setFocus()
    start.selectAll()
    qtbot.keyClicks(start, "01/02/2026")
    qtbot.keyClick(start, Qt.Key.Key_Tab)
    editor.check()
    assert editor.problems.item(0).text() == "No problems found."
    assert editor.document()["start"] == "2026-02-01"
    with qtbot.waitSignal(editor.saved) as saved:
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert saved.args == ["NEW-ONE"]
    wait_idle(qtbot, runner)
    assert editor.stored.count() == 3  # the placeholder, TEST-SIB and NEW-ONE


def test_contract_editor_dates_are_dd_mm_yyyy_on_screen_and_iso_in_the_file(
        qtbot, runner, actor_manager, tmp_path):
    editor = _editor_on(qtbot, runner, actor_manager, tmp_path,
                        dict(CONTRACT, start="2026-04-01", end="2027-03-31"))
    start, end = editor.fields["start"], editor.fields["end"]
    assert (start.text(), end.text()) == ("01/04/2026", "31/03/2027")
    assert not [w.text() for w in editor.findChildren(QLabel) if "YYYY" in w.text()]
    end.setFocus()
    end.selectAll()
    qtbot.keyClicks(end, "30062027")  # digits only, as people type on a number pad
    qtbot.keyClick(end, Qt.Key.Key_Tab)
    assert end.text() == "30/06/2027"
    assert editor.document()["end"] == "2027-06-30"
    end.setFocus()
    end.selectAll()
    qtbot.keyClicks(end, "31/02/2027")  # no such day: the file keeps the last good date
    qtbot.keyClick(end, Qt.Key.Key_Tab)
    assert "not a date" in end.accessibleDescription()
    assert editor.document()["end"] == "2027-06-30"
    qtbot.keyClick(end, Qt.Key.Key_F4)  # the calendar opens at the date shown
    assert end.popup.isVisible()
    assert end.popup.calendar.selectedDate().toPython() == dt.date(2027, 6, 30)
    end.popup.hide()
    out = tmp_path / "out.json"
    flow.write_document(out, editor.document())  # what "Save as file..." writes
    assert json.loads(out.read_text(encoding="utf-8"))["start"] == "2026-04-01"


def built_screen(qtbot, runner, actor_manager) -> ReturnsScreen:
    screen = shown_screen(qtbot, runner, actor_manager)
    screen.period_page.period.setEditText("2026-Q3")
    screen.go_next()
    screen.go_next()
    wait_idle(qtbot, runner)
    assert screen.state.document is not None
    return screen


def test_quality_list_puts_what_blocks_payment_first_with_names(qtbot, runner, actor_manager):
    screen = built_screen(qtbot, runner, actor_manager)
    table = screen.quality_page.table
    effects = [table.item(r, 2).text() for r in range(table.rowCount())]
    blocking = effects.count("Blocks payment")
    assert 0 < blocking < len(effects)
    assert effects[:blocking] == ["Blocks payment"] * blocking  # blockers first
    headings = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headings[:2] == ["Reference", "Name"]
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == "P16")
    assert table.item(row, 1).text() == "P16 Test"  # the person's name beside the reference
    assert table.isSortingEnabled()
    table.sortItems(2, Qt.SortOrder.DescendingOrder)  # a manager can re-sort by any column
    assert table.item(0, 2).text() == "May weaken a claim"
    assert re.search(r"issues? blocks? payment", screen.quality_page.summary.text())


def test_preview_shows_outcome_names_readable_evidence_and_why_not_claimed(
        qtbot, runner, actor_manager):
    screen = built_screen(qtbot, runner, actor_manager)
    screen.go_next()
    claims = screen.preview_page.claims
    outcomes = {claims.item(r, 2).text() for r in range(claims.rowCount())}
    assert "WEMWBS up by 3 or more at 60-120 days." not in outcomes
    names = {o.name for o in screen.state.document.contract.outcomes}
    assert outcomes <= names
    evidence = [claims.item(r, 7).text() for r in range(claims.rowCount())]
    assert all("[" not in e for e in evidence)  # no raw record ids
    assert any("baseline" in e and "score 40" in e for e in evidence)
    unclaimed = screen.preview_page.unclaimed
    assert unclaimed.rowCount() == len(screen.state.document.exclusions) > 0
    reasons = {unclaimed.item(r, 3).text() for r in range(unclaimed.rowCount())}
    assert any("maximum of 2 per person" in r for r in reasons)
    assert "see the workbook" not in screen.preview_page.excluded.text()
    assert "£" in claims.item(0, 5).text()


def test_submit_question_defaults_to_cancel_and_shows_pounds(qtbot, runner, actor_manager):
    screen = built_screen(qtbot, runner, actor_manager)
    box = screen.submit_box()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    assert "net £2,060.00" in box.text()
    # Pressing Enter at the question (the default button) submits nothing.
    QTimer.singleShot(200, lambda: qtbot.keyClick(QApplication.activeModalWidget(),
                                                  Qt.Key.Key_Return))
    screen._ask_submit()
    wait_idle(qtbot, runner)
    assert not screen.state.submitted


def test_a_laptop_that_syncs_with_a_hub_previews_a_draft_and_names_the_hubs_command(
        qtbot, runner, actor_manager, caseload):
    """Returns are submitted at the team's hub: a manager's laptop builds the draft from its
    own copy, and the last step says so, with Submit off and the exact command instead."""
    from linkworker.sync import state

    with caseload.transaction() as s:
        state.put(s.connection(), "hub", "postgresql://lw_meg:secret@server/linkworker")
    screen = built_screen(qtbot, runner, actor_manager)
    screen.go_next()
    assert screen.preview_page.claims.rowCount() == 13  # the draft, from this laptop's copy
    screen.go_next()
    assert screen.pages.currentWidget() is screen.export_page
    assert not screen.export_page.submit.isEnabled()
    said = screen.export_page.status.text()
    assert said.startswith("Draft from this laptop's copy")
    assert ("linkworker hub return --contract TEST-SIB --period 2026-Q3 --submit --by manager "
            "--url postgresql://OWNER@server/linkworker") in said
    assert "secret" not in said and "lw_meg" not in said
    assert all(button.isEnabled() for button in screen.export_page.buttons.values())
    page = screen.export_page
    assert not page.adjust.isEnabled()  # off like Submit, not refusing only when pressed
    for button, command in ((page.submit, "--period 2026-Q3 --submit"),
                            (page.adjust, '--adjust 2026-Q3:LINE --reason "..."')):
        note = (f"linkworker hub return --contract TEST-SIB {command} --by manager "
                "--url postgresql://OWNER@server/linkworker")
        assert note in button.toolTip() and note in button.accessibleDescription()
        assert "secret" not in button.toolTip()
    assert page.adjust.accessibleName() == "Record an adjustment to a submitted claim"


HUB_ADJUSTS = ('linkworker hub return --contract TEST-SIB --adjust 2026-Q3:LINE --reason "..." '
               "--by manager --url postgresql://OWNER@server/linkworker")


def test_a_return_submitted_before_the_hub_is_adjusted_at_the_hub_not_on_the_laptop(
        qtbot, runner, actor_manager, caseload):
    """Its claims are in the hub's ledger now: Adjust is off with the hub's command, on the
    button and under the return; with no hub it is a laptop's own again."""
    from linkworker.sync import state

    screen = built_screen(qtbot, runner, actor_manager)
    with qtbot.waitSignal(screen.submitted):
        screen.submit()
    wait_idle(qtbot, runner)
    page = screen.export_page
    assert page.adjust.isEnabled() and page.adjust.accessibleDescription() == ""
    own_words = page.adjust.toolTip()
    with caseload.transaction() as s:
        state.put(s.connection(), "hub", "postgresql://lw_meg:secret@server/linkworker")
    screen.build()
    wait_idle(qtbot, runner)
    assert screen.state.document.is_submitted
    assert not page.adjust.isEnabled() and not page.submit.isEnabled()
    assert HUB_ADJUSTS in page.adjust.toolTip()
    assert HUB_ADJUSTS in page.adjust.accessibleDescription()
    assert page.status.text().startswith("Submitted on")
    assert HUB_ADJUSTS in page.status.text()
    qtbot.mouseClick(page.adjust, Qt.MouseButton.LeftButton)
    assert QApplication.activeModalWidget() is None  # nothing to press: no dialog, no refusal
    with caseload.transaction() as s:
        state.put(s.connection(), "hub", None)
    screen.build()
    wait_idle(qtbot, runner)
    assert page.adjust.isEnabled() and page.adjust.toolTip() == own_words
    assert page.adjust.accessibleDescription() == "" and page.submit.toolTip() == ""


def test_adjustment_dialog_records_a_new_row(qtbot, runner, actor_manager):
    screen = built_screen(qtbot, runner, actor_manager)
    with qtbot.waitSignal(screen.submitted):
        screen.submit()
    wait_idle(qtbot, runner)
    screen.state.step = 3
    screen._render()
    screen.preview_page.claims.selectRow(1)
    dialog = screen.adjustment_dialog()
    qtbot.addWidget(dialog)
    assert dialog.claim.text() == "2026-Q3:2"
    ok = dialog.buttons.buttons()[0]
    dialog._check()
    assert "reason" in dialog.problem.text() and not dialog.result()
    qtbot.keyClicks(dialog.amount, "-£50")
    qtbot.keyClicks(dialog.reason, "One contact was by phone")
    dialog._check()
    assert dialog.result() == dialog.DialogCode.Accepted and ok is not None
    with qtbot.waitSignal(screen.adjusted):
        screen.record_adjustment(*dialog.values())
    wait_idle(qtbot, runner)
    assert "-£50.00" in screen.message.text()
    screen.period_page.period.setEditText("2026-Q4")
    screen.as_of = AS_OF_Q3.replace(year=2027, month=1)
    screen.build()
    wait_idle(qtbot, runner)
    rows = screen.state.document.rows
    adjustments = [r for r in rows if r.kind == "adjustment"]
    assert [(r.adjusts, str(r.amount)) for r in adjustments] == [("2026-Q3:2", "-50.00")]


def test_the_return_screens_tables_keep_no_item_per_cell(qtbot, runner, actor_manager):
    """At 150,000 people the return screen shows 99,000 cells: a QTableWidget keeps a Qt item
    per cell (30 MB even when Qt makes them; issue 15). Its tables are views over rows of
    text: no item for any cell, and still text, person, sorting and read-only."""
    from PySide6.QtWidgets import QTableWidget

    from ui.returns.pages import fill_table
    from ui.returns.table import PERSON_ROLE, RowsModel

    screen = built_screen(qtbot, runner, actor_manager)
    tables = (screen.quality_page.table, screen.preview_page.claims,
              screen.preview_page.unclaimed)
    assert not any(isinstance(t, QTableWidget) for t in tables)
    assert all(isinstance(t.model(), RowsModel) for t in tables)
    table = screen.quality_page.table
    fill_table(table, ["Reference", "Issue"], [[f"LW-{n:03d}", f"issue {n}"] for n in range(300)],
               [f"person-{n}" for n in range(300)], sortable=True)
    assert table.rowCount() == 300 and table.item(7, 1).text() == "issue 7"
    assert table.item(7, 0).data(PERSON_ROLE) == "person-7"
    assert table.model().index(7, 1).data() == "issue 7"
    assert not table.editTriggers() and table.isSortingEnabled()
    table.selectRow(7)
    table.sortItems(1, Qt.SortOrder.DescendingOrder)  # the selection follows its row
    assert table.item(0, 1).text() == "issue 99" and table.item(0, 0).data(PERSON_ROLE) == \
        "person-99"
    assert table.item(table.currentRow(), 0).data(PERSON_ROLE) == "person-7"


def test_the_preview_words_each_lines_evidence_once_off_the_gui_thread(
        qtbot, runner, actor_manager, monkeypatch):
    """A 3,000-claim return's evidence in words is worked out by the build's job (a worker
    thread), once a line; showing it on the GUI thread words none."""
    import threading

    from linkworker.returns import evidence

    worded: list[bool] = []  # True: on the GUI thread
    real = evidence.evidence_in_words

    def counted(*args, **kwargs):
        worded.append(threading.current_thread() is threading.main_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(evidence, "evidence_in_words", counted)
    screen = built_screen(qtbot, runner, actor_manager)
    rows = screen.state.document.rows
    assert worded.count(True) == 0
    assert worded.count(False) == len(rows) > 0
    screen.go_next()
    claims = screen.preview_page.claims
    assert [claims.item(r, 7).text() for r in range(claims.rowCount())] == list(
        evidence.on_screen(screen.state.document))
    assert worded.count(True) == len(rows)  # only the line above's own call


def test_contract_editor_takes_amounts_as_people_type_them(qtbot, runner, actor_manager,
                                                           tmp_path):
    """"£1,500,000.50" in the contract cap was "caps.total_amount: must be a number (NaN and
    Infinity are not allowed)"; the form's problems now use the form's words."""
    editor = _editor_on(qtbot, runner, actor_manager, tmp_path, CONTRACT)
    for key, typed, stored in (("total_amount", "£1,500,000.50", 1500000.5),
                               ("per_person_amount", " GBP 2 000 ", 2000),
                               ("participants", "1,200", 1200)):
        edit = editor.fields[key]
        edit.setFocus()
        edit.selectAll()
        qtbot.keyClicks(edit, typed)
        assert editor.document()["caps"][key] == stored
    assert editor.check() == []
    cap = editor.fields["total_amount"]
    cap.selectAll()
    qtbot.keyClicks(cap, "about £2m")
    assert editor.check() == [
        "Contract cap (£): 'about £2m' is not a number (type e.g. 1,500 or £1,500.50)"]
    assert not editor.save_button.isEnabled()


def test_contract_editor_never_saves_a_date_other_than_the_one_on_screen(
        qtbot, runner, actor_manager, tmp_path):
    """End date 31/02/2027 typed over 30/06/2027: Save used to store 30/06/2027."""
    editor = _editor_on(qtbot, runner, actor_manager, tmp_path,
                        dict(CONTRACT, code="NEW-ONE", end="2027-06-30"))
    end = editor.fields["end"]
    end.setFocus()
    end.selectAll()
    qtbot.keyClicks(end, "31/02/2027")
    editor.save()
    wait_idle(qtbot, runner)
    assert editor.problems.item(0).text() == "End date: '31/02/2027' is not a date (dd/mm/yyyy)"
    assert editor.stored.count() == 2  # the placeholder and TEST-SIB: nothing saved


def test_contract_editor_shows_caps_as_people_read_them_and_reads_back_the_same(
        qtbot, runner, actor_manager, tmp_path):
    """The caps showed as "1500000": money as £1,500,000.00, a count as 1,200; typing the field
    again as shown (Tab through it, retype it) keeps the value in the file unchanged."""
    editor = ContractEditor(runner, actor_manager)
    qtbot.addWidget(editor)
    editor.show()
    wait_idle(qtbot, runner)
    caps = {"total_amount": 1500000, "per_person_amount": 2500.5, "participants": 1200}
    path = tmp_path / "c.json"
    path.write_text(json.dumps(dict(CONTRACT, caps=caps)),
                    encoding="utf-8")
    editor.open_path(path)
    shown = {key: editor.fields[key].text() for key in caps}
    assert shown == {"total_amount": "£1,500,000.00", "per_person_amount": "£2,500.50",
                     "participants": "1,200"}
    for key, text in shown.items():
        edit = editor.fields[key]
        edit.setFocus()
        edit.selectAll()
        qtbot.keyClicks(edit, text)
        assert editor.document()["caps"][key] == caps[key]
    assert editor.check() == []


def _editor_on(qtbot, runner, actor, tmp_path, document: dict):
    """The contract editor on screen, with ``document`` opened from a file."""
    editor = ContractEditor(runner, actor)
    qtbot.addWidget(editor)
    editor.show()
    wait_idle(qtbot, runner)
    path = tmp_path / "c.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    editor.open_path(path)
    return editor
