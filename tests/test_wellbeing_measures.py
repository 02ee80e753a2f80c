"""Recording forms into a real encrypted caseload and reading the timeline back."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from linkworker.access import Actor, PermissionDenied
from linkworker.errors import NotFound, UserError
from linkworker.models import AuditEvent, Episode, Measure, MeasureAnswer, Person, User
from linkworker.wellbeing import InvalidAnswers
from linkworker.wellbeing.measures import (
    get_measure,
    latest_changes,
    person_measures,
    record_measure,
    timeline,
)
from linkworker.wellbeing.pairing import episode_latest_change
from linkworker.wellbeing.store import put_setting

D = dt.date


@pytest.fixture
def world(caseload):
    """One worker, one person with one journey on that worker's caseload, and a stranger."""
    with caseload.transaction() as s:
        worker = User(username="sam", display_name="Sam Worker", role="link_worker")
        other = User(username="alex", display_name="Alex Other", role="link_worker")
        person = Person(reference="P0001", given_name="Ada", family_name="Test",
                        date_of_birth=D(1970, 1, 1))
        s.add_all([worker, other, person])
        s.flush()
        episode = Episode(person_id=person.id, number=1, referral_date=D(2025, 1, 6),
                          worker_id=worker.id, first_meeting_date=D(2025, 1, 13), stage="active")
        s.add(episode)
        s.flush()
        ids = {"worker": worker.id, "other": other.id, "person": person.id, "episode": episode.id}
    actor = Actor(user_id=ids["worker"], username="sam", role="link_worker", display_name="Sam")
    stranger = Actor(user_id=ids["other"], username="alex", role="link_worker")
    return caseload, actor, stranger, ids


def save(world_, answers, *, on=D(2025, 1, 13), timepoint="baseline", instrument="WEMWBS", **kw):
    caseload, actor, _, ids = world_
    return record_measure(caseload, actor, ids["person"], ids["episode"], instrument, timepoint,
                          on, "with_worker", answers, **kw)


def test_record_stores_scores_answers_audit_and_badge(world):
    caseload, actor, _, ids = world
    mid = save(world, [3] * 14)
    save(world, [3] * 10 + [4] * 4, on=D(2025, 4, 14), timepoint="review_3m")
    with caseload.reading() as s:
        m = s.get(Measure, mid)
        assert (m.raw, m.value, m.complete, m.recorded_by_id) == (42, 42.0, True, ids["worker"])
        answers = s.execute(select(MeasureAnswer.answer).where(MeasureAnswer.measure_id == mid)
                            .order_by(MeasureAnswer.item)).scalars().all()
        assert answers == [3] * 14
        actions = s.execute(select(AuditEvent.action)).scalars().all()
        assert actions.count("measure.record") == 2
        assert s.get(Episode, ids["episode"]).latest_change == "improved"
    record = get_measure(caseload, actor, mid)
    assert record.timepoint_label == "Baseline" and record.recorded_by == "Sam Worker"
    change = latest_changes(caseload, actor, ids["person"])["WEMWBS"]
    assert change.direction == "improved" and change.change.difference == 4


def test_incomplete_form_needs_a_deliberate_choice_and_never_scores(world):
    caseload, actor, _, ids = world
    blank = [4] * 13 + [None]
    with pytest.raises(UserError, match=r"1 unanswered item\(s\) \(14\).*deliberately"):
        save(world, blank)
    mid = save(world, blank, allow_incomplete=True)
    record = get_measure(caseload, actor, mid)
    assert not record.complete and record.value is None and record.raw is None
    assert record.answers == tuple(blank) and record.answered == 13
    # An incomplete baseline does not block the complete one.
    save(world, [4] * 14)
    assert len(person_measures(caseload, actor, ids["person"])) == 2


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"answers": [6] * 14}, InvalidAnswers, "item 1: answer 6 is outside"),
        ({"answers": [3] * 13}, InvalidAnswers, "has 14 items; got 13"),
        ({"on": D(2999, 1, 1)}, UserError, "in the future"),
        ({"on": D(1960, 1, 1)}, UserError, "before their birth"),
        ({"timepoint": "later"}, UserError, "Unknown timepoint"),
        ({"instrument": "NOPE"}, NotFound, "Unknown instrument"),
    ],
)
def test_bad_input_changes_nothing(world, kwargs, error, message):
    caseload, *_ = world
    kwargs.setdefault("answers", [3] * 14)
    with pytest.raises(error, match=message):
        save(world, kwargs.pop("answers"), **kwargs)
    with caseload.reading() as s:
        assert s.execute(select(Measure)).first() is None
        assert s.execute(select(AuditEvent)).first() is None


def test_bad_mode_and_foreign_episode(world):
    caseload, actor, _, ids = world
    with pytest.raises(UserError, match="Unknown way of completing"):
        record_measure(caseload, actor, ids["person"], ids["episode"], "WEMWBS", "baseline",
                       D(2025, 1, 13), "telepathy", [3] * 14)
    with pytest.raises(NotFound, match="does not belong"):
        record_measure(caseload, actor, ids["person"], "no-such-episode", "WEMWBS", "baseline",
                       D(2025, 1, 13), "paper", [3] * 14)


def test_second_complete_baseline_is_refused(world):
    save(world, [3] * 14)
    with pytest.raises(UserError, match="already has a complete WEMWBS for Baseline"):
        save(world, [4] * 14, on=D(2025, 1, 20))
    save(world, [4] * 14, on=D(2025, 1, 20), timepoint="other")


def test_permissions(world, actor_admin):
    caseload, _, stranger, ids = world
    with pytest.raises(PermissionDenied, match="not on your caseload"):
        save((caseload, stranger, None, ids), [3] * 14)
    with pytest.raises(PermissionDenied):
        save((caseload, actor_admin, None, ids), [3] * 14)  # admins don't record forms
    save(world, [3] * 14)
    with pytest.raises(PermissionDenied):
        person_measures(caseload, stranger, ids["person"])


def test_timeline_and_admin_threshold(world, actor_manager):
    caseload, actor, _, ids = world
    save(world, [3] * 14)
    save(world, [2] * 14, on=D(2025, 2, 1), timepoint="other", allow_incomplete=True)
    save(world, [3] * 11 + [4] * 3, on=D(2025, 4, 14), timepoint="review_3m")
    line = timeline(caseload, actor_manager, ids["person"], "WEMWBS")
    assert [p.value for p in line.series[0].points] == [42.0, 28.0, 45.0]
    assert line.baseline.value == 42.0 and line.threshold == 3
    assert line.latest_change.direction == "improved"
    assert line.reference_lines[0].value == 49.4
    with caseload.transaction() as s:
        put_setting(s, "wellbeing.WEMWBS.threshold", 4)
    line = timeline(caseload, actor, ids["person"], "WEMWBS")
    assert line.threshold == 4 and line.latest_change.direction == "no_change"
    with caseload.reading() as s:
        assert episode_latest_change(s, ids["episode"]) == "no_change"
        put_setting(s, "wellbeing.WEMWBS.threshold", None)
        assert episode_latest_change(s, ids["episode"]) == "improved"


def test_swemwbs_stores_raw_and_metric_and_ons4_items(world):
    caseload, actor, _, ids = world
    mid = save(world, [3, 3, 3, 3, 3, 3, 5], instrument="SWEMWBS")
    record = get_measure(caseload, actor, mid)
    assert (record.raw, record.value) == (23, 20.73)
    save(world, [4, 5, 6, 7], instrument="ONS4")
    line = timeline(caseload, actor, ids["person"], "ONS4")
    assert [s.label for s in line.series] == ["Life satisfaction", "Worthwhile", "Happiness",
                                              "Anxiety"]
    assert line.series[3].points[0].value == 7 and not line.series[3].higher_is_better
    assert line.latest_change is None and "ONS4" not in latest_changes(caseload, actor,
                                                                        ids["person"])
