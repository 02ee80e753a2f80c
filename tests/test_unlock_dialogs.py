"""The passphrase dialogs shown before the caseload is open."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from ui.unlock import CreateCaseloadDialog, PassphraseDialog


def test_create_dialog_needs_matching_long_passphrase(qtbot, tmp_path):
    dialog = CreateCaseloadDialog(tmp_path / "c.db")
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    qtbot.keyClicks(dialog.first, "short")
    assert "At least" in dialog.problem.text()
    dialog.first.clear()
    qtbot.keyClicks(dialog.first, "a good long passphrase")
    qtbot.keyClicks(dialog.second, "a good long passphrase!")
    assert dialog.problem.text() == "The two passphrases differ."
    qtbot.keyClick(dialog.second, Qt.Key.Key_Backspace)
    assert ok.isEnabled()
    assert dialog.passphrase() == "a good long passphrase"


def test_passphrase_dialog_shows_previous_error(qtbot, tmp_path):
    dialog = PassphraseDialog(tmp_path / "c.db", "That passphrase does not unlock this caseload.")
    qtbot.addWidget(dialog)
    assert dialog.error.text().startswith("That passphrase")
    assert dialog.field.echoMode() == dialog.field.EchoMode.Password
    assert dialog.field.accessibleName() == "Passphrase"
