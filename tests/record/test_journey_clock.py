"""One journey clock: the record, Due and the caseload list say the same thing on the same day."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from linkworker.caseload import own_caseload, person_ids, rows_for
from linkworker.journey import record_first_meeting, timeline
from linkworker.journey_clock import (
    JourneyClock,
    ReviewSchedule,
    in_review,
    is_overdue,
    overdue_days,
)
from linkworker.models import Episode
from linkworker.today import due_and_overdue
from linkworker.wellbeing.measures import record_measure
from tests.record.conftest import TODAY

WEMWBS_ANSWERS = [3] * 14
MET = dt.date(2026, 1, 12)  # the 3-month review falls due on 12/04/2026, window to 10/05


def test_overdue_means_past_the_due_date():
    due = dt.date(2026, 4, 12)
    assert not is_overdue(due, due) and is_overdue(due, due + dt.timedelta(days=1))
    assert overdue_days(due, dt.date(2026, 4, 20)) == 8 and overdue_days(due, due) == 0


def test_the_clock_from_a_contract_document_uses_one_set_of_defaults():
    assert ReviewSchedule.from_contract(None) == ReviewSchedule()
    assert ReviewSchedule.from_contract({"review_schedule": {"months": [0, 6]}}) == \
        ReviewSchedule((0, 6), 28)
    clock = JourneyClock(ReviewSchedule((0, 3), 14), MET, done={"baseline": (MET, "form")})
    assert clock.next_review().due == dt.date(2026, 4, 12)
    assert clock.stage(dt.date(2026, 3, 28)) == "active"  # window opens 29/03
    assert clock.stage(dt.date(2026, 3, 29)) == "review"
    assert not in_review(MET, MET, 28, TODAY)  # a baseline still to do is not a review


def test_record_due_list_and_caseload_list_agree_on_overdue(caseload, team, jane):
    """On 20/04/2026 the 3-month review is 8 days past due but its window is still open.
    The record once said "Due now" there while the caseload list said "8 days overdue"."""
    day = dt.date(2026, 4, 20)
    with caseload.transaction() as s:
        record_first_meeting(s, team.worker, jane.episode_id, MET, TODAY)
    record_measure(caseload, team.worker, jane.person_id, jane.episode_id, "WEMWBS", "baseline",
                   MET, "with_worker", WEMWBS_ANSWERS, today=TODAY)

    record = timeline(caseload, team.worker, jane.episode_id, day)[1]
    [row] = rows_for(caseload, team.worker, [jane.person_id], day)
    [review] = [i for i in due_and_overdue(caseload, team.worker, None, day)
                if i.kind == "review"]
    listed = person_ids(caseload, team.worker,
                        replace(own_caseload(team.worker, day), overdue_only=True))

    assert (record.point.due, record.state, record.state_label) == (
        dt.date(2026, 4, 12), "overdue", "Overdue")
    assert row.overdue and row.next_review_due == record.point.due
    assert review.overdue_days == 8 and review.when_text == "8 days overdue"
    assert listed == [jane.person_id]
    # The day before it fell due, all three say "due", none "overdue".
    before = dt.date(2026, 4, 12)
    assert timeline(caseload, team.worker, jane.episode_id, before)[1].state == "due"
    assert not rows_for(caseload, team.worker, [jane.person_id], before)[0].overdue
    assert not any(i.overdue for i in due_and_overdue(caseload, team.worker, None, before))


def test_saving_the_3_month_form_moves_the_stage_on(caseload, team, jane):
    """The form completes the review: the journey leaves "review" at once, not at restart."""
    in_window = dt.date(2026, 4, 1)
    with caseload.transaction() as s:
        record_first_meeting(s, team.worker, jane.episode_id, MET, TODAY)
    record_measure(caseload, team.worker, jane.person_id, jane.episode_id, "WEMWBS", "baseline",
                   MET, "with_worker", WEMWBS_ANSWERS, today=in_window)
    with caseload.reading() as s:
        assert s.get(Episode, jane.episode_id).stage == "review"
    record_measure(caseload, team.worker, jane.person_id, jane.episode_id, "WEMWBS",
                   "review_3m", in_window, "with_worker", WEMWBS_ANSWERS, today=in_window)
    with caseload.reading() as s:
        episode = s.get(Episode, jane.episode_id)
        assert (episode.stage, episode.next_review_due) == ("active", dt.date(2026, 7, 12))
