"""Alt+letters a keyboard user reaches for every day (stop 27): every label of the Goals tab's
"New goal" and "Steps" boxes jumps to its own field, and every item of every menu of the main
window has its own letter, as each role sees them."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QGroupBox, QLabel
from test_app_integration import ROLE_USER, idle, opened, world  # noqa: F401

from ui.widgets import menu_mnemonic_problems, mnemonic_clashes, with_mnemonics

ALT = Qt.KeyboardModifier.AltModifier


def _goals_tab(qtbot, window, world):  # noqa: F811 - the fixture's value
    window.resize(1366, 768)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    record = window.show_person(world.people["margaret"])
    idle(qtbot, window.runner)
    record.tabs.setCurrentIndex(record.record_tabs.index(record.goals))
    idle(qtbot, window.runner)
    return record.goals


def _labels(box: QGroupBox) -> list[QLabel]:
    return [label for label in box.findChildren(QLabel) if label.text()]


@pytest.mark.parametrize("box_title", ["New goal", "Steps for the selected goal"])
def test_every_goal_and_step_label_has_its_own_alt_letter(qtbot, world, opened, box_title):  # noqa: F811
    window = opened(world.actor(ROLE_USER["link_worker"]))
    tab = _goals_tab(qtbot, window, world)
    box = next(b for b in tab.findChildren(QGroupBox) if b.title() == box_title)
    letters = {}
    for label in _labels(box):
        key = QKeySequence.mnemonic(label.text())
        assert not key.isEmpty(), f"{label.text()!r} has no Alt-letter"
        assert label.buddy() is not None, f"{label.text()!r} jumps nowhere"
        letters[key.toString()] = label
    assert len(letters) == len(_labels(box))
    for label in letters.values():  # Alt+letter lands in the label's own field
        tab.goal_words.setFocus()
        letter = QKeySequence.mnemonic(label.text())[0].key()
        qtbot.keyClick(QApplication.focusWidget(), letter, ALT)
        focused = QApplication.focusWidget()
        assert focused is label.buddy() or label.buddy().isAncestorOf(focused), (
            label.text(), focused.accessibleName(), focused.parent().accessibleName())
    assert mnemonic_clashes(window) == []


def test_a_date_typed_after_alt_n_goes_into_agreed_on_not_the_goals_words(
        qtbot, world, opened):  # noqa: F811
    window = opened(world.actor(ROLE_USER["link_worker"]))
    tab = _goals_tab(qtbot, window, world)
    tab.goal_words.setFocus()
    qtbot.keyClicks(tab.goal_words, "Walk to the shops")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_N, ALT)
    qtbot.keyClicks(QApplication.focusWidget(), "01/03/2026")
    assert tab.goal_words.text() == "Walk to the shops"
    assert tab.goal_date.text() == "01/03/2026"


@pytest.mark.parametrize("role", ["manager", "admin", "link_worker", "coordinator"])
def test_every_menu_item_has_its_own_alt_letter_for_every_role(qtbot, world, opened, role):  # noqa: F811
    """The Go menu's pages had none (Alt+G then nothing); File's items must keep theirs."""
    window = opened(world.actor(ROLE_USER[role]))
    assert menu_mnemonic_problems(window.menuBar()) == []
    items = [action.text() for title in window.menuBar().actions()
             for action in title.menu().actions() if not action.isSeparator()]
    assert len(items) >= 15  # File (8), Go (a page each), Person (3), Help (2)


def test_a_menu_of_page_titles_gets_a_letter_each_even_when_they_start_alike():
    marked = with_mnemonics(["Today", "Due and overdue", "Directory", "Drop-ins", "R&D costs"])
    keys = [QKeySequence.mnemonic(text).toString() for text in marked]
    assert marked[:2] == ["&Today", "&Due and overdue"]
    assert len(set(keys)) == len(keys) and all(keys)
    assert marked[4].replace("&&", "").count("&") == 1  # its own "&" shown, not a mnemonic


def test_adding_a_goal_says_so_once(qtbot, world, opened):  # noqa: F811
    """"Goal added" in the record and "Saved." in the window's message bar at the same time:
    one message, the record's (it names what was saved)."""
    window = opened(world.actor(ROLE_USER["link_worker"]))
    tab = _goals_tab(qtbot, window, world)
    record = window.tabs.currentWidget()
    before = tab.tree.topLevelItemCount()
    tab.goal_words.setFocus()
    qtbot.keyClicks(tab.goal_words, "Walk to the shops")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_A, ALT)  # Add goal
    qtbot.waitUntil(lambda: tab.tree.topLevelItemCount() == before + 1, timeout=5000)
    idle(qtbot, window.runner)
    assert record.status.text() == "Goal added"
    assert window.messages.text() != "Saved."  # (start-up's "Up to date: ..." may show)
