"""The wellbeing screens driven like a worker would: keyboard only, real caseload, real runner."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from linkworker.access import Actor
from linkworker.models import Episode, Person, User
from linkworker.wellbeing.measures import person_measures
from ui.wellbeing.tab import WellbeingTab


@pytest.fixture
def person(caseload):
    with caseload.transaction() as s:
        worker = User(username="sam", display_name="Sam Worker", role="link_worker")
        person = Person(reference="P0001", given_name="Ada", family_name="Test")
        s.add_all([worker, person])
        s.flush()
        s.add(Episode(person_id=person.id, number=1, referral_date=dt.date(2025, 1, 6),
                      worker_id=worker.id, first_meeting_date=dt.date(2025, 1, 13),
                      stage="active"))
        actor = Actor(user_id=worker.id, username="sam", role="link_worker", display_name="Sam")
        return actor, person.id


def open_tab(qtbot, runner, actor, person_id) -> WellbeingTab:
    tab = WellbeingTab(runner, actor, person_id)
    qtbot.addWidget(tab)
    tab.resize(1366, 700)
    tab.show()
    qtbot.waitUntil(lambda: tab.overview is not None)
    return tab


def open_form(qtbot, tab, instrument="WEMWBS"):
    dialog = tab.open_form(instrument)
    form = dialog.form
    qtbot.waitUntil(lambda: form.text is not None and form.text.instrument == instrument)
    return dialog, form


def test_key_in_a_whole_wemwbs_and_find_it_on_the_timeline(qtbot, runner, person):
    actor, person_id = person
    tab = open_tab(qtbot, runner, actor, person_id)
    assert "No wellbeing forms yet" in tab.status.text()
    dialog, form = open_form(qtbot, tab)
    assert form.panel.prompt.text() == "Statement 1"  # no licensed wording loaded
    assert "licensed" in form.hint.text() and "2006" in form.notice.text()
    assert form.timepoint.currentData() == "baseline"
    assert not form.save_button.isEnabled()
    form.panel.setFocus()
    qtbot.keyClicks(form.panel, "4444433333")
    assert form.count.text() == "10 of 14 answered"
    assert not form.save_button.isEnabled() and form.incomplete_button.isEnabled()
    qtbot.keyClick(form.panel, Qt.Key.Key_Backspace)  # back to statement 10, retype it
    assert form.panel.prompt.text() == "Statement 10"
    qtbot.keyClicks(form.panel, "54444")
    assert form.answers == [4, 4, 4, 4, 4, 3, 3, 3, 3, 5, 4, 4, 4, 4]
    assert form.count.text() == "14 of 14 answered" and form.save_button.isEnabled()
    with qtbot.waitSignal(form.saved):
        qtbot.keyClick(form.panel, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: tab.timeline_values("WEMWBS") == [53.0])
    lines = tab.chart.figure.axes[0].get_lines()
    assert any(list(line.get_ydata()) == [53.0] for line in lines)
    assert tab.table.item(0, 3).text() == "53" and tab.table.item(0, 4).text() == "Complete"
    stored = person_measures(runner.caseload, actor, person_id)
    assert stored[0].answers == (4, 4, 4, 4, 4, 3, 3, 3, 3, 5, 4, 4, 4, 4)


def test_incomplete_form_saved_deliberately_and_badge_after_follow_up(qtbot, runner, person):
    actor, person_id = person
    tab = open_tab(qtbot, runner, actor, person_id)
    _, form = open_form(qtbot, tab, "SWEMWBS")
    qtbot.keyClicks(form.panel, "333")
    with qtbot.waitSignal(form.saved):
        form.incomplete_button.click()
    qtbot.waitUntil(lambda: tab.table.rowCount() == 1)
    assert tab.table.item(0, 4).text() == "Incomplete (3 answered)"
    assert tab.timeline_values("SWEMWBS") == [None]
    # A complete baseline and a 3-month review: 3333333 (raw 21 -> 19.25) then 4444444
    # (raw 28 -> 25.03): +5.78 metric points, improved.
    for timepoint, keys in (("baseline", "3333333"), ("review_3m", "4444444")):
        _, form = open_form(qtbot, tab, "SWEMWBS")
        form.timepoint.setCurrentIndex(form.timepoint.findData(timepoint))
        form.date.set_value(dt.date.today() - dt.timedelta(days=1 if timepoint == "review_3m"
                                                           else 100))
        qtbot.keyClicks(form.panel, keys)
        with qtbot.waitSignal(form.saved):
            form.save_button.click()
    qtbot.waitUntil(lambda: tab.badge.direction == "improved")
    assert "SWEMWBS +5.78" in tab.badge.text()


def test_ons4_keys_ten_and_shows_shipped_wording(qtbot, runner, person):
    actor, person_id = person
    tab = open_tab(qtbot, runner, actor, person_id)
    _, form = open_form(qtbot, tab, "ONS4")
    assert form.panel.prompt.text().startswith("Overall, how satisfied")
    assert not form.hint.isVisible()
    qtbot.keyClicks(form.panel, "10" + "7" + "1")
    qtbot.keyClick(form.panel, Qt.Key.Key_Return)
    assert form.answers == [10, 7, 1, None]
    qtbot.keyClicks(form.panel, "2")
    assert form.save_button.isEnabled()


def test_save_failure_is_shown_and_nothing_is_saved(qtbot, runner, person):
    actor, person_id = person
    tab = open_tab(qtbot, runner, actor, person_id)
    for attempt in range(2):
        _, form = open_form(qtbot, tab)
        qtbot.keyClicks(form.panel, "3" * 14)
        if attempt == 0:
            with qtbot.waitSignal(form.saved):
                form.save_button.click()
        else:
            assert form.timepoint.currentData() == "review_3m"  # the next one due is suggested
            form.timepoint.setCurrentIndex(form.timepoint.findData("baseline"))
            form.save_button.click()
            qtbot.waitUntil(lambda f=form: "already has a complete WEMWBS" in f.message.text())
            assert form.save_button.isEnabled()  # the worker can change the timepoint and retry
    assert len(person_measures(runner.caseload, actor, person_id)) == 1


def test_admin_loads_wording_and_forms_show_it(qtbot, runner, person, actor_admin):
    from ui.wellbeing.wording_dialog import LoadWordingDialog

    actor, person_id = person
    dialog = LoadWordingDialog(runner, actor_admin)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.instrument.count() == 2)
    assert dialog.instrument.currentData() == "WEMWBS"
    fake = [f"Invented test line {n}" for n in range(1, 15)]
    dialog.text.setPlainText("\n".join(fake[:13]))
    assert "has 14 statements; the text has 13" in dialog.check.text()
    assert not dialog.load_button.isEnabled()
    dialog.text.setPlainText("\n".join(fake))
    assert dialog.load_button.isEnabled()
    dialog.load_button.click()
    qtbot.waitUntil(lambda: "Loaded 14 statements" in dialog.result.text())
    tab = open_tab(qtbot, runner, actor, person_id)
    _, form = open_form(qtbot, tab, "SWEMWBS")
    assert form.panel.prompt.text() == "Invented test line 1"
    assert not form.hint.isVisible()
    qtbot.keyClicks(form.panel, "444")
    assert form.panel.prompt.text() == "Invented test line 6"  # SWEMWBS item 4 = WEMWBS 6


def test_summary_view_shows_figures_and_exports_suppressed(qtbot, runner, person, actor_manager,
                                                          tmp_path):
    view = _summary_shown(qtbot, runner, person, actor_manager,
                          (("baseline", 100, [2] * 14), ("review_3m", 5, [3] * 14)))
    assert view.summary.paired == 1 and view.summary.improved == 1
    assert "too few to mean much" in view.warning.text()
    assert view.figures.item(1, 1).text() == "1"
    assert "hidden in exports" in view.figures.item(1, 2).text()
    target = tmp_path / "summary.csv"
    view.export(target)
    qtbot.waitUntil(lambda: "Exported" in view.warning.text())
    text = target.read_text(encoding="utf-8-sig")
    assert "People with a paired follow-up,suppressed,suppressed: fewer than 5 people" in text
    assert "P0001" not in text


def _summary_shown(qtbot, runner, person, actor_manager, measures):
    """The summary view, all time, shown for the person's WEMWBS ``(timepoint, days ago,
    answers)``, as a manager sees it."""
    from linkworker.wellbeing.measures import record_measure
    from ui.wellbeing.summary_view import SummaryView

    actor, person_id = person
    with runner.caseload.reading() as s:
        episode_id = s.execute(select(Episode.id)).scalar_one()
    today = dt.date.today()
    for timepoint, days, answers in measures:
        record_measure(runner.caseload, actor, person_id, episode_id, "WEMWBS", timepoint,
                       today - dt.timedelta(days=days), "with_worker", answers)
    view = SummaryView(runner, actor_manager)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.instrument.count() >= 3)
    view.all_time.setChecked(True)
    view.show_button.click()
    qtbot.waitUntil(lambda: view.summary is not None)
    return view


def test_the_summarys_missing_list_holds_the_cores_rows_not_an_item_per_cell(
        qtbot, runner, person, actor_manager):
    """Issue 15 (memory): at 150,000 people tens of thousands miss a follow-up; a table item
    per cell kept them all in Qt for the session. The list shows the core's own rows and
    makes a cell's text when it is painted."""
    view = _summary_shown(qtbot, runner, person, actor_manager,
                          (("baseline", 100, [2] * 14),))
    assert len(view.summary.missing) == 1
    assert view.missing.list_model.items is view.summary.missing
    assert view.missing.item(0, 0).text() == view.summary.missing[0].reference
    assert view.missing.item(0, 4).text() == "open"


def test_the_summarys_dates_take_a_date_typed_over_them(qtbot, runner, person, actor_manager):
    """Qt's date box took nothing typed over its selected text (Ctrl+A, 01/01/2025: the old
    date stayed), so the period could only be changed section by section or in the calendar.
    The period's dates are now typed like every other date in the app."""
    from ui.wellbeing.summary_view import SummaryView

    view = SummaryView(runner, actor_manager)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.instrument.count() >= 3)
    view.start.setFocus()
    qtbot.keyClick(view.start, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(view.start, "01/01/2025")
    qtbot.keyClick(view.start, Qt.Key.Key_Tab)
    assert view.current_filter().start == dt.date(2025, 1, 1)
    view.end.setFocus()
    qtbot.keyClick(view.end, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(view.end, "31/06/2026")
    view.show_button.click()
    assert view.warning.text() == "Baselines to: '31/06/2026' is not a date (dd/mm/yyyy)."
    assert view.summary is None and view.end.hasFocus()


def test_a_paper_forms_date_is_typed_over_todays(qtbot, runner, person):
    """A form filled in on paper and keyed in later: its date typed over today's, as in every
    other date field (Qt's date box took nothing typed over its selected text, so the form
    was saved dated today). Enter in the date keeps the form open; a day that does not exist
    stops the save and says why."""
    actor, person_id = person
    tab = open_tab(qtbot, runner, actor, person_id)
    dialog, form = open_form(qtbot, tab, "SWEMWBS")
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    paper = dt.date.today() - dt.timedelta(days=9)
    form.date.setFocus()
    qtbot.keyClick(form.date, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(form.date, "31/02/2026")
    qtbot.keyClick(form.date, Qt.Key.Key_Return)
    assert dialog.isVisible()
    form.panel.setFocus()
    qtbot.keyClicks(form.panel, "3333333")
    qtbot.keyClick(form.panel, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert form.message.text() == "Date completed: '31/02/2026' is not a date (dd/mm/yyyy)."
    assert dialog.isVisible() and form.date.hasFocus()
    qtbot.keyClick(form.date, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(form.date, paper.strftime("%d/%m/%Y"))
    with qtbot.waitSignal(form.saved):
        qtbot.keyClick(form.date, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert [m.completed_on for m in person_measures(runner.caseload, actor, person_id)] == [paper]


def test_enter_in_a_field_of_the_form_never_cancels_it(qtbot, runner, person):
    """Enter after choosing the timepoint (or typing the date) pressed the dialog's default
    button, *Cancel*: the form closed and the answers already keyed in were lost."""
    dialog, form, _ = _swemwbs_keyed(qtbot, runner, person, "333")
    for field in (form.timepoint, form.date, form.mode):
        field.setFocus()
        qtbot.keyClick(field, Qt.Key.Key_Return)
        assert dialog.isVisible(), field.accessibleName()
    assert form.answers[:3] == [3, 3, 3]
    QTimer.singleShot(0, lambda: _answer(QMessageBox.StandardButton.Discard))
    form.cancel_button.setFocus()
    qtbot.keyClick(form.cancel_button, Qt.Key.Key_Return)  # a focused button still works
    assert not dialog.isVisible()


def _swemwbs_keyed(qtbot, runner, person, keys: str):
    """A SWEMWBS form open in front, with ``keys`` typed into its answers: (dialog, form,
    the wellbeing tab it was opened from)."""
    actor, person_id = person
    tab = open_tab(qtbot, runner, actor, person_id)
    dialog, form = open_form(qtbot, tab, "SWEMWBS")
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    form.panel.setFocus()
    qtbot.keyClicks(form.panel, keys)
    return dialog, form, tab


def _answer(button) -> str:
    """Press ``button`` in the question box in front; its text."""
    from PySide6.QtWidgets import QApplication

    box = QApplication.activeModalWidget()
    assert isinstance(box, QMessageBox)
    text = box.text()
    box.button(button).click()
    return text


def test_escape_asks_before_throwing_away_answers_keyed_in(qtbot, runner, person):
    """Fourteen answers from a paper form went with one press of Esc, unasked."""
    actor, person_id = person
    dialog, form, tab = _swemwbs_keyed(qtbot, runner, person, "3333")
    asked = []
    QTimer.singleShot(0, lambda: asked.append(_answer(QMessageBox.StandardButton.Cancel)))
    qtbot.keyClick(form.panel, Qt.Key.Key_Escape)
    assert dialog.isVisible() and form.answers[:4] == [3, 3, 3, 3]
    assert asked == ["4 answers have been keyed in and not saved. Discard them?"]
    QTimer.singleShot(0, lambda: asked.append(_answer(QMessageBox.StandardButton.Discard)))
    qtbot.keyClick(form.panel, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and len(asked) == 2
    assert person_measures(runner.caseload, actor, person_id) == ()
    dialog, form = open_form(qtbot, tab, "SWEMWBS")
    form.panel.setFocus()
    qtbot.keyClicks(form.panel, "33")
    dialog.setEnabled(False)  # as the lock screen leaves it; a switch of user closes it
    dialog.close()
    assert not dialog.isVisible() and len(asked) == 2  # the next user is not asked


def test_no_button_of_the_form_is_drawn_as_the_one_enter_presses(qtbot, runner, person):
    """*Cancel (Esc)* was drawn as the default button while Enter no longer pressed it: Enter
    submits nothing in this form (Ctrl+S saves), so no button is the default one. Enter on a
    focused button presses that button, and it is the only one that looks pressed by Enter."""
    actor, person_id = person
    tab = open_tab(qtbot, runner, actor, person_id)
    dialog, form = open_form(qtbot, tab, "SWEMWBS")
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    buttons = (form.save_button, form.incomplete_button, form.cancel_button)
    form.panel.setFocus()
    qtbot.keyClicks(form.panel, "33")
    assert [b.isDefault() for b in buttons] == [False, False, False]
    form.date.setFocus()
    qtbot.keyClick(form.date, Qt.Key.Key_Return)
    assert dialog.isVisible() and [b.isDefault() for b in buttons] == [False, False, False]
    form.incomplete_button.setFocus()
    qtbot.keyClick(form.incomplete_button, Qt.Key.Key_Return)  # pressed: saved as incomplete
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    assert dialog.measure_id is not None
