"""Regenerate the drop-in register's screenshot (``main_dropin.png``) from a fresh demo.

    xvfb-run -s "-screen 0 1366x768x24" .venv/bin/python docs/screenshots/capture_dropin.py

As ``capture_main_window.py`` (whose helpers it uses): the demo's coordinator at their venue on
the demo's day, two people marked attended by the keyboard, the third selected.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import capture_main_window as capture  # sets the Qt platform before Qt is imported
import keyring
import keyring.backends.fail
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from sqlalchemy import select

from linkworker.access import Actor
from linkworker.demo import generate
from linkworker.models import User
from linkworker.storage.database import Caseload
from ui.app import application
from ui.main_window import MainWindow
from ui.operations import Runner


def coordinator(caseload: Caseload) -> Actor:
    with caseload.reading() as s:
        user = s.execute(select(User).where(User.username == "coordinator")).scalar_one()
        return Actor(user.id, user.username, user.role, user.display_name, user.venue)


def main() -> int:
    keyring.set_keyring(keyring.backends.fail.Keyring())  # never touch a real keyring
    app = application()
    with tempfile.TemporaryDirectory() as folder:
        caseload = Caseload.create(Path(folder) / "demo.db", "demo screenshots only")
        generate(caseload, people=2000, seed=3, today=capture.TODAY)
        runner = Runner(caseload)
        window = MainWindow(runner, coordinator(caseload), clock=lambda: capture.TODAY)
        window.setGeometry(0, 0, 1366, 768)
        window.show()
        capture.settle(app, runner)
        window.messages.close_button.click()  # the one-off start-up notice
        view = window.page("register")
        view.focus_list()
        for row in (0, 2):
            view.table.setCurrentCell(row, 0)
            QTest.keyClick(view.table, Qt.Key.Key_Space)
            capture.settle(app, runner)
        view.table.setCurrentCell(3, 0)
        window.messages.close_button.click()  # "Saved."
        capture.shoot(window, app, runner, "main_dropin")
        window.close()
        capture.settle(app, runner)
        runner.shutdown()
        caseload.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
