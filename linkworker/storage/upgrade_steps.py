"""What a schema upgrade reports while it runs: a kind of step and its numbers.

``Caseload.open(progress=)`` and ``linkworker migrate`` call ``progress(done, total, step)``.
``step`` is an ``UpgradeStep``: it *is* the British English sentence (a ``str``: the command
line prints it, a log can hold it), and it carries its kind and numbers, so a screen can say
the same in the user's language (``ui/upgrade_progress.py`` maps each kind to a translated
text; the core never imports Qt).

Kinds and their numbers:

- ``backup``: the copy made before anything changes; ``name`` is the caseload's file name
  (done/total are bytes written so far / about the size of the copy).
- ``step``: revision ``step`` of ``steps`` is running (done/total: revisions finished / all).
- ``index``: inside that revision, index ``part`` of ``parts`` is being built. A revision that
  builds indexes names them in its ``INDEXES``; each can take a minute at 150,000 people, so
  the bar has a measure inside the step (done/total as for ``step``).
- ``done``: the caseload is up to date.
"""

from __future__ import annotations

BACKUP, STEP, INDEX, DONE = "backup", "step", "index", "done"


class UpgradeStep(str):
    """One report of an upgrade: its English words, with its kind and numbers."""

    kind: str
    step: int
    steps: int
    part: int
    parts: int
    name: str

    def __new__(cls, kind: str, *, step: int = 0, steps: int = 0, part: int = 0,
                parts: int = 0, name: str = "") -> UpgradeStep:
        words = {
            BACKUP: f"Backing up {name} before the update…",
            STEP: f"Updating the caseload: step {step} of {steps}…",
            INDEX: f"Updating the caseload: step {step} of {steps}, index {part} of {parts}…",
            DONE: "The caseload is up to date.",
        }[kind]
        self = super().__new__(cls, words)
        self.kind, self.step, self.steps, self.part, self.parts, self.name = (
            kind, step, steps, part, parts, name)
        return self

    def fraction(self) -> float | None:
        """How far the whole upgrade is when an index starts, or None (nothing measured)."""
        if self.kind != INDEX or not self.steps or not self.parts:
            return None
        return ((self.step - 1) + (self.part - 1) / self.parts) / self.steps


def backing_up(name: str) -> UpgradeStep:
    return UpgradeStep(BACKUP, name=name)


def revision(step: int, steps: int) -> UpgradeStep:
    return UpgradeStep(STEP, step=step, steps=steps)


def building_index(step: int, steps: int, part: int, parts: int) -> UpgradeStep:
    return UpgradeStep(INDEX, step=step, steps=steps, part=part, parts=parts)


UP_TO_DATE = UpgradeStep(DONE)
