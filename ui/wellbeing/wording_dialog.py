"""Admin: load the organisation's licensed statement wording (paste or file), once.

The wording is checked for the right number of statements before it is stored; it lives in
the caseload, never in LinkWorker's files.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from linkworker.access import Actor
from linkworker.errors import UserError
from linkworker.wellbeing.instruments import get_instrument
from linkworker.wellbeing.wording import (
    WordingStatus,
    load_wording,
    parse_statements,
    wording_statuses,
)
from ui.i18n import translate
from ui.operations import Runner, friendly_message, while_alive
from ui.widgets import hbox


class LoadWordingDialog(QDialog):
    """Paste (or open) the licensed statements; a live check says whether they line up."""

    def __init__(self, runner: Runner, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.actor = runner, actor
        self.setWindowTitle(translate("wellbeing.wording_dialog", "Load licensed wording"))
        self.statuses: dict[str, WordingStatus] = {}
        self.instrument = QComboBox()
        self.instrument.setAccessibleName(translate("wellbeing.wording_dialog", "Instrument"))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName(translate("wellbeing.wording_dialog", "Wording status"))
        self.text = QPlainTextEdit()
        self.text.setAccessibleName(
            translate("wellbeing.wording_dialog", "Statements, one per line")
        )
        self.text.setTabChangesFocus(True)  # Tab moves on; the keyboard never gets stuck here
        self.text.setPlaceholderText(
            translate(
                "wellbeing.wording_dialog", "Paste the statements here, one per line, in order."
            )
        )
        self.check = QLabel()
        self.check.setAccessibleName(translate("wellbeing.wording_dialog", "Check result"))
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setAccessibleName(translate("wellbeing.wording_dialog", "Result"))
        self.file_button = QPushButton(translate("wellbeing.wording_dialog", "From &file..."))
        self.file_button.setAccessibleName(
            translate("wellbeing.wording_dialog", "Load the statements from a text file")
        )
        self.load_button = QPushButton(translate("wellbeing.wording_dialog", "&Load wording"))
        self.load_button.setAccessibleName(
            translate("wellbeing.wording_dialog", "Store this wording")
        )
        self.load_button.setEnabled(False)
        self.load_button.setDefault(True)  # Enter (outside the text box) loads; Esc closes
        close = QPushButton(translate("wellbeing.wording_dialog", "Close (Esc)"))
        close.setAccessibleName(translate("wellbeing.wording_dialog", "Close"))
        form = QFormLayout()
        form.addRow(translate("wellbeing.wording_dialog", "&Instrument"), self.instrument)
        buttons = hbox(self.file_button, None, self.load_button, close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.check)
        layout.addWidget(self.result)
        layout.addLayout(buttons)
        self.instrument.currentIndexChanged.connect(self._recheck)
        self.text.textChanged.connect(self._recheck)
        self.file_button.clicked.connect(self._choose_file)
        self.load_button.clicked.connect(self.load)
        close.clicked.connect(self.reject)
        self.resize(720, 520)
        self._refresh_status()

    def _refresh_status(self) -> None:
        self.runner.run(lambda job: wording_statuses(job.caseload),
                        while_alive(self, self._set_statuses))

    def _set_statuses(self, statuses: tuple[WordingStatus, ...]) -> None:
        chosen = self.instrument.currentData()
        self.statuses = {s.instrument: s for s in statuses}
        self.instrument.blockSignals(True)
        self.instrument.clear()
        for s in statuses:
            self.instrument.addItem(s.instrument, s.instrument)
        self.instrument.setCurrentIndex(max(self.instrument.findData(chosen), 0))
        self.instrument.blockSignals(False)
        self._recheck()

    def _expected(self) -> int:
        """The statements the instrument's file lists (its items), 0 if unknown."""
        try:
            return get_instrument(self.instrument.currentData() or "").item_count
        except UserError:
            return 0

    def _recheck(self) -> None:
        code = self.instrument.currentData()
        status = self.statuses.get(code)
        if status is None:
            self.status.setText("")
        elif not status.loaded:
            self.status.setText(
                translate(
                    "wellbeing.wording_dialog",
                    "{code}: no wording loaded; forms show statement numbers.",
                ).format(code=code)
            )
        elif status.via:
            self.status.setText(
                translate("wellbeing.wording_dialog", "{code}: uses the {via} wording.").format(
                    code=code, via=status.via
                )
            )
        else:
            self.status.setText(
                translate(
                    "wellbeing.wording_dialog",
                    "{code}: loaded on {loaded_on} by {loaded_by}. Loading again replaces it.",
                ).format(code=code, loaded_on=status.loaded_on, loaded_by=status.loaded_by)
            )
        text = self.text.toPlainText()
        if text.strip():
            self.result.clear()
        if not text.strip() or code is None:
            self.check.setText("")
            self.load_button.setEnabled(False)
            return
        try:
            expected = self._expected() or len([x for x in text.splitlines() if x.strip()])
            parse_statements(text, expected, code)
        except UserError as exc:
            self.check.setText(str(exc))
            self.load_button.setEnabled(False)
        else:
            self.check.setText(
                translate(
                    "wellbeing.wording_dialog", "{expected} statements, in order: ready to load."
                ).format(expected=expected)
            )
            self.load_button.setEnabled(True)

    def _choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self,
            translate("wellbeing.wording_dialog", "Statements file"),
            "",
            translate("wellbeing.wording_dialog", "Text (*.txt)"),
        )
        if name:
            self.read_file(Path(name))

    def read_file(self, path: Path) -> None:
        try:
            self.text.setPlainText(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError) as exc:
            self.check.setText(
                translate(
                    "wellbeing.wording_dialog", "Cannot read {name} as UTF-8 text: {exc}"
                ).format(name=path.name, exc=exc)
            )

    def load(self) -> None:
        code, text, actor = self.instrument.currentData(), self.text.toPlainText(), self.actor
        self.load_button.setEnabled(False)
        self.runner.run(lambda job: load_wording(job.caseload, actor, code, text),
                        while_alive(self, self._loaded),
                        failed=while_alive(self, self._failed), changes=("wording",))

    def _failed(self, exc: BaseException) -> None:
        self.result.setText(friendly_message(exc))
        self._recheck()

    def _loaded(self, statements: tuple[str, ...]) -> None:
        self.text.clear()
        self.result.setText(
            translate(
                "wellbeing.wording_dialog",
                "Loaded {statements} statements. Every form now shows them.",
            ).format(statements=len(statements))
        )
        self._refresh_status()
