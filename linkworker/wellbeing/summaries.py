"""Caseload-level wellbeing summaries: paired change, honestly counted.

The rules, because contracts and commissioners read these numbers:
- **Cohort.** People whose baseline (see ``measures`` for the pairing rule) falls in the chosen
  period, optionally for one worker or one contract. A person counts once: their most recent
  journey with a baseline in the period.
- **Pairs only.** Change is each person's own follow-up minus their own baseline (the latest
  complete follow-up in that journey, up to ``as_of``). Group means of unpaired forms are never
  compared: people without a follow-up are counted as *missing a follow-up*, not dropped.
- **Interval.** The mean paired change has a 95% interval from Student's t (n-1 df).
- **Small numbers.** On screen everything is shown with a warning; in anything exported,
  counts of 1-4 people are suppressed with the reason, and so are the figures that would let a
  suppressed count be worked out (secondary suppression).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from linkworker import audit
from linkworker.access import Actor, can, require
from linkworker.errors import UserError
from linkworker.memory import fresh
from linkworker.models import Contract, Episode, Measure, MeasureAnswer, Person, User
from linkworker.storage.database import Caseload, unit_of_work
from linkworker.storage.files import atomic_write_bytes
from linkworker.validation import format_date
from linkworker.wellbeing.instruments import Instrument
from linkworker.wellbeing.pairing import baseline_and_follow_up, by_episode
from linkworker.wellbeing.scoring import Direction, classify_change
from linkworker.wellbeing.stats import MeanInterval, mean_with_interval
from linkworker.wellbeing.store import all_instruments, change_thresholds, instrument_for

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_MIN_CELL = 5


@dataclass(frozen=True)
class SummaryFilter:
    instrument: str
    start: dt.date | None = None
    end: dt.date | None = None
    worker_id: str | None = None
    contract_id: str | None = None
    item: str | None = None  # for item-reported instruments (ONS4)
    as_of: dt.date | None = None  # follow-ups up to this date (default today)


@dataclass(frozen=True)
class PairRow:
    person_id: str
    reference: str
    episode_id: str
    baseline_on: dt.date
    baseline_value: float
    follow_up_on: dt.date
    follow_up_value: float
    change: float
    direction: str


@dataclass(frozen=True)
class MissingRow:
    """Someone with a baseline but no follow-up yet (the worker's to-do list)."""

    person_id: str
    reference: str
    name: str
    episode_id: str
    baseline_on: dt.date
    baseline_value: float
    exited: bool


@dataclass(frozen=True)
class WellbeingSummary:
    filter: SummaryFilter
    instrument_name: str
    score_name: str
    decimals: int
    threshold: float
    with_baseline: int
    paired: int
    missing_follow_up: int
    change: MeanInterval
    mean_baseline: float | None
    mean_follow_up: float | None
    improved: int
    no_change: int
    deteriorated: int
    pairs: tuple[PairRow, ...]
    missing: tuple[MissingRow, ...]

    def percent(self, count: int) -> float | None:
        return None if self.paired == 0 else 100.0 * count / self.paired

    @property
    def too_few(self) -> bool:
        return self.paired < DEFAULT_MIN_CELL

    def __reduce__(self) -> tuple:
        """Pickled (sent up from its process apart, ``linkworker.apart``) as columns of plain
        values. Row by row, pickle's memo keeps every row's and every date's own small tuple
        alive until the end: +46 MB in that process for 71,727 people at 150,000."""
        head = {name: getattr(self, name) for name in self.__dataclass_fields__
                if name not in ("pairs", "missing")}
        return (_from_columns, (head, _columns(self.pairs), _columns(self.missing)))


# The rows' dates, sent as day numbers (a date pickles as a tuple of its own).
_DAY_FIELDS = frozenset({"baseline_on", "follow_up_on"})


def _columns(rows: tuple[PairRow, ...] | tuple[MissingRow, ...]) -> tuple[tuple, ...]:
    """Rows of one record type as a column per field, dates as day numbers."""
    if not rows:
        return ()
    return tuple(tuple(getattr(row, name).toordinal() for row in rows) if name in _DAY_FIELDS
                 else tuple(getattr(row, name) for row in rows)
                 for name in rows[0].__dataclass_fields__)


def _from_columns(head: dict, pairs: tuple[tuple, ...],
                  missing: tuple[tuple, ...]) -> WellbeingSummary:
    return WellbeingSummary(**head, pairs=_rows_of(PairRow, pairs),
                            missing=_rows_of(MissingRow, missing))


def _rows_of(kind: type, columns: tuple[tuple, ...]) -> tuple:
    columns = tuple(tuple(map(dt.date.fromordinal, column)) if name in _DAY_FIELDS else column
                    for name, column in zip(kind.__dataclass_fields__, columns, strict=False))
    return tuple(kind(*values) for values in zip(*columns, strict=True))


# --- building -------------------------------------------------------------------------------


class SummaryForm(NamedTuple):
    """One complete scored form (or answered item) with its journey and person."""

    person_id: str
    episode_id: str
    timepoint: str
    completed_on: dt.date
    created_at: dt.datetime
    reference: str
    given_name: str | None
    family_name: str | None
    preferred_name: str | None
    exit_date: dt.date | None
    value: float
    id: str  # the form's: orders forms entered at the same moment


# Rows of the forms read at a time: the read streams, one person's forms in hand at once.
READ_BATCH = 2_000
# True of every form: lets SQLite read the forms in person order from the covering
# ix_measures_instrument_forms (0009), partial on these words, rather than the table.
_EVERY_FORM = text("measures.complete IN (false, true)")


def _forms(session: Session, inst: Instrument, f: SummaryFilter) -> Iterator[SummaryForm]:
    """One row per complete form of the instrument (or answered item), with its journey, a
    person's forms one after the other (``_pairs`` takes them a person at a time), read
    ``READ_BATCH`` rows at a time: the whole caseload's forms are never held at once."""
    value = Measure.value
    query = select(
        Measure.person_id, Measure.episode_id, Measure.timepoint, Measure.completed_on,
        Measure.created_at, Person.reference, Person.given_name, Person.family_name,
        Person.preferred_name, Episode.exit_date,
    )
    if f.item is not None:
        number = inst.item(f.item).number
        query = query.add_columns(MeasureAnswer.answer.label("value")).join(
            MeasureAnswer,
            (MeasureAnswer.measure_id == Measure.id) & (MeasureAnswer.item == number),
        ).where(MeasureAnswer.answer.is_not(None))
    else:
        query = query.add_columns(value.label("value")).where(Measure.complete,
                                                               value.is_not(None))
    query = query.add_columns(Measure.id)
    query = (
        query.join(Episode, Episode.id == Measure.episode_id)
        .join(Person, Person.id == Measure.person_id)
        .where(Measure.instrument == inst.code, Person.deleted_at.is_(None))
        .where(Measure.completed_on <= (f.as_of or dt.date.today()))
        .where(_EVERY_FORM).order_by(Measure.person_id)
    )
    if f.worker_id:
        query = query.where(Episode.worker_id == f.worker_id)
    if f.contract_id:
        query = query.where(Episode.contract_id == f.contract_id)
    for row in session.execute(query.execution_options(yield_per=READ_BATCH)):
        yield SummaryForm._make(row)


class _Pair(NamedTuple):
    """A journey's baseline and latest follow-up (none yet: ``follow_up_on`` is None), with
    only what the summary's rows show: a name only for someone missing a follow-up."""

    person_id: str
    episode_id: str
    reference: str
    baseline_on: dt.date
    baseline_value: float
    follow_up_on: dt.date | None
    follow_up_value: float | None
    name: str
    exited: bool

    @classmethod
    def of(cls, base: SummaryForm, follow: SummaryForm | None) -> _Pair:
        if follow is not None:
            return cls(base.person_id, base.episode_id, base.reference, base.completed_on,
                       base.value, follow.completed_on, follow.value, "", False)
        name = f"{base.preferred_name or base.given_name} {base.family_name}".strip()
        return cls(base.person_id, base.episode_id, base.reference, base.completed_on,
                   base.value, None, None, name, base.exit_date is not None)


def _journeys(forms: Iterable[SummaryForm], grouped: bool) -> Iterator[list[SummaryForm]]:
    """Each journey's forms: a person at a time when ``grouped`` (a person's forms one after
    the other, as ``_forms`` reads them; a journey's forms are all its person's, as
    ``record_measure`` refuses any other), else all gathered first (a return's few thousand)."""
    if grouped:
        for _person, group in itertools.groupby(forms, key=attrgetter("person_id")):
            yield from by_episode(group).values()
    else:
        yield from by_episode(forms).values()


def _pairs(journeys: Iterable[list[SummaryForm]]) -> Iterator[_Pair]:
    """Per journey: the baseline and latest follow-up, by the one pairing rule. Forms of a
    journey are taken in date and then entry order (then by id, so two forms entered at the
    same moment always pair the same way)."""
    for group in journeys:
        group.sort(key=_in_entry_order)
        base, follow = baseline_and_follow_up(group)
        yield _Pair.of(base, follow)  # type: ignore[arg-type]


def _in_entry_order(form: SummaryForm) -> tuple:
    return form.completed_on, form.created_at, form.id


def _cohort(pairs: Iterable[_Pair], f: SummaryFilter) -> list[_Pair]:
    """One journey per person, the most recent baseline in the period (of two on the same day,
    the journey whose id sorts last), in person id order. Pairs arrive a journey at a time and
    only each person's latest is kept, so the caseload's journeys are never all held."""
    latest: dict[str, _Pair] = {}
    for pair in pairs:
        day = pair.baseline_on
        if (f.start is not None and day < f.start) or (f.end is not None and day > f.end):
            continue
        held = latest.get(pair.person_id)
        if held is None or (day, pair.episode_id) > (held.baseline_on, held.episode_id):
            latest[pair.person_id] = pair
    return [latest[person] for person in sorted(latest)]


def _row(pair: _Pair, inst: Instrument, threshold: float, reliable: float | None,
         item: str | None) -> PairRow | MissingRow:
    """A person's row of the summary, of fresh copies of the pair's values."""
    if pair.follow_up_value is None:
        return MissingRow(fresh(pair.person_id), fresh(pair.reference), pair.name,
                          fresh(pair.episode_id), fresh(pair.baseline_on),
                          float(pair.baseline_value) + 0.0, pair.exited)
    verdict = classify_change(inst, float(pair.baseline_value), float(pair.follow_up_value),
                              threshold=threshold, reliable_threshold=reliable, item=item)
    return PairRow(fresh(pair.person_id), fresh(pair.reference), fresh(pair.episode_id),
                   fresh(pair.baseline_on), float(pair.baseline_value) + 0.0,
                   fresh(pair.follow_up_on), float(pair.follow_up_value) + 0.0,
                   verdict.difference, str(verdict))


def _check_scope(actor: Actor, f: SummaryFilter) -> SummaryFilter:
    """Managers see any slice; a link worker sees only their own caseload."""
    if can(actor, "report.view"):
        return f
    require(actor, "person.view_own")
    if actor.user_id is None:
        raise UserError("Sign in as a worker to see your caseload's summary.")
    return replace(f, worker_id=actor.user_id)


def build_summary(target: Caseload | Session, actor: Actor, f: SummaryFilter,
                  forms: Iterable[SummaryForm] | None = None) -> WellbeingSummary:
    """The paired-change summary for one instrument and slice of the caseload.

    ``forms``: the slice's forms already in hand, as ``_forms`` would read them (the return
    has loaded its contract's, so they are not read twice); the caller answers for them
    matching ``f``."""
    scoped = _check_scope(actor, f)
    if scoped != f:
        forms = None  # narrowed to a worker's caseload: read it
    f = scoped
    if f.start and f.end and f.end < f.start:
        raise UserError("The period ends before it starts.")
    with unit_of_work(target, write=False) as session:
        inst = instrument_for(session, f.instrument)
        if not inst.reports_total and f.item is None:
            codes = ", ".join(it.code for it in inst.items)
            raise UserError(f"{inst.code} is reported item by item: choose an item ({codes}).")
        f = replace(f, instrument=inst.code)
        threshold, reliable = change_thresholds(session, inst)
        read = forms is None
        cohort = _cohort(_pairs(_journeys(_forms(session, inst, f) if read else forms,
                                          grouped=read)), f)
    with_baseline = len(cohort)
    paired_rows, missing_rows = [], []
    # The rows keep fresh copies of the forms' values, never the forms' own: otherwise the
    # few kept would hold every arena the whole read filled (``linkworker.memory``). Each
    # pair is let go as its row is made, so the two are never all held at once.
    cohort.reverse()
    while cohort:
        row = _row(cohort.pop(), inst, threshold, reliable, f.item)
        (missing_rows if isinstance(row, MissingRow) else paired_rows).append(row)
    counts = {d.value: sum(p.direction == d.value for p in paired_rows) for d in Direction}
    n = len(paired_rows)
    return WellbeingSummary(
        filter=f,
        instrument_name=inst.name,
        score_name=inst.item(f.item).label if f.item else inst.score_name,
        decimals=inst.score_decimals,
        threshold=threshold,
        with_baseline=with_baseline,
        paired=n,
        missing_follow_up=len(missing_rows),
        change=mean_with_interval([p.change for p in paired_rows]),
        mean_baseline=sum(p.baseline_value for p in paired_rows) / n if n else None,
        mean_follow_up=sum(p.follow_up_value for p in paired_rows) / n if n else None,
        improved=counts["improved"],
        no_change=counts["no_change"],
        deteriorated=counts["deteriorated"],
        pairs=tuple(sorted(paired_rows, key=lambda p: p.reference)),
        missing=tuple(sorted(missing_rows, key=lambda m: m.baseline_on)),
    )


# --- presenting, with suppression -----------------------------------------------------------

SMALL = "suppressed: fewer than {n} people"
SECONDARY = "suppressed so that a small count cannot be worked out from the others"
TOO_FEW = "not shown: fewer than {n} people with a follow-up"


@dataclass(frozen=True)
class SummaryLine:
    """One figure of the summary: ``value`` is the shown text; ``note`` says why if hidden."""

    key: str
    label: str
    value: str
    note: str = ""

    @property
    def suppressed(self) -> bool:
        return bool(self.note)


def _suppressed_counts(s: WellbeingSummary, min_cell: int) -> dict[str, str]:
    """Which counts to hide, and why (primary: 1..min_cell-1; secondary: to stop subtraction)."""
    counts = {
        "with_baseline": s.with_baseline, "paired": s.paired,
        "missing_follow_up": s.missing_follow_up, "improved": s.improved,
        "no_change": s.no_change, "deteriorated": s.deteriorated,
    }
    hidden = {k: SMALL.format(n=min_cell) for k, v in counts.items() if 0 < v < min_cell}
    if s.paired < min_cell:  # every direction count would be about a handful of people
        for key in ("improved", "no_change", "deteriorated"):
            hidden.setdefault(key, TOO_FEW.format(n=min_cell))
    # The direction counts add up to the paired count, which must stay shown: if exactly one
    # of them is hidden, hide the next smallest too.
    directions = ("improved", "no_change", "deteriorated")
    if sum(k in hidden for k in directions) == 1:
        shown = [k for k in directions if k not in hidden]
        hidden[min(shown, key=lambda k: counts[k])] = SECONDARY
    # Paired + missing = with a baseline: if exactly one of the three is hidden, hide the total
    # (or, if the total is the hidden one, the missing count).
    trio = ("paired", "missing_follow_up", "with_baseline")
    if sum(k in hidden for k in trio) == 1:
        hidden["missing_follow_up" if "with_baseline" in hidden else "with_baseline"] = SECONDARY
    return hidden


def summary_lines(
    s: WellbeingSummary, *, suppress: bool = True, min_cell: int = DEFAULT_MIN_CELL
) -> tuple[SummaryLine, ...]:
    """The summary as labelled figures; with ``suppress`` (exports) small cells are hidden."""
    hidden = _suppressed_counts(s, min_cell) if suppress else {}
    few = suppress and s.paired < min_cell
    d = s.decimals + 1

    def count(key: str, label: str, n: int) -> SummaryLine:
        if key in hidden:
            return SummaryLine(key, label, "suppressed", hidden[key])
        return SummaryLine(key, label, str(n))

    def pct(key: str, label: str, n: int) -> SummaryLine:
        if key in hidden or few:
            return SummaryLine(f"{key}_pct", label, "suppressed",
                               hidden.get(key) or TOO_FEW.format(n=min_cell))
        p = s.percent(n)
        return SummaryLine(f"{key}_pct", label, "" if p is None else f"{p:.1f}%")

    def number(key: str, label: str, value: float | None) -> SummaryLine:
        if few:
            return SummaryLine(key, label, "suppressed", TOO_FEW.format(n=min_cell))
        return SummaryLine(key, label, "" if value is None else f"{value:.{d}f}")

    c = s.change
    interval = "" if c.low is None else f"{c.low:.{d}f} to {c.high:.{d}f}"
    return (
        count("with_baseline", "People with a baseline", s.with_baseline),
        count("paired", "People with a paired follow-up", s.paired),
        count("missing_follow_up", "People still missing a follow-up", s.missing_follow_up),
        number("mean_baseline", "Mean baseline (paired people)", s.mean_baseline),
        number("mean_follow_up", "Mean follow-up (paired people)", s.mean_follow_up),
        number("mean_change", "Mean paired change", c.mean),
        SummaryLine("ci95", "95% interval of the mean change",
                    "suppressed" if few else interval, TOO_FEW.format(n=min_cell) if few else ""),
        count("improved", f"Improved (change of {s.threshold:g} or more)", s.improved),
        pct("improved", "Improved, % of paired", s.improved),
        count("no_change", "No meaningful change", s.no_change),
        pct("no_change", "No meaningful change, % of paired", s.no_change),
        count("deteriorated", f"Deteriorated (change of {s.threshold:g} or more)", s.deteriorated),
        pct("deteriorated", "Deteriorated, % of paired", s.deteriorated),
    )


def describe_filter(s: WellbeingSummary) -> list[tuple[str, str]]:
    f = s.filter
    period = f"{format_date(f.start) if f.start else 'the start'} to " \
             f"{format_date(f.end) if f.end else 'now'}"
    rows = [("Instrument", f"{f.instrument} ({s.score_name})"), ("Baselines dated", period),
            ("Change threshold", f"{s.threshold:g}")]
    if f.worker_id:
        rows.append(("Worker", f.worker_id))
    if f.contract_id:
        rows.append(("Contract", f.contract_id))
    return rows


def summary_frame(s: WellbeingSummary, *, suppress: bool = True) -> pd.DataFrame:
    import pandas as pd  # here, so building a summary (or a return) never imports pandas

    lines = summary_lines(s, suppress=suppress)
    return pd.DataFrame(
        {"Figure": [x.label for x in lines], "Value": [x.value for x in lines],
         "Note": [x.note for x in lines]}
    )


def export_summary(
    target: Caseload | Session,
    actor: Actor,
    summary: WellbeingSummary,
    path: Path,
    *,
    min_cell: int = DEFAULT_MIN_CELL,
) -> Path:
    """Write the suppressed summary (no person-level rows) as CSV or XLSX, atomically; audited."""
    require(actor, "data.export")
    path = Path(path)
    header = describe_filter(summary)
    lines = summary_lines(summary, suppress=True, min_cell=min_cell)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerows(header)
        writer.writerow([])
        writer.writerow(["Figure", "Value", "Note"])
        writer.writerows([x.label, x.value, x.note] for x in lines)
        data = buffer.getvalue().encode("utf-8-sig")
    elif suffix == ".xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = "Wellbeing summary"
        for row in header:
            sheet.append(list(row))
        sheet.append([])
        sheet.append(["Figure", "Value", "Note"])
        for x in lines:
            sheet.append([x.label, x.value, x.note])
        sheet.column_dimensions["A"].width = 44
        sheet.column_dimensions["C"].width = 60
        out = io.BytesIO()
        book.save(out)
        data = out.getvalue()
    else:
        raise UserError(f"Export as .csv or .xlsx, not {path.suffix or 'no extension'}.")
    with unit_of_work(target) as session:
        atomic_write_bytes(path, data)
        audit.record(session, actor, "export.wellbeing_summary", details={
            "instrument": summary.filter.instrument, "file": path.name,
            "people": summary.with_baseline})
    return path


@dataclass(frozen=True)
class SummaryOptions:
    """What the summary view offers: (value, label) pairs."""

    instruments: tuple[tuple[str, str], ...]
    items: dict[str, tuple[tuple[str, str], ...]]  # per item-reported instrument
    workers: tuple[tuple[str, str], ...]
    contracts: tuple[tuple[str, str], ...]
    restricted_to_own: bool  # a link worker sees only their own caseload


def summary_options(target: Caseload | Session, actor: Actor) -> SummaryOptions:
    own = not can(actor, "report.view")
    if own:
        require(actor, "person.view_own")
    with unit_of_work(target, write=False) as session:
        found = all_instruments(session)
        users = select(User.id, User.display_name).where(User.role == "link_worker")
        if own:
            users = users.where(User.id == actor.user_id)
        workers = session.execute(users.order_by(User.display_name)).all()
        contracts = session.execute(
            select(Contract.id, Contract.name).order_by(Contract.name)
        ).all()
        return SummaryOptions(
            instruments=tuple((i.code, i.name) for i in found),
            items={i.code: tuple((it.code, it.label) for it in i.items)
                   for i in found if not i.reports_total},
            workers=tuple((uid, name) for uid, name in workers),
            contracts=tuple((cid, name) for cid, name in contracts),
            restricted_to_own=own,
        )
