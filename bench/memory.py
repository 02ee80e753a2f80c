"""Memory with every page a manager or an admin can open, and a laptop's first sync (issue 15:
under 400 MB at 150,000 people "whatever pages are opened").

One fresh process per user (offscreen) starts the app as ``bench.start`` does (``linkworker
--db PATH``'s own start, the typist at the sign-in box), waits for the start-up checks (the
daily backup on the first start of the day), then opens, ``ROUNDS`` times over, that user's
pages and screens from the main window (ui/main_window.py). The manager's: the caseload scrolled
a page at a time to its last row, a person's record (each tab; then closed), Today and Due
(read afresh and each list scrolled to its end every round, each step waiting for its rows),
the directory, Reports (the sample contract's return built, the wellbeing summary and its
chart), Settings (contracts), a new referral, the import wizard, change password, the user
guide, the sync corner's review, and "Export everything" into a temporary folder (first round
only). The admin's: Settings, Users, the audit trail scrolled from its newest event to its
first and its chain verified, Back up now and Restore as far as the backup's check (first round
only), licensed wording and the import wizard. After each: the resident memory (RSS) now and
the highest sampled while it opened (a thread reads /proc every 10 ms), the live QWidgets and
Python objects. A page that grows from round to round keeps something it should have let go.

``first-sync`` (``bench.first_sync``, with ``LINKWORKER_BENCH_PG_URL``): a hub made from a copy
of the caseload, then a new laptop's first sync as the coordinator and as the manager, each in
a fresh process whose peak (``VmHWM``) is the figure. Every figure is printed beside 400 MB.

    python -m bench --db COPY --people N --only memory [--pages due today audit] [--rounds 1]
"""

from __future__ import annotations

import gc
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import Bench, Row, in_child

ROUNDS = 3
TARGET_MB = 400
TIMEOUT_S = 1800  # a 50k backup at load 15 took longer than 600 s
MAX_STEPS = 60  # scroll steps per list (``_scroll_to_end``)
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
    """Scroll a table down ``step_rows`` (or more: ``MAX_STEPS``) at a time to its last row, as
    a reader paging through it; each step waits until its rows are there (a lazy list's page
    read, or a model that grows as it is scrolled: ``fetchMore``). Returns the rows passed."""
    from PySide6.QtWidgets import QAbstractItemView

    model, row = view.model(), 0
    # A list of any length in at most ``MAX_STEPS`` steps spread over it: still many more
    # pages than a list keeps, but minutes less at 150,000 people (a deep page of Today is a
    # slow read, and the memory is what is measured here).
    step_rows = max(step_rows, -(-model.rowCount() // MAX_STEPS // step_rows) * step_rows)
    while row < model.rowCount() or model.canFetchMore(view.rootIndex()):
        if row >= model.rowCount():
            model.fetchMore(view.rootIndex())
            _wait(app, runner, lambda r=row: r < model.rowCount()
                  or not model.canFetchMore(view.rootIndex()))
            continue
        view.scrollTo(model.index(row, 0), QAbstractItemView.ScrollHint.PositionAtTop)
        view.viewport().repaint()
        _wait(app, runner, lambda r=row: _row_here(model, r))
        row += step_rows
    rows = model.rowCount()
    if rows:
        view.scrollTo(model.index(rows - 1, 0))
        view.viewport().repaint()
        _wait(app, runner, lambda: _row_here(model, model.rowCount() - 1))
    return rows


def _row_here(model, row: int) -> bool:
    """Is the row's content read (not a blank waiting for its page)? The caseload's model
    says ``is_loaded``; a ``PersonListModel``'s row is ``None`` until its page arrives."""
    if row < 0 or row >= model.rowCount():
        return True
    if hasattr(model, "is_loaded"):
        return model.is_loaded(row)
    items = getattr(model, "items", None)
    return items is None or items[row] is not None


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
    """Today or Due, read afresh every round (as a new day or a save makes them) and each
    list scrolled to its end once it is as long as its count."""

    def visit(app, window) -> str:
        fresh = key not in window.pages
        page = window.go(key)
        loaded: list[object] = []
        page.loaded.connect(loaded.append)
        if not fresh:
            page.refresh()
        _wait(app, window.runner, lambda: bool(loaded) and _complete(page))
        page.loaded.disconnect(loaded.append)
        _idle(app, window.runner)
        tables = _tables(page)
        rows = sum(_scroll_to_end(app, window.runner, t, 200) for t in tables)
        return f"{rows:,} rows scrolled in {len(tables)} lists"

    return visit


def _complete(page) -> bool:
    """Are the page's lists as long as they will be? Today's once its counts are in, Due's
    once every key is read (its first answer is one screenful)."""
    if hasattr(page, "keys"):
        return page.keys is not None
    return getattr(page, "counts", None) is not None


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


def _admin_tab(title: str) -> Callable[[Any], Any]:
    """The admin's Settings page is a tab per part (Settings, Users, Audit trail, Contracts)."""

    def show(window) -> Any:
        from PySide6.QtWidgets import QTabWidget

        holder = window.go("settings")
        tabs = holder if isinstance(holder, QTabWidget) else holder.findChild(QTabWidget)
        index = next(i for i in range(tabs.count()) if tabs.tabText(i).replace("&", "") == title)
        tabs.setCurrentIndex(index)
        return tabs.widget(index)

    return show


def _settings(app, window) -> str:
    _admin_tab("Settings")(window)
    _idle(app, window.runner)
    return ""


def _users(app, window) -> str:
    view = _admin_tab("Users")(window)
    view.refresh()
    _idle(app, window.runner)
    return f"{view.table.rowCount()} accounts"


def _audit(app, window) -> str:
    """The audit trail from its newest event to its first, then the chain verified."""
    view = _admin_tab("Audit trail")(window)
    shown: list[object] = []
    model = view.model
    model.modelReset.connect(lambda: shown.append(1))
    view.apply()
    _wait(app, window.runner, lambda: bool(shown))
    _idle(app, window.runner)
    rows = _scroll_to_end(app, window.runner, view.table, 200)
    view.verify()
    _idle(app, window.runner)
    return f"{rows:,} events scrolled of {model.total:,}; {view.status.text()[:60]}"


def _backup_and_restore(app, window) -> str:
    """Back up now into a temporary folder, then Restore from it as far as its check (the
    question before replacing the caseload is answered No)."""
    view = _admin_tab("Settings")(window)
    folder = Path(tempfile.mkdtemp(dir=os.environ.get("BENCH_EXPORT_DIR")))
    try:
        target = folder / "backup.db"
        view.backup_now(str(target))
        _idle(app, window.runner, 0.5)
        asked: list[object] = []
        view.confirm_restore = lambda check: asked.append(check) or False
        view.restore(str(target))
        _idle(app, window.runner, 0.5)
        size = target.stat().st_size if target.exists() else 0
    finally:
        for leftover in folder.iterdir():
            leftover.unlink()
        folder.rmdir()
    return f"{size / 2**20:,.0f} MB backup; restore check {'ok' if asked else 'not reached'}"


@dataclass(frozen=True)
class Visit:
    """A page or screen: its ``--pages`` key, its row's title, who opens it, and how."""

    key: str
    title: str
    work: Callable[[Any, Any], str]
    user: str = "manager"
    once: bool = False  # minutes at 150k: opened in the first round only


VISITS: tuple[Visit, ...] = (
    Visit("caseload", "caseload, scrolled to the end", _caseload),
    Visit("record", "a person's record (each tab), closed", _record),
    Visit("today", "Today, each list scrolled", _listing("today")),
    Visit("due", "Due and overdue, scrolled", _listing("due")),
    Visit("directory", "Directory", _page("directory")),
    Visit("reports", "Reports: the return built, wellbeing summary", _reports),
    Visit("contracts", "Settings (contracts)", _page("settings")),
    Visit("referral", "New referral, closed", _referral),
    Visit("import", "Import wizard, closed", _dialog(lambda w: w.import_data())),
    Visit("password", "Change password, closed", _dialog(lambda w: w.change_password())),
    Visit("guide", "User guide, closed", _dialog(lambda w: w.show_guide())),
    Visit("review", "Sync conflict review, closed", _dialog(_review)),
    Visit("export", "Export everything (temp folder)", _export, once=True),
    Visit("settings", "admin: Settings", _settings, "admin"),
    Visit("users", "admin: Users", _users, "admin"),
    Visit("audit", "admin: audit trail scrolled to its first event, chain verified", _audit,
          "admin"),
    Visit("backup", "admin: back up now, restore checked (temp folder)", _backup_and_restore,
          "admin", once=True),
    Visit("wording", "admin: licensed wording, closed", _dialog(lambda w: w.load_wording()),
          "admin"),
    Visit("admin-import", "admin: import wizard, closed", _dialog(lambda w: w.import_data()),
          "admin"),
)
FIRST_SYNC = "first-sync"
KEYS = (*(v.key for v in VISITS), FIRST_SYNC)


def _counts() -> tuple[int, int]:
    from PySide6.QtWidgets import QApplication

    return len(QApplication.allWidgets()), len(gc.get_objects())


def run(path: str, username: str = "manager", rounds: int = ROUNDS,
        keys: list[str] | None = None) -> dict[str, Any]:
    """Runs in a child (QT_QPA_PLATFORM=offscreen): ``username``'s visits among ``keys``
    (every one if None), ``rounds`` times over (a ``once`` visit in the first round only)."""
    from PySide6.QtWidgets import QMessageBox

    from bench import start

    QMessageBox.information = staticmethod(lambda *_args: QMessageBox.StandardButton.Ok)
    app, window, checks = start.open_app(path, username)
    awake = _stay_awake(window)  # noqa: F841 (kept for the run)
    sampler = Sampler()
    sampler.start()
    runner = window.runner
    visits: list[dict[str, Any]] = []

    def visit(name: str, round_: int, work: Callable[[], str]) -> None:
        sampler.reset()
        began = time.perf_counter()
        note = work()
        seconds = time.perf_counter() - began
        _settled(app, runner)
        widgets, objects = _counts()
        visits.append({"page": name, "user": username, "round": round_,
                       "rss": round(rss_mb()), "peak": round(max(sampler.reset(), rss_mb())),
                       "s": round(seconds, 1), "note": note, "widgets": widgets,
                       "objects": objects, "apart": _children_hwm_mb()})
        print(f"{name} (round {round_}): {visits[-1]}", file=sys.stderr, flush=True)

    view = window.page("caseload")
    visit(f"start as {username}: the whole list", 0,
          lambda: _wait(app, runner, lambda: view.count > 0) or f"{view.count:,} people")
    visit("start-up checks (daily backup)", 0,
          lambda: _wait(app, runner, lambda: checks.stage == "done") or checks.stage)
    chosen = [v for v in VISITS if v.user == username and (keys is None or v.key in keys)]
    for round_ in range(1, rounds + 1):
        for v in chosen:
            if round_ == 1 or not v.once:
                visit(v.title, round_, lambda w=v.work: w(app, window))
    sampler.stop.set()
    runner.shutdown()
    window.close()
    runner.caseload.close()
    return {"visits": visits, "load": round(os.getloadavg()[0], 1),
            "hwm": round(_vm_hwm_mb())}


def _settled(app, runner) -> None:
    """Until the window has given back what the visit freed (``Runner.settle``: a second with
    nothing asked for, as a user reading the page gives it). Code without it: at once."""
    settling = getattr(runner, "settling", lambda: False)
    while settling():
        _idle(app, runner, 0.0)
        time.sleep(0.01)


def _stay_awake(window) -> Any:
    """The user is reading, not away: a long scroll (minutes at 150k) is input the bench does
    not send, so the idle lock would hide the window part way (stop 24's Today was scrolled
    in the first round only, and Due in none, for this)."""
    from PySide6.QtCore import QTimer

    def touched() -> None:
        window.lock_guard.last_input = time.monotonic()

    timer = QTimer(window, interval=5000, timeout=touched)
    timer.start()
    return timer


def _children_hwm_mb() -> int:
    """The highest resident memory of any process this one has started and seen end (the
    builds run apart, ``linkworker.apart``, and the export's workers): memory the machine
    spends that the window's own figure leaves out."""
    import resource

    return round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def _vm_hwm_mb() -> float:
    from bench.first_sync import vm_hwm_mb

    return vm_hwm_mb()


def _wait(app, runner, ready: Callable[[], bool]) -> None:
    started = time.perf_counter()
    while not ready():
        if time.perf_counter() - started > TIMEOUT_S:
            raise TimeoutError(f"not ready after {TIMEOUT_S}s")
        _idle(app, runner, 0.0)
        time.sleep(0.05)


def measure(bench: Bench) -> list[Row]:
    """Each user's visits in a child of its own (the manager's pages, then the admin's), and
    a laptop's first sync; ``--pages`` (``bench.meta["pages"]``) picks among ``KEYS`` and
    ``--rounds`` sets the rounds."""
    keys = bench.meta.get("pages") or None
    rounds = bench.meta.get("rounds") or ROUNDS
    rows: list[Row] = []
    for user in ("manager", "admin"):
        if not any(v.user == user and (keys is None or v.key in keys) for v in VISITS):
            continue
        result = in_child("bench.memory:run", str(bench.path), user, rounds, keys,
                          timeout=3600)
        if "error" in result:
            rows.append(Row(f"Memory, every page ({user})", "n/a", note=result["error"]))
        else:
            rows.extend(rows_of(result, user))
    if keys is None or FIRST_SYNC in keys:
        rows.extend(first_sync_rows(bench))
    return rows


def first_sync_rows(bench: Bench) -> list[Row]:
    """A laptop's first sync (``bench.first_sync``), when a PostgreSQL for the hub is named."""
    from bench import first_sync

    url = os.environ.get(first_sync.PG_ENV)
    if not url:
        return [Row("Memory: a laptop's first sync", "n/a",
                    note=f"set {first_sync.PG_ENV} to a PostgreSQL database for the hub")]
    hub = in_child("bench.first_sync:make_hub", str(bench.path), url, timeout=4 * 3600)
    if "error" in hub:
        return [Row("Memory: a laptop's first sync", "n/a", note=hub["error"])]
    rows = []
    for user, login in hub["logins"].items():
        got = in_child("bench.first_sync:first_sync", login, str(bench.path.parent),
                       timeout=3600)
        if "error" in got:
            rows.append(Row(f"Memory: {user}'s laptop, first sync", "n/a", note=got["error"]))
            continue
        if "over_cap_gb" in got:
            rows.append(Row(f"Memory: {user}'s laptop, first sync (peak, VmHWM)",
                            f"> {got['over_cap_gb']:g} GB", target="< 400 MB",
                            note=f"NOT MET; stopped by the bench's cap (BENCH_SYNC_CAP_GB) "
                                 f"at {got['hwm_mb']:,} MB resident; load {got['load']}"))
            continue
        verdict = "met" if got["hwm_mb"] < TARGET_MB else "NOT MET"
        rows.append(Row(f"Memory: {user}'s laptop, first sync (peak, VmHWM)",
                        f"{got['hwm_mb']:,} MB", target="< 400 MB",
                        note=f"{verdict}; {got['people']:,} people, {got['contacts']:,} "
                             f"contacts copied in {got['s']:.0f} s (CPU {got['cpu']:.0f} s); "
                             f"{got['opened_mb']} MB before the sync; load {got['load']}"))
    return rows


def rows_of(result: dict[str, Any], user: str = "manager") -> list[Row]:
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
                             + (f"; {last['note']}" if last["note"] else "")
                             + (f"; highest child process so far (builds apart, export "
                                f"workers) {last['apart']:,} MB"
                                if last.get("apart") else "")))
    peak = max(v["peak"] for v in result["visits"])
    rows.append(Row(f"Memory, highest with every page opened ({user})", f"{peak:,} MB",
                    target="< 400 MB",
                    note=f"{'met' if peak < TARGET_MB else 'NOT MET'}; VmHWM "
                         f"{result.get('hwm', 0):,} MB; load {result['load']}"))
    return rows
