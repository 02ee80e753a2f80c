"""The export's worker processes (``linkworker.io.export_workers``): the same files as one
process writes, one snapshot for all, the key never on a command line, a Cancel or a failure
ends them, and none outlives its parent. Each test starts real spawned workers on a small
caseload (a worker costs about a second to start, so only a few tests do)."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import subprocess
import sys
import textwrap
import threading
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import insert
from test_export_roundtrip import TODAY, build

from linkworker.access import SYSTEM
from linkworker.io import export as ex
from linkworker.io import export_rows as er
from linkworker.io import export_workers as ew
from linkworker.io.export import ExportStopped, export_all
from linkworker.models import Contact, Episode, Person, Service


def more_contacts(caseload, count: int = 11) -> None:
    with caseload.transaction() as s:
        journey = s.query(Episode).filter(Episode.number == 1).first()
        s.add_all([Contact(episode_id=journey.id, contact_date=dt.date(2026, 1, n + 1),
                           mode="phone", purpose="review", status="attended",
                           note=f"call {n}, said \"fine\"") for n in range(count)])


def files(folder: Path) -> dict[str, bytes]:
    """Every CSV and README.txt, and every part of the workbook uncompressed."""
    out = {p.name: p.read_bytes() for p in folder.iterdir() if p.name != ex.WORKBOOK}
    with zipfile.ZipFile(folder / ex.WORKBOOK) as book:
        assert book.testzip() is None  # every part's CRC checks
        out.update({f"{ex.WORKBOOK}:{name}": book.read(name) for name in book.namelist()})
    return out


@pytest.fixture
def in_workers(monkeypatch):
    """Exports of this test use worker processes, whatever the caseload's size: one (each
    costs about a second to start; two are tested above)."""
    monkeypatch.setattr(ew, "IN_PROCESS_ROWS", 0)
    monkeypatch.setattr(ew, "worker_count", lambda: 1)


def test_workers_write_what_one_process_writes_with_tables_cut_across_sheets(
        caseload, tmp_path, monkeypatch):
    build(caseload)
    more_contacts(caseload)
    monkeypatch.setattr(er, "EXCEL_MAX_ROWS", 4)  # the contacts' shares cross sheets
    alone = files(export_all(caseload, SYSTEM, tmp_path / "alone", today=TODAY).folder)

    planned = []
    real_plan = ew.plan
    monkeypatch.setattr(ew, "IN_PROCESS_ROWS", 0)
    monkeypatch.setattr(ew, "SHARES_PER_WORKER", 50)  # cut every table it can
    monkeypatch.setattr(ew, "plan", lambda *a: planned.extend(real_plan(*a)) or planned)
    shared = files(export_all(caseload, SYSTEM, tmp_path / "shared", today=TODAY).folder)

    cut = [s for s in planned if s.table == "contacts"]
    assert len(cut) > 2 and any(s.before % 4 for s in cut)  # a share starts mid-sheet
    assert shared.keys() == alone.keys()
    assert [name for name in alone if shared[name] != alone[name]] == []
    assert multiprocessing.active_children() == []


def test_the_workers_get_the_key_down_a_pipe_and_read_the_snapshot_the_export_began_on(
        caseload, tmp_path, monkeypatch, in_workers):
    """A save that comes while the workers are starting their reads waits for the export's
    momentary write lock, so it lands after every snapshot: in no file. (Without the lock,
    it lands between the parent's snapshot and the workers', and is exported.) Meanwhile
    the workers' command lines and environments are read: the key is in neither."""
    build(caseload)
    saved = threading.Event()

    def save() -> None:
        with caseload.transaction() as s:
            s.add(Service(name="Late service, saved during the export", category="other"))
        saved.set()

    real_begin = ew.Workers.begin
    late = threading.Thread(target=save)
    seen = []

    def begin(self, stopped):
        late.start()
        if Path("/proc/self/environ").exists():
            seen.extend(Path(f"/proc/{process.pid}/{what}").read_bytes()
                        for process in self.processes for what in ("cmdline", "environ"))
        assert not saved.wait(0.5), "a save got in while the snapshots were being taken"
        real_begin(self, stopped)

    monkeypatch.setattr(ew.Workers, "begin", begin)
    result = export_all(caseload, SYSTEM, tmp_path / "out", today=TODAY)
    late.join(15)
    assert saved.is_set()  # it was saved, once the lock was let go
    assert "Late service" not in (result.folder / "services.csv").read_text("utf-8")
    assert result.counts["services"] == 1
    key = caseload.key
    assert len(seen) in (0, 2) and all(seen)  # one worker here (``in_workers``)
    for text in seen:
        assert key.hex().encode() not in text.lower() and key not in text


def test_a_cancel_ends_the_workers_and_leaves_nothing(caseload, tmp_path, in_workers):
    build(caseload)
    before = set(tmp_path.iterdir())
    asked = []

    def progress(done, total, text):
        asked.append(text)

    with pytest.raises(ExportStopped):
        export_all(caseload, SYSTEM, tmp_path / "out", today=TODAY, progress=progress,
                   stop=lambda: bool(asked))  # Cancel pressed once the first table shows
    assert multiprocessing.active_children() == []
    assert set(tmp_path.iterdir()) == before  # no folder, no hidden staging folder


def test_a_worker_runs_below_the_apps_priority_and_its_failure_is_the_error_itself(
        caseload, tmp_path):
    build(caseload)
    share = ew.Share("people", 0, 1, None, 0, 1)
    with ew.Workers(1) as workers:
        workers.start(caseload.path, caseload.key, lambda: None)
        if hasattr(os, "getpriority"):  # the window keeps the cores it needs
            ours = os.getpriority(os.PRIO_PROCESS, 0)
            assert os.getpriority(os.PRIO_PROCESS, workers.processes[0].pid) == min(
                19, ours + ew.NICER)
        workers.begin(lambda: None)
        gone = tmp_path / "not there"
        workers.setup(SYSTEM, 0, gone, gone)
        with pytest.raises(FileNotFoundError, match="not there"):
            workers.run([share], lambda done: None, lambda: None)
    assert multiprocessing.active_children() == []


@pytest.mark.skipif(sys.platform == "win32", reason="kills with SIGKILL; makes a FIFO")
def test_a_busy_worker_ends_with_its_parent_even_a_killed_one(caseload, tmp_path):
    """The worker is stuck writing (its CSV is a FIFO nobody reads), not waiting on its pipe,
    when its parent is killed: it ends all the same."""
    stuck = tmp_path / "stuck"
    stuck.mkdir()
    os.mkfifo(stuck / "people.csv")
    parent = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent("""
            import sys, time
            from pathlib import Path
            from linkworker.access import SYSTEM
            from linkworker.io.export_workers import Share, Workers
            path, key, folder = sys.stdin.readline().split()
            workers = Workers(1)
            workers.start(Path(path), bytes.fromhex(key), lambda: None)
            workers.begin(lambda: None)
            workers.setup(SYSTEM, 0, Path(folder), Path(folder))
            workers.pipes[0].send(("share", Share("people", 0, 1, None, 0, 1)))
            print(workers.processes[0].pid, flush=True)
            time.sleep(120)
        """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        parent.stdin.write(f"{caseload.path} {caseload.key.hex()} {stuck}\n")
        parent.stdin.flush()
        worker = int(parent.stdout.readline())
        time.sleep(0.5)  # into the FIFO's open
        assert running(worker)
        parent.kill()
        parent.wait(10)
        deadline = time.monotonic() + 10
        while running(worker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not running(worker)
    finally:
        parent.kill()
        if "worker" in locals() and running(worker):
            os.kill(worker, 9)


def running(pid: int) -> bool:
    """Alive and not a zombie (a dead orphan may wait for a reaper in a container)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "\nState:\tZ" in status.read_text())


PEOPLE = 8000
BYTES_A_PERSON = 200  # the window's Python memory at its highest during the export


def many_people(caseload, count: int) -> None:
    """``count`` people with a journey each, inserted in bulk (the export's look-ups grow
    with them)."""
    with caseload.transaction() as s:
        ids = s.scalars(insert(Person).returning(Person.id), [
            {"reference": f"LW-{n:06d}", "given_name": "A", "family_name": f"B{n}"}
            for n in range(1, count + 1)]).all()
        s.execute(insert(Episode), [{"person_id": person, "number": 1,
                                     "referral_date": dt.date(2026, 1, 1)} for person in ids])


def test_the_window_holds_no_look_up_of_every_person_while_workers_export(
        caseload, tmp_path, in_workers):
    """The look-ups (every person's reference, every journey's) are read by each worker
    from the snapshot, never built in the window and pickled down the pipes: the window's
    Python memory at its highest during an export of 8,000 people stays under 200 bytes a
    person (1.0 MB, whatever the number of people; it was 6.3 MB, the look-ups as dicts
    and their pickles about 660 bytes a person)."""
    many_people(caseload, PEOPLE)
    tracemalloc.start()
    try:
        export_all(caseload, SYSTEM, tmp_path / "out", today=TODAY)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < PEOPLE * BYTES_A_PERSON
