"""Cold start of the main window: process start to the first caseload row on screen (offscreen).

Measured for a manager (the list holds everyone) and for worker1 (their own caseload), each in
a fresh process: unlock, build ``ui.main_window.MainWindow(runner, actor)``, show it, and wait
until the caseload model has its first page of rows.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bench.common import PASSPHRASE, Bench, Row, in_child

TIMEOUT_S = 300


def run(path: str, username: str) -> dict[str, Any]:
    """Runs in a child (QT_QPA_PLATFORM=offscreen)."""
    started = time.perf_counter()
    from PySide6.QtWidgets import QApplication
    from sqlalchemy import select

    from linkworker.access import Actor
    from linkworker.models import User
    from linkworker.storage.database import Caseload
    from ui.main_window import MainWindow
    from ui.operations import Runner

    app = QApplication.instance() or QApplication([])
    caseload = Caseload.open(Path(path), PASSPHRASE)
    opened = time.perf_counter()
    with caseload.reading() as s:
        user = s.execute(select(User).where(User.username == username)).scalar_one()
        actor = Actor(user.id, user.username, user.role, user.display_name)
    runner = Runner(caseload)
    window = MainWindow(runner, actor)
    window.show()
    model = window.page("caseload").model
    deadline = time.perf_counter() + TIMEOUT_S
    while not (model.rowCount() and model.is_loaded(0) and model.row(0) is not None):
        if time.perf_counter() > deadline:
            raise TimeoutError(f"no caseload row after {TIMEOUT_S}s")
        app.processEvents()
        time.sleep(0.002)
    first_row = time.perf_counter()
    rows = model.rowCount()
    window.shutdown() if hasattr(window, "shutdown") else window.close()
    return {"total_s": round(first_row - started, 2), "open_s": round(opened - started, 2),
            "rows": rows}


def measure(bench: Bench) -> list[Row]:
    out = []
    for username in ("manager", "worker1"):
        result = in_child("bench.window:run", str(bench.path), username)
        name = f"Window cold start to first row ({username})"
        if "error" in result:
            out.append(Row(name, "n/a", note=result["error"]))
            continue
        out.append(Row(name, f"{result['total_s']:.2f} s", result["rss_mb"],
                       f"{result['rows']:,} rows; imports + unlock took {result['open_s']:.2f} s"))
    return out
