"""Heavy reads in a process of their own, so the window never holds what they read (issue 15:
under 400 MB at 150,000 people whatever pages are opened).

Python keeps small objects in 1 MiB arenas and gives one back to the operating system only
when every object in it has gone (``linkworker.memory``). The Reports page's builds (the
return, the wellbeing summary) read hundreds of thousands of rows to keep a few thousand
values: in the window's process those few pinned the arenas the rows had filled, and each
rebuild left more (stop 25: 425 MB after one round of Reports at 150,000 people, 474 after
two). ``run`` calls such a build in a spawned process and hands back only its result, sent
down a pipe: the process's arenas go with it, and the window unpickles the result into
arenas of its own, packed together.

How the process is run, as the export's workers are (``io/export_workers.py``):

* **Spawned** (what Windows does anyway; nothing of the caller's threads or open files is
  copied), without the caller's main module (``without_main``). The frozen app's entry point
  calls ``multiprocessing.freeze_support()``.
* **The key goes down the pipe**, never a command line, the environment, a file or a log;
  the result comes back up it. Nothing is written to a temporary file.
* **It never outlives its work**: it ends with its parent (``end_with_parent``), and the
  caller ends it when its ``stop`` says so (Cancel) or anything fails, before ``run`` returns.
* **A failure is the exception itself** (a ``UserError``'s words reach the screen as they
  would have from the window's own thread); a process that vanished is ``WorkerLost``.
* Small caseloads (under ``APART_PEOPLE``) are built in the caller: starting a process costs
  about a second, more than such a build and more than its memory is worth.
* **A spare, started early** (``warm``): the page asks for one when it opens and after each
  build, so the second's start and imports pass while the user chooses what to build next.
  One process does one piece of work and ends; a spare nobody uses ends after
  ``SPARE_IDLE_S``, and ``end_spares`` ends it with the window.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import multiprocessing.connection
import os
import pickle
import sys
import threading
import time
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from linkworker.errors import UserError

APART_PEOPLE = 20_000  # from this many people (highest person rowid), builds run apart
POLL_S = 0.1  # how often the caller looks at ``stop`` while it waits
START_S = 120.0  # a process that has not said it is ready by then (a very busy machine) failed
LOST = ("The work stopped because its process ended unexpectedly; nothing was changed. Try "
        "again; if it happens again, restart LinkWorker.")
STOPPED = "Stopped; nothing was changed."
SPARE_IDLE_S = 300.0  # a spare that has had no work for this long ends
# What a spare imports while it waits: the builds the Reports page asks for.
WARM_MODULES = ("linkworker.returns.flow", "linkworker.wellbeing.summaries")
T = TypeVar("T")
Progress = Callable[[int, int, str], None]


class WorkerLost(UserError):
    """The process ended without saying why (killed, or out of memory)."""


class WorkStopped(UserError):
    """The caller's ``stop`` said so (Cancel, or the window closing); nothing was changed."""


def is_big(caseload: Any) -> bool:
    """Is the caseload big enough for its heavy builds to run apart? (A file, and
    ``APART_PEOPLE`` people or more by the highest rowid: one look at the index's end.)"""
    if APART_PEOPLE <= 0:
        return Path(str(caseload.path)).is_file()
    with caseload.rows() as connection:
        highest = connection.exec_driver_sql("SELECT max(rowid) FROM people").scalar()
    return (highest or 0) >= APART_PEOPLE and Path(str(caseload.path)).is_file()


def run(caseload: Any, function: Callable[..., T], *args: Any, progress: Progress | None = None,
        stop: Callable[[], bool] | None = None, **kwargs: Any) -> T:
    """``function(caseload, *args, **kwargs)``, in a spawned process when the caseload is big
    (``is_big``), else here. ``function`` must be a module's own (spawn imports it by name);
    with ``progress``, it is passed ``progress=`` and its reports come back to ``progress``
    here. ``stop`` is asked every ``POLL_S``: once it says True the process is ended and
    ``WorkStopped`` raised."""
    if not is_big(caseload):
        if progress is not None:
            kwargs["progress"] = progress
        return function(caseload, *args, **kwargs)
    work = (function, args, kwargs, progress is not None)
    spare = _take_spare(caseload.path)
    if spare is not None:
        with spare:
            try:
                spare.send(work)
                return spare.result(progress or (lambda *_: None), stop or (lambda: False))
            except (WorkerLost, OSError):
                if spare.taken:
                    raise
                # It ended (idle) as the work was sent: a new process does it, below.
    with _Process(caseload.path, caseload.key) as process:
        process.send(work)
        return process.result(progress or (lambda *_: None), stop or (lambda: False))


_spares: dict[Path, _Process] = {}
_spares_lock = threading.Lock()


def warm(caseload: Any) -> None:
    """Have a process ready for the next ``run`` on this caseload (when it is big): started,
    its modules imported and its connection made while the user chooses what to build."""
    if not is_big(caseload):
        return
    with _spares_lock:
        spare = _spares.get(caseload.path)
        if spare is None or not spare.process.is_alive():
            if spare is not None:
                spare.close()
            _spares[caseload.path] = _Process(caseload.path, caseload.key)


def end_spares() -> None:
    """End every spare now (the window is closing)."""
    with _spares_lock:
        spares = list(_spares.values())
        _spares.clear()
    for spare in spares:
        spare.close()


def _take_spare(path: Path) -> _Process | None:
    with _spares_lock:
        spare = _spares.pop(path, None)
    if spare is not None and not spare.process.is_alive():
        spare.close()
        return None
    return spare


class _Process:
    """One spawned process doing one piece of work."""

    def __init__(self, path: Path, key: bytes) -> None:
        context = multiprocessing.get_context("spawn")
        self.pipe, theirs = context.Pipe()
        self.process = context.Process(target=_work, args=(theirs, str(path), SPARE_IDLE_S),
                                       daemon=True, name="linkworker-apart")
        self.taken = False  # the process has said it has the work
        with without_main():
            self.process.start()
        theirs.close()
        self.pipe.send_bytes(key)

    def __enter__(self) -> _Process:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, work: tuple) -> None:
        self.pipe.send(work)

    def result(self, progress: Progress, stop: Callable[[], bool]) -> Any:
        """The work's result; its reports go to ``progress`` meanwhile."""
        started = time.monotonic()
        ready = False
        while True:
            if stop():
                raise WorkStopped(STOPPED)
            if not self.pipe.poll(POLL_S):
                if not ready and time.monotonic() - started > START_S:
                    raise WorkerLost(LOST)
                continue
            kind, value = receive(self.pipe, lambda: WorkerLost(LOST))
            if kind == "ready":
                ready = True
            elif kind == "taken":
                self.taken = True
            elif kind == "progress":
                progress(*value)
            elif kind == "done":
                return value
            else:  # pragma: no cover - the worker sends only the above
                raise RuntimeError(f"a worker said {kind!r}")

    def close(self) -> None:
        """End the process (at once: a write it was making is rolled back) and wait for it."""
        self.pipe.close()
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(10)
        if self.process.is_alive():  # pragma: no cover - terminate was not enough
            self.process.kill()
            self.process.join()


def _work(pipe: Any, path: str, idle_s: float) -> None:
    """The process: the key, a connection, the work (or, after ``idle_s`` without any, an
    end), its result; then it ends. Any failure goes back down the pipe as the exception
    itself."""
    end_with_parent()
    # A build makes hundreds of thousands of objects that form no cycles, and this process
    # ends when it is done: collecting would only walk them (as the export's workers).
    gc.disable()
    try:
        key = pipe.recv_bytes()
        _serve(pipe, Path(path), key, idle_s)
    except (EOFError, KeyboardInterrupt):
        pass  # the caller has gone or stopped the work
    except BaseException as exc:
        send_error(pipe, exc)


def _serve(pipe: Any, path: Path, key: bytes, idle_s: float) -> None:
    import importlib

    from linkworker.storage.database import Caseload, _engine_for

    # The caseload as the app opened it, without what opening does once per file (upgrade,
    # erasures applied again, the audit anchor at close): the window's process did that.
    engine = _engine_for(path, key)
    del key
    try:
        for name in WARM_MODULES:
            importlib.import_module(name)
        pipe.send(("ready", None))
        if not pipe.poll(idle_s):
            return  # a spare nobody needed
        function, args, kwargs, reports = pipe.recv()
        pipe.send(("taken", None))
        if reports:
            kwargs = {**kwargs, "progress": lambda *report: pipe.send(("progress", report))}
        result = function(Caseload(path, engine), *args, **kwargs)
        # Its connections' page caches (up to ``CACHE_MB`` each) are let go before the
        # result is pickled: the two would otherwise peak together (issue 15).
        engine.dispose()
        pipe.send(("done", result))
    finally:
        engine.dispose()


# --- shared with the export's workers -------------------------------------------------------

_MAIN_LOCK = threading.Lock()


@contextlib.contextmanager
def without_main() -> Iterator[None]:
    """Start a process without the caller's main module: spawn would otherwise run the
    caller's script again in it (a data person's script without an ``if __name__ ==
    "__main__"`` guard would then export again, forever), and the process needs nothing of
    it. Spawn reads ``sys.modules["__main__"]`` only while ``start`` prepares the process."""
    with _MAIN_LOCK:
        main = sys.modules["__main__"]
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            sys.modules["__main__"] = main


def receive(pipe: Any, lost: Callable[[], BaseException]) -> tuple[str, Any]:
    """The next message from a worker; its error raised here, as itself; a pipe closed
    before it spoke raises ``lost()``."""
    try:
        kind, value = pipe.recv()
    except (EOFError, OSError) as exc:
        raise lost() from exc
    if kind == "error":
        raise value
    return kind, value


def send_error(pipe: Any, exc: BaseException) -> None:
    """Send a failure to the caller as itself (or, if it cannot be pickled, its type and
    words as a ``RuntimeError``)."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        exc = RuntimeError(f"{type(exc).__name__}: {exc}")
    with contextlib.suppress(OSError):  # the caller has gone
        pipe.send(("error", exc))


def end_with_parent() -> None:
    """End this process as soon as its parent ends, however it ends (even killed)."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(3)

    threading.Thread(target=watch, name="linkworker-parent-watch", daemon=True).start()
