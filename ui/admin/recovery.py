"""Start-up safety: a damaged caseload is met with an offer to restore the latest good backup;
the damage check and the daily backup run in the background once the window is up (never
between a user and their caseload); the exit backup runs with a small "Backing up" window so
closing never looks frozen.

The damage check reads the file's pages a slice at a time and checks each page's HMAC
(``linkworker.storage.pages``); the first pages were already checked at open. Any query that
meets a damaged page on the way (``Runner.damaged``) leads to the same offer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QMetaObject, QObject, Qt
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from linkworker import backup
from linkworker.errors import UserError
from linkworker.storage import keys
from linkworker.storage.database import Caseload, CaseloadError
from linkworker.validation import format_date
from ui.i18n import translate
from ui.unlock import PassphraseDialog


def _ask_passphrase(path: Path, error: str = "") -> str | None:
    dialog = PassphraseDialog(path, error)
    dialog.setWindowTitle(translate("admin.recovery", "Passphrase for the backups"))
    return dialog.passphrase() if dialog.exec() else None


def find_good_backup(path: Path) -> tuple[backup.BackupCheck | None, str | None]:
    """The newest restorable backup and the passphrase that opened it (None: keyring)."""
    passphrase = keys.passphrase_from_env()
    good = backup.latest_good_backup(path, passphrase)
    while good is None and passphrase is None and backup.list_backups(path):
        # No keyring entry opened them: they may need the caseload's passphrase.
        passphrase = _ask_passphrase(path)
        if passphrase is None:
            return None, None
        good = backup.latest_good_backup(path, passphrase)
        if good is None:
            return None, passphrase
    return good, passphrase


def offer_restore(path: Path, problem: str, parent: QWidget | None = None) -> bool:
    """Explain the damage and, if the user agrees, restore the newest good backup."""
    good, passphrase = find_good_backup(path)
    if good is None:
        QMessageBox.critical(
            parent,
            translate("admin.recovery", "LinkWorker"),
            translate(
                "admin.recovery",
                "{problem}\n\nNo good backup was found beside {name}. The damaged "
                "file has not been changed; ask your data lead to restore one "
                "('linkworker restore PATH').",
            ).format(problem=problem, name=path.name),
        )
        return False
    made = format_date(backup.made_at(good.path).date())
    box = QMessageBox(QMessageBox.Icon.Warning, "LinkWorker: the caseload is damaged",
                      f"{problem}\n\nThe latest good backup is from {made} "
                      f"({good.people:,} people). Restoring it keeps the damaged file aside.",
                      QMessageBox.StandardButton.Cancel, parent)
    restore = box.addButton(
        translate("admin.recovery", "&Restore the latest good backup"),
        QMessageBox.ButtonRole.AcceptRole,
    )
    box.exec()
    if box.clickedButton() is not restore:
        return False
    try:
        report = backup.restore_from(good.path, path, passphrase)
    except (UserError, CaseloadError, keys.KeyError_) as exc:
        QMessageBox.critical(
            parent,
            translate("admin.recovery", "LinkWorker"),
            translate("admin.recovery", "The restore failed: {exc}").format(exc=exc),
        )
        return False
    QMessageBox.information(
        parent,
        translate("admin.recovery", "LinkWorker"),
        translate(
            "admin.recovery",
            "Restored {people:,} people from {made}. The damaged file is kept at {set_aside}.",
        ).format(people=report.people, made=made, set_aside=report.set_aside),
    )
    return True


SLICE_PAUSE_S = 0.005  # between slices of the page check: the user's queries come first
# 2 MB of pages per step: a few milliseconds of hashing, so a keystroke that arrives during
# a step waits at most that long before the check steps aside for it (``Job.step_aside``).
CHECK_SLICE_PAGES = 512


def check_pages(job) -> list[str]:  # a Job
    """Every page's HMAC, slice by slice (stops when the job is cancelled, waits while the
    user's reads run); the problems."""
    checker = job.caseload.page_checker()
    if not checker.usable:  # other SQLCipher settings: fall back to SQLite's own check
        return backup.health_problems(job.caseload)
    for step in checker.slices(size=CHECK_SLICE_PAGES):
        job.step_aside()
        if step.damaged:
            return [
                translate(
                    "admin.recovery", "page {damaged} does not match what was written"
                ).format(damaged=step.damaged[0])
            ]
        if job.cancelled:
            return []
        time.sleep(SLICE_PAUSE_S)
    return []


class StartupChecks(QObject):
    """After the window's first rows, in the background: the damage check, then today's backup
    if missing. Closing the window cancels both (the exit backup then runs, visibly).

    The damage check steps aside a slice at a time. The backup (``VACUUM INTO`` the whole
    file, then a check of the copy) also steps aside from inside SQLite, but writing a copy of
    the file still costs the disk and the cache what a page needs; so it begins only once the
    user has asked for nothing for ``BACKUP_IDLE_S`` (issue 15: Today and Due waited behind it
    on the first start of the day), or at the latest ``BACKUP_LONGEST_WAIT_S`` after the check,
    between two of the user's reads: a user who never pauses still gets today's backup, which
    then steps aside inside SQLite for each page they read. That wait is not on any lane
    (``Runner.background_when_idle``), and both jobs are housekeeping (``quiet``), on a lane of
    their own: an export asked for during the wait or the copy starts at once. ``stage``
    says where they are (the bench reads it)."""

    BACKUP_IDLE_S = 5.0
    BACKUP_LONGEST_WAIT_S = 120.0

    def __init__(self, window: QWidget, runner: Any) -> None:  # a Runner
        super().__init__(window)
        self.window, self.runner = window, runner
        self.restore_requested = False
        self.problems: list[str] = []
        self.stage = "waiting for the first rows"
        runner.damaged.connect(lambda _text: self._checked(["a page could not be read"]))
        # The main window starts them after its first rows (``when_started``); elsewhere now.
        when_started = getattr(window, "when_started", None)
        if callable(when_started):
            when_started(self._start)
        else:
            self._start()

    def _start(self) -> None:
        self.runner.background(self._check, self._after_check, failed=lambda _exc: None,
                               label="Checking the caseload", quiet=True)

    def _check(self, job) -> tuple[list[str], bool]:  # a Job
        """The problems found, and whether today's backup is still to be made."""
        self.stage = "checking pages"
        problems = check_pages(job)
        due = not problems and not job.cancelled and backup.daily_due(job.caseload)
        return problems, due

    def _after_check(self, result: tuple[list[str], bool]) -> None:
        problems, due = result
        if not due:
            self.stage = "done"
            self._checked(problems)
            return
        self.stage = "waiting for the user to be idle"
        self.runner.background_when_idle(
            self._backup, lambda _none: None, failed=lambda _exc: None,
            idle_s=self.BACKUP_IDLE_S, longest_s=self.BACKUP_LONGEST_WAIT_S,
            label="Backing up the caseload", quiet=True)

    def _backup(self, job) -> None:  # a Job
        if not job.cancelled and backup.daily_due(job.caseload):  # not made meanwhile
            self.stage = "backing up"
            backup.auto_backup(job.caseload, "daily")
        self.stage = "done"

    def _checked(self, problems: list[str]) -> None:
        if not problems or self.problems:
            return  # sound, or the user has already been asked
        self.problems = problems
        answer = QMessageBox.warning(
            self.window,
            translate("admin.recovery", "LinkWorker: the caseload is damaged"),
            translate(
                "admin.recovery",
                "A check found damage in the caseload file ({problems}). Close "
                "LinkWorker now and restore the latest good backup?",
            ).format(problems=problems[0]),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.restore_requested = True
            self.window.close()


def run_with_progress(text: str, work: Callable[[], Any]) -> Any:
    """Run ``work`` on a thread while a small busy window shows; its result (or raises)."""
    result: dict[str, Any] = {}
    loop = QEventLoop()

    def target() -> None:
        try:
            result["value"] = work()
        except BaseException as exc:  # handed back to the caller below
            result["error"] = exc
        QMetaObject.invokeMethod(loop, "quit", Qt.ConnectionType.QueuedConnection)

    dialog = QProgressDialog(text, "", 0, 0)
    dialog.setCancelButton(None)
    dialog.setWindowTitle(translate("admin.recovery", "LinkWorker"))
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setMinimumDuration(500)
    thread = threading.Thread(target=target, name="linkworker-exit-backup")
    thread.start()
    loop.exec()
    thread.join()
    dialog.close()
    if "error" in result:
        raise result["error"]
    return result.get("value")


def backup_on_exit(caseload: Caseload) -> None:
    try:
        run_with_progress("Backing up the caseload before closing…",
                          lambda: backup.auto_backup(caseload, "exit"))
    except (UserError, CaseloadError, OSError) as exc:
        QMessageBox.warning(
            None,
            translate("admin.recovery", "LinkWorker"),
            translate("admin.recovery", "The backup on closing failed: {exc}").format(exc=exc),
        )
