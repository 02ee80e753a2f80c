"""The journey: stages, the review schedule, and the summaries the caseload list relies on.

A journey's clock starts at the first meeting (not the referral): reviews fall due at the
contract's schedule (default baseline, 3, 6, 12 and 18 months), each with a window either side.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from linkworker.models import Contact, Episode, Measure, Person

DEFAULT_SCHEDULE_MONTHS = (0, 3, 6, 12, 18)
DEFAULT_WINDOW_DAYS = 28  # a review counts if held within four weeks either side


@dataclass(frozen=True)
class ReviewPoint:
    """One point on the schedule: e.g. the 3-month review, due 12/05/2026 +/- 28 days."""

    months: int
    due: dt.date
    window_days: int

    @property
    def label(self) -> str:
        return "Baseline" if self.months == 0 else f"{self.months}-month review"

    @property
    def timepoint(self) -> str:
        """The code stored on a measure taken for this point."""
        return "baseline" if self.months == 0 else f"review_{self.months}m"

    @property
    def opens(self) -> dt.date:
        return self.due - dt.timedelta(days=self.window_days)

    @property
    def closes(self) -> dt.date:
        return self.due + dt.timedelta(days=self.window_days)


def add_months(start: dt.date, months: int) -> dt.date:
    """Calendar months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    for day in (start.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(start.day, day))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def schedule(
    first_meeting: dt.date,
    months: tuple[int, ...] = DEFAULT_SCHEDULE_MONTHS,
    window_days: int = DEFAULT_WINDOW_DAYS,
) -> list[ReviewPoint]:
    return [ReviewPoint(m, add_months(first_meeting, m), window_days) for m in months]


def journey_month(first_meeting: dt.date | None, today: dt.date) -> int | None:
    """Whole months since the first meeting (month 1 is the first month)."""
    if first_meeting is None or today < first_meeting:
        return None
    months = (today.year - first_meeting.year) * 12 + today.month - first_meeting.month
    if today.day < first_meeting.day:
        months -= 1
    return months + 1


def contract_schedule(session: Session, episode: Episode) -> tuple[tuple[int, ...], int]:
    """The review months and window of the episode's contract, or the defaults."""
    if episode.contract_id:
        from linkworker.models import Contract

        contract = session.get(Contract, episode.contract_id)
        sched = (contract.definition or {}).get("review_schedule") if contract else None
        if sched:
            months = tuple(int(m) for m in sched.get("months", DEFAULT_SCHEDULE_MONTHS))
            return months, int(sched.get("window_days", DEFAULT_WINDOW_DAYS))
    return DEFAULT_SCHEDULE_MONTHS, DEFAULT_WINDOW_DAYS


def _completed_timepoints(session: Session, episode: Episode) -> set[str]:
    measured = session.execute(
        select(Measure.timepoint).where(Measure.episode_id == episode.id, Measure.complete)
    ).scalars()
    reviewed = session.execute(
        select(Contact.purpose).where(
            Contact.episode_id == episode.id,
            Contact.status == "attended",
            Contact.purpose.like("review_%"),
        )
    ).scalars()
    return set(measured) | set(reviewed)


def next_review(session: Session, episode: Episode) -> ReviewPoint | None:
    """The earliest point on the schedule not yet done; None before first meeting or after exit."""
    if episode.first_meeting_date is None or episode.exit_date is not None:
        return None
    months, window = contract_schedule(session, episode)
    done = _completed_timepoints(session, episode)
    for point in schedule(episode.first_meeting_date, months, window):
        if point.timepoint not in done:
            return point
    return None


def refresh_summaries(session: Session, episode: Episode) -> None:
    """Recompute the columns the caseload list sorts and filters on. Call after any change
    to an episode's dates, contacts or measures, inside the same transaction."""
    point = next_review(session, episode)
    episode.next_review_due = point.due if point else None
    episode.latest_change = latest_change(session, episode)
    person = session.get(Person, episode.person_id)
    if person is not None:
        latest = session.execute(
            select(Episode.id)
            .where(Episode.person_id == person.id)
            .order_by(Episode.number.desc())
            .limit(1)
        ).scalar_one_or_none()
        person.current_episode_id = latest or episode.id


def latest_change(session: Session, episode: Episode) -> str | None:
    """The wellbeing badge for the episode, by the wellbeing module's pairing rule."""
    from linkworker.wellbeing.measures import episode_latest_change

    return episode_latest_change(session, episode.id)


# --- journey operations (the person's record) -------------------------------------------------
# Everything below changes a journey on the worker's behalf: each checks access, writes one
# audit line, and ends with ``refresh_stage`` (which calls ``refresh_summaries``), so the
# caseload list's columns are never stale after a change.

STAGE_ORDER = ("referred", "contacting", "active", "review", "exited")


def _unit_of_work(operation):  # a decorator
    """Let an operation take a caseload (its own transaction) or the caller's session."""
    import functools

    @functools.wraps(operation)
    def run(target, *args, **kwargs):
        from linkworker.storage.database import unit_of_work

        with unit_of_work(target) as session:
            return operation(session, *args, **kwargs)

    return run


def derived_stage(episode: Episode, point: ReviewPoint | None, today: dt.date) -> str:
    """The stage a journey is in, from its dates and the next review on its schedule.

    referred -> contacting at the first attempt -> active at the first meeting -> review while
    a review's window is open (or it is overdue) -> back to active once it is done -> exited.
    """
    if episode.exit_date is not None:
        return "exited"
    if episode.first_meeting_date is None:
        return "contacting" if episode.first_contact_date is not None else "referred"
    if point is not None and point.months > 0 and today >= point.opens:
        return "review"
    return "active"


def refresh_stage(session: Session, episode: Episode, today: dt.date | None = None) -> str:
    """Refresh the summaries, then bring ``Episode.stage`` in line with them."""
    today = today or dt.date.today()
    session.flush()
    refresh_summaries(session, episode)
    stage = derived_stage(episode, next_review(session, episode), today)
    if episode.stage != stage:
        episode.stage = stage
    return stage


def _journey_episode(session: Session, actor, episode_id: str) -> Episode:
    from linkworker.person import episode_for

    return episode_for(session, actor, episode_id, "journey.edit")


def _check_day(day: dt.date, episode: Episode, today: dt.date, what: str) -> None:
    from linkworker.errors import UserError
    from linkworker.validation import format_date

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
) -> Episode:
    """Start the journey's clock: the schedule of reviews counts from this date."""
    from linkworker import audit

    today = today or dt.date.today()
    episode = _journey_episode(session, actor, episode_id)
    _check_day(on, episode, today, "first meeting")
    if episode.exit_date is not None:
        from linkworker.errors import UserError

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
    return episode


@_unit_of_work
def set_stage(
    session: Session, actor, episode_id: str, stage: str,
    today: dt.date | None = None,
) -> Episode:
    """Move a journey back to "referred" or on to "contacting" by hand.

    Later stages follow from facts (a first meeting, a review window, an exit), so they are
    reached by recording those facts, never by relabelling the journey.
    """
    from linkworker import audit
    from linkworker.errors import UserError

    today = today or dt.date.today()
    episode = _journey_episode(session, actor, episode_id)
    if stage not in STAGE_ORDER:
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
    return episode


@_unit_of_work
def exit_episode(
    session: Session, actor, episode_id: str, reason: str, on: dt.date,
    today: dt.date | None = None,
) -> Episode:
    """End the journey with a reason from ``codes.EXIT_REASONS``.

    Appointments still planned after the exit date are marked cancelled, so they stop showing
    on Today.
    """
    from linkworker import audit
    from linkworker.codes import EXIT_REASONS
    from linkworker.errors import UserError
    from linkworker.validation import format_date

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
    return episode


@_unit_of_work
def re_refer(
    session: Session, actor, person_id: str, *, referral_date: dt.date,
    source: str | None = None, reasons: tuple[str, ...] = (), referrer_name: str | None = None,
    referrer_organisation: str | None = None, worker_id: str | None = None,
    contract_id: str | None = None, eligibility: str | None = None,
    eligibility_notes: str | None = None, permission: str = "person.create",
) -> Episode:
    """Open a new journey under the same person; only once the previous one has ended.

    Anyone who may take referrals may re-refer someone known to the service (the new journey
    is assigned to a worker, which is what brings the person onto their caseload), so the
    person is looked up without the caseload scope.
    """
    from linkworker import audit
    from linkworker.access import require
    from linkworker.errors import NotFound, UserError
    from linkworker.validation import format_date

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
    return episode


@dataclass(frozen=True)
class TimelinePoint:
    """A review on the journey's schedule and where it stands today."""

    point: ReviewPoint
    state: str  # done, due, overdue, upcoming
    done_on: dt.date | None = None
    evidence: str = ""

    @property
    def label(self) -> str:
        return self.point.label

    @property
    def state_label(self) -> str:
        return {"done": "Done", "due": "Due now", "overdue": "Overdue",
                "upcoming": "Upcoming"}[self.state]


def _done_points(session: Session, episode: Episode) -> dict[str, tuple[dt.date, str]]:
    """timepoint -> (first date it was done, what showed it): forms or attended reviews."""
    done: dict[str, tuple[dt.date, str]] = {}
    forms = session.execute(
        select(Measure.timepoint, Measure.completed_on, Measure.instrument)
        .where(Measure.episode_id == episode.id, Measure.complete)
        .order_by(Measure.completed_on)
    ).all()
    for timepoint, day, instrument in forms:
        done.setdefault(timepoint, (day, f"{instrument} form"))
    reviews = session.execute(
        select(Contact.purpose, Contact.contact_date)
        .where(Contact.episode_id == episode.id, Contact.status == "attended",
               Contact.purpose.like("review_%"))
        .order_by(Contact.contact_date)
    ).all()
    for purpose, day in reviews:
        if purpose not in done or day < done[purpose][0]:
            done[purpose] = (day, "review meeting")
    return done


def episode_timeline(session: Session, episode: Episode, today: dt.date) -> list[TimelinePoint]:
    """Each point of the contract's schedule: done, due (window open), overdue or upcoming."""
    if episode.first_meeting_date is None:
        return []
    months, window = contract_schedule(session, episode)
    done = _done_points(session, episode)
    points = []
    for point in schedule(episode.first_meeting_date, months, window):
        if point.timepoint in done:
            day, evidence = done[point.timepoint]
            points.append(TimelinePoint(point, "done", day, evidence))
        elif episode.exit_date is not None and point.opens > episode.exit_date:
            continue  # the journey ended before this review could fall due
        elif today > point.closes:
            points.append(TimelinePoint(point, "overdue"))
        elif today >= point.opens:
            points.append(TimelinePoint(point, "due"))
        else:
            points.append(TimelinePoint(point, "upcoming"))
    return points


def timeline(target, actor, episode_id: str, today: dt.date | None = None):
    """The journey's review timeline for the record screen (``list[TimelinePoint]``)."""
    from linkworker.person import episode_for
    from linkworker.storage.database import unit_of_work

    with unit_of_work(target, write=False) as session:
        episode = episode_for(session, actor, episode_id)
        return episode_timeline(session, episode, today or dt.date.today())


def sweep_stages(session: Session, today: dt.date | None = None) -> int:
    """Move journeys whose review window has opened to "review"; returns how many moved.

    Stages change with the calendar, not only with edits; run this once a day (at start-up) so
    the caseload list's stage filter is right for everyone, not just records opened today. It
    reads only the summary columns (no per-journey queries), so it stays quick at 50,000.
    """
    from linkworker.models import Contract

    today = today or dt.date.today()
    windows: dict[str | None, int] = {None: DEFAULT_WINDOW_DAYS}
    for contract_id, definition in session.execute(select(Contract.id, Contract.definition)):
        sched = (definition or {}).get("review_schedule") or {}
        windows[contract_id] = int(sched.get("window_days", DEFAULT_WINDOW_DAYS))
    rows = session.execute(
        select(Episode).where(
            Episode.exit_date.is_(None), Episode.first_meeting_date.is_not(None),
            Episode.stage.in_(("active", "review")),
        )
    ).scalars()
    moved = 0
    for episode in rows:
        due = episode.next_review_due
        window = windows.get(episode.contract_id, DEFAULT_WINDOW_DAYS)
        in_review = (
            due is not None and due != episode.first_meeting_date
            and today >= due - dt.timedelta(days=window)
        )
        stage = "review" if in_review else "active"
        if stage != episode.stage:
            episode.stage = stage
            moved += 1
    return moved
