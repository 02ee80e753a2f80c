"""Cycles are collected on the GUI thread only (ui/collector.py)."""

from __future__ import annotations

import gc
import threading

from ui.app import application
from ui.collector import GuiThreadCollector, collect_when_due


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_the_app_switches_automatic_collection_off_and_collects_on_its_timer(qtbot):
    app = application()
    collector = app.findChild(GuiThreadCollector)
    assert collector is not None and collector.timer.isActive()
    assert application().findChildren(GuiThreadCollector) == [collector]  # one, however often
    assert not gc.isenabled()


def test_a_background_thread_allocating_collects_nothing_the_gui_thread_then_does(qtbot):
    gc.disable()  # as the app's collector leaves it
    gone = threading.Event()

    class Watched(_Cycle):
        def __del__(self) -> None:
            gone.set()

    Watched()
    worker = threading.Thread(target=lambda: [[object()] for _ in range(100_000)])
    worker.start()
    worker.join()
    assert not gone.is_set()  # allocation on another thread freed no cycle
    assert collect_when_due((0, 0, 0)) >= 1 and gone.is_set()
