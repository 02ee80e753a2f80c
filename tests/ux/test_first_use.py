"""The two first-use flows of issue 16, driven by keyboard only through the real windows, from
the sign-in box, as a person new to LinkWorker would find their way (the F1 guide, the menus
and labels on screen, Tab):

* a new manager: sign in -> a submitted return, with its workbook and cover PDF (the evidence);
* a new link worker: sign in -> a first meeting recorded: note, SWEMWBS, two goals, a
  signposting.

Every key goes to the widget that has the keyboard, as a real key press would, and is counted
(a chord such as Ctrl+N is one key); so are the screens the person has to read. The timings of
the same flows at a human pace under a real X display are in docs/usability.md
(``bench/first_use.py``). The counts here are a ceiling: a change that makes a flow longer
fails the test, and the new count has to be argued for.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from sqlalchemy import select

from linkworker import models
from linkworker.demo import DEMO_PASSWORD, generate
from tests.caseload.conftest import TODAY
from ui.main_window import MainWindow
from ui.signin import SignInDialog

ALT, CTRL = Qt.KeyboardModifier.AltModifier, Qt.KeyboardModifier.ControlModifier
MANAGER_KEYS, WORKER_KEYS = 45, 190  # ceilings: 39 and 177 today (most are the words typed)


class NewUser:
    """A person at the keyboard: each key goes where the focus is, and is counted."""

    def __init__(self, qtbot, runner) -> None:
        self.qtbot, self.runner = qtbot, runner
        self.keys = 0
        self.screens: list[str] = []

    def here(self) -> QWidget:
        target = QApplication.focusWidget() or QApplication.activeModalWidget() \
            or QApplication.activeWindow()
        assert target is not None, "the keyboard is nowhere: no window has it"
        return target

    def press(self, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier, times: int = 1) -> None:
        for _ in range(times):
            self.qtbot.keyClick(self.here(), key, modifier)
            self.keys += 1
            if modifier == ALT:
                self.qtbot.wait(150)  # an Alt+letter button "animates" its click for 100 ms
        self.settle()

    def type(self, text: str) -> None:
        self.qtbot.keyClicks(self.here(), text)
        self.keys += len(text)
        self.settle()

    def sees(self, screen: str) -> None:
        self.screens.append(screen)

    def settle(self) -> None:
        self.qtbot.waitUntil(lambda: not self.runner.is_busy())
        QApplication.processEvents()


@pytest.fixture
def demo(caseload):
    """A small demo caseload: the accounts and the sample contract of `linkworker demo`."""
    generate(caseload, people=120, seed=7, today=TODAY)
    return caseload


def sign_in(qtbot, runner, person: NewUser, username: str) -> MainWindow:
    """The sign-in box as the app shows it, then the main window (as open_main_window)."""
    dialog = SignInDialog(runner)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: dialog.sign_in_page.ok.isEnabled())
    person.sees("Sign in")
    assert QApplication.focusWidget() is dialog.username  # the cursor waits in Username
    person.type(username)
    person.press(Qt.Key.Key_Tab)
    person.type(DEMO_PASSWORD)
    person.press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.actor is not None)
    window = MainWindow(runner, dialog.actor, clock=lambda: TODAY)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.waitUntil(lambda: window.prepared is not None)
    person.settle()
    return window


def read_the_guide(person: NewUser, window: MainWindow, link: int, expect: str) -> None:
    """F1, Tab to the guide's link number ``link``, Enter, read it, Esc."""
    person.press(Qt.Key.Key_F1)
    person.sees("Guide")
    guide = next(d for d in window._dialogs if d.isVisible())
    guide.activateWindow()
    person.qtbot.waitUntil(guide.isActiveWindow)
    person.press(Qt.Key.Key_Tab, times=link)
    person.press(Qt.Key.Key_Return)
    assert expect in guide.text()
    person.sees(f"Guide: {expect}")
    person.press(Qt.Key.Key_Escape)
    assert not guide.isVisible()
    window.activateWindow()  # what the window manager does when the guide closes
    person.qtbot.waitUntil(window.isActiveWindow)


def test_a_new_manager_submits_an_evidenced_return_by_keyboard(qtbot, runner, demo, tmp_path,
                                                             monkeypatch):
    saved: list[Path] = []

    def save_as(_parent, _title, suggested, _filter):  # the file box: Enter takes the name
        person.keys += 1
        saved.append(tmp_path / Path(suggested).name)
        return str(saved[-1]), ""

    monkeypatch.setattr("ui.returns.screen.QFileDialog.getSaveFileName", save_as)
    person = NewUser(qtbot, runner)
    window = sign_in(qtbot, runner, person, "manager")
    person.sees("My caseload")
    read_the_guide(person, window, 4, "The quarterly return (managers)")

    person.press(Qt.Key.Key_5, CTRL)  # the guide's step 1: Reports (Ctrl+5), Outcome returns
    screen = window.pages["reports"].widget(0)
    assert screen.isVisible() and screen.state.contract == "SAMPLE-SP-SIB"
    person.sees("Returns: contract")
    person.press(Qt.Key.Key_N, ALT)
    assert screen.pages.currentWidget() is screen.period_page
    person.sees("Returns: period")
    person.press(Qt.Key.Key_E, ALT)  # P&eriod: the box, its text selected
    assert screen.period_page.period.isAncestorOf(person.here()), person.here()
    person.type("2026-Q3")
    person.press(Qt.Key.Key_N, ALT)  # Next builds the return
    assert screen.pages.currentWidget() is screen.quality_page
    person.sees("Returns: data quality")
    person.press(Qt.Key.Key_N, ALT)
    person.sees("Returns: preview")
    assert screen.preview_page.claims.rowCount() > 0
    person.press(Qt.Key.Key_N, ALT)
    person.sees("Returns: export and submit")
    person.press(Qt.Key.Key_W, ALT)  # &Workbook (XLSX)...
    person.press(Qt.Key.Key_V, ALT)  # PDF co&ver report...
    qtbot.waitUntil(lambda: len(saved) == 2 and all(p.exists() for p in saved))

    def confirm(box: QMessageBox) -> None:  # "Submit the return?": Alt+S (Enter cancels)
        assert "cannot be undone" in box.text()
        person.sees("Submit the return?")
        qtbot.keyClick(box.focusWidget() or box, Qt.Key.Key_S, ALT)
        person.keys += 1

    asked = when_asked(confirm)
    with qtbot.waitSignal(screen.submitted):
        person.press(Qt.Key.Key_S, ALT)  # &Submit return...
    person.settle()
    assert not asked.isActive()

    doc = screen.state.document
    assert doc.status == "submitted" and doc.period.label == "2026-Q3"
    claims = [r for r in doc.rows if r.kind == "claim"]
    assert claims and all(r.evidence for r in claims)  # every claim carries its evidence
    assert {p.suffix for p in saved} == {".xlsx", ".pdf"}
    with demo.reading() as s:
        stored = [r.status for r in s.scalars(select(models.OutcomeReturn))]
    assert stored == ["submitted"]
    print(f"\nmanager: {person.keys} keys, {len(person.screens)} screens: {person.screens}")
    assert person.keys <= MANAGER_KEYS
    assert len(person.screens) <= 12


def when_asked(answer) -> QTimer:
    """Answer the next modal question box (it runs its own event loop) with ``answer``."""
    timer = QTimer()
    timer.setInterval(50)

    def look() -> None:
        box = QApplication.activeModalWidget()
        if not (isinstance(box, QMessageBox) and box.isVisible()):
            return
        if not box.isActiveWindow():
            box.activateWindow()  # as the window manager does for a new box
            return
        timer.stop()
        answer(box)

    timer.timeout.connect(look)
    timer.start()
    return timer


def first_to_meet(window: MainWindow) -> tuple[str, str]:
    """The person on My caseload waiting for a first meeting (Stage "Referred"), as read off
    the screen: (their reference, person id). Two people may share a family name; the
    reference is on the same row and is unique."""
    view = window.pages["caseload"]
    model = view.model
    columns = {model.headerData(c, Qt.Orientation.Horizontal): c
               for c in range(model.columnCount())}
    for row in range(model.rowCount()):
        if model.index(row, columns["Stage"]).data() == "Referred":
            return model.index(row, columns["Reference"]).data(), model.ids[row]
    raise AssertionError("no one waiting for a first meeting on this caseload")


def test_a_new_link_worker_records_a_first_meeting_by_keyboard(qtbot, runner, demo):
    person = NewUser(qtbot, runner)
    window = sign_in(qtbot, runner, person, "worker1")
    person.sees("My caseload")
    read_the_guide(person, window, 2, "A first meeting")
    reference, person_id = first_to_meet(window)

    person.press(Qt.Key.Key_F, CTRL)  # the guide: Ctrl+F, the name (or reference), Down, Enter
    person.type(reference)
    qtbot.waitUntil(lambda: window.pages["caseload"].model.rowCount() == 1)  # as they read it
    person.press(Qt.Key.Key_Down)
    person.press(Qt.Key.Key_Return)
    record = window.tabs.currentWidget()
    assert record.property("person_id") == person_id
    assert record.isAncestorOf(QApplication.focusWidget())  # its keys work at once
    qtbot.waitUntil(lambda: record.bundle is not None)
    person.sees("Record")

    person.press(Qt.Key.Key_N, CTRL)  # 1. the note
    assert record.quick_note.isVisible()
    person.sees("Quick note")
    person.type("First meeting at home. Lonely since her husband died; keen on gardening.")
    person.press(Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: not record.quick_note.isVisible())

    person.press(Qt.Key.Key_M, CTRL)  # 2. SWEMWBS
    dialog = record.wellbeing.dialog
    form = dialog.form
    qtbot.waitUntil(lambda: dialog.isVisible() and form.state is not None)
    dialog.activateWindow()  # as the window manager does for a new window
    qtbot.waitUntil(dialog.isActiveWindow)
    person.sees("Wellbeing form")
    person.press(Qt.Key.Key_I, ALT)
    person.type("S")
    qtbot.waitUntil(lambda: form.text is not None and form.text.instrument == "SWEMWBS")
    person.press(Qt.Key.Key_A, ALT)  # the answers (the guide's Alt+A)
    person.type("4343434")
    assert form.state.complete
    person.press(Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    window.activateWindow()  # the window manager gives the keyboard back to the window
    qtbot.waitUntil(window.isActiveWindow)

    person.press(Qt.Key.Key_4, ALT)  # 3. two goals
    person.sees("Goals and plan")
    for words, category in (("Get back to my allotment", "A"), ("Sing in a choir again", "S")):
        person.press(Qt.Key.Key_W, ALT)
        person.type(words)
        person.press(Qt.Key.Key_Tab)
        person.type(category)
        person.press(Qt.Key.Key_A, ALT)

    person.press(Qt.Key.Key_5, ALT)  # 4. a signposting
    person.sees("Signposting")
    person.press(Qt.Key.Key_D, ALT)
    person.type("walk")
    qtbot.waitUntil(lambda: record.signposting.results.rowCount() > 0)
    person.press(Qt.Key.Key_S, ALT)
    person.settle()

    with demo.reading() as s:
        episode = s.scalars(select(models.Episode).where(
            models.Episode.person_id == person_id)).one().id
        notes = [c.status for c in s.scalars(select(models.Contact).where(
            models.Contact.episode_id == episode)) if "keen on gardening" in (c.note or "")]
        forms = [(f.instrument, f.timepoint, f.complete, f.value is not None)
                 for f in s.scalars(select(models.Measure).where(
                     models.Measure.episode_id == episode))]
        goals = sorted(g.own_words for g in s.scalars(select(models.Goal).where(
            models.Goal.episode_id == episode)))
        signposts = s.scalars(select(models.Signpost).where(
            models.Signpost.episode_id == episode)).all()
    assert notes == ["attended"]
    assert forms == [("SWEMWBS", "baseline", True, True)]  # scored
    assert goals == ["Get back to my allotment", "Sing in a choir again"]
    assert len(signposts) == 1
    print(f"\nworker: {person.keys} keys, {len(person.screens)} screens: {person.screens}")
    assert person.keys <= WORKER_KEYS
    assert len(person.screens) <= 12
