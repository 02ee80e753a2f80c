"""Keeping the window's memory down after a big read (issue 15: under 400 MB at 150,000 people).

Python keeps small objects in 1 MiB arenas and gives an arena back to the operating system
only once every object in it has gone. A job that reads 400,000 rows and keeps a few
thousand of their values (the wellbeing summary's pairs, the return's claims) leaves those
values scattered one or two to a pool across every arena the rows filled, so almost none is
given back: at 150,000 people the summary kept 12 MB of rows and 130 MB of arenas
(``sys._debugmallocstats``). ``fresh`` copies a value that will outlive its job, so the
copy sits beside the job's other keepers and the rows' arenas can all go.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import functools
import linecache
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def fresh(value: T) -> T:
    """A new object equal to ``value`` (a str, date, datetime, float or int), not the read
    row's: the row's own can then be freed with the rest of its arena. Other values (None,
    bools, small ints, which Python shares anyway) come back as they are."""
    if type(value) is str:
        return value.encode("utf-8", "surrogatepass").decode("utf-8", "surrogatepass") \
            if len(value) > 1 else value  # type: ignore[return-value]
    if type(value) is float:
        return value + 0.0 if value == value else value  # type: ignore[return-value]
    if type(value) is dt.date:
        return dt.date(value.year, value.month, value.day)  # type: ignore[return-value]
    if type(value) is dt.datetime:
        return value.replace()  # type: ignore[return-value]
    return value


def forget_source_lines() -> None:
    """Drop the source lines ``linecache`` holds for modules read from files.

    PySide6's import hook (shiboken's ``__feature_import__``) reads the whole source of every
    module imported after Qt (``inspect.getsource``, looking for ``from __feature__``), and
    ``linecache`` keeps it: opening Reports (matplotlib, numpy, reportlab: ~800 files) left
    380,000 lines, 26-30 MB of the window. A traceback reads the lines it needs again; lines
    that code put there itself (no file to read them from again) stay."""
    for name, entry in list(linecache.cache.items()):
        if len(entry) == 4 and entry[1] is not None:  # (size, mtime, lines, path): a file's
            linecache.cache.pop(name, None)


@functools.cache  # looked up once a process
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where the C library has none (macOS, Windows, musl)."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def give_back() -> bool:
    """Hand the C heap's free pages back to the operating system (glibc's ``malloc_trim(0)``;
    nothing elsewhere). True if there was a trim to call.

    SQLite's page caches, Qt and Python's larger objects live in glibc's heaps, one per thread
    that allocates (the readers', the writer's, the GUI's). What a page's read frees there
    stays mapped, in pieces between blocks still in use, and glibc gives back only the free
    end of each heap on its own: at 50,000 people a manager's window held 130-190 MB of free
    heap beside 90-130 MB in use (stop 27). ``malloc_trim(0)`` releases every whole free page
    inside the heaps too. ctypes lets go of the GIL for the call; a later allocation there
    costs a fresh page's fault, so it is done at quiet moments (``ui.operations.Runner``)."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


M_ARENA_MAX = -8  # mallopt's parameter (glibc's malloc.h)
# glibc gives each thread that allocates a heap of its own, up to eight a core: sixteen on a
# two-core laptop, for the app's ten threads (the GUI, the readers, the writer, the lanes).
# What one thread's heap frees, no other can use, so each held its own high-water mark: at
# 150,000 people two heaps took 31 MB off the window after Today (217 -> 186 MB of heap) and
# 37 MB off its peak (427 -> 390 MB), stop 27.
HEAPS = 2


def few_heaps(count: int = HEAPS) -> bool:
    """At most ``count`` C heaps for the process's threads (glibc's ``M_ARENA_MAX``; nothing
    elsewhere), so memory one thread freed is there for the next thread's read. Called at
    the start, before the app's threads (``launch.begin``); True if it was set."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, TypeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_ARENA_MAX, count))
