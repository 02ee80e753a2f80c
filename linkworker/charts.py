"""The one chart module: matplotlib figures from plain data, for the screen and for PDFs.

Every chart function takes core data (frozen dataclasses, data frames) and returns a
``matplotlib.figure.Figure`` built without ``pyplot``, so no global figure state or GUI backend
is involved: the Qt layer wraps the figure in a ``backend_qtagg`` canvas, and reports save it
with ``figure_bytes`` (PNG or SVG) for reportlab. One look everywhere: ``new_figure`` applies
the house style and the colour-blind-safe Okabe-Ito palette.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from matplotlib.dates import (
    MO,
    DateFormatter,
    DateLocator,
    MonthLocator,
    WeekdayLocator,
    YearLocator,
    date2num,
    num2date,
)
from matplotlib.figure import Figure
from matplotlib.textpath import TextToPath

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from linkworker.returns.document import HistoryEntry
    from linkworker.wellbeing.measures import Timeline
    from linkworker.wellbeing.summaries import WellbeingSummary

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
GOOD, NEUTRAL, BAD = "#009E73", "#7F7F7F", "#D55E00"
BAND = "#BBBBBB"
UK_DATE = "%d/%m/%Y"

STYLE = {
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
    "legend.fontsize": 9,
}


def new_figure(width: float = 7.0, height: float = 4.2, dpi: int = 100) -> tuple[Figure, Axes]:
    """A figure with one axes in the house style (sizes in inches)."""
    figure = Figure(figsize=(width, height), dpi=dpi, layout="constrained")
    axes = figure.add_subplot()
    for key, value in STYLE.items():
        _apply_style(axes, key, value)
    return figure, axes


def _apply_style(axes: Axes, key: str, value: object) -> None:
    """Per-axes equivalent of the rcParams above (rcParams are global; figures must not be)."""
    if key == "axes.spines.top":
        axes.spines["top"].set_visible(bool(value))
    elif key == "axes.spines.right":
        axes.spines["right"].set_visible(bool(value))
    elif key == "axes.grid":
        axes.grid(bool(value), alpha=STYLE["grid.alpha"])
    elif key == "font.size":
        axes.tick_params(labelsize=value)


def figure_bytes(figure: Figure, fmt: str = "png", dpi: int = 150) -> bytes:
    """The figure as PNG or SVG bytes (for reportlab, or a file via ``atomic_write_bytes``)."""
    if fmt not in {"png", "svg"}:
        raise ValueError(f"charts are PNG or SVG, not {fmt!r}")
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, dpi=dpi, metadata={"Software": None} if fmt == "png" else
                   {"Date": None})
    return buffer.getvalue()


def empty_chart(message: str, width: float = 7.0, height: float = 4.2) -> Figure:
    """A figure that says why there is nothing to draw (better than a blank box)."""
    figure, axes = new_figure(width, height)
    axes.set_axis_off()
    axes.text(0.5, 0.5, message, ha="center", va="center", wrap=True, color=NEUTRAL,
              transform=axes.transAxes)
    return figure


def date_steps() -> tuple[DateLocator, ...]:
    """Tick steps from finest to coarsest, each on a date a reader expects: Mondays, then the
    1st of the month (quarters from January, April, July, October), then 1 January. New
    locators each time: an rrule locator is changed as it ticks, so none is shared."""
    return (
        WeekdayLocator(MO, interval=1),
        WeekdayLocator(MO, interval=2),
        MonthLocator(bymonthday=1),
        MonthLocator(bymonth=range(1, 13, 2), bymonthday=1),
        MonthLocator(bymonth=range(1, 13, 3), bymonthday=1),
        MonthLocator(bymonth=(1, 7), bymonthday=1),
        YearLocator(1),
        YearLocator(2),
        YearLocator(5),
    )


LABEL_GAP_EM = 1.5  # clear space between neighbouring date labels, in font heights


class UKDateLocator(DateLocator):
    """Date ticks at one even step, as many as fit the axes' width without labels touching.

    matplotlib's ``AutoDateLocator`` counts ticks without regard to the axes' size and, for
    steps of several days, restarts on the 1st of every month (1, 8, 15, 22, 29, then 1 again:
    "29/09" beside "01/10"). This picks the finest step of ``date_steps()`` whose labels fit the
    width the axes has at draw time, so a narrow screen canvas and a PDF page both read well.
    """

    def __init__(self) -> None:
        super().__init__()
        self.steps = date_steps()

    def __call__(self) -> list[float]:
        vmin, vmax = sorted(self.axis.get_view_interval())
        return self.tick_values(num2date(vmin), num2date(vmax))

    def tick_values(self, vmin: dt.datetime, vmax: dt.datetime) -> list[float]:
        room = self._labels_that_fit()
        low, high = date2num(vmin), date2num(vmax)
        ticks: list[float] = []
        for locator in self.steps:
            finer, ticks = ticks, [t for t in locator.tick_values(vmin, vmax) if low <= t <= high]
            if len(ticks) <= room:
                break
        if len(ticks) < 2 <= room and len(finer) >= 2:
            # The step that fits lands once in view (one even year of three): every k-th
            # tick of the finer step instead, still one even step, at least two labels.
            return finer[::math.ceil(len(finer) / room)]
        return ticks

    def _labels_that_fit(self) -> int:
        """How many date labels (plus a gap each) the axes' width holds, at least one."""
        axes = self.axis.axes
        font = self.axis.majorTicks[0].label1.get_fontproperties()  # not a locator call
        width_pt, height_pt, _ = TextToPath().get_text_width_height_descent(
            "00/00/0000", font, ismath=False)
        axes_pt = axes.bbox.width * 72.0 / axes.figure.dpi
        return max(1, int(axes_pt // (width_pt + LABEL_GAP_EM * height_pt)))


def _date_axis(axes: Axes, dates: Sequence[dt.date]) -> None:
    """Horizontal dd/mm/yyyy labels at an even step that fits (see ``UKDateLocator``)."""
    axes.xaxis.set_major_locator(UKDateLocator())
    axes.xaxis.set_major_formatter(DateFormatter(UK_DATE))
    if dates:
        first, last = date2num(min(dates)), date2num(max(dates))
        pad = max(15.0, (last - first) * 0.06)
        axes.set_xlim(first - pad, last + pad)


# --- wellbeing ------------------------------------------------------------------------------


def wellbeing_timeline(timeline: Timeline, width: float = 7.0, height: float = 4.2) -> Figure:
    """A person's scores on one instrument over time.

    Draws each form's score, the current journey's baseline with the "no meaningful change"
    band (baseline +/- the threshold) from the baseline on, and population reference lines.
    Incomplete forms have no score: they are marked along the bottom, never as a value.
    """
    if timeline.is_empty:
        return empty_chart(f"No {timeline.instrument} forms recorded yet.", width, height)
    figure, axes = new_figure(width, height)
    low, high = timeline.value_range
    span = high - low
    axes.set_ylim(low - span * 0.04, high + span * 0.04)
    dates = [p.completed_on for s in timeline.series for p in s.points]
    if timeline.baseline is not None and timeline.baseline.value is not None:
        base = timeline.baseline
        band_end = date2num(max(dates)) + 3650
        axes.fill_between(
            [date2num(base.completed_on), band_end],
            base.value - timeline.threshold, base.value + timeline.threshold,
            color=BAND, alpha=0.35, linewidth=0,
            label=f"No meaningful change (baseline \u00b1 {timeline.threshold:g})",
        )
        axes.axhline(base.value, color=NEUTRAL, linestyle="--", linewidth=1,
                     label=f"Baseline {base.value:.{timeline.decimals}f}")
    for line in timeline.reference_lines:
        if low <= line.value <= high:
            axes.axhline(line.value, color=PALETTE[7], linestyle=":", linewidth=1,
                         label=line.label)
    incomplete = []
    for colour, series in zip(PALETTE, timeline.series, strict=False):
        scored = [p for p in series.points if p.value is not None]
        incomplete.extend(p.completed_on for p in series.points if p.value is None)
        label = series.label if series.higher_is_better else f"{series.label} (lower is better)"
        axes.plot([p.completed_on for p in scored], [p.value for p in scored], marker="o",
                  markersize=7, linewidth=2, color=colour, label=label)
    if incomplete:
        axes.plot(sorted(set(incomplete)), [low] * len(set(incomplete)), linestyle="none",
                  marker="x", markersize=8, color=BAD, label="Incomplete form (no score)")
    axes.set_ylabel(timeline.score_name)
    axes.set_title(timeline.name, loc="left")
    _date_axis(axes, dates)
    figure.legend(loc="outside lower center", ncols=2, frameon=False,
                  fontsize=STYLE["legend.fontsize"])
    return figure


def change_breakdown(summary: WellbeingSummary, width: float = 5.0, height: float = 2.6) -> Figure:
    """Improved / no meaningful change / deteriorated among people with a paired follow-up."""
    if summary.paired == 0:
        return empty_chart("Nobody has a paired follow-up yet.", width, height)
    figure, axes = new_figure(width, height)
    labels = ["Improved", "No meaningful change", "Deteriorated"]
    counts = [summary.improved, summary.no_change, summary.deteriorated]
    bars = axes.barh(labels[::-1], counts[::-1], color=[BAD, NEUTRAL, GOOD])
    axes.bar_label(bars, labels=[f"{c} ({100 * c / summary.paired:.0f}%)" for c in counts[::-1]],
                   padding=3)
    axes.set_xlabel(f"People with a paired follow-up (n = {summary.paired})")
    axes.set_xlim(0, max(counts) * 1.35 + 1)
    axes.grid(False)
    return figure


# --- outcome returns ------------------------------------------------------------------------


def claims_by_outcome_and_period(
    history: Sequence[HistoryEntry], outcomes: Sequence[str], width: float = 7.0,
    height: float = 3.4,
) -> Figure:
    """Claims per return period, stacked by outcome, in the order the periods were submitted
    and the contract lists its outcomes."""
    if not any(row.claims for row in history):
        return empty_chart("No claims yet.", width, height)
    periods = list(dict.fromkeys(row.period for row in history))
    figure, axes = new_figure(width, height)
    bottom = [0] * len(periods)
    for index, outcome in enumerate(outcomes):
        counts = [sum(r.claims for r in history if r.period == p and r.outcome_id == outcome)
                  for p in periods]
        if not any(counts):
            continue
        axes.bar(periods, counts, bottom=bottom, label=outcome,
                 color=PALETTE[index % len(PALETTE)])
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    axes.set_ylabel("Claims")
    axes.grid(axis="x", visible=False)
    figure.legend(loc="outside right upper", frameon=False, fontsize=STYLE["legend.fontsize"])
    return figure
