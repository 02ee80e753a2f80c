"""A link worker's day: Today (appointments and tasks) and Due and overdue.

Both lists are for one worker's caseload (a manager may pick any worker, or everyone). They are
built from a handful of set-based, indexed queries (contacts by date or by status and date,
the worker's current journeys by worker), never one query per person, so a worker's morning
does not wait on the size of the whole caseload.

"Due" follows the journey's own rules (``linkworker.journey``): a review point is done when a
complete measure for that timepoint, or an attended contact with purpose ``review_..``, is
recorded; the next review is the earliest point not done. A follow-up *measure* is also listed
on its own when the review meeting was held but the form was not recorded while its window is
still open, because a contract can only pay on a form recorded within the window.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased

from linkworker.access import Actor, PermissionDenied, can, people_scope
from linkworker.codes import CONTACT_MODE_LABELS, CONTACT_STATUS_LABELS
from linkworker.journey import ReviewPoint, contract_schedule, schedule
from linkworker.models import Contact, Episode, Goal, GoalStep, Measure, Person
from linkworker.storage.database import Caseload
from linkworker.validation import format_date
from linkworker.wellbeing.store import unit_of_work

# Journeys under their own name: ``people_scope`` is an EXISTS over *any* of the person's
# episodes and must stay correlated to the person alone.
Journey = aliased(Episode, name="journey")
FIRST_CONTACT_DAYS = 5  # a new referral should hear from us within five days


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of the week holding ``day`` (UK weeks start on Monday)."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def _overdue_days(due: dt.date, as_of: dt.date) -> int:
    return max(0, (as_of - due).days)


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


def _contacts_for(worker_id: str | None):  # noqa: ANN202 - a SQLAlchemy clause or None
    if worker_id is None:
        return None
    return or_(Contact.worker_id == worker_id,
               and_(Contact.worker_id.is_(None), Journey.worker_id == worker_id))


def _contact_query(actor: Actor, worker_id: str | None, *where):  # noqa: ANN001, ANN202
    query = (
        select(Contact, Person.id, Person.given_name, Person.preferred_name, Person.family_name,
               Person.reference)
        .join(Journey, Journey.id == Contact.episode_id)
        .join(Person, Person.id == Journey.person_id)
        .where(Person.deleted_at.is_(None), people_scope(actor), *where)
    )
    mine = _contacts_for(worker_id)
    return query if mine is None else query.where(mine)


def _appointment(row) -> Appointment:  # noqa: ANN001 - a result row
    contact, person_id, given, preferred, family, _ref = row
    return Appointment(
        contact_id=contact.id,
        person_id=person_id,
        person_name=_display_name(given, preferred, family),
        day=contact.contact_date,
        time=contact.start_time,
        mode_label=CONTACT_MODE_LABELS.get(contact.mode, contact.mode),
        venue=contact.venue or "",
        purpose=(contact.purpose or "").replace("_", " "),
        status=contact.status,
        status_label=CONTACT_STATUS_LABELS.get(contact.status, contact.status),
    )


def _by_time(appointments: list[Appointment]) -> tuple[Appointment, ...]:
    return tuple(sorted(appointments, key=lambda a: (a.day, a.time is None, a.time or dt.time(),
                                                     a.person_name)))


def _current_journeys(actor: Actor, worker_id: str | None, *where):  # noqa: ANN001, ANN202
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


def today_items(caseload: Caseload | Session, actor: Actor, worker_id: str | None,
                day: dt.date) -> TodayAgenda:
    """The worker's appointments on ``day``, the rest of the week's, and tasks due by ``day``."""
    worker = _worker_to_show(actor, worker_id)
    _monday, sunday = week_of(day)
    with unit_of_work(caseload, write=False) as session:
        on_day = [_appointment(r) for r in session.execute(
            _contact_query(actor, worker, Contact.contact_date == day))]
        later = [_appointment(r) for r in session.execute(_contact_query(
            actor, worker, Contact.status == "planned", Contact.contact_date > day,
            Contact.contact_date <= sunday))]
        tasks = _steps_due(session, actor, worker, day) + _new_referrals(session, actor, worker,
                                                                         day)
    tasks.sort(key=lambda t: (-t.overdue_days, t.due, t.person_name))
    return TodayAgenda(day, _by_time(on_day), _by_time(later), tuple(tasks))


def _steps_due(session: Session, actor: Actor, worker: str | None, day: dt.date) -> list[Task]:
    query = (
        select(GoalStep.description, GoalStep.due_date, Goal.own_words, Person.id,
               Person.given_name, Person.preferred_name, Person.family_name)
        .join(Goal, Goal.id == GoalStep.goal_id)
        .join(Journey, Journey.id == Goal.episode_id)
        .join(Person, Person.current_episode_id == Journey.id)
        .where(GoalStep.done_date.is_(None), GoalStep.due_date <= day, Goal.status == "open",
               Journey.exit_date.is_(None), Person.deleted_at.is_(None), people_scope(actor))
    )
    if worker is not None:
        query = query.where(Journey.worker_id == worker)
    return [
        Task("step", pid, _display_name(given, preferred, family), f"{step} (goal: {goal})", due,
             _overdue_days(due, day))
        for step, due, goal, pid, given, preferred, family in session.execute(query)
    ]


def _new_referrals(session: Session, actor: Actor, worker: str | None,
                   day: dt.date) -> list[Task]:
    rows = session.execute(_current_journeys(actor, worker, Journey.stage == "referred"))
    tasks = []
    for episode, given, preferred, family, _ref in rows:
        due = episode.referral_date + dt.timedelta(days=FIRST_CONTACT_DAYS)
        what = f"Make first contact (referred {format_date(episode.referral_date)})"
        tasks.append(Task("referral", episode.person_id, _display_name(given, preferred, family),
                          what, due, _overdue_days(due, day)))
    return tasks


# --- due and overdue ------------------------------------------------------------------------


def due_and_overdue(caseload: Caseload | Session, actor: Actor, worker_id: str | None,
                    as_of: dt.date) -> list[DueItem]:
    """Reviews, follow-up measures and planned contacts due by Sunday or overdue; most overdue
    first."""
    worker = _worker_to_show(actor, worker_id)
    _monday, sunday = week_of(as_of)
    with unit_of_work(caseload, write=False) as session:
        items = _review_items(session, actor, worker, as_of, sunday)
        items += [
            _contact_item(row, as_of)
            for row in session.execute(_contact_query(
                actor, worker, Contact.status == "planned", Contact.contact_date <= sunday))
        ]
    items.sort(key=lambda i: (-i.overdue_days, i.due, i.person_name, i.what))
    return items


def _contact_item(row, as_of: dt.date) -> DueItem:  # noqa: ANN001 - a result row
    appointment = _appointment(row)
    contact, reference = row[0], row[-1]
    when = f" at {appointment.time_text}" if appointment.time else ""
    what = f"{appointment.mode_label} contact{when}"
    if contact.contact_date < as_of:
        what += ": not yet recorded"
    return DueItem("contact", appointment.person_id, appointment.person_name, reference, what,
                   contact.contact_date, _overdue_days(contact.contact_date, as_of),
                   item_id=contact.id)


def _done_timepoints(session: Session, actor: Actor, worker: str | None,
                     ) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Per journey: timepoints with a complete measure, and review meetings held (two queries)."""
    journeys = _current_journeys(actor, worker).with_only_columns(Journey.id).subquery()
    measured: dict[str, set[str]] = defaultdict(set)
    for episode_id, timepoint in session.execute(
        select(Measure.episode_id, Measure.timepoint)
        .where(Measure.episode_id.in_(select(journeys.c.id)), Measure.complete)
    ):
        measured[episode_id].add(timepoint)
    reviewed: dict[str, set[str]] = defaultdict(set)
    for episode_id, purpose in session.execute(
        select(Contact.episode_id, Contact.purpose)
        .where(Contact.episode_id.in_(select(journeys.c.id)), Contact.status == "attended",
               Contact.purpose.like("review_%"))
    ):
        reviewed[episode_id].add(purpose)
    return measured, reviewed


def _review_items(session: Session, actor: Actor, worker: str | None, as_of: dt.date,
                  sunday: dt.date) -> list[DueItem]:
    measured, reviewed = _done_timepoints(session, actor, worker)
    rows = session.execute(
        _current_journeys(actor, worker, Journey.first_meeting_date.is_not(None))
    ).all()
    items: list[DueItem] = []
    for episode, given, preferred, family, reference in rows:
        name = _display_name(given, preferred, family)
        points = schedule(episode.first_meeting_date, *contract_schedule(session, episode))
        with_form = measured.get(episode.id, set())
        done = with_form | reviewed.get(episode.id, set())
        upcoming = next((p for p in points if p.timepoint not in done), None)
        for point in points:
            item = _point_item(point, upcoming, with_form, done, as_of, sunday)
            if item is not None:
                kind, what = item
                items.append(DueItem(kind, episode.person_id, name, reference, what, point.due,
                                     _overdue_days(point.due, as_of), point.closes, episode.id))
    return items


def _point_item(point: ReviewPoint, upcoming: ReviewPoint | None, with_form: set[str],
                done: set[str], as_of: dt.date, sunday: dt.date) -> tuple[str, str] | None:
    """What (if anything) is due for one point on the schedule."""
    if point is upcoming and point.due <= sunday:
        if point.months == 0:
            return "review", "Baseline wellbeing measure"
        return "review", f"{point.label} and wellbeing measure"
    held_without_form = point.timepoint in done and point.timepoint not in with_form
    if held_without_form and point.opens <= sunday and as_of <= point.closes:
        return "measure", f"{point.label}: wellbeing measure not recorded"
    return None


def count_due(caseload: Caseload | Session, actor: Actor, worker_id: str | None,
              as_of: dt.date) -> tuple[int, int]:
    """(due this week, overdue) for the navigation badge."""
    items = due_and_overdue(caseload, actor, worker_id, as_of)
    overdue = sum(1 for i in items if i.overdue)
    return len(items) - overdue, overdue

