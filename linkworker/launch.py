"""Start the desktop app without the core importing Qt at module level.

The core never imports PySide6; this function imports the ``ui`` package only when the user
actually asks for the window, so scripts and the CLI run on machines with no display.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import gc
import importlib
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from linkworker.storage.database import Caseload


@dataclass
class Timeline:
    """Where a start's time goes (issue 15): each step's wall-clock time from the start, with
    the GUI thread's and the whole process's CPU time by then. The app logs it once the first
    rows are up and the bench prints it, so both read the same marks. Step names only: no
    personal data."""

    origin: float = field(default_factory=time.perf_counter)
    process_origin: float = field(default_factory=time.process_time)
    steps: list[tuple[str, float, float, float]] = field(default_factory=list)

    def mark(self, step: str) -> None:
        """Note that ``step`` is done (call it on the thread that did it)."""
        self.steps.append((step, time.perf_counter() - self.origin, time.thread_time(),
                           time.process_time() - self.process_origin))

    def summary(self) -> str:
        return "; ".join(f"{step} {wall:.2f} s (CPU: this thread {thread:.2f}, all {cpu:.2f})"
                         for step, wall, thread, cpu in self.steps)


START = Timeline()  # this process's start (from the moment ``launch`` was imported)


# The system libraries Qt 6 loads on Linux that PySide6's wheel does not ship (from the
# DT_NEEDED entries of QtGui, QtWidgets, QtDBus and the xcb platform plugin; a test keeps this
# list in step with the installed PySide6), with the Debian/Ubuntu package providing each.
QT_LIBRARIES = {
    "libEGL.so.1": "libegl1", "libGL.so.1": "libgl1", "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6", "libxkbcommon.so.0": "libxkbcommon0",
    "libX11.so.6": "libx11-6", "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0", "libdbus-1.so.3": "libdbus-1-3", "libz.so.1": "zlib1g",
    "libzstd.so.1": "libzstd1",
}
XCB_LIBRARIES = {
    "libxcb-cursor.so.0": "libxcb-cursor0", "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-util.so.1": "libxcb-util1", "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1", "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0", "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0", "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1", "libxcb.so.1": "libxcb1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0", "libxcb-xkb.so.1": "libxcb-xkb1",
    "libX11-xcb.so.1": "libx11-xcb1", "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
}


def _qt_platform(env: Mapping[str, str]) -> str:
    """The platform plugin Qt will try first on Linux (as Qt 6 chooses it)."""
    chosen = env.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if chosen:
        return chosen
    return "wayland" if env.get("WAYLAND_DISPLAY") else "xcb"


def display_problem(env: Mapping[str, str] | None = None,
                    load: Callable[[str], object] = ctypes.CDLL) -> str | None:
    """One clear line if the window cannot open on this Linux machine, else None.

    Qt itself prints several lines and then aborts (a core dump, no exit code) when the xcb
    plugin's libraries are missing, which is what a volunteer meets on a minimal desktop.
    Loading each library first names the missing one and the package to install."""
    if not sys.platform.startswith("linux"):
        return None
    env = os.environ if env is None else env
    platform = _qt_platform(env)
    needed = dict(QT_LIBRARIES)
    if platform == "xcb":
        needed |= XCB_LIBRARIES
    missing = []
    for library, package in needed.items():
        try:
            load(library)
        except OSError:
            missing.append((library, package))
    if missing:
        names = ", ".join(library for library, _ in missing)
        packages = " ".join(dict.fromkeys(package for _, package in missing))
        what = "library" if len(missing) == 1 else "libraries"
        verb = "is" if len(missing) == 1 else "are"
        return (f"cannot open the window: the system {what} {names} {verb} missing. "
                f"On Debian or Ubuntu: sudo apt install {packages}")
    if platform == "xcb" and not env.get("DISPLAY"):
        return ("cannot open the window: no desktop display here (DISPLAY is not set). "
                "The linkworker commands work without one; see linkworker --help.")
    return None


# What the sign-in box uses from the core, imported before Qt (``preload_core``): SQLAlchemy
# Core and no models. Today's and the sync corner's modules come after the first rows (issue
# 15, stop 23); the models, the ORM and the caseload list's core load on the warm thread while
# the user signs in (``MODELS``, stop 24); the log file's and crash handler's module
# (``ui.app.begin``) costs half the CPU before PySide6.
START_MODULES = ("linkworker.accounts", "linkworker.logs")


def preload_core() -> None:
    """Import the core the first screen needs before PySide6: once PySide6 is imported it
    reads the source of every module imported after it (its ``__feature__`` import hook),
    about a fifth of start-up's import time (measured, issue 15)."""
    for name in START_MODULES:
        importlib.import_module(name)


# The models and the ORM (with its mappers configured), then the main window's modules (Qt
# views), by name: ``warm_window`` imports them on a thread. The sign-in box and the sign-in's
# look-up need none of them (plain SQL), so they load while the user types and while Argon2id
# checks the password without the GIL; the sign-in's write, the first to use the models, comes
# after that check (issue 15, stop 24).
MODELS = ("linkworker.models", "linkworker.sync.changelog")
WINDOW_MODULES = ("ui.operations", "ui.signin", "ui.widgets", "ui.caseload_view",
                  "ui.admin.recovery", "ui.main_window", "ui.lock")


def load_models() -> None:
    """Import the models and configure their mappers (what any ORM statement would do first)."""
    for name in MODELS:
        importlib.import_module(name)
    from sqlalchemy.orm import configure_mappers

    configure_mappers()


# Set when the sign-in box is up (``signing_in``): the app's warm thread begins then.
SIGN_IN_BOX = threading.Event()


def signing_in() -> None:
    """The sign-in box is up (or the caseload's passphrase box, before it): from here the user
    types and Argon2id checks what they typed, time the warm thread can use. Before it, the
    warm thread would only slow the way to the box (measured, stop 24: unlocking took 0.4-0.6 s
    instead of 0.2 beside it)."""
    SIGN_IN_BOX.set()


def warm_window(names: tuple[str, ...] = WINDOW_MODULES, *,
                wait_for: threading.Event | None = SIGN_IN_BOX) -> threading.Thread:
    """Import the models (the ORM, mappers configured: ``load_models``), then the main window's
    modules, on a thread while the user signs in (from when the sign-in box is up:
    ``wait_for``). Argon2id runs in C without the GIL, and a person types slowly, so the
    imports (about a second of a start, issue 15) use time the window would otherwise wait
    through; the sign-in's write, the
    first to need the models, waits for them if they are not there yet, and the window's
    build waits for the rest (``wait_for_warm``). A module that fails here fails again, with
    its real error, where the window imports it.

    The modules' objects live as long as the process, so they are then taken out of the cycle
    collector's sight (``gc.freeze``): the app collects on the GUI thread (``ui.collector``),
    and its first collection otherwise walked them all in front of the first rows (about
    50 ms)."""

    def load() -> None:
        if wait_for is not None:
            wait_for.wait()
        try:
            load_models()
            gc.freeze()  # out of sight of the GUI thread's timed collections from now on
            START.mark("models loaded (beside)")
        except Exception:  # reported by the first use of the models, with its real error
            logging.getLogger(__name__).debug("warm import of the models failed")
            return
        for name in names:
            try:
                importlib.import_module(name)
            except Exception:  # reported by the GUI thread's own import of it
                logging.getLogger(__name__).debug("warm import of %s failed", name)
                return
        gc.freeze()
        START.mark("window modules imported (beside)")

    thread = threading.Thread(target=load, name="linkworker-warm", daemon=True)
    thread.start()
    _WARMING.append(thread)
    return thread


_WARMING: list[threading.Thread] = []


def wait_for_warm() -> None:
    """Wait until the warm thread's imports are done (at once if there is none). The window's
    build waits here rather than import beside it: PySide6 makes its classes' Python types
    when a module first names them, and two threads doing that at once crashed the start
    (a segfault in about 1 start in 10 once the warm thread also loaded the models, stop 24).
    It costs nothing: the window needs those modules, so it would wait for their import
    anyway."""
    for thread in list(_WARMING):
        thread.join()


def launch_app(db: Path | None) -> int:
    problem = begin(db)
    if problem:
        print(f"linkworker: {problem}", file=sys.stderr)
        return 3
    app_module = importlib.import_module("ui.app")
    return int(app_module.run(db))


def begin(db: Path | None) -> str | None:
    """The start's first steps, before Qt (the app's and the bench's, so they cannot drift):
    a window that cannot open says so (the problem is returned); else Argon2id begins on its
    thread and the core the first screen needs is imported beside it."""
    problem = display_problem()
    if problem:
        return problem
    from linkworker.memory import few_heaps

    few_heaps()  # before any of the app's threads allocates (issue 15: memory)
    begin_unlock(db)
    START.mark("Argon2id begun")
    preload_core()
    START.mark("core imported")
    return None


def begin_unlock(db: Path | None) -> None:
    """Begin Argon2id for the caseload the app will open (``keys.begin_unlock``), first of all:
    it runs on its own thread, beside the imports below, which need the GIL and it does not."""
    from linkworker.paths import default_caseload
    from linkworker.storage import keys

    keys.begin_unlock((db or default_caseload()).expanduser().resolve())
    # Finding the OS keyring's backends is Python work that unlocking waits for: begun now,
    # it shares the GIL with the imports instead of following them.
    threading.Thread(target=keys.keyring_available, name="linkworker-keyring",
                     daemon=True).start()


@dataclass(frozen=True)
class Prepared:
    """What start-up housekeeping found: instruments that no longer load, journeys moved."""

    instrument_problems: tuple[str, ...]
    stages_moved: int


def register_instruments(caseload: Caseload) -> tuple[str, ...]:
    """Make the caseload's own instruments scoreable in this process (app and CLI alike)."""
    from linkworker.wellbeing.store import register_stored_instruments

    return tuple(register_stored_instruments(caseload))


def prepare_caseload(caseload: Caseload, today: dt.date | None = None,
                     pause: Callable[[], None] = lambda: None) -> Prepared:
    """Once after sign-in: load custom instruments, then move journeys whose review window
    opened while the app was closed (stages follow the calendar, not only edits). The sweep
    reads outside the write transaction, calling ``pause`` between batches (the app's user
    may be typing a search: issue 15), and writes only the few that move."""
    from linkworker.journey import move_stages, stages_moving

    problems = register_instruments(caseload)
    today = today or dt.date.today()
    with caseload.reading() as session:
        moving = stages_moving(session, today, pause)
    moved = 0
    if moving:
        with caseload.transaction() as session:
            moved = move_stages(session, moving, today)
    logging.getLogger(__name__).info(
        "caseload ready: %d journeys moved on by the calendar, %d instrument problems",
        moved, len(problems))
    return Prepared(problems, moved)
