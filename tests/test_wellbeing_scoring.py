"""Scoring and change: the numbers contracts pay on. Expected values are typed in by hand."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linkworker.wellbeing import (
    InvalidAnswers,
    classify_change,
    classify_item_changes,
    get_instrument,
    list_instruments,
    score,
)

# The published SWEMWBS raw -> metric conversion, typed in independently of resources/.
SWEMWBS_METRIC = {
    7: 7.00, 8: 9.51, 9: 11.25, 10: 12.40, 11: 13.33, 12: 14.08, 13: 14.75, 14: 15.32,
    15: 15.84, 16: 16.36, 17: 16.88, 18: 17.43, 19: 17.98, 20: 18.59, 21: 19.25, 22: 19.98,
    23: 20.73, 24: 21.54, 25: 22.35, 26: 23.21, 27: 24.11, 28: 25.03, 29: 26.02, 30: 27.03,
    31: 28.13, 32: 29.31, 33: 30.70, 34: 32.55, 35: 35.00,
}


def answers_summing_to(total: int, items: int, low: int = 1, high: int = 5) -> list[int]:
    """A valid form whose answers add up to ``total``."""
    answers = [low] * items
    extra = total - low * items
    for i in range(items):
        step = min(high - low, extra)
        answers[i] += step
        extra -= step
    assert extra == 0
    return answers


def test_builtins_are_listed():
    codes = [i.code for i in list_instruments()]
    assert codes[:3] == ["WEMWBS", "SWEMWBS", "ONS4"]
    assert get_instrument("wemwbs").item_count == 14
    assert get_instrument("SWEMWBS").item_count == 7
    assert get_instrument("ONS4").item_count == 4


@pytest.mark.parametrize("raw", sorted(SWEMWBS_METRIC))
def test_all_29_swemwbs_conversions(raw):
    result = score("SWEMWBS", answers_summing_to(raw, 7))
    assert result.raw == raw
    assert result.value == SWEMWBS_METRIC[raw]
    assert result.complete


def test_swemwbs_conversion_does_not_depend_on_which_items_carry_the_points():
    assert score("SWEMWBS", [5, 1, 1, 1, 1, 1, 1]).value == score("SWEMWBS", [1] * 6 + [5]).value


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ([1] * 14, 14),
        ([5] * 14, 70),
        ([3] * 14, 42),
        ([1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2, 3, 4], 40),
        ([1] * 13 + [2], 15),
        ([5] * 13 + [4], 69),
    ],
)
def test_wemwbs_total_and_range_ends(answers, expected):
    result = score("WEMWBS", answers)
    assert (result.raw, result.value, result.complete) == (expected, float(expected), True)


def test_wemwbs_accepts_whole_number_floats_from_spreadsheets():
    assert score("WEMWBS", [4.0] * 14).value == 56


def test_ons4_is_reported_item_by_item_with_bands():
    result = score("ONS4", [4, 6, 9, 6])
    assert result.value is None and result.raw is None and result.complete
    assert [(i.code, i.answer, i.band) for i in result.items] == [
        ("satisfied", 4, "Low"),
        ("worthwhile", 6, "Medium"),
        ("happy", 9, "Very high"),
        ("anxious", 6, "High"),
    ]
    assert score("ONS4", [5, 7, 10, 1]).item("anxious").band == "Very low"
    assert score("ONS4", [0, 8, 0, 2]).item("worthwhile").band == "High"
    assert score("ONS4", [0, 8, 0, 5]).item("anxious").band == "Medium"


def test_incomplete_form_is_kept_but_never_scored():
    result = score("WEMWBS", [5] * 13 + [None])
    assert not result.complete
    assert result.raw is None and result.value is None
    assert result.missing_items == (14,)
    assert result.answered == 13
    assert score("SWEMWBS", [None] * 7).missing_items == tuple(range(1, 8))


# --- every class of invalid input -----------------------------------------------------------


@pytest.mark.parametrize(
    ("instrument", "answers", "fragment"),
    [
        ("WEMWBS", [3] * 13, "has 14 items; got 13 answers"),
        ("WEMWBS", [3] * 15, "has 14 items; got 15 answers"),
        ("SWEMWBS", [], "has 7 items; got 0 answers"),
        ("WEMWBS", [3] * 13 + [6], "item 14: answer 6 is outside the allowed range 1 to 5"),
        ("WEMWBS", [0] + [3] * 13, "item 1: answer 0 is outside the allowed range 1 to 5"),
        ("SWEMWBS", [3, 3, -1, 3, 3, 3, 3], "item 3: answer -1 is outside the allowed range"),
        ("ONS4", [5, 11, 5, 5], "item 2: answer 11 is outside the allowed range 0 to 10"),
        ("ONS4", [5, 5, 5, -1], "item 4: answer -1 is outside the allowed range 0 to 10"),
        ("WEMWBS", [3.5] + [3] * 13, "item 1: answer 3.5 is not a whole number (allowed 1 to 5)"),
        ("WEMWBS", ["4"] + [3] * 13, "item 1: answer '4' is not a whole number"),
        ("WEMWBS", [True] + [3] * 13, "item 1: answer True is not a whole number"),
        ("WEMWBS", "33333333333333", "must be a list of 14 numbers"),
        ("WEMWBS", 42, "must be a list of 14 numbers"),
    ],
)
def test_invalid_answers_name_the_item_and_range(instrument, answers, fragment):
    with pytest.raises(InvalidAnswers) as info:
        score(instrument, answers)
    assert fragment in str(info.value)
    assert isinstance(info.value, ValueError)


def test_unknown_instrument_is_a_clear_error():
    with pytest.raises(Exception, match="Unknown instrument 'EQ5D'.*WEMWBS"):
        score("EQ5D", [1])


# --- change ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "follow_up", "expected", "reliable"),
    [
        (40, 43, "improved", False),
        (40, 42, "no_change", False),
        (40, 38, "no_change", False),
        (40, 37, "deteriorated", False),
        (40, 48, "improved", True),
        (48, 40, "deteriorated", True),
        (40, 47, "improved", False),
        (55, 55, "no_change", False),
    ],
)
def test_wemwbs_change(baseline, follow_up, expected, reliable):
    change = classify_change("WEMWBS", baseline, follow_up)
    assert change == expected
    assert change.direction == expected
    assert change.reliable is reliable
    assert change.difference == follow_up - baseline


def test_swemwbs_change_is_judged_on_the_metric_score():
    # raw 18 -> 20 is only 2 raw points but 17.43 -> 18.59 metric: no change.
    assert classify_change("SWEMWBS", score("SWEMWBS", answers_summing_to(18, 7)),
                           score("SWEMWBS", answers_summing_to(20, 7))) == "no_change"
    # raw 8 -> 9 is 1 raw point but 9.51 -> 11.25 metric: still under 3.
    # raw 7 -> 8 is 2.51 metric: no change; raw 7 -> 9 is 4.25 metric: improved.
    assert classify_change("SWEMWBS", 7.0, 9.51) == "no_change"
    assert classify_change("SWEMWBS", 7.0, 11.25) == "improved"
    # Exactly three metric points (floating point must not lose it): 17.73 is not in the
    # table, but the classification takes any reported values.
    assert classify_change("SWEMWBS", 17.73, 20.73) == "improved"
    change = classify_change("SWEMWBS", 23.21, 20.16)
    assert change == "deteriorated" and change.reliable is True


def test_threshold_override_and_reliable_override():
    assert classify_change("WEMWBS", 40, 43, threshold=4) == "no_change"
    assert classify_change("WEMWBS", 40, 44, threshold=4) == "improved"
    assert classify_change("WEMWBS", 40, 45, reliable_threshold=5).reliable is True
    with pytest.raises(ValueError, match="greater than 0"):
        classify_change("WEMWBS", 40, 45, threshold=0)


def test_change_refuses_incomplete_or_mismatched_forms():
    complete = score("WEMWBS", [3] * 14)
    incomplete = score("WEMWBS", [3] * 13 + [None])
    with pytest.raises(ValueError, match="follow-up form is incomplete"):
        classify_change("WEMWBS", complete, incomplete)
    with pytest.raises(ValueError, match="is SWEMWBS, not WEMWBS"):
        classify_change("WEMWBS", complete, score("SWEMWBS", [3] * 7))
    with pytest.raises(ValueError, match="must be a number"):
        classify_change("WEMWBS", "40", 44)


def test_ons4_change_is_per_item_and_anxiety_lower_is_better():
    before = score("ONS4", [4, 5, 5, 8])
    after = score("ONS4", [6, 5, 4, 5])
    changes = classify_item_changes("ONS4", before, after)
    assert changes == {
        "satisfied": "improved",
        "worthwhile": "no_change",
        "happy": "deteriorated",
        "anxious": "improved",
    }
    assert changes["anxious"].difference == -3
    assert changes["satisfied"].reliable is None
    assert classify_change("ONS4", 2, 5, item="anxious") == "deteriorated"
    with pytest.raises(ValueError, match="item by item"):
        classify_change("ONS4", before, after)
    with pytest.raises(ValueError, match="item= is for item-reported"):
        classify_change("WEMWBS", 40, 44, item="s1")


# --- properties -----------------------------------------------------------------------------

INSTRUMENTS = ("WEMWBS", "SWEMWBS")


@st.composite
def complete_form(draw, code: str | None = None):
    inst = get_instrument(code or draw(st.sampled_from(INSTRUMENTS)))
    answers = draw(
        st.lists(
            st.integers(inst.answer_min, inst.answer_max),
            min_size=inst.item_count,
            max_size=inst.item_count,
        )
    )
    return inst, answers


@given(complete_form(), st.data())
def test_scores_are_monotonic_in_each_answer(form, data):
    inst, answers = form
    position = data.draw(st.integers(0, inst.item_count - 1))
    if answers[position] == inst.answer_max:
        answers[position] -= 1
    higher = list(answers)
    higher[position] += 1
    lower_score, higher_score = score(inst.code, answers), score(inst.code, higher)
    assert higher_score.raw == lower_score.raw + 1
    assert higher_score.value > lower_score.value


@given(complete_form(), st.data())
def test_incomplete_forms_never_score(form, data):
    inst, answers = form
    blanks = data.draw(
        st.sets(st.integers(0, inst.item_count - 1), min_size=1, max_size=inst.item_count)
    )
    for i in blanks:
        answers[i] = None
    result = score(inst.code, answers)
    assert not result.complete
    assert result.value is None and result.raw is None
    assert result.missing_items == tuple(sorted(i + 1 for i in blanks))


@given(complete_form())
def test_complete_scores_stay_in_range(form):
    inst, answers = form
    low, high = inst.value_range
    assert low <= score(inst.code, answers).value <= high


@given(st.floats(0, 80), st.floats(-20, 20))
def test_change_is_antisymmetric(baseline, delta):
    forward = classify_change("WEMWBS", baseline, baseline + delta)
    backward = classify_change("WEMWBS", baseline + delta, baseline)
    opposite = {"improved": "deteriorated", "deteriorated": "improved", "no_change": "no_change"}
    assert backward == opposite[forward]
