"""``export_everything``: the File menu's "Export everything...", off the GUI thread."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget

from linkworker.access import Actor
from linkworker.io import export_all
from ui.i18n import translate
from ui.operations import Runner, friendly_message


def export_everything(parent: QWidget | None, runner: Runner, actor: Actor,
                      folder: Path | None = None, *, quiet: bool = False) -> Future | None:
    """Ask for a folder (unless given), then write every table there as CSV and XLSX.

    ``quiet`` skips the closing message box (tests, scripted use); the result still goes to
    the returned future.
    """
    if folder is None:
        chosen = QFileDialog.getExistingDirectory(
            parent, translate("io.export_dialog", "Export everything into a folder")
        )
        if not chosen:
            return None
        folder = Path(chosen)
    progress = QProgressDialog(
        translate("io.export_dialog", "Exporting everything..."), "", 0, 0, parent
    )
    progress.setAccessibleName(translate("io.export_dialog", "Export progress"))
    progress.setCancelButton(None)
    progress.setMinimumDuration(0)
    progress.show()

    def report(done: int, total: int, text: str) -> None:
        progress.setRange(0, total)
        progress.setValue(done)
        progress.setLabelText(text)

    runner.progress.connect(report)

    def finish() -> None:
        runner.progress.disconnect(report)
        progress.close()

    def done(result) -> None:  # an ExportResult
        finish()
        if not quiet:
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

    return runner.run(
        lambda job: export_all(job.caseload, actor, folder, progress=job.progress),
        done,
        failed=failed,
        label=translate("io.export_dialog", "Exporting everything"),
    )
