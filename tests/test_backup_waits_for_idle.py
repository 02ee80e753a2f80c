"""The daily backup never stands between the user and a page (issue 15): it begins only once
the user's reads have left the app quiet, and its check of the copy steps aside inside SQLite
like the copy itself. Real caseloads, a real runner; order is proved, not time."""

from __future__ import annotations

import threading

import pytest

from linkworker import backup
from linkworker.storage import database


@pytest.mark.parametrize(("idle_s", "longest_s"), [(0.2, 120.0), (3600.0, 0.0)],
                         ids=["after the user pauses", "a user who never pauses"])
def test_the_daily_backup_begins_only_after_the_users_page_read_and_still_happens(
        qtbot, runner, caseload, monkeypatch, idle_s, longest_s):
    """A page asked for while the page check runs: the check ends, and the backup waits for
    the page's read to end and then ``BACKUP_IDLE_S`` of quiet, then is made as ever. A user
    who never pauses that long (an hour here) gets it once ``BACKUP_LONGEST_WAIT_S`` has passed
    (none here), still not while their page is read."""
    from PySide6.QtWidgets import QMainWindow

    import ui.admin.recovery as recovery

    order: list[str] = []
    real_backup = backup.auto_backup

    def recorded_backup(*args, **kwargs):
        order.append("backup begins")
        return real_backup(*args, **kwargs)

    checking, checked, release = threading.Event(), threading.Event(), threading.Event()

    def page_check(_job) -> list[str]:  # the real one steps aside for the held read below
        checking.set()
        checked.wait(10)
        return []

    def page(_job) -> int:  # a page the user waits for, held open by the test
        release.wait(10)
        order.append("page read")
        return 1

    monkeypatch.setattr(backup, "auto_backup", recorded_backup)
    monkeypatch.setattr(recovery, "check_pages", page_check)
    monkeypatch.setattr(recovery.StartupChecks, "BACKUP_IDLE_S", idle_s)
    monkeypatch.setattr(recovery.StartupChecks, "BACKUP_LONGEST_WAIT_S", longest_s)
    window = QMainWindow()
    qtbot.addWidget(window)
    try:
        checks = recovery.StartupChecks(window, runner)
        qtbot.waitUntil(checking.is_set)
        runner.read(page, lambda _rows: order.append("page shown"))
        checked.set()
        qtbot.waitUntil(lambda: checks.stage != "checking pages")
        qtbot.wait(400)  # twice the idle time: only the held page read keeps the backup waiting
        assert order == [] and backup.daily_due(caseload)
        assert checks.stage == "waiting for the user to be idle"
    finally:
        checked.set()
        release.set()
    qtbot.waitUntil(lambda: checks.stage == "done")
    assert order == ["page read", "page shown", "backup begins"]
    assert not backup.daily_due(caseload) and checks.problems == []
    assert [b.kind for b in backup.list_backups(caseload.path)] == ["daily"]


def test_the_backups_check_of_its_copy_steps_aside_inside_sqlite(caseload, tmp_path,
                                                                 monkeypatch):
    """The copy's quick check reads every page: run by the app's background lane it waits
    for the user's reads from inside SQLite, as ``VACUUM INTO`` does, and is still sound."""
    copy = caseload.copy_to(tmp_path / "copy.db")
    monkeypatch.setattr(database, "INTERRUPT_STEPS", 100)
    paused: list[int] = []
    with database.stepping_aside(lambda: paused.append(1)):
        check = backup.inspect_file(copy, caseload.key, quick=True)
    assert check.ok and len(paused) > 0
    paused.clear()
    assert backup.inspect_file(copy, caseload.key, quick=True).ok and paused == []


def test_the_longest_wait_for_idle_ends_between_two_reads_never_during_one():
    """The user just read a page and is reading another: waiting for an hour's idle, capped at
    none, ends when that read ends; uncapped, it is still waiting then (until cancelled)."""
    from ui.operations import Foreground

    user = Foreground(linger_s=0.0)
    user.begin()
    user.end()
    user.begin()  # a page being read now
    capped, uncapped, cancelled = threading.Event(), threading.Event(), threading.Event()
    for ended, longest_s in ((capped, 0.0), (uncapped, None)):
        threading.Thread(target=lambda e=ended, s=longest_s: (
            user.wait_until_idle(3600.0, cancelled, s), e.set()), daemon=True).start()
    assert not capped.wait(0.2) and not uncapped.is_set()  # not while the page is read
    user.end()
    assert capped.wait(10) and not uncapped.wait(0.2)
    cancelled.set()
    assert uncapped.wait(10)


def test_an_export_asked_for_while_the_backup_waits_for_idle_does_not_wait_behind_it(
        qtbot, runner, caseload, tmp_path, monkeypatch):
    """The backup waits for the user to be idle (an hour here) off the background lane: an
    export asked for meanwhile runs at once, and the backup is still to come."""
    from PySide6.QtWidgets import QMainWindow

    import ui.admin.recovery as recovery
    from linkworker.access import SYSTEM
    from ui.io.export_dialog import export_everything

    monkeypatch.setattr(recovery, "check_pages", lambda _job: [])
    monkeypatch.setattr(recovery.StartupChecks, "BACKUP_IDLE_S", 3600.0)
    monkeypatch.setattr(recovery.StartupChecks, "BACKUP_LONGEST_WAIT_S", 3600.0)
    shown = []
    runner.read(lambda _job: 1, shown.append)  # the user has just read a page
    qtbot.waitUntil(lambda: shown == [1])
    window = QMainWindow()
    qtbot.addWidget(window)
    checks = recovery.StartupChecks(window, runner)
    qtbot.waitUntil(lambda: checks.stage == "waiting for the user to be idle")
    future = export_everything(None, runner, SYSTEM, tmp_path / "out", quiet=True)
    qtbot.waitUntil(future.done)
    assert (tmp_path / "out" / "people.csv").exists()
    assert checks.stage == "waiting for the user to be idle" and backup.daily_due(caseload)
