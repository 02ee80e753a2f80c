"""Small pieces the admin pages share: buttons with names, a message line, a busy wrapper."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from ui.operations import Runner, friendly_message


def button(text: str, name: str, slot: Callable[[], Any]) -> QPushButton:
    widget = QPushButton(text)
    widget.setAccessibleName(name)
    widget.clicked.connect(slot)
    return widget


class StatusLine(QLabel):
    """One line under a page saying what just happened, or what went wrong (in red)."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setAccessibleName(name)

    def notice(self, text: str) -> None:
        self.setStyleSheet("")
        self.setText(text)

    def error(self, text: str) -> None:
        self.setStyleSheet("color: #a4262c;")
        self.setText(text)


def run(runner: Runner, status: StatusLine, work: Callable, done: Callable[[Any], None], *,
        label: str, changes: tuple[str, ...] = ()) -> None:
    """Run ``work`` on the runner; errors go to ``status`` rather than the main bar."""
    runner.run(work, done, failed=lambda exc: status.error(friendly_message(exc)),
               changes=changes, label=label)
