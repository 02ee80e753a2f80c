"""The desktop app as one product: every role through the real main window.

Each role (admin, manager, link worker, coordinator) opens the window over a real encrypted
caseload, visits every page and part it may use and every File/Person action, and must see
real widgets (never a stand-in); what the role may not use is disabled or absent. Then the
File menu's jobs (import, export, lock, password, wording), the returns screen opening a
record, start-up housekeeping, crash reports from the runner, and shortcut clashes.
"""

from __future__ import annotations

import copy

import pytest
from caseload.conftest import TODAY, SmallWorld, build_small_world
from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QTabWidget, QWidget

from linkworker import accounts, logs
from linkworker.access import Actor, PermissionDenied, can
from linkworker.errors import UserError
from linkworker.models import Episode, User
from linkworker.wellbeing.custom import add_instrument
from linkworker.wellbeing.instruments import get_instrument, unregister
from ui.lock import LockScreen
from ui.main_window import NOT_FOR_ROLE, PAGES, MainWindow, page_allowed, resolve
from ui.operations import Runner

PASSWORD = "a long enough password 1"
ROLES = ("admin", "manager", "link_worker", "coordinator")
# File and Person menu actions, and the permission each needs (None: everyone signed in).
MENU_ACTIONS = {
    "new_referral": "person.create", "import": "data.import", "export": "data.export",
    "wording": "wording.load", "lock": None, "password": None, "quit": None, "search": None,
    "close_tab": None,
}
STAND_IN_WORDS = ("not available", "placeholder", "arrives with", "not in this build")


@pytest.fixture
def world(caseload) -> SmallWorld:
    """The hand-built caseload plus an admin (with a real password) and a coordinator."""
    world = build_small_world(caseload)
    with caseload.transaction() as s:
        for username, name, role in (("ada", "Ada Admin", "admin"),
                                     ("cora", "Cora Coordinator", "coordinator")):
            user = User(username=username, display_name=name, role=role,
                        password_hash=accounts.hash_password(PASSWORD))
            s.add(user)
            s.flush()
            world.users[username] = user
    return world



ROLE_USER = {"admin": "ada", "manager": "meg", "link_worker": "ann", "coordinator": "cora"}


@pytest.fixture
def opened(qtbot, runner):
    """Open main windows (and their dialogs) for one test; closed before the runner stops."""
    made: list[MainWindow] = []

    def open_as(actor: Actor) -> MainWindow:
        window = MainWindow(runner, actor, clock=lambda: TODAY)
        made.append(window)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(lambda: window.prepared is not None)
        return window

    yield open_as
    qtbot.waitUntil(lambda: not runner.is_busy())
    for window in made:
        window.lock_guard.stop()
        for dialog in window._dialogs:
            dialog.close()
        for index in range(window.tabs.count() - 1, 0, -1):
            window.tabs.removeTab(index)
        window.hide()
        window.deleteLater()
    QApplication.processEvents()
    qtbot.waitUntil(lambda: not runner.is_busy())


def idle(qtbot, runner: Runner) -> None:
    """Wait until the background work is done and its answer is on screen: a label filled by
    the answer asks for a new layout, which Qt does on the next turn of the event loop."""
    qtbot.waitUntil(lambda: not runner.is_busy())
    QApplication.processEvents()


def stand_ins(root: QWidget) -> list[str]:
    """Any text on screen that says a part is missing."""
    texts = [w.text() for w in root.findChildren(QLabel)]
    texts += [w.text() for w in root.findChildren(QAbstractButton)]
    return [t for t in texts if any(word in t.lower() for word in STAND_IN_WORDS)]


def no_error(window: MainWindow) -> None:
    assert window.messages.kind != "error" or window.messages.isHidden(), \
        window.messages.text()


# --- every role, every page ------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_real_parts_on_every_page_it_may_use(qtbot, runner, world, opened,
                                                             role):
    actor = world.actor(ROLE_USER[role])
    window = opened(actor)
    for number, page in enumerate(PAGES, start=1):
        allowed = page_allowed(page, actor)
        assert window.actions[f"go_{page.key}"].isEnabled() is allowed, page.key
        item = window.nav.item(number - 1)
        assert bool(item.flags() & Qt.ItemFlag.ItemIsEnabled) is allowed, page.key
        if not allowed:
            widget = window.page(page.key)
            assert isinstance(widget, QLabel) and widget.text() == NOT_FOR_ROLE
            continue
        qtbot.keyClick(window, Qt.Key(Qt.Key.Key_0 + number), Qt.KeyboardModifier.ControlModifier)
        assert window.stack.currentIndex() == number - 1, page.key
        widget = window.pages[page.key]
        parts = [p for p in page.parts if p.permission is None or can(actor, p.permission)]
        tabs = widget.findChild(QTabWidget) if len(parts) > 1 else None
        if tabs is not None and not isinstance(widget, QTabWidget):
            widget = tabs
        built = ([widget.widget(i) for i in range(widget.count())]
                 if len(parts) > 1 else [widget])
        assert [type(w) for w in built] == [resolve(p) for p in parts], page.key
        idle(qtbot, runner)
        no_error(window)
    assert stand_ins(window) == []


@pytest.mark.parametrize("role", ROLES)
def test_every_role_menu_action_opens_something_real(qtbot, runner, world, opened, role):
    actor = world.actor(ROLE_USER[role])
    window = opened(actor)
    for key, permission in MENU_ACTIONS.items():
        expected = permission is None or can(actor, permission)
        assert window.actions[key].isEnabled() is expected, key
    if can(actor, "person.create"):
        window.actions["new_referral"].trigger()
        referral = window.tabs.currentWidget()
        assert type(referral) is resolve(main_window_part("REFERRAL"))
        idle(qtbot, runner)
    for key, part in (("import", "IMPORT"), ("wording", "WORDING"), ("password", "PASSWORD")):
        if window.actions[key].isEnabled():
            window.actions[key].trigger()
            dialog = window._dialogs[-1]
            assert type(dialog) is resolve(main_window_part(part)) and dialog.isVisible()
            idle(qtbot, runner)
            assert stand_ins(dialog) == []
            dialog.close()
    if can(actor, "person.view_given") and role != "coordinator":
        record = window.show_person(world.people["margaret"]) if role != "link_worker" else \
            window.show_person(world.people["john"])
        assert type(record) is resolve(main_window_part("RECORD"))
        idle(qtbot, runner)
        no_error(window)
    assert stand_ins(window) == []


def main_window_part(name: str):  # a Part
    from ui import main_window

    return getattr(main_window, name)


# --- the File menu ---------------------------------------------------------------------------


def test_ctrl_l_locks_and_the_password_unlocks(qtbot, runner, world, opened):
    window = opened(world.actor("ada"))
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.lock_guard.locked and isinstance(window.centralWidget(), LockScreen)
    assert not window.actions["go_today"].isEnabled()  # nothing opens behind the lock
    screen = window.centralWidget()
    qtbot.keyClicks(screen.password, PASSWORD)
    qtbot.keyClick(screen.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.lock_guard.locked)
    assert window.centralWidget() is not screen and window.actions["go_today"].isEnabled()


def test_change_my_password_from_the_file_menu(qtbot, runner, world, opened, caseload):
    window = opened(world.actor("ada"))
    dialog = window.change_password()
    qtbot.keyClicks(dialog.old, PASSWORD)
    qtbot.keyClicks(dialog.new, "another long password 22")
    qtbot.keyClicks(dialog.repeat, "another long password 22")
    qtbot.keyClick(dialog.repeat, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.result() == dialog.DialogCode.Accepted)
    assert accounts.sign_in(caseload, "ada", "another long password 22").username == "ada"


def test_export_everything_from_the_file_menu(qtbot, runner, world, opened, tmp_path,
                                              monkeypatch):
    import ui.io.export_dialog as export_dialog

    folder = tmp_path / "export"
    folder.mkdir()
    monkeypatch.setattr(export_dialog.QFileDialog, "getExistingDirectory",
                        staticmethod(lambda *args: str(folder)))
    told: list[str] = []

    def close_the_box() -> None:
        box = QApplication.activeModalWidget()
        if box is not None and box.windowTitle() == "Export finished":
            told.append(box.text())
            box.accept()
        else:
            QTimer.singleShot(50, close_the_box)

    window = opened(world.actor("meg"))
    QTimer.singleShot(50, close_the_box)
    window.actions["export"].trigger()
    qtbot.waitUntil(lambda: bool(told))
    assert "tables" in told[0] and any(folder.rglob("*.xlsx")) and any(folder.rglob("*.csv"))


def test_a_link_worker_cannot_export_even_by_calling_it(qtbot, runner, world, opened, tmp_path):
    window = opened(world.actor("ann"))
    folder = tmp_path / "export"
    folder.mkdir()
    assert window.export_all(folder) is None
    idle(qtbot, runner)
    assert list(folder.iterdir()) == []


def test_a_manager_jumps_from_a_claims_evidence_to_the_record(qtbot, runner, world, opened):
    window = opened(world.actor("meg"))
    reports = window.go("reports")
    screen = next(w for w in [reports, *reports.findChildren(QWidget)]
                  if type(w) is resolve(main_window_part("PAGES")[4].parts[0]))
    screen.open_person.emit(world.people["mary"])
    record = window.tabs.currentWidget()
    assert record.property("person_id") == world.people["mary"]
    assert type(record) is resolve(main_window_part("RECORD"))


# --- start-up --------------------------------------------------------------------------------


def test_start_up_moves_journeys_due_a_review(qtbot, runner, world, opened, caseload):
    window = opened(world.actor("ann"))
    assert window.prepared.stages_moved >= 1
    with caseload.reading() as s:
        assert s.get(Episode, world.episodes["margaret"]).stage == "review"
    # What the bar showed (a notice fades after a few seconds, sooner than a loaded machine
    # gets here, so read the label rather than what is still visible).
    shown = window.messages.label.text()
    assert window.messages.kind == "notice" and "review window" in shown and "Saved." not in shown


def test_the_first_rows_arrive_before_the_overdue_count(qtbot, runner, world, opened):
    events: list[str] = []
    window = MainWindow(runner, world.actor("ann"), clock=lambda: TODAY)
    view = window.pages["caseload"]
    # Nothing has been answered yet: answers come back through this (GUI) thread's loop.
    view.model.page_loaded.connect(lambda _page: events.append("first rows"))
    window.nav.model().dataChanged.connect(lambda *_args: events.append("badge"))
    window.hide()  # never painted: the window itself must ask for the first page
    qtbot.waitUntil(lambda: "badge" in events)
    assert events[0] == "first rows"
    window.lock_guard.stop()
    idle(qtbot, runner)
    window.deleteLater()


def test_a_demo_caseload_says_so_at_sign_in(caseload):
    from linkworker import settings
    from linkworker.models import Setting

    assert settings.read_all(caseload)[settings.DEMO] is False
    with caseload.transaction() as s:  # as the demo generator records its runs
        s.add(Setting(key=settings.DEMO, value={"synthetic": True, "runs": []}))
    assert settings.read_all(caseload)[settings.DEMO] is True


@pytest.fixture
def custom_instrument(caseload, actor_admin):
    from test_wellbeing_instruments import LOCAL

    add_instrument(caseload, actor_admin, copy.deepcopy(LOCAL))
    unregister("LOCALQ")  # as in a fresh process: stored, not yet known
    yield "LOCALQ"
    unregister("LOCALQ")


def test_start_up_makes_custom_instruments_scoreable(qtbot, runner, world, opened,
                                                     custom_instrument):
    with pytest.raises(UserError):
        get_instrument(custom_instrument)
    opened(world.actor("ann"))
    assert get_instrument(custom_instrument).name == "Local connection check"


def test_the_cli_opener_makes_custom_instruments_scoreable(caseload_path, caseload, passphrase,
                                                           monkeypatch, custom_instrument):
    from linkworker.cli import caseload_opener
    from linkworker.storage import keys

    caseload.close()
    monkeypatch.setenv(keys.PASSPHRASE_ENV, passphrase)
    opened_again = caseload_opener(caseload_path)()
    try:
        assert get_instrument(custom_instrument).name == "Local connection check"
    finally:
        opened_again.close()


# --- the runner's errors ---------------------------------------------------------------------


def test_an_unexpected_error_writes_a_crash_report_without_personal_data(
        qtbot, runner, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(logs, "log_dir", lambda: tmp_path / "logs")

    def fails(job):
        secret = "Margaret Smith 943 476 5919"
        raise ValueError(f"could not save {secret}")

    with qtbot.waitSignal(runner.failed) as told:
        runner.run(fails)
    assert "Something went wrong" in told.args[0] and "Margaret" not in told.args[0]
    reports = list((tmp_path / "logs").glob("crash-*.txt"))
    assert len(reports) == 1
    text = reports[0].read_text()
    assert "ValueError" in text and "Margaret" not in text and "943" not in text
    assert "Margaret" not in capsys.readouterr().err  # no traceback printed with the message


@pytest.mark.parametrize("error", [UserError("That date is in the future."),
                                   PermissionDenied("A link worker may not do this.")])
def test_user_errors_show_their_message_and_write_no_report(qtbot, runner, tmp_path,
                                                            monkeypatch, error):
    monkeypatch.setattr(logs, "log_dir", lambda: tmp_path / "logs")

    def fails(job):
        raise error

    with qtbot.waitSignal(runner.failed) as told:
        runner.run(fails)
    assert told.args == [str(error)]
    assert not (tmp_path / "logs").exists()


# --- shortcuts -------------------------------------------------------------------------------


def _scope(holder: QObject, context: Qt.ShortcutContext) -> QWidget | None:
    """The widget a shortcut is live in (None: the whole window)."""
    if context in (Qt.ShortcutContext.WindowShortcut, Qt.ShortcutContext.ApplicationShortcut):
        return None
    return holder


def live_shortcuts(window: MainWindow) -> list[tuple[QKeySequence, QWidget | None, str]]:
    found = []
    for action in window.findChildren(QAction):
        if action.isEnabled() and not action.shortcut().isEmpty():
            parent = action.parent()
            scope = _scope(parent, action.shortcutContext()) if isinstance(parent, QWidget) \
                and parent is not window else None
            found.append((action.shortcut(), scope, action.text()))
    for shortcut in window.findChildren(QShortcut):
        if shortcut.isEnabled() and not shortcut.key().isEmpty():
            found.append((shortcut.key(), _scope(shortcut.parent(), shortcut.context()),
                          type(shortcut.parent()).__name__))
    return found


def _overlap(a: QWidget | None, b: QWidget | None) -> bool:
    """Both live at once: either is window-wide, or one holds the other."""
    return a is None or b is None or a is b or a.isAncestorOf(b) or b.isAncestorOf(a)


def test_no_two_shortcuts_share_a_key_anywhere_in_the_window(qtbot, runner, world, opened):
    window = opened(world.actor("meg"))
    for page in PAGES:
        window.go(page.key)
    window.new_referral()
    record = window.show_person(world.people["margaret"])
    idle(qtbot, runner)
    for index in range(record.tabs.count()):
        record.tabs.setCurrentIndex(index)
    idle(qtbot, runner)
    found = live_shortcuts(window)
    clashes = [(ka.toString(), na, nb) for i, (ka, sa, na) in enumerate(found)
               for kb, sb, nb in found[i + 1:] if ka == kb and _overlap(sa, sb)]
    assert clashes == []
    keys = {k.toString() for k, _s, _n in found}
    assert {"Ctrl+N", "Ctrl+M", "Ctrl+F", "Ctrl+L", "Ctrl+R"} <= keys


def test_the_wellbeing_tab_records_a_form_with_ctrl_m(qtbot, runner, world, opened):
    window = opened(world.actor("ann"))
    record = window.show_person(world.people["john"])
    idle(qtbot, runner)
    tab = record.wellbeing
    assert "Ctrl+M" in tab.record_button.text() and "Ctrl+M" in tab.record_button.toolTip()
    record.tabs.setCurrentIndex(record.tabs.indexOf(record.tabs.widget(5)))
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: tab.dialog is not None and tab.dialog.isVisible())
    tab.dialog.reject()
    idle(qtbot, runner)
