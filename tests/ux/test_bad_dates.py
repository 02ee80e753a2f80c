"""A date typed wrong is never saved as some other date (found walking the worker's day).

31/02/2026 typed into the quick note's date and saved at once with Ctrl+Return (the field was
never left, so it never turned red) saved the note dated today, the field's last good date.
Each save that reads a date now stops, names the field and why, and puts the cursor back in it;
nothing is written. The records are read back from the caseload file.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from sqlalchemy import func, select

from linkworker.contacts import list_contacts
from linkworker.goals import list_goals
from linkworker.models import Person
from linkworker.record import open_record
from tests.record.conftest import TODAY
from tests.record.test_record_view import fill_referral, settle, shortcut, type_into
from tests.ux.conftest import shown
from ui.record import RecordView
from ui.referral import ReferralView


def _record(qtbot, runner, team, jane) -> RecordView:
    view = shown(qtbot, RecordView(runner, team.worker, jane.person_id))
    settle(qtbot, runner, view)
    return view


def test_a_quick_note_dated_31_february_is_not_saved_as_today(qtbot, caseload, runner, team,
                                                               jane):
    view = _record(qtbot, runner, team, jane)
    shortcut(qtbot, view.tabs, Qt.Key.Key_N)
    qtbot.keyClicks(view.quick_note.note, "Met at the library.")
    type_into(qtbot, view.quick_note.date, "31/02/2026")
    shortcut(qtbot, view.quick_note.date, Qt.Key.Key_Return)  # Ctrl+Return, field not left
    settle(qtbot, runner, view)
    assert list_contacts(caseload, team.worker, jane.person_id) == ()
    assert view.status.text() == "Problem: Contact date: '31/02/2026' is not a date (dd/mm/yyyy)."
    assert view.quick_note.isVisible() and view.quick_note.date.hasFocus()
    assert "border" in view.quick_note.date.styleSheet()
    type_into(qtbot, view.quick_note.date, "28/02/2026")
    shortcut(qtbot, view.quick_note.date, Qt.Key.Key_Return)
    settle(qtbot, runner, view)
    saved = list_contacts(caseload, team.worker, jane.person_id)
    assert [c.contact_date for c in saved] == [dt.date(2026, 2, 28)]


def test_a_date_of_birth_that_is_not_a_date_stops_the_whole_save(qtbot, caseload, runner,
                                                                  team, jane):
    """Typing only a bad date of birth is an edit (Ctrl+S used to say "Nothing to save"), and
    the save stops before the other edits are written."""
    view = _record(qtbot, runner, team, jane)
    type_into(qtbot, view.profile.fields["date_of_birth"], "30/02/1968")
    assert view.has_unsaved_changes()
    type_into(qtbot, view.profile.fields["phone"], "07700 900999")
    shortcut(qtbot, view.tabs, Qt.Key.Key_S)
    settle(qtbot, runner, view)
    record = open_record(caseload, team.worker, jane.person_id, TODAY)
    assert record.date_of_birth == dt.date(1968, 5, 14)
    assert record.profile["phone"] == "07700 900123"
    assert view.status.text() == "Problem: Date of birth: '30/02/1968' is not a date (dd/mm/yyyy)."
    assert view.has_unsaved_changes()
    assert view.profile.fields["date_of_birth"].hasFocus()


def test_a_goal_agreed_on_a_day_that_does_not_exist_is_not_added(qtbot, caseload, runner,
                                                                  team, jane):
    view = _record(qtbot, runner, team, jane)
    view.show_tab(view.goals)
    type_into(qtbot, view.goals.goal_words, "Walk to the shops")
    type_into(qtbot, view.goals.goal_date, "32/01/2026")
    view.goals.goal_add.click()
    settle(qtbot, runner, view)
    assert list_goals(caseload, team.worker, jane.person_id) == ()
    assert view.status.text() == (
        "Problem: Date the goal was agreed: '32/01/2026' is not a date (dd/mm/yyyy).")
    assert view.goals.goal_date.hasFocus()


def test_a_referral_dated_31_june_is_not_saved(qtbot, caseload, runner, team):
    referral = shown(qtbot, ReferralView(runner, team.worker))
    settle(qtbot, runner)
    fill_referral(qtbot, referral, "Ruth", "Ellis", "943 476 5919")  # complete and eligible
    type_into(qtbot, referral.referral_date, "31/06/2026")
    shortcut(qtbot, referral.fields["given_name"], Qt.Key.Key_S)
    settle(qtbot, runner)
    assert referral.result.text() == (
        "Problem: Referral date: '31/06/2026' is not a date (dd/mm/yyyy).")
    assert referral.referral_date.hasFocus()
    with caseload.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 0
