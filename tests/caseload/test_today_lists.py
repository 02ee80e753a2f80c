"""Today and Due and overdue on a hand-built caseload with fixed dates (Wednesday 11/03/2026)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from linkworker.access import PermissionDenied
from linkworker.journey import refresh_summaries
from linkworker.models import Contact, Episode, Goal, GoalStep, Measure
from linkworker.today import (
    TODAY_LISTS,
    TodayList,
    count_due,
    due_and_overdue,
    due_keys,
    due_rows,
    overdue_tasks,
    today_counts,
    today_items,
    today_keys,
    today_page,
    today_rows,
    week_of,
)
from tests.query_plans import select_plans

from .conftest import TODAY, _person

DAY = dt.timedelta(days=1)


def refresh(world) -> None:
    """What every product operation does after a change: bring the journey summaries
    (``next_review_due``) in line with the forms and meetings held."""
    with world.caseload.transaction() as s:
        for episode in s.query(Episode).all():
            refresh_summaries(s, episode)


@pytest.fixture
def world(world):
    """The shared small world hand-writes its summaries; here they follow the facts."""
    refresh(world)
    return world


def test_weeks_run_monday_to_sunday():
    assert week_of(TODAY) == (dt.date(2026, 3, 9), dt.date(2026, 3, 15))
    assert week_of(dt.date(2026, 3, 15)) == (dt.date(2026, 3, 9), dt.date(2026, 3, 15))


def test_today_lists_the_days_appointments_by_time(world):
    ann = world.actor("ann")
    agenda = today_items(world.caseload, ann, ann.user_id, TODAY)
    assert [(world.nick(a.person_id), a.time_text) for a in agenda.appointments] == [
        ("john", "10:00"), ("margaret", "14:00")]
    assert agenda.appointments[0].person_name == "John Smithson"
    assert agenda.appointments[1].person_name == "Peggy Smith"  # preferred name first
    assert agenda.appointments[0].mode_label == "Face to face"
    assert [(world.nick(a.person_id), a.day) for a in agenda.later_this_week] == [
        ("aisha", TODAY + 2 * DAY)]  # not next month's, not Bob's


def test_today_tasks_are_open_steps_and_new_referrals_most_overdue_first(world):
    ann = world.actor("ann")
    tasks = today_items(world.caseload, ann, None, TODAY).tasks
    assert [(t.kind, world.nick(t.person_id), t.overdue_days) for t in tasks] == [
        ("referral", "aisha", 195), ("step", "margaret", 1)]
    assert tasks[1].what == "Ring the walking group (goal: Get out of the house)"


def test_todays_lists_page_by_page_are_the_whole_lists_and_the_counts_agree(world):
    """The app reads Today a page at a time (the database sorts and cuts) and counts in the
    database: pages of one row, end to end, are each whole list in order."""
    meg = world.actor("meg")
    for day in (TODAY, TODAY + 2 * DAY, TODAY - 3 * DAY):
        agenda = today_items(world.caseload, meg, None, day)
        whole = dict(zip(TODAY_LISTS, (agenda.appointments, agenda.later_this_week,
                                       agenda.tasks), strict=True))
        for part, rows in whole.items():
            paged = [row for offset in range(len(rows) + 1)
                     for row in today_page(world.caseload, meg, None, day, part, offset, 1)]
            assert paged == list(rows), part
        counts = today_counts(world.caseload, meg, None, day)
        late = sum(t.overdue_days > 0 for t in agenda.tasks)
        assert (counts.appointments, counts.later, counts.tasks, counts.overdue) == (
            len(agenda.appointments), len(agenda.later_this_week), len(agenda.tasks), late)
        assert overdue_tasks(world.caseload, meg, None, day) == late
    assert len(today_items(world.caseload, meg, None, TODAY).tasks) >= 2  # something to page


def test_due_read_a_page_of_keys_at_a_time_is_the_whole_list(world):
    """The Due page keeps the keys and reads the rows of a page: pages of one key, end to end,
    are the whole list, in its order (most overdue first)."""
    meg = world.actor("meg")
    for day in (TODAY, TODAY + 30 * DAY):
        whole = due_and_overdue(world.caseload, meg, None, day)
        keys = due_keys(world.caseload, meg, None, day)
        assert [(k.due, k.kind) for k in keys] == [(i.due, i.kind) for i in whole]
        paged = [item for at in range(len(keys))
                 for item in due_rows(world.caseload, meg, keys[at:at + 1], day)]
        assert paged == whole and len(whole) >= 3


def test_another_day_shows_that_days_diary(world):
    ann = world.actor("ann")
    agenda = today_items(world.caseload, ann, ann.user_id, TODAY - 3 * DAY)
    assert [world.nick(a.person_id) for a in agenda.appointments] == ["john"]


def test_due_and_overdue_for_a_worker(world):
    ann = world.actor("ann")
    items = due_and_overdue(world.caseload, ann, ann.user_id, TODAY)
    assert [(i.kind, world.nick(i.person_id), i.overdue_days, i.due) for i in items] == [
        ("review", "margaret", 100, TODAY - 100 * DAY),  # baseline never recorded
        ("contact", "john", 3, TODAY - 3 * DAY),  # planned, not yet recorded
        ("contact", "john", 0, TODAY),
        ("contact", "margaret", 0, TODAY),
        ("contact", "aisha", 0, TODAY + 2 * DAY),
    ]
    assert items[0].what == "Baseline wellbeing measure"
    assert items[1].what == "Face to face contact at 11:00: not yet recorded"
    assert items[1].when_text == "3 days overdue"
    assert items[4].when_text == "Due 13/03/2026"
    assert count_due(world.caseload, ann, None, TODAY) == (3, 2)


def test_a_review_held_without_its_form_lists_the_measure(world):
    bob = world.actor("bob")
    mary_journey = world.episodes["mary"]
    with world.caseload.transaction() as s:
        s.add(Measure(person_id=world.people["mary"], episode_id=mary_journey,
                      instrument="SWEMWBS", timepoint="baseline", completed_on=TODAY - 95 * DAY,
                      value=21.0, raw=21, complete=True))
        s.add(Contact(episode_id=mary_journey, contact_date=TODAY - 2 * DAY, status="attended",
                      purpose="review_3m"))
    refresh(world)
    items = [i for i in due_and_overdue(world.caseload, bob, None, TODAY)
             if i.kind != "contact" and i.person_id == world.people["mary"]]
    assert [(i.kind, i.what, i.due, i.overdue_days, i.window_closes) for i in items] == [
        ("measure", "3-month review: wellbeing measure not recorded", dt.date(2026, 3, 6), 5,
         dt.date(2026, 4, 3))]


def test_the_three_month_review_falls_due(world):
    bob = world.actor("bob")
    with world.caseload.transaction() as s:
        s.add(Measure(person_id=world.people["mary"], episode_id=world.episodes["mary"],
                      instrument="SWEMWBS", timepoint="baseline", completed_on=TODAY - 95 * DAY,
                      value=21.0, raw=21, complete=True))
    refresh(world)
    reviews = [i for i in due_and_overdue(world.caseload, bob, None, TODAY) if i.kind == "review"]
    names = [(world.nick(i.person_id), i.what, i.overdue_days) for i in reviews]
    assert ("mary", "3-month review and wellbeing measure", 5) in names


def test_a_link_worker_cannot_see_another_workers_day(world):
    ann = world.actor("ann")
    with pytest.raises(PermissionDenied):
        due_and_overdue(world.caseload, ann, world.users["bob"].id, TODAY)
    with pytest.raises(PermissionDenied):
        today_items(world.caseload, ann, world.users["bob"].id, TODAY)


def test_a_manager_sees_any_worker_or_everyone(world):
    meg = world.actor("meg")
    bobs = today_items(world.caseload, meg, world.users["bob"].id, TODAY)
    assert [world.nick(a.person_id) for a in bobs.appointments] == ["mary"]
    everyone = today_items(world.caseload, meg, None, TODAY)
    assert [world.nick(a.person_id) for a in everyone.appointments] == ["mary", "john",
                                                                        "margaret"]
    tasks = {world.nick(t.person_id) for t in everyone.tasks}
    assert tasks == {"aisha", "margaret", "nobody"}


def test_todays_first_tasks_and_dues_forms_are_read_through_their_indexes(world):
    """Not a timing: the plans that keep a manager's Today and Due quick at 150,000 people
    (migration 0007). Tasks walk the steps not done in due order, testing each step's goal
    against the open goals' index; the forms due ask the open journeys by first meeting from
    their index; no list reads every person."""
    meg = world.actor("meg")
    tasks = select_plans(world.caseload, lambda: today_page(world.caseload, meg, None, TODAY,
                                                       "tasks", 0, 200))
    # from the earliest open goal's step (0008), asked goal by goal from two indexes alone
    assert "USING INDEX ix_goal_steps_open_due (due_date>? AND due_date<?)" in tasks
    assert ("USING COVERING INDEX ix_goal_steps_open_by_goal_keys (goal_id=? AND due_date<?)"
            in tasks)
    assert "SCAN goals USING COVERING INDEX ix_goals_open" in tasks  # the open goals' ids
    due = select_plans(world.caseload, lambda: due_keys(world.caseload, meg, None, TODAY))
    assert "USING COVERING INDEX ix_episodes_open_first_meeting" in due
    counted = select_plans(world.caseload, lambda: (today_counts(world.caseload, meg, None, TODAY),
                                              count_due(world.caseload, meg, None, TODAY)))
    for plan in (tasks, due, counted):
        assert "SCAN people" not in plan and "SCAN goal_steps" not in plan


@pytest.mark.parametrize("who", ["meg", "ann"])
def test_todays_appointments_and_later_are_read_from_the_contacts_index_alone(world, who):
    """Not a timing: Today's appointment lists read only the columns a row shows, from
    migration 0010's covering indexes, so no contact's row (a page each, holding its note) is
    read. "Later" is a range of days asked with a limit: SQLite must not scan every contact
    hoping to meet them in day order (81,000 pages at 50,000 people)."""
    actor = world.actor(who)
    worker = None if who == "meg" else actor.user_id

    def plan(part: str) -> str:
        return select_plans(world.caseload, lambda: today_page(world.caseload, actor, worker,
                                                               TODAY, part, 0, 200), "contacts")

    assert "SEARCH contacts USING COVERING INDEX ix_contacts_day (contact_date=?)" in plan(
        "appointments")
    later = plan("later")
    assert "SEARCH contacts USING COVERING INDEX ix_contacts_planned_day" in later
    assert "SCAN contacts" not in later
    if who == "ann":  # never every contact the worker ever had; tasks from open journeys
        due = select_plans(world.caseload, lambda: due_keys(world.caseload, actor, worker,
                                                            TODAY), "contacts")
        for asked in (later, due):
            assert "ix_contacts_worker_date" not in asked and "SCAN contacts" not in asked
        tasks = select_plans(world.caseload, lambda: today_page(world.caseload, actor, worker,
                                                                TODAY, "tasks", 0, 200))
        assert "SEARCH journey USING INDEX ix_episodes_open_by_worker (worker_id=?)" in tasks
        assert "ix_episodes_worker_id" not in tasks


# --- any page as quick as the first: Today's lists by key -----------------------------------


def _add_ties(world, copies: int = 4, steps: int = 0) -> None:
    """People of one name, each with a contact today and later in the week at the same time,
    a plan step due on the same day and a referral on the same day (``steps`` more on one
    goal): every list has rows that tie on all but their id."""
    day = dt.timedelta(days=1)
    with world.caseload.transaction() as s:
        ann = world.users["ann"].id
        for k in range(copies):
            stage = "referred" if k % 2 else "active"
            episode = _person(world, s, f"sam{k}", given="Sam", family="Lee", worker="ann",
                              stage=stage)
            for when in (TODAY, TODAY + 2 * day):
                s.add(Contact(episode_id=episode.id, worker_id=ann, contact_date=when,
                              start_time=dt.time(10, 0), status="planned", purpose="support"))
            s.add(Contact(episode_id=episode.id, worker_id=None, contact_date=TODAY,
                          status="planned"))  # untimed, nobody's contact
            goal = Goal(episode_id=episode.id, own_words="Sleep better", category="health",
                        agreed_date=TODAY - 30 * day)
            goal.steps = [GoalStep(position=i, description=f"Step {i % 3}",
                                   due_date=TODAY - (i % 4) * day)
                          for i in range(steps if k == 0 else 2)]
            s.add(goal)


@pytest.mark.parametrize("size", [1, 2, 3])
def test_todays_pages_read_by_key_are_the_pages_read_by_offset(world, size):
    """Rows that tie on day, time and name (and tasks on due date and name) come in the same
    order by key as by OFFSET, page after page, for a manager and a worker."""
    _add_ties(world, copies=5)
    for who in ("meg", "ann"):
        actor = world.actor(who)
        worker = None if who == "meg" else actor.user_id
        for day in (TODAY, TODAY - 2 * DAY):
            for part in TODAY_LISTS:
                whole = today_page(world.caseload, actor, worker, day, part)
                keys = today_keys(world.caseload, actor, worker, day, part)
                assert len(keys) == len(whole), (who, part)
                listed = TodayList(actor, worker, day, part)
                for offset in range(0, len(whole) + 1, size):
                    old = today_page(world.caseload, actor, worker, day, part, offset, size)
                    assert today_rows(world.caseload, actor, worker, day, part,
                                      keys[offset:offset + size]) == old, (who, part, offset)
                    assert listed.page(world.caseload, offset, size) == old
    ann = world.actor("ann")
    assert len(today_page(world.caseload, ann, None, TODAY, "tasks")) >= 10  # ties to order


def test_a_row_gone_since_the_keys_were_read_is_left_out(world):
    meg = world.actor("meg")
    keys = today_keys(world.caseload, meg, None, TODAY, "appointments")
    first = today_rows(world.caseload, meg, None, TODAY, "appointments", keys)
    with world.caseload.transaction() as s:
        s.get(Contact, first[0].contact_id).contact_date = TODAY + 40 * DAY  # moved away
    assert today_rows(world.caseload, meg, None, TODAY, "appointments", keys) == first[1:]


def _vm_steps(world, read) -> int:
    """How many SQLite VM instructions ``read(session)`` runs: the rows a query steps through,
    whatever the machine's speed."""
    with world.caseload.engine.connect() as conn:
        raw = conn.connection.driver_connection
        steps = [0]

        def count() -> int:
            steps[0] += 1
            return 0

        raw.set_progress_handler(count, 100)
        try:
            with Session(bind=conn) as session:
                read(session)
        finally:
            raw.set_progress_handler(None, 0)
    return steps[0] * 100


@pytest.mark.parametrize("who", ["meg", "ann"])
@pytest.mark.parametrize("part", TODAY_LISTS)
def test_a_deep_page_is_read_by_key_not_by_stepping_through_the_rows_before_it(world, part, who):
    """The page at 90% of a long list costs about what the first does: its rows are looked up
    by rowid (no OFFSET, no day's index), where an OFFSET page steps through every row before
    it (and an OFFSET page that deep costs several times more, so the count tells)."""
    _add_ties(world, copies=2, steps=400)
    with world.caseload.transaction() as s:  # a long diary today and later this week
        for k in range(400):
            s.add(Contact(episode_id=world.episodes["sam0"], worker_id=world.users["ann"].id,
                          contact_date=TODAY + (k % 3) * DAY, start_time=dt.time(9, k % 60),
                          status="planned"))
    actor = world.actor(who)
    worker = None if who == "meg" else actor.user_id
    keys = today_keys(world.caseload, actor, worker, TODAY, part)
    deep, size = len(keys) * 9 // 10, 10
    assert len(keys) > 100

    def by_key(offset: int) -> int:
        return _vm_steps(world, lambda s: today_rows(s, actor, worker, TODAY, part,
                                                     keys[offset:offset + size]))

    by_offset = _vm_steps(world, lambda s: today_page(s, actor, worker, TODAY, part, deep, size))
    assert by_key(deep) < 2 * by_key(0) + 1000
    assert by_offset > 4 * by_key(deep)
    plans = select_plans(world.caseload, lambda: today_rows(
        world.caseload, actor, worker, TODAY, part, keys[deep:deep + size]))
    table = "goal_steps" if part == "tasks" else "contacts"
    assert f"SEARCH {table} USING INTEGER PRIMARY KEY (rowid=?)" in plans
    assert "ix_contacts_day" not in plans and "ix_contacts_planned_day" not in plans
    sent = []

    def keep(*args) -> None:
        sent.append(args[2])

    event.listen(world.caseload.engine, "before_cursor_execute", keep)
    today_rows(world.caseload, actor, worker, TODAY, part, keys[deep:deep + size])
    event.remove(world.caseload.engine, "before_cursor_execute", keep)
    assert sent and not any("OFFSET" in statement for statement in sent)


@pytest.mark.parametrize("read", ["keys", "counts"])
def test_a_managers_every_task_is_read_from_indexes_alone_goal_by_goal(world, read):
    """Not a timing: a manager's task keys (read after the first rows, at every refresh while
    Today is on screen) and the task counts read no step, goal or journey row, only covering
    indexes (migration 0011), driven by the open goals; steps of closed goals are never met
    (before, every step not done was walked in due order and three rows read for each listed:
    4.5-6.2 s of CPU at 150,000 people). The list is the same (the keys-by-offset test above
    holds its order, ties and all)."""
    _add_ties(world, copies=2, steps=40)
    meg = world.actor("meg")

    def run_in(session):
        if read == "keys":
            return today_keys(session, meg, None, TODAY, "tasks")
        return today_counts(session, meg, None, TODAY)

    plans = select_plans(world.caseload, lambda: run_in(world.caseload), "goal_steps")
    steps = [line for line in plans.splitlines() if line.startswith(("SCAN", "SEARCH"))
             and line.split()[1] in ("goal_steps", "goals")]
    assert steps == [
        "SCAN goals USING COVERING INDEX ix_goals_open",
        "SEARCH goal_steps USING COVERING INDEX ix_goal_steps_open_by_goal_keys (goal_id=?)"]
    assert ("SEARCH journey USING COVERING INDEX ix_episodes_open_ids (id=? AND exit_date=?)"
            in plans)
    assert "autoindex" not in plans  # no goal or journey looked up by id, then its row read
    # closed goals' steps not done are never met: 300 more change the VM steps very little
    before = _vm_steps(world, run_in)

    with world.caseload.transaction() as s:
        closed = Goal(episode_id=world.episodes["sam0"], own_words="Done with", status="achieved",
                      category="other", agreed_date=TODAY - 400 * DAY)
        closed.steps = [GoalStep(position=i, description="Old", due_date=TODAY - (i + 9) * DAY)
                        for i in range(300)]
        s.add(closed)
    assert _vm_steps(world, run_in) < before + 2000
