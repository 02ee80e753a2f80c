"""The record helpers' team and Jane Doe, and a runner, for the day-to-day UX tests."""

from __future__ import annotations

import pytest

from tests.record.conftest import details, jane, team  # noqa: F401 - fixtures
from ui.operations import Runner


@pytest.fixture
def runner(caseload, qtbot):
    r = Runner(caseload)
    yield r
    r.shutdown()


def settle(qtbot, runner, view=None) -> None:
    """Wait for every queued job (and the redraws they trigger) to finish."""
    def idle() -> bool:
        return not runner.is_busy() and (view is None or not getattr(view, "_loading", False))
    qtbot.waitUntil(idle, timeout=10000)


def shown(qtbot, widget, size=(1366, 768)):
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)
    return widget
