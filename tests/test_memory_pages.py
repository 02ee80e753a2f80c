"""Pages and dialogs opened again and again do not pile up (issue 15: memory under 400 MB
whatever pages are opened; ``python -m bench --only memory`` opens every page three times)."""

from __future__ import annotations

import os
import weakref

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication
from test_app_integration import ROLE_USER, idle, opened, world  # noqa: F401

from ui.guide import GuideWindow
from ui.io import ImportWizard
from ui.signin import ChangePasswordDialog


def _closed_and_collected(qtbot, window, dialog) -> None:
    dialog.close()
    idle(qtbot, window.runner)
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # as the app's loop does


def test_a_closed_dialog_goes_when_the_next_one_opens(qtbot, world, opened):  # noqa: F811
    """Each opening of the import wizard, the password box or the guide used to leave the
    closed one behind as the window's child (119 more widgets an import wizard)."""
    window = opened(world.actor(ROLE_USER["manager"]))
    for _round in range(3):
        for open_it in (window.import_data, window.change_password, window.show_guide):
            _closed_and_collected(qtbot, window, open_it())
    window.import_data()  # closed ones go as the next one opens
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    kept = {kind: len(window.findChildren(kind))
            for kind in (ImportWizard, ChangePasswordDialog, GuideWindow)}
    assert kept == {ImportWizard: 1, ChangePasswordDialog: 0, GuideWindow: 0}


def test_opening_a_page_keeps_no_source_lines_of_the_modules_it_imported(tmp_path, monkeypatch):
    """Qt's import hook reads the source of every module imported after it, and Python's
    ``linecache`` kept it all: 380,000 lines (26-30 MB) once Reports had imported matplotlib
    and reportlab (issue 15). A page's modules are imported; their lines are not kept, and a
    line a traceback needs is read again."""
    import linecache

    from ui.main_window import Part, resolve

    (tmp_path / "lw_page_for_linecache.py").write_text(
        "import lw_page_part_for_linecache\nPage = lw_page_part_for_linecache.Page\n",
        encoding="utf-8")
    module = tmp_path / "lw_page_part_for_linecache.py"  # imported by a statement, as pages do
    module.write_text("class Page:\n    '''A page.'''\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    linecache.cache["<made by code>"] = (7, None, ["x = 1\n"], "<made by code>")
    assert resolve(Part("A page", "lw_page_for_linecache", "Page")).__doc__ == "A page."
    assert str(module) not in linecache.cache
    assert "<made by code>" in linecache.cache  # nothing to read it from again: kept
    assert linecache.getline(str(module), 1) == "class Page:\n"
    linecache.cache.pop("<made by code>", None)


# --- the C heap's free pages go back at quiet moments (stop 27) ------------------------------

HEAP_MB = 120  # freed by the churn below, in pieces a heap cannot hand back from its end
BACK_MB = 80  # of which at least this much must go back to the system


def _rss_mb() -> float:
    import os

    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _churn(_job=None) -> list[bytes]:
    """What a page's read does to the C heap: many blocks (rows, SQLite's pages) then most of
    them freed, one in 64 kept, so the free space lies between blocks still in use."""
    blocks = [bytes(2000) for _ in range(HEAP_MB * 2**20 // 2000)]
    return blocks[::64]


def _needs_glibc() -> None:
    import ctypes

    import pytest

    if not hasattr(ctypes.CDLL(None), "malloc_trim") or not os.path.exists("/proc/self/statm"):
        pytest.skip("glibc's malloc_trim and /proc: Linux only")


def test_the_heap_a_read_freed_goes_back_to_the_system_once_all_is_quiet(qtbot, runner):
    """A reader's heap kept what its read freed (130-190 MB free heap in a manager's window at
    50,000 people, stop 27): once the answer is in and nothing more is asked for, it goes."""
    _needs_glibc()
    answered: list[float] = []
    kept: list[list[bytes]] = []
    runner.read(_churn, lambda blocks: kept.append(blocks) or answered.append(_rss_mb()))
    qtbot.waitUntil(lambda: bool(answered))
    qtbot.waitUntil(lambda: _rss_mb() < answered[0] - BACK_MB, timeout=10_000)
    assert len(kept[0]) == HEAP_MB * 2**20 // 2000 // 64 + 1  # what the page keeps stays


def test_the_heap_goes_back_while_a_long_export_runs(qtbot, runner):
    """An export runs for minutes at 150,000 people, so the window is never quiet: what the
    pages' reads freed meanwhile still goes back (the export's visit peaked at 422 MB there
    with a give-back only when all was quiet, stop 27)."""
    import threading

    _needs_glibc()
    release = threading.Event()
    runner.background(lambda job: release.wait(60), label="A long export")
    answered: list[float] = []
    kept: list[list[bytes]] = []
    try:
        runner.read(_churn, lambda blocks: kept.append(blocks) or answered.append(_rss_mb()))
        qtbot.waitUntil(lambda: bool(answered))
        qtbot.waitUntil(lambda: _rss_mb() < answered[0] - BACK_MB, timeout=15_000)
        assert runner.is_busy()  # still exporting
    finally:
        release.set()


def test_a_record_closed_gives_its_memory_back(qtbot, world, opened):  # noqa: F811
    """Closing a record (or leaving a page, closing a dialog) is a quiet moment too: what it
    freed goes back with no read to wait for."""
    _needs_glibc()
    window = opened(world.actor(ROLE_USER["manager"]))
    record = window.show_person(window.page("caseload").model.ids[0])
    idle(qtbot, window.runner)
    settling = getattr(window.runner, "settling", lambda: False)  # the record's reads' first
    qtbot.waitUntil(lambda: not settling())
    kept = _churn()  # on the GUI thread, as the record's widgets and models were
    freed = _rss_mb()
    assert window.close_tab(window.tabs.indexOf(record))
    qtbot.waitUntil(lambda: _rss_mb() < freed - BACK_MB, timeout=10_000)
    assert kept


def test_a_list_read_again_lets_its_last_rows_go_at_once(qtbot, world, opened):  # noqa: F811
    """Today's and Due's rows (and Due's keys) replaced by a refresh were held in a cycle with
    the model's callback, so they stayed until a full collection: 8,846 keys and thousands of
    rows a round at 50,000 people, a full collection seldom comes (stop 27). Collection is
    off here, as between the app's own collections: a list replaced goes as it is replaced."""
    from ui.person_list import PagedRows, PersonList

    window = opened(world.actor(ROLE_USER["manager"]))
    for key in ("today", "due"):
        page = window.go(key)
        idle(qtbot, window.runner)
        tables = page.findChildren(PersonList)
        shown: list[weakref.ref] = []
        for _read in range(3):
            shown += [weakref.ref(t.list_model.items) for t in tables
                      if isinstance(t.list_model.items, PagedRows)]
            page.refresh()
            idle(qtbot, window.runner)
        current = {id(t.list_model.items) for t in tables}
        alive = [rows() for rows in shown if rows() is not None and id(rows()) not in current]
        assert shown and alive == [], key


HEAPS_PROBE = """
import ctypes, sys, threading
from pathlib import Path
from linkworker import launch
assert launch.begin(Path(sys.argv[1])) is None  # the app's start, before Qt
launch.wait_for_warm()
together = threading.Barrier(8)
def read():  # a thread's first allocations, all at once: each may take a heap of its own
    together.wait()
    kept = [bytes(5000) for _ in range(200)]
    together.wait()
threads = [threading.Thread(target=read) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
ctypes.CDLL(None).malloc_stats()  # one "Arena N:" paragraph a heap, on stderr
"""


def test_the_apps_threads_share_two_heaps(caseload):
    """glibc gave each thread a heap of its own (up to 16 on two cores) and what one freed no
    other could use: at 150,000 people two heaps took 37 MB off the window's peak (stop 27).
    From the app's start (``launch.begin``), eight threads reading at once share two."""
    import subprocess
    import sys

    from tests.conftest import TEST_PASSPHRASE

    _needs_glibc()
    path = caseload.path
    caseload.close()
    env = {"QT_QPA_PLATFORM": "offscreen", "PATH": "", "LINKWORKER_PASSPHRASE": TEST_PASSPHRASE,
           "HOME": str(path.parent), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    done = subprocess.run([sys.executable, "-c", HEAPS_PROBE, str(path)], capture_output=True,
                          text=True, check=True, env=env, timeout=120)
    heaps = [line for line in done.stderr.splitlines() if line.startswith("Arena ")]
    assert 1 <= len(heaps) <= 2, done.stderr
