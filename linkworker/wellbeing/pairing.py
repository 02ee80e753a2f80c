"""The pairing rule: which baseline and which follow-up a person's change is measured between.

Within one episode and one instrument, the *baseline* is the form marked ``baseline`` (or, if
none is marked, the earliest scored form); the *follow-up* is the latest later form not marked
baseline. Change is always a person's own follow-up against their own baseline. The record's
badge (``measures.latest_changes``), the caseload list's ``latest_change`` column
(``journey.refresh_summaries``), the caseload summaries (``summaries.build_summary``) and the
demo generator all pair forms here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from linkworker.models import Measure
from linkworker.wellbeing.instruments import Instrument
from linkworker.wellbeing.scoring import Change, classify_change
from linkworker.wellbeing.store import change_thresholds, instrument_for


class ScoredForm(Protocol):
    """What pairing needs of a form: a measure row, a ``MeasureRecord`` or a plain record."""

    @property
    def episode_id(self) -> str | None: ...
    @property
    def timepoint(self) -> str: ...
    @property
    def completed_on(self) -> dt.date: ...
    @property
    def value(self) -> float | None: ...


F = TypeVar("F", bound=ScoredForm)


@dataclass(frozen=True)
class ChangeSummary:
    """The latest change for one instrument: own follow-up against own baseline."""

    instrument: str
    baseline_value: float
    baseline_on: dt.date
    follow_up_value: float
    follow_up_on: dt.date
    change: Change

    @property
    def direction(self) -> str:
        return self.change.direction.value

    @property
    def label(self) -> str:
        return self.change.label


def baseline_and_follow_up(forms: Sequence[F]) -> tuple[F | None, F | None]:
    """The pair for one episode and one instrument.

    ``forms`` are that episode's scored forms of that instrument, oldest first (callers leave
    out incomplete forms and forms without a value).
    """
    if not forms:
        return (None, None)
    baseline = next((f for f in forms if f.timepoint == "baseline"), forms[0])
    later = [f for f in forms if f is not baseline and f.timepoint != "baseline"
             and f.completed_on >= baseline.completed_on]
    return (baseline, later[-1] if later else None)


def by_episode(forms: Iterable[F]) -> dict[str | None, list[F]]:
    grouped: dict[str | None, list[F]] = {}
    for f in forms:
        grouped.setdefault(f.episode_id, []).append(f)
    return grouped


def latest_pair_change(inst: Instrument, forms: Sequence[ScoredForm], threshold: float,
                       reliable: float | None) -> ChangeSummary | None:
    """The change for the most recent episode that has a baseline/follow-up pair."""
    best: ChangeSummary | None = None
    for episode_forms in by_episode(forms).values():
        base, follow = baseline_and_follow_up(episode_forms)
        if base is None or follow is None:
            continue
        if best is not None and follow.completed_on < best.follow_up_on:
            continue
        change = classify_change(inst, base.value, follow.value, threshold=threshold,
                                 reliable_threshold=reliable)
        best = ChangeSummary(inst.code, base.value, base.completed_on, follow.value,
                             follow.completed_on, change)
    return best


def episode_latest_change(session: Session, episode_id: str) -> str | None:
    """The badge value for one journey, by the pairing rule and the thresholds in force.

    For ``linkworker.journey.refresh_summaries``: the instrument with the most recent
    follow-up speaks for the journey; None until a baseline has a follow-up.
    """
    rows = session.execute(
        select(Measure).where(Measure.episode_id == episode_id, Measure.complete,
                              Measure.value.is_not(None))
        .order_by(Measure.completed_on, Measure.created_at)
    ).scalars().all()
    best: ChangeSummary | None = None
    for code in dict.fromkeys(r.instrument for r in rows):
        inst = instrument_for(session, code)
        found = latest_pair_change(inst, [r for r in rows if r.instrument == code],
                                   *change_thresholds(session, inst))
        if found is not None and (best is None or found.follow_up_on >= best.follow_up_on):
            best = found
    return None if best is None else best.direction
