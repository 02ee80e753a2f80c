"""A link worker's day: Today (appointments and tasks) and Due and overdue.

Both lists are for one worker's caseload (a manager may pick any worker, or everyone). They are
built from a handful of set-based, indexed queries (contacts by date or by status and date,
the worker's current journeys by worker), never one query per person, so a worker's morning
does not wait on the size of the whole caseload.

"Due" follows the journey's own rules (``linkworker.journey``): a review point is done when a
complete measure for that timepoint, or an attended contact with purpose ``review_..``, is
recorded; the next review is the earliest point not done, which ``journey.refresh_summaries``
keeps in ``Episode.next_review_due`` (indexed), so Due reads it instead of re-deriving it for
every journey. A follow-up *measure* is also listed on its own when the review meeting was held
but the form was not recorded while its window is still open, because a contract can only pay
on a form recorded within the window. ``count_due`` counts the same items in the database; it
is checked against a per-person reckoning in ``tests/caseload/test_due_counts.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import Integer, and_, desc, func, literal, literal_column, or_, select, union_all
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from linkworker.access import Actor, PermissionDenied, can, people_scope
from linkworker.codes import CONTACT_MODE_LABELS, CONTACT_STATUS_LABELS
from linkworker.contacts import purpose_label
from linkworker.dates import add_months
from linkworker.journey import review_schedule, review_schedules
from linkworker.journey_clock import ReviewPoint, ReviewSchedule, overdue_days
from linkworker.models import Contact, Episode, Goal, GoalStep, Measure, Person
from linkworker.storage.database import Caseload, unit_of_work
from linkworker.validation import format_date

# Journeys under their own name: ``people_scope`` is an EXISTS over *any* of the person's
# episodes and must stay correlated to the person alone.
Journey = aliased(Episode, name="journey")
FIRST_CONTACT_DAYS = 5  # a new referral should hear from us within five days


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of the week holding ``day`` (UK weeks start on Monday)."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def _display_name(given: str, preferred: str | None, family: str) -> str:
    return f"{preferred or given} {family}".strip()


@dataclass(frozen=True)
class Appointment:
    """A contact on the worker's diary (future ones are planned; past ones show what happened)."""

    contact_id: str
    person_id: str
    person_name: str
    day: dt.date
    time: dt.time | None
    mode_label: str
    venue: str
    purpose: str
    status: str
    status_label: str

    @property
    def time_text(self) -> str:
        return self.time.strftime("%H:%M") if self.time else "Any time"


@dataclass(frozen=True)
class Task:
    """Something the worker should do for a person: an action-plan step, a new referral."""

    kind: str  # "step" or "referral"
    person_id: str
    person_name: str
    what: str
    due: dt.date
    overdue_days: int


@dataclass(frozen=True)
class TodayAgenda:
    day: dt.date
    appointments: tuple[Appointment, ...]  # on ``day``, by time
    later_this_week: tuple[Appointment, ...]  # planned, after ``day`` to Sunday
    tasks: tuple[Task, ...]  # most overdue first


@dataclass(frozen=True)
class DueItem:
    """A review, follow-up measure or planned contact due this week or overdue."""

    kind: str  # "review", "measure" or "contact"
    person_id: str
    person_name: str
    reference: str
    what: str
    due: dt.date
    overdue_days: int
    window_closes: dt.date | None = None  # reviews and measures: the last day that counts
    item_id: str = ""  # the contact's or the journey's id

    @property
    def overdue(self) -> bool:
        return self.overdue_days > 0

    @property
    def when_text(self) -> str:
        if self.overdue_days:
            unit = "day" if self.overdue_days == 1 else "days"
            return f"{self.overdue_days} {unit} overdue"
        return f"Due {format_date(self.due)}"


def _worker_to_show(actor: Actor, worker_id: str | None) -> str | None:
    """The worker whose lists are shown: a link worker only ever sees their own."""
    if can(actor, "caseload.switch_worker"):
        return worker_id
    if worker_id not in (None, actor.user_id):
        raise PermissionDenied("Only a manager can look at another worker's day.")
    return actor.user_id


def _contacts_for(worker_id: str | None):  # a SQLAlchemy clause or None
    """A worker's contacts: their own, and those with no worker on their journeys. The first
    term says the same of the contact alone, so other workers' contacts are dropped inside the
    day's index before any journey is read (at 150,000 people a day holds ~5,000 contacts, a
    worker's ~90). The contact's worker is compared as ``+worker_id``, so SQLite never asks
    ``ix_contacts_worker_date`` instead: that hands over every contact the worker ever had, a
    row each to test its status (Due's planned contacts for worker1: 17,800 pages at 150,000
    people)."""
    if worker_id is None:
        return None
    own = _unary_plus(Contact.worker_id)  # never asked by worker: see the docstring
    return and_(or_(own == worker_id, own.is_(None)),
                or_(own == worker_id, and_(own.is_(None), Journey.worker_id == worker_id)))


def _person_name():  # SQL: ``_display_name`` in the database, so lists sort by it there
    return func.trim(func.coalesce(func.nullif(Person.preferred_name, ""), Person.given_name)
                     + " " + Person.family_name)


# What an appointment (and a planned contact on Due) shows of its contact: only these columns
# are read, so a covering index (``ix_contacts_day``, 0010) hands a day's contacts over
# without a contact's row (a page of the file each, holding its note).
CONTACT_COLUMNS = (Contact.id, Contact.contact_date, Contact.start_time, Contact.mode,
                   Contact.venue, Contact.purpose, Contact.status)


def _contact_query(actor: Actor, worker_id: str | None, *where):
    query = (
        select(*CONTACT_COLUMNS, Person.id, Person.given_name, Person.preferred_name,
               Person.family_name, Person.reference)
        .join(Journey, Journey.id == Contact.episode_id)
        .join(Person, Person.id == Journey.person_id)
        .where(Person.deleted_at.is_(None), people_scope(actor), *where)
    )
    mine = _contacts_for(worker_id)
    return query if mine is None else query.where(mine)


def _appointment(row) -> Appointment:  # a result row
    contact_id, day, time, mode, venue, purpose, status, person_id, given, preferred, family, \
        _ref = row
    return Appointment(
        contact_id=contact_id,
        person_id=person_id,
        person_name=_display_name(given, preferred, family),
        day=day,
        time=time,
        mode_label=CONTACT_MODE_LABELS.get(mode, mode),
        venue=venue or "",
        purpose=purpose_label(purpose),  # "Support session", never the code
        status=status,
        status_label=CONTACT_STATUS_LABELS.get(status, status),
    )


def _current_journeys(actor: Actor, worker_id: str | None, *where):
    """The worker's current, unexited journeys with the person's name (one indexed query)."""
    query = (
        select(Journey, Person.given_name, Person.preferred_name, Person.family_name,
               Person.reference)
        .join(Person, Person.current_episode_id == Journey.id)
        .where(Person.deleted_at.is_(None), Person.anonymised_at.is_(None),
               Journey.exit_date.is_(None), Journey.stage != "exited", people_scope(actor),
               *where)
    )
    return query if worker_id is None else query.where(Journey.worker_id == worker_id)


# Today's three lists, each read a page at a time in its own order (``today_page``).
TODAY_LISTS = ("appointments", "later", "tasks")


@dataclass(frozen=True)
class TodayCounts:
    """How long each of Today's lists is, counted in the database (``today_counts``)."""

    appointments: int
    later: int
    tasks: int
    overdue: int  # tasks overdue: the one figure Today and Due both show


def _appointments_query(actor: Actor, worker: str | None, day: dt.date, part: str,
                        keys: Sequence[int] | None = None):
    """``appointments``: every contact on ``day``; ``later``: planned ones after it, to Sunday.
    Ordered by day and time (untimed last), then name, in SQL (``Appointment`` order).
    ``keys``: only the contacts of those rowids (a page of ``today_keys``), found by rowid:
    their date is then compared as ``+contact_date`` so SQLite reads no day's index."""
    date = Contact.contact_date if keys is None else _unary_plus(Contact.contact_date)
    if part == "appointments":
        query = _contact_query(actor, worker, date == day)
    else:
        query = _contact_query(actor, worker, Contact.status == "planned",
                               date > day, date <= week_of(day)[1])
    if keys is not None:
        query = query.add_columns(CONTACT_KEY).where(_rowid_in(CONTACT_KEY, keys))
    # Sorted by a day it does not walk the index for: given the limit, SQLite would otherwise
    # scan every contact hoping to stop early in day order (81,000 pages at 50,000 people).
    return query.order_by(_unary_plus(Contact.contact_date), Contact.start_time.is_(None),
                          Contact.start_time, _person_name(), Contact.id)


def _unary_plus(column):  # SQL: ``+column``, the same value, which SQLite reads from no index
    column = column.expression
    return UnaryExpression(column, operator=custom_op("+"), type_=column.type)


# A row's key in Today's key lists (``today_keys``): its table's rowid, an int that every index
# of the table holds, so the keys come from the indexes the lists are read through. A task is
# a plan step (its rowid) or a first contact (its journey's rowid, negated).
CONTACT_KEY = literal_column("contacts.rowid", Integer)
STEP_KEY = literal_column("goal_steps.rowid", Integer)
JOURNEY_KEY = literal_column("journey.rowid", Integer)


def _rowid_in(rowid, keys: Sequence[int]):  # SQL: "rowid is one of ``keys``" (one parameter)
    """The keys go in as one JSON list read by ``json_each``: one statement whatever the
    page's length, and SQLite looks each rowid up (``SEARCH ... USING INTEGER PRIMARY KEY``)."""
    listed = func.json_each(json.dumps([int(key) for key in keys])).table_valued("value")
    return rowid.in_(select(listed.c.value))


# Today's tasks in their list order (``_tasks_query``): most overdue first is earliest due
# first, then by name; a step before a first contact on the same day.
TASK_ORDER = ("due", "person_name", desc("kind"), "item_id")


def _step_goal_in(goals):  # SQL: "this step's goal is one of ``goals``" (a select of ids)
    """The unary ``+`` keeps SQLite from turning the test around (reading every open goal's
    steps and sorting them all): it walks the steps not done in due order
    (``ix_goal_steps_open_due``) and drops those of closed goals, most of them, against the
    ids (read once, from ``ix_goals_open``) before reading any goal, so a page stops early."""
    return _unary_plus(GoalStep.goal_id).in_(goals)


def _earliest_open_step(day: dt.date):  # SQL: one date, or NULL when no open goal has a step
    """The earliest due date of a step not done of an open goal: everyone's steps are walked
    in due order from there. Before it lie only steps of goals closed long ago (240,000 at
    150,000 people, each tested and dropped); this reads the open goals' ids and each one's
    earliest step from two indexes alone (``ix_goals_open``,
    ``ix_goal_steps_open_by_goal_keys``)."""
    step, goal = aliased(GoalStep), aliased(Goal)
    # Asked per open goal (a correlated subquery), so SQLite cannot turn it into the walk of
    # every step in due order it is there to shorten.
    earliest = (select(func.min(step.due_date))
                .where(step.goal_id == goal.id, step.done_date.is_(None), step.due_date <= day)
                .scalar_subquery())
    return select(func.min(earliest)).where(goal.status == "open").scalar_subquery()


def _everyones_steps(actor: Actor, day: dt.date, *columns):
    """``columns`` of everyone's steps due by ``day`` (a manager's keys and counts), read from
    indexes alone, goal by goal: the open goals (``ix_goals_open``), each one's journey asked
    "open?" (``ix_episodes_open_ids``) and its person's name (``ix_people_current_names``),
    then its steps not done due by the day, with their ids (``ix_goal_steps_open_by_goal_keys``;
    0011). The step's due date is compared as ``+due_date``, so SQLite never walks instead
    every step not done in due order, reading each one's step, goal and journey rows (98,909
    tasks at 150,000 people: the keys took 4.5-6.2 s of CPU that way)."""
    return (select(*columns)
            .select_from(Goal)
            .join(Journey, Journey.id == Goal.episode_id)
            .join(Person, Person.current_episode_id == Journey.id)
            .join(GoalStep, GoalStep.goal_id == Goal.id)
            .where(Goal.status == "open", Journey.exit_date.is_(None),
                   Person.deleted_at.is_(None), people_scope(actor),
                   GoalStep.done_date.is_(None), _unary_plus(GoalStep.due_date) <= day))


def _tasks_query(actor: Actor, worker: str | None, day: dt.date, *, due_only: bool = False,
                 keyed: bool = False, keys: Sequence[int] | None = None):
    """Plan steps due by ``day`` and first contacts for new referrals, as one compound select:
    (due, name, person, kind, id, step, goal, referred). Ordered by ``TASK_ORDER`` with a
    limit, SQLite merges its two parts, each read in due order, and stops at the limit.
    ``due_only``: the due dates alone, for counting (no goal or step row is then read).
    ``keyed``: (due, name, kind, id, key), every task's sort key and its key (``today_keys``).
    ``keys``: only those tasks (a page of the keys), each row with its key last."""
    name = _person_name()
    steps = (
        select(GoalStep.due_date.label("due"), name.label("person_name"), Person.id,
               literal("step").label("kind"), GoalStep.id.label("item_id"),
               GoalStep.description, Goal.own_words, literal(None).label("referred"))
        .join(Goal, Goal.id == GoalStep.goal_id)
        .join(Journey, Journey.id == Goal.episode_id)
        .join(Person, Person.current_episode_id == Journey.id)
        .where(GoalStep.done_date.is_(None), GoalStep.due_date <= day, Goal.status == "open",
               Journey.exit_date.is_(None), Person.deleted_at.is_(None), people_scope(actor))
    )
    referrals = (
        _current_journeys(actor, None, Journey.stage == "referred")
        .with_only_columns(
            func.date(Journey.referral_date, f"+{FIRST_CONTACT_DAYS} days"), name, Person.id,
            literal("referral"), Journey.id, literal(None), literal(None), Journey.referral_date)
    )
    if worker is not None:  # a worker's few steps come quicker from their journeys
        # (by key, not: the worker is then compared as ``+worker_id``, so each row is looked
        # up by its rowid instead of every journey of the worker's tested against the keys)
        own = Journey.worker_id if keys is None else _unary_plus(Journey.worker_id)
        steps = steps.where(own == worker)
        referrals = referrals.where(own == worker)
    elif keyed or due_only:  # everyone's every task (keys, counts): goal by goal, from indexes
        steps = _everyones_steps(actor, day, *steps.selected_columns[:5])
    elif keys is None:  # everyone's: in due order from the first open goal's step, closed goals'
        steps = steps.where(GoalStep.due_date >= _earliest_open_step(day),  # dropped
                            _step_goal_in(select(Goal.id).where(Goal.status == "open")))
    if keyed:
        steps, referrals = (part.with_only_columns(
            *(part.selected_columns[i] for i in (0, 1, 3, 4)), key.label("key"))
            for part, key in ((steps, STEP_KEY), (referrals, -JOURNEY_KEY)))
    if keys is not None:  # by rowid: a step's is positive, a first contact's journey's negated
        steps = steps.add_columns(STEP_KEY.label("key")).where(
            _rowid_in(STEP_KEY, [key for key in keys if key > 0]))
        referrals = referrals.add_columns(-JOURNEY_KEY).where(
            _rowid_in(JOURNEY_KEY, [-key for key in keys if key < 0]))
    if due_only:
        steps, referrals = (part.with_only_columns(part.selected_columns[0].label("due"))
                            for part in (steps, referrals))
    return union_all(steps, referrals)


def _task(row, day: dt.date) -> Task:  # a row of ``_tasks_query``
    due, name, person_id, kind, _id, step, goal, referred = row
    due = due if isinstance(due, dt.date) else dt.date.fromisoformat(due)
    if kind == "step":
        what = f"{step} (goal: {goal})"
    else:
        referred = referred if isinstance(referred, dt.date) else dt.date.fromisoformat(referred)
        what = f"Make first contact (referred {format_date(referred)})"
    return Task(kind, person_id, name, what, due, overdue_days(due, day))


def today_page(caseload: Caseload | Session, actor: Actor, worker_id: str | None,
               day: dt.date, part: str, offset: int = 0,
               limit: int | None = None) -> list[Appointment] | list[Task]:
    """Rows ``offset`` to ``offset + limit`` of one of Today's lists (``TODAY_LISTS``), in its
    order: the database sorts and cuts, so a screenful costs a screenful of Python objects
    whatever the caseload (a manager's Today at 150,000 people holds ~95,000 tasks)."""
    worker = _worker_to_show(actor, worker_id)
    with unit_of_work(caseload, write=False) as session:
        if part == "tasks":
            query = _tasks_query(actor, worker, day).order_by(*TASK_ORDER)
            return [_task(row, day) for row in session.execute(query.offset(offset).limit(limit))]
        query = _appointments_query(actor, worker, day, part).offset(offset).limit(limit)
        return [_appointment(row) for row in session.execute(query)]


def today_keys(caseload: Caseload | Session, actor: Actor, worker_id: str | None,
               day: dt.date, part: str) -> array:
    """Every row's key of one of Today's lists (``TODAY_LISTS``) in its order: rowids, 8 bytes
    each (a manager's 99,000-114,000 tasks at 150,000 people: under 1 MB). Read once, they make any
    page as quick as the first (``today_rows``): an OFFSET page steps through every row
    before it, each joined to its person and read from its table (issue 15)."""
    worker = _worker_to_show(actor, worker_id)
    with unit_of_work(caseload, write=False) as session:
        if part == "tasks":
            query = _tasks_query(actor, worker, day, keyed=True).order_by(*TASK_ORDER)
        else:
            query = _appointments_query(actor, worker, day, part).with_only_columns(
                CONTACT_KEY, maintain_column_froms=True)
        keys = array("q")
        for rows in session.execute(query).partitions(5000):  # the key is the last column
            keys.extend(row[-1] for row in rows)
        return keys


def today_rows(caseload: Caseload | Session, actor: Actor, worker_id: str | None,
               day: dt.date, part: str, keys: Sequence[int]) -> list[Appointment] | list[Task]:
    """The rows of ``keys`` (a page of ``today_keys``) in the keys' order, each looked up by
    its rowid; a row no longer on the list (a step done since the keys were read) is left
    out, as ``due_rows`` leaves out an item gone."""
    worker = _worker_to_show(actor, worker_id)
    with unit_of_work(caseload, write=False) as session:
        if part == "tasks":
            query = _tasks_query(actor, worker, day, keys=keys)
            found = {row[-1]: _task(row[:-1], day) for row in session.execute(query)}
        else:
            query = _appointments_query(actor, worker, day, part, keys).order_by(None)
            found = {row[-1]: _appointment(row[:-1]) for row in session.execute(query)}
    return [found[key] for key in keys if key in found]


class TodayList:
    """One of Today's lists read a page at a time at any depth, from any thread: the first
    page cut in the database (``today_page``, quickest when nothing else is wanted), any
    other by its keys, read once when first needed (``today_keys``, ``today_rows``)."""

    def __init__(self, actor: Actor, worker_id: str | None, day: dt.date, part: str) -> None:
        self.actor, self.worker_id, self.day, self.part = actor, worker_id, day, part
        self.keys: array | None = None
        self._reading = threading.Lock()  # two pages asked at once read the keys once

    def page(self, caseload: Caseload | Session, offset: int,
             limit: int) -> list[Appointment] | list[Task]:
        """Rows ``offset`` to ``offset + limit``, as ``today_page`` reads them."""
        where = (self.actor, self.worker_id, self.day, self.part)
        if offset == 0:
            return today_page(caseload, *where, 0, limit)
        return today_rows(caseload, *where, self.read_keys(caseload)[offset:offset + limit])

    def read_keys(self, caseload: Caseload | Session) -> array:
        """The list's keys, read now unless read already (a page past the first needs them;
        the view reads a long list's in the background first, ``prefetch``)."""
        with self._reading:
            if self.keys is None:
                self.keys = self._keys(caseload)
            return self.keys

    def prefetch(self, caseload: Caseload | Session) -> None:
        """The list's keys read ahead of a scroll, in the background, by work that steps
        aside for the user's reads: without the lock, so a page read that needs the keys
        meanwhile reads them itself rather than wait for work that is waiting for it."""
        if self.keys is None:
            keys = self._keys(caseload)
            with self._reading:
                self.keys = keys if self.keys is None else self.keys

    def _keys(self, caseload: Caseload | Session) -> array:
        return today_keys(caseload, self.actor, self.worker_id, self.day, self.part)


def today_counts(caseload: Caseload | Session, actor: Actor, worker_id: str | None,
                 day: dt.date) -> TodayCounts:
    """The length of each of Today's lists and the overdue tasks, counted in the database."""
    worker = _worker_to_show(actor, worker_id)
    with unit_of_work(caseload, write=False) as session:
        sizes = [session.execute(select(func.count()).select_from(
            _appointments_query(actor, worker, day, part).order_by(None).subquery())).scalar_one()
            for part in ("appointments", "later")]
        total, late = _count_tasks(session, actor, worker, day)
    return TodayCounts(sizes[0], sizes[1], total, late)


def _count_tasks(session: Session, actor: Actor, worker: str | None,
                 day: dt.date) -> tuple[int, int]:
    tasks = _tasks_query(actor, worker, day, due_only=True).subquery()
    total, late = session.execute(
        select(func.count(), func.count().filter(tasks.c.due < day))).one()
    return total, late


def today_items(caseload: Caseload | Session, actor: Actor, worker_id: str | None,
                day: dt.date) -> TodayAgenda:
    """The worker's appointments on ``day``, the rest of the week's, and tasks due by ``day``
    (every row of each list: for scripts and reports; the app reads ``today_page``)."""
    with unit_of_work(caseload, write=False) as session:
        on_day, later, tasks = (today_page(session, actor, worker_id, day, part)
                                for part in TODAY_LISTS)
        return TodayAgenda(day, tuple(on_day), tuple(later), tuple(tasks))


def overdue_tasks(caseload: Caseload | Session, actor: Actor, worker_id: str | None,
                  day: dt.date) -> int:
    """How many of Today's tasks (plan steps, first contacts) are overdue: the one count both
    Today and the Due page show, so the two pages never disagree about "overdue"."""
    worker = _worker_to_show(actor, worker_id)
    with unit_of_work(caseload, write=False) as session:
        return _count_tasks(session, actor, worker, day)[1]


# --- due and overdue ------------------------------------------------------------------------


class DueKey(NamedTuple):
    """One row of Due and overdue before it is read: enough to sort, count and filter it.

    The list's order is most overdue first, i.e. earliest due first, then by name; a page's
    rows are read from their keys (``due_rows``), so a manager's list at 150,000 people keeps
    a small tuple per item, never a journey's schedule or a contact's row."""

    due: dt.date
    person_name: str
    kind: str  # "review", "measure" or "contact"
    item_id: str  # the journey's (review, measure) or the contact's id
    timepoint: str = ""  # a measure's review point ("review_3m")


def _review_keys(actor: Actor, worker: str | None, sunday: dt.date):  # SQL: (due, name, id)
    return _current_journeys(
        actor, worker, Journey.first_meeting_date.is_not(None), Journey.next_review_due <= sunday,
    ).with_only_columns(Journey.next_review_due, _person_name(), Journey.id)


def _contact_keys(actor: Actor, worker: str | None, sunday: dt.date):  # SQL: (due, name, id)
    return _planned_contacts(actor, worker, sunday).with_only_columns(
        Contact.contact_date, _person_name(), Contact.id)


def _read_keys(session: Session, query, kind: str) -> list[DueKey]:
    return [DueKey(due, person, kind, item) for due, person, item in session.execute(query)]


def _measure_keys(session: Session, actor: Actor, worker: str | None, as_of: dt.date,
                  sunday: dt.date) -> list[DueKey]:
    return [DueKey(item.due, item.person_name, "measure", item.item_id, timepoint)
            for item, timepoint in _measures_due(session, actor, worker, as_of, sunday)]


def due_keys(caseload: Caseload | Session, actor: Actor, worker_id: str | None,
             as_of: dt.date) -> list[DueKey]:
    """Every item due by Sunday or overdue, as keys in the list's order (``due_rows`` reads
    a page of them). Reviews and contacts come from indexed queries of a few columns; the
    few review meetings held without their form are worked out on their schedule."""
    worker = _worker_to_show(actor, worker_id)
    _monday, sunday = week_of(as_of)
    with unit_of_work(caseload, write=False) as session:
        keys = (_read_keys(session, _review_keys(actor, worker, sunday), "review")
                + _measure_keys(session, actor, worker, as_of, sunday)
                + _read_keys(session, _contact_keys(actor, worker, sunday), "contact"))
    keys.sort(key=due_order)
    return keys


def due_first_keys(caseload: Caseload | Session, actor: Actor, worker_id: str | None,
                   as_of: dt.date, kind: str | None, limit: int) -> list[DueKey]:
    """``due_keys`` of ``kind`` (None: all), ``[:limit]``, without reading the rest: the Due
    page's first screenful. Reviews and contacts are each cut in SQL in the list's order
    (dates are ISO text and names compare byte by byte there, which is Python's code-point
    order), so each part's first ``limit`` hold every one of its keys the merged page can
    show. Forms not recorded are worked out only when one could be on the page: a form is due
    no earlier than today less its window, and a manager's first page at 50,000 people ends
    13 months before that (working them out is half of building every key)."""
    worker = _worker_to_show(actor, worker_id)
    _monday, sunday = week_of(as_of)
    with unit_of_work(caseload, write=False) as session:
        keys = []
        for part, query in (("review", _review_keys), ("contact", _contact_keys)):
            if kind in (None, part):
                first = query(actor, worker, sunday)
                first = first.order_by(*first.selected_columns).limit(limit)
                keys += _read_keys(session, first, part)
        keys.sort(key=due_order)
        if kind == "measure" or (kind is None and _forms_may_show(session, keys, as_of, limit)):
            keys = sorted(keys + _measure_keys(session, actor, worker, as_of, sunday),
                          key=due_order)
    return keys[:limit]


def _forms_may_show(session: Session, keys: list[DueKey], as_of: dt.date, limit: int) -> bool:
    """Whether a form not recorded could be among the first ``limit`` of ``keys``' list."""
    if len(keys) < limit:
        return True
    widest = max(schedule.window_days for schedule in review_schedules(session).values())
    return keys[limit - 1].due >= as_of - dt.timedelta(days=widest)


def due_order(key: DueKey) -> tuple:
    """The list's order: most overdue (earliest due) first, then by name, kind and id."""
    return key.due, key.person_name, KIND_ORDER[key.kind], key.item_id


KIND_ORDER = {"review": 0, "measure": 1, "contact": 2}


def due_rows(caseload: Caseload | Session, actor: Actor, keys: Sequence[DueKey],
             as_of: dt.date) -> list[DueItem]:
    """The items for ``keys`` (a page of ``due_keys``), in the same order; an item gone since
    the keys were read (a contact recorded meanwhile) is left out."""
    _monday, sunday = week_of(as_of)
    found: dict[DueKey, DueItem] = {}
    with unit_of_work(caseload, write=False) as session:
        by_journey: dict[str, list[DueKey]] = {}
        for key in keys:
            if key.kind != "contact":
                by_journey.setdefault(key.item_id, []).append(key)
        if by_journey:
            for episode, given, preferred, family, reference in session.execute(
                    _current_journeys(actor, None, Journey.id.in_(by_journey))):
                name = _display_name(given, preferred, family)
                for key in by_journey[episode.id]:
                    item = (_measure_item(session, episode, name, reference, key.timepoint,
                                          as_of, sunday) if key.kind == "measure"
                            else _review_item(session, episode, name, reference, as_of))
                    if item is not None:
                        found[key] = item
        contacts = {k.item_id: k for k in keys if k.kind == "contact"}
        if contacts:
            for row in session.execute(_contact_query(actor, None, Contact.id.in_(contacts))):
                found[contacts[row[0]]] = _contact_item(row, as_of)
    return [found[k] for k in keys if k in found]


def due_and_overdue(caseload: Caseload | Session, actor: Actor, worker_id: str | None,
                    as_of: dt.date) -> list[DueItem]:
    """Reviews, follow-up measures and planned contacts due by Sunday or overdue; most overdue
    first (every item: for scripts and tests; the app reads ``due_keys`` and a page at a time
    through ``due_rows``)."""
    with unit_of_work(caseload, write=False) as session:
        return due_rows(session, actor, due_keys(session, actor, worker_id, as_of), as_of)


def _contact_item(row, as_of: dt.date) -> DueItem:  # a result row
    appointment = _appointment(row)
    when = f" at {appointment.time_text}" if appointment.time else ""
    what = f"{appointment.mode_label} contact{when}"
    if appointment.day < as_of:
        what += ": not yet recorded"
    return DueItem("contact", appointment.person_id, appointment.person_name, row[-1],
                   what, appointment.day, overdue_days(appointment.day, as_of),
                   item_id=appointment.contact_id)


def _review_item(session: Session, episode: Episode, name: str, reference: str,
                 as_of: dt.date) -> DueItem | None:
    """The journey's next review (``Episode.next_review_due``, kept by
    ``journey.refresh_summaries``), worded from its schedule; None if it has none now."""
    if episode.next_review_due is None:
        return None
    points = review_schedule(session, episode).points(episode.first_meeting_date)
    point = next((p for p in points if p.due == episode.next_review_due), None)
    if point is None:  # off the schedule (it changed since): still show it, plainly
        what, closes = "Review and wellbeing measure", None
    else:
        what, closes = _review_text(point), point.closes
    due = episode.next_review_due
    return DueItem("review", episode.person_id, name, reference, what, due,
                   overdue_days(due, as_of), closes, episode.id)


def _review_text(point: ReviewPoint) -> str:
    if point.months == 0:
        return "Baseline wellbeing measure"
    return f"{point.label} and wellbeing measure"


def _measures_due(session: Session, actor: Actor, worker: str | None, as_of: dt.date,
                  sunday: dt.date) -> list[tuple[DueItem, str]]:
    """Review meetings held with no complete form for that point, while its window is open,
    each with its review point.

    A point's window can only be open this week if the journey's first meeting lies the
    point's months before it, so one small query per review point asks only the open journeys
    met then (``ix_episodes_open_first_meeting``, read from the index alone) for a meeting
    held and no form; only those few journeys are then read, with their schedules worked out
    here (``_measure_item`` decides exactly)."""
    schedules = review_schedules(session)
    form = (select(Measure.id)
            .where(Measure.episode_id == Contact.episode_id, Measure.timepoint == Contact.purpose,
                   Measure.complete)
            .exists())
    held = [select(Journey.id, Contact.purpose)
            .join(Contact, Contact.episode_id == Journey.id)
            .where(Journey.exit_date.is_(None), Journey.first_meeting_date.between(*met),
                   Contact.status == "attended", Contact.purpose == timepoint, ~form,
                   *([] if worker is None else [Journey.worker_id == worker]))
            for timepoint, met in _first_meetings_in_window(schedules, as_of, sunday).items()]
    points: dict[str, set[str]] = {}
    for journey, timepoint in (session.execute(union_all(*held)) if held else ()):
        points.setdefault(journey, set()).add(timepoint)
    items = []
    for chunk in _chunks(sorted(points)):
        query = _current_journeys(actor, worker, Journey.first_meeting_date.is_not(None),
                                  Journey.id.in_(chunk))
        for episode, given, preferred, family, reference in session.execute(query):
            name = _display_name(given, preferred, family)
            schedule = schedules.get(episode.contract_id) or schedules[None]
            for timepoint in sorted(points[episode.id]):
                item = _measure_item(session, episode, name, reference, timepoint, as_of,
                                     sunday, schedule)
                if item is not None:
                    items.append((item, timepoint))
    return items


# How far a month's length can move a date ``add_months`` gives (31 Jan + 1 month = 28 Feb),
# with room to spare: the first-meeting ranges below may hold a little more, never less.
MONTH_SLACK = dt.timedelta(days=7)


def _first_meetings_in_window(schedules: dict[str | None, ReviewSchedule], as_of: dt.date,
                              sunday: dt.date) -> dict[str, tuple[dt.date, dt.date]]:
    """For each review point of any schedule ("review_3m"), the first meetings whose point's
    window can be open by Sunday and not closed today: due within (window) days of this week,
    for the widest window any schedule gives that point."""
    widest: dict[int, int] = {}
    for schedule in schedules.values():
        for months in schedule.months:
            if months > 0:  # the baseline's form is not a review meeting's
                widest[months] = max(widest.get(months, 0), schedule.window_days)
    ranges = {}
    for months, window in widest.items():
        earliest = as_of - dt.timedelta(days=window)
        latest = sunday + dt.timedelta(days=window)
        ranges[f"review_{months}m"] = (add_months(earliest, -months) - MONTH_SLACK,
                                       add_months(latest, -months) + MONTH_SLACK)
    return ranges


def _chunks(ids: list[str], size: int = 500) -> list[list[str]]:
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def _measure_item(session: Session, episode: Episode, name: str, reference: str,
                  timepoint: str, as_of: dt.date, sunday: dt.date,
                  schedule: ReviewSchedule | None = None) -> DueItem | None:
    """The follow-up form for ``timepoint``, if its window is open by Sunday and not closed."""
    schedule = schedule or review_schedule(session, episode)
    points = schedule.points(episode.first_meeting_date)
    point = next((p for p in points if p.timepoint == timepoint), None)
    if point is None or point.opens > sunday or as_of > point.closes:
        return None
    return DueItem("measure", episode.person_id, name, reference,
                   f"{point.label}: wellbeing measure not recorded", point.due,
                   overdue_days(point.due, as_of), point.closes, episode.id)


def _planned_contacts(actor: Actor, worker: str | None, sunday: dt.date):
    return _contact_query(actor, worker, Contact.status == "planned",
                          Contact.contact_date <= sunday)


def count_due(caseload: Caseload | Session, actor: Actor, worker_id: str | None,
              as_of: dt.date) -> tuple[int, int]:
    """(due this week, overdue) for the navigation badge: the items ``due_and_overdue`` would
    list, counted in the database (the main window asks for it at start-up)."""
    worker = _worker_to_show(actor, worker_id)
    _monday, sunday = week_of(as_of)
    with unit_of_work(caseload, write=False) as session:
        reviews = _current_journeys(
            actor, worker, Journey.first_meeting_date.is_not(None),
            Journey.next_review_due <= sunday,
        ).with_only_columns(Journey.next_review_due.label("due")).subquery()
        contacts = _planned_contacts(actor, worker, sunday).with_only_columns(
            Contact.contact_date.label("due")).subquery()
        total = overdue = 0
        for rows in (reviews, contacts):
            count, late = session.execute(  # late: journey_clock.is_overdue, in SQL
                select(func.count(), func.count().filter(rows.c.due < as_of)).select_from(rows)
            ).one()
            total, overdue = total + count, overdue + late
        for item, _point in _measures_due(session, actor, worker, as_of, sunday):
            total, overdue = total + 1, overdue + item.overdue
    return total - overdue, overdue
