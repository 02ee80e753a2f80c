"""The drop-in register screen through the real main window, by keyboard only: the coordinator
lands on it, types a name, presses Space, and the day's count goes up."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from tests.dropin_world import DAY, VENUE, build
from ui.dropin_view import DropinView
from ui.main_window import MainWindow
from ui.widgets import mnemonic_clashes, unnamed_controls


@pytest.fixture
def world(caseload):
    return build(caseload)


@pytest.fixture
def opened(qtbot, runner):
    made: list[MainWindow] = []

    def open_as(actor) -> MainWindow:
        window = MainWindow(runner, actor, clock=lambda: DAY)
        made.append(window)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        return window

    yield open_as
    qtbot.waitUntil(lambda: not runner.is_busy())
    for window in made:
        window.lock_guard.stop()
        window.close()


def _register(qtbot, window: MainWindow) -> DropinView:
    view = window.pages.get("register")
    assert isinstance(view, DropinView)
    qtbot.waitUntil(lambda: view.table.rowCount() > 0)
    return view


def _names(view: DropinView) -> list[str]:
    return [view.table.item(r, 0).text() for r in range(view.table.rowCount())]


def test_coordinator_lands_on_the_register_and_marks_by_keyboard(qtbot, opened, world):
    window = opened(world.coordinator)
    view = _register(qtbot, window)
    assert window.stack.currentWidget().isAncestorOf(view)
    assert VENUE in view.heading.text() and "02/03/2026" in view.date_label.text()
    assert _names(view) == ["Fred Frequent", "Enid Ended", "Rita Regular"]
    qtbot.waitUntil(lambda: view.count.text() == "0 attended today")
    assert unnamed_controls(view) == []
    assert mnemonic_clashes(window) == []  # Alt+letters: none shared with the menus
    qtbot.waitUntil(lambda: view.search.hasFocus())
    qtbot.keyClicks(view.search, "rita")
    qtbot.waitUntil(lambda: _names(view) == ["Rita Regular"])
    qtbot.keyClick(view.search, Qt.Key.Key_Down)
    assert view.table.hasFocus() and view.table.currentRow() == 0
    qtbot.keyClick(view.table, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: view.count.text() == "1 attended today")
    qtbot.waitUntil(lambda: view.table.item(0, 3).text() == "✓")
    assert "Marked attended" in view.status.text()
    with qtbot.waitSignal(view.marked):  # a second Space: said, not written
        qtbot.keyClick(view.table, Qt.Key.Key_Space)
    assert "already marked" in view.status.text().lower()
    qtbot.keyClick(view.table, Qt.Key.Key_Escape)  # the next person: an empty search box
    assert view.search.hasFocus() and view.search.text() == ""
    qtbot.waitUntil(lambda: len(_names(view)) == 3)
    assert view.count.text() == "1 attended today"
    qtbot.keyClicks(view.search, "fred")
    qtbot.keyClick(view.search, Qt.Key.Key_Escape)  # Escape in the box empties it too
    assert view.search.text() == ""


def test_delete_takes_back_todays_mark(qtbot, opened, world):
    view = _register(qtbot, opened(world.coordinator))
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Space)  # Fred, the first row
    qtbot.waitUntil(lambda: view.count.text() == "1 attended today")
    qtbot.keyClick(view.table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: view.count.text() == "0 attended today")
    assert view.table.item(0, 3).text() == ""


def test_no_open_journey_is_said_on_the_register(qtbot, opened, world):
    view = _register(qtbot, opened(world.coordinator))
    view.table.setFocus()
    view.table.setCurrentCell(1, 0)  # Enid: her journey has ended
    with qtbot.waitSignal(view.marked):
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert "no open journey" in view.status.text()
    assert view.count.text() == "0 attended today"


def test_self_referral_and_wellbeing_form_from_the_register(qtbot, opened, world):
    window = opened(world.coordinator)
    view = _register(qtbot, window)
    dialog = view.wellbeing_form()
    assert dialog is not None and dialog.form.person_id == world.people["fred"]
    dialog.close()
    qtbot.mouseClick(view.referral_button, Qt.MouseButton.LeftButton)
    assert window.tabs.currentWidget().property("referral")


def test_without_a_venue_the_register_says_who_sets_it(qtbot, opened, world):
    manager = dataclasses.replace(world.worker, role="manager", user_id=None)
    window = opened(manager)
    assert "register" not in window.pages  # a manager lands on the caseload, as before
    view = window.go("register")
    assert isinstance(view, DropinView)
    labels = [label.text() for label in view.findChildren(QLabel)]
    assert any("admin sets your venue" in text for text in labels)
