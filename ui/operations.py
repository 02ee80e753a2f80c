"""Database work off the GUI thread: one writer, a pool of readers, a background lane.

Modelled on Anki's ``aqt/operations``: views never block on the database. They hand a *work
function* to the ``Runner`` and its result comes back to a callback on the GUI thread. There
are three lanes, so nothing a user looks at waits behind something slow:

* ``run``: the one writer thread (SQLite has one writer; one thread keeps writes in order).
  After a write, ``changed`` announces a typed ``Changes`` record of *what* changed (tags such
  as ``{"people", "contacts"}``, and the people touched when known) so each view refreshes
  only if it cares.
* ``read``: a pool of ``READERS`` threads for the pages' queries (WAL lets them read beside
  the writer). A read given a ``supersede`` key replaces the older read with the same key:
  the older one is dropped if it has not started and interrupted if it has (a newer keystroke
  supersedes an older search). Reads that ``yields`` (housekeeping counts) run on a thread of
  their own, so they never hold a reader a user's read needs.
* ``background``: one thread for long reads a user asked for (exports), so a three-minute
  export never delays a page. Housekeeping (``quiet``: the page check, the daily backup) has
  a thread of its own beside it, so an export never queues behind a backup that is already
  copying (the copy is one ``VACUUM INTO``: a consistent snapshot that cannot pause for
  other work on its thread). Work that should begin only once the user is idle (the daily
  backup) waits for that on a thread of its own (``background_when_idle``) and only then
  takes its place on its lane: an export asked for meanwhile does not wait behind the wait.

The user's reads come first (``Foreground``): while one is queued or running, and for a
moment after (its rows still being put on screen), background jobs and housekeeping reads
step aside, between their own steps and from inside SQLite (``stepping_aside``). Python is
one core at a time (the GIL), so a page check hashing pages beside a search would otherwise
make every row of the search wait its turn.

Each job's progress is its own: a caller that shows it passes ``progress=`` (a callback, run
on the GUI thread with that job's reports only), so an export's dialog never shows the
backup's progress. The shared ``progress`` signal (the window's status bar) carries only the
reports of jobs that are neither housekeeping nor shown anywhere of their own.

Errors go to the job's own handler or, by default, to one ``failed`` signal the main window
shows; a damaged page met by any query goes to ``damaged`` instead (the window offers a
restore). Work functions receive a ``Job`` (the caseload and a progress callback) and must
never touch widgets.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

import shiboken6
from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

from linkworker import logs, memory
from linkworker.access import PermissionDenied
from linkworker.errors import UserError
from linkworker.storage.database import (
    BACKGROUND_CACHE_MB,
    BACKGROUND_STEPS,
    WRITER_CACHE_MB,
    Caseload,
    interruptible,
    looks_damaged,
    stepping_aside,
    use_cache,
)
from ui.i18n import translate

Progress = Callable[[int, int, str], None]  # done, total, text
READERS = 2  # the laptops we aim at have two cores
# After the user's last read ends, background work waits this much longer: the rows are
# still being put on screen, and the next keystroke's search is usually on its way.
LINGER_S = 0.3
# The writer's and background lanes' page cache, and how often their queries look up to step
# aside (``storage.database.BACKGROUND_STEPS``): a user's save or search never waits long.
WRITER_LANE = (WRITER_CACHE_MB, BACKGROUND_STEPS)
BACKGROUND_LANE = (BACKGROUND_CACHE_MB, BACKGROUND_STEPS)
# After the last answer (or a page left, a record or dialog closed), this long with nothing
# asked for: the C heap's free pages go back to the system (``memory.give_back``).
SETTLE_MS = 1000
# ... or, while answers keep coming (a long list scrolled page after page), at most this long
# after the last give-back: the free pages would otherwise pile up through the whole scroll.
# A give-back takes about a millisecond, and the pages it hands back are the few a read
# takes again (a fault each): far less than a keystroke's read.
SETTLE_LONGEST_S = 3.0


class Foreground:
    """The reads a user is waiting for; background work waits (``wait_until_quiet``) while
    any is queued or running, and for ``LINGER_S`` after the last."""

    def __init__(self, linger_s: float = LINGER_S) -> None:
        self.linger_s = linger_s
        self._changed = threading.Condition()
        self._waiting_for = 0
        self._last_end = 0.0
        self._closed = False

    def begin(self) -> None:
        with self._changed:
            self._waiting_for += 1

    def end(self) -> None:
        with self._changed:
            self._waiting_for -= 1
            self._last_end = time.monotonic()
            self._changed.notify_all()

    def hold(self, seconds: float) -> None:
        """The user is busy with something that will soon ask for reads (keys typed into a
        search): background work steps aside from now until ``seconds`` from now, as if a read
        ended then, and then goes on by itself. A key holds it back before its own search is
        even queued (the search box waits for the typing to rest), so housekeeping part way
        through a step has reached its next pause when the search runs (issue 15)."""
        with self._changed:
            self._last_end = max(self._last_end, time.monotonic() + seconds - self.linger_s)

    def close(self) -> None:
        """Shutting down: nothing waits for the user any more."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def _quiet_in(self) -> float:
        """0 when quiet; else how long to wait before asking again."""
        if self._closed:
            return 0.0
        if self._waiting_for:
            return 0.05
        return max(0.0, self._last_end + self.linger_s - time.monotonic())

    def busy(self) -> bool:
        with self._changed:
            return self._quiet_in() > 0

    def wait_until_quiet(self, cancelled: threading.Event) -> None:
        with self._changed:
            while not cancelled.is_set() and (wait := self._quiet_in()) > 0:
                self._changed.wait(wait)

    def wait_until_idle(self, idle_s: float, cancelled: threading.Event,
                        longest_s: float | None = None) -> None:
        """Wait until the user has asked for nothing for ``idle_s`` (at once if they never
        have): for work too long to step aside often enough, such as the daily backup. After
        ``longest_s`` it waits only for quiet (``wait_until_quiet``), so a user who never
        pauses still gets the work done, never in the middle of one of their reads."""
        give_up = time.monotonic() + (float("inf") if longest_s is None else longest_s)
        with self._changed:
            while not cancelled.is_set() and not self._closed:
                now = time.monotonic()
                if self._waiting_for or now >= give_up:
                    wait = self._quiet_in()
                else:
                    idle_in = self._last_end + idle_s - now if self._last_end else 0.0
                    wait = min(idle_in, give_up - now)
                if wait <= 0:
                    return
                self._changed.wait(min(wait, 0.25))  # a cancel sets no condition: look again


class Cancelled(Exception):
    """Raised inside a work function when the user cancelled the job."""


@dataclass(eq=False)
class Job:
    """What a work function gets: the caseload, a way to report progress, a cancel flag."""

    caseload: Caseload
    label: str = ""
    _report: Callable[[int, int, str], None] = field(default=lambda *_: None, repr=False)
    _cancel: threading.Event = field(default_factory=threading.Event, repr=False)
    track: bool = False  # a writer or background job (``cancel_current`` reaches it)
    quiet: bool = False  # housekeeping: not shown as busy, cancelled on shutdown
    _foreground: Foreground | None = field(default=None, repr=False)  # yields to it if set

    def progress(self, done: int, total: int, text: str = "") -> None:
        if self._cancel.is_set():
            raise Cancelled()
        self._report(done, total, text or self.label)

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def step_aside(self) -> None:
        """Between steps of background work: wait while the user's reads run (or return at
        once, for a job that does not yield)."""
        if self._foreground is not None:
            self._foreground.wait_until_quiet(self._cancel)

    def wait_for_idle(self, idle_s: float, longest_s: float | None = None) -> None:
        """Before background work that should not begin while the user is busy: wait until
        the user's reads have left ``idle_s`` of quiet, or ``longest_s`` has passed and no read
        is running (at once for a job that does not yield)."""
        if self._foreground is not None:
            self._foreground.wait_until_idle(idle_s, self._cancel, longest_s)


# A tag for a change whose screen says the outcome itself ("Goal added" in the record's status
# line): the window's message bar then adds no "Saved." beside it (one message, not two).
SAID = "said"


class Changes(frozenset):
    """What an operation changed, as views read it: the tags (a frozenset, so ``tags &
    CARES_ABOUT`` works) plus the ids of the people it touched, when the operation knows them
    (empty: anyone may have changed)."""

    person_ids: frozenset[str]

    def __new__(cls, tags: Iterable[str] = (), person_ids: Iterable[str] = ()) -> Changes:
        record = super().__new__(cls, tags)
        record.person_ids = frozenset(person_ids)
        return record

    def __repr__(self) -> str:
        return f"Changes({sorted(self)!r}, people={len(self.person_ids)})"


# Who was refused, for the role refusal above (the core's message is English only).
WHO = {"admin": QT_TRANSLATE_NOOP("operations", "An admin"),
       "manager": QT_TRANSLATE_NOOP("operations", "A manager"),
       "link_worker": QT_TRANSLATE_NOOP("operations", "A link worker"),
       "coordinator": QT_TRANSLATE_NOOP("operations", "A coordinator")}


def friendly_message(exc: BaseException) -> str:
    """What the user reads: our own errors as written, anything else as a short apology."""
    if isinstance(exc, PermissionDenied) and exc.role in WHO:
        return translate("operations", "{who} may not do this ({permission}). Ask a manager or "
                         "admin if you need to.").format(who=translate("operations", WHO[exc.role]),
                                                         permission=exc.permission)
    if isinstance(exc, UserError):
        return str(exc)  # the core's own words: English (docs/translations.md)
    return (
        translate("operations", "Something went wrong and nothing was changed. ({error}; "
                  "details are in the log.)").format(error=type(exc).__name__)
    )


def _ignore(_value: object) -> None:
    return None


class Runner(QObject):
    """Runs work functions off the GUI thread (writer, readers, background) and calls back on
    the GUI thread."""

    changed = Signal(object)  # a Changes record (a frozenset of tags)
    failed = Signal(str)  # a message for the user
    damaged = Signal(str)  # a query met a damaged page: offer a restore
    progress = Signal(int, int, str)  # done, total, label: jobs with no ``progress=`` of their own
    busy = Signal(bool)
    # Both carry only a key: what the key stands for stays on the GUI thread (``_held``).
    _deliver = Signal(object)  # a job's key: its answer is in ``_answers``
    _call = Signal(object)  # a key of ``_waiting``: work whose wait for idle has ended
    _progressed = Signal(object)  # (a job's own progress callback, done, total, text)

    def __init__(self, caseload: Caseload, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.caseload = caseload
        # Only the readers keep a big page cache: the pages' queries re-read the same index
        # pages; a save or a check does not (``storage.database.use_cache``).
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="linkworker-write",
                                        initializer=use_cache, initargs=WRITER_LANE)
        self._readers = ThreadPoolExecutor(max_workers=READERS,
                                           thread_name_prefix="linkworker-read")
        self._slow = ThreadPoolExecutor(max_workers=1, thread_name_prefix="linkworker-slow",
                                        initializer=use_cache, initargs=BACKGROUND_LANE)
        # Housekeeping's own long lane (the page check, the daily backup): an export asked for
        # while the backup copies starts at once instead of waiting for the whole copy.
        self._housekeeping = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="linkworker-housekeeping",
            initializer=use_cache, initargs=BACKGROUND_LANE)
        # Reads that yield (counts nobody is looking at a cursor for) have their own thread:
        # on the readers, two of them waiting for the user's search to finish would hold both
        # threads, and the search would wait for them for ever.
        self._counts = ThreadPoolExecutor(max_workers=1, thread_name_prefix="linkworker-count",
                                          initializer=use_cache, initargs=BACKGROUND_LANE)
        self._pending = 0
        # Of those, the jobs a user waits on: only they show as ``busy`` (the status bar's busy
        # bar). Work that steps aside for the user (``yields``: counts, the stage sweep) runs
        # for seconds at 150,000 people, and the bar's animation then repainted the status bar
        # and the window under it all through the user's typing (issue 15).
        self._waited_on = 0
        self._aside: set[int] = set()  # the keys of the others
        # What each queued job needs (the job, its work function, its callbacks), held here on
        # the GUI thread until its answer is delivered: a runner thread never drops the last
        # reference to a view's callback or closure, whose widget would then be deleted on
        # that thread (a segfault seen in tests/security; ``test_job_lanes``).
        self._keys = itertools.count()
        self._held: dict[int, tuple] = {}
        self._answers: dict[int, tuple[BaseException | None, Any]] = {}
        self._waiting: dict[int, Callable[[], Any]] = {}
        self._running: set[Job] = set()  # writer and background jobs now running
        self._latest: dict[str, Job] = {}  # supersede key -> the newest read for it
        self._quiet: set[Job] = set()  # housekeeping still to finish
        # Waits for the user to be idle before background work (``background_when_idle``).
        self._idle = ThreadPoolExecutor(max_workers=1, thread_name_prefix="linkworker-idle")
        self._idle_cancel = threading.Event()
        self._closed = False
        self.foreground = Foreground()  # the reads the user waits for
        self._deliver.connect(self._on_deliver, Qt.ConnectionType.QueuedConnection)
        self._call.connect(self._on_call, Qt.ConnectionType.QueuedConnection)
        self._progressed.connect(self._on_progressed, Qt.ConnectionType.QueuedConnection)
        self._settle = QTimer(self, singleShot=True, interval=SETTLE_MS, timeout=self._settled)
        self.given_back = 0  # how often the heap's free pages went back (``_give_back``)
        self._settle_began = time.monotonic()  # when the wait for quiet began

    # --- public API -----------------------------------------------------------------------

    def run(
        self,
        work: Callable[[Job], Any],
        done: Callable[[Any], None] | None = None,
        *,
        failed: Callable[[BaseException], None] | None = None,
        changes: Iterable[str] = (),
        label: str = "",
        yields: bool = False,
        progress: Progress | None = None,
    ) -> Future:
        """Queue ``work(job)`` on the writer; then ``done(result)`` (or ``failed(exc)``) on the
        GUI thread. ``changes`` (tags, or a ``Changes``) are announced through ``changed``
        after a successful write. Work that ``yields`` (housekeeping nobody waits for, such as
        the start-up stage sweep) steps aside for the user's reads while it reads
        (``Job.step_aside``, and inside SQLite), never inside its write transaction.
        ``progress(done, total, text)`` gets this job's reports (``job.progress``) on the GUI
        thread; without it they go to the shared ``progress`` signal.
        """
        record = changes if isinstance(changes, Changes) else Changes(changes)
        return self._submit(self._pool, work, done, failed, record, label, track=True,
                            yields=yields, progress=progress)

    def read(
        self,
        work: Callable[[Job], Any],
        done: Callable[[Any], None] | None = None,
        *,
        failed: Callable[[BaseException], None] | None = None,
        label: str = "",
        supersede: str | None = None,
        yields: bool = False,
        progress: Progress | None = None,
    ) -> Future:
        """Queue a query on the reader pool (it must not write). A newer read with the same
        ``supersede`` key cancels this one: its ``done`` is then never called. A read that
        ``yields`` (counts, totals: nobody is looking at a cursor for it) steps aside for the
        others, on a thread of its own (never one a user's read needs)."""
        return self._submit(self._counts if yields else self._readers, work, done, failed,
                            Changes(), label, track=False, supersede=supersede, yields=yields,
                            progress=progress)

    def drop(self, supersede: str) -> None:
        """Cancel the newest read with this ``supersede`` key, if any: its answer is no longer
        wanted (a keystroke made the last search's whole list moot)."""
        job = self._latest.get(supersede)
        if job is not None:
            job._cancel.set()

    def background(
        self,
        work: Callable[[Job], Any],
        done: Callable[[Any], None] | None = None,
        *,
        failed: Callable[[BaseException], None] | None = None,
        label: str = "",
        quiet: bool = False,
        progress: Progress | None = None,
    ) -> Future:
        """Queue a long read (an export) on its own lane. A ``quiet`` job is housekeeping (a
        page check, a backup): it never shows as busy, closing the window cancels it, and it
        runs on the housekeeping lane, so it never holds up an export. Every background job
        steps aside while the user's reads run (``Foreground``)."""
        lane = self._housekeeping if quiet else self._slow
        return self._submit(lane, work, done, failed, Changes(), label, track=True,
                            quiet=quiet, yields=True, progress=progress)

    def background_when_idle(
        self,
        work: Callable[[Job], Any],
        done: Callable[[Any], None] | None = None,
        *,
        idle_s: float,
        longest_s: float | None = None,
        failed: Callable[[BaseException], None] | None = None,
        label: str = "",
        quiet: bool = False,
        progress: Progress | None = None,
    ) -> None:
        """Queue ``work`` on the background lane once the user has asked for nothing for
        ``idle_s`` (or ``longest_s`` has passed, between two of their reads; see
        ``Foreground.wait_until_idle``). The wait runs on a thread of its own, so the lane
        stays free meanwhile: an export asked for during the wait starts at once, and the
        work then queues behind it. Shutting down ends the wait and drops the work."""

        if self._closed:
            return
        key = next(self._keys)
        self._waiting[key] = lambda: self.background(work, done, failed=failed, label=label,
                                                     quiet=quiet, progress=progress)

        def wait() -> None:  # holds only the key (see ``_held``)
            self.foreground.wait_until_idle(idle_s, self._idle_cancel, longest_s)
            if self._idle_cancel.is_set():
                return  # shutting down: nothing to queue
            self._call.emit(key)

        self._idle.submit(wait)

    def settle(self) -> None:
        """Something was let go (an answer put on screen, a page left, a record or dialog
        closed): once nothing more is asked for during ``SETTLE_MS``, give the C heap's free
        pages back (``_settled``). Each call starts the wait again, so a keystroke's read
        never meets it; while answers keep coming, every ``SETTLE_LONGEST_S`` at most."""
        if self._closed:
            return
        if not self._settle.isActive():
            self._settle_began = time.monotonic()
        self._settle.start()
        self._give_back_if_long()

    def settling(self) -> bool:
        """Is a give-back still to come (``settle`` called, not yet quiet long enough)?"""
        return self._settle.isActive()

    def _settled(self) -> None:
        """Quiet for ``SETTLE_MS``: the pages' reads have freed what they will. While a user's
        job is still queued or running (an export for minutes), look again a moment later."""
        if self._pending or self.foreground.busy():
            self._settle.start()
            self._give_back_if_long()
        else:
            self._give_back()

    def _give_back_if_long(self) -> None:
        """Busy for ``SETTLE_LONGEST_S`` since the wait began (a list scrolled page after page,
        an export): give back now, or the free pages would pile up through all of it."""
        if time.monotonic() - self._settle_began >= SETTLE_LONGEST_S:
            self._give_back()

    def _give_back(self) -> None:
        self.given_back += memory.give_back()
        self._settle_began = time.monotonic()

    def cancel_current(self) -> None:
        """Cancel the writer's and the background lane's running jobs."""
        for job in list(self._running):
            job._cancel.set()

    def is_busy(self) -> bool:
        return self._pending > 0

    def shutdown(self) -> None:
        """Drop queued reads, stop running ones, and finish the writer's queued work."""
        self._closed = True
        self._settle.stop()
        for job in (*self._latest.values(), *self._quiet):
            job._cancel.set()
        self._idle_cancel.set()
        self.foreground.close()
        self._idle.shutdown(wait=True, cancel_futures=True)
        self._readers.shutdown(wait=True, cancel_futures=True)
        self._counts.shutdown(wait=True, cancel_futures=True)
        self._housekeeping.shutdown(wait=True)
        self._slow.shutdown(wait=True)
        self._pool.shutdown(wait=True)
        from linkworker.apart import end_spares

        end_spares()  # a process started early for a build nobody will ask for now
        # On the GUI thread, now that no runner thread holds anything: what never ran goes.
        self._waiting.clear()
        for key in [key for key in self._held if key not in self._answers]:
            del self._held[key]

    # --- internals ------------------------------------------------------------------------

    def _submit(self, pool, work, done, failed, changes: Changes, label: str, *,
                track: bool, supersede: str | None = None, quiet: bool = False,
                yields: bool = False, progress: Progress | None = None) -> Future:
        if self._closed and pool is self._pool:  # a change after the close would be lost
            raise RuntimeError("The caseload has closed: this change was not saved.")
        if self._closed:  # the window is closing: a late search or refresh is dropped quietly
            dropped: Future = Future()
            dropped.cancel()
            return dropped
        job = Job(self.caseload, label, self._reporter(progress, quiet), track=track,
                  quiet=quiet, _foreground=self.foreground if yields else None)
        if pool is self._readers and not yields:
            self.foreground.begin()  # ended when the job has run (or was dropped unrun)
        key = next(self._keys)
        self._held[key] = (job, work, done, failed, changes)
        if quiet:
            self._quiet.add(job)
            return pool.submit(self._execute, key)
        if supersede is not None:
            older = self._latest.get(supersede)
            if older is not None:
                older._cancel.set()
            self._latest[supersede] = job
        self._pending += 1
        if yields and pool is not self._slow:  # an export (the slow lane) is waited on
            self._aside.add(key)
        else:
            self._waited_on += 1
            if self._waited_on == 1:
                self.busy.emit(True)
        return pool.submit(self._execute, key)

    def _execute(self, key: int) -> None:
        """On a runner thread: run the job, leave its answer in ``_answers``, and let go of
        everything it touched *before* telling the GUI thread, which then holds the last
        references (``_held``) and drops them itself."""
        job, work = self._held[key][:2]
        if job.track:
            self._running.add(job)
        self._answers[key] = self._outcome(job, work)
        self._running.discard(job)
        ends_a_read = not job.track and job._foreground is None
        del job, work
        self._deliver.emit(key)
        if ends_a_read:
            self.foreground.end()

    @staticmethod
    def _outcome(job: Job, work: Callable[[Job], Any]) -> tuple[BaseException | None, Any]:
        """(None, result), or (the error, None); every failure goes back to the GUI."""
        try:
            if job.cancelled:
                raise Cancelled()
            aside = stepping_aside(job.step_aside) if job._foreground else nullcontext()
            with interruptible(lambda: job._cancel.is_set()), aside:
                return None, work(job)
        except BaseException as exc:
            # A cancelled or superseded query stopped part way is not an error.
            error = Cancelled() if job.cancelled else exc
            if not isinstance(error, UserError | Cancelled) and not looks_damaged(error):
                # The message and values may name a person: the report keeps only where.
                logs.report_exception(error)
            return error, None

    @Slot(object)
    def _on_call(self, key: int) -> None:
        function = self._waiting.pop(key, None)
        if function is not None and not self._closed:  # dropped if the runner shut down
            function()

    def _reporter(self, progress: Progress | None, quiet: bool) -> Progress:
        """Where a job's ``job.progress`` goes (called on its worker thread): its own
        callback, else the shared signal, else (housekeeping shown nowhere) nowhere."""
        if progress is not None:
            return lambda done, total, text: self._progressed.emit((progress, done, total, text))
        if quiet:
            return lambda *_: None
        return self.progress.emit  # queued to the GUI thread by Qt

    @Slot(object)
    def _on_progressed(self, report) -> None:
        callback, done, total, text = report
        owner = getattr(callback, "__self__", None)
        if isinstance(owner, QObject) and not shiboken6.isValid(owner):
            return  # the view that asked was closed while the job ran
        callback(done, total, text)

    @Slot(object)
    def _on_deliver(self, key: int) -> None:
        self.settle()
        job, _work, done, failed, changes = self._held.pop(key)
        exc, result = self._answers.pop(key)
        callback = failed if exc is not None else done
        if exc is not None:
            changes = Changes()
        if job.quiet:
            self._quiet.discard(job)
            self._answer(callback, exc, result, changes)
            return
        self._pending -= 1
        waited_on = key not in self._aside
        self._aside.discard(key)
        self._waited_on -= waited_on
        if not job.track and job.cancelled:
            callback = _ignore  # superseded after it finished: a newer answer is coming
        try:
            self._answer(callback, exc, result, changes)
        finally:
            # and when all is done (a yielding job's own progress may have shown the bar)
            if self._waited_on == 0 and (waited_on or self._pending == 0):
                self.busy.emit(False)

    def _answer(self, callback, exc, result, changes) -> None:
        owner = getattr(callback, "__self__", None)
        if isinstance(owner, QObject) and not shiboken6.isValid(owner):
            callback = _ignore  # the view that asked was closed before the answer came
        if exc is not None:
            if isinstance(exc, Cancelled):
                pass
            elif looks_damaged(exc):
                self.damaged.emit("A check found damage in the caseload file.")
            elif callback is not None:
                callback(exc)
            else:
                self.failed.emit(friendly_message(exc))
        else:
            if callback is not None:
                callback(result)
            if changes:
                self.changed.emit(changes)



def while_alive(widget: QWidget, callback: Callable[..., Any]) -> Callable[..., None]:
    """Wrap a runner callback so it does nothing once ``widget`` has been deleted.

    A result can arrive after its dialog or tab was closed; calling into a deleted widget
    would crash the app.
    """

    def call(*args: Any) -> None:
        if shiboken6.isValid(widget):
            callback(*args)

    return call
