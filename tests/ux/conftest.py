"""The record helpers' team and Jane Doe, and a runner, for the day-to-day UX tests."""

from __future__ import annotations

from tests.record.conftest import details, jane, team  # noqa: F401 - fixtures
from tests.record.test_record_view import settle  # noqa: F401 - helper (runner: tests/conftest.py)


def shown(qtbot, widget, size=(1366, 768)):
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)
    return widget
