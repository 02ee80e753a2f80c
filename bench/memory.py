"""Memory with every page a manager can open (issue 15: under 400 MB at 150,000 people
"whatever pages are opened").

One fresh process (offscreen) starts the app as ``bench.start`` does (``linkworker --db PATH``'s
own start, the typist at the sign-in box), waits for the start-up checks (the daily backup on
the first start of the day), then opens, ``ROUNDS`` times over, every page and screen a manager
can open from the main window (ui/main_window.py): the caseload scrolled a page at a time to its
last row, a person's record (each of its tabs; then closed), Today and Due (each list scrolled
to its end), the directory, Reports (the return screen building the sample contract's return,
the wellbeing summary and its chart), Settings (the contract editor), a new referral (closed),
the import wizard, licensed wording and change-password dialogs, the user guide, About, the sync
corner's conflict review, and last "Export everything" into a temporary folder (once: minutes at
150k). After each: the resident memory (RSS) now and the highest sampled while it opened (a
thread reads /proc every 10 ms), the live QWidgets and Python objects. A page that grows from
round to round keeps something it should have let go (a leak); each is printed beside the
400 MB target.
"""

from __future__ import annotations

import gc
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import Bench, Row, in_child

ROUNDS = 3
TARGET_MB = 400
TIMEOUT_S = 600
CONTRACT = "SAMPLE-SP-SIB"


class Sampler(threading.Thread):
    """The process's RSS every ``every`` seconds; ``peak()`` since the last ``reset``."""

    def __init__(self, every: float = 0.01) -> None:
        super().__init__(daemon=True)
        self.every, self.high, self.stop = every, 0.0, threading.Event()

    def run(self) -> None:
        while not self.stop.wait(self.every):
            self.high = max(self.high, rss_mb())

    def reset(self) -> float:
        high, self.high = self.high, rss_mb()
        return high


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _idle(app, runner, settle_s: float = 0.3) -> None:
    """Until nothing the page asked for is running (the runner's jobs and the user's reads) for
    ``settle_s``: an answer often asks for more (the next page of a list)."""
    from PySide6.QtCore import QEvent

    started, quiet_since = time.perf_counter(), None
    while True:
        app.processEvents()
        # What the app's own event loop does between events: widgets closed with
        # ``deleteLater`` go (``processEvents`` alone never deletes them).
        app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        busy = runner.is_busy() or runner.foreground.busy()
        now = time.perf_counter()
        if busy:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = now
        elif now - quiet_since >= settle_s:
            return
        if now - started > TIMEOUT_S:
            raise TimeoutError(f"the runner still busy after {TIMEOUT_S}s")
        time.sleep(0.005)


def _scroll_to_end(app, runner, view, step_rows: int) -> int:
    """Scroll a table down ``step_rows`` at a time to its last row, as a reader paging through
    it; each step waits for its rows. Returns the rows passed."""
    from PySide6.QtWidgets import QAbstractItemView

    model = view.model()
    rows = model.rowCount()
    for row in range(0, rows, step_rows):
        view.scrollTo(model.index(row, 0), QAbstractItemView.ScrollHint.PositionAtTop)
        view.viewport().repaint()
        _idle(app, runner, 0.0)
    if rows:
        view.scrollTo(model.index(rows - 1, 0))
        view.viewport().repaint()
        _idle(app, runner, 0.0)
    return rows


def _tables(widget) -> list:
    from PySide6.QtWidgets import QTableView

    return [t for t in widget.findChildren(QTableView) if t.isVisible() and t.model()]


def _caseload(app, window) -> str:
    from ui.person_list import PAGE_ROWS

    view = window.go("caseload")
    _idle(app, window.runner)
    rows = _scroll_to_end(app, window.runner, view.table, PAGE_ROWS)
    view.table.scrollToTop()
    return f"{rows:,} rows scrolled"


def _record(app, window) -> str:
    view = window.page("caseload")
    person = view.model.ids[len(view.model.ids) // 2]
    record = window.show_person(person)
    _idle(app, window.runner)
    tabs = record.tabs.count()
    for index in range(tabs):
        record.tabs.setCurrentIndex(index)
        _idle(app, window.runner)
    window.close_tab(window.tabs.indexOf(record))
    _idle(app, window.runner)
    return f"{tabs} tabs, then closed"


def _listing(key: str) -> Callable[[Any, Any], str]:
    def visit(app, window) -> str:
        fresh = key not in window.pages
        page = window.go(key)
        if fresh:  # its first rows and lengths come from reads the runner does not track
            loaded: list[object] = []
            page.loaded.connect(loaded.append)
            _wait(app, window.runner, lambda: bool(loaded))
        if hasattr(page, "counts"):  # Today's lists are as long as their counts
            _wait(app, window.runner, lambda: page.counts is not None)
        _idle(app, window.runner)
        rows = sum(_scroll_to_end(app, window.runner, t, 200) for t in _tables(page))
        return f"{rows:,} rows scrolled"

    return visit


def _page(key: str) -> Callable[[Any, Any], str]:
    def visit(app, window) -> str:
        window.go(key)
        _idle(app, window.runner)
        return ""

    return visit


def _reports(app, window) -> str:
    from PySide6.QtWidgets import QTabWidget

    tabs = window.go("reports")
    assert isinstance(tabs, QTabWidget)
    notes = []
    for index in range(tabs.count()):
        tabs.setCurrentIndex(index)
        part = tabs.widget(index)
        _idle(app, window.runner)
        if hasattr(part, "build"):  # the return screen: the sample contract's return
            box = part.contract_page.contracts
            codes = [box.item(i).data(256) for i in range(box.count())]
            if CONTRACT in codes:
                box.setCurrentRow(codes.index(CONTRACT))
            part.state.document = None
            part.build()
            _idle(app, window.runner)
            doc = part.state.document
            notes.append(f"return {doc.totals.claims:,} claims" if doc else "no return built")
        elif hasattr(part, "refresh"):  # the wellbeing summary and its chart
            part.refresh()
            _idle(app, window.runner)
    return "; ".join(notes)


def _dialog(open_it: Callable[[Any], Any]) -> Callable[[Any, Any], str]:
    def visit(app, window) -> str:
        dialog = open_it(window)
        _idle(app, window.runner)
        dialog.close()
        _idle(app, window.runner, 0.05)
        return ""

    return visit


def _referral(app, window) -> str:
    window.new_referral()
    _idle(app, window.runner)
    window.close_tab(window.tabs.currentIndex())
    _idle(app, window.runner, 0.05)
    return ""


def _review(window) -> Any:
    return window.sync_status.open_review()


def _export(app, window) -> str:
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_EXPORT_DIR")) as folder:
        future = window.export_all(Path(folder))
        _idle(app, window.runner, 0.0)
        while not future.done():
            _idle(app, window.runner, 0.0)
        written = sum(f.stat().st_size for f in Path(folder).iterdir())
    return f"{written / 2**20:,.0f} MB written"


VISITS: dict[str, Callable[[Any, Any], str]] = {
    "caseload, scrolled to the end": _caseload,
    "a person's record (each tab), closed": _record,
    "Today, each list scrolled": _listing("today"),
    "Due and overdue, scrolled": _listing("due"),
    "Directory": _page("directory"),
    "Reports: the return built, wellbeing summary": _reports,
    "Settings (contracts)": _page("settings"),
    "New referral, closed": _referral,
    "Import wizard, closed": _dialog(lambda w: w.import_data()),
    "Change password, closed": _dialog(lambda w: w.change_password()),
    "User guide, closed": _dialog(lambda w: w.show_guide()),
    "Sync conflict review, closed": _dialog(_review),
}
ONCE = {"Export everything (temp folder)": _export}


def _counts() -> tuple[int, int]:
    from PySide6.QtWidgets import QApplication

    return len(QApplication.allWidgets()), len(gc.get_objects())


def run(path: str, username: str = "manager", rounds: int = ROUNDS,
        export: bool = True) -> dict[str, Any]:
    """Runs in a child (QT_QPA_PLATFORM=offscreen)."""
    from PySide6.QtWidgets import QMessageBox

    from bench import start

    QMessageBox.information = staticmethod(lambda *_args: QMessageBox.StandardButton.Ok)
    app, window, checks = start.open_app(path, username)
    sampler = Sampler()
    sampler.start()
    runner = window.runner
    visits: list[dict[str, Any]] = []

    def visit(name: str, round_: int, work: Callable[[], str]) -> None:
        sampler.reset()
        began = time.perf_counter()
        note = work()
        seconds = time.perf_counter() - began
        widgets, objects = _counts()
        visits.append({"page": name, "round": round_, "rss": round(rss_mb()),
                       "peak": round(max(sampler.reset(), rss_mb())),
                       "s": round(seconds, 1), "note": note, "widgets": widgets,
                       "objects": objects})
        print(f"{name} (round {round_}): {visits[-1]}", file=sys.stderr, flush=True)

    view = window.page("caseload")
    visit("start: the whole list", 0,
          lambda: _wait(app, runner, lambda: view.count > 0) or f"{view.count:,} people")
    visit("start-up checks (daily backup)", 0,
          lambda: _wait(app, runner, lambda: checks.stage == "done") or checks.stage)
    for round_ in range(1, rounds + 1):
        for name, work in VISITS.items():
            visit(name, round_, lambda w=work: w(app, window))
    if export:
        for name, work in ONCE.items():
            visit(name, 1, lambda w=work: w(app, window))
    sampler.stop.set()
    runner.shutdown()
    window.close()
    runner.caseload.close()
    return {"visits": visits, "load": round(os.getloadavg()[0], 1)}


def _wait(app, runner, ready: Callable[[], bool]) -> None:
    started = time.perf_counter()
    while not ready():
        if time.perf_counter() - started > TIMEOUT_S:
            raise TimeoutError(f"not ready after {TIMEOUT_S}s")
        _idle(app, runner, 0.0)
        time.sleep(0.05)


def measure(bench: Bench) -> list[Row]:
    result = in_child("bench.memory:run", str(bench.path), "manager", ROUNDS, True,
                      timeout=3600)
    if "error" in result:
        return [Row("Memory, every page (manager)", "n/a", note=result["error"])]
    return rows_of(result)


def rows_of(result: dict[str, Any]) -> list[Row]:
    """A row per page: RSS after its last opening (the highest while any opened beside), and
    its RSS after each round, so a page that keeps growing shows."""
    by_page: dict[str, list[dict[str, Any]]] = {}
    for v in result["visits"]:
        by_page.setdefault(v["page"], []).append(v)
    rows = []
    for page, seen in by_page.items():
        last = seen[-1]
        rounds = " -> ".join(f"{v['rss']}" for v in seen)
        peak = max(v["peak"] for v in seen)
        verdict = "met" if peak < TARGET_MB else "NOT MET"
        rows.append(Row(f"Memory: {page}", f"{last['rss']:,} MB", peak, target="< 400 MB",
                        note=f"{verdict}; RSS after each opening {rounds} MB; "
                             f"{last['s']:.1f} s; widgets "
                             + " -> ".join(f"{v['widgets']:,}" for v in seen)
                             + "; Python objects "
                             + " -> ".join(f"{v['objects']:,}" for v in seen)
                             + (f"; {last['note']}"
                                                               if last["note"] else "")))
    peak = max(v["peak"] for v in result["visits"])
    rows.append(Row("Memory, highest with every page opened (manager)", f"{peak:,} MB",
                    target="< 400 MB", note=f"load {result['load']}"))
    return rows
