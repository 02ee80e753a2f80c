"""The app's start from the unlocked file to the first rows (issue 15): one path for the app
and the bench (``ui.app.open_window``), its steps marked for the timeline, and what waits
until the first rows are up (the lock's idle watch, the start-up checks)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from bench.start import _typist
from linkworker import accounts
from linkworker.launch import START
from linkworker.storage import keys
from tests.conftest import TEST_PASSPHRASE
from ui import app as gui

PASSWORD = "copper kettle lantern 42"


def _open(qtbot, caseload, monkeypatch):
    accounts.create_first_admin(caseload, "admin", "Ada Admin", PASSWORD)
    path = caseload.path
    caseload.close()
    monkeypatch.setenv(keys.PASSPHRASE_ENV, TEST_PASSPHRASE)
    START.steps.clear()
    opened = gui.open_window(path, _typist("admin", PASSWORD))  # the bench's typist
    assert not isinstance(opened, int), f"the start ended with code {opened}"
    window, checks = opened
    qtbot.addWidget(window)
    return window, checks


def _close(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window._started, timeout=20000)  # its reads answered
    window.lock_guard.stop()
    window.shutdown()
    window.runner.caseload.close()


def test_the_app_start_signs_in_through_the_box_and_marks_each_step(qtbot, caseload,
                                                                     monkeypatch):
    window, checks = _open(qtbot, caseload, monkeypatch)
    try:
        assert window.isVisible() and window.actor.username == "admin"
        steps = [step for step, *_ in START.steps]
        assert steps[:3] == ["caseload open", "sign-in box ready", "window built"]
        assert checks.stage == "waiting for the first rows"  # nothing in front of the rows
        qtbot.waitUntil(lambda: window._started, timeout=20000)
        assert "first rows" in [step for step, *_ in START.steps]
        qtbot.waitUntil(lambda: checks.stage != "waiting for the first rows", timeout=20000)
    finally:
        _close(qtbot, window)


def test_the_idle_lock_watches_input_from_the_first_rows(qtbot, caseload, monkeypatch):
    window, _checks = _open(qtbot, caseload, monkeypatch)
    guard = window.lock_guard
    try:
        assert not guard.watching  # no app-wide event filter in front of the first rows
        qtbot.waitUntil(lambda: window._started, timeout=20000)
        assert guard.watching
        guard.last_input = 0.0
        QApplication.sendEvent(window, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Shift,
                                                 Qt.KeyboardModifier.NoModifier))
        assert guard.last_input > 0.0  # input is seen again
    finally:
        _close(qtbot, window)


def test_locking_before_the_first_rows_watches_at_once(qtbot, caseload, monkeypatch):
    window, _checks = _open(qtbot, caseload, monkeypatch)
    guard = window.lock_guard
    try:
        guard.lock_now()
        assert guard.watching and guard.locked
        window.close()  # a locked window refuses to close (the filter sees the Close)
        assert window.isVisible()
    finally:
        _close(qtbot, window)
