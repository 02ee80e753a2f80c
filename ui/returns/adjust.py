"""The adjustment dialog: a correction to a submitted claim, recorded as a new row.

Nothing submitted is ever edited. The manager names the claim as printed on the return
(``2026-Q3:12``), says why, and gives the change in money (blank reverses the whole claim);
the adjustment goes into the next return submitted.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from ui.i18n import translate


class AdjustmentDialog(QDialog):
    """Asks for claim, amount and reason; ``values()`` gives them once accepted."""

    def __init__(self, claim_ref: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("returns.adjust", "Record an adjustment"))
        self.setAccessibleName(
            translate("returns.adjust", "Record an adjustment to a submitted claim")
        )
        intro = QLabel(
            translate(
                "returns.adjust",
                "A correction to a claim already submitted. It becomes a new row "
                "in the next return; the submitted claim itself is never changed.",
            )
        )
        intro.setWordWrap(True)
        self.claim = QLineEdit(claim_ref)
        self.claim.setAccessibleName(translate("returns.adjust", "Claim, as printed on the return"))
        self.claim.setPlaceholderText(translate("returns.adjust", "period:line, e.g. 2026-Q3:12"))
        self.amount = QLineEdit()
        self.amount.setAccessibleName(translate("returns.adjust", "Change in pounds"))
        self.amount.setPlaceholderText(
            translate("returns.adjust", "e.g. -50.00; blank reverses the whole claim")
        )
        self.reason = QPlainTextEdit()
        self.reason.setAccessibleName(
            translate("returns.adjust", "Reason the commissioner will read")
        )
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(70)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            translate("returns.adjust", "&Record adjustment")
        )
        self.buttons.accepted.connect(self._check)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(intro)
        form.addRow(translate("returns.adjust", "&Claim:"), self.claim)
        form.addRow(translate("returns.adjust", "C&hange (£):"), self.amount)
        form.addRow(translate("returns.adjust", "Rea&son:"), self.reason)
        form.addRow(self.problem)
        form.addRow(self.buttons)

    def values(self) -> tuple[str, str, str]:
        """(claim reference, amount text or "", reason)."""
        return (self.claim.text().strip(), self.amount.text().strip().replace("£", ""),
                self.reason.toPlainText().strip())

    def _check(self) -> None:
        claim, _amount, reason = self.values()
        if not claim:
            self.problem.setText(
                translate(
                    "returns.adjust", "Say which claim: its period and line, e.g. 2026-Q3:12."
                )
            )
            self.claim.setFocus()
        elif not reason:
            self.problem.setText(
                translate("returns.adjust", "Give a reason the commissioner can read.")
            )
            self.reason.setFocus()
        else:
            self.accept()
