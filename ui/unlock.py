"""The passphrase dialogs shown before anything personal is on screen."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from linkworker.storage.keys import MIN_PASSPHRASE_LENGTH
from ui.i18n import translate


def _secret_field(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName(name)
    return field


class PassphraseDialog(QDialog):
    """Asks for the caseload's passphrase; shows why the last one failed."""

    def __init__(self, path: Path, error: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("unlock", "Unlock caseload"))
        layout = QVBoxLayout(self)
        intro = QLabel(
            translate("unlock", "Enter the passphrase for the caseload <b>{name}</b>.").format(
                name=path.name
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.error = QLabel(error.strip())
        self.error.setStyleSheet("color: #a00000;")
        self.error.setAccessibleName(translate("unlock", "Unlock error"))
        self.error.setVisible(bool(error.strip()))
        layout.addWidget(self.error)
        form = QFormLayout()
        self.field = _secret_field(translate("unlock", "Passphrase"))
        form.addRow(translate("unlock", "&Passphrase:"), self.field)
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(translate("unlock", "&Unlock"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def passphrase(self) -> str:
        return self.field.text()


class CreateCaseloadDialog(QDialog):
    """First run: choose the passphrase that protects a new caseload."""

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("unlock", "Create a caseload"))
        layout = QVBoxLayout(self)
        intro = QLabel(
            translate(
                "unlock",
                "LinkWorker will create an encrypted caseload at "
                "<b>{path}</b>.<br>Choose a passphrase. Without it the caseload "
                "cannot be opened on another laptop or from a backup, so keep it "
                "somewhere safe.",
            ).format(path=path)
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.first = _secret_field(translate("unlock", "New passphrase"))
        self.second = _secret_field(translate("unlock", "Repeat passphrase"))
        form.addRow(translate("unlock", "&New passphrase:"), self.first)
        form.addRow(translate("unlock", "&Repeat it:"), self.second)
        layout.addLayout(form)
        self.problem = QLabel()
        self.problem.setAccessibleName(translate("unlock", "Passphrase problem"))
        layout.addWidget(self.problem)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            translate("unlock", "&Create")
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.first.textChanged.connect(self._check)
        self.second.textChanged.connect(self._check)
        self._check()

    def _check(self) -> None:
        first, second = self.first.text(), self.second.text()
        if len(first) < MIN_PASSPHRASE_LENGTH:
            problem = translate("unlock", "At least {MIN_PASSPHRASE_LENGTH} characters.").format(
                MIN_PASSPHRASE_LENGTH=MIN_PASSPHRASE_LENGTH
            )
        elif first != second:
            problem = translate("unlock", "The two passphrases differ.")
        else:
            problem = ""
        self.problem.setText(problem)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problem)

    def passphrase(self) -> str:
        return self.first.text()
