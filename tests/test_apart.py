"""The Reports page's heavy builds in a process of their own (``linkworker.apart``; issue 15:
under 400 MB at 150,000 people whatever pages are opened).

Stop 25 found the window's growth in Python's arenas: a build that reads 400,000 forms and
keeps a few thousand values pins the arenas the read filled, and each rebuild pinned more.
Built apart, the window's process reads none of those rows: the tests count the statements
its own connections send, which no timing or machine load changes. Each apart build starts a
real spawned process (about a second), so only a few tests do."""

from __future__ import annotations

import multiprocessing
import os
import signal
from pathlib import Path

import pytest
from conftest import make_actor
from sqlalchemy import event
from test_returns_caseload import AS_OF_Q3, build_caseload

from linkworker import apart
from linkworker.access import PermissionDenied
from linkworker.errors import UserError
from linkworker.returns import flow
from linkworker.wellbeing.summaries import SummaryFilter, build_summary

CONTRACT, PERIOD = "TEST-SIB", "2026-Q3"
EVERY_FORM = SummaryFilter("WEMWBS", as_of=AS_OF_Q3)


@pytest.fixture
def built(caseload, actor_manager):
    """The returns' hand-built caseload (13 claims in 2026-Q3; WEMWBS pairs)."""
    with caseload.transaction() as s:
        build_caseload(s, actor_manager)
    return caseload


@pytest.fixture
def always_apart(monkeypatch):
    """Builds run apart whatever the caseload's size (the bench caseloads are 50,000 and
    150,000 people; these are a few dozen)."""
    monkeypatch.setattr(apart, "APART_PEOPLE", 0)


class Reads:
    """The statements this process sends to the caseload."""

    def __init__(self, engine) -> None:
        self.statements: list[str] = []
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn, _cursor, statement, *_rest) -> None:
        self.statements.append(" ".join(statement.split()))

    def of(self, *tables: str) -> list[str]:
        return [s for s in self.statements
                if any(f" {t} " in f"{s} " or f'"{t}"' in s for t in tables)]


def files_beside(caseload) -> set[str]:
    return {p.name for p in caseload.path.parent.rglob("*") if p.is_file()} - {
        caseload.path.name + suffix for suffix in ("-wal", "-shm", "-journal")}


def test_built_apart_the_summary_and_the_return_are_the_windows_own_and_it_reads_none_of_their_rows(
        built, actor_manager, monkeypatch):
    here_summary = build_summary(built, actor_manager, EVERY_FORM)
    told: list[tuple] = []
    here_return = flow.prepare(built, actor_manager, CONTRACT, PERIOD, as_of=AS_OF_Q3,
                               progress=lambda *r: told.append(r))
    files = files_beside(built)

    monkeypatch.setattr(apart, "APART_PEOPLE", 0)
    reads = Reads(built.engine)
    summary = apart.run(built, build_summary, actor_manager, EVERY_FORM)
    heard: list[tuple] = []
    document = apart.run(built, flow.prepare, actor_manager, CONTRACT, PERIOD, as_of=AS_OF_Q3,
                         progress=lambda *r: heard.append(r))

    assert summary == here_summary and summary.paired > 0 and summary.pairs
    assert document == here_return and document.totals.claims == 13
    assert document.content_hash == here_return.content_hash
    # The names a manager fixes records by are found apart too (never stored or exported).
    assert [q.link.name for q in document.data_quality] == [
        q.link.name for q in here_return.data_quality]
    assert heard == told  # the build's progress, as it came when built here
    # The window's process read no form, contact, goal or person: it sent no statement.
    assert reads.statements == []
    assert multiprocessing.active_children() == []
    assert files_beside(built) == files  # no temporary file: the result came by the pipe


def test_a_failure_apart_is_the_error_itself_and_a_stop_ends_the_process(
        built, actor_manager, always_apart):
    with pytest.raises(UserError, match=r"^ONS4 is reported item by item: choose an item"):
        apart.run(built, build_summary, actor_manager, SummaryFilter("ONS4"))
    with pytest.raises(PermissionDenied) as refused:
        apart.run(built, flow.prepare, make_actor("link_worker"), CONTRACT, PERIOD)
    assert (refused.value.role, refused.value.permission) == ("link_worker", "return.build")

    seen: list[bytes] = []

    def stop() -> bool:  # asked while the process runs: read what anyone could see of it
        for child in multiprocessing.active_children():
            for what in ("cmdline", "environ"):
                if Path(f"/proc/{child.pid}/{what}").exists():
                    seen.append(Path(f"/proc/{child.pid}/{what}").read_bytes())
        return bool(seen) or not Path("/proc/self").exists()

    with pytest.raises(apart.WorkStopped):
        apart.run(built, build_summary, actor_manager, EVERY_FORM, stop=stop)
    assert multiprocessing.active_children() == []
    for text in seen:  # the key went down the pipe, never a command line or the environment
        assert built.key.hex().encode() not in text.lower() and built.key not in text


@pytest.mark.skipif(os.name == "nt", reason="kills with SIGKILL")
def test_a_process_that_vanishes_is_a_clear_error_not_a_wait_for_ever(
        built, actor_manager, always_apart):
    killed: list[int] = []

    def kill() -> bool:
        for child in multiprocessing.active_children():
            if not killed:
                os.kill(child.pid, signal.SIGKILL)
                killed.append(child.pid)
        return False

    with pytest.raises(apart.WorkerLost, match="ended unexpectedly; nothing was changed"):
        apart.run(built, build_summary, actor_manager, EVERY_FORM, stop=kill)
    assert killed and multiprocessing.active_children() == []


# --- the Reports page ------------------------------------------------------------------------


def test_the_reports_page_builds_the_return_and_the_summary_apart_at_150000_people(
        qtbot, built, actor_manager, always_apart):
    """As at 150,000 people (``always_apart``): the window's process sends none of the
    statements that read the forms, contacts or people, yet shows the same return and
    summary; an error from the build is shown in the window's own words."""
    from ui.operations import Runner
    from ui.returns import ReturnsScreen
    from ui.wellbeing.summary_view import SummaryView

    expected = flow.prepare(built, actor_manager, CONTRACT, PERIOD, as_of=AS_OF_Q3)
    runner = Runner(built)
    try:
        screen = ReturnsScreen(runner, actor_manager)
        screen.as_of = AS_OF_Q3
        view = SummaryView(runner, actor_manager)
        for widget in (screen, view):
            qtbot.addWidget(widget)
        qtbot.waitUntil(lambda: not runner.is_busy() and view.instrument.count() >= 3)
        reads = Reads(built.engine)
        screen.period_page.period.setEditText(PERIOD)
        screen.go_next()
        screen.go_next()
        qtbot.waitUntil(lambda: screen.state.document is not None)
        view.all_time.setChecked(True)
        view.show_button.click()
        qtbot.waitUntil(lambda: view.summary is not None)

        sent = reads.of("measures", "contacts", "goals", "episodes")
        assert sent == []
        assert screen.state.document == expected
        assert screen.quality_page.table.rowCount() == len(expected.data_quality)
        assert view.summary == build_summary(built, actor_manager, view.current_filter())
        assert len(multiprocessing.active_children()) <= 1  # a spare for the next build

        view.instrument.setCurrentIndex(view.instrument.findData("ONS4"))
        view.item.setEnabled(False)  # as if no item were chosen: the core refuses
        view.show_button.click()
        qtbot.waitUntil(lambda: "reported item by item" in view.warning.text())
    finally:
        runner.shutdown()
    assert multiprocessing.active_children() == []  # closing the window ends the spare


def test_cancelling_a_build_apart_ends_its_process_and_answers_nothing(
        qtbot, built, actor_manager, always_apart):
    from ui.operations import Runner
    from ui.returns import ReturnsScreen

    runner = Runner(built)
    try:
        screen = ReturnsScreen(runner, actor_manager)
        qtbot.addWidget(screen)
        qtbot.waitUntil(lambda: not runner.is_busy())
        screen.period_page.period.setEditText(PERIOD)
        with built.transaction():  # a save elsewhere holds the write lock: the build waits
            screen.go_next()
            screen.go_next()
            qtbot.waitUntil(lambda: bool(runner._running))  # the build is running, apart
            building = multiprocessing.active_children()
            runner.cancel_current()
            qtbot.waitUntil(lambda: not runner.is_busy())
        assert screen.state.document is None
        assert len(building) == 1 and not building[0].is_alive()
    finally:
        runner.shutdown()
    assert multiprocessing.active_children() == []


def test_a_spare_started_early_does_the_next_build_and_one_nobody_needs_ends(
        built, actor_manager, always_apart, monkeypatch):
    apart.warm(built)
    apart.warm(built)  # one spare, however often asked
    (spare,) = multiprocessing.active_children()
    during: list[list] = []

    def look() -> bool:
        during.append(multiprocessing.active_children())
        return False

    summary = apart.run(built, build_summary, actor_manager, EVERY_FORM, stop=look)
    assert summary == build_summary(built, actor_manager, EVERY_FORM)
    assert during and all(seen == [spare] for seen in during)  # no second process started
    assert multiprocessing.active_children() == []  # one piece of work, then it ends

    monkeypatch.setattr(apart, "SPARE_IDLE_S", 0.0)
    apart.warm(built)
    (idle,) = multiprocessing.active_children()
    idle.join(60)
    assert not idle.is_alive()  # nobody asked: it ended by itself
    assert apart.run(built, build_summary, actor_manager, EVERY_FORM) == summary  # a new one
    assert multiprocessing.active_children() == []


class PagesAtPickling:
    """What SQLite held in the process apart after its read, and when its result was being
    pickled (``__reduce__`` runs there, as the result is sent)."""

    def __init__(self, after_read: int, at_pickling: int | None = None) -> None:
        self.after_read, self.at_pickling = after_read, at_pickling

    def __reduce__(self) -> tuple:
        from linkworker.storage import database

        return (PagesAtPickling, (self.after_read, database._memory_used()))


def read_every_form(caseload) -> PagesAtPickling:
    """A heavy read's stand-in: every form and contact, through the caseload's pool."""
    from sqlalchemy import text

    from linkworker.storage import database

    with caseload.reading() as s:
        for table in ("measures", "measure_answers", "contacts", "goals", "people"):
            s.execute(text(f"SELECT * FROM {table}")).all()
        return PagesAtPickling(database._memory_used())


def test_the_process_apart_lets_its_page_caches_go_before_it_pickles_the_result(
        built, always_apart):
    """At 150,000 people the cache (41 MB) and the pickling of the summary peaked together in
    the process apart; its connections are closed before the result is sent."""
    probe = apart.run(built, read_every_form)
    assert probe.after_read > 200_000, probe.after_read  # pages held after the read
    assert probe.at_pickling < probe.after_read / 4, (probe.after_read, probe.at_pickling)
