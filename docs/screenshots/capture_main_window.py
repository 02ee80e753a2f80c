"""Regenerate the main-window screenshots in this folder from a fresh demo caseload.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/capture_main_window.py

Everything shown is synthetic (``linkworker.demo``). Windows are grabbed at 1366x768, the
smallest laptop screen the app is designed for.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent

import keyring  # noqa: E402
import keyring.backends.fail  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from sqlalchemy import select  # noqa: E402

from linkworker.access import Actor  # noqa: E402
from linkworker.demo import generate  # noqa: E402
from linkworker.models import User  # noqa: E402
from linkworker.storage.database import Caseload  # noqa: E402
from linkworker.today import today_items  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.operations import Runner  # noqa: E402
from ui.widgets import ID_ROLE  # noqa: E402

TODAY = dt.date(2026, 3, 11)


def actor(caseload: Caseload, username: str) -> Actor:
    with caseload.reading() as s:
        user = s.execute(select(User).where(User.username == username)).scalar_one()
        return Actor(user.id, user.username, user.role, user.display_name)


def busy_worker(caseload: Caseload) -> Actor:
    """The first demo worker with appointments on the day shown (an empty Today says little)."""
    for number in range(1, 20):
        who = actor(caseload, f"worker{number}")
        agenda = today_items(caseload, who, who.user_id, TODAY)
        if len(agenda.appointments) >= 2 and agenda.later_this_week:
            return who
    return actor(caseload, "worker1")


def settle(app: QApplication, runner: Runner, ms: int = 400) -> None:
    """Let queued queries answer and the window repaint."""
    deadline = dt.datetime.now() + dt.timedelta(milliseconds=ms)
    while runner.is_busy() or dt.datetime.now() < deadline:
        app.processEvents()


def shoot(window: MainWindow, app: QApplication, runner: Runner, name: str) -> None:
    settle(app, runner)
    window.grab().save(str(HERE / f"{name}.png"))
    print("wrote", HERE / f"{name}.png")


def shoot_record(window: MainWindow, app: QApplication, runner: Runner,
                 view) -> None:  # the CaseloadView
    """The first person on the caseload with goals, one screenshot per main section."""
    window.go("caseload")
    settle(app, runner)
    record = window.show_person(view.model.index(0, 0).data(ID_ROLE))
    for index, name in ((0, "profile"), (1, "journey"), (3, "goals"), (4, "signposting")):
        record.tabs.setCurrentIndex(index)
        shoot(window, app, runner, f"record-{name}")
    window.close_tab(window.tabs.indexOf(record))


def main() -> int:
    keyring.set_keyring(keyring.backends.fail.Keyring())  # never touch a real keyring
    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as folder:
        caseload = Caseload.create(Path(folder) / "demo.db", "demo screenshots only")
        generate(caseload, people=2000, seed=3, today=TODAY)
        runner = Runner(caseload)
        worker = MainWindow(runner, busy_worker(caseload), clock=lambda: TODAY)
        worker.resize(1366, 768)
        worker.show()
        settle(app, runner)
        worker.messages.close_button.click()  # the one-off start-up notice
        shoot(worker, app, runner, "main_caseload")
        view = worker.page("caseload")
        view.search.setText("ma")
        shoot(worker, app, runner, "main_caseload_search")
        view.search.clear()
        settle(app, runner)
        view.table.setCurrentIndex(view.model.index(2, 0))
        view.toggle_summary()
        shoot(worker, app, runner, "main_caseload_summary")
        view.toggle_summary()
        worker.go("today")
        shoot(worker, app, runner, "main_today")
        worker.go("due")
        shoot(worker, app, runner, "main_due")
        shoot_record(worker, app, runner, view)
        worker.close()
        manager = MainWindow(runner, actor(caseload, "manager"), clock=lambda: TODAY)
        manager.resize(1366, 768)
        manager.show()
        settle(app, runner)
        manager.page("caseload").overdue.setChecked(True)
        shoot(manager, app, runner, "main_manager_overdue")
        manager.close()
        settle(app, runner)
        runner.shutdown()
        caseload.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
