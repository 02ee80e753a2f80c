"""A shared laptop at a hub (issue 16): sign out, and someone else signing in at the lock
screen with their own username, through the real main window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from test_app_integration import PASSWORD, idle, opened, world  # noqa: F401

from linkworker.models import AuditEvent
from ui.lock import LockScreen


def _sign_in_at(qtbot, screen: LockScreen, username: str) -> None:
    screen.username.setFocus()
    screen.username.selectAll()
    qtbot.keyClicks(screen.username, username)
    qtbot.keyClick(screen.username, Qt.Key.Key_Return)
    assert screen.password.hasFocus()
    qtbot.keyClicks(screen.password, PASSWORD)
    qtbot.keyClick(screen.password, Qt.Key.Key_Return)


def test_the_lock_screen_has_a_username_box_for_someone_else(qtbot, world, opened):  # noqa: F811
    first = opened(world.actor("ada"))
    first.show_person(world.people["margaret"])
    first.lock()
    screen = first.centralWidget()
    assert isinstance(screen, LockScreen)
    assert screen.username.text() == "ada" and screen.password.hasFocus()
    _sign_in_at(qtbot, screen, "cora")
    qtbot.waitUntil(lambda: first.successor is not None, timeout=10000)
    second = first.successor
    try:
        assert second.actor.username == "cora" and second.isVisible()
        assert not first.isVisible() and first.record_tabs() == []
        assert "Cora" in second.signed_in.text()
    finally:
        idle(qtbot, second.runner)
        second.lock_guard.stop()
        second.hide()
        second.deleteLater()


def test_sign_out_closes_records_and_asks_for_a_username(qtbot, world, opened, caseload):  # noqa: F811
    window = opened(world.actor("ada"))
    window.show_person(world.people["margaret"])
    idle(qtbot, window.runner)
    assert window.actions["sign_out"].isEnabled()
    assert window.sign_out()
    screen = window.centralWidget()
    assert isinstance(screen, LockScreen) and window.record_tabs() == []
    assert screen.username.text() == "" and screen.username.hasFocus()
    _sign_in_at(qtbot, screen, "ada")  # the same person again: back to their window
    qtbot.waitUntil(lambda: not window.lock_guard.locked, timeout=10000)
    assert window.successor is None
    idle(qtbot, window.runner)
    with caseload.reading() as session:
        actions = [e.action for e in session.query(AuditEvent).all()]
    assert "sign_out" in actions
