"""The chart module: real figures, saved as PNG and SVG, with the right things drawn."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.backends.backend_agg import FigureCanvasAgg

from linkworker.charts import change_breakdown, figure_bytes, wellbeing_timeline
from linkworker.wellbeing import get_instrument
from linkworker.wellbeing.measures import Series, Timeline, TimelinePoint
from linkworker.wellbeing.stats import mean_with_interval
from linkworker.wellbeing.summaries import SummaryFilter, WellbeingSummary
from ui.wellbeing.chart_view import ChartView


def wemwbs_timeline(points) -> Timeline:
    inst = get_instrument("WEMWBS")
    return Timeline("WEMWBS", inst.name, inst.score_name, inst.value_range, 0,
                    (Series(inst.score_name, tuple(points)),), points[0] if points else None, 3.0,
                    8.0, inst.reference_lines, None)


def test_timeline_draws_scores_baseline_band_reference_and_incomplete():
    points = [
        TimelinePoint("a", dt.date(2025, 1, 10), 40.0, "baseline", 1, True),
        TimelinePoint("b", dt.date(2025, 2, 10), None, "other", 1, False),
        TimelinePoint("c", dt.date(2025, 4, 10), 45.0, "review_3m", 1, True),
    ]
    figure = wellbeing_timeline(wemwbs_timeline(points))
    axes = figure.axes[0]
    labels = [line.get_label() for line in axes.get_lines()]
    assert "Baseline 40" in labels and "Incomplete form (no score)" in labels
    assert any("Scottish adults" in label for label in labels)
    scores = next(line for line in axes.get_lines() if line.get_label() == "WEMWBS score")
    assert list(scores.get_ydata()) == [40.0, 45.0]  # the incomplete form is never a score
    band = axes.collections[0].get_paths()[0].vertices[:, 1]
    assert min(band) == 37.0 and max(band) == 43.0
    assert figure_bytes(figure, "png").startswith(b"\x89PNG")
    assert b"<svg" in figure_bytes(figure, "svg")


def test_empty_timeline_says_so():
    figure = wellbeing_timeline(wemwbs_timeline([]))
    assert "No WEMWBS forms" in figure.axes[0].texts[0].get_text()


def test_change_breakdown_labels_counts_and_percentages():
    summary = WellbeingSummary(
        SummaryFilter("WEMWBS"), "WEMWBS", "WEMWBS score", 0, 3.0, 9, 8, 1,
        mean_with_interval([1.0] * 8), 40.0, 41.0, 4, 3, 1, (), ())
    figure = change_breakdown(summary)
    texts = [t.get_text() for t in figure.axes[0].texts]
    assert "4 (50%)" in texts and "1 (12%)" in texts


# --- the date axis: even steps, UK labels, none touching, on screen and in the PDF --------

UK_LABEL = re.compile(r"^\d{2}/\d{2}/\d{4}$")
JOURNEYS = {  # days after the first form
    "one form": [0],
    "two forms 3 days apart": [0, 3],
    "baseline and 10-week review": [0, 73],
    "weekly for 12 weeks": list(range(0, 84, 7)),
    "two forms 18 months apart": [0, 540],
    "monthly for 18 months": list(range(0, 545, 30)),
    "three years": [0, 400, 1100],
}


def journey(days, start=dt.date(2026, 7, 13)) -> Timeline:
    return wemwbs_timeline([
        TimelinePoint(str(i), start + dt.timedelta(days=d), 40.0 + i % 5, "other", 1, True)
        for i, d in enumerate(days)])


def drawn_date_labels(figure, canvas=None) -> tuple[list[str], list]:
    """The x tick labels the last draw showed (text and on-screen box), left to right."""
    canvas = canvas or FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    axes = figure.axes[0]
    low, high = sorted(axes.get_xlim())
    shown = [tick for tick in axes.xaxis.get_major_ticks()
             if tick.label1.get_visible() and tick.label1.get_text()
             and low <= tick.get_loc() <= high]
    return ([t.label1.get_text() for t in shown],
            [t.label1.get_window_extent(renderer) for t in shown])


def assert_reads_well(texts: list[str], boxes: list) -> None:
    """UK dates, at least two, none overlapping, one even step (Mondays or 1st of a month)."""
    assert len(texts) >= 2, texts
    assert all(UK_LABEL.match(text) for text in texts), texts
    for left, right in itertools.pairwise(boxes):
        assert left.x1 < right.x0, (texts, "labels touch")
    days = [dt.datetime.strptime(text, "%d/%m/%Y").date() for text in texts]
    if all(day.day == 1 for day in days):
        months = {(b.year - a.year) * 12 + b.month - a.month for a, b in itertools.pairwise(days)}
        assert len(months) == 1, texts
    else:
        assert all(day.weekday() == 0 for day in days), texts
        assert len({(b - a).days for a, b in itertools.pairwise(days)}) == 1, texts


@pytest.mark.parametrize("dpi", [100, 150])  # the screen, and figure_bytes for the PDFs
@pytest.mark.parametrize("width", [4.0, 7.0, 11.0])
@pytest.mark.parametrize("name", list(JOURNEYS))
def test_date_labels_read_well_for_every_kind_of_journey(name, width, dpi):
    figure = wellbeing_timeline(journey(JOURNEYS[name]), width=width, height=3.5)
    figure.set_dpi(dpi)
    assert_reads_well(*drawn_date_labels(figure))


def test_a_narrow_figure_still_has_two_labels_at_an_even_step():
    # one form on 27/07/2031: a month's step lands once in view, so every other fortnight
    figure = wellbeing_timeline(journey([0], dt.date(2031, 7, 27)), width=3.6, height=3.5)
    assert_reads_well(*drawn_date_labels(figure))


@settings(max_examples=30, deadline=None)
@given(days=st.lists(st.integers(0, 1200), min_size=1, max_size=15),
       start=st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)),
       width=st.floats(3.5, 12.0))
def test_date_labels_read_well_for_any_dates_and_width(days, start, width):
    figure = wellbeing_timeline(journey(sorted(days), start), width=width, height=3.5)
    assert_reads_well(*drawn_date_labels(figure))


def test_date_labels_read_well_on_a_narrow_screen_canvas(qtbot):
    view = ChartView("Wellbeing chart")
    qtbot.addWidget(view)
    view.resize(420, 260)
    view.show()
    view.show_figure(wellbeing_timeline(journey(JOURNEYS["monthly for 18 months"])))
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: view.canvas.width() <= 420)
    assert_reads_well(*drawn_date_labels(view.figure, view.canvas))
