"""The background runner: work off the GUI thread, results and errors back on it."""

from __future__ import annotations

import threading

import pytest
import shiboken6
from PySide6.QtWidgets import QLabel

from linkworker.errors import UserError
from ui.operations import Changes, while_alive


def test_work_runs_off_the_gui_thread_and_returns_on_it(runner, qtbot):
    gui = threading.get_ident()
    seen: dict[str, int] = {}

    def work(job):
        seen["worker"] = threading.get_ident()
        with job.caseload.reading() as s:
            return s.connection().exec_driver_sql("SELECT 41 + 1").scalar()

    results: list[int] = []

    def done(value):
        seen["callback"] = threading.get_ident()
        results.append(value)

    with qtbot.waitSignal(runner.changed) as changed:
        runner.run(work, done, changes={"people"})
    assert results == [42]
    assert seen["worker"] != gui and seen["callback"] == gui
    assert changed.args[0] == frozenset({"people"})


def test_user_errors_reach_the_failed_signal_as_written(runner, qtbot):
    def work(job):
        raise UserError("That date is in the future.")

    with qtbot.waitSignal(runner.failed) as failed:
        runner.run(work, lambda _: None)
    assert failed.args == ["That date is in the future."]


def test_unexpected_errors_are_apologised_for_without_details(runner, qtbot):
    def work(job):
        raise RuntimeError("Mrs Jane Example, NHS 943 476 5919")

    with qtbot.waitSignal(runner.failed) as failed:
        runner.run(work, lambda _: None)
    assert "nothing was changed" in failed.args[0]
    assert "Jane" not in failed.args[0]


def test_progress_is_reported(runner, qtbot):
    reports: list[tuple[int, int, str]] = []
    runner.progress.connect(lambda d, t, text: reports.append((d, t, text)))

    def work(job):
        for i in range(3):
            job.progress(i + 1, 3)

    with qtbot.waitSignal(runner.busy, check_params_cb=lambda b: b is False):
        runner.run(work, label="Counting")
    assert reports == [(1, 3, "Counting"), (2, 3, "Counting"), (3, 3, "Counting")]


def test_answer_for_a_closed_view_is_dropped(runner, qtbot):
    """A result for a deleted widget is not delivered (calling it would raise), while a live
    widget's result still is, and nothing is reported as a failure."""
    closed, alive, failures, late = QLabel(), QLabel(), [], []
    runner.failed.connect(failures.append)
    gate = threading.Event()
    runner.run(lambda job: gate.wait(5) and "late", closed.setText)
    runner.run(lambda job: "late", while_alive(alive, late.append))
    runner.run(lambda job: "on time", alive.setText)
    shiboken6.delete(closed)
    assert not shiboken6.isValid(closed)
    gate.set()
    qtbot.waitUntil(lambda: not runner.is_busy(), timeout=5000)


def test_work_asked_for_after_shutdown_is_dropped_quietly(runner, qtbot):
    """A search typed as the window closes (the signposting search's debounce) may ask for a
    read after the runner has shut down: it is dropped, never run, and raises nothing. A
    change asked for then is not dropped in silence: it could not be saved, and says so."""
    answers: list = []
    runner.shutdown()
    futures = [runner.read(lambda job: "late", answers.append, supersede="search"),
               runner.background(lambda job: "late", answers.append)]
    assert all(f.cancelled() for f in futures)
    with pytest.raises(RuntimeError, match="not saved"):
        runner.run(lambda job: "late", answers.append)
    qtbot.wait(50)
    assert answers == [] and not runner.is_busy()


def test_a_page_read_never_waits_behind_a_long_write_or_export(runner, qtbot):
    gate = threading.Event()
    runner.run(lambda job: gate.wait(10), label="A long write")
    runner.background(lambda job: gate.wait(10), label="A long export")
    answers: list[int] = []

    def read(job):
        with job.caseload.reading() as s:
            return s.connection().exec_driver_sql("SELECT 7").scalar()

    runner.read(read, answers.append)
    qtbot.waitUntil(lambda: answers == [7], timeout=5000)
    assert not gate.is_set()  # both slow jobs were still running when the page came back
    gate.set()
    qtbot.waitUntil(lambda: not runner.is_busy(), timeout=5000)


def test_a_newer_search_supersedes_an_older_one_even_mid_query(runner, qtbot):
    started = threading.Event()
    answers: list[str] = []
    failures: list[BaseException] = []

    def slow_search(job):
        started.set()
        with job.caseload.reading() as s:  # a query that would run for minutes
            s.connection().exec_driver_sql(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
                "SELECT count(*) FROM n").scalar()
        return "old"

    runner.read(slow_search, answers.append, failed=failures.append, supersede="search")
    assert started.wait(5)
    runner.read(lambda job: "new", answers.append, supersede="search")
    qtbot.waitUntil(lambda: not runner.is_busy(), timeout=10000)
    assert answers == ["new"] and failures == []


def test_changes_are_a_typed_record_views_can_still_test_as_tags(runner, qtbot):
    with qtbot.waitSignal(runner.changed, timeout=5000) as changed:
        runner.run(lambda job: None, changes=Changes({"people"}, person_ids={"p1"}))
    record = changed.args[0]
    assert isinstance(record, Changes)
    assert record & {"people", "contacts"} == {"people"}
    assert record.person_ids == {"p1"}


def test_a_page_reads_the_database_while_a_write_holds_its_lock_and_an_export_reads(
        runner, qtbot):
    """Real database work on every lane: the writer has taken the write lock and changed a row
    (not yet committed), the background lane is reading the file query after query; a page's
    read on the reader pool still completes, and sees only committed data (WAL)."""
    gate, writing, exporting = threading.Event(), threading.Event(), threading.Event()

    def long_write(job):
        with job.caseload.transaction() as s:
            s.connection().exec_driver_sql(
                "INSERT INTO settings (key, value, updated_at) "
                "VALUES ('issue15-probe', '\"x\"', CURRENT_TIMESTAMP)")
            writing.set()
            gate.wait(20)
            raise UserError("rolled back")  # leaves the caseload as it was

    def long_export(job):
        with job.caseload.reading() as s:
            while not gate.is_set():
                s.connection().exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar()
                exporting.set()

    failures: list[BaseException] = []
    runner.run(long_write, failed=failures.append, label="A long write")
    runner.background(long_export, failed=failures.append, label="A long export")
    answers: list[int] = []

    def page(job):
        with job.caseload.reading() as s:
            return s.connection().exec_driver_sql(
                "SELECT count(*) FROM settings WHERE key = 'issue15-probe'").scalar()

    try:
        qtbot.waitUntil(lambda: (writing.is_set() and exporting.is_set()) or bool(failures),
                        timeout=10000)
        assert failures == []
        runner.read(page, answers.append, failed=failures.append)
        qtbot.waitUntil(lambda: bool(answers or failures), timeout=10000)
        assert answers == [0] and not gate.is_set()  # both slow jobs were still running
    finally:
        gate.set()
    qtbot.waitUntil(lambda: not runner.is_busy(), timeout=10000)
    assert [str(f) for f in failures] == ["rolled back"]


def test_only_the_readers_keep_a_big_page_cache(runner, qtbot):
    from linkworker.storage.database import BACKGROUND_CACHE_MB, CACHE_MB, WRITER_CACHE_MB

    def cache_kib(job):
        with job.caseload.reading() as s:
            return -s.connection().exec_driver_sql("PRAGMA cache_size").scalar() // 1024

    sizes: dict[str, int] = {}
    runner.run(cache_kib, lambda mb: sizes.__setitem__("writer", mb))
    runner.read(cache_kib, lambda mb: sizes.__setitem__("reader", mb))
    runner.background(cache_kib, lambda mb: sizes.__setitem__("background", mb))
    qtbot.waitUntil(lambda: len(sizes) == 3, timeout=10000)
    runner.read(cache_kib, lambda mb: sizes.__setitem__("reader again", mb))
    qtbot.waitUntil(lambda: len(sizes) == 4, timeout=10000)
    assert sizes == {"writer": WRITER_CACHE_MB, "reader": CACHE_MB,
                     "background": BACKGROUND_CACHE_MB, "reader again": CACHE_MB}


def test_work_that_steps_aside_for_the_user_never_shows_as_busy(runner, qtbot):
    """Counts and the stage sweep (``yields``) run for seconds at 150,000 people while the
    user types: the status bar's busy bar is for what the user waits on, or its animation
    repaints the window all through the typing (issue 15). A read the user waits on still
    shows, and ``is_busy`` still counts everything."""
    shown: list[bool] = []
    runner.busy.connect(shown.append)
    gate = threading.Event()
    runner.read(lambda job: gate.wait(5), yields=True)
    runner.run(lambda job: gate.wait(5), yields=True)
    qtbot.wait(20)
    assert shown == [] and runner.is_busy()
    with qtbot.waitSignal(runner.busy, check_params_cb=lambda b: b is False):
        runner.read(lambda job: 1)
    assert shown == [True, False] and runner.is_busy()
    gate.set()
    qtbot.waitUntil(lambda: not runner.is_busy())
    assert shown.count(True) == 1 and shown[-1] is False
