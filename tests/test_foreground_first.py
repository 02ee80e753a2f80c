"""The user's reads come first (issue 15): background work and housekeeping step aside while
a search or a page read is queued or running, between their own steps and from inside
SQLite, then finish. Writes never step aside (they would hold the write lock)."""

from __future__ import annotations

import threading
import time

import pytest

COUNT_TO = 3_000_000
LONG_COUNT = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < "
              f"{COUNT_TO}) SELECT count(tick(i)) FROM n")


def _held_read(runner) -> tuple[threading.Event, threading.Event, list]:
    """A user's read that runs until ``release`` is set (a search the user waits for)."""
    started, release, answers = threading.Event(), threading.Event(), []

    def search(job):
        started.set()
        release.wait(30)
        return "rows"

    runner.read(search, answers.append, supersede="search")
    assert started.wait(10)
    return started, release, answers


def _counting(job, ticks: list[int], transaction: bool = False) -> int:
    """A long statement that reports how far it has gone (``ticks``) as it runs."""
    unit = job.caseload.transaction() if transaction else job.caseload.reading()
    with unit as session:
        raw = session.connection().connection.dbapi_connection
        raw.create_function("tick", 1, lambda i: ticks.append(i) or i)
        return session.connection().exec_driver_sql(LONG_COUNT).scalar()


@pytest.mark.parametrize("lane", ["background", "writer"])
def test_background_work_waits_between_steps_while_a_users_read_runs(runner, qtbot, lane):
    """The background lane's jobs, and the writer's housekeeping that yields (the start-up
    stage sweep reads there), wait between steps while a search runs."""
    _started, release, answers = _held_read(runner)
    passed = threading.Event()

    def check(job):
        job.step_aside()
        passed.set()
        return "checked"

    done: list[str] = []
    if lane == "background":
        runner.background(check, done.append, quiet=True)
    else:
        runner.run(check, done.append, yields=True)
    assert not passed.wait(0.8)  # still waiting: the user's read is running
    release.set()
    qtbot.waitUntil(lambda: answers == ["rows"] and done == ["checked"], timeout=10000)


def test_a_long_background_statement_pauses_inside_sqlite_and_then_finishes(runner, qtbot):
    ticks: list[int] = []
    done: list[int] = []
    runner.background(lambda job: _counting(job, ticks), done.append, quiet=True)
    qtbot.waitUntil(lambda: len(ticks) > 1000, timeout=10000)  # it is running
    _started, release, answers = _held_read(runner)
    time.sleep(0.2)  # the statement reaches its next progress check and steps aside
    reached = len(ticks)
    time.sleep(0.5)
    assert len(ticks) == reached < COUNT_TO  # not one row further while the user waits
    release.set()
    qtbot.waitUntil(lambda: done == [COUNT_TO], timeout=60000)
    assert answers == ["rows"]


def test_a_background_write_never_pauses_holding_the_write_lock(runner, qtbot):
    _started, release, _answers = _held_read(runner)
    ticks: list[int] = []
    done: list[int] = []
    runner.background(lambda job: _counting(job, ticks, transaction=True), done.append,
                      quiet=True)
    qtbot.waitUntil(lambda: done == [COUNT_TO], timeout=60000)  # while the read still runs
    release.set()


def test_a_dropped_read_never_answers(runner, qtbot):
    started, release = threading.Event(), threading.Event()
    answers: list[str] = []
    failures: list[BaseException] = []

    def whole_list(job):
        started.set()
        release.wait(0.5)
        return "old list"

    runner.read(whole_list, answers.append, failed=failures.append, supersede="ids")
    assert started.wait(10)
    runner.drop("ids")
    qtbot.waitUntil(lambda: not runner.is_busy(), timeout=10000)
    assert answers == [] and failures == []
    release.set()


def test_housekeeping_reads_that_step_aside_never_hold_up_a_users_read(runner, qtbot):
    """Two counts that step aside (everyone's caseload counts, the Due badge) must not take
    both reader threads while they wait: the user's search would then wait for them, and
    they for it, for ever."""
    ticks: tuple[list[int], list[int]] = ([], [])
    done: list[int] = []
    for counted in ticks:
        runner.read(lambda job, counted=counted: _counting(job, counted), done.append,
                    yields=True)
    qtbot.waitUntil(lambda: len(ticks[0]) > 1000, timeout=10000)  # running
    answers: list[str] = []
    runner.read(lambda job: "rows", answers.append, supersede="search")
    qtbot.waitUntil(lambda: answers == ["rows"], timeout=10000)
    qtbot.waitUntil(lambda: done == [COUNT_TO, COUNT_TO], timeout=60000)
