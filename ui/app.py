"""Application start-up: unlock the caseload, sign in, show the main window.

The order matters for safety: nothing personal is on screen until the caseload is unlocked
(key from the keyring, ``LINKWORKER_PASSPHRASE`` or the passphrase dialog) and a user has
signed in.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from linkworker.launch import warm_window
from linkworker.paths import default_caseload
from linkworker.resources import resource_path
from linkworker.storage import keys
from linkworker.storage.database import Caseload, CaseloadDamaged, CaseloadError
from ui.collector import GuiThreadCollector
from ui.i18n import translate
from ui.unlock import CreateCaseloadDialog, PassphraseDialog


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
    """Open ``path``, asking for the passphrase as often as needed; None if the user gives up."""
    from linkworker.storage.dbfiles import recover_interrupted_restore

    recover_interrupted_restore(path)  # a restore cut off mid-swap is not "no caseload"
    if not path.exists():
        dialog = CreateCaseloadDialog(path, parent)
        if not dialog.exec():
            return None
        return Caseload.create(path, dialog.passphrase())
    try:
        return Caseload.open(path)  # the keyring or LINKWORKER_PASSPHRASE may unlock it
    except keys.PassphraseRequired:
        error = ""
    except keys.WrongPassphrase as exc:
        error = str(exc)
    while True:
        dialog = PassphraseDialog(path, error, parent)
        if not dialog.exec():
            return None
        try:
            return Caseload.open(path, dialog.passphrase())
        except keys.WrongPassphrase as exc:
            error = str(exc)


def run(db: Path | None) -> int:
    app = application()
    path = (db or default_caseload()).expanduser().resolve()
    from linkworker import logs
    from ui.admin.recovery import StartupChecks, backup_on_exit, offer_restore

    logs.setup()
    logs.install_crash_handler(_tell_crash)
    warm_window()  # the window's modules load while the caseload unlocks and the user signs in
    while True:
        try:
            caseload = unlock(path)
        except CaseloadDamaged as exc:
            if offer_restore(path, str(exc)):
                continue
            return 2
        except (CaseloadError, keys.KeyError_) as exc:
            QMessageBox.critical(None, translate("app", "LinkWorker"), str(exc))
            return 2
        if caseload is None:
            return 1
        from ui.signin import open_main_window

        window = open_main_window(caseload)
        if window is None:
            caseload.close()
            return 1
        checks = StartupChecks(window, window.runner)
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
