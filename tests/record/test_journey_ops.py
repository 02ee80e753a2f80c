"""Journey operations: first meeting, stages, timeline, exit, sweep."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from linkworker.contacts import ContactInput, record_contact
from linkworker.errors import UserError
from linkworker.journey import (
    exit_episode,
    move_stages,
    record_first_meeting,
    set_stage,
    stages_moving,
    sweep_stages,
    timeline,
)
from linkworker.models import Contact, Episode
from linkworker.wellbeing.measures import record_measure
from tests.record.conftest import TODAY

WEMWBS_ANSWERS = [3] * 14


def _episode(caseload, episode_id) -> SimpleNamespace:
    with caseload.reading() as s:
        ep = s.get(Episode, episode_id)
        return SimpleNamespace(**{c.key: getattr(ep, c.key) for c in Episode.__table__.columns})


def test_stages_follow_the_facts(caseload, team, jane):
    worker = team.worker
    record_contact(caseload, worker, jane.episode_id,
                   ContactInput(dt.date(2026, 1, 6), mode="phone", status="no_answer"), TODAY)
    ep = _episode(caseload, jane.episode_id)
    assert (ep.stage, ep.first_contact_date, ep.first_meeting_date) == (
        "contacting", dt.date(2026, 1, 6), None)
    record_contact(caseload, worker, jane.episode_id,
                   ContactInput(dt.date(2026, 1, 12), venue="Library", duration_minutes=60,
                                note="Met at the library"), TODAY)
    ep = _episode(caseload, jane.episode_id)
    assert (ep.stage, ep.first_meeting_date) == ("active", dt.date(2026, 1, 12))
    assert ep.next_review_due == dt.date(2026, 1, 12)  # the baseline is due at first meeting
    # Three months on, the 3-month review window (28 days either side) is open.
    in_window = dt.date(2026, 3, 20)
    record_measure(caseload, worker, jane.person_id, jane.episode_id, "WEMWBS", "baseline",
                   dt.date(2026, 1, 12), "with_worker", WEMWBS_ANSWERS, today=TODAY)
    assert _episode(caseload, jane.episode_id).stage == "active"  # the window opens 15/03
    with caseload.transaction() as s:  # the start-up sweep, days later
        assert sweep_stages(s, in_window) == 1
    ep = _episode(caseload, jane.episode_id)
    assert (ep.stage, ep.next_review_due) == ("review", dt.date(2026, 4, 12))
    record_contact(caseload, worker, jane.episode_id,
                   ContactInput(in_window, purpose="review_3m"), in_window)
    ep = _episode(caseload, jane.episode_id)
    assert (ep.stage, ep.next_review_due) == ("active", dt.date(2026, 7, 12))


def test_the_sweep_reads_first_and_an_edit_before_its_write_wins(caseload, team, jane):
    """Issue 15: the start-up sweep reads outside the write transaction (pausing for the
    user's searches), so a journey edited in between is read again and left as the edit
    made it."""
    worker = team.worker
    record_contact(caseload, worker, jane.episode_id,
                   ContactInput(dt.date(2026, 1, 12), venue="Library", duration_minutes=60,
                                note="Met at the library"), TODAY)
    record_measure(caseload, worker, jane.person_id, jane.episode_id, "WEMWBS", "baseline",
                   dt.date(2026, 1, 12), "with_worker", WEMWBS_ANSWERS, today=TODAY)
    in_window, pauses = dt.date(2026, 3, 20), []
    with caseload.reading() as s:
        moving = stages_moving(s, in_window, pause=lambda: pauses.append(1))
    assert moving == {jane.episode_id: "review"} and pauses == [1]
    record_contact(caseload, worker, jane.episode_id,  # the review, recorded meanwhile
                   ContactInput(in_window, purpose="review_3m"), in_window)
    with caseload.transaction() as s:
        assert move_stages(s, moving, in_window) == 0
    assert _episode(caseload, jane.episode_id).stage == "active"


def test_timeline_done_due_overdue_upcoming(caseload, team, jane):
    with caseload.transaction() as s:
        record_first_meeting(s, team.worker, jane.episode_id, dt.date(2026, 1, 12), TODAY)
    record_measure(caseload, team.worker, jane.person_id, jane.episode_id, "WEMWBS", "baseline",
                   dt.date(2026, 1, 12), "with_worker", WEMWBS_ANSWERS, today=TODAY)
    points = timeline(caseload, team.worker, jane.episode_id, dt.date(2026, 5, 20))
    assert [(p.label, p.state) for p in points] == [
        ("Baseline", "done"), ("3-month review", "overdue"), ("6-month review", "upcoming"),
        ("12-month review", "upcoming"), ("18-month review", "upcoming"),
    ]
    assert points[0].evidence == "WEMWBS form" and points[0].done_on == dt.date(2026, 1, 12)
    assert timeline(caseload, team.worker, jane.episode_id, dt.date(2026, 4, 1))[1].state == "due"


def test_exit_cancels_planned_appointments_and_ends_the_schedule(caseload, team, jane):
    record_contact(caseload, team.worker, jane.episode_id, ContactInput(dt.date(2026, 1, 12)),
                   TODAY)
    planned = record_contact(caseload, team.worker, jane.episode_id,
                             ContactInput(dt.date(2026, 3, 9), status="planned"), TODAY)
    with caseload.transaction() as s, pytest.raises(UserError, match="exit reason"):
        exit_episode(s, team.worker, jane.episode_id, "bored", TODAY, TODAY)
    with caseload.transaction() as s:
        exit_episode(s, team.worker, jane.episode_id, "goals_met", TODAY, TODAY)
    ep = _episode(caseload, jane.episode_id)
    assert (ep.stage, ep.exit_reason, ep.next_review_due) == ("exited", "goals_met", None)
    with caseload.reading() as s:
        assert s.get(Contact, planned).status == "cancelled"
    with caseload.transaction() as s, pytest.raises(UserError, match="already ended"):
        exit_episode(s, team.worker, jane.episode_id, "moved", TODAY, TODAY)
    with pytest.raises(UserError, match="ended"):
        record_contact(caseload, team.worker, jane.episode_id,
                       ContactInput(dt.date(2026, 3, 10), status="planned"), TODAY)


def test_set_stage_only_for_early_stages(caseload, team, jane):
    with caseload.transaction() as s:
        set_stage(s, team.worker, jane.episode_id, "contacting", TODAY)
    assert _episode(caseload, jane.episode_id).stage == "contacting"
    with caseload.transaction() as s, pytest.raises(UserError, match="first meeting"):
        set_stage(s, team.worker, jane.episode_id, "active", TODAY)


def test_another_workers_person_is_out_of_reach(caseload, team, jane):
    from linkworker.access import PermissionDenied

    with pytest.raises(PermissionDenied):
        timeline(caseload, team.other_worker, jane.episode_id, TODAY)
    assert timeline(caseload, team.manager, jane.episode_id, TODAY) == []
