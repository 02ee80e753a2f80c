"""The journey in the caseload: its stage, its summaries, and the operations that change it.

The rules (when reviews fall due, what is done, overdue, the stage) live in the pure
``linkworker.journey_clock``; this module builds a journey's clock from the database and keeps
the summary columns the caseload list relies on in line with it.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from linkworker import audit
from linkworker.access import require
from linkworker.codes import EXIT_REASONS
from linkworker.errors import NotFound, UserError
from linkworker.journey_clock import STAGES, JourneyClock, ReviewSchedule, TimelinePoint, stage_of
from linkworker.models import Contact, Contract, Episode, Measure, Person
from linkworker.person import episode_for
from linkworker.storage.database import unit_of_work
from linkworker.validation import format_date
from linkworker.wellbeing.pairing import episode_latest_change


def review_schedules(session: Session) -> dict[str | None, ReviewSchedule]:
    """Every contract's review schedule by contract id (None: no contract), in one query."""
    schedules: dict[str | None, ReviewSchedule] = {None: ReviewSchedule()}
    for contract_id, definition in session.execute(select(Contract.id, Contract.definition)):
        schedules[contract_id] = ReviewSchedule.from_contract(definition)
    return schedules


def review_schedule(session: Session, episode: Episode) -> ReviewSchedule:
    """The review schedule of the episode's contract, or the default one."""
    contract = session.get(Contract, episode.contract_id) if episode.contract_id else None
    return ReviewSchedule.from_contract(contract.definition if contract else None)


def done_points(session: Session, episode_id: str) -> dict[str, tuple[dt.date, str]]:
    """timepoint -> (first date it was done, what showed it): forms or attended reviews."""
    done: dict[str, tuple[dt.date, str]] = {}
    forms = session.execute(
        select(Measure.timepoint, Measure.completed_on, Measure.instrument)
        .where(Measure.episode_id == episode_id, Measure.complete)
        .order_by(Measure.completed_on)
    ).all()
    for timepoint, day, instrument in forms:
        done.setdefault(timepoint, (day, f"{instrument} form"))
    reviews = session.execute(
        select(Contact.purpose, Contact.contact_date)
        .where(Contact.episode_id == episode_id, Contact.status == "attended",
               Contact.purpose.like("review_%"))
        .order_by(Contact.contact_date)
    ).all()
    for purpose, day in reviews:
        if purpose not in done or day < done[purpose][0]:
            done[purpose] = (day, "review meeting")
    return done


def clock_for(session: Session, episode: Episode,
              schedule: ReviewSchedule | None = None) -> JourneyClock:
    """The episode's journey clock: its contract's schedule and the points done so far."""
    return JourneyClock(
        schedule or review_schedule(session, episode), episode.first_meeting_date,
        episode.exit_date, episode.first_contact_date,
        done_points(session, episode.id) if episode.first_meeting_date else {},
    )


def refresh_summaries(session: Session, episode: Episode) -> None:
    """Recompute the columns the caseload list sorts and filters on. Call after any change
    to an episode's dates, contacts or measures, inside the same transaction."""
    point = clock_for(session, episode).next_review()
    episode.next_review_due = point.due if point else None
    episode.latest_change = episode_latest_change(session, episode.id)
    person = session.get(Person, episode.person_id)
    if person is not None:
        latest = session.execute(
            select(Episode.id)
            .where(Episode.person_id == person.id)
            .order_by(Episode.number.desc())
            .limit(1)
        ).scalar_one_or_none()
        person.current_episode_id = latest or episode.id


# --- journey operations (the person's record) -------------------------------------------------


@dataclass(frozen=True)
class JourneyState:
    """What a journey operation hands back: plain values, never the live row."""

    id: str
    person_id: str
    number: int
    stage: str
    next_review_due: dt.date | None

    @classmethod
    def of(cls, episode: Episode) -> JourneyState:
        return cls(episode.id, episode.person_id, episode.number, episode.stage,
                   episode.next_review_due)


# Everything below changes a journey on the worker's behalf: each checks access, writes one
# audit line, and ends with ``refresh_stage`` (which calls ``refresh_summaries``), so the
# caseload list's columns are never stale after a change.


def _unit_of_work(operation):  # a decorator
    """Let an operation take a caseload (its own transaction) or the caller's session."""

    @functools.wraps(operation)
    def run(target, *args, **kwargs):
        with unit_of_work(target) as session:
            return operation(session, *args, **kwargs)

    return run


def refresh_stage(session: Session, episode: Episode, today: dt.date | None = None) -> str:
    """Refresh the summaries, then bring ``Episode.stage`` in line with them."""
    today = today or dt.date.today()
    session.flush()
    refresh_summaries(session, episode)
    stage = stage_of(exit_date=episode.exit_date, first_meeting=episode.first_meeting_date,
                     first_contact=episode.first_contact_date, next_due=episode.next_review_due,
                     window_days=review_schedule(session, episode).window_days, today=today)
    if episode.stage != stage:
        episode.stage = stage
    return stage


def _journey_episode(session: Session, actor, episode_id: str) -> Episode:
    return episode_for(session, actor, episode_id, "journey.edit")


def _check_day(day: dt.date, episode: Episode, today: dt.date, what: str) -> None:

    if day > today:
        raise UserError(f"The {what} date {format_date(day)} is in the future.")
    if day < episode.referral_date:
        raise UserError(
            f"The {what} date {format_date(day)} is before the referral "
            f"({format_date(episode.referral_date)})."
        )


@_unit_of_work
def record_first_meeting(
    session: Session, actor, episode_id: str, on: dt.date,
    today: dt.date | None = None,
) -> JourneyState:
    """Start the journey's clock: the schedule of reviews counts from this date."""
    today = today or dt.date.today()
    episode = _journey_episode(session, actor, episode_id)
    _check_day(on, episode, today, "first meeting")
    if episode.exit_date is not None:

        raise UserError("This journey has ended; re-refer the person to start a new one.")
    old = episode.first_meeting_date
    episode.first_meeting_date = on
    if episode.first_contact_date is None or episode.first_contact_date > on:
        episode.first_contact_date = on
    audit.record(session, actor, "change", entity="episode", entity_id=episode.id,
                 person_id=episode.person_id,
                 details={"field": "first_meeting_date",
                          "old": old.isoformat() if old else None, "new": on.isoformat()})
    refresh_stage(session, episode, today)
    return JourneyState.of(episode)


@_unit_of_work
def set_stage(
    session: Session, actor, episode_id: str, stage: str,
    today: dt.date | None = None,
) -> JourneyState:
    """Move a journey back to "referred" or on to "contacting" by hand.

    Later stages follow from facts (a first meeting, a review window, an exit), so they are
    reached by recording those facts, never by relabelling the journey.
    """
    today = today or dt.date.today()
    episode = _journey_episode(session, actor, episode_id)
    if stage not in STAGES:
        raise UserError(f"Unknown stage {stage!r}.")
    if stage in ("active", "review", "exited"):
        raise UserError(
            {"active": "Record the first meeting to make the journey active.",
             "review": "Reviews fall due from the schedule; record the review when it is held.",
             "exited": "Use Exit, with a reason, to end the journey."}[stage]
        )
    if episode.first_meeting_date is not None or episode.exit_date is not None:
        raise UserError("This journey has had its first meeting; its stage follows its dates.")
    old = episode.stage
    episode.first_contact_date = today if stage == "contacting" else None
    audit.record(session, actor, "change", entity="episode", entity_id=episode.id,
                 person_id=episode.person_id, details={"field": "stage", "old": old, "new": stage})
    refresh_stage(session, episode, today)
    return JourneyState.of(episode)


@_unit_of_work
def exit_episode(
    session: Session, actor, episode_id: str, reason: str, on: dt.date,
    today: dt.date | None = None,
) -> JourneyState:
    """End the journey with a reason from ``codes.EXIT_REASONS``.

    Appointments still planned after the exit date are marked cancelled, so they stop showing
    on Today.
    """
    today = today or dt.date.today()
    episode = _journey_episode(session, actor, episode_id)
    if reason not in EXIT_REASONS:
        raise UserError(f"Choose an exit reason from the list (not {reason!r}).")
    if episode.exit_date is not None:
        raise UserError(f"This journey already ended on {format_date(episode.exit_date)}.")
    _check_day(on, episode, today, "exit")
    episode.exit_date, episode.exit_reason = on, reason
    planned = session.execute(
        select(Contact).where(Contact.episode_id == episode.id, Contact.status == "planned",
                              Contact.contact_date >= on)
    ).scalars().all()
    for contact in planned:
        contact.status = "cancelled"
    audit.record(session, actor, "journey.exit", entity="episode", entity_id=episode.id,
                 person_id=episode.person_id,
                 details={"reason": reason, "on": on.isoformat(), "cancelled": len(planned)})
    refresh_stage(session, episode, today)
    return JourneyState.of(episode)


@_unit_of_work
def re_refer(
    session: Session, actor, person_id: str, *, referral_date: dt.date,
    source: str | None = None, reasons: tuple[str, ...] = (), referrer_name: str | None = None,
    referrer_organisation: str | None = None, worker_id: str | None = None,
    contract_id: str | None = None, eligibility: str | None = None,
    eligibility_notes: str | None = None, permission: str = "person.create",
) -> JourneyState:
    """Open a new journey under the same person; only once the previous one has ended.

    Anyone who may take referrals may re-refer someone known to the service (the new journey
    is assigned to a worker, which is what brings the person onto their caseload), so the
    person is looked up without the caseload scope.
    """
    require(actor, permission)
    person = session.get(Person, person_id)
    if person is None or person.deleted_at is not None:
        raise NotFound("That person is not in this caseload.")
    previous = session.execute(
        select(Episode).where(Episode.person_id == person.id).order_by(Episode.number.desc())
    ).scalars().first()
    if previous is not None and previous.exit_date is None:
        raise UserError(
            f"{person.reference} already has an open journey (referred "
            f"{format_date(previous.referral_date)}). Open their record instead."
        )
    if previous is not None and referral_date < previous.exit_date:
        raise UserError(
            f"The new referral date is before the last journey ended "
            f"({format_date(previous.exit_date)})."
        )
    episode = Episode(
        person_id=person.id, number=(previous.number + 1) if previous else 1,
        referral_date=referral_date, referral_source=source, referral_reasons=list(reasons),
        referrer_name=referrer_name, referrer_organisation=referrer_organisation,
        worker_id=worker_id, contract_id=contract_id, eligibility=eligibility,
        eligibility_notes=eligibility_notes, stage="referred",
    )
    session.add(episode)
    session.flush()
    audit.record(session, actor, "journey.start", entity="episode", entity_id=episode.id,
                 person_id=person.id, details={"number": episode.number, "source": source})
    refresh_stage(session, episode, referral_date)
    return JourneyState.of(episode)


def episode_timeline(session: Session, episode: Episode, today: dt.date) -> list[TimelinePoint]:
    """Each point of the contract's schedule: done, due (window open), overdue or upcoming."""
    return clock_for(session, episode).timeline(today)


def timeline(target, actor, episode_id: str, today: dt.date | None = None):
    """The journey's review timeline for the record screen (``list[TimelinePoint]``)."""
    with unit_of_work(target, write=False) as session:
        episode = episode_for(session, actor, episode_id)
        return episode_timeline(session, episode, today or dt.date.today())


SWEEP_BATCH = 500  # journeys changed per query: well inside SQLite's limit on parameters


def sweep_stages(session: Session, today: dt.date | None = None) -> int:
    """Move journeys whose review window has opened to "review"; returns how many moved.

    Stages change with the calendar, not only with edits; run this once a day (at start-up) so
    the caseload list's stage filter is right for everyone, not just records opened today. It
    reads only the summary columns as plain rows (no per-journey queries, no records made for
    the journeys that stay put), so it stays quick at 150,000; the few that move are changed
    as records, so sync and ``updated_at`` see them as any edit.
    """
    today = today or dt.date.today()
    return move_stages(session, stages_moving(session, today), today)


def stages_moving(session: Session, today: dt.date,
                  pause: Callable[[], None] = lambda: None) -> dict[str, str]:
    """The sweep's reading half (journey id -> its stage today, for those whose stage moves):
    plain columns only, and it may run outside the write transaction, calling ``pause`` every
    ``SWEEP_BATCH`` journeys (the app's start-up lets the user's searches go first)."""
    schedules = review_schedules(session)
    rows = session.execute(
        select(Episode.id, Episode.contract_id, Episode.first_meeting_date,
               Episode.first_contact_date, Episode.next_review_due, Episode.stage).where(
            Episode.exit_date.is_(None), Episode.first_meeting_date.is_not(None),
            Episode.stage.in_(("active", "review")),
        )
    )
    moving: dict[str, str] = {}
    for number, (episode_id, contract_id, first_meeting, first_contact, next_due,
                 current) in enumerate(rows):
        if number % SWEEP_BATCH == 0:
            pause()
        window = schedules.get(contract_id, schedules[None]).window_days
        stage = stage_of(exit_date=None, first_meeting=first_meeting,
                         first_contact=first_contact, next_due=next_due, window_days=window,
                         today=today)
        if stage != current:
            moving[episode_id] = stage
    return moving


def move_stages(session: Session, moving: dict[str, str], today: dt.date) -> int:
    """The sweep's writing half: each journey in ``moving`` is read again as a record (inside
    the write transaction) and moved only if it still moves, to the stage its fields give now
    (an edit made since ``stages_moving`` read it wins)."""
    schedules = review_schedules(session) if moving else {}
    ids, moved = list(moving), 0
    for start in range(0, len(ids), SWEEP_BATCH):
        batch = ids[start:start + SWEEP_BATCH]
        for episode in session.execute(select(Episode).where(Episode.id.in_(batch))).scalars():
            if episode.exit_date is not None or episode.first_meeting_date is None \
                    or episode.stage not in ("active", "review"):
                continue
            stage = stage_of(
                exit_date=None, first_meeting=episode.first_meeting_date,
                first_contact=episode.first_contact_date, next_due=episode.next_review_due,
                window_days=schedules.get(episode.contract_id, schedules[None]).window_days,
                today=today)
            if stage != episode.stage:
                episode.stage = stage
                moved += 1
    return moved
