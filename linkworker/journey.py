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
    """The badge for the episode: the newest follow-up against its own baseline.

    Only complete, scored forms of the same instrument are paired; the instrument with the
    most recent follow-up speaks for the episode. None until there is a pair.
    """
    from linkworker.wellbeing import classify_change

    rows = session.execute(
        select(Measure.instrument, Measure.value)
        .where(Measure.episode_id == episode.id, Measure.complete, Measure.value.is_not(None))
        .order_by(Measure.completed_on, Measure.created_at)
    ).all()
    first: dict[str, float] = {}
    newest: tuple[str, float] | None = None
    for instrument, value in rows:
        if instrument not in first:
            first[instrument] = value
        else:
            newest = (instrument, value)
    if newest is None:
        return None
    instrument, value = newest
    return str(classify_change(instrument, first[instrument], value))
