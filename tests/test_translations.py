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
import xml.etree.ElementTree as ET
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

    def isEmpty(self) -> bool:
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


def _data_words(world) -> set[str]:  # noqa: F811
    """Names and words from the test caseload, shown as data."""
    from sqlalchemy import select

    from linkworker.models import Person

    words: set[str] = {"LinkWorker"}
    with world.caseload.reading() as session:
        for row in session.execute(select(Person.given_name, Person.family_name,
                                          Person.preferred_name)):
            words.update(value for value in row if value)
    # Instruments' published names, units and evidence (citations) are reference data, shown
    # as published: docs/translations.md.
    from linkworker.wellbeing.thresholds import list_thresholds

    for setting in list_thresholds(world.caseload):
        words.update({setting.name, setting.basis, f"{setting.code}: {setting.unit}"})
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


# --- the strings reach a translator's file --------------------------------------------------

TRANSLATIONS = ROOT / "resources" / "translations"
MARKERS = ("translate", "QT_TRANSLATE_NOOP")
# Qt calls whose text argument a user reads or hears: a literal there was never marked.
TEXT_CALLS = frozenset({
    "setText", "setToolTip", "setAccessibleName", "setAccessibleDescription", "setWindowTitle",
    "setPlaceholderText", "setTitle", "setStatusTip", "QLabel", "QPushButton", "QCheckBox",
    "QRadioButton", "QGroupBox", "QToolButton", "addTab", "setTabText", "addRow", "addItem",
    "setHorizontalHeaderLabels", "showMessage", "information", "warning", "critical", "question",
})
NOT_YET: tuple[str, ...] = ()  # folders of ui/ not converted yet


def _ui_files() -> list[Path]:
    return sorted(p for p in (ROOT / "ui").rglob("*.py")
                  if not NOT_YET or p.relative_to(ROOT / "ui").parts[0] not in NOT_YET)


def _marked(paths: list[Path]) -> set[tuple[str, str]]:
    """(context, source) of every translate / QT_TRANSLATE_NOOP call with literal arguments."""
    import ast

    found = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            name = getattr(node, "func", None)
            name = getattr(name, "id", getattr(name, "attr", None))
            if isinstance(node, ast.Call) and name in MARKERS and len(node.args) >= 2 and all(
                    isinstance(a, ast.Constant) and isinstance(a.value, str)
                    for a in node.args[:2]):
                found.add((node.args[0].value, node.args[1].value))
    return found


def _messages(ts: Path) -> dict[tuple[str, str], ET.Element]:
    root = ET.parse(ts).getroot()
    return {(context.findtext("name"), message.findtext("source")): message
            for context in root.iter("context") for message in context.iter("message")}


def _lupdate(tmp_path: Path) -> Path:
    lupdate = Path(sys.executable).with_name("pyside6-lupdate")
    out = tmp_path / "fresh.ts"
    files = [str(p.relative_to(ROOT)) for p in sorted((ROOT / "ui").rglob("*.py"))]
    subprocess.run([str(lupdate), *files, "-ts", str(out)], cwd=ROOT, check=True,
                   capture_output=True, timeout=300)
    return out


def test_lupdate_extracts_every_marked_string_and_the_welsh_template_is_current(tmp_path):
    fresh = _messages(_lupdate(tmp_path))
    marked = _marked(_ui_files())
    assert len(marked) > 900  # the screens' words, not a handful
    # PySide's lupdate silently skips a call it cannot read (a count that is not a plain name).
    assert sorted(marked - set(fresh)) == []
    template = _messages(TRANSLATIONS / "linkworker_cy.ts")
    assert set(template) == set(fresh), "run `make translations` and commit the .ts files"
    counted = [key for key in template if "%n" in key[1] or "%Ln" in key[1]]
    assert counted and all(template[key].get("numerus") == "yes" for key in counted)


def test_english_plurals_come_from_the_compiled_english_file(qtbot):
    english = _messages(TRANSLATIONS / "linkworker_en.ts")
    welsh = _messages(TRANSLATIONS / "linkworker_cy.ts")
    assert set(english) == {key for key, m in welsh.items() if m.get("numerus") == "yes"}
    assert (TRANSLATIONS / "linkworker_en.qm").stat().st_mtime_ns > 0
    say = QCoreApplication.translate
    assert say("caseload_view", "%Ln person(s)", None, 1) == "1 person"
    assert say("caseload_view", "%Ln person(s)", None, 2345) == "2,345 people"
    assert say("today_view", "%Ln day(s) overdue", None, 3) == "3 days overdue"


def test_no_literal_text_is_handed_straight_to_a_widget():
    """A guard for new code: text for a label, button, tooltip... goes through translate."""
    import ast

    from ui.widgets import WorkerPage  # noqa: F401 - the package imports cleanly

    found = []
    for path in _ui_files():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            name = getattr(getattr(node, "func", None), "attr",
                           getattr(getattr(node, "func", None), "id", None))
            if not isinstance(node, ast.Call) or name not in TEXT_CALLS:
                continue
            where = {"addTab": (1,), "setTabText": (1,)}.get(name, (0,))
            if name in ("information", "warning", "critical", "question"):
                where = (1, 2)  # (parent, title, text)
            for arg in [a for i, a in enumerate(node.args) if i in where]:
                parts = ([arg] if isinstance(arg, ast.Constant) else
                         [p for p in arg.values if isinstance(p, ast.Constant)]
                         if isinstance(arg, ast.JoinedStr) else [])
                words = " ".join(p.value for p in parts if isinstance(p.value, str))
                if re.search(r"[A-Za-z]{2,}", re.sub(r"<[^>]+>|Ctrl\+|Esc", "", words)):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {words[:60]!r}")
    assert found == [], "\n".join(found)


def test_every_core_label_on_screen_is_listed_for_translators():
    from ui.core_words import WORDS, core_vocabulary

    assert list(WORDS) == core_vocabulary(), "regenerate with `python -m ui.core_words`"
