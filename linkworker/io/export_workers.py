"""The export's workers: processes that each read a share of the tables and write its CSV lines
and its deflated sheet rows, so an export at 50,000 people keeps both cores of a laptop busy.
Two threads in one process took turns at Python's GIL, so their wall time followed their
total CPU time (stop 23: 66 s wall for 90 s of CPU).

How the workers are run (``Workers``), and why:

* **Spawned** (``multiprocessing``'s spawn context: what Windows does anyway, and nothing of
  the caller's threads or open files is copied). The frozen app's entry point calls
  ``multiprocessing.freeze_support()``.
* **The key goes down the worker's pipe**, never its command line, its environment, a file or
  a log. The worker opens its own connection exactly as the app does (``_engine_for``).
* **One snapshot for all.** A WAL read snapshot belongs to a connection, so the parent holds
  the write lock (``BEGIN IMMEDIATE``) while its own reader and every worker begin their
  read transactions, then lets it go: no commit can fall between them. The lock is held for
  that moment only, after the workers have started (about a second).
* **Shares** (``Share``): a table, or a rowid range of a big one (the contacts are about half
  the work), each with the number of the table's rows before it, so its sheet rows are
  numbered as one pass would number them. A worker is sent whose export it is once (it reads
  its own look-ups from the snapshot into temporary tables), then one share at a time, the
  biggest first; the parent joins each table's pieces in order.
* **A worker never outlives the export.** It ends with its parent (a thread waits on the
  parent's sentinel), the parent ends every worker on a Cancel or a failure anywhere, and a
  failure comes back as the exception itself (``ExportWorkerLost`` if a worker vanished).
  Everything a worker writes goes into the export's hidden staging folder beside the target.
* Small caseloads are exported in the calling process (``IN_PROCESS_ROWS``): starting a
  process costs about a second of CPU, more than such an export.
"""

from __future__ import annotations

import collections
import contextlib
import csv
import gc
import math
import multiprocessing
import multiprocessing.connection
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from linkworker.access import Actor
from linkworker.apart import WorkerLost, end_with_parent, receive, send_error, without_main
from linkworker.io import export_rows as er

IN_PROCESS_ROWS = 200_000  # below this many stored rows (all tables), no worker processes
SHARES_PER_WORKER = 4  # a big table is cut so that each worker gets about this many shares
MOST_SHARES = 8  # of one table
REPORT_S = 0.5  # how often a worker says how far it has got
WORKER_START_S = 120.0  # a worker that has not started by then (a very busy machine) failed
LOST = ("The export stopped because one of its worker processes ended unexpectedly; nothing "
        "was written. Try again; if it happens again, restart LinkWorker.")
Progress = Callable[[int, int, str], None]


class ExportWorkerLost(WorkerLost):
    """A worker process ended without saying why (killed, or out of memory)."""


def worker_count() -> int:
    """One worker per core (at least two: the parent mostly waits), at most four."""
    return max(2, min(4, os.cpu_count() or 2))


@dataclass(frozen=True)
class Share:
    """Some of one table's rows: all of them, or those with ``low < rowid <= high``."""

    table: str
    index: int  # 0: the table's first share (its CSV file starts with the header)
    shares: int  # how many the table is cut into
    bounds: tuple[int, int] | None
    before: int  # the table's rows (in the export) before this share
    work: int  # roughly how much work it is (rows times columns): the biggest go first


@dataclass(frozen=True)
class Done:
    """A share written: its CSV lines (in ``csv``) and its sheet rows (``pieces``: the index
    of the table's sheet each piece belongs to, and the piece)."""

    share: Share
    csv: Path
    rows: int
    pieces: tuple[tuple[int, er._Piece], ...]
    cpu: float = 0.0  # seconds the worker spent on it (for the bench and the docs)


def _table(name: str) -> er.ExportTable:
    return next(t for t in er.TABLES if t.name == name)


def plan(connection: Any, dialect: Any, answers: int, workers: int) -> list[Share]:
    """Every table's shares. A table read through its own scope key (people, contacts,
    measures...) is cut into rowid ranges when it is big against the whole export; each
    share's rows before it are counted on the lookups' temporary tables (an index, not the
    table: 0.4 s for half a million contacts)."""
    highest = {t.name: _highest_rowid(connection, t) for t in er.TABLES}
    work = {t.name: highest[t.name] * len(er._headers(t, answers)) for t in er.TABLES}
    target = max(1, sum(work.values()) // max(1, workers * SHARES_PER_WORKER))
    shares = []
    for table in er.TABLES:
        count = 1
        if workers > 1 and table.scope is not None and table.through is None:
            count = max(1, min(MOST_SHARES, math.ceil(work[table.name] / target)))
        if count == 1:
            shares.append(Share(table.name, 0, 1, None, 0, work[table.name]))
            continue
        edges = [highest[table.name] * n // count for n in range(count + 1)]
        before = 0
        for index, bounds in enumerate(zip(edges, edges[1:], strict=False)):
            shares.append(Share(table.name, index, count, bounds, before,
                                work[table.name] // count))
            if index < count - 1:
                before += _rows_in(connection, dialect, table, bounds)
    return sorted(shares, key=lambda s: (-s.work, s.table, s.index))


def _highest_rowid(connection: Any, table: er.ExportTable) -> int:
    cursor = connection.cursor()
    try:
        return cursor.execute(f"SELECT max(rowid) FROM {table.source.__tablename__}"
                              ).fetchone()[0] or 0
    finally:
        cursor.close()


def _rows_in(connection: Any, dialect: Any, table: er.ExportTable,
             bounds: tuple[int, int]) -> int:
    """How many of the table's rows in ``bounds`` are in the export (in its scope)."""
    source = table.source.__tablename__
    kind, key = table.scope
    cursor = connection.cursor()
    try:
        return cursor.execute(
            f"SELECT count(*) FROM {source} WHERE {source}.rowid > ? AND {source}.rowid <= ? "
            f"AND {er._sql(key, dialect)} IN (SELECT id FROM temp.lw_{kind})",
            (int(bounds[0]), int(bounds[1]))).fetchone()[0]
    finally:
        cursor.close()


class Reader:
    """Writes shares from one connection (already inside the export's snapshot, with the
    lookups' temporary tables): in a worker process, or in the caller for a small export."""

    def __init__(self, connection: Any, dialect: Any, answers: int, folder: Path,
                 scratch: Path, sheet_rows: int | None = None) -> None:
        self.connection, self.dialect, self.answers = connection, dialect, answers
        self.folder, self.scratch = folder, scratch
        self.sheet_rows = sheet_rows or er.EXCEL_MAX_ROWS  # rows below a sheet's header
        self.dates, self.times = er._Dates(), er._Times()  # each date worked out once

    def read(self, share: Share, report: Callable[[int], None] = lambda rows: None) -> Done:
        """The share's CSV lines into a file of its own (the table's CSV itself when it is
        the only share) and its sheet rows into pieces, one per sheet it reaches."""
        cpu = time.process_time()
        table = _table(share.table)
        query = er._row_query(table, self.answers, self.dialect, self.dates, self.times,
                              share.bounds)
        headers = er._headers(table, self.answers)
        sheet = share.before // self.sheet_rows
        part, pieces, count = er._Part(self.scratch, table.name, headers), [], 0
        path = (self.folder / f"{table.name}.csv" if share.shares == 1
                else self.scratch / f"{table.name}.{share.index}.csv")
        with path.open("w", encoding="utf-8", newline="") as handle:
            if share.index == 0:
                handle.write("\ufeff")
                csv.writer(handle).writerow(headers)
            for reached, lines, rows, taken in er._rows(self.connection, query, share.before,
                                                        self.sheet_rows):
                if reached != sheet:  # that sheet is full: these rows go on the next
                    pieces.append((sheet, part.piece()))
                    sheet, part = reached, er._Part(self.scratch, table.name, headers)
                handle.write(lines)
                part.add_text(rows, taken)
                count += taken
                report(count)
            er._flush(handle)
        pieces.append((sheet, part.piece()))
        return Done(share, path, count, tuple(pieces), time.process_time() - cpu)


# --- the parent's side ---------------------------------------------------------------------


class Workers:
    """The worker processes of one export (none for a small one: ``count`` 0)."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.processes: list[Any] = []
        self.pipes: list[Any] = []

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self, path: Path, key: bytes, stopped: Callable[[], None]) -> None:
        """Start the workers and give each the key; back once each has its connection."""
        context = multiprocessing.get_context("spawn")
        for _ in range(self.count):
            ours, theirs = context.Pipe()
            process = context.Process(target=work, args=(theirs, str(path)), daemon=True,
                                      name="linkworker-export")
            with without_main():
                process.start()
            theirs.close()
            ours.send_bytes(key)
            self.processes.append(process)
            self.pipes.append(ours)
        deadline = time.monotonic() + WORKER_START_S
        for pipe in self.pipes:
            self._expect(pipe, "ready", stopped, deadline)

    def begin(self, stopped: Callable[[], None]) -> None:
        """Each worker begins its read transaction (called while the write lock is held)."""
        for pipe in self.pipes:
            pipe.send(("begin", None))
        for pipe in self.pipes:
            self._expect(pipe, "begun", stopped)

    def setup(self, actor: Actor, answers: int, folder: Path, scratch: Path) -> None:
        """What every share needs (sent once): whose export it is (each worker reads its
        look-ups from the snapshot itself: ``er._temporary_lookups``), the answers' width,
        where to write, and the sheets' length."""
        for pipe in self.pipes:
            pipe.send(("setup", (actor, answers, str(folder), str(scratch),
                                 er.EXCEL_MAX_ROWS)))

    def run(self, shares: Sequence[Share], reached: Callable[[Done], None],
            stopped: Callable[[], None], moving: Callable[[], None] = lambda: None
            ) -> list[Done]:
        """Every share written by the workers, the biggest first, each worker sent the next
        as soon as it is free; ``reached`` is told of each share done and ``moving`` of each
        worker's report that it is still writing (every ``REPORT_S``: the progress)."""
        waiting = collections.deque(shares)
        busy: dict[Any, Share] = {}
        done: list[Done] = []

        def give(pipe: Any) -> None:
            if waiting:
                busy[pipe] = waiting.popleft()
                pipe.send(("share", busy[pipe]))

        for pipe in self.pipes:
            give(pipe)
        while busy:
            stopped()
            for pipe in multiprocessing.connection.wait(list(busy), timeout=er.STOP_POLL_S):
                kind, value = _receive(pipe)
                if kind == "rows":
                    moving()
                elif kind == "done":
                    del busy[pipe]
                    done.append(value)
                    reached(value)
                    give(pipe)
        return done

    def _expect(self, pipe: Any, wanted: str, stopped: Callable[[], None],
                deadline: float | None = None) -> Any:
        while not pipe.poll(er.STOP_POLL_S):
            stopped()
            if deadline is not None and time.monotonic() > deadline:
                raise ExportWorkerLost(LOST)
        kind, value = _receive(pipe)
        if kind != wanted:
            raise RuntimeError(f"export worker said {kind!r}, not {wanted!r}")
        return value

    def close(self) -> None:
        """End every worker (at once: what it was writing is thrown away with the staging
        folder) and wait for it, so nothing is left running or holding the files."""
        for pipe in self.pipes:
            pipe.close()
        for process in self.processes:
            if process.is_alive():
                process.terminate()
        for process in self.processes:
            process.join(10)
            if process.is_alive():  # pragma: no cover - terminate was not enough
                process.kill()
                process.join()
        self.processes.clear()
        self.pipes.clear()


def _receive(pipe: Any) -> tuple[str, Any]:
    return receive(pipe, lambda: ExportWorkerLost(LOST))


def run_in_process(reader: Reader, shares: Sequence[Share], reached: Callable[[Done], None],
                   stopped: Callable[[], None]) -> list[Done]:
    done = []
    for share in shares:
        stopped()
        done.append(reader.read(share))
        reached(done[-1])
    return done


def join_csv(done: Sequence[Done], target: Path) -> None:
    """A table's CSV from its shares' files, in order (the first holds the header)."""
    with target.open("wb") as out:
        for share in done:
            er.append_file(share.csv, out)
            share.csv.unlink()
        er._flush(out)


# --- the worker's side ---------------------------------------------------------------------


def work(pipe: Any, path: str) -> None:
    """A worker process: the key, a connection, the snapshot, the lookups, then shares until
    the pipe closes. Any failure goes back down the pipe as the exception itself."""
    end_with_parent()
    _step_aside()
    gc.disable()  # see ``_step_aside``
    try:
        key = pipe.recv_bytes()
        _serve(pipe, Path(path), key)
    except (EOFError, KeyboardInterrupt):
        pass  # the parent has gone or ended the export
    except BaseException as exc:
        send_error(pipe, exc)


def _serve(pipe: Any, path: Path, key: bytes) -> None:
    from linkworker.storage.database import _engine_for

    engine = _engine_for(path, key)
    del key
    try:
        with engine.connect() as connection:
            raw = connection.connection.dbapi_connection
            pipe.send(("ready", None))
            _wait_for(pipe, "begin")
            connection.exec_driver_sql("BEGIN")
            connection.exec_driver_sql("SELECT count(*) FROM sqlite_master").all()
            pipe.send(("begun", None))
            actor, answers, folder, scratch, sheet_rows = _wait_for(pipe, "setup")
            reader = Reader(raw, connection.dialect, answers, Path(folder), Path(scratch),
                            sheet_rows)
            with er._temporary_lookups(connection, actor):
                while True:
                    share = _wait_for(pipe, "share")
                    pipe.send(("done", reader.read(share, _reporter(pipe))))
    finally:
        engine.dispose()


NICER = 10  # added to a worker's niceness (POSIX); Windows: below normal priority
_BELOW_NORMAL_PRIORITY_CLASS = 0x4000


def _step_aside() -> None:
    """Run this worker below the app's priority, so the window stays quick during a long
    export: the app's own "step aside for the user" pause (``Foreground.hold``) reaches only
    its threads, and a worker per core would otherwise take the cores from the window. On
    an idle machine it changes nothing. Its cyclic garbage collector is off too (``work``):
    a share makes millions of rows, strings and lists that form no cycles, and every few
    thousand of them set off a collection that walked all of them."""
    with contextlib.suppress(OSError, AttributeError):
        if sys.platform == "win32":
            import ctypes

            kernel = ctypes.windll.kernel32  # type: ignore[attr-defined]
            # A HANDLE is pointer-wide: left as ctypes' default int, the pseudo-handle (-1)
            # could reach SetPriorityClass cut to 32 bits on 64-bit Windows.
            kernel.GetCurrentProcess.restype = ctypes.c_void_p
            kernel.SetPriorityClass.argtypes = (ctypes.c_void_p, ctypes.c_uint32)
            kernel.SetPriorityClass(kernel.GetCurrentProcess(), _BELOW_NORMAL_PRIORITY_CLASS)
        else:
            os.nice(NICER)


def _reporter(pipe: Any) -> Callable[[int], None]:
    """Tells the parent how many rows the share has so far, every ``REPORT_S``."""
    last = time.monotonic()

    def report(rows: int) -> None:
        nonlocal last
        if time.monotonic() - last >= REPORT_S:
            last = time.monotonic()
            pipe.send(("rows", rows))

    return report


def _wait_for(pipe: Any, wanted: str) -> Any:
    kind, value = pipe.recv()
    if kind != wanted:
        raise RuntimeError(f"export worker was sent {kind!r}, not {wanted!r}")
    return value
