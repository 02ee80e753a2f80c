"""Opening the caseload off the GUI thread, with the schema upgrade's progress on screen.

The first start after installing a new LinkWorker may upgrade the caseload (a backup copy,
then each migration): minutes on a big caseload on a busy laptop. Run on the GUI thread, the
window froze and looked hung, and a user might switch the laptop off part way. So the open
runs on a thread while the GUI thread keeps turning its event loop; the dialog appears only
when an upgrade actually starts (an everyday open shows nothing new), has no Cancel (a
half-made backup or a half-applied step helps nobody) and says not to switch off.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, Qt, Signal
from PySide6.QtWidgets import QDialog, QLabel, QProgressBar, QVBoxLayout, QWidget

from linkworker.storage import upgrade_steps as kinds
from linkworker.storage.database import Caseload
from ui.i18n import translate

# The backup reports bytes copied (a moving bar); the migration counts revisions, and inside
# a revision the indexes it builds (a revision without any shows a busy bar).
STEP_COUNTS = 1000


def step_words(step: str) -> str:
    """What the dialog says for one of the core's reports, in the user's language. The core
    sends English with a kind and numbers (``upgrade_steps.UpgradeStep``); a kind this
    version does not know keeps the core's English."""
    kind = getattr(step, "kind", None)
    if kind == kinds.BACKUP:
        return translate("upgrade", "Backing up {name} before the update…").format(
            name=step.name)
    if kind == kinds.STEP:
        return translate("upgrade", "Updating the caseload: step {step} of {steps}…").format(
            step=step.step, steps=step.steps)
    if kind == kinds.INDEX:
        return translate(
            "upgrade", "Updating the caseload: step {step} of {steps}, index {part} of "
            "{parts}…").format(step=step.step, steps=step.steps, part=step.part,
                               parts=step.parts)
    if kind == kinds.DONE:
        return translate("upgrade", "The caseload is up to date.")
    return str(step)


class UpgradeDialog(QDialog):
    """Modal, without Cancel or a close button: the upgrade cannot be stopped half way."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("upgrade", "Updating your caseload"))
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setWindowFlags(Qt.WindowType.Dialog | Qt.WindowType.CustomizeWindowHint
                            | Qt.WindowType.WindowTitleHint)
        layout = QVBoxLayout(self)
        self.step = QLabel()
        self.step.setAccessibleName(translate("upgrade", "Update step"))
        self.step.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setAccessibleName(translate("upgrade", "Update progress"))
        warning = QLabel(translate(
            "upgrade", "This new version of LinkWorker is updating your caseload. It can take "
            "several minutes. Please do not close LinkWorker or switch the computer off."))
        warning.setWordWrap(True)
        warning.setAccessibleName(translate("upgrade", "Do not switch off"))
        for widget in (self.step, self.bar, warning):
            layout.addWidget(widget)
        self.setMinimumWidth(420)

    def show_step(self, done: int, total: int, step: str) -> None:
        text = step_words(step)
        self.step.setText(text)
        inside = step.fraction() if isinstance(step, kinds.UpgradeStep) else None
        if inside is not None:  # an index of a step: the whole upgrade's share so far
            self.bar.setRange(0, 1000)
            self.bar.setValue(round(1000 * inside))
        elif done < total < STEP_COUNTS:  # a step with nothing to measure inside it: busy
            self.bar.setRange(0, 0)
        else:  # the backup's bytes, or all done
            self.bar.setRange(0, 1000)
            self.bar.setValue(round(1000 * done / max(total, 1)))
        self.bar.setAccessibleDescription(text)
        if not self.isVisible():
            self.show()

    def reject(self) -> None:
        """Escape does nothing: closing would not stop the upgrade, only hide it."""

    def closeEvent(self, event) -> None:  # a QCloseEvent
        event.ignore()


class _Reports(QObject):
    """Carries the open's reports from its thread to the GUI thread (queued signals)."""

    step = Signal(int, int, object)  # object: a str would lose the step's kind and numbers
    finished = Signal()


def open_showing_upgrade(path: Path, passphrase: str | None = None,
                         parent: QWidget | None = None) -> Caseload:
    """``Caseload.open(path, passphrase)`` on a thread; its result here, or its exception
    raised here (wrong passphrase, damaged, too new) exactly as a direct call would."""
    reports, loop, outcome = _Reports(), QEventLoop(), {}
    dialog: list[UpgradeDialog] = []

    def shown(done: int, total: int, step: str) -> None:
        if not dialog:
            dialog.append(UpgradeDialog(parent))
        dialog[0].show_step(done, total, step)

    reports.step.connect(shown)
    reports.finished.connect(loop.quit)
    thread = threading.Thread(target=_open, args=(path, passphrase, reports, outcome),
                              name="linkworker-open", daemon=True)
    thread.start()
    loop.exec()
    thread.join()
    for each in dialog:
        each.done(0)
        each.deleteLater()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["caseload"]


def _open(path: Path, passphrase: str | None, reports: _Reports, outcome: dict[str, Any]
          ) -> None:
    try:
        outcome["caseload"] = Caseload.open(path, passphrase, progress=reports.step.emit)
    except BaseException as exc:  # raised again on the GUI thread
        outcome["error"] = exc
    finally:
        reports.finished.emit()
