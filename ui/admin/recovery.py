"""Start-up safety: a damaged caseload is met with an offer to restore the latest good backup;
the daily backup and a background health check run once the window is up; the exit backup runs
with a small "Backing up" window so closing never looks frozen.
"""

from __future__ import annotations

import threading
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
from ui.unlock import PassphraseDialog


def _ask_passphrase(path: Path, error: str = "") -> str | None:
    dialog = PassphraseDialog(path, error)
    dialog.setWindowTitle("Passphrase for the backups")
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
        QMessageBox.critical(parent, "LinkWorker", f"{problem}\n\nNo good backup was found "
                             f"beside {path.name}. The damaged file has not been changed; ask "
                             "your data lead to restore one ('linkworker restore PATH').")
        return False
    made = format_date(backup.made_at(good.path).date())
    box = QMessageBox(QMessageBox.Icon.Warning, "LinkWorker: the caseload is damaged",
                      f"{problem}\n\nThe latest good backup is from {made} "
                      f"({good.people:,} people). Restoring it keeps the damaged file aside.",
                      QMessageBox.StandardButton.Cancel, parent)
    restore = box.addButton("&Restore the latest good backup", QMessageBox.ButtonRole.AcceptRole)
    box.exec()
    if box.clickedButton() is not restore:
        return False
    try:
        report = backup.restore_from(good.path, path, passphrase)
    except (UserError, CaseloadError, keys.KeyError_) as exc:
        QMessageBox.critical(parent, "LinkWorker", f"The restore failed: {exc}")
        return False
    QMessageBox.information(parent, "LinkWorker", f"Restored {report.people:,} people from "
                            f"{made}. The damaged file is kept at {report.set_aside}.")
    return True


class StartupChecks(QObject):
    """After the window shows: today's backup if missing, then SQLite's quick check."""

    def __init__(self, window: QWidget, runner: Any) -> None:  # a Runner
        super().__init__(window)
        self.window, self.runner = window, runner
        self.restore_requested = False
        self.problems: list[str] = []
        runner.run(self._check, self._checked, failed=lambda _exc: None,
                   label="Checking the caseload")

    @staticmethod
    def _check(job) -> list[str]:  # a Job
        problems = backup.health_problems(job.caseload)
        if not problems and backup.daily_due(job.caseload):
            backup.auto_backup(job.caseload, "daily")
        return problems

    def _checked(self, problems: list[str]) -> None:
        self.problems = problems
        if not problems:
            return
        answer = QMessageBox.warning(
            self.window, "LinkWorker: the caseload is damaged",
            f"A check found damage in the caseload file ({problems[0]}). Close LinkWorker "
            "now and restore the latest good backup?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
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
    dialog.setWindowTitle("LinkWorker")
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
        QMessageBox.warning(None, "LinkWorker", f"The backup on closing failed: {exc}")
