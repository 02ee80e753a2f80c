"""Correcting and withdrawing from the record's own tabs, through the real widgets."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QInputDialog, QLineEdit

from linkworker.contacts import ContactInput, list_contacts, record_contact
from linkworker.goals import add_goal, list_goals
from tests.ux.conftest import settle, shown
from ui.record import RecordView


def _select_first(table) -> None:
    table.setFocus()
    table.selectRow(0)


def _record(qtbot, runner, team, jane) -> RecordView:
    view = shown(qtbot, RecordView(runner, team.worker, jane.person_id))
    settle(qtbot, runner, view)
    return view


def test_a_contact_is_corrected_in_the_note_panel_then_withdrawn(qtbot, runner, team, jane,
                                                                caseload):
    record_contact(caseload, team.worker, jane.episode_id, ContactInput(
        dt.date.today(), note="Talked abuot walking"))
    view = _record(qtbot, runner, team, jane)
    view.show_tab(view.contacts)
    _select_first(view.contacts.table)
    assert view.contacts.correct.isEnabled()
    view.contacts.correct.click()
    panel = view.quick_note
    assert panel.isVisible() and panel.editing is not None
    assert panel.note.toPlainText() == "Talked abuot walking"
    panel.note.setPlainText("Talked about walking")
    panel._save()
    settle(qtbot, runner, view)
    assert "corrected" in view.status.text()
    assert list_contacts(caseload, team.worker, jane.person_id)[0].note == "Talked about walking"

    _select_first(view.contacts.table)

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QInputDialog)
        dialog.setTextValue("Recorded twice")
        dialog.accept()

    QTimer.singleShot(0, answer)
    view.contacts.withdraw.click()
    settle(qtbot, runner, view)
    (item,) = list_contacts(caseload, team.worker, jane.person_id)
    assert item.status == "withdrawn"
    _select_first(view.contacts.table)
    assert not view.contacts.correct.isEnabled()  # a withdrawn contact stays as it was


def test_a_goal_is_corrected_from_the_goals_tab(qtbot, runner, team, jane, caseload):
    add_goal(caseload, team.worker, jane.episode_id, "Get back to my alotment", "activity",
             dt.date.today())
    view = _record(qtbot, runner, team, jane)
    view.show_tab(view.goals)
    tab = view.goals
    tab.tree.setCurrentItem(tab.tree.topLevelItem(0))
    assert tab.correct_button.isEnabled()

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QDialog)
        words = [e for e in dialog.findChildren(QLineEdit)
                 if e.accessibleName() == "Goal in the person's own words"][0]
        words.setText("Get back to my allotment")
        dialog.accept()

    QTimer.singleShot(0, answer)
    tab.correct_button.click()
    settle(qtbot, runner, view)
    assert list_goals(caseload, team.worker, jane.person_id)[0].own_words == \
        "Get back to my allotment"
