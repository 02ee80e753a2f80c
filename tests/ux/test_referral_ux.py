"""The New referral screen's rough edges from issue 16: duplicates before the form is complete,
Ctrl+S saying why it did not save, no "Saved." for a save that did not happen, and asking
before a half-typed referral is thrown away."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from tests.ux.conftest import settle, shown
from ui.record import widgets as w
from ui.referral import ReferralView


def _known_person_typed_again(qtbot, runner, team) -> ReferralView:
    """Jane Doe typed again, with no source or reasons yet: the duplicate is offered."""
    view = shown(qtbot, ReferralView(runner, team.worker))
    settle(qtbot, runner)
    view.fields["given_name"].setText("Jane")
    view.fields["family_name"].setText("Doe")
    w.set_date(view.fields["date_of_birth"], dt.date(1968, 5, 14))
    view.check_now()
    settle(qtbot, runner)
    assert view.duplicates_box.isVisible()
    assert view.problems.text()  # source and reasons are still missing
    return view


def _buttons(view):
    return view.duplicates_box.findChildren(QPushButton)


def test_different_person_before_source_and_reasons_does_not_crash(qtbot, runner, team, jane):
    view = _known_person_typed_again(qtbot, runner, team)
    different = [b for b in _buttons(view) if "different" in b.text()][0]
    different.click()
    assert view.intake.allow_duplicates
    assert "different person" in view.result.text()
    assert not view.duplicates_box.isVisible()


def test_open_their_record_before_source_and_reasons_says_what_is_missing(
        qtbot, runner, team, jane, caseload):
    from linkworker.journey import exit_episode

    with caseload.transaction() as session:
        exit_episode(session, team.worker, jane.episode_id, "goals_met", dt.date.today())
    view = _known_person_typed_again(qtbot, runner, team)
    offer = [b for b in _buttons(view) if "LW-" in b.text()][0]
    offer.click()
    settle(qtbot, runner)
    assert "Choose where the referral came from" in view.result.text()


def test_ctrl_s_with_an_unanswered_duplicate_says_why_and_no_saved_strip(
        qtbot, runner, team, jane):
    view = _known_person_typed_again(qtbot, runner, team)
    announced = []
    runner.changed.connect(announced.append)
    view.save()
    settle(qtbot, runner)
    assert "someone already known" in view.result.text()
    assert announced == []  # nothing saved, so the window never says "Saved."


def test_half_typed_referral_asks_before_it_is_discarded(qtbot, runner, team):
    view = shown(qtbot, ReferralView(runner, team.worker))
    assert view.maybe_close()  # nothing typed: closes without a question
    view.fields["given_name"].setText("Pat")
    asked = []

    def answer(button) -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        asked.append(box.text())
        box.button(button).click()

    QTimer.singleShot(0, lambda: answer(QMessageBox.StandardButton.Cancel))
    assert not view.maybe_close()
    QTimer.singleShot(0, lambda: answer(QMessageBox.StandardButton.Discard))
    assert view.maybe_close()
    assert len(asked) == 2 and "not been saved" in asked[0]


def test_the_conditions_row_leaves_room_to_type_at_1366x768(qtbot, runner, team):
    view = shown(qtbot, ReferralView(runner, team.worker))
    settle(qtbot, runner)
    assert view.condition_words.width() >= 120, view.condition_words.width()


def test_a_us_order_date_of_birth_is_named_and_stays_red(qtbot, runner, team):
    """12/13/1960 (month 13) typed as the date of birth was named nowhere: the live check
    read the field as "no date of birth", and wiped the field's red border. The NHS number's
    problem said "NHS number: NHS number ..."."""
    view = shown(qtbot, ReferralView(runner, team.worker))
    settle(qtbot, runner)
    born = view.fields["date_of_birth"]
    for field, text in ((view.fields["given_name"], "Ruth"), (born, "12/13/1960"),
                        (view.fields["nhs_number"], "1234567890")):
        field.setFocus()
        qtbot.keyClicks(field, text)
    qtbot.keyClick(view.fields["nhs_number"], Qt.Key.Key_Tab)
    view.check_now()
    settle(qtbot, runner)
    text = view.problems.text()
    assert "Date of birth: '12/13/1960' is not a date (dd/mm/yyyy)." in text
    assert "NHS number '1234567890' fails the check digit" in text
    assert "NHS number: NHS number" not in text
    assert "border" in born.styleSheet() and "not a date" in born.accessibleDescription()
