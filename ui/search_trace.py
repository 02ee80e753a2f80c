"""A keystroke's way to the screen, phase by phase: ``LINKWORKER_SEARCH_TRACE=1`` (issue 15).

Off by default and then free: the caseload list calls ``mark`` at each phase and it returns at
once. On, each search prints one line to stderr once its first rows are painted: the time
from the key (the search text changing) to the query being asked for, to a reader starting
it, the reader's SQL (wall and the reader thread's CPU), its delivery to the GUI thread, the
model taking the rows, and the paint (the table's viewport, timed around Qt's own paint).
Nothing typed is printed (a name is personal data): only its length. A superseded search's
line says so. For evidence on a real caseload, beside ``python -m bench --only search``."""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import QTableView

ON = bool(os.environ.get("LINKWORKER_SEARCH_TRACE"))
SETTLED_MS = 250
PHASES = ("asked", "started", "sql", "delivered", "model", "painted")


class SearchTrace:
    """The phases of the newest search (perf_counter seconds from its key)."""

    def __init__(self) -> None:
        self.key_at: float | None = None
        self.length = 0
        self.marks: dict[str, float] = {}
        self.sql_cpu = 0.0
        self.number = 0

    def key(self, length: int) -> None:
        """A key: a new search begins (an unfinished one is reported as superseded)."""
        if not ON:
            return
        if self.key_at is not None and "painted" not in self.marks:
            self._report(superseded=True)
        self.key_at, self.length, self.marks, self.sql_cpu = time.perf_counter(), length, {}, 0.0

    def mark(self, phase: str, cpu: float = 0.0) -> None:
        """This search reached ``phase`` (from any thread); ``cpu``: the reader's, for "sql"."""
        if not ON or self.key_at is None or phase in self.marks:
            return
        self.marks[phase] = time.perf_counter()
        self.sql_cpu += cpu
        if phase == "model":  # a key that changes nothing on screen paints nothing
            key = self.key_at
            QTimer.singleShot(SETTLED_MS, lambda: self._settled(key))

    def _settled(self, key: float | None) -> None:
        """``SETTLED_MS`` after the rows were put in the model no paint has come: nothing on
        screen changed (a zero timer fired before Qt's paint, which comes from the backing
        store's own update request)."""
        if key == self.key_at and "model" in self.marks and "painted" not in self.marks:
            self.marks["painted"] = self.marks["model"]
            self._report(superseded=False, note=" (nothing repainted)")

    def painted(self) -> None:
        """The viewport finished a paint: the end of this key, once its rows are in the model."""
        if ON and self.key_at is not None and "model" in self.marks \
                and "painted" not in self.marks:
            self.mark("painted")
            self._report(superseded=False)

    def _report(self, *, superseded: bool, note: str = "") -> None:
        self.number += 1
        at, parts = self.key_at or 0.0, []
        last = at
        for phase in PHASES:
            if phase in self.marks:
                parts.append(f"{phase} +{(self.marks[phase] - last) * 1000:.1f}")
                last = self.marks[phase]
        total = (last - at) * 1000
        print(f"search key {self.number} ({self.length} chars): {total:.1f} ms = "
              + ", ".join(parts) + f" ms; reader CPU {self.sql_cpu * 1000:.1f} ms"
              + (" (superseded)" if superseded else note), file=sys.stderr, flush=True)


class TracedTable(QTableView):
    """The caseload's table when tracing: tells the trace when each viewport paint ends."""

    def __init__(self, trace: SearchTrace) -> None:
        super().__init__()
        self._trace = trace

    def viewportEvent(self, event: QEvent) -> bool:  # Qt API
        handled = super().viewportEvent(event)
        if event.type() == QEvent.Type.Paint:
            self._trace.painted()
        return handled


def table(trace: SearchTrace) -> QTableView:
    """A plain table, or one that reports its paints when tracing is on."""
    return TracedTable(trace) if ON else QTableView()
