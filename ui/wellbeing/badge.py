"""The change badge: improved / no meaningful change / deteriorated, as in the caseload list."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import QLabel, QWidget

from ui.i18n import translate

BADGES = {
    "improved": (QT_TRANSLATE_NOOP("wellbeing.badge", "Improved"), "#00704F"),
    "no_change": (QT_TRANSLATE_NOOP("wellbeing.badge", "No meaningful change"), "#555555"),
    "deteriorated": (QT_TRANSLATE_NOOP("wellbeing.badge", "Deteriorated"), "#A23B00"),
}


def badge_text(direction: str | None) -> str:
    """The words for a stored ``latest_change`` value (for list delegates and tooltips)."""
    if direction is None:
        return translate("wellbeing.badge", "No follow-up yet")
    return translate("wellbeing.badge", BADGES.get(direction, (direction, ""))[0])


class ChangeBadge(QLabel):
    """A coloured pill; colour is never the only signal, the words always say it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.set_change(None)

    def set_change(self, direction: str | None, detail: str = "") -> None:
        text = badge_text(direction)
        colour = BADGES.get(direction or "", ("", "#888888"))[1]
        self.direction = direction
        self.setText(f"{text}{f'  ({detail})' if detail else ''}")
        self.setAccessibleName(
            translate("wellbeing.badge", "Latest change: {text}").format(text=text)
        )
        self.setStyleSheet(
            f"QLabel {{ color: white; background: {colour}; border-radius: 9px; "
            "padding: 3px 10px; font-weight: bold; }"
        )
