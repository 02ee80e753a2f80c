"""The app's real start path, then typing a search, then the day's pages: what a user waits on.

Each user in a fresh process (offscreen), from where the user starts (the ``linkworker`` console
script's module, ``linkworker.command``, then ``launch_app``'s steps): unlock with the passphrase
(Argon2id), sign in as the sign-in dialog does (``accounts.sign_in``, password check, the audit
event), build the main window and the start-up checks exactly as ``ui.app.run`` does
(``StartupChecks``: the page check and the daily backup, in the background), show it, and time until
the caseload list has its first rows. Then, in the same window, a search typed one key at a time:
each keystroke's time to its first rows painted on screen (a newer keystroke supersedes the older
query, as in the app; keys ``SEARCH_DELAY_MS`` apart; typing begins once the list has settled)
and the process's CPU during it, which a loaded machine inflates far less than the time. Last,
as the manager, Today and Due and overdue are opened (each timed to its first rows; Today also to
its lists' counts, which follow them) and the process's memory is read (peak and now).
"""

from __future__ import annotations

import os
import resource
import statistics
import time
from pathlib import Path
from typing import Any

from bench.common import Bench, Row, in_child

TIMEOUT_S = 300
TYPED = ("rob", "smith", "mar", "ne1 4")


def _wait(app, ready, what: str) -> float:
    started = time.perf_counter()
    while not ready():
        if time.perf_counter() - started > TIMEOUT_S:
            raise TimeoutError(f"no {what} after {TIMEOUT_S}s")
        app.processEvents()
        time.sleep(0.001)
    return time.perf_counter() - started


def _keystrokes(app, view) -> list[float]:
    """Type each word a key at a time; each keystroke's time to its first rows painted.

    The GUI thread waits in a real event loop, as the app's does (polling with sleeps would
    take the GIL every millisecond from the threads doing the work). Qt paints from an event
    posted while the rows are put in the model, so one more pass of the loop after they
    arrive paints them (before stop 21 the clock stopped before the paint, which then fell
    into the next keystroke's time). Keys come ``SEARCH_DELAY_MS`` apart, the fastest typing
    at which the app searches every keystroke (its debounce); the events in between (the
    whole list, its pages) are processed, untimed."""
    from PySide6.QtCore import QEventLoop, QTimer

    from ui.caseload_view import SEARCH_DELAY_MS

    times = []
    loop = QEventLoop()
    arrived: list[int] = []

    def rows(count: int) -> None:
        arrived.append(count)
        loop.quit()

    view.first_rows.connect(rows)
    view.counted.connect(rows)
    _settle(view)
    for word in TYPED:
        for end in range(1, len(word) + 1):
            arrived.clear()
            started, cpu = time.perf_counter(), _process_cpu()
            view.search.setText(word[:end])
            view.refresh()  # what the debounce timer calls after the last key
            if not arrived:
                QTimer.singleShot(TIMEOUT_S * 1000, loop.quit)
                loop.exec()
            if not arrived:
                raise TimeoutError(f"no search rows after {TIMEOUT_S}s")
            app.processEvents()  # the paint posted while the rows were put in the model
            times.append(time.perf_counter() - started)
            KEY_CPU.append(_process_cpu() - cpu)
            _idle(started + SEARCH_DELAY_MS / 1000)
        view.search.clear()
    view.first_rows.disconnect(rows)
    view.counted.disconnect(rows)
    return times


KEY_CPU: list[float] = []  # each keystroke's CPU (every thread of the process), beside its time
SETTLE_S = 2.0


def _process_cpu() -> float:
    """CPU seconds of the whole process (GUI thread, readers, anything beside): unlike the
    wall time, a loaded machine inflates it little, so it is printed beside it (issue 15)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _settle(view) -> None:
    """Typing begins once the list has settled (no read of its own on the way, such as the
    search index's warming after the first whole list), as a user reads the list before
    typing; at most ``SETTLE_S`` after the whole list."""
    until = time.perf_counter() + SETTLE_S
    while view.runner.foreground.busy() and time.perf_counter() < until:
        _idle(time.perf_counter() + 0.02)


def _idle(until: float) -> None:
    """The event loop runs on until ``until`` (between a typist's keys)."""
    from PySide6.QtCore import QEventLoop, QTimer

    wait_ms = int((until - time.perf_counter()) * 1000)
    if wait_ms > 0:
        loop = QEventLoop()
        QTimer.singleShot(wait_ms, loop.quit)
        loop.exec()


def rss_now_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _typist(username: str, password: str = "demo"):
    """The user at the sign-in box: types the name and password and presses Sign in as soon
    as the box can be used (no time is given to typing itself)."""
    from PySide6.QtCore import QTimer

    from linkworker.launch import START

    def on_show(dialog) -> None:  # ui.signin.SignInDialog
        def type_in() -> None:
            if not dialog.sign_in_page.ok.isEnabled():
                QTimer.singleShot(1, type_in)
                return
            START.mark("sign-in box ready")
            dialog.username.setText(username)
            dialog.password.setText(password)
            dialog.sign_in_page.ok.click()

        QTimer.singleShot(0, type_in)

    return on_show


def open_app(path: str, username: str) -> tuple[Any, Any, Any]:
    """The app's own start, as ``linkworker --db PATH`` runs it, with a typist at the
    sign-in box: the application, the main window and its start-up checks."""
    # Where the user starts: the ``linkworker`` console script's module, ``linkworker --db PATH``
    # (it reaches ``launch_app`` without the full command line), then ``launch_app``'s steps.
    from linkworker import command

    opens_app, db = command.app_caseload(["--db", path])
    assert opens_app and db is not None
    from linkworker import launch

    problem = launch.begin(db)
    if problem:
        raise SystemExit(problem)
    from PySide6.QtWidgets import QMessageBox

    from ui import app as gui

    # A damage warning or an error's message (the crash handler's included) would wait for a
    # click: answered at once, so the run ends and says so.
    QMessageBox.warning = staticmethod(lambda *_args: QMessageBox.StandardButton.No)
    QMessageBox.critical = staticmethod(lambda *_args: QMessageBox.StandardButton.Ok)
    app = gui.begin()
    opened = gui.open_window(db.expanduser().resolve(), _typist(username))
    if isinstance(opened, int):
        raise SystemExit(f"the app's start ended with code {opened}")
    window, checks = opened
    return app, window, checks


def run(path: str, username: str, pages: bool = True) -> dict[str, Any]:
    """Runs in a child (QT_QPA_PLATFORM=offscreen): the app's own start (``launch.begin``,
    ``ui.app.begin``, which sets up the log file and the crash handler, ``ui.app.open_window``,
    as ``linkworker --db PATH`` runs them), with a typist at the sign-in box. Without
    ``pages`` (``--only search``) the manager's Today and Due are left out."""
    started = time.perf_counter()
    app, window, checks = open_app(path, username)
    from linkworker import launch

    runner = window.runner
    caseload = runner.caseload
    view = window.page("caseload")
    model = view.model
    _wait(app, lambda: model.rowCount() and model.is_loaded(0) and model.row(0) is not None,
          "caseload row")
    first_row = time.perf_counter()
    launch.START.mark("first rows (bench)")
    timeline = [(step, round(launch.START.origin + wall - started, 2), round(thread, 2),
                 round(cpu, 2)) for step, wall, thread, cpu in launch.START.steps]
    from linkworker import backup

    daily_due = backup.daily_due(caseload)
    _wait(app, lambda: view.count > 0, "whole list")
    whole, rows = time.perf_counter(), view.count
    times = _keystrokes(app, view)
    wanted, pages = pages, {}  # (the flag was shadowed by the dict: no page was ever timed)
    if username == "manager" and wanted:
        if daily_due:  # the user comes back while the backup runs (it begins once they idle)
            _wait(app, lambda: checks.stage in ("backing up", "done"), "the daily backup")
            pages["beside"] = checks.stage
        for key in ("today", "due"):
            page = window.go(key)
            loaded: list[object] = []
            page.loaded.connect(loaded.append)
            pages[key] = round(_wait(app, lambda got=loaded: bool(got), key), 2)  # first rows
            pages[f"{key}_stage"] = checks.stage  # "backing up": the backup was still running
            if key == "today":  # a long list's lengths follow its first rows
                pages["today_counted"] = round(pages[key] + _wait(
                    app, lambda p=page: p.counts is not None, "today's counts"), 2)
                pages["today_changed"] = _after_a_change(app, runner, page)
    rss = rss_now_mb()
    runner.shutdown()
    window.close()
    caseload.close()
    load = os.getloadavg()[0]
    at = {step: wall for step, wall, _thread, _cpu in timeline}
    return {"load": round(load, 1), "first_row_s": round(first_row - started, 2),
            "open_s": at["caseload open"],
            "sign_in_s": round(at["window built"] - at["caseload open"], 2),
            "timeline": timeline, "whole_s": round(whole - started, 2),
            "rows": rows, "keys_ms": [round(t * 1000, 1) for t in times],
            "keys_cpu_ms": [round(t * 1000, 1) for t in KEY_CPU],
            "pages_s": pages, "rss_now_mb": round(rss), "daily_due": daily_due}


def _after_a_change(app, runner, page) -> float:
    """Today's first rows again after a save elsewhere (a step marked done), announced as
    the runner announces it, straight after the counts, while the lists' keys are read."""
    from ui.operations import Changes

    again: list[object] = []
    page.loaded.connect(again.append)
    runner.changed.emit(Changes({"goals"}))
    return round(_wait(app, lambda: bool(again), "today after a change"), 2)


def _compiled() -> None:
    """Byte-compile the project as an installed app is (pip and the installer compile it when
    installing): with ``PYTHONDONTWRITEBYTECODE`` set, as on the build machine, every start
    would otherwise compile the modules that have no ``.pyc`` from source (about 0.1 s)."""
    import compileall

    root = Path(__file__).resolve().parent.parent
    for package in ("linkworker", "ui"):
        compileall.compile_dir(root / package, quiet=2)


def measure(bench: Bench) -> list[Row]:
    from bench import floor

    _compiled()
    key = {"BENCH_RAW_KEY": floor.raw_key(str(bench.path))}
    out = []
    for username, label in (("manager", "manager, everyone"), ("worker1", "worker1's own")):
        low = in_child("bench.floor:run", str(bench.path), username, username != "manager",
                       env=key)
        result = in_child("bench.start:run", str(bench.path), username)
        if "error" in result:
            out.append(Row(f"Start to first rows, {label}", "n/a", note=result["error"]))
            continue
        out.append(Row(
            f"Start to first rows, {label}", f"{result['first_row_s']:.2f} s", target="< 2 s",
            note=f"from `linkworker --db PATH` (linkworker.command, the app's own start); "
                 f"unlock {result['open_s']:.1f} s, sign-in {result['sign_in_s']:.1f} s; "
                 f"steps: {_steps(result['timeline'])}; whole "
                 f"list ({result['rows']:,}) at {result['whole_s']:.1f} s; load {result['load']}"
                 + ("; first start of the day (daily backup due)" if result["daily_due"]
                    else "")))
        if "floor_s" in low:
            out.append(Row(f"  the same as a multiple of the floor, {label}",
                           f"{result['first_row_s'] / low['floor_s']:.1f}x",
                           note=f"floor {low['floor_s']:.2f} s (Qt, Argon2id unwrap "
                                f"{low['kdf_s']:.2f} s, password check, raw SQL of the first "
                                "screenful, a plain table): bench/floor.py"))
        out += search_rows(bench, username, label, result, key)
        if result["pages_s"]:
            pages = result["pages_s"]
            out += _pages_beside_the_backup(bench, pages)
            out.append(Row(f"Memory after Today and Due, {label}", f"{result['rss_now_mb']:,} MB",
                           result["rss_mb"], target="< 400 MB",
                           note=f"first rows: Today {pages['today']:.1f} s (counted "
                                f"{pages['today_counted']:.1f} s; again after a change "
                                f"{pages['today_changed']:.2f} s), Due {pages['due']:.1f} s; "
                                "peak RSS beside"))
    return out


def search_rows(bench: Bench, username: str, label: str, result: dict[str, Any],
                key: dict[str, str]) -> list[Row]:
    """The search's row (each keystroke to its rows painted) and its floor beside it."""
    keys, cpu = result["keys_ms"], result["keys_cpu_ms"]
    worst = keys.index(max(keys))
    out = [Row(
        f"Search per keystroke, {label}", f"{max(keys):.0f} / {statistics.mean(keys):.0f} ms",
        target="< 50 ms worst", note=f"worst / mean over {len(keys)} keys typing "
                                     + ", ".join(repr(t) for t in TYPED)
                                     + f" (worst: key {worst + 1}, {_typed_at(worst)!r})"
                                     + f"; CPU per key {max(cpu):.0f} / "
                                       f"{statistics.mean(cpu):.0f} ms (all threads); "
                                       f"load {result['load']}")]
    searched = in_child("bench.search_floor:run", str(bench.path), username,
                        username != "manager", list(TYPED), env=key)
    if "worst_ms" in searched:
        out.append(Row(f"  the search's floor, {label}",
                       f"{searched['worst_ms']:.0f} / {searched['mean_ms']:.0f} ms",
                       note="worst / mean: the same keys by hand-written SQL on the search "
                            "index, 100 ids and their rows: bench/search_floor.py"))
    return out


def _typed_at(number: int) -> str:
    """What the search box held at the ``number``-th key the bench typed."""
    prefixes = [word[:end] for word in TYPED for end in range(1, len(word) + 1)]
    return prefixes[number]


def _steps(timeline: list) -> str:
    """Each start step's time from the command, and the CPU time spent by then (the GUI
    thread's; the process's, Argon2id's lanes included) beside the last."""
    marks = ", ".join(f"{step} {wall:.2f}" for step, wall, _thread, _cpu in timeline)
    _step, _wall, thread, cpu = timeline[-1]
    return f"{marks} s (CPU by first rows: GUI thread {thread:.2f} s, process {cpu:.2f} s)"


def _pages_beside_the_backup(bench: Bench, pages: dict[str, Any]) -> list[Row]:
    """Today and Due as the manager opens them in the app (beside the daily backup on the first
    start of the day: the bench waits, idle, until it has begun), and the same read alone."""
    alone = in_child("bench.today:run", str(bench.path))
    times = alone.get("times", {})
    figure = (f"alone (--only today) {times['manager.today']['s']:.2f} / "
              f"{times['manager.due']['s']:.2f} s" if times else "alone: n/a")
    if "beside" not in pages:
        where = "no backup due (not the first start of the day)"
    else:
        still = [key.title() for key in ("today", "due") if pages[f"{key}_stage"] == "backing up"]
        where = ("beside the daily backup (still running at "
                 + (", ".join(still) if still else "neither") + "'s first rows)")
    return [Row("Today / Due first rows in the app, manager",
                f"{pages['today']:.2f} / {pages['due']:.2f} s", target="< 2 s",
                note=f"{where}; {figure}"),
            Row("Today first rows after a change, manager", f"{pages['today_changed']:.2f} s",
                target="< 1 s", note="a save elsewhere announced straight after Today's "
                "counts, while its lists' keys are read")]
