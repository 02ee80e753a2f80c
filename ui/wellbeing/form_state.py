"""The keyboard behaviour of a wellbeing form, as plain Python (tested without Qt).

Typing an answer's digit answers the current item and moves on; Backspace goes back one item;
Delete clears the current answer; Enter/Right moves on. Scales that reach 10 (ONS4: 0-10) make
"1" ambiguous: it is held as 1 until the next key, and a "0" straight after turns it into 10;
any other key confirms the 1 and is then applied as usual.
"""

from __future__ import annotations


class FormState:
    """Answers being keyed in, the current item, and the pending "1" of a 0-10 scale."""

    def __init__(self, item_count: int, low: int, high: int) -> None:
        self.low, self.high = low, high
        self.answers: list[int | None] = [None] * item_count
        self.current = 0
        self.pending_one = False

    @property
    def item_count(self) -> int:
        return len(self.answers)

    @property
    def answered(self) -> int:
        return sum(a is not None for a in self.answers)

    @property
    def complete(self) -> bool:
        return self.answered == self.item_count

    @property
    def missing(self) -> list[int]:
        return [i + 1 for i, a in enumerate(self.answers) if a is None]

    def go_to(self, index: int) -> None:
        self.pending_one = False
        self.current = max(0, min(self.item_count - 1, index))

    def forward(self) -> None:
        self.go_to(self.current + 1)

    def back(self) -> None:
        self.go_to(self.current - 1)

    def set_answer(self, index: int, value: int | None) -> None:
        """A click on an answer: set it and move on."""
        if value is not None and not self.low <= value <= self.high:
            raise ValueError(f"answers are {self.low} to {self.high}")
        self.answers[index] = value
        self.go_to(index + 1)

    def clear_current(self) -> None:
        self.pending_one = False
        self.answers[self.current] = None

    def digit(self, d: int) -> bool:
        """A digit key; False if it is not an answer on this scale (nothing changes)."""
        if self.pending_one:
            self.pending_one = False
            if d == 0 and self.high >= 10:
                self.answers[self.current] = 10
                self.forward()
                return True
            self.forward()  # the 1 stands; this digit answers the next item
        if self.high >= 10 and d == 1 and self.low <= 1:
            self.answers[self.current] = 1
            self.pending_one = True
            return True
        if not self.low <= d <= self.high:
            return False
        self.answers[self.current] = d
        self.forward()
        return True

    def confirm(self) -> None:
        """Enter or Right: keep the current answer and move on."""
        self.forward()
