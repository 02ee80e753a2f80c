"""The main window: navigation, shortcuts, record tabs, messages, and its Today and Due pages."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from linkworker.errors import UserError
from ui import main_window
from ui.caseload_view import CaseloadView
from ui.due_view import DueView
from ui.main_window import NOT_FOR_ROLE, PAGES, MainWindow, Part, page_allowed, resolve
from ui.record import RecordView
from ui.today_view import TodayView

from .conftest import TODAY
from .test_today_lists import DAY, _add_ties, refresh


@pytest.fixture
def windows(widgets):
    return widgets


def open_window(qtbot, runner, actor, windows) -> MainWindow:
    window = MainWindow(runner, actor, clock=lambda: TODAY)
    windows.append(window)
    window.show()
    qtbot.waitExposed(window)
    window.raise_()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.waitUntil(lambda: window.prepared is not None)  # start-up work done
    return window


def caseload_of(window) -> CaseloadView:
    view = window.page("caseload")
    assert isinstance(view, CaseloadView)
    return view


def test_opens_on_the_workers_own_caseload(qtbot, runner, world, windows):
    window = open_window(qtbot, runner, world.actor("ann"), windows)
    view = caseload_of(window)
    assert window.stack.currentIndex() == 1 and window.tabs.tabText(0) == "My caseload"
    qtbot.waitUntil(lambda: view.model.rowCount() == 3)
    assert window.windowTitle() == "LinkWorker — caseload.db"  # never a person's name
    assert window.signed_in.text() == "Signed in as Ann Worker (link worker)"


def test_every_page_has_a_visible_shortcut_and_a_name(qtbot, runner, world, windows):
    window = open_window(qtbot, runner, world.actor("ann"), windows)
    for number, page in enumerate(PAGES, start=1):
        action = window.actions[f"go_{page.key}"]
        assert action.shortcut() == QKeySequence(f"Ctrl+{number}")
        if page_allowed(page, window.actor):
            assert window.nav.item(number - 1).toolTip() == f"{page.title} (Ctrl+{number})"
    for key in ("new_referral", "lock", "quit", "quick_note", "search"):
        assert not window.actions[key].shortcut().isEmpty(), key
    unnamed = [w for w in window.findChildren(QWidget)
               if w.isVisible() and w.focusPolicy() != Qt.FocusPolicy.NoFocus
               and not w.accessibleName() and type(w).__name__ not in (
                   "QTabBar", "QScrollBar", "QHeaderView", "QStackedWidget", "QWidget",
                   "QSplitterHandle", "QLabel", "QMenuBar", "QToolButton")]
    assert unnamed == []


def test_keyboard_navigation_between_pages(qtbot, runner, world, windows):
    window = open_window(qtbot, runner, world.actor("ann"), windows)
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentIndex() == 0 and isinstance(window.page("today"), TodayView)
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.tabText(0) == "Due and overdue"
    assert isinstance(window.page("due"), DueView)
    qtbot.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert window.nav.currentRow() == 4
    qtbot.keyClick(window, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    assert window.nav.currentRow() == 4  # Settings is not a link worker's page: no move


def test_ctrl_f_goes_to_the_search_box(qtbot, runner, world, windows):
    window = open_window(qtbot, runner, world.actor("ann"), windows)
    window.go("today")
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    view = caseload_of(window)
    assert window.stack.currentIndex() == 1
    qtbot.waitUntil(lambda: view.search.hasFocus())


def test_double_click_opens_the_record_as_a_tab(qtbot, runner, world, windows):
    window = open_window(qtbot, runner, world.actor("ann"), windows)
    view = caseload_of(window)
    qtbot.waitUntil(lambda: view.model.rowCount() == 3 and view.model.is_loaded(0))
    where = view.table.visualRect(view.model.index(1, 0)).center()
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=where)
    qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert window.tabs.count() == 2
    record = window.tabs.currentWidget()
    assert isinstance(record, RecordView)
    qtbot.waitUntil(lambda: window.tabs.tabText(1).startswith("Peggy Smith"))
    assert "Peggy" not in window.windowTitle()
    window.show_person(world.people["margaret"])  # again: the same tab comes forward
    assert window.tabs.count() == 2
    qtbot.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.count() == 1


class _Unsaved(QWidget):
    """A record with unsaved changes whose owner says "not yet" (the RecordView contract)."""

    def __init__(self) -> None:
        super().__init__()
        self.asked = 0
        self.allow = False

    def maybe_close(self) -> bool:
        self.asked += 1
        return self.allow


def test_closing_a_record_tab_asks_the_record_first(qtbot, runner, world, windows):
    window = open_window(qtbot, runner, world.actor("ann"), windows)
    record = _Unsaved()
    window.tabs.addTab(record, "Someone")
    assert window.close_tab(1) is False and window.tabs.count() == 2 and record.asked == 1
    assert window.close() is False  # quitting asks too
    record.allow = True
    assert window.close_tab(1) is True and window.tabs.count() == 1


def test_quick_note_is_enabled_only_on_a_record_that_offers_it(qtbot, runner, world, windows):
    window = open_window(qtbot, runner, world.actor("ann"), windows)
    assert not window.actions["quick_note"].isEnabled()

    class Record(QWidget):
        notes = 0

        def quick_note(self) -> None:
            Record.notes += 1

    index = window.tabs.addTab(Record(), "Someone")
    window.tabs.setCurrentIndex(index)
    assert window.actions["quick_note"].isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert Record.notes == 1
    window.tabs.setCurrentIndex(0)
    assert not window.actions["quick_note"].isEnabled()


def test_errors_and_saves_show_in_the_message_bar_not_a_dialog(qtbot, runner, world, windows):
    window = open_window(qtbot, runner, world.actor("ann"), windows)

    def fails(job):
        raise UserError("That date is in the future.")

    with qtbot.waitSignal(runner.failed):
        runner.run(fails)
    assert window.messages.text() == "That date is in the future."
    assert window.messages.kind == "error"
    window.messages.close_button.click()
    with qtbot.waitSignal(runner.changed):
        runner.run(lambda job: None, changes={"contacts"})
    assert window.messages.text() == "Saved."
    assert QApplication.activeModalWidget() is None


def test_progress_shows_in_the_status_bar(qtbot, runner, world, windows):
    window = open_window(qtbot, runner, world.actor("ann"), windows)
    qtbot.waitUntil(lambda: not runner.is_busy())

    def slow(job):
        job.progress(3, 10, "Importing people")

    with qtbot.waitSignal(runner.progress):
        runner.run(slow)
    assert window.progress.maximum() == 10 and window.progress.value() == 3
    qtbot.waitUntil(lambda: window.progress.isHidden())  # done: it goes


def test_overdue_count_beside_due_and_overdue(qtbot, runner, world, windows):
    window = open_window(qtbot, runner, world.actor("ann"), windows)
    qtbot.waitUntil(lambda: window.nav.item(2).text() == "Due and overdue (2)")


def test_a_missing_part_is_an_error_not_a_placeholder():
    with pytest.raises(ImportError):
        resolve(Part("Widget", "ui.not_built_yet", "Widget"))
    with pytest.raises(AttributeError):
        resolve(Part("Widget", "ui.today_view", "NoSuchView"))
    assert resolve(Part("Today", "ui.today_view", "TodayView")) is TodayView


def test_reports_and_settings_follow_the_role(qtbot, runner, world, windows):
    window = open_window(qtbot, runner, world.actor("ann"), windows)
    assert not window.actions["go_settings"].isEnabled()
    assert not window.nav.item(5).flags() & Qt.ItemFlag.ItemIsEnabled
    settings = window.page("settings")
    assert isinstance(settings, QLabel) and settings.text() == NOT_FOR_ROLE


def test_fits_a_1366_by_768_screen(qtbot, runner, world, windows):
    window = open_window(qtbot, runner, world.actor("meg"), windows)
    for key in ("today", "caseload", "due"):
        window.go(key)
    hint = window.minimumSizeHint()
    assert hint.width() <= 1366 and hint.height() <= 768 - 40
    assert window.minimumSize().width() <= 1366 and window.minimumSize().height() <= 728


# --- Today and Due, as pages ----------------------------------------------------------------


def table_column(table, column):
    return [table.item(r, column).text() for r in range(table.rowCount())]


def test_today_page_shows_appointments_tasks_and_moves_by_day(qtbot, runner, world, windows):
    window = open_window(qtbot, runner, world.actor("ann"), windows)
    window.go("today")
    today = window.page("today")
    qtbot.waitUntil(lambda: table_column(today.appointments, 1) == ["John Smithson",
                                                                     "Peggy Smith"])
    assert today.heading.text() == "Today, Wednesday 11/03/2026"
    assert table_column(today.week, 0) == ["Fri 13/03/2026"]
    assert table_column(today.tasks, 1) == ["195 days overdue", "1 day overdue"]
    assert today.tasks_box.title() == "Tasks (2, 2 overdue)"  # the count Due repeats
    today.show_day(TODAY + dt.timedelta(days=2))
    qtbot.waitUntil(lambda: table_column(today.appointments, 1) == ["Aisha Khan"])
    assert today.heading.text() == "Friday 13/03/2026"
    with qtbot.waitSignal(today.open_person) as opened:
        today.appointments.setFocus()
        today.appointments.setCurrentCell(0, 0)
        qtbot.keyClick(today.appointments, Qt.Key.Key_Return)
    assert opened.args == [world.people["aisha"]]


def test_todays_day_is_typed_over_the_date_shown(qtbot, runner, world, windows):
    """Qt's date box took nothing typed over its selected text: Ctrl+A, 13/03/2026, Enter
    left Today on the day it was (or on a day half typed)."""
    window = open_window(qtbot, runner, world.actor("ann"), windows)
    window.go("today")
    today = window.page("today")
    qtbot.waitUntil(lambda: table_column(today.appointments, 1) == ["John Smithson",
                                                                     "Peggy Smith"])
    today.date_edit.setFocus()
    qtbot.keyClick(today.date_edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(today.date_edit, "13/03/2026")
    assert today.day == TODAY  # not while it is being typed
    qtbot.keyClick(today.date_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: table_column(today.appointments, 1) == ["Aisha Khan"])
    assert today.heading.text() == "Friday 13/03/2026"
    assert today.date_edit.text() == "13/03/2026"


def test_due_page_lists_most_overdue_first_and_opens_the_record(qtbot, runner, world, windows):
    refresh(world)  # Due reads the journey summaries every save keeps
    window = open_window(qtbot, runner, world.actor("ann"), windows)
    window.go("due")
    due = window.page("due")
    qtbot.waitUntil(lambda: due.table.rowCount() == 5)
    assert table_column(due.table, 0) == ["100 days overdue", "3 days overdue", "Due today",
                                          "Due today", "Due 13/03/2026"]
    assert due.counts.text().startswith("2 overdue, 3 due this week.")
    qtbot.waitUntil(lambda: "Also 2 overdue tasks" in due.counts.text())  # as Today counts
    due.kind.setCurrentIndex(due.kind.findData("review"))
    assert table_column(due.table, 4) == ["Baseline wellbeing measure"]
    due.table.setFocus()
    due.table.setCurrentCell(0, 0)
    qtbot.keyClick(due.table, Qt.Key.Key_Return)
    assert window.tabs.count() == 2
    assert window.tabs.currentWidget().property("person_id") == world.people["margaret"]


def test_due_shows_a_first_page_cut_in_the_database_then_the_rest(qtbot, runner, world,
                                                                   windows, monkeypatch):
    """With pages of two rows, Due's first read is two rows cut in the database; every key
    follows, and the list grows to the whole of it, in the same order, with its counts."""
    import ui.due_view
    import ui.person_list

    for module in (ui.due_view, ui.person_list):
        monkeypatch.setattr(module, "PAGE_ROWS", 2)
    refresh(world)
    window = open_window(qtbot, runner, world.actor("ann"), windows)
    due = window.go("due")
    first: list[object] = []
    due.loaded.connect(first.append)
    qtbot.waitUntil(lambda: len(first) == 2)  # the first page, then every key
    assert len(first[0]) == 2 and len(first[1]) == 5
    qtbot.waitUntil(lambda: table_column(due.table, 0) == [
        "100 days overdue", "3 days overdue", "Due today", "Due today", "Due 13/03/2026"])
    assert due.counts.text().startswith("2 overdue, 3 due this week.")
    due.kind.setCurrentIndex(due.kind.findData("contact"))
    qtbot.waitUntil(lambda: table_column(due.table, 2) == [
        "John Smithson", "John Smithson", "Peggy Smith", "Aisha Khan"])


def test_todays_pages_past_the_first_are_read_by_key_in_the_lists_order(
        qtbot, runner, world, windows, monkeypatch):
    """With pages of two rows, every page of Today's lists past the first comes by its keys
    (``TodayList``) and the lists show what one read of each whole list shows, ties and all."""
    import ui.person_list
    import ui.today_view
    from linkworker.today import today_page

    for module in (ui.today_view, ui.person_list):
        monkeypatch.setattr(module, "PAGE_ROWS", 2)
    _add_ties(world, copies=3)
    meg = world.actor("meg")
    whole = {part: today_page(world.caseload, meg, None, TODAY, part)
             for part in ("appointments", "later", "tasks")}
    assert all(len(rows) > 2 for rows in whole.values())
    window = open_window(qtbot, runner, meg, windows)
    today = window.go("today")
    for table, part, column in ((today.appointments, "appointments", 0),
                                (today.week, "later", 1), (today.tasks, "tasks", 3)):
        shown = [getattr(row, "time_text", None) or getattr(row, "what", "")
                 for row in whole[part]]
        qtbot.waitUntil(lambda table=table, column=column, shown=shown:
                        table_column(table, column) == shown)
        names = table_column(table, 2 if part == "tasks" else 1 + (part == "later"))
        assert names == [row.person_name for row in whole[part]]
        keys = today._lists[part].keys  # read after the counts, before any page asked them
        assert keys is not None and len(keys) == len(whole[part])


def test_a_manager_looks_at_another_workers_due_list(qtbot, runner, world, windows):
    refresh(world)
    window = open_window(qtbot, runner, world.actor("meg"), windows)
    due = window.go("due")
    qtbot.waitUntil(lambda: due.worker.options is not None)
    assert due.worker.isVisible()
    due.worker.select(world.users["ann"].id)
    qtbot.waitUntil(lambda: due.table.rowCount() == 5)
    due.worker.select(world.users["bob"].id)
    qtbot.waitUntil(lambda: set(table_column(due.table, 2)) == {"Tom Smith", "Mary Ann Van Der "
                                                                "Berg"})


def test_the_full_record_opens_as_a_tab_and_owns_quick_note(qtbot, runner, world, windows):
    record_class = resolve(main_window.RECORD)
    window = open_window(qtbot, runner, world.actor("ann"), windows)
    record = window.show_person(world.people["margaret"])
    assert isinstance(record, record_class)
    qtbot.waitUntil(lambda: window.tabs.tabText(1).startswith("Peggy Smith"))
    assert "Peggy" not in window.windowTitle()
    assert window.actions["quick_note"].isEnabled()
    window.actions["quick_note"].trigger()
    qtbot.waitUntil(lambda: record.quick_note.isVisible())


def test_open_main_window_signs_in_first(qtbot, caseload, world, monkeypatch):
    import ui.signin

    monkeypatch.setattr(ui.signin, "sign_in", lambda runner, parent=None, **_kw: None)
    assert main_window.open_main_window(caseload) is None  # cancelled: nothing on screen

    monkeypatch.setattr(ui.signin, "sign_in", lambda runner, parent=None, **_kw: world.actor("ann"))
    window = main_window.open_main_window(caseload)
    try:
        assert window is not None and window.isVisible()
        assert window.actor == world.actor("ann")
        room = window.screen().availableGeometry()  # small screens: all of it, no more
        assert window.width() <= room.width() and window.height() <= room.height()
        view = caseload_of(window)
        qtbot.waitUntil(lambda: view.model.rowCount() == 3)
    finally:
        qtbot.waitUntil(lambda: not window.runner.is_busy())
        window.shutdown()
        assert not window.isVisible()
        window.deleteLater()


def test_about_shows_the_caseload_facts_without_blocking(qtbot, runner, world, windows):
    window = open_window(qtbot, runner, world.actor("ann"), windows)
    window.actions["about"].trigger()
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window._dialogs))
    box = next(d for d in window._dialogs if d.isVisible())
    assert "Schema version" in box.text() and "People" in box.text()
    assert not box.isModal() and QApplication.activeModalWidget() is None
    box.close()


def test_type_a_search_then_arrow_into_the_list_and_open_by_keyboard(qtbot, runner, world,
                                                                     windows):
    """The link worker's keyboard path: Ctrl+F, type, Down into the results, Down, Enter."""
    window = open_window(qtbot, runner, world.actor("ann"), windows)
    view = caseload_of(window)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(view.search.hasFocus)
    qtbot.keyClicks(view.search, "smi")
    qtbot.waitUntil(lambda: view.model.rowCount() == 2)
    qtbot.keyClick(view.search, Qt.Key.Key_Down)
    qtbot.waitUntil(view.table.hasFocus)
    assert view.table.currentIndex().row() == 0
    qtbot.keyClick(view.table, Qt.Key.Key_Down)
    assert view.table.currentIndex().row() == 1
    before = len(window.record_tabs())
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(window.record_tabs()) == before + 1)


@pytest.mark.parametrize(("page", "key", "typed"), [("caseload", Qt.Key.Key_2, "smi"),
                                                   ("directory", Qt.Key.Key_4, "walk")],
                         ids=["caseload", "directory"])
def test_escape_empties_a_pages_search_box(qtbot, runner, world, windows, page, key, typed):
    """Ctrl+F, a few letters, Escape: the box is empty and the whole list is back, without
    reaching for the mouse (the clear button) or selecting the text to delete it."""
    window = open_window(qtbot, runner, world.actor("ann"), windows)
    qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    search = window.page(page).search
    qtbot.waitUntil(search.hasFocus)
    qtbot.keyClicks(search, typed)
    qtbot.keyClick(search, Qt.Key.Key_Escape)
    assert search.text() == "" and search.hasFocus()
    if page == "caseload":
        qtbot.waitUntil(lambda: caseload_of(window).model.rowCount() == 3)  # Ann's three


def test_start_up_checks_and_backup_wait_for_the_first_rows(qtbot, runner, world, windows):
    """The page check and the daily backup go to the background lane only once the caseload
    list shows its first rows (issue 15): they never compete with them."""
    import gc

    from ui.admin.recovery import StartupChecks

    queued: list[int] = []
    window = MainWindow(runner, world.actor("ann"), clock=lambda: TODAY)
    windows.append(window)
    view = caseload_of(window)
    background = runner.background

    def record(work, *args, **kwargs):
        queued.append(view.model.rowCount())
        return background(work, *args, **kwargs)

    runner.background = record
    checks = StartupChecks(window, runner)
    assert queued == []  # nothing queued before the rows
    window.show()
    qtbot.waitUntil(lambda: queued != [])
    assert queued[0] > 0  # the rows were on screen when the checks were queued
    assert gc.get_freeze_count() > 0  # and start-up's objects left the collector's sight
    qtbot.waitUntil(lambda: window.prepared is not None)
    assert checks.problems == []


def test_a_long_today_list_shows_its_first_page_then_counts_and_pages_in(
        qtbot, runner, world, windows, monkeypatch):
    """Pages of one row: the first answer brings one task, the database's count follows (the
    title, the scroll range) and the second task's page comes when its row is looked at."""
    import ui.person_list
    import ui.today_view

    monkeypatch.setattr(ui.person_list, "PAGE_ROWS", 1)
    monkeypatch.setattr(ui.today_view, "PAGE_ROWS", 1)
    window = open_window(qtbot, runner, world.actor("ann"), windows)
    window.go("today")
    today = window.page("today")
    # Nothing paints the list until the row is looked at below: a paint of both rows is a
    # look at the second row too, and would ask for its page whenever it came first.
    today.tasks.setUpdatesEnabled(False)
    qtbot.waitUntil(lambda: today.counts is not None)
    assert today.tasks_box.title() == "Tasks (2, 2 overdue)"
    assert today.tasks.rowCount() == 2
    assert len(today.tasks.list_model.items.pages) == 1  # only the first page is held
    today.tasks.item(1, 1)  # looking at the row asks for its page
    today.tasks.setUpdatesEnabled(True)
    qtbot.waitUntil(lambda: table_column(today.tasks, 1) == ["195 days overdue",
                                                            "1 day overdue"])
    today.tasks.setFocus()
    today.tasks.setCurrentCell(1, 0)
    with qtbot.waitSignal(today.open_person) as opened:
        qtbot.keyClick(today.tasks, Qt.Key.Key_Return)
    assert opened.args == [world.people["margaret"]]


def _held(monkeypatch, module, name: str, release) -> list:
    """``module.name`` made to wait for ``release`` before it runs (the calls are listed):
    a read held part way, as a manager's keys at 150,000 people are for a second or more."""
    import threading

    real, calls = getattr(module, name), []
    assert isinstance(release, threading.Event)

    def held(*args, **kwargs):
        calls.append(name)
        release.wait()
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, held)
    return calls


def test_the_first_rows_after_a_change_never_wait_for_the_last_refreshs_keys(
        qtbot, runner, world, windows, monkeypatch):
    """Today's keys (read after the first rows) step aside on a thread no page read needs,
    and a refresh drops the last one's: with every keys read held part way, a step marked
    done still brings Today's new first rows (before, the three lists' keys held both reader
    threads, and the new first pages waited behind them)."""
    import threading

    import linkworker.today
    from linkworker.goals import complete_step
    from linkworker.models import Contact
    from linkworker.today import today_page

    _add_ties(world, copies=2, steps=300)  # each list longer than a page: its keys are read
    with world.caseload.transaction() as s:
        for k in range(700):
            s.add(Contact(episode_id=world.episodes["sam0"], contact_date=TODAY + (k % 3) * DAY,
                          start_time=dt.time(9, k % 60), status="planned"))
    meg, release = world.actor("meg"), threading.Event()
    step_id, before = _a_step_due(world), len(today_page(world.caseload, meg, None, TODAY,
                                                          "tasks"))
    held = _held(monkeypatch, linkworker.today, "today_keys", release)
    try:
        window = open_window(qtbot, runner, meg, windows)
        today = window.go("today")
        qtbot.waitUntil(lambda: today.counts is not None and bool(held))
        loaded: list[object] = []
        today.loaded.connect(loaded.append)
        runner.run(lambda job: complete_step(job.caseload, meg, step_id, TODAY),
                   changes={"goals"})
        qtbot.waitUntil(lambda: bool(loaded))
        assert loaded[0]["tasks"] == today_page(world.caseload, meg, None, TODAY, "tasks", 0,
                                                 len(loaded[0]["tasks"]))
        assert len(today_page(world.caseload, meg, None, TODAY, "tasks")) == before - 1
    finally:
        release.set()


def _a_step_due(world) -> str:
    """The id of a plan step not done, due by today: one of Today's tasks."""
    from sqlalchemy import select

    from linkworker.models import GoalStep

    with world.caseload.reading() as s:
        return s.execute(select(GoalStep.id).where(GoalStep.done_date.is_(None),
                                                   GoalStep.due_date <= TODAY)).scalars().first()


def test_dues_first_rows_after_a_change_never_wait_for_the_last_refreshs_counts(
        qtbot, runner, world, windows, monkeypatch):
    """Due's every key and Today's overdue tasks (read after Due's first rows) step aside on a
    thread no page read needs, and a refresh drops the last one's: with both held part way,
    a change still brings Due's new first rows."""
    import threading

    import ui.due_view
    import ui.person_list

    for module in (ui.due_view, ui.person_list):
        monkeypatch.setattr(module, "PAGE_ROWS", 2)
    refresh(world)
    meg, release = world.actor("meg"), threading.Event()
    held = _held(monkeypatch, ui.due_view, "due_keys", release)
    _held(monkeypatch, ui.due_view, "overdue_tasks", release)
    try:
        window = open_window(qtbot, runner, meg, windows)
        due = window.go("due")
        qtbot.waitUntil(lambda: due.table.rowCount() > 0 and bool(held))
        loaded: list[object] = []
        due.loaded.connect(loaded.append)
        runner.run(lambda job: None, changes={"contacts"})
        qtbot.waitUntil(lambda: bool(loaded))
    finally:
        release.set()
