"""Saved notes and goals can be corrected or withdrawn, with the change audited (issue 16)."""

from __future__ import annotations

import datetime as dt

import pytest

from linkworker.contacts import (
    ContactInput,
    list_contacts,
    record_contact,
    update_contact,
    withdraw_contact,
)
from linkworker.errors import UserError
from linkworker.goals import add_goal, list_goals, review_goal, update_goal, withdraw_goal
from linkworker.models import AuditEvent, Episode
from tests.record.conftest import TODAY


class _Event:
    def __init__(self, details):
        self.details = details


def _audit(caseload, action):
    with caseload.reading() as session:
        return [_Event(e.details) for e in
                session.query(AuditEvent).filter(AuditEvent.action == action)]


def test_a_contact_note_is_corrected_and_the_change_audited(caseload, team, jane):
    contact = record_contact(caseload, team.worker, jane.episode_id, ContactInput(
        dt.date(2026, 2, 2), note="Talked abuot walking"), TODAY)
    update_contact(caseload, team.worker, contact, {"note": "Talked about walking"}, TODAY)
    (item,) = list_contacts(caseload, team.worker, jane.person_id)
    assert item.note == "Talked about walking"
    (event,) = _audit(caseload, "contact.change")
    assert event.details["fields"] == ["note"] and "walking" not in str(event.details)


def test_withdrawing_the_first_meeting_undoes_what_it_started(caseload, team, jane):
    first = record_contact(caseload, team.worker, jane.episode_id, ContactInput(
        dt.date(2026, 2, 2), note="wrong person"), TODAY)
    with caseload.reading() as session:
        assert session.get(Episode, jane.episode_id).first_meeting_date == dt.date(2026, 2, 2)
    withdraw_contact(caseload, team.worker, first, "wrong_person", TODAY)
    with caseload.reading() as session:
        episode = session.get(Episode, jane.episode_id)
        assert episode.first_meeting_date is None and episode.first_contact_date is None
    (item,) = list_contacts(caseload, team.worker, jane.person_id)
    assert item.status == "withdrawn" and item.status_label.startswith("Withdrawn")
    (event,) = _audit(caseload, "contact.withdraw")
    assert event.details == {"reason": "wrong_person", "was": "attended"}
    with pytest.raises(UserError, match="withdrawn"):
        update_contact(caseload, team.worker, first, {"note": "x"}, TODAY)
    with pytest.raises(UserError, match="was withdrawn"):
        withdraw_contact(caseload, team.worker, first, "mistake", TODAY)


def test_withdrawing_needs_a_reason_and_the_right_worker(caseload, team, jane):
    contact = record_contact(caseload, team.worker, jane.episode_id,
                             ContactInput(dt.date(2026, 2, 2)), TODAY)
    with pytest.raises(UserError, match="Choose why"):
        withdraw_contact(caseload, team.worker, contact, "because", TODAY)
    with pytest.raises(UserError):
        withdraw_contact(caseload, team.other_worker, contact, "mistake", TODAY)
    assert list_contacts(caseload, team.worker, jane.person_id)[0].status == "attended"


def test_a_goal_is_corrected_then_withdrawn_and_stays_on_record(caseload, team, jane):
    goal = add_goal(caseload, team.worker, jane.episode_id, "Get back to my alotment",
                    "activity", dt.date(2026, 2, 2), today=TODAY)
    update_goal(caseload, team.worker, goal, own_words="Get back to my allotment",
                category="physical_health", agreed_date=dt.date(2026, 2, 3), today=TODAY)
    (item,) = list_goals(caseload, team.worker, jane.person_id)
    assert (item.own_words, item.category, item.agreed_date) == (
        "Get back to my allotment", "physical_health", dt.date(2026, 2, 3))
    (change,) = _audit(caseload, "goal.change")
    assert set(change.details["fields"]) == {"own_words", "category", "agreed_date"}
    withdraw_goal(caseload, team.worker, goal, "duplicate", TODAY)
    (item,) = list_goals(caseload, team.worker, jane.person_id)
    assert item.status == "withdrawn" and item.status_label.startswith("Withdrawn")
    assert _audit(caseload, "goal.withdraw")[0].details == {"reason": "duplicate", "was": "open"}
    with pytest.raises(UserError, match="withdrawn"):
        review_goal(caseload, team.worker, goal, review_date=TODAY, status="achieved")
    with pytest.raises(UserError, match="between"):
        other = add_goal(caseload, team.worker, jane.episode_id, "Walk", "activity",
                         dt.date(2026, 2, 2), today=TODAY)
        update_goal(caseload, team.worker, other, agreed_date=TODAY + dt.timedelta(days=1),
                    today=TODAY)
