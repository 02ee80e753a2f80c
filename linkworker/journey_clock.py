"""The journey clock: when reviews fall due, which are done, what is overdue, what stage.

Pure (no database): built from the contract's review schedule, the journey's dates and the
review points already done. Every place that asks "what is due?" asks this clock: the summary
columns (``journey.refresh_summaries``), the stage (``journey.refresh_stage`` and the start-up
``journey.sweep_stages``), Today and Due (``today.py``), the record's review timeline and the
demo generator. One definition of each word:

- a review point is **done** when a complete form for its timepoint or an attended review
  meeting (contact purpose ``review_..``) is recorded;
- the **next review** is the earliest point on the schedule not done;
- a point is **overdue** the day after its due date (``is_overdue``), whether or not its
  window has closed; the window only says until when a form still counts for the contract;
- a journey is in **review** while its next review (not the baseline) has its window open or
  is overdue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from linkworker.codes import STAGE_LABELS
from linkworker.dates import add_months

DEFAULT_REVIEW_MONTHS = (0, 3, 6, 12, 18)
DEFAULT_WINDOW_DAYS = 28  # a review counts if held within four weeks either side
STAGES = tuple(STAGE_LABELS)  # referred, contacting, active, review, exited: in this order


def is_overdue(due: dt.date, today: dt.date) -> bool:
    """The one meaning of "overdue": the due date has passed."""
    return today > due


def overdue_days(due: dt.date, today: dt.date) -> int:
    return max(0, (today - due).days)


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


@dataclass(frozen=True)
class ReviewSchedule:
    """A contract's review months and window (the defaults when there is no contract)."""

    months: tuple[int, ...] = DEFAULT_REVIEW_MONTHS
    window_days: int = DEFAULT_WINDOW_DAYS

    @classmethod
    def from_contract(cls, definition: Mapping[str, Any] | None) -> ReviewSchedule:
        """The ``review_schedule`` section of a contract document.

        Stored contracts were checked by ``outcomes.contract.parse_contract`` when saved, so
        this only fills in what the section leaves out, with the same defaults.
        """
        section = (definition or {}).get("review_schedule") or {}
        months = section.get("months")
        window = section.get("window_days")
        return cls(
            tuple(int(m) for m in months) if months is not None else DEFAULT_REVIEW_MONTHS,
            int(window) if window is not None else DEFAULT_WINDOW_DAYS,
        )

    def points(self, first_meeting: dt.date) -> list[ReviewPoint]:
        return [ReviewPoint(m, add_months(first_meeting, m), self.window_days)
                for m in self.months]

    def timepoints(self) -> tuple[str, ...]:
        return tuple("baseline" if m == 0 else f"review_{m}m" for m in self.months)


def in_review(next_due: dt.date | None, first_meeting: dt.date | None, window_days: int,
              today: dt.date) -> bool:
    """Whether the journey is in its review stage, from its summary columns alone.

    The baseline (due on the first meeting itself) never puts a journey in review.
    """
    return (
        next_due is not None and first_meeting is not None and next_due != first_meeting
        and today >= next_due - dt.timedelta(days=window_days)
    )


def stage_of(*, exit_date: dt.date | None, first_meeting: dt.date | None,
             first_contact: dt.date | None, next_due: dt.date | None, window_days: int,
             today: dt.date) -> str:
    """referred -> contacting at the first attempt -> active at the first meeting -> review
    while a review's window is open (or it is overdue) -> back to active once it is done ->
    exited."""
    if exit_date is not None:
        return "exited"
    if first_meeting is None:
        return "contacting" if first_contact is not None else "referred"
    return "review" if in_review(next_due, first_meeting, window_days, today) else "active"


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


@dataclass(frozen=True)
class JourneyClock:
    """One journey's schedule and what is done on it."""

    schedule: ReviewSchedule
    first_meeting: dt.date | None
    exit_date: dt.date | None = None
    first_contact: dt.date | None = None
    done: Mapping[str, tuple[dt.date, str]] = field(default_factory=dict)
    """timepoint -> (first day it was done, what showed it)"""

    def points(self) -> list[ReviewPoint]:
        return [] if self.first_meeting is None else self.schedule.points(self.first_meeting)

    def next_review(self) -> ReviewPoint | None:
        """The earliest point not yet done; None before the first meeting or after exit."""
        if self.exit_date is not None:
            return None
        return next((p for p in self.points() if p.timepoint not in self.done), None)

    def point_due_on(self, due: dt.date | None) -> ReviewPoint | None:
        return next((p for p in self.points() if p.due == due), None)

    def point_for(self, timepoint: str) -> ReviewPoint | None:
        return next((p for p in self.points() if p.timepoint == timepoint), None)

    def stage(self, today: dt.date) -> str:
        point = self.next_review()
        return stage_of(exit_date=self.exit_date, first_meeting=self.first_meeting,
                        first_contact=self.first_contact,
                        next_due=point.due if point else None,
                        window_days=self.schedule.window_days, today=today)

    def timeline(self, today: dt.date) -> list[TimelinePoint]:
        """Each point of the schedule: done, due (window open), overdue or upcoming."""
        points = []
        for point in self.points():
            if point.timepoint in self.done:
                day, evidence = self.done[point.timepoint]
                points.append(TimelinePoint(point, "done", day, evidence))
            elif self.exit_date is not None and point.opens > self.exit_date:
                continue  # the journey ended before this review could fall due
            elif is_overdue(point.due, today):
                points.append(TimelinePoint(point, "overdue"))
            elif today >= point.opens:
                points.append(TimelinePoint(point, "due"))
            else:
                points.append(TimelinePoint(point, "upcoming"))
        return points
