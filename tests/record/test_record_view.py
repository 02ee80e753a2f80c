"""The link worker's day through the real widgets, by keyboard where practical.

Referral (with a duplicate caught) -> first meeting -> baseline form -> two goals with steps
-> a signposting and its take-up -> a 3-month review -> "My plan" PDF -> exit -> re-referral.
"""

from __future__ import annotations

import datetime as dt

from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from linkworker.dates import add_months
from linkworker.record import open_record
from linkworker.wellbeing.measures import record_measure
from ui.directory_view import DirectoryView
from ui.record import RecordView
from ui.record import widgets as w
from ui.referral import ReferralView
from ui.widgets import keyboard_problems

TODAY = dt.date.today()
REFERRED = TODAY - dt.timedelta(days=120)
FIRST_MEETING = TODAY - dt.timedelta(days=110)
REVIEW_3M = add_months(FIRST_MEETING, 3)


def settle(qtbot, runner, view=None) -> None:
    """Wait for every queued job (and the redraws they trigger) to finish."""
    def idle() -> bool:
        return not runner.is_busy() and (view is None or not getattr(view, "_loading", False))
    qtbot.waitUntil(idle)


def type_into(qtbot, widget, text: str) -> None:
    widget.setFocus()
    widget.clear()
    qtbot.keyClicks(widget, text)


def shortcut(qtbot, widget, key, modifier=Qt.KeyboardModifier.ControlModifier) -> None:
    """A shortcut as a person presses it: with ``widget`` focused, through its window."""
    window = widget.window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    widget.setFocus()
    qtbot.keyClick(widget.window().windowHandle(), key, modifier)


def choose(qtbot, combo, text: str) -> None:
    """Pick from a list by typing the start of an entry, as a person does (no spaces: Space
    opens the list). Typing again within the keyboard interval would extend the search."""
    from PySide6.QtWidgets import QApplication

    qtbot.wait(QApplication.keyboardInputInterval() + 50)
    combo.setFocus()
    qtbot.keyClicks(combo, text)
    assert combo.currentText().lower().startswith(text.lower()), combo.currentText()


def press(qtbot, button) -> None:
    """Press a button from the keyboard (focus it, then Space)."""
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)


def fill_referral(qtbot, view: ReferralView, given: str, family: str, nhs: str) -> None:
    type_into(qtbot, view.fields["given_name"], given)
    type_into(qtbot, view.fields["family_name"], family)
    w.set_date(view.fields["date_of_birth"], dt.date(1968, 5, 14))
    type_into(qtbot, view.fields["nhs_number"], nhs)
    type_into(qtbot, view.fields["postcode"], "ne4 5ab")
    choose(qtbot, view.condition_code, "Chronic")
    type_into(qtbot, view.condition_words, "bad chest")
    press(qtbot, view.condition_add)
    w.set_date(view.referral_date, REFERRED)
    choose(qtbot, view.source, "GP")
    view.reasons.setFocus()
    view.reasons.setCurrentRow(0)
    qtbot.keyClick(view.reasons, Qt.Key.Key_Space)  # "Loneliness or isolation"


def test_whole_journey_by_keyboard(qtbot, caseload, runner, team, tmp_path):
    worker = team.worker

    # --- referral, then the same person again: the duplicate is caught ----------------------
    referral = ReferralView(runner, worker)
    qtbot.addWidget(referral)
    referral.resize(1366, 768)
    referral.show()
    qtbot.waitExposed(referral)
    settle(qtbot, runner)
    fill_referral(qtbot, referral, "Jane", "Doe", "943 476 5919")
    referral.check_now()
    settle(qtbot, runner)
    assert referral.problems.text() == ""
    assert "Eligible" in referral.eligibility.text()
    with qtbot.waitSignal(referral.person_opened) as opened:
        shortcut(qtbot, referral.fields["given_name"], Qt.Key.Key_S)
    person_id = opened.args[0]
    assert "LW-000001" in referral.result.text()

    fill_referral(qtbot, referral, "JANE", "Do", "")  # typo, no NHS number
    type_into(qtbot, referral.fields["family_name"], "Doe")
    referral.check_now()
    settle(qtbot, runner)
    assert referral.intake.step == "duplicates", referral.problems.text()
    assert referral.duplicates_box.isVisible()
    offer = [b for b in referral.duplicates_box.findChildren(QPushButton)
             if "LW-000001" in b.text()][0]
    assert "already has an open journey" in offer.text()
    referral.grab().save(str(tmp_path / "referral.png"))
    with qtbot.waitSignal(referral.person_opened) as again:
        press(qtbot, offer)
    assert again.args == [person_id]

    # --- the record: first meeting by quick note (Ctrl+N) -----------------------------------
    view = RecordView(runner, worker, person_id)
    qtbot.addWidget(view)
    view.resize(1366, 768)
    view.show()
    qtbot.waitExposed(view)
    settle(qtbot, runner, view)
    assert "Jane Doe - LW-000001" in view.name_label.text()
    assert view.state_label.text() == "Saved"
    shortcut(qtbot, view.tabs, Qt.Key.Key_N)
    assert view.quick_note.isVisible() and view.quick_note.note.hasFocus()
    w.set_date(view.quick_note.date, FIRST_MEETING)
    type_into(qtbot, view.quick_note.venue, "Elswick Library")
    view.quick_note.note.setFocus()
    qtbot.keyClicks(view.quick_note.note, "First meeting. Talked about what matters.")
    shortcut(qtbot, view.quick_note.note, Qt.Key.Key_Return)
    settle(qtbot, runner, view)
    assert not view.quick_note.isVisible()
    current = view.bundle.record.current
    assert (current.first_meeting_date, current.stage) == (FIRST_MEETING, "active")
    assert view.bundle.contacts[0].purpose == "first_meeting"

    # --- baseline form (its dialog is tested in tests/test_wellbeing_ui.py) -------------------
    record_measure(caseload, worker, person_id, current.id, "WEMWBS", "baseline",
                   FIRST_MEETING, "with_worker", [3] * 14)
    view.refresh()
    settle(qtbot, runner, view)
    # The 3-month review fell due before today: overdue here as in Due and the caseload list.
    assert [p.state for p in view.bundle.timeline][:2] == ["done", "overdue"]
    assert view.bundle.record.current.stage == "review"  # the 3-month window is open

    # --- in-place edit, Ctrl+S, the "saved" state -------------------------------------------
    type_into(qtbot, view.profile.fields["preferred_name"], "Janey")
    assert view.has_unsaved_changes() and "Unsaved" in view.state_label.text()
    view.journey.what_matters.setFocus()
    qtbot.keyClicks(view.journey.what_matters, "Seeing my grandchildren")
    shortcut(qtbot, view.journey.what_matters, Qt.Key.Key_S)
    settle(qtbot, runner, view)
    assert not view.has_unsaved_changes() and view.state_label.text() == "Saved"
    assert view.bundle.record.preferred_name == "Janey"
    assert view.bundle.record.current.what_matters == "Seeing my grandchildren"

    # --- two goals with steps, and a crisis plan --------------------------------------------
    view.show_tab(view.goals)
    goals = view.goals
    for words, category, step in (("Walk to the park", "Activity", "Join the walking group"),
                                  ("Sort out my bills", "Money", "Book debt advice")):
        type_into(qtbot, goals.goal_words, words)
        choose(qtbot, goals.goal_category, category)
        w.set_date(goals.goal_date, FIRST_MEETING)
        type_into(qtbot, goals.goal_first_step, step)
        type_into(qtbot, goals.goal_first_who, "Janey")
        press(qtbot, goals.goal_add)
        settle(qtbot, runner, view)
    assert [(g.own_words, g.category) for g in view.bundle.goals] == [
        ("Walk to the park", "activity"), ("Sort out my bills", "money_debt")]
    goals.tree.setCurrentItem(goals.tree.topLevelItem(1))
    type_into(qtbot, goals.step_text, "Gather letters")
    type_into(qtbot, goals.step_who, "Sam")
    press(qtbot, goals.step_add)
    settle(qtbot, runner, view)
    assert len(view.bundle.goals[1].steps) == 2
    goals.crisis.setFocus()
    qtbot.keyClicks(goals.crisis, "Ring my sister Ann")
    view.save()
    settle(qtbot, runner, view)
    assert view.bundle.record.current.crisis_plan == "Ring my sister Ann"

    # --- the directory, a signposting and its take-up --------------------------------------
    directory = DirectoryView(runner, worker)
    qtbot.addWidget(directory)
    directory.show()
    qtbot.waitExposed(directory)
    settle(qtbot, runner)
    press(qtbot, directory.new_button)
    type_into(qtbot, directory.inputs["name"], "Heaton Walking Group")
    choose(qtbot, directory.inputs["category"], "Walking")
    type_into(qtbot, directory.inputs["times"], "Tuesdays 10:00")
    type_into(qtbot, directory.inputs["phone"], "0191 000 0001")
    shortcut(qtbot, directory.inputs["phone"], Qt.Key.Key_S)
    settle(qtbot, runner)
    assert "Service saved" in directory.status.text()

    view.show_tab(view.signposting)
    sp = view.signposting
    type_into(qtbot, sp.search, "heat")
    qtbot.keyClick(sp.search, Qt.Key.Key_Return)
    settle(qtbot, runner, view)
    assert sp.results.rowCount() == 1
    sp.results.selectRow(0)
    w.set_date(sp.signpost_date, FIRST_MEETING + dt.timedelta(days=7))
    sp.accompanied.setFocus()
    qtbot.keyClick(sp.accompanied, Qt.Key.Key_Space)
    press(qtbot, sp.signpost_button)
    settle(qtbot, runner, view)
    assert view.bundle.signposts[0].accompanied
    sp.table.selectRow(0)
    w.set_combo(sp.take_up, "yes")
    w.set_date(sp.take_up_date, FIRST_MEETING + dt.timedelta(days=14))
    press(qtbot, sp.take_up_save)
    settle(qtbot, runner, view)
    assert view.bundle.signposts[0].taken_up is True

    # --- the 3-month review: a review meeting and a goal review -----------------------------
    shortcut(qtbot, view.tabs, Qt.Key.Key_N)
    w.set_date(view.quick_note.date, REVIEW_3M)
    w.set_combo(view.quick_note.purpose, "review_3m")
    view.quick_note.note.setFocus()
    qtbot.keyClicks(view.quick_note.note, "3-month review")
    press(qtbot, view.quick_note.save_button)
    settle(qtbot, runner, view)
    states = [(p.label, p.state) for p in view.bundle.timeline]
    assert states[1] == ("3-month review", "done"), view.status.text()
    assert view.bundle.record.current.stage == "active"
    view.show_tab(view.goals)
    goals.tree.setCurrentItem(goals.tree.topLevelItem(0))
    w.set_date(goals.review_date, REVIEW_3M)
    goals.review_progress.setValue(10)
    w.set_combo(goals.review_status, "achieved")
    press(qtbot, goals.review_save)
    settle(qtbot, runner, view)
    assert view.bundle.goals[0].status == "achieved"

    # --- "My plan" PDF, written off the GUI thread and parsed back --------------------------
    target = tmp_path / "my plan.pdf"
    view.print_plan(str(target))
    settle(qtbot, runner, view)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(str(target)).pages).split())
    for expected in ("My plan: Janey", "Walk to the park", "Janey: Book debt advice",
                     "Sam: Gather letters", "Heaton Walking Group", "Tuesdays 10:00",
                     "Ring my sister Ann", "Seeing my grandchildren"):
        assert expected in text, expected

    for tab in range(view.tabs.count()):
        view.tabs.setCurrentIndex(tab)
        view.grab().save(str(tmp_path / f"record-{tab}.png"))

    # --- exit, then re-referral opens a new episode -----------------------------------------
    view.show_tab(view.journey)
    journey = view.journey
    assert journey.exit_box.isVisible()
    choose(qtbot, journey.exit_reason, "Goals")
    press(qtbot, journey.exit_button)
    settle(qtbot, runner, view)
    assert view.bundle.record.current.stage == "exited"
    assert journey.rerefer_box.isVisible() and not journey.exit_box.isVisible()
    choose(qtbot, journey.rerefer_source, "Self")
    journey.rerefer_reasons.setCurrentRow(2)
    qtbot.keyClick(journey.rerefer_reasons, Qt.Key.Key_Space)
    press(qtbot, journey.rerefer_button)
    settle(qtbot, runner, view)
    episodes = view.bundle.record.episodes
    assert [(e.number, e.stage) for e in episodes] == [(1, "exited"), (2, "referred")]
    assert episodes[1].referral_source == "self"
    assert journey.history.rowCount() == 2
    assert view.maybe_close()  # nothing unsaved: closes without asking

    record = open_record(caseload, team.manager, person_id)
    assert record.current.number == 2 and record.preferred_name == "Janey"


def test_save_problems_show_in_place(qtbot, caseload, runner, team, jane):
    view = RecordView(runner, team.worker, jane.person_id)
    qtbot.addWidget(view)
    view.show()
    settle(qtbot, runner, view)
    type_into(qtbot, view.profile.fields["postcode"], "not a postcode")
    view.save()
    settle(qtbot, runner, view)
    assert "postcode" in view.profile.problems.text()
    assert view.has_unsaved_changes()
    assert "border" in view.profile.fields["postcode"].styleSheet()


def test_escape_empties_the_signposting_tabs_directory_search(qtbot, caseload, runner, team,
                                                              jane):
    """As in the caseload's and the Directory's search boxes (the keys a person presses, with
    the record's window active)."""
    view = RecordView(runner, team.worker, jane.person_id)
    qtbot.addWidget(view)
    view.show()
    settle(qtbot, runner, view)
    view.show_tab(view.signposting)
    type_into(qtbot, view.signposting.search, "heat")
    shortcut(qtbot, view.signposting.search, Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier)
    assert view.signposting.search.text() == ""


def test_out_of_scope_record_says_so(qtbot, caseload, runner, team, jane):
    view = RecordView(runner, team.other_worker, jane.person_id)
    qtbot.addWidget(view)
    settle(qtbot, runner, view)
    assert view.bundle is None and "not on your caseload" in view.status.text()


def test_unnamed_control_check_finds_a_nameless_button(qtbot):
    from PySide6.QtWidgets import QWidget

    root = QWidget()
    qtbot.addWidget(root)
    named = QPushButton("Named", root)
    named.setAccessibleName("Named button")
    bare = QPushButton("Bare", root)
    assert keyboard_problems(root) == ["unnamed QPushButton 'Bare'"]
    bare.setAccessibleName("Bare button")
    assert keyboard_problems(root) == []


def test_every_focusable_control_has_an_accessible_name(qtbot, caseload, runner, team, jane):
    """The record (all tabs), referral, directory, wellbeing form, wording and returns screens."""
    from ui.returns import pages
    from ui.returns.editor import ContractEditor
    from ui.wellbeing.form import MeasureFormDialog
    from ui.wellbeing.wording_dialog import LoadWordingDialog

    screens = {
        "record": lambda: RecordView(runner, team.worker, jane.person_id),
        "referral": lambda: ReferralView(runner, team.worker),
        "directory": lambda: DirectoryView(runner, team.worker),
        "wellbeing form": lambda: MeasureFormDialog(runner, team.worker, jane.person_id),
        "wording": lambda: LoadWordingDialog(runner, team.manager),
        "contract editor": lambda: ContractEditor(runner, team.manager),
        **{page.__name__: page for page in (pages.ContractPage, pages.PeriodPage,
                                            pages.QualityPage, pages.PreviewPage,
                                            pages.ExportPage)},
    }
    found = {}
    for name, make in screens.items():
        widget = make()
        qtbot.addWidget(widget)
        settle(qtbot, runner, widget)
        found[name] = keyboard_problems(widget)
    assert found == {name: [] for name in screens}


def test_directory_xlsx_import_from_the_screen(qtbot, caseload, runner, team, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["name", "category", "venue"])
    book.active.append(["Knit and Natter", "Arts, crafts and music", "Elswick Library"])
    path = tmp_path / "services.xlsx"
    book.save(path)
    view = DirectoryView(runner, team.worker)
    qtbot.addWidget(view)
    settle(qtbot, runner)
    view.import_csv(str(path))
    qtbot.waitUntil(lambda: view.table.rowCount() == 1)
    assert view.table.item(0, 0).text() == "Knit and Natter"
    assert "1 added" in view.status.text()


def test_layout_helpers_keep_mnemonics_and_keyboard_tables(qtbot):
    """The shared helpers the record, directory, admin and import screens now build with."""
    from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QTableWidget, QWidget

    from ui.widgets import column, form_rows, hbox, read_only_table

    root = QWidget()
    qtbot.addWidget(root)
    form = QFormLayout(root)
    field = QLineEdit()
    form_rows(form, (("&Name", field), ("", QPushButton("Go"))))
    label = form.labelForField(field)
    assert isinstance(label, QLabel) and label.buddy() is field
    row = hbox(QPushButton("A"), None, QPushButton("B"))
    assert row.count() == 3 and row.itemAt(1).spacerItem() is not None
    table = read_only_table(QTableWidget(), "Things", ("One", "Two"))
    assert (table.columnCount(), table.accessibleName(), table.tabKeyNavigation()) == (
        2, "Things", False)
    assert table.editTriggers() == QTableWidget.EditTrigger.NoEditTriggers
    pane = column((table, 1), None)
    assert pane.layout().contentsMargins().left() == 0 and pane.layout().stretch(0) == 1


def test_row_actions_ask_for_a_selection_then_act_on_it(qtbot, caseload, runner, team, jane):
    """Remove condition / withdraw consent share one "act on the selected row" path."""
    view = RecordView(runner, team.worker, jane.person_id)
    qtbot.addWidget(view)
    view.show()
    settle(qtbot, runner, view)
    profile = view.profile
    assert profile.conditions.rowCount() == 1
    profile.conditions.clearSelection()
    press(qtbot, profile.condition_remove)
    assert "Select a condition first" in view.status.text()
    profile.consents.clearSelection()
    press(qtbot, profile.consent_withdraw)
    assert "Select a consent first" in view.status.text()
    profile.conditions.selectRow(0)
    press(qtbot, profile.condition_remove)
    settle(qtbot, runner, view)
    qtbot.waitUntil(lambda: profile.conditions.rowCount() == 0)
    assert open_record(caseload, team.worker, jane.person_id).conditions == ()


def test_a_problem_that_names_its_field_does_not_name_it_twice(qtbot, caseload, runner, team,
                                                              jane):
    """It said "Not saved: NHS number: NHS number '9434765910' fails the check digit: please
    check it.; Postcode: ..."."""
    view = RecordView(runner, team.worker, jane.person_id)
    qtbot.addWidget(view)
    view.show()
    settle(qtbot, runner, view)
    type_into(qtbot, view.profile.fields["nhs_number"], "9434765910")
    type_into(qtbot, view.profile.fields["postcode"], "nowhere")
    view.save()
    settle(qtbot, runner, view)
    assert view.status.text() == (
        "Problem: Not saved: NHS number '9434765910' fails the check digit: please check it. "
        "Postcode: 'nowhere' is not a UK postcode (for example NE1 4ST).")


def test_the_take_up_box_shows_the_selected_signpostings_take_up(qtbot, caseload, runner,
                                                                 team, jane):
    """It said "Took it up" whatever the row said (a new signposting is "Not known yet"),
    so *Save take-up* pressed to change only the date recorded a take-up nobody reported."""
    from linkworker.directory import record_take_up, save_service, signpost

    heat, walk = (save_service(caseload, team.worker, {"name": name, "category": "debt_benefits"})
                  for name in ("Warm hub", "Walking group"))
    signpost(caseload, team.worker, jane.episode_id, heat, on=dt.date(2026, 1, 12))
    went = signpost(caseload, team.worker, jane.episode_id, walk, on=dt.date(2026, 1, 12))
    record_take_up(caseload, team.worker, went, True, dt.date(2026, 1, 19))
    view = RecordView(runner, team.worker, jane.person_id)
    qtbot.addWidget(view)
    view.show()
    settle(qtbot, runner, view)
    sp = view.signposting
    rows = {sp.table.item(r, 0).text(): r for r in range(sp.table.rowCount())}
    assert sp.take_up.currentData() == "unknown"
    sp.table.selectRow(rows["Walking group"])
    assert (sp.take_up.currentData(), w.get_date(sp.take_up_date)) == (
        "yes", dt.date(2026, 1, 19))
    sp.table.selectRow(rows["Warm hub"])
    assert sp.take_up.currentData() == "unknown"


def test_a_save_that_changes_nothing_says_so(qtbot, caseload, runner, team, jane):
    """The postcode typed again as " ne4   5ab " (it is stored as NE4 5AB) said "Saved (0
    changes)."."""
    view = RecordView(runner, team.worker, jane.person_id)
    qtbot.addWidget(view)
    view.show()
    settle(qtbot, runner, view)
    type_into(qtbot, view.profile.fields["postcode"], " ne4   5ab ")
    assert view.has_unsaved_changes()
    view.save()
    settle(qtbot, runner, view)
    assert view.status.text() == "Nothing had changed: the record is as it was."
    assert not view.has_unsaved_changes()


def test_the_signposting_tables_words_are_translated(qtbot, caseload, runner, team, jane):
    """Accompanied showed a plain "Yes"/"No" and take-up the core's English in a Welsh
    window; with a pseudo-translator installed every word cell comes back wrapped."""
    from PySide6.QtWidgets import QApplication
    from test_translations import CLOSE, OPEN, PseudoTranslator

    from linkworker.directory import record_take_up, save_service, signpost

    heat, walk = (save_service(caseload, team.worker, {"name": name, "category": "debt_benefits"})
                  for name in ("Warm hub", "Walking group"))
    signpost(caseload, team.worker, jane.episode_id, heat, on=dt.date(2026, 1, 12))
    went = signpost(caseload, team.worker, jane.episode_id, walk, on=dt.date(2026, 1, 12),
                    accompanied=True)
    record_take_up(caseload, team.worker, went, True, dt.date(2026, 1, 19))
    translator = PseudoTranslator()
    QApplication.instance().installTranslator(translator)
    try:
        view = RecordView(runner, team.worker, jane.person_id)
        qtbot.addWidget(view)
        view.show()
        settle(qtbot, runner, view)
        table = view.signposting.table
        cells = {table.item(r, 0).text(): (table.item(r, 2).text(), table.item(r, 3).text())
                 for r in range(table.rowCount())}
    finally:
        QApplication.instance().removeTranslator(translator)
    assert cells == {
        "Warm hub": (f"{OPEN}No{CLOSE}", f"{OPEN}Not known yet{CLOSE}"),
        "Walking group": (f"{OPEN}Yes{CLOSE}", f"{OPEN}Took it up{CLOSE} 19/01/2026"),
    }
