"""Regenerate the main-window screenshots in this folder from a fresh demo caseload.

    xvfb-run -s "-screen 0 1366x768x24" .venv/bin/python docs/screenshots/capture_main_window.py

Under a real X display (as above) each picture is the whole 1366x768 screen taken with
ImageMagick's ``import -window root``, so it shows what X drew, dialogs included; with
``QT_QPA_PLATFORM=offscreen`` the window grabs itself instead. Everything shown is synthetic
(``linkworker.demo``); 1366x768 is the smallest laptop screen the app is designed for.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import tempfile
from pathlib import Path

REAL_X = bool(os.environ.get("DISPLAY")) and os.environ.get("QT_QPA_PLATFORM") != "offscreen"
os.environ.setdefault("QT_QPA_PLATFORM", "xcb" if REAL_X else "offscreen")
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
from ui.app import application  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.operations import Runner  # noqa: E402
from ui.widgets import ID_ROLE  # noqa: E402

TODAY = dt.date(2026, 11, 20)  # a Friday inside the sample contract, Q3 returnable


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


def shoot(window, app: QApplication, runner: Runner, name: str, crop: bool = False) -> None:
    """The whole screen, or with ``crop`` only the part ``window`` covers (a lone dialog)."""
    settle(app, runner, 1500 if REAL_X else 400)
    path = HERE / f"{name}.png"
    if REAL_X:
        area = window.frameGeometry()
        where = ["-crop", f"{area.width()}x{area.height()}+{area.x()}+{area.y()}"] if crop else []
        subprocess.run(["import", "-window", "root", *where, str(path)], check=True)
    else:
        window.grab().save(str(path))
    print("wrote", path)


def shoot_wellbeing(window: MainWindow, app: QApplication, runner: Runner, record) -> None:
    """The Wellbeing tab with its chart, and the form over it."""
    record.tabs.setCurrentIndex(5)
    shoot(window, app, runner, "wellbeing_tab")
    dialog = record.wellbeing.open_form("SWEMWBS")
    settle(app, runner, 800)
    for answer in "4343434":
        dialog.form.panel.setFocus()
        dialog.form.panel.keyPressEvent(_digit(answer))
    shoot(window, app, runner, "wellbeing_form")
    dialog.done(0)  # closed unsaved without the "Discard the answers?" question


def _digit(text: str):
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent

    return QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_0 + int(text), Qt.KeyboardModifier.NoModifier,
                     text)


def shoot_returns(window: MainWindow, app: QApplication, runner: Runner) -> None:
    """The manager's return for 2026-Q3: data quality, then the preview."""
    screen = window.go("reports").widget(0)
    settle(app, runner)
    screen.as_of = TODAY
    screen.go_next()
    screen.period_page.period.setEditText("2026-Q3")
    screen.go_next()
    settle(app, runner)
    shoot(window, app, runner, "returns-data-quality")
    screen.go_next()
    shoot(window, app, runner, "returns-preview")


def shoot_record(window: MainWindow, app: QApplication, runner: Runner,
                 view) -> None:  # the CaseloadView
    """The first person on the caseload with goals, one screenshot per main section."""
    window.go("caseload")
    settle(app, runner)
    record = window.show_person(view.model.index(0, 0).data(ID_ROLE))
    for index, name in ((0, "profile"), (1, "journey"), (3, "goals"), (4, "signposting")):
        record.tabs.setCurrentIndex(index)
        shoot(window, app, runner, f"record-{name}")
    shoot_wellbeing(window, app, runner, record)
    window.close_tab(window.tabs.indexOf(record))


def shoot_lock(window: MainWindow, app: QApplication, runner: Runner) -> None:
    """The lock screen (Ctrl+L) over the worker's window, then unlocked again."""
    window.lock_guard.lock_now()
    shoot(window, app, runner, "security-locked")
    window.lock_guard.unlock()
    settle(app, runner)


def shoot_sign_in(app: QApplication, runner: Runner) -> None:
    """The sign-in box as it opens on a demo caseload, a username typed; just the box."""
    from ui.signin import SignInDialog

    dialog = SignInDialog(runner)
    dialog.show()
    settle(app, runner, 800)
    dialog.adjustSize()
    size = dialog.size()
    dialog.move((1366 - size.width()) // 2, (768 - size.height()) // 2)
    dialog.username.setText("worker1")
    dialog.password.setText("not-a-real-one")
    dialog.password.setFocus()
    shoot(dialog, app, runner, "security-sign-in", crop=True)
    dialog.reject()


def shoot_referral_duplicate(window: MainWindow, app: QApplication, runner: Runner,
                             caseload: Caseload, view) -> None:  # view: the CaseloadView
    """A new referral for someone already on the caseload: the possible duplicate is offered."""
    from linkworker.models import Person
    from ui.record import widgets as w

    window.go("caseload")
    settle(app, runner)
    with caseload.reading() as s:
        known = s.get(Person, view.model.index(0, 0).data(ID_ROLE))
        given, family, born = known.given_name, known.family_name, known.date_of_birth
    window.new_referral()
    referral = window.tabs.currentWidget()
    settle(app, runner)
    w.set_date(referral.referral_date, TODAY)  # the form starts at the real date
    referral.fields["given_name"].setText(given)
    referral.fields["family_name"].setText(family)
    w.set_date(referral.fields["date_of_birth"], born)
    referral.check_now()
    settle(app, runner, 800)
    shoot(window, app, runner, "referral-duplicate")
    for key in ("given_name", "family_name"):  # nothing typed: closes without asking
        referral.fields[key].clear()
    w.set_date(referral.fields["date_of_birth"], None)
    window.close_tab(window.tabs.indexOf(referral))


def shoot_admin(window: MainWindow, app: QApplication, runner: Runner) -> None:
    """The admin's Settings page: the wellbeing change thresholds, then the audit trail."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QScrollArea, QTabWidget

    page = window.go("settings")  # the admin's tabs sit under the licensed-wording button
    tabs = page if isinstance(page, QTabWidget) else page.findChild(
        QTabWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
    settings_view = tabs.widget(0)
    settle(app, runner)
    settings_view.findChild(QScrollArea).ensureWidgetVisible(settings_view.thresholds, 0, 0)
    shoot(window, app, runner, "settings-thresholds")
    tabs.setCurrentIndex(2)
    settle(app, runner)
    shoot(window, app, runner, "security-audit")


SHEET = """Client ID,First name,Surname,DOB,Postcode,Referred on,Referred by
C-101,Margaret,Hughes,19/06/1948,NE4 5TG,02/09/2026,GP surgery
C-102,Tom,Reilly,31/02/1961,NE6 1AB,05/09/2026,Self
C-103,Aisha,Khan,07/11/1990,ne15 8wn,09/09/2026,Social care
"""


def shoot_import(window: MainWindow, app: QApplication, runner: Runner, folder: Path) -> None:
    """The import wizard's column mapping and its check of a small made-up sheet."""
    from ui.io import ImportWizard
    from ui.io.import_wizard import Step

    sheet = folder / "referrals.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    wizard = ImportWizard(runner, window.actor, window)
    wizard.setGeometry(190, 60, 1000, 660)
    wizard.show()
    wizard.path_edit.setText(str(sheet))
    wizard.kind_box.setCurrentIndex(wizard.kind_box.findData("people"))
    wizard.next_button.click()
    settle(app, runner, 800)
    shoot(window, app, runner, "import_mapping")
    if wizard.next_button.isEnabled():
        wizard.next_button.click()
        settle(app, runner, 800)
        if wizard.flow.step is Step.CHECK:
            shoot(window, app, runner, "import_check")
    wizard.close()


def main() -> int:
    keyring.set_keyring(keyring.backends.fail.Keyring())  # never touch a real keyring
    app = application()  # the app's own: icon, names and translations (English plurals)
    with tempfile.TemporaryDirectory() as folder:
        caseload = Caseload.create(Path(folder) / "demo.db", "demo screenshots only")
        generate(caseload, people=2000, seed=3, today=TODAY)
        runner = Runner(caseload)
        worker = MainWindow(runner, busy_worker(caseload), clock=lambda: TODAY)
        worker.setGeometry(0, 0, 1366, 768)
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
        shoot_referral_duplicate(worker, app, runner, caseload, view)
        shoot_lock(worker, app, runner)
        worker.close()
        manager = MainWindow(runner, actor(caseload, "manager"), clock=lambda: TODAY)
        manager.setGeometry(0, 0, 1366, 768)
        manager.show()
        settle(app, runner)
        manager.page("caseload").overdue.setChecked(True)
        shoot(manager, app, runner, "main_manager_overdue")
        shoot_returns(manager, app, runner)
        shoot_import(manager, app, runner, Path(folder))
        manager.close()
        admin = MainWindow(runner, actor(caseload, "admin"), clock=lambda: TODAY)
        admin.setGeometry(0, 0, 1366, 768)
        admin.show()
        settle(app, runner)
        shoot_admin(admin, app, runner)
        admin.close()
        settle(app, runner)
        shoot_sign_in(app, runner)
        settle(app, runner)
        runner.shutdown()
        caseload.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
