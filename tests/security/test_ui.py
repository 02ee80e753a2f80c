"""Sign-in, the idle lock and the admin pages, driven as a user would with real widgets."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QDialog, QLineEdit, QMainWindow, QVBoxLayout, QWidget

from linkworker import accounts, settings
from ui.admin import AuditView, SettingsView, UsersView
from ui.lock import LOCKED_TITLE, LockGuard
from ui.signin import SignInDialog

GOOD = "plum kettle harbour"


@pytest.fixture
def admin(caseload):
    return accounts.create_first_admin(caseload, "dana", "Dana Admin", GOOD)


def _sign_in(qtbot, dialog, username, password):
    dialog.username.clear()
    qtbot.keyClicks(dialog.username, username)
    qtbot.keyClicks(dialog.password, password)
    qtbot.mouseClick(dialog.sign_in_page.ok, Qt.MouseButton.LeftButton)


def test_first_run_creates_the_admin(qtbot, runner, caseload):
    dialog = SignInDialog(runner)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.pages.currentWidget() is dialog.first_admin_page)
    qtbot.keyClicks(dialog.admin_username, "dana")
    qtbot.keyClicks(dialog.admin_name, "Dana Admin")
    qtbot.keyClicks(dialog.admin_password, GOOD)
    qtbot.keyClicks(dialog.admin_repeat, GOOD)
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.first_admin_page.ok, Qt.MouseButton.LeftButton)
    assert dialog.actor.role == "admin" and accounts.has_users(caseload)


def test_sign_in_good_bad_and_locked_out(qtbot, runner, caseload, admin):
    settings.update(caseload, admin, {settings.DEMO: True})
    dialog = SignInDialog(runner)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.sign_in_page.ok.isEnabled())
    assert dialog.demo_hint.isVisibleTo(dialog)
    for attempt in range(5):
        _sign_in(qtbot, dialog, "dana", "wrong password")
        qtbot.waitUntil(lambda: dialog.sign_in_page.ok.isEnabled()
                        and bool(dialog.sign_in_page.error.text()))
        if attempt < 4:
            assert "do not match" in dialog.sign_in_page.error.text()
            dialog.sign_in_page.error.setText("")
    assert dialog.sign_in_page.error.text() == accounts.SIGN_IN_FAILED  # says nothing more
    assert dialog.password.text() == ""  # never left in the box
    accounts.unlock_account(caseload, admin, admin.user_id)
    with qtbot.waitSignal(dialog.accepted):
        _sign_in(qtbot, dialog, "dana", GOOD)
    assert dialog.actor.user_id == admin.user_id


def test_admin_set_password_must_be_replaced(qtbot, runner, caseload, admin):
    accounts.add_user(caseload, admin, "asha", "Asha Patel", "link_worker", GOOD)
    dialog = SignInDialog(runner)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.sign_in_page.ok.isEnabled())
    _sign_in(qtbot, dialog, "asha", GOOD)
    qtbot.waitUntil(lambda: dialog.pages.currentWidget() is dialog.new_password_page)
    qtbot.keyClicks(dialog.new_password, "river lantern ocean")
    qtbot.keyClicks(dialog.new_repeat, "river lantern ocean")
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.new_password_page.ok, Qt.MouseButton.LeftButton)
    assert accounts.sign_in(caseload, "asha", "river lantern ocean").username == "asha"


def _window_with_unsaved_edit(qtbot):
    window = QMainWindow()
    window.setWindowTitle("LinkWorker — caseload.db")
    central = QWidget()
    edit = QLineEdit()
    edit.setAccessibleName("Contact note")
    QVBoxLayout(central).addWidget(edit)
    window.setCentralWidget(central)
    qtbot.addWidget(window)
    window.show()
    qtbot.keyClicks(edit, "Met at the library, half-typed")
    return window, central, edit


def test_lock_hides_everything_and_unlock_keeps_unsaved_text(qtbot, runner, admin):
    window, central, edit = _window_with_unsaved_edit(qtbot)
    guard = LockGuard(window, runner, admin, idle_minutes=1)
    guard.check_idle(now=guard.last_input + 30)
    assert not guard.locked
    guard.check_idle(now=guard.last_input + 61)
    assert guard.locked and window.windowTitle() == LOCKED_TITLE
    assert window.centralWidget() is guard.screen and not edit.isVisible()
    qtbot.keyClicks(guard.screen.password, "not my password")
    qtbot.keyClick(guard.screen.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "do not match" in guard.screen.error.text())
    assert guard.locked
    qtbot.keyClicks(guard.screen.password, GOOD)
    qtbot.keyClick(guard.screen.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not guard.locked)
    assert window.centralWidget() is central
    assert edit.text() == "Met at the library, half-typed"
    assert window.windowTitle() == "LinkWorker — caseload.db"
    guard.stop()


def test_open_dialogs_are_covered_not_closed(qtbot, runner, admin):
    window, _central, _edit = _window_with_unsaved_edit(qtbot)
    dialog = QDialog(window)
    dialog.setWindowTitle("Quick note for Margaret")
    note = QLineEdit(dialog)
    dialog.show()
    qtbot.keyClicks(note, "half a note")
    guard = LockGuard(window, runner, admin, idle_minutes=10)
    guard.lock_now()
    assert dialog.isVisible() and not dialog.isEnabled()
    assert "Margaret" not in dialog.windowTitle()
    guard.unlock()
    assert dialog.isEnabled() and dialog.windowTitle() == "Quick note for Margaret"
    assert note.text() == "half a note"
    guard.stop()


def test_ctrl_l_style_lock_now_and_close_is_refused_while_locked(qtbot, runner, admin):
    window, _central, _edit = _window_with_unsaved_edit(qtbot)
    guard = LockGuard(window, runner, admin, idle_minutes=10)
    guard.lock_now()
    assert guard.locked
    window.close()
    assert window.isVisible()  # closing would have asked about unsaved edits by name
    guard.unlock()
    assert not guard.locked
    guard.stop()


def test_users_view_adds_a_user(qtbot, runner, caseload, admin):
    view = UsersView(runner, admin)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.table.rowCount() == 1)
    view.add_user()
    dialog = view.dialog
    qtbot.keyClicks(dialog.username, "asha")
    qtbot.keyClicks(dialog.name, "Asha Patel")
    dialog.role.setCurrentIndex(dialog.role.findData("coordinator"))
    qtbot.keyClicks(dialog.venue, "Elswick Library")
    qtbot.keyClicks(dialog.password, GOOD)
    qtbot.keyClicks(dialog.repeat, GOOD)
    qtbot.mouseClick(dialog.page.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.table.rowCount() == 2)
    assert view.table.item(0, 0).text() == "asha"
    assert view.table.item(0, 2).text() == "Coordinator"
    assert "must choose a password" in view.table.item(0, 4).text()


def test_audit_view_filters_and_verifies(qtbot, runner, caseload, admin):
    accounts.add_user(caseload, admin, "asha", "Asha Patel", "link_worker", GOOD)
    view = AuditView(runner, admin)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.model.rowCount() == 2)
    qtbot.keyClicks(view.user, "nobody")
    qtbot.keyClick(view.user, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.model.rowCount() == 0)
    view.verify()
    qtbot.waitUntil(lambda: "intact" in view.status.text())


def test_settings_view_saves(qtbot, runner, caseload, admin):
    view = SettingsView(runner, admin)
    qtbot.addWidget(view)
    spin = view.fields[settings.IDLE_LOCK_MINUTES]
    qtbot.waitUntil(lambda: spin.value() == 10)
    spin.setValue(3)
    view.save()
    qtbot.waitUntil(lambda: view.status.text() == "Settings saved.")
    assert settings.read_all(caseload)[settings.IDLE_LOCK_MINUTES] == 3


def test_start_up_makes_the_daily_backup_and_exit_backup_runs(qtbot, runner, caseload):
    from linkworker import backup
    from ui.admin.recovery import StartupChecks, backup_on_exit

    window = QMainWindow()
    qtbot.addWidget(window)
    checks = StartupChecks(window, runner)
    qtbot.waitUntil(lambda: not backup.daily_due(caseload))
    assert checks.problems == [] and not checks.restore_requested
    backup_on_exit(caseload)
    assert [b.kind for b in backup.list_backups(caseload.path)] == ["daily"]


def test_admin_pages_are_named_for_screen_readers(qtbot, runner, caseload, admin):
    from ui.admin.users_view import AddUserDialog
    from ui.widgets import keyboard_problems

    found = {}
    for make in (UsersView, AuditView, SettingsView, AddUserDialog):
        widget = make(runner, admin)
        qtbot.addWidget(widget)
        found[make.__name__] = keyboard_problems(widget)
    assert found == {name: [] for name in found} and len(found) == 4


def test_add_user_dialog_enter_adds_and_escape_cancels(qtbot, runner, caseload, admin):
    from ui.admin.users_view import AddUserDialog

    dialog = AddUserDialog(runner, admin)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.page.ok.isDefault()
    with qtbot.waitSignal(dialog.rejected):
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)


def test_the_audit_trail_tells_records_apart_by_the_tail_of_their_ids(qtbot, runner, caseload,
                                                                       admin):
    """A demo run's ids share their first eight characters (one prefix a run), so the trail
    shows the last eight on screen and the whole id in the tooltip."""
    from ui.admin.audit_view import HEADINGS

    accounts.add_user(caseload, admin, "asha", "Asha Patel", "link_worker", GOOD)
    view = AuditView(runner, admin)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.model.rowCount() == 2)
    column = HEADINGS.index("Record")
    for number, row in enumerate(view.model.rows):
        cell = view.model.index(number, column)
        assert row.entity_id and cell.data() == f"{row.entity} {row.entity_id[-8:]}"
        assert cell.data(Qt.ItemDataRole.ToolTipRole) == f"{row.entity} {row.entity_id}"


def test_scrolling_the_whole_audit_trail_keeps_only_the_pages_near_the_screen(
        qtbot, runner, caseload, admin, monkeypatch):
    """A busy year's trail is millions of events; the table used to keep every page it had
    read, so scrolling it to its first event held the whole trail (issue 15, memory)."""
    from linkworker import audit
    from ui import person_list
    from ui.admin import audit_view

    monkeypatch.setattr(person_list, "PAGE_ROWS", 5)
    monkeypatch.setattr(audit_view, "PAGE", 5)
    with caseload.transaction() as session:
        for number in range(80):
            audit.record(session, admin, "settings.update", details={"n": number})
    view = AuditView(runner, admin)
    qtbot.addWidget(view)
    view.resize(600, 200)
    view.show()
    qtbot.waitUntil(lambda: view.model.total >= 81)
    model, seen, root = view.model, set(), QModelIndex()
    for row in range(0, model.total, 5):
        while row >= model.rowCount() and model.canFetchMore(root):  # a model that grows
            grown = model.rowCount()
            model.fetchMore(root)
            qtbot.waitUntil(lambda g=grown: model.rowCount() > g)
        view.table.scrollTo(model.index(row, 0))
        qtbot.waitUntil(lambda r=row: model.index(r, 0).data() not in ("", None))
        seen.add(model.index(row, 0).data())
    rows = model.rows
    held = sum(map(len, rows.pages.values())) if hasattr(rows, "pages") else len(rows)
    assert held <= (person_list.KEPT_PAGES + 1) * 5 < model.total
    assert len(seen) == -(-model.total // 5)  # every page was shown


def _typed_where_the_keyboard_is(qtbot, dialog, text: str) -> None:
    from PySide6.QtWidgets import QApplication

    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClicks(QApplication.focusWidget(), text)


def test_the_add_user_and_change_password_boxes_open_in_their_first_field(qtbot, runner,
                                                                          caseload, admin):
    """Both opened with the keyboard on their OK button (made before the fields): the name
    typed went nowhere, Tab moved to Cancel, and the space in "Asha Patel" pressed it."""
    from ui.signin import ChangePasswordDialog

    view = UsersView(runner, admin)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.table.rowCount() == 1)
    view.add_user()
    _typed_where_the_keyboard_is(qtbot, view.dialog, "asha")
    assert view.dialog.username.text() == "asha"
    change = ChangePasswordDialog(runner, admin)
    qtbot.addWidget(change)
    change.show()
    _typed_where_the_keyboard_is(qtbot, change, GOOD)
    assert change.old.text() == GOOD


def test_a_locked_account_shows_the_wall_clocks_time_as_the_audit_trail_does(
        qtbot, runner, caseload, admin, monkeypatch):
    """The Users list said "locked until 01/07/2026 09:30 UTC" while the audit trail beside
    it shows the same moment as 10:30 (British Summer Time)."""
    import datetime as dt
    import time

    from sqlalchemy import select

    from linkworker.models import User

    monkeypatch.setenv("TZ", "Europe/London")
    time.tzset()
    try:
        with caseload.transaction() as session:
            user = session.scalars(select(User).where(User.username == "dana")).one()
            user.locked_until = dt.datetime(2026, 7, 1, 9, 30)
        view = UsersView(runner, admin)
        qtbot.addWidget(view)
        qtbot.waitUntil(lambda: view.table.rowCount() == 1)
        assert view.table.item(0, 4).text() == "Active, locked until 01/07/2026 10:30"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_the_users_list_puts_worker2_before_worker10(qtbot, runner, caseload, admin):
    """As text, worker10-worker19 came between worker1 and worker2 (the demo's 50 workers)."""
    for name in ("worker10", "Worker2", "worker1", "worker20"):
        accounts.add_user(caseload, admin, name, name.title(), "link_worker", GOOD)
    view = UsersView(runner, admin)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.table.rowCount() == 5)
    assert [view.table.item(r, 0).text() for r in range(5)] == [
        "dana", "worker1", "worker2", "worker10", "worker20"]
