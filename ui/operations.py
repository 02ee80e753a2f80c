"""Database work off the GUI thread, one job at a time, announcing what changed.

Modelled on Anki's ``aqt/operations``: views never block on the database. They hand a *work
function* to the ``Runner``; it runs on a single background thread (SQLite has one writer, so
one worker keeps writes in order), and its result comes back to a callback on the GUI thread.
Errors go to the job's own handler or, by default, to one ``failed`` signal the main window
shows. After a write, ``changed`` announces *what* changed (e.g. ``{"people", "contacts"}``) so
each view refreshes only if it cares.

Work functions receive a ``Job`` (the caseload and a progress callback) and must never touch
widgets.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QWidget

from linkworker import logs
from linkworker.errors import UserError
from linkworker.storage.database import Caseload


class Cancelled(Exception):
    """Raised inside a work function when the user cancelled the job."""


@dataclass
class Job:
    """What a work function gets: the caseload, a way to report progress, a cancel flag."""

    caseload: Caseload
    label: str = ""
    _report: Callable[[int, int, str], None] = field(default=lambda *_: None, repr=False)
    _cancel: threading.Event = field(default_factory=threading.Event, repr=False)

    def progress(self, done: int, total: int, text: str = "") -> None:
        if self._cancel.is_set():
            raise Cancelled()
        self._report(done, total, text or self.label)

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()


def friendly_message(exc: BaseException) -> str:
    """What the user reads: our own errors as written, anything else as a short apology."""
    if isinstance(exc, UserError):
        return str(exc)
    return (
        "Something went wrong and nothing was changed. "
        f"({type(exc).__name__}; details are in the log.)"
    )


def _ignore(_value: object) -> None:
    return None


class Runner(QObject):
    """Runs work functions on one background thread and calls back on the GUI thread."""

    changed = Signal(object)  # a frozenset of change tags
    failed = Signal(str)  # a message for the user
    progress = Signal(int, int, str)  # done, total, label
    busy = Signal(bool)
    _deliver = Signal(object)

    def __init__(self, caseload: Caseload, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.caseload = caseload
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="linkworker-db")
        self._pending = 0
        self._current: Job | None = None
        self._deliver.connect(self._on_deliver, Qt.ConnectionType.QueuedConnection)

    # --- public API -----------------------------------------------------------------------

    def run(
        self,
        work: Callable[[Job], Any],
        done: Callable[[Any], None] | None = None,
        *,
        failed: Callable[[BaseException], None] | None = None,
        changes: Iterable[str] = (),
        label: str = "",
    ) -> Future:
        """Queue ``work(job)``; then ``done(result)`` (or ``failed(exc)``) on the GUI thread.

        ``changes`` are announced through ``changed`` after a successful write.
        """
        job = Job(self.caseload, label, self._report_progress)
        self._pending += 1
        if self._pending == 1:
            self.busy.emit(True)
        return self._pool.submit(self._execute, job, work, done, failed, frozenset(changes))

    def cancel_current(self) -> None:
        if self._current is not None:
            self._current._cancel.set()

    def is_busy(self) -> bool:
        return self._pending > 0

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)

    # --- internals ------------------------------------------------------------------------

    def _execute(self, job, work, done, failed, changes) -> None:
        self._current = job
        try:
            result = work(job)
        except BaseException as exc:  # every failure goes back to the GUI
            if not isinstance(exc, UserError | Cancelled):
                # The message and values may name a person: the report keeps only where.
                logs.report_exception(exc)
            self._deliver.emit((failed, exc, None, frozenset()))
        else:
            self._deliver.emit((done, None, result, changes))
        finally:
            self._current = None

    def _report_progress(self, done: int, total: int, text: str) -> None:
        self.progress.emit(done, total, text)  # queued to the GUI thread by Qt

    @Slot(object)
    def _on_deliver(self, payload) -> None:
        callback, exc, result, changes = payload
        self._pending -= 1
        owner = getattr(callback, "__self__", None)
        if isinstance(owner, QObject) and not shiboken6.isValid(owner):
            callback = _ignore  # the view that asked was closed before the answer came
        try:
            if exc is not None:
                if isinstance(exc, Cancelled):
                    pass
                elif callback is not None:
                    callback(exc)
                else:
                    self.failed.emit(friendly_message(exc))
            else:
                if callback is not None:
                    callback(result)
                if changes:
                    self.changed.emit(changes)
        finally:
            if self._pending == 0:
                self.busy.emit(False)


def while_alive(widget: QWidget, callback: Callable[..., Any]) -> Callable[..., None]:
    """Wrap a runner callback so it does nothing once ``widget`` has been deleted.

    A result can arrive after its dialog or tab was closed; calling into a deleted widget
    would crash the app.
    """

    def call(*args: Any) -> None:
        if shiboken6.isValid(widget):
            callback(*args)

    return call
