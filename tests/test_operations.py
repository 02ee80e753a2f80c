"""The background runner: work off the GUI thread, results and errors back on it."""

from __future__ import annotations

import threading

import shiboken6
from PySide6.QtWidgets import QLabel

from linkworker.errors import UserError
from ui.operations import while_alive


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
    qtbot.waitUntil(lambda: not runner.is_busy())
    assert alive.text() == "on time" and late == ["late"] and failures == []


def test_while_alive_drops_a_callback_for_a_deleted_widget(runner, qtbot):
    label, calls = QLabel(), []
    callback = while_alive(label, calls.append)
    callback("before")
    shiboken6.delete(label)
    callback("after")
    assert calls == ["before"]
