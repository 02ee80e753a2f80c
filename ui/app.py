"""Application start-up: unlock the caseload, sign in, show the main window.

The order matters for safety: nothing personal is on screen until the caseload is unlocked
(key from the keyring, ``LINKWORKER_PASSPHRASE`` or the passphrase dialog) and a user has
signed in.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from linkworker.launch import START, signing_in, warm_window
from linkworker.paths import default_caseload
from linkworker.resources import resource_path
from linkworker.storage import keys
from linkworker.storage.database import Caseload, CaseloadDamaged, CaseloadError
from ui.collector import GuiThreadCollector
from ui.i18n import translate
from ui.signin import open_main_window  # the box's modules, before the warm thread begins
from ui.unlock import CreateCaseloadDialog, PassphraseDialog

log = logging.getLogger(__name__)


def application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("LinkWorker")
    app.setOrganizationName("LinkWorker")
    app.setWindowIcon(QIcon(str(resource_path("icons", "linkworker.png"))))  # every window's
    from ui import i18n

    i18n.install(app)  # resources/translations/linkworker_<lang>.qm, if there is one
    if app.findChild(GuiThreadCollector) is None:
        GuiThreadCollector(app)  # cycles holding widgets are freed on this thread only
    # No display name: Qt would append " — LinkWorker" to every title, and the window's own
    # title already says it ("LinkWorker — caseload.db — LinkWorker" was the result).
    return app


def unlock(path: Path, parent=None) -> Caseload | None:
    """Open ``path``, asking for the passphrase as often as needed; None if the user gives up.
    The open runs off the GUI thread: a schema upgrade shows its progress, never a frozen
    window (``ui.upgrade_progress``)."""
    from linkworker.storage.dbfiles import recover_interrupted_restore

    recover_interrupted_restore(path)  # a restore cut off mid-swap is not "no caseload"
    if not path.exists():
        signing_in()  # the user types a passphrase: time for the warm thread
        dialog = CreateCaseloadDialog(path, parent)
        if not dialog.exec():
            return None
        return Caseload.create(path, dialog.passphrase())
    from ui.upgrade_progress import open_showing_upgrade  # an upgrade shows its steps

    try:
        return open_showing_upgrade(path, None, parent)  # keyring or LINKWORKER_PASSPHRASE
    except keys.PassphraseRequired:
        error = ""
    except keys.WrongPassphrase as exc:
        error = str(exc)
    signing_in()  # the user types the passphrase: time for the warm thread
    while True:
        dialog = PassphraseDialog(path, error, parent)
        if not dialog.exec():
            return None
        try:
            return open_showing_upgrade(path, dialog.passphrase(), parent)
        except keys.WrongPassphrase as exc:
            error = str(exc)


RETRY = -1  # ``open_window``: a damaged file was restored; open it again


def open_window(path: Path, on_sign_in: Callable[[QWidget], None] | None = None,
                ) -> tuple[QWidget, object] | int:
    """Unlock ``path``, sign in, show the main window and begin its start-up checks: the
    ``(window, checks)`` the app then runs, or an exit code (``RETRY`` after a restore). The
    app's start and the bench's (``bench/start.py``) are this one function, so they cannot
    drift; ``on_sign_in`` is given the sign-in box as it opens (the bench types into it).
    The recovery module (with the backup's, which loads the models) is imported where it is
    used: the warm thread has it by then (issue 15, stop 24)."""
    try:
        caseload = unlock(path)
    except CaseloadDamaged as exc:
        from ui.admin.recovery import offer_restore

        return RETRY if offer_restore(path, str(exc)) else 2
    except (CaseloadError, keys.KeyError_) as exc:
        QMessageBox.critical(None, translate("app", "LinkWorker"), str(exc))
        return 2
    if caseload is None:
        return 1
    START.mark("caseload open")
    window = open_main_window(caseload, on_sign_in)
    if window is None:
        caseload.close()
        return 1
    START.mark("window built")
    window.when_started(_started)
    from ui.admin.recovery import StartupChecks

    return window, StartupChecks(window, window.runner)


def _started() -> None:
    START.mark("first rows")
    log.info("start-up: %s", START.summary())


def begin() -> QApplication:
    """Qt's application, then the window's modules begin loading on a thread, while the
    caseload unlocks and the user signs in (``launch.warm_window``); then the log file and the
    crash handler. The app's start and the bench's (``bench/start.py``) both begin here, so the
    bench times every step the app takes before the window (issue 15)."""
    app = application()
    START.mark("Qt application")
    warm_window()
    from linkworker import logs

    logs.setup()
    logs.install_crash_handler(_tell_crash)
    return app


def run(db: Path | None) -> int:
    app = begin()
    path = (db or default_caseload()).expanduser().resolve()
    from ui.admin.recovery import backup_on_exit, offer_restore

    while True:
        opened = open_window(path)
        if opened == RETRY:
            continue
        if isinstance(opened, int):
            return opened
        window, checks = opened
        caseload = window.runner.caseload
        code = app.exec()
        window.shutdown()
        if checks.restore_requested:
            caseload.close()
            if offer_restore(path, "The caseload file is damaged."):
                continue
            return 2
        if not checks.problems:
            backup_on_exit(caseload)
        caseload.close()
        return code


def _tell_crash(report: Path) -> None:
    """After an unexpected error: say sorry and where the (data-free) report is."""
    QMessageBox.critical(
        None,
        translate("app", "LinkWorker"),
        translate(
            "app",
            "Something went wrong. Saved work is safe; a crash report "
            "without personal data was written to {report}.",
        ).format(report=report),
    )
