"""Keyboard rules of the wellbeing form, without Qt."""

from __future__ import annotations

from ui.wellbeing.form_state import FormState


def test_digits_answer_and_advance_backspace_goes_back():
    state = FormState(14, 1, 5)
    for d in (4, 4, 3):
        assert state.digit(d)
    assert state.answers[:3] == [4, 4, 3] and state.current == 3
    assert not state.digit(6) and not state.digit(0)
    assert state.current == 3 and state.answered == 3
    state.back()
    assert state.current == 2 and state.answers[2] == 3  # kept until retyped
    state.digit(5)
    assert state.answers[2] == 5 and state.current == 3
    state.back()
    state.clear_current()
    assert state.answers[2] is None and state.missing[0] == 3


def test_last_item_stays_current_and_completes():
    state = FormState(7, 1, 5)
    for _ in range(7):
        state.digit(3)
    assert state.complete and state.current == 6


def test_zero_to_ten_scale_handles_ten_and_one():
    state = FormState(4, 0, 10)
    state.digit(1)
    assert state.answers[0] == 1 and state.pending_one and state.current == 0
    state.digit(0)
    assert state.answers[0] == 10 and state.current == 1
    state.digit(1)
    state.digit(7)  # confirms the 1, then answers the next item with 7
    assert state.answers[1:3] == [1, 7] and state.current == 3
    state.digit(0)
    assert state.answers == [10, 1, 7, 0] and state.complete
    state.go_to(1)
    state.digit(1)
    state.confirm()
    assert state.answers[1] == 1 and state.current == 2
