"""Each background job is its own (issue 15): its progress reaches only the place that shows
it, and an export never queues behind a daily backup that is already copying. A real small
caseload, a real runner and real widgets; the jobs are held by the test, order is proved."""

from __future__ import annotations

import datetime as dt
import threading

from PySide6.QtWidgets import QApplication, QMainWindow, QProgressDialog

from linkworker import backup
from linkworker.access import SYSTEM
from linkworker.models import Service
from linkworker.storage.database import stepping_aside


def _export_dialog() -> QProgressDialog:
    return next(w for w in QApplication.topLevelWidgets()
                if isinstance(w, QProgressDialog) and w.objectName() == "export_progress")


def test_the_export_dialog_shows_only_the_exports_progress(qtbot, runner, tmp_path,
                                                           monkeypatch):
    """While the export is held after its first report, another job (an import on the writer)
    reports its own progress: the export's dialog still shows the export's, the other job's
    reports go to the window's status bar (the shared signal), and the export's do not."""
    from ui.io import export_dialog

    exporting, release = threading.Event(), threading.Event()
    real_export_all = export_dialog.export_all

    def held_export_all(caseload, actor, folder, *, progress, stop):
        progress(1, 4, "Writing people")
        exporting.set()
        release.wait(30)
        return real_export_all(caseload, actor, folder, progress=progress, stop=stop)

    monkeypatch.setattr(export_dialog, "export_all", held_export_all)
    shared: list[tuple[int, int, str]] = []
    runner.progress.connect(lambda *report: shared.append(report))
    try:
        future = export_dialog.export_everything(None, runner, SYSTEM, tmp_path / "out",
                                                 quiet=True)
        dialog = _export_dialog()
        qtbot.waitUntil(exporting.is_set)
        qtbot.waitUntil(lambda: dialog.labelText() == "Writing people")
        with qtbot.waitSignal(runner.progress):
            runner.run(lambda job: job.progress(7, 9), label="Importing people")
        assert shared == [(7, 9, "Importing people")]
        assert dialog.labelText() == "Writing people"
        assert (dialog.value(), dialog.maximum()) == (1, 4)
    finally:
        release.set()
    qtbot.waitUntil(future.done)
    assert (tmp_path / "out" / "people.csv").exists()
    assert shared == [(7, 9, "Importing people")]


def test_each_job_gets_only_its_own_progress(qtbot, runner):
    """Two jobs at once, each with a place of its own: neither sees the other's reports, and
    the shared signal (the status bar) sees neither; housekeeping reports go nowhere."""
    mine: list[tuple[int, int, str]] = []
    theirs: list[tuple[int, int, str]] = []
    shared: list[tuple[int, int, str]] = []
    runner.progress.connect(lambda *report: shared.append(report))
    both_started = threading.Barrier(2)

    def work(job):
        both_started.wait(10)  # the two run side by side, on the writer and on a reader
        job.progress(1, 2)

    runner.run(work, label="Saving", progress=lambda *r: mine.append(r))
    runner.read(work, label="Counting", progress=lambda *r: theirs.append(r))
    runner.background(lambda job: job.progress(5, 5), label="Checking", quiet=True)
    qtbot.waitUntil(lambda: bool(mine and theirs) and not runner.is_busy())
    assert mine == [(1, 2, "Saving")] and theirs == [(1, 2, "Counting")]
    assert shared == []


def test_an_export_asked_for_while_the_daily_backup_copies_starts_before_it_ends(
        qtbot, runner, caseload, tmp_path, monkeypatch):
    """The daily backup is held part way through its copy (inside ``VACUUM INTO``, where it
    steps aside): an export asked for then runs to its end, and the backup, released, still
    makes a sound copy."""
    import ui.admin.recovery as recovery
    from ui.io.export_dialog import export_everything

    with caseload.transaction() as session:  # enough rows for the copy to step aside part way
        session.add_all([Service(name=f"Walk {i}", category="physical_activity")
                         for i in range(2000)])
    copying, release = threading.Event(), threading.Event()
    real_backup = backup.auto_backup
    daily = backup.daily_path(caseload.path, dt.date.today())
    folder = daily.parent

    def hold_mid_copy() -> None:
        if any(folder.glob(".*.part-journal")):  # VACUUM INTO is writing the copy: hold it
            copying.set()
            release.wait(30)

    def held_backup(*args, **kwargs):
        with stepping_aside(hold_mid_copy):
            return real_backup(*args, **kwargs)

    monkeypatch.setattr(backup, "auto_backup", held_backup)
    monkeypatch.setattr(recovery, "check_pages", lambda _job: [])
    monkeypatch.setattr(recovery.StartupChecks, "BACKUP_IDLE_S", 0.0)
    window = QMainWindow()
    qtbot.addWidget(window)
    try:
        checks = recovery.StartupChecks(window, runner)
        qtbot.waitUntil(copying.is_set)
        future = export_everything(None, runner, SYSTEM, tmp_path / "out", quiet=True)
        qtbot.waitUntil(future.done)
        assert (tmp_path / "out" / "people.csv").exists()
        assert checks.stage == "backing up" and backup.daily_due(caseload)
    finally:
        release.set()
    qtbot.waitUntil(lambda: checks.stage == "done")
    assert not backup.daily_due(caseload)
    assert backup.check_backup(daily).ok


def test_a_runner_thread_never_lets_go_last_of_what_a_view_gave_it(qtbot, runner):
    """A job's work function and callbacks close over a view. Were a runner thread the last
    to let go of them (after the GUI thread had its answer and the view was otherwise gone),
    the view would be deleted on that thread: the segfault seen once in tests/security. The
    reader thread is held just after it has handed its answer over; the view (a witness
    here) must already have been let go, on the GUI thread."""
    from ui.operations import Foreground

    released: list[threading.Thread] = []

    class View:  # what a job's closure and callbacks hold
        def __del__(self) -> None:
            released.append(threading.current_thread())

    handed_over = threading.Event()

    class HeldAfterTheAnswer(Foreground):
        def end(self) -> None:  # a reader thread, once it has handed over its answer
            super().end()
            handed_over.wait(10)

    runner.foreground = HeldAfterTheAnswer()
    view, answers = View(), []
    runner.read(lambda _job, _view=view: 1, lambda value, _view=view: answers.append(value))
    del view
    try:
        qtbot.waitUntil(lambda: answers == [1])
        assert released == [threading.main_thread()]  # while the reader is still held
    finally:
        handed_over.set()


def test_a_background_lanes_long_statement_looks_up_for_the_user_often(qtbot, runner,
                                                                       monkeypatch):
    """A count on its lane (and every background lane) asks whether to step aside every
    ``BACKGROUND_STEPS`` of SQLite's steps, not the readers' 10,000: steps reading cold pages
    of a big file made 10,000 of them hold a core through a worker's first keystrokes."""
    from sqlalchemy import text

    from ui.operations import Job

    looked: list[int] = []
    monkeypatch.setattr(Job, "step_aside", lambda job: looked.append(1))
    counting = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                "WHERE i < 20000) SELECT count(*) FROM n")

    def count(job):
        with job.caseload.reading() as session:
            return session.execute(text(counting)).scalar_one()

    answers: list[int] = []
    runner.read(count, answers.append, yields=True)
    qtbot.waitUntil(lambda: answers == [20000])
    assert len(looked) >= 100, f"looked up {len(looked)} times in about 200,000 steps"
