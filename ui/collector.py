"""Python's cycle collector, run on the GUI thread only.

Python collects reference cycles in whichever thread happens to allocate. A cycle that holds a
Qt widget (a lambda or slot that refers back to its own view) collected on one of the runner's
background threads deletes that widget there, while the GUI thread may be painting it or
delivering its events: Qt then crashes. So, as Anki does (``aqt/__init__.py``), automatic
collection is switched off while the window runs and the GUI thread collects on a timer, by the
same generation thresholds Python itself would use.
"""

from __future__ import annotations

import functools
import gc

from PySide6.QtCore import QObject, QTimer

CHECK_EVERY_MS = 1000


def collect_when_due(thresholds: tuple[int, ...] | None = None) -> int:
    """Collect the generations whose counts passed their thresholds; how many were freed."""
    limits = thresholds or gc.get_threshold()
    counts = gc.get_count()
    freed = 0
    for generation in range(3):
        if counts[generation] <= limits[generation]:
            break
        freed += gc.collect(generation)
    return freed


@functools.cache  # once a process
def freeze_start_up() -> None:
    """Once the window's first rows are up: take everything start-up made (modules, the ORM's
    mappings, the window's widgets) out of the collector's sight (``gc.freeze``), so a full
    collection on the GUI thread looks only at what came after: a few ms instead of tens,
    which would otherwise land in the middle of a keystroke (issue 15). Cycles among those
    objects are never collected; they live as long as the window anyway. Once a process: a
    second window (after a restore) has nothing of start-up's left to hide."""
    gc.freeze()


class GuiThreadCollector(QObject):
    """Owns the timer; switches automatic collection off for as long as it lives."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self, interval=CHECK_EVERY_MS, timeout=self.check)
        self.timer.start()
        self.destroyed.connect(lambda *_: gc.enable())

    def check(self) -> None:
        collect_when_due(self._thresholds)
