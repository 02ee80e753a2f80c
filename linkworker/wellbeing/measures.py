"""Recording wellbeing forms in the caseload, and reading a person's measures back.

A form is scored once, when it is saved, by ``scoring.score``; the stored ``raw``/``value``/
``complete`` are what every report uses afterwards, so a report can never re-derive a score
differently. Every answer is kept (``None`` for a blank), so an incomplete form stays visible
as incomplete and can be checked against the paper later.

Change is measured between a baseline and a follow-up paired by ``wellbeing.pairing``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from linkworker import audit
from linkworker.access import Actor, require, require_person
from linkworker.errors import NotFound, UserError
from linkworker.journey import clock_for, refresh_stage
from linkworker.models import Episode, Measure, MeasureAnswer, Person, User
from linkworker.storage.database import Caseload, unit_of_work
from linkworker.validation import format_date
from linkworker.wellbeing.instruments import Instrument, ReferenceLine
from linkworker.wellbeing.pairing import ChangeSummary, baseline_and_follow_up, latest_pair_change
from linkworker.wellbeing.scoring import score
from linkworker.wellbeing.store import all_instruments, change_thresholds, instrument_for

MODES = {
    "with_worker": "With the worker",
    "self_completed": "Self-completed",
    "paper": "Paper, keyed in later",
}
TIMEPOINT_PATTERN = re.compile(r"^(baseline|exit|other|review_\d{1,3}m)$")


def timepoint_label(timepoint: str) -> str:
    """ "review_3m" -> "3-month review" (the wording used in the journey's schedule)."""
    if timepoint.startswith("review_") and timepoint.endswith("m"):
        return f"{timepoint[7:-1]}-month review"
    return {"baseline": "Baseline", "exit": "Exit", "other": "Other"}.get(timepoint, timepoint)


@dataclass(frozen=True)
class MeasureRecord:
    """A saved form, as the UI and reports see it."""

    id: str
    person_id: str
    episode_id: str | None
    episode_number: int | None
    instrument: str
    timepoint: str
    completed_on: dt.date
    mode: str
    recorded_by: str | None
    raw: int | None
    value: float | None
    complete: bool
    answers: tuple[int | None, ...]

    @property
    def timepoint_label(self) -> str:
        return timepoint_label(self.timepoint)

    @property
    def mode_label(self) -> str:
        return MODES.get(self.mode, self.mode)

    @property
    def answered(self) -> int:
        return sum(a is not None for a in self.answers)


# --- recording ------------------------------------------------------------------------------


def _check_episode(session: Session, person: Person, episode_id: str | None) -> Episode | None:
    if episode_id is None:
        return None
    episode = session.get(Episode, episode_id)
    if episode is None or episode.person_id != person.id:
        raise NotFound("That journey (episode) does not belong to this person.")
    return episode


def _check_form_details(
    person: Person, completed_on: dt.date, mode: str, timepoint: str, today: dt.date
) -> None:
    if not isinstance(completed_on, dt.date) or isinstance(completed_on, dt.datetime):
        raise UserError("The date the form was completed is missing or not a date.")
    if completed_on > today:
        raise UserError(f"The form's date {format_date(completed_on)} is in the future.")
    if person.date_of_birth and completed_on < person.date_of_birth:
        raise UserError(f"The form's date {format_date(completed_on)} is before their birth.")
    if mode not in MODES:
        raise UserError(f"Unknown way of completing the form {mode!r}: use {', '.join(MODES)}.")
    if not TIMEPOINT_PATTERN.match(timepoint):
        raise UserError(
            f"Unknown timepoint {timepoint!r}: use baseline, review_3m (any months), exit or other."
        )


def _refuse_duplicate(
    session: Session, episode: Episode | None, person: Person, code: str, timepoint: str
) -> None:
    """One complete form per instrument and timepoint in a journey: a second would be ambiguous
    evidence (which baseline did the contract pay on?). "other" may repeat."""
    if timepoint == "other":
        return
    existing = session.execute(
        select(Measure.completed_on).where(
            Measure.person_id == person.id,
            Measure.episode_id == (episode.id if episode else None),
            Measure.instrument == code,
            Measure.timepoint == timepoint,
            Measure.complete,
        )
    ).scalar_one_or_none()
    if existing is not None:
        raise UserError(
            f"This journey already has a complete {code} for {timepoint_label(timepoint)} "
            f"(dated {format_date(existing)}). Record this one as 'other', or correct that form."
        )


def record_measure(
    target: Caseload | Session,
    actor: Actor,
    person_id: str,
    episode_id: str | None,
    instrument: str | Instrument,
    timepoint: str,
    completed_on: dt.date,
    mode: str,
    answers: Sequence[int | None],
    allow_incomplete: bool = False,
    *,
    recorded_by_id: str | None = None,
    external_ref: str | None = None,
    today: dt.date | None = None,
) -> str:
    """Score and save one form; returns the new measure's id.

    An incomplete form is refused unless ``allow_incomplete`` says the worker chose to keep it
    as incomplete. Audited, and the episode's summaries (next review, latest change) and stage
    refreshed, in the same transaction.
    """
    require(actor, "measure.record")
    with unit_of_work(target) as session:
        # "attend": a coordinator's quick forms are for people at their venue or given to them.
        person = require_person(session, actor, person_id, "attend")
        episode = _check_episode(session, person, episode_id)
        inst = instrument_for(session, instrument)
        _check_form_details(person, completed_on, mode, timepoint, today or dt.date.today())
        result = score(inst, answers)
        if not result.complete and not allow_incomplete:
            missing = ", ".join(str(n) for n in result.missing_items)
            raise UserError(
                f"The {inst.code} form has {len(result.missing_items)} unanswered item(s) "
                f"({missing}). Answer them, or save it deliberately as incomplete."
            )
        if result.complete:
            _refuse_duplicate(session, episode, person, inst.code, timepoint)
        measure = Measure(
            person_id=person.id,
            episode_id=episode.id if episode else None,
            instrument=inst.code,
            timepoint=timepoint,
            completed_on=completed_on,
            mode=mode,
            recorded_by_id=recorded_by_id or actor.user_id,
            raw=result.raw,
            value=result.value,
            complete=result.complete,
            external_ref=external_ref,
        )
        measure.answers = [
            MeasureAnswer(item=n, answer=a) for n, a in enumerate(result.answers, start=1)
        ]
        session.add(measure)
        session.flush()
        audit.record(
            session, actor, "measure.record", entity="measure", entity_id=measure.id,
            person_id=person.id,
            details={"instrument": inst.code, "timepoint": timepoint, "complete": result.complete},
        )
        if episode is not None:  # the form may complete a review: the stage moves on too
            refresh_stage(session, episode, today)
        return measure.id


# --- reading --------------------------------------------------------------------------------


def _records(session: Session, rows: Sequence[Measure]) -> list[MeasureRecord]:
    if not rows:
        return []
    ids = [m.id for m in rows]
    answers: dict[str, dict[int, int | None]] = {}
    for mid, item, answer in session.execute(
        select(MeasureAnswer.measure_id, MeasureAnswer.item, MeasureAnswer.answer).where(
            MeasureAnswer.measure_id.in_(ids)
        )
    ):
        answers.setdefault(mid, {})[item] = answer
    episodes = dict(
        session.execute(
            select(Episode.id, Episode.number).where(
                Episode.id.in_({m.episode_id for m in rows if m.episode_id})
            )
        ).all()
    )
    users = dict(
        session.execute(
            select(User.id, User.display_name).where(
                User.id.in_({m.recorded_by_id for m in rows if m.recorded_by_id})
            )
        ).all()
    )
    out = []
    for m in rows:
        given = answers.get(m.id, {})
        count = max(given, default=0)
        out.append(
            MeasureRecord(
                id=m.id, person_id=m.person_id, episode_id=m.episode_id,
                episode_number=episodes.get(m.episode_id), instrument=m.instrument,
                timepoint=m.timepoint, completed_on=m.completed_on, mode=m.mode,
                recorded_by=users.get(m.recorded_by_id), raw=m.raw, value=m.value,
                complete=m.complete,
                answers=tuple(given.get(n) for n in range(1, count + 1)),
            )
        )
    return out


def person_measures(
    target: Caseload | Session, actor: Actor, person_id: str, instrument: str | None = None
) -> tuple[MeasureRecord, ...]:
    """A person's forms, oldest first (optionally one instrument's only)."""
    with unit_of_work(target, write=False) as session:
        require_person(session, actor, person_id)
        query = select(Measure).where(Measure.person_id == person_id)
        if instrument is not None:
            query = query.where(Measure.instrument == instrument.upper())
        rows = session.execute(
            query.order_by(Measure.completed_on, Measure.created_at)
        ).scalars().all()
        return tuple(_records(session, rows))


def get_measure(target: Caseload | Session, actor: Actor, measure_id: str) -> MeasureRecord:
    with unit_of_work(target, write=False) as session:
        measure = session.get(Measure, measure_id)
        if measure is None:
            raise NotFound("That form is not in this caseload.")
        require_person(session, actor, measure.person_id)
        return _records(session, [measure])[0]


def latest_changes(
    target: Caseload | Session, actor: Actor, person_id: str
) -> Mapping[str, ChangeSummary]:
    """Per instrument with a total score, the person's latest change (for the record's badge)."""
    with unit_of_work(target, write=False) as session:
        forms = person_measures(session, actor, person_id)
        out: dict[str, ChangeSummary] = {}
        for code in dict.fromkeys(f.instrument for f in forms):
            inst = instrument_for(session, code)
            if not inst.reports_total:
                continue
            scored = [f for f in forms
                      if f.instrument == code and f.complete and f.value is not None]
            found = latest_pair_change(inst, scored, *change_thresholds(session, inst))
            if found is not None:
                out[code] = found
        return out


# --- the timeline ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelinePoint:
    measure_id: str
    completed_on: dt.date
    value: float | None  # None for an incomplete form (drawn as a marker, not a score)
    timepoint: str
    episode_number: int | None
    complete: bool


@dataclass(frozen=True)
class Series:
    """One line on the chart: the reported score, or one item for item-reported instruments."""

    label: str
    points: tuple[TimelinePoint, ...]
    higher_is_better: bool = True


@dataclass(frozen=True)
class Timeline:
    """Everything the per-person chart draws for one instrument."""

    instrument: str
    name: str
    score_name: str
    value_range: tuple[float, float]
    decimals: int
    series: tuple[Series, ...]
    baseline: TimelinePoint | None
    threshold: float
    reliable_threshold: float | None
    reference_lines: tuple[ReferenceLine, ...]
    latest_change: ChangeSummary | None

    @property
    def is_empty(self) -> bool:
        return not any(s.points for s in self.series)


def _series(inst: Instrument, forms: Sequence[MeasureRecord]) -> tuple[Series, ...]:
    def point(f: MeasureRecord, value: float | None, complete: bool) -> TimelinePoint:
        return TimelinePoint(f.id, f.completed_on, value, f.timepoint, f.episode_number, complete)

    if inst.reports_total:
        pts = tuple(point(f, f.value, f.complete) for f in forms)
        return (Series(inst.score_name, pts, inst.higher_is_better),)
    series = []
    for it in inst.items:
        pts = []
        for f in forms:
            answer = f.answers[it.number - 1] if len(f.answers) >= it.number else None
            pts.append(point(f, None if answer is None else float(answer), answer is not None))
        series.append(Series(it.label, tuple(pts), it.higher_is_better))
    return tuple(series)


def timeline(
    target: Caseload | Session, actor: Actor, person_id: str, instrument: str
) -> Timeline:
    """A person's scores on one instrument over their journeys, with the current baseline."""
    with unit_of_work(target, write=False) as session:
        inst = instrument_for(session, instrument)
        forms = person_measures(session, actor, person_id, inst.code)
        threshold, reliable = change_thresholds(session, inst)
        scored = [f for f in forms if f.complete and f.value is not None]
        change = (latest_pair_change(inst, scored, threshold, reliable) if inst.reports_total
                  else None)
        baseline = None
        if inst.reports_total and forms:
            newest_episode = forms[-1].episode_id
            base, _ = baseline_and_follow_up([f for f in scored if f.episode_id == newest_episode])
            if base is not None:
                baseline = TimelinePoint(base.id, base.completed_on, base.value, base.timepoint,
                                         base.episode_number, True)
        return Timeline(
            instrument=inst.code, name=inst.name, score_name=inst.score_name,
            value_range=inst.value_range, decimals=inst.score_decimals,
            series=_series(inst, forms), baseline=baseline, threshold=threshold,
            reliable_threshold=reliable, reference_lines=inst.reference_lines,
            latest_change=change,
        )


# --- what the recording form offers, and the person's overview ------------------------------


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class EpisodeChoice:
    id: str
    label: str
    timepoints: tuple[Choice, ...]
    suggested: str  # the timepoint due next (or baseline)


@dataclass(frozen=True)
class RecordingOptions:
    instruments: tuple[Choice, ...]
    episodes: tuple[EpisodeChoice, ...]  # newest first
    recorders: tuple[Choice, ...]  # active users; the actor first
    modes: tuple[Choice, ...]


def _episode_choice(session: Session, episode: Episode) -> EpisodeChoice:
    clock = clock_for(session, episode)
    points = [Choice("baseline", "Baseline")] + [
        Choice(f"review_{m}m", timepoint_label(f"review_{m}m"))
        for m in clock.schedule.months if m > 0
    ] + [Choice("exit", "Exit"), Choice("other", "Other")]
    due = clock.next_review()
    suggested = due.timepoint if due is not None else "baseline"
    start = format_date(episode.first_meeting_date or episode.referral_date)
    label = f"Journey {episode.number} (from {start})"
    if episode.exit_date:
        label += f", ended {format_date(episode.exit_date)}"
    return EpisodeChoice(episode.id, label, tuple(points), suggested)


def recording_options(
    target: Caseload | Session, actor: Actor, person_id: str
) -> RecordingOptions:
    """The choices the recording form offers for this person."""
    with unit_of_work(target, write=False) as session:
        require_person(session, actor, person_id, "attend")  # the form record_measure takes
        episodes = session.execute(
            select(Episode).where(Episode.person_id == person_id).order_by(Episode.number.desc())
        ).scalars().all()
        users = session.execute(
            select(User.id, User.display_name).where(User.active).order_by(User.display_name)
        ).all()
        recorders = [Choice(uid, name) for uid, name in users]
        recorders.sort(key=lambda c: c.value != actor.user_id)
        return RecordingOptions(
            instruments=tuple(Choice(i.code, f"{i.short_name}: {i.name}")
                              for i in all_instruments(session)),
            episodes=tuple(_episode_choice(session, e) for e in episodes),
            recorders=tuple(recorders),
            modes=tuple(Choice(k, v) for k, v in MODES.items()),
        )


@dataclass(frozen=True)
class WellbeingOverview:
    """Everything the person's wellbeing tab shows, from one read."""

    forms: tuple[MeasureRecord, ...]  # newest first
    timelines: Mapping[str, Timeline]  # per instrument recorded, in first-recorded order
    changes: Mapping[str, ChangeSummary]


def wellbeing_overview(
    target: Caseload | Session, actor: Actor, person_id: str
) -> WellbeingOverview:
    with unit_of_work(target, write=False) as session:
        forms = person_measures(session, actor, person_id)
        codes = list(dict.fromkeys(f.instrument for f in forms))
        return WellbeingOverview(
            forms=tuple(reversed(forms)),
            timelines={c: timeline(session, actor, person_id, c) for c in codes},
            changes=latest_changes(session, actor, person_id),
        )
