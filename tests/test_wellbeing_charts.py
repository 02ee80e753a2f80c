"""The chart module: real figures, saved as PNG and SVG, with the right things drawn."""

from __future__ import annotations

import datetime as dt

from linkworker.charts import change_breakdown, figure_bytes, wellbeing_timeline
from linkworker.wellbeing import get_instrument
from linkworker.wellbeing.measures import Series, Timeline, TimelinePoint
from linkworker.wellbeing.stats import mean_with_interval
from linkworker.wellbeing.summaries import SummaryFilter, WellbeingSummary


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
