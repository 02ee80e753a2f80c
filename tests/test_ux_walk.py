"""Walk every screen of the real main window (issue 16) for what trips keyboard users:
Alt+letters shared with the menu bar or within a screen, a "&" shown as text, Tab traps, and
(separately) labels cut off at 1366x768 and at 150% scale."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QScrollArea, QStackedWidget, QTabWidget, QWidget
from test_app_integration import ROLE_USER, idle, opened, world  # noqa: F401

from linkworker.returns import flow
from ui.main_window import PAGES, MainWindow
from ui.returns import ReturnsScreen
from ui.widgets import (
    _qt_internal,
    cut_off,
    keyboard_problems,
    literal_ampersands,
    mnemonic_clashes,
)


def steps(qtbot, window: MainWindow, widget: QWidget, name: str) -> Iterator[str]:
    """The screen itself, or each step of the Returns screen in turn (contract, period, data
    quality, preview, export and submit): a step's controls are only on screen at that step."""
    if not isinstance(widget, ReturnsScreen):
        yield name
        return
    for step, title in enumerate(flow.STEPS):
        widget.state.step = step
        widget._render()
        idle(qtbot, window.runner)
        yield f"{name} / {title}"
    widget.state.step = 0
    widget._render()


def screens(qtbot, window: MainWindow, world) -> Iterator[str]:  # noqa: F811
    """Show each screen in turn (every page and its inner tabs, the referral, a record's
    tabs and its quick note) and yield its name while it is on screen."""
    for page in PAGES:
        if not window.nav.item(PAGES.index(page)).flags() & window.nav.item(0).flags():
            continue
        widget = window.go(page.key)
        idle(qtbot, window.runner)
        inner = widget if isinstance(widget, QTabWidget) else widget.findChild(QTabWidget)
        if isinstance(inner, QTabWidget) and page.key in ("reports", "settings"):
            for index in range(inner.count()):
                inner.setCurrentIndex(index)
                idle(qtbot, window.runner)
                yield from steps(qtbot, window, inner.widget(index),
                                 f"{page.title} / {inner.tabText(index)}")
        else:
            yield from steps(qtbot, window, widget, page.title)
    if window.actions["new_referral"].isEnabled():
        window.new_referral()
        idle(qtbot, window.runner)
        yield "New referral"
    record = window.show_person(world.people["margaret"])
    idle(qtbot, window.runner)
    for index in range(record.tabs.count()):
        record.tabs.setCurrentIndex(index)
        idle(qtbot, window.runner)
        yield f"Record / {record.tabs.tabText(index)}"
    record.open_quick_note()
    yield "Record / quick note"
    record.quick_note.close_panel()


@pytest.mark.parametrize("role", ["manager", "admin", "link_worker"])
def test_no_alt_letter_clashes_on_any_screen_including_the_menu_bar(qtbot, world, opened,  # noqa: F811
                                                                    role):
    window = opened(world.actor(ROLE_USER[role]))
    window.resize(1366, 768)
    found = {}
    for name in screens(qtbot, window, world):
        clashes = mnemonic_clashes(window)
        if clashes:
            found[name] = clashes
    assert found == {}


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_no_stray_ampersands_or_tab_traps_on_any_screen(qtbot, world, opened, role):  # noqa: F811
    window = opened(world.actor(ROLE_USER[role]))
    found = {}
    for name in screens(qtbot, window, world):
        problems = literal_ampersands(window) + [
            p for p in keyboard_problems(window.centralWidget()) if p.startswith("Tab")]
        if problems:
            found[name] = problems
    assert found == {}


def _tab_stops(window: MainWindow) -> list[QWidget]:
    """The controls a keyboard user lands on in the visible screen."""
    return [w for w in window.centralWidget().findChildren(QWidget)
            if w.isVisible() and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus
            and not _qt_internal(w) and not isinstance(w, QScrollArea | QStackedWidget)]


def test_tab_leaves_every_control_on_every_screen(qtbot, world, opened):  # noqa: F811
    window = opened(world.actor(ROLE_USER["manager"]))
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    trapped = {}
    for name in screens(qtbot, window, world):
        for widget in _tab_stops(window):
            widget.setFocus(Qt.FocusReason.TabFocusReason)
            start = QApplication.focusWidget()
            if start is None or not (start is widget or widget.isAncestorOf(start)):
                continue
            qtbot.keyClick(start, Qt.Key.Key_Tab)
            if QApplication.focusWidget() is start:
                trapped.setdefault(name, []).append(widget.accessibleName())
    assert trapped == {}


def test_nothing_is_cut_off_at_1366x768(qtbot, world, opened):  # noqa: F811
    window = opened(world.actor(ROLE_USER["manager"]))
    window.setGeometry(0, 0, 1366, 768 - 40)  # the laptop's screen less its task bar
    found = {}
    for name in screens(qtbot, window, world):
        problems = cut_off(window.centralWidget())
        if problems:
            found[name] = problems
    assert found == {}


def test_nothing_is_cut_off_at_150_percent(qtbot, world, opened):  # noqa: F811
    """150% scaling on a 1920x1080 screen: 1280x720 of room for text half as big again."""
    app = QApplication.instance()
    normal = app.font()
    bigger = app.font()
    bigger.setPointSizeF(normal.pointSizeF() * 1.5)
    app.setFont(bigger)
    try:
        window = opened(world.actor(ROLE_USER["manager"]))
        window.setGeometry(0, 0, 1280, 720 - 32)
        found = {}
        for name in screens(qtbot, window, world):
            problems = cut_off(window.centralWidget())
            if problems:
                found[name] = problems
    finally:
        app.setFont(normal)
    assert found == {}
