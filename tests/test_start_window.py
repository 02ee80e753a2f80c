"""The app's start from the unlocked file to the first rows (issue 15): one path for the app
and the bench (``ui.app.open_window``), its steps marked for the timeline, and what waits
until the first rows are up (the lock's idle watch, the start-up checks)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from bench.start import _typist
from linkworker import accounts
from linkworker.launch import START
from linkworker.storage import keys
from tests.conftest import TEST_PASSPHRASE
from ui import app as gui
from ui.admin.recovery import StartupChecks
from ui.lock import LockGuard

PASSWORD = "copper kettle lantern 42"


@pytest.fixture
def opened(qtbot, caseload, monkeypatch):
    """The app's start on a real caseload, signed in by the bench's typist; closed after."""
    accounts.create_first_admin(caseload, "admin", "Ada Admin", PASSWORD)
    path = caseload.path
    caseload.close()
    monkeypatch.setenv(keys.PASSPHRASE_ENV, TEST_PASSPHRASE)
    START.steps.clear()
    begin_checks = StartupChecks._start

    def checks_begin(checks) -> None:  # the page check, then the daily backup
        START.mark("start-up checks begun")
        begin_checks(checks)

    monkeypatch.setattr(StartupChecks, "_start", checks_begin)
    begin_watch = LockGuard.watch

    def watch(guard) -> None:  # the idle lock's app-wide event filter
        if not guard.watching:
            START.mark("idle lock watching")
        begin_watch(guard)

    monkeypatch.setattr(LockGuard, "watch", watch)
    result = gui.open_window(path, _typist("admin", PASSWORD))
    assert not isinstance(result, int), f"the start ended with code {result}"
    window, checks = result
    qtbot.addWidget(window)
    yield window, checks
    qtbot.waitUntil(lambda: window._started, timeout=20000)  # its reads answered
    window.lock_guard.stop()
    window.shutdown()
    window.runner.caseload.close()


def test_the_app_start_signs_in_through_the_box_and_marks_each_step(qtbot, opened):
    window, checks = opened
    assert window.isVisible() and window.actor.username == "admin"
    qtbot.waitUntil(lambda: checks.stage != "waiting for the first rows", timeout=20000)
    steps = [step for step, *_ in START.steps]
    assert steps[:3] == ["caseload open", "sign-in box ready", "window built"]
    assert steps.index("first rows") < steps.index("start-up checks begun")  # rows first


def test_the_idle_lock_watches_input_from_the_first_rows(qtbot, opened):
    window, _checks = opened
    guard = window.lock_guard
    qtbot.waitUntil(lambda: window._started, timeout=20000)
    steps = [step for step, *_ in START.steps]
    assert steps.index("window built") < steps.index("idle lock watching")  # not in the build
    assert guard.watching
    guard.last_input = 0.0
    QApplication.sendEvent(window, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Shift,
                                             Qt.KeyboardModifier.NoModifier))
    assert guard.last_input > 0.0  # input is seen again


def test_locking_before_the_first_rows_watches_at_once(opened):
    window, _checks = opened
    window.lock_guard.lock_now()
    assert window.lock_guard.watching and window.lock_guard.locked
    window.close()  # a locked window refuses to close (the filter sees the Close)
    assert window.isVisible()



def test_the_warm_thread_takes_what_it_imported_out_of_the_collectors_sight():
    """The GUI thread's first cycle collection walked every module the warm thread had
    imported, in front of the first rows; once warmed, they are frozen (``gc.freeze``). In a
    fresh interpreter, so the suite's own collector is left as it is."""
    probe = ("import gc\nfrom linkworker.launch import warm_window\n"
             "before = gc.get_freeze_count()\nwarm_window(('ui.lock',), wait_for=None).join()\n"
             "print(before, gc.get_freeze_count())\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""})
    before, after = map(int, done.stdout.split())
    assert before == 0 and after > 10_000  # ui.lock and PySide6's wrappers among them


def _start_steps(monkeypatch, qapp) -> list[tuple]:
    """Record the start's steps up to the window (each stands in for the step, which is not
    run: no Argon2id thread, log file or crash handler in the suite's process); the window's
    opening answers "the user gave up" (exit code 1), so each start ends there."""
    from PySide6.QtWidgets import QMessageBox

    from linkworker import launch, logs

    steps: list[tuple] = []
    monkeypatch.setattr(launch, "begin", lambda db: steps.append(("launch.begin", db)))
    monkeypatch.setattr(gui, "application", lambda: steps.append(("Qt application",)) or qapp)
    monkeypatch.setattr(gui, "warm_window", lambda: steps.append(("warm window",)))
    monkeypatch.setattr(logs, "setup", lambda: steps.append(("log file",)))
    monkeypatch.setattr(logs, "install_crash_handler",
                        lambda notify: steps.append(("crash handler", notify)))
    monkeypatch.setattr(gui, "open_window",
                        lambda path, _typist=None: steps.append(("open window", path)) or 1)
    for answer in ("warning", "critical"):  # the bench answers them for good: undone after
        monkeypatch.setattr(QMessageBox, answer, getattr(QMessageBox, answer))
    return steps


def test_the_bench_starts_as_the_app_does(qapp, tmp_path, monkeypatch):
    """The bench times the app's own start (issue 15): from the ``linkworker --db PATH``
    command to the window, the same steps in the same order, the log file and the crash
    handler (with the app's apology) included; stop 22's bench left those two out."""
    import bench.start
    from linkworker import command

    path = tmp_path / "caseload.db"
    steps = _start_steps(monkeypatch, qapp)
    assert command.main(["--db", str(path)]) == 1
    app_steps = list(steps)
    steps.clear()
    with pytest.raises(SystemExit, match="ended with code 1"):
        bench.start.run(str(path), "admin")
    assert steps == app_steps
    assert ("log file",) in steps and ("crash handler", gui._tell_crash) in steps


def test_the_window_is_built_only_once_the_warm_thread_is_done(qtbot, caseload, monkeypatch):
    """The window's modules are never imported beside the warm thread: two threads making
    PySide6's types at once crashed about 1 start in 10 (stop 24, once the warm thread also
    loaded the models). Here a warm thread stays busy until the window is built or 1.5 s
    have passed: the window must wait for it."""
    import threading
    import time

    from linkworker import launch

    accounts.create_first_admin(caseload, "admin", "Ada Admin", PASSWORD)
    path = caseload.path
    caseload.close()
    monkeypatch.setenv(keys.PASSPHRASE_ENV, TEST_PASSPHRASE)

    def still_warming() -> None:
        until = time.monotonic() + 1.5
        while time.monotonic() < until and not any(
                step == "window built" for step, *_ in START.steps):
            time.sleep(0.01)
        START.mark("warm thread done (test)")

    START.steps.clear()
    warm = threading.Thread(target=still_warming, daemon=True)
    warm.start()
    monkeypatch.setattr(launch, "_WARMING", [warm])
    result = gui.open_window(path, _typist("admin", PASSWORD))
    assert not isinstance(result, int), f"the start ended with code {result}"
    window, _checks = result
    qtbot.addWidget(window)
    warm.join()
    steps = [step for step, *_ in START.steps]
    assert steps.index("warm thread done (test)") < steps.index("window built")
    qtbot.waitUntil(lambda: window._started, timeout=20000)
    window.lock_guard.stop()
    window.shutdown()
    window.runner.caseload.close()
