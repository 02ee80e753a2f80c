"""``export_everything``: the File menu's "Export everything...", off the GUI thread, on the
background lane (a read: it never holds up a save), with a Cancel button that stops it
promptly and leaves nothing behind."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QPushButton, QWidget

from linkworker.access import Actor
from linkworker.io import export_all
from linkworker.io.export import ExportStopped
from ui.i18n import translate
from ui.operations import Runner, friendly_message


def export_everything(parent: QWidget | None, runner: Runner, actor: Actor,
                      folder: Path | None = None, *, quiet: bool = False) -> Future | None:
    """Ask for a folder (unless given), then write every table there as CSV and XLSX.

    ``quiet`` skips the closing message box (tests, scripted use); the result still goes to
    the returned future (None when the user cancelled).
    """
    if folder is None:
        chosen = QFileDialog.getExistingDirectory(
            parent, translate("io.export_dialog", "Export everything into a folder")
        )
        if not chosen:
            return None
        folder = Path(chosen)
    stop = threading.Event()
    progress = _progress_dialog(parent, stop)

    def report(done: int, total: int, text: str) -> None:
        if stop.is_set():
            return  # "Cancelling..." stays until the export has cleaned up
        progress.setRange(0, total)
        progress.setValue(done)
        progress.setLabelText(text)

    def finish() -> None:
        progress.close()
        progress.deleteLater()

    def done(result) -> None:  # an ExportResult, or None: cancelled, nothing written
        finish()
        if quiet:
            return
        if result is None:
            QMessageBox.information(
                parent,
                translate("io.export_dialog", "Export cancelled"),
                translate("io.export_dialog", "The export was cancelled. Nothing was written "
                          "to {folder}.").format(folder=folder),
            )
            return
        rows = sum(result.counts.values())
        QMessageBox.information(
            parent,
            translate("io.export_dialog", "Export finished"),
            translate(
                "io.export_dialog",
                "{counts} tables ({rows:,} rows) were written to {folder} as CSV "
                "files and one workbook.",
            ).format(counts=len(result.counts), rows=rows, folder=result.folder),
        )

    def failed(exc: BaseException) -> None:
        finish()
        if not quiet:
            QMessageBox.warning(
                parent, translate("io.export_dialog", "Export failed"), friendly_message(exc)
            )

    def work(job):  # a Job; on the background lane
        try:
            return export_all(job.caseload, actor, folder, progress=job.progress,
                              stop=lambda: stop.is_set() or job.cancelled)
        except ExportStopped:
            if job.cancelled:
                raise  # the window is closing: nobody to tell
            return None

    return runner.background(
        work, done, failed=failed,
        label=translate("io.export_dialog", "Exporting everything"),
        progress=report,  # this export's own reports only (never the backup's)
    )


def _progress_dialog(parent: QWidget | None, stop: threading.Event) -> QProgressDialog:
    """The export's progress, with a Cancel button (also Escape) that sets ``stop``: the
    dialog then says "Cancelling..." until the export has removed what it had written."""
    progress = QProgressDialog(
        translate("io.export_dialog", "Exporting everything..."), "", 0, 0, parent
    )
    progress.setObjectName("export_progress")
    progress.setAccessibleName(translate("io.export_dialog", "Export progress"))
    button = QPushButton(translate("io.export_dialog", "&Cancel export"))
    button.setObjectName("cancel_export")
    button.setAccessibleName(translate("io.export_dialog", "Cancel the export"))
    button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    progress.setCancelButton(button)
    # Keep the dialog up after a Cancel (Qt would hide it at once): it says what is happening.
    progress.setAutoClose(False)
    progress.setAutoReset(False)
    progress.canceled.disconnect(progress.cancel)

    def cancel() -> None:
        stop.set()
        button.setEnabled(False)
        progress.setLabelText(translate("io.export_dialog", "Cancelling the export..."))

    progress.canceled.connect(cancel)
    progress.setMinimumDuration(0)
    progress.show()
    button.setFocus()
    return progress
