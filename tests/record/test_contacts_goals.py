"""Contacts (quick notes, planned appointments) and goals with steps and reviews."""

from __future__ import annotations

import datetime as dt

import pytest

from linkworker.contacts import ContactInput, list_contacts, record_contact, update_contact
from linkworker.errors import UserError
from linkworker.goals import (
    StepInput,
    add_goal,
    add_step,
    complete_step,
    list_goals,
    review_goal,
    set_crisis_plan,
)
from linkworker.record import open_record
from tests.record.conftest import TODAY


def test_quick_note_and_planned_appointment(caseload, team, jane):
    record_contact(caseload, team.worker, jane.episode_id, ContactInput(
        dt.date(2026, 1, 12), start_time=dt.time(10, 30), mode="face_to_face",
        venue="Elswick Library", duration_minutes=45, note="Talked about walking"), TODAY)
    planned = record_contact(caseload, team.worker, jane.episode_id, ContactInput(
        dt.date(2026, 3, 9), start_time=dt.time(14, 0), status="planned", venue="Cafe"), TODAY)
    items = list_contacts(caseload, team.worker, jane.person_id)
    assert [(c.status, c.purpose) for c in items] == [("planned", "support"),
                                                      ("attended", "first_meeting")]
    assert items[1].when == "12/01/2026 10:30" and items[1].worker == "Sam Patel"
    record = open_record(caseload, team.worker, jane.person_id, TODAY)
    assert record.current.first_meeting_date == dt.date(2026, 1, 12)
    assert record.journey_month == 2
    with pytest.raises(UserError, match="future"):
        update_contact(caseload, team.worker, planned, {"status": "attended"}, TODAY)
    update_contact(caseload, team.worker, planned, {"status": "did_not_attend"},
                   dt.date(2026, 3, 9))
    assert list_contacts(caseload, team.worker, jane.person_id)[0].status == "did_not_attend"


@pytest.mark.parametrize(("entry", "message"), [
    (ContactInput(dt.date(2026, 3, 5)), "future"),
    (ContactInput(dt.date(2026, 2, 1), status="planned"), "past"),
    (ContactInput(dt.date(2025, 12, 1)), "before the referral"),
    (ContactInput(dt.date(2026, 2, 1), mode="pigeon"), "Unknown way"),
    (ContactInput(dt.date(2026, 2, 1), duration_minutes=900), "minutes"),
])
def test_bad_contacts_are_refused(caseload, team, jane, entry, message):
    with pytest.raises(UserError, match=message):
        record_contact(caseload, team.worker, jane.episode_id, entry, TODAY)
    assert list_contacts(caseload, team.worker, jane.person_id) == ()


def test_goals_steps_reviews_and_crisis_plan(caseload, team, jane):
    goal = add_goal(caseload, team.worker, jane.episode_id, "Get back to my allotment",
                    "activity", dt.date(2026, 1, 12), [
                        StepInput("Ring the allotment society", "Jane", dt.date(2026, 1, 20)),
                        StepInput("Find a lift", "Sam", None)], TODAY)
    add_step(caseload, team.worker, goal, StepInput("Buy seeds", "Jane"))
    items = list_goals(caseload, team.worker, jane.person_id)
    assert [s.text for s in items[0].steps] == [
        "Jane: Ring the allotment society (by 20/01/2026)", "Sam: Find a lift", "Jane: Buy seeds"]
    complete_step(caseload, team.worker, items[0].steps[0].id, dt.date(2026, 1, 19), TODAY)
    review_goal(caseload, team.worker, goal, review_date=dt.date(2026, 2, 20), status="partly",
                progress=6, note="Been twice", today=TODAY)
    item = list_goals(caseload, team.worker, jane.person_id)[0]
    assert (item.status, item.progress, len(item.next_steps)) == ("partly", 6, 2)
    assert item.status_label == "Partly achieved"
    with pytest.raises(UserError, match="status"):
        review_goal(caseload, team.worker, goal, review_date=TODAY, status="great", today=TODAY)
    with pytest.raises(UserError, match="empty"):
        add_goal(caseload, team.worker, jane.episode_id, "  ", "activity", TODAY, today=TODAY)
    set_crisis_plan(caseload, team.worker, jane.episode_id, "Ring my sister Ann")
    assert open_record(caseload, team.worker, jane.person_id, TODAY).current.crisis_plan == (
        "Ring my sister Ann")
