"""``python -m bench.child bench.key_trace:run '["DB", "manager"]'``: the search row of
``bench.start`` with a trace of what runs while each keystroke is answered (issue 15).

For each key: its wall and process CPU (as ``bench.start``), each thread's CPU from the
kernel (``/proc/self/task/*/schedstat``, nanoseconds on a core), every runner job that
started or ended on any lane (its work function, thread, CPU, cancelled or not), the GUI
thread's callbacks, and a sampling of every thread's Python stack (``sys._current_frames``
every ``SAMPLE_S``) summed by the innermost project function. Evidence, not a figure for the
table: the sampler itself takes the GIL now and then. ``KEY_TRACE_EVENTS=1`` also counts the
events Qt hands out per key (paints by widget class); ``KEY_TRACE_PROFILE=1`` profiles the GUI
thread during the keys; after the keys, the GUI-thread CPU of painting parts of the window."""

from __future__ import annotations

import collections
import os
import sys
import threading
import time
from typing import Any

SAMPLE_S = 0.001
ROOTS = ("/linkworker/", "/ui/", "/bench/")


def _thread_ns() -> dict[int, int]:
    """Each thread's time on a core so far (ns), by native id."""
    out = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/schedstat") as stat:
                out[int(tid)] = int(stat.read().split()[0])
        except OSError:
            continue
    return out


def _names() -> dict[int, str]:
    return {t.native_id: t.name for t in threading.enumerate() if t.native_id}


def _where(frame) -> str:
    """The innermost frame of ours, and the innermost frame (library) beside it."""
    inner = f"{frame.f_code.co_filename.rsplit('/', 1)[-1]}:{frame.f_code.co_name}"
    while frame is not None:
        name = frame.f_code.co_filename
        if any(root in name for root in ROOTS) and "key_trace" not in name:
            return f"{name.rsplit('/', 1)[-1]}:{frame.f_code.co_name} < {inner}"
        frame = frame.f_back
    return inner


class Trace:
    def __init__(self) -> None:
        self.events: list[tuple[float, str, str]] = []
        self.samples: collections.Counter = collections.Counter()
        self.keys: list[dict[str, Any]] = []
        self._key: dict[str, Any] | None = None
        self._stop = threading.Event()
        self._calls = 0
        self.sampler = threading.Thread(target=self._sample, name="trace-sampler", daemon=True)

    def log(self, what: str) -> None:
        self.events.append((time.perf_counter(), threading.current_thread().name, what))

    def _sample(self) -> None:
        me = threading.get_ident()
        idents = {}
        while not self._stop.wait(SAMPLE_S):
            if self._key is None:
                continue
            if len(idents) != threading.active_count():
                idents = {t.ident: t.name for t in threading.enumerate()}
            for ident, frame in sys._current_frames().items():
                if ident != me:
                    self.samples[(len(self.keys), idents.get(ident, "?"), _where(frame))] += 1

    def key_edge(self) -> None:
        """``bench.start._process_cpu`` is called at each key's start and end."""
        now = time.perf_counter()
        if self._key is None:
            if PROFILE is not None:
                PROFILE.enable()
            self._key = {"t0": now, "ns0": _thread_ns(), "ev0": len(self.events)}
            self.log("KEY start")
        else:
            key, self._key = self._key, None
            if PROFILE is not None:
                PROFILE.disable()
            ns = _thread_ns()
            names = _names()
            key["wall_ms"] = (now - key["t0"]) * 1000
            key["cpu_ms"] = {names.get(tid, str(tid)): round((n - key["ns0"].get(tid, 0)) / 1e6, 1)
                             for tid, n in ns.items() if n - key["ns0"].get(tid, 0) > 200_000}
            self.log("KEY end")
            key["events"] = [(round((t - key["t0"]) * 1000, 1), th, w)
                             for t, th, w in self.events[key["ev0"]:]]
            self.keys.append(key)


TRACE = Trace()
PROFILE = None
if os.environ.get("KEY_TRACE_PROFILE"):
    import cProfile

    PROFILE = cProfile.Profile()


def _patch() -> None:
    from bench import start
    from ui import operations

    real_cpu = start._process_cpu

    def process_cpu() -> float:
        TRACE.key_edge()
        return real_cpu()

    start._process_cpu = process_cpu
    real_keystrokes = start._keystrokes

    def keystrokes(app, view):
        times = real_keystrokes(app, view)
        TRACE.paints = _paint_costs(app, view)
        return times

    start._keystrokes = keystrokes
    real_execute = operations.Runner._execute

    def execute(self, key):
        job, work = self._held[key][:2]  # the runner keeps each job by key until delivery
        name = getattr(work, "__qualname__", repr(work))
        cancelled_before = job.cancelled
        del work
        t0 = time.thread_time()
        TRACE.log(f"start {name}{' (cancelled before)' if cancelled_before else ''}")
        try:
            return real_execute(self, key)
        finally:
            TRACE.log(f"end {name} cpu {1000 * (time.thread_time() - t0):.1f} ms"
                      f"{' CANCELLED' if job.cancelled else ''}")

    operations.Runner._execute = execute
    real_deliver = operations.Runner._on_deliver

    def deliver(self, key):
        job, _work, done, failed, _changes = self._held[key]
        callback = done if self._answers.get(key, (None,))[0] is None else failed
        name = getattr(callback, "__qualname__", repr(callback))
        t0 = time.thread_time()
        try:
            return real_deliver(self, key)
        finally:
            dropped = " (dropped)" if job.cancelled else ""
            TRACE.log(f"deliver {name}{dropped} cpu {1000 * (time.thread_time() - t0):.1f} ms")

    operations.Runner._on_deliver = deliver


def _paint_costs(app, view) -> dict[str, float]:
    """GUI-thread CPU (ms) of painting parts of the window, each 20 times, after the keys."""
    view.search.setText("smith")
    view.refresh()
    end = time.perf_counter() + 5
    while view._ids_seq != view._query_seq and time.perf_counter() < end:
        app.processEvents()
    out = {}
    window = view.window()
    parts = (("table viewport", view.table.viewport()), ("table", view.table),
             ("search box", view.search), ("count label", view.count_label),
             ("caseload view", view), ("whole window", window))
    from PySide6.QtWidgets import QProgressBar, QStatusBar

    busy = window.findChild(QProgressBar)  # the status bar's busy bar (while work runs)
    if busy is not None and busy.isVisible():
        parts += (("busy bar", busy), ("status bar", window.findChild(QStatusBar)))
    for name, widget in parts + tuple((f"{name} again", widget) for name, widget in parts):
        widget.repaint()
        t0 = time.thread_time()
        for _ in range(20):
            widget.repaint()
        out[name] = round((time.thread_time() - t0) / 20 * 1000, 2)
    for name, texts in (("count label unchanged", ("12,345 people",)),
                        ("count label changed", ("100+ people, counting…", "12,345 people"))):
        t0 = time.thread_time()
        for n in range(20):
            view.count_label.setText(texts[n % len(texts)])
            app.processEvents()
        out[f"{name}, events processed"] = round((time.thread_time() - t0) / 20 * 1000, 2)
    return out


def _count_events() -> None:
    """Every event the app hands out during a key, by type, and the paints by widget class."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    paint = QEvent.Type.Paint

    class Counter(QObject):
        def eventFilter(self, watched, event):  # Qt API
            if TRACE._key is not None:
                kind = event.type()
                TRACE.kinds[len(TRACE.keys)][kind.name] += 1
                if kind == paint:
                    TRACE.kinds[len(TRACE.keys)][f"paint {type(watched).__name__}"] += 1
            return False

    TRACE.counter = Counter()
    real_begin = None
    from ui import app as gui

    real_begin = gui.begin

    def begin(*args, **kwargs):
        app = real_begin(*args, **kwargs)
        QApplication.instance().installEventFilter(TRACE.counter)
        return app

    gui.begin = begin


def run(path: str, username: str, pages: bool = True) -> dict[str, Any]:
    from bench import start

    TRACE.kinds = collections.defaultdict(collections.Counter)
    if os.environ.get("KEY_TRACE_EVENTS"):
        _count_events()
    _patch()
    TRACE.sampler.start()
    result = start.run(path, username, pages)
    TRACE._stop.set()
    for number, key in enumerate(TRACE.keys):
        print(f"--- key {number}: {key['wall_ms']:.1f} ms wall, thread CPU {key['cpu_ms']}",
              file=sys.stderr)
        for at, thread, what in key["events"]:
            print(f"   {at:7.1f} {thread:22} {what}", file=sys.stderr)
        if TRACE.kinds.get(number):
            print(f"   events {dict(TRACE.kinds[number].most_common())}", file=sys.stderr)
        here = sorted(((n, th, w) for (k, th, w), n in TRACE.samples.items() if k == number),
                      reverse=True)[:8]
        for n, thread, where in here:
            print(f"   sample {n:4} {thread:22} {where}", file=sys.stderr)
    print(f"paint costs (GUI CPU ms each): {getattr(TRACE, 'paints', None)}", file=sys.stderr)
    if PROFILE is not None:
        import pstats

        pstats.Stats(PROFILE, stream=sys.stderr).sort_stats("tottime").print_stats(25)
        pstats.Stats(PROFILE, stream=sys.stderr).sort_stats("cumtime").print_stats(30)
    return {key: result[key] for key in ("load", "keys_ms", "keys_cpu_ms", "daily_due")}
