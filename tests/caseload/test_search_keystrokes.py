"""Search as you type at speed (issue 15): what a keystroke paints, and the search index's
pages warmed while the list is idle, stepping aside for the user's searches."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStyledItemDelegate
from sqlalchemy import text

import linkworker.caseload_index as caseload_index
import ui.caseload_view as caseload_view
from linkworker.caseload import CaseloadFilter, first_page
from ui.caseload_view import COLUMNS, CellPainter

from .test_caseload_view import (  # noqa: F401 (make_view: a fixture)
    cells,
    endless_for_sm,
    make_view,
    type_past_sm,
    wait_for,
)

NEXT_REVIEW = [c.title for c in COLUMNS].index("Next review")


def test_the_list_paints_as_qts_own_delegate_would(qtbot, runner, world, make_view):  # noqa: F811
    """``CellPainter`` reads a cell's text in one call instead of Qt's seven roles; what it
    paints is the same, pixel for pixel, the overdue review's red included."""
    view = make_view(qtbot, runner, world.actor("meg"))
    qtbot.waitUntil(lambda: view.model.rowCount() == 6 and view.model.is_loaded(0))
    overdue = [view.model.index(r, NEXT_REVIEW).data(caseload_view.FOREGROUND)
               for r in range(6)]
    assert any(brush is not None for brush in overdue)  # the picture has a red cell in it
    assert isinstance(view.table.itemDelegate(), CellPainter)
    ours = view.table.viewport().grab().toImage()
    view.table.setItemDelegate(QStyledItemDelegate(view.table))
    qts = view.table.viewport().grab().toImage()
    assert ours == qts


def test_a_superseded_keystroke_never_paints_its_rows(
        qtbot, runner, world, make_view, monkeypatch):  # noqa: F811
    """"sm" is still being answered (in Python, past any interrupt) when "khan" is typed:
    "khan"'s rows are painted, and "sm"'s late answer is never painted after them."""
    release, sm_started = threading.Event(), threading.Event()
    real = caseload_view.first_page

    def slow_first_page(caseload, actor, filt, *args):
        answer = real(caseload, actor, filt, *args)
        if filt.text == "sm":
            sm_started.set()
            release.wait(10)
        return answer

    painted: list[str] = []
    paint = CellPainter.initStyleOption

    def recording(self, option, index):
        paint(self, option, index)
        if index.column() == 0:
            painted.append(option.text)

    monkeypatch.setattr(caseload_view, "first_page", slow_first_page)
    monkeypatch.setattr(CellPainter, "initStyleOption", recording)
    view = make_view(qtbot, runner, world.actor("meg"))
    type_past_sm(qtbot, view, sm_started)
    view.table.viewport().repaint()
    painted.clear()
    release.set()  # "sm"'s answer comes now, after "khan"'s
    qtbot.waitUntil(lambda: not runner.is_busy())
    qtbot.wait(50)
    view.table.viewport().repaint()
    assert set(painted) == {"Khan, Aisha"}
    assert cells(view) == ["Khan, Aisha"] and view.count_label.text() == "1 person"
    assert view.table.currentIndex().row() == 0  # a new result starts at its first row


def test_a_new_result_selects_its_first_row_and_the_summary_follows(
        qtbot, runner, world, make_view):  # noqa: F811
    """The new rows take the old rows' places (no model reset): the first row is selected,
    as after a reset, and the side panel shows the person now on it."""
    view = make_view(qtbot, runner, world.actor("meg"))
    qtbot.waitUntil(lambda: view.model.rowCount() == 6 and view.model.is_loaded(0))
    view.toggle_summary()
    first = view.model.index(0, 0).data(caseload_view.ID)
    qtbot.waitUntil(lambda: view.summary.person_id == first)
    view.search.setText("smith")
    view.refresh()
    wait_for(qtbot, view, ["Smith, Margaret", "Smith, Thomas", "Smithson, John"])
    assert view.table.currentIndex().row() == 0
    margaret = view.model.index(0, 0).data(caseload_view.ID)
    qtbot.waitUntil(lambda: view.summary.person_id == margaret)


def test_warming_reads_the_whole_search_index_a_step_at_a_time(caseload, world, monkeypatch):
    monkeypatch.setattr(caseload_index, "WARM_BLOCKS", 2)
    manager = world.actor("meg")
    before = first_page(caseload, manager, CaseloadFilter(text="smi"))
    with caseload.reading() as session:
        blocks = session.execute(text("SELECT id FROM person_search_data ORDER BY id")).scalars()
        blocks = list(blocks)
        steps, at = [], None
        while True:
            at = caseload_index.warm(session, at)
            if at is None:
                break
            steps.append(at)
    assert len(blocks) > 2
    assert steps == blocks[1::2] + ([blocks[-1]] if len(blocks) % 2 else [])
    assert first_page(caseload, manager, CaseloadFilter(text="smi")) == before


def test_warming_steps_aside_while_a_search_is_answered(
        qtbot, runner, world, make_view, monkeypatch):  # noqa: F811
    """After the first whole list the view warms the search index a step at a time; no step
    begins while a search is on its way, and warming goes on once it is answered. A save
    begins it again (a write empties the readers' page caches)."""
    events: list[str] = []
    real_warm = caseload_view.warm
    searching = threading.Event()

    def warm(session, after):  # thirty steps, each really reading the index
        events.append("warm while searching" if searching.is_set() else "warm")
        real_warm(session, None)
        return None if len(events) % 30 == 0 else len(events)

    real_first = caseload_view.first_page

    def slow_first_page(caseload, actor, filt, *args):
        if filt.text:
            threading.Event().wait(0.2)  # a slow search: warming must not step in meanwhile
        return real_first(caseload, actor, filt, *args)

    monkeypatch.setattr(caseload_view, "warm", warm)
    monkeypatch.setattr(caseload_view, "first_page", slow_first_page)
    view = make_view(qtbot, runner, world.actor("meg"))
    qtbot.waitUntil(lambda: "warm" in events)
    assert len(events) < 30
    view.counted.connect(lambda _n: searching.clear())
    searching.set()
    view.search.setText("khan")
    view.refresh()
    wait_for(qtbot, view, ["Khan, Aisha"])
    qtbot.waitUntil(lambda: not view._warming and not runner.is_busy())
    # at most the one step already on its way when the search was typed
    assert events.count("warm while searching") <= 1
    assert view._warm_from is None  # warmed to the end
    assert len(events) == 30
    runner.run(lambda job: None, changes={"people"})
    qtbot.waitUntil(lambda: len(events) == 60 and not view._warming and not runner.is_busy())


def test_warming_goes_on_when_a_search_is_answered_while_a_step_is_out(
        qtbot, runner, world, make_view, monkeypatch):  # noqa: F811
    """A search typed and answered while a warming step is on a reader: the step's return
    must carry warming on (the search's whole list, which would have, came while it was out).
    CI caught this as a stall once: warming stopped part way for good."""
    events: list[int | None] = []
    real_warm = caseload_view.warm
    answered = threading.Event()

    def warm(session, after):  # five steps; the second is out while the search is answered
        events.append(after)
        if len(events) == 2:
            answered.wait(10)
        real_warm(session, None)
        return None if len(events) == 5 else len(events)

    monkeypatch.setattr(caseload_view, "warm", warm)
    view = make_view(qtbot, runner, world.actor("meg"))
    qtbot.waitUntil(lambda: len(events) == 2)
    view.counted.connect(lambda _n: answered.set())
    view.search.setText("khan")
    view.refresh()
    wait_for(qtbot, view, ["Khan, Aisha"])
    qtbot.waitUntil(lambda: len(events) == 5 and not view._warming and not runner.is_busy())
    assert view._warm_from is None  # warmed to the end


@pytest.mark.parametrize("who", ["ann", "meg"])
def test_rows_are_the_same_for_each_actor_with_the_statement_built_once(caseload, world, who):
    """``rows_for``'s SELECT is built once per actor: a link worker's scope is never
    applied to a manager's rows or the other way round."""
    from linkworker.caseload import rows_for

    everyone = list(world.people.values())
    mine = rows_for(caseload, world.actor(who), everyone)
    again = rows_for(caseload, world.actor(who), everyone)
    assert [r.id for r in mine] == [r.id for r in again]
    other = rows_for(caseload, world.actor("meg" if who == "ann" else "ann"), everyone)
    assert (len(mine) < len(other)) == (who == "ann")


@pytest.mark.parametrize(("who", "typed"), [("meg", "s"), ("meg", "smith"), ("ann", "ne1 4"),
                                           ("meg", "ne1 "), ("ann", "NE14ST")])
def test_a_keystrokes_reads_use_the_search_index_and_primary_keys(caseload, world, who, typed):
    """Each keystroke's first screenful, with its statements built once: FTS5 answers the
    match, the entries and the rows are found by key, and nothing is scanned or sorted whole
    (the list's order comes from the few matches of the last name key: a temp B-tree of at
    most those)."""
    from tests.query_plans import select_plans

    actor = world.actor(who)
    worker = None if who == "meg" else actor.user_id
    plans = select_plans(caseload, lambda: first_page(
        caseload, actor, CaseloadFilter(text=typed, worker_id=worker)))
    assert "VIRTUAL TABLE INDEX" in plans  # person_search MATCH
    assert "SCAN caseload_entries" not in plans and "SCAN people" not in plans
    assert "SEARCH people USING INDEX" in plans or "SEARCH people USING PRIMARY KEY" in plans


def _screenfuls_of_two(monkeypatch) -> None:
    """The demo's lists are short: a screenful of two people makes them long, so each search's
    first rows are followed by a whole-list read (``person_ids``), as at 50,000 people."""
    real = caseload_view.first_page

    def first_page(caseload, actor, filt, *args):
        ids, rows = real(caseload, actor, filt, *args)
        return ids[:2], [row for row in rows if row.id in ids[:2]]

    monkeypatch.setattr(caseload_view, "first_page", first_page)
    monkeypatch.setattr(caseload_view, "PAGE_SIZE", 2)


def test_no_whole_list_is_read_while_keys_are_still_coming(
        qtbot, runner, world, make_view, monkeypatch):  # noqa: F811
    """Each key's first rows are painted, but the whole list (and its count) waits until the
    typing pauses: read mid-word it is moot by the next key, and it took the cores and the GIL
    from that key's rows. Then the last search's whole list comes, and only that one."""
    asked: list[str] = []
    real = caseload_view.person_ids

    def person_ids(caseload, actor, filt, *args):
        asked.append(filt.text)
        return real(caseload, actor, filt, *args)

    monkeypatch.setattr(caseload_view, "person_ids", person_ids)
    _screenfuls_of_two(monkeypatch)
    view = make_view(qtbot, runner, world.actor("meg"))
    qtbot.waitUntil(lambda: view.count == 6)  # the first list, nobody typing: at once
    assert asked == [""]
    # a typist who never pauses (``raising=False``: main's code has neither)
    monkeypatch.setattr(caseload_view, "WHOLE_LIST_PAUSE_MS", 600_000, raising=False)
    monkeypatch.setattr(caseload_view, "TYPING_S", 600.0, raising=False)
    for typed in ("s", "sm", "smi"):
        with qtbot.waitSignal(view.first_rows):
            view.search.setText(typed)
            view.refresh()  # what the debounce calls
        qtbot.wait(30)  # between two keys: the events after the rows (paint, timers) run
        qtbot.waitUntil(lambda: not runner.is_busy())
    assert asked == [""]
    assert view.count_label.text() == "2+ people, counting…"
    view.whole_list_timer.start(0)  # the typist pauses
    qtbot.waitUntil(lambda: view._ids_seq == view._query_seq)
    assert asked == ["", "smi"]
    assert view.model.ids == real(world.caseload, world.actor("meg"), view.current_filter())
    assert view.count_label.text() == f"{len(view.model.ids)} people"


def test_a_key_stops_the_last_searchs_whole_list_at_once(
        qtbot, runner, world, make_view, monkeypatch):  # noqa: F811
    """"sm"'s whole list is being read (a statement that would run for minutes) when "i" is
    typed: the key itself stops it inside SQLite, before the debounce asks for "smi" (the GUI
    thread is held, so no timer runs), and "smi"'s rows and count follow."""
    started, interrupted = threading.Event(), threading.Event()
    real = caseload_view.person_ids
    monkeypatch.setattr(caseload_view, "person_ids", endless_for_sm(real, started, interrupted))
    monkeypatch.setattr(caseload_view, "WHOLE_LIST_PAUSE_MS", 0, raising=False)
    _screenfuls_of_two(monkeypatch)
    view = make_view(qtbot, runner, world.actor("meg"))
    qtbot.waitUntil(lambda: view.count == 6)
    view.search.setText("sm")
    view.refresh()
    qtbot.waitUntil(started.is_set)
    view.search.setText("smi")
    assert interrupted.wait(10)
    qtbot.waitUntil(lambda: view._ids_seq == view._query_seq and not runner.is_busy())
    assert view.search.text() == "smi"
    assert view.model.ids == real(world.caseload, world.actor("meg"), view.current_filter())
    assert view.count_label.text() == f"{len(view.model.ids)} people"


def test_a_new_count_leaves_the_rest_of_the_window_where_it_was(
        qtbot, runner, world, make_view):  # noqa: F811
    """Each word's first key and each count change the count's text: a text of another width
    laid out and repainted the whole window. The search box and the list stay put."""
    view = make_view(qtbot, runner, world.actor("meg"))
    # the workers' counts come after the rows and widen the worker's list: wait for them
    qtbot.waitUntil(lambda: view.count == 6 and view.options.counted)
    qtbot.wait(20)
    before = view.search.geometry(), view.table.geometry(), view.worker.geometry()
    for count in ("1 person", "100+ people, counting…", "150,000 people", "12 people"):
        view.count_label.setText(count)
        qtbot.wait(20)  # the layout's turn
        assert (view.search.geometry(), view.table.geometry(),
                view.worker.geometry()) == before, count


def test_the_count_holds_a_seven_digit_count_and_the_longest_translation(
        qtbot, runner, world, make_view):  # noqa: F811
    """The count's fixed size holds the widest text it can show in the current language,
    worked out again when the language changes: a seven-digit count, and a translation longer
    than any English text, are never cut."""
    from PySide6.QtCore import QCoreApplication, QTranslator

    class Wordy(QTranslator):
        def translate(self, context, text, disambiguation=None, n=-1):
            if context == "caseload_view" and text == "%Ln person(s)":
                return "%Ln Personen in der Fallliste gefunden"
            return ""

        def isEmpty(self):  # Qt skips an empty translator
            return False

    view = make_view(qtbot, runner, world.actor("meg"))
    label = view.count_label

    def fits(text: str) -> bool:
        label.setText(text)
        return label.sizeHint().width() <= label.width()

    assert fits("1,234,567 people") and fits("9,999,999 people")
    wordy = Wordy()
    QCoreApplication.installTranslator(wordy)
    try:
        wordiest = caseload_view.translate("caseload_view", "%Ln person(s)", None, 1_234_567)
        assert "Personen" in wordiest
        qtbot.waitUntil(lambda: fits(wordiest))
    finally:
        QCoreApplication.removeTranslator(wordy)
    qtbot.waitUntil(lambda: not fits(wordiest))  # back to English's size
    assert fits("1,234,567 people")


def test_enter_before_the_whole_list_goes_by_this_searchs_rows_not_the_last_count(
        qtbot, runner, world, make_view, monkeypatch):  # noqa: F811
    """"khan" found one person; "s" fills a screenful and its whole list waits for a pause
    in the typing. Enter now goes into the list: the count of one was "khan"'s."""
    _screenfuls_of_two(monkeypatch)
    monkeypatch.setattr(caseload_view, "WHOLE_LIST_PAUSE_MS", 600_000)
    monkeypatch.setattr(caseload_view, "TYPING_S", 600.0)
    view = make_view(qtbot, runner, world.actor("meg"))
    qtbot.waitUntil(lambda: view.count == 6)
    opened: list[str] = []
    view.open_person.connect(opened.append)
    for typed in ("khan", "s"):
        with qtbot.waitSignal(view.first_rows):
            view.search.setText(typed)
            view.refresh()
    assert view.count == 1 and len(view.model.ids) == 2
    qtbot.keyClick(view.search, Qt.Key.Key_Return)
    qtbot.wait(20)
    assert opened == []


@pytest.mark.parametrize("typed, expected", [("smithson", ["john"]), ("smith", [])])
def test_enter_straight_after_typing_acts_on_what_was_typed(
        qtbot, runner, world, make_view, typed, expected):  # noqa: F811
    """"khan" found one person; a name typed fast and Enter before the search has run opens
    the person that name finds (or, for two, goes into their list), never Aisha Khan."""
    view = make_view(qtbot, runner, world.actor("ann"))
    qtbot.waitUntil(lambda: view.model.rowCount() == 3)
    qtbot.keyClicks(view.search, "khan")
    wait_for(qtbot, view, ["Khan, Aisha"])
    opened: list[str] = []
    view.open_person.connect(opened.append)
    view.search.selectAll()
    qtbot.keyClicks(view.search, typed)
    qtbot.keyClick(view.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(opened) or view.table.hasFocus())
    qtbot.wait(20)
    assert opened == [world.people[nick] for nick in expected]
    if not expected:
        assert cells(view) == ["Smith, Margaret", "Smithson, John"] and view.table.hasFocus()
        assert view.table.currentIndex().row() == 0


def test_the_header_follows_a_language_installed_while_the_list_is_open(
        qtbot, runner, world, make_view, monkeypatch):  # noqa: F811
    """The header's titles are translated once, not at every paint: a translator installed
    later (a language change) translates them again."""
    from PySide6.QtCore import QCoreApplication, QTranslator

    class Shouting(QTranslator):
        def translate(self, context, text, disambiguation=None, n=-1):
            return text.upper() if context == "caseload_view" and text == "Name" else ""

        def isEmpty(self):  # Qt skips an empty translator
            return False

    view = make_view(qtbot, runner, world.actor("ann"))
    title = lambda: view.model.headerData(0, Qt.Orientation.Horizontal)  # noqa: E731
    assert title() == "Name"
    asked: list[str] = []
    real = caseload_view.translate
    monkeypatch.setattr(caseload_view, "translate", lambda context, text, *args: (
        asked.append(text) or real(context, text, *args)))
    for _ in range(2):
        view.table.horizontalHeader().viewport().repaint()
    assert title() == "Name" and asked == []  # not translated again at each paint
    shouting = Shouting()
    QCoreApplication.installTranslator(shouting)
    try:
        qtbot.waitUntil(lambda: title() == "NAME")
    finally:
        QCoreApplication.removeTranslator(shouting)
    qtbot.waitUntil(lambda: title() == "Name")


def test_a_key_after_enter_cancels_it(qtbot, runner, world, make_view):  # noqa: F811
    """Enter on "smith", then "son" typed before "smith"'s rows come: Enter was for a text no
    longer in the box, so nothing opens and the search box keeps the focus."""
    view = make_view(qtbot, runner, world.actor("ann"))
    qtbot.waitUntil(lambda: view.model.rowCount() == 3)
    view.search.setFocus()
    opened: list[str] = []
    view.open_person.connect(opened.append)
    qtbot.keyClicks(view.search, "smith")
    qtbot.keyClick(view.search, Qt.Key.Key_Return)
    qtbot.keyClicks(view.search, "son")
    wait_for(qtbot, view, ["Smithson, John"])
    qtbot.wait(20)
    assert opened == [] and view.search.hasFocus()


def test_a_pages_rows_are_one_statement_whatever_its_length_with_plain_values(caseload, world):
    """``rows_for`` runs on the DB-API cursor (``plain_rows``): the same SQL for a page of one
    id or of many (SQLite prepares it once; SQLAlchemy's expanding IN wrote one statement per
    length), and its values come back as the ORM gives them (dates as dates)."""
    from sqlalchemy import event, select

    from linkworker.caseload import rows_for
    from linkworker.models import Episode, Person

    meg = world.actor("meg")
    everyone = list(world.people.values())
    sent: list[str] = []

    def keep(_conn, _cursor, statement, *_rest) -> None:
        if "FROM people" in statement:
            sent.append(statement)

    event.listen(caseload.engine, "before_cursor_execute", keep)
    try:
        one, many = rows_for(caseload, meg, everyone[:1]), rows_for(caseload, meg, everyone)
    finally:
        event.remove(caseload.engine, "before_cursor_execute", keep)
    assert len(sent) == 2 and sent[0] == sent[1]
    assert [r.id for r in one] == everyone[:1] and len(many) == len(everyone)
    with caseload.reading() as session:
        due = dict(session.execute(select(Person.id, Episode.next_review_due).join(
            Episode, Episode.id == Person.current_episode_id)).all())
    assert any(due.values())
    for row in many:
        assert row.next_review_due == due.get(row.id)


def test_housekeeping_waits_while_keys_come_and_still_finishes_the_check_and_backup(
        qtbot, runner, world, caseload, make_view, monkeypatch):  # noqa: F811
    """Keys typed into the search hold the start-up checks back from the first key (before
    any search is queued: the box waits for the typing to rest), and once the typing pauses
    the page check goes on to its end and today's backup is made: nothing is lost."""
    import time

    from linkworker import backup
    from linkworker.storage.pages import PageChecker
    from ui.admin import recovery

    view = make_view(qtbot, runner, world.actor("meg"))
    qtbot.waitUntil(lambda: view.count > 0 and not runner.is_busy())
    slices: list[float] = []
    real = PageChecker.damaged_pages

    def damaged_pages(checker, first, count):
        slices.append(time.monotonic())
        return real(checker, first, count)

    monkeypatch.setattr(PageChecker, "damaged_pages", damaged_pages)
    monkeypatch.setattr(recovery, "CHECK_SLICE_PAGES", 1)  # a step per page: a long check
    monkeypatch.setattr(recovery, "SLICE_PAUSE_S", 0.01)
    monkeypatch.setattr(recovery.StartupChecks, "BACKUP_IDLE_S", 0.2)
    assert backup.daily_due(caseload)
    checks = recovery.StartupChecks(view, runner)  # no ``when_started``: begins now
    qtbot.waitUntil(lambda: len(slices) >= 3)
    first_key = time.monotonic()
    for key in "smithson":  # faster than the search's wait for the typing to rest
        qtbot.keyClick(view.search, key)
        qtbot.wait(60)
    last_key = time.monotonic()
    during = [t for t in slices if first_key + 0.15 < t < last_key + 0.3]  # one in flight
    assert not during, f"{len(during)} page-check steps while keys came"
    qtbot.waitUntil(lambda: checks.stage == "done", timeout=30_000)
    assert slices[-1] > last_key and not checks.problems
    assert not backup.daily_due(caseload)  # today's backup was made


def test_a_keys_first_read_asks_only_for_the_rows_on_screen(
        qtbot, runner, world, make_view, monkeypatch):  # noqa: F811
    """A short list window: a search's first read reads the rows it can show (each row read
    at a new word's first key meets cold pages, most of that key's read at 150,000 people);
    the rest of the screenful follows when painted, and every row is right."""
    import linkworker.caseload as core

    view = make_view(qtbot, runner, world.actor("meg"))
    qtbot.waitUntil(lambda: view.count > 2 and not runner.is_busy())
    everyone = cells(view)
    view.resize(1200, view.height() - view.table.viewport().height()
                + view.table.verticalHeader().defaultSectionSize())  # room for one row
    qtbot.wait(50)
    asked: list[int] = []
    real = core.rows_for

    def rows_for(caseload, actor, ids, **kwargs):
        asked.append(len(ids))
        return real(caseload, actor, ids, **kwargs)

    monkeypatch.setattr(core, "rows_for", rows_for)
    view.refresh()
    qtbot.waitUntil(lambda: view._shown_seq == view._query_seq)
    assert asked and asked[0] < len(everyone)
    view.table.scrollToBottom()
    wait_for(qtbot, view, everyone)  # the rest of the page came, in order


def test_a_key_that_keeps_the_same_people_on_screen_repaints_none_of_them(
        qtbot, runner, world, make_view, monkeypatch):  # noqa: F811
    """"smi" then "smit": the same two people lead the list, so nothing is announced as
    changed, no row is painted again and the first row stays selected; "smiths" changes the
    rows, and only the rows that differ are announced (issue 15: a full repaint at every key
    was most of the GUI thread's part of a keystroke)."""
    _screenfuls_of_two(monkeypatch)
    monkeypatch.setattr(caseload_view, "TYPING_S", 600.0, raising=False)
    view = make_view(qtbot, runner, world.actor("meg"))
    qtbot.waitUntil(lambda: view.count == 6 and not runner.is_busy())
    changed: list[tuple[int, int]] = []
    view.model.dataChanged.connect(lambda a, b, *_: changed.append((a.row(), b.row())))
    view.model.modelReset.connect(lambda: changed.append((-1, -1)))
    painted: list[str] = []
    paint = CellPainter.initStyleOption

    def recording(self, option, index):
        paint(self, option, index)
        painted.append(option.text)

    monkeypatch.setattr(CellPainter, "initStyleOption", recording)
    for typed in ("smi", "smit"):
        with qtbot.waitSignal(view.first_rows):
            view.search.setText(typed)
            view.refresh()
        qtbot.wait(30)  # the paint's turn
        assert cells(view) == ["Smith, Margaret", "Smith, Thomas"]
        if typed == "smi":
            changed.clear(), painted.clear()
    assert changed == [] and painted == []
    assert view.table.currentIndex().row() == 0
    assert [index.row() for index in view.table.selectionModel().selectedRows()] == [0]
    with qtbot.waitSignal(view.first_rows):
        view.search.setText("smiths")
        view.refresh()
    wait_for(qtbot, view, ["Smithson, John"])
    assert (0, 0) in changed and (-1, -1) not in changed


def test_the_search_boxs_clear_button_shows_and_goes_without_a_fade(
        qtbot, runner, world, make_view):  # noqa: F811
    """Qt's own clear button fades in over 160 ms at each word's first key, repainting the
    box and what is under it while that key's rows are read and painted (issue 15). Ours
    shows at once with the first letter, clears the box, and goes with the text."""
    from PySide6.QtCore import QAbstractAnimation, QPropertyAnimation
    from PySide6.QtWidgets import QToolButton

    view = make_view(qtbot, runner, world.actor("meg"))
    qtbot.waitUntil(lambda: view.count == 6)

    def button() -> QToolButton:
        shown = [b for b in view.search.findChildren(QToolButton) if b.isVisible()]
        return shown[0] if shown else None

    assert button() is None
    view.search.setText("s")
    running = [a for a in view.search.findChildren(QPropertyAnimation)
               if a.state() == QAbstractAnimation.State.Running]
    assert running == []
    assert button() is not None and view.clear_search.text() == "Clear the search"
    qtbot.mouseClick(button(), Qt.MouseButton.LeftButton)
    assert view.search.text() == "" and button() is None
    view.search.setText("smith")
    view.clear_filters()
    assert button() is None


def test_each_letters_first_screenful_is_warmed_for_the_list_shown(
        qtbot, runner, world, make_view, monkeypatch):  # noqa: F811
    """A word's first key read its rows from cold pages (the people, their journeys), most of
    that key's read at 150,000 people: before the whole search index, each letter's first
    screenful is read for the list on screen (the worker's own, for a link worker), a letter
    a step, so the first key finds them cached. The list shown is untouched."""
    warmed: list[tuple[str, str | None]] = []
    real = caseload_view.first_page

    def warm_rows(caseload, actor, filt, **kwargs):
        warmed.append((filt.text, filt.worker_id))
        return real(caseload, actor, filt, **kwargs)

    monkeypatch.setattr(caseload_view, "warm_rows", warm_rows, raising=False)  # main: none
    ann = world.actor("ann")
    view = make_view(qtbot, runner, ann)
    wait_for(qtbot, view, ["Khan, Aisha", "Smith, Margaret", "Smithson, John"])
    qtbot.waitUntil(lambda: len(warmed) == 26 and not view._warming and not runner.is_busy())
    assert warmed == [(letter, ann.user_id) for letter in "abcdefghijklmnopqrstuvwxyz"]
    assert cells(view) == ["Khan, Aisha", "Smith, Margaret", "Smithson, John"]
    assert view.search.text() == "" and view.count_label.text() == "3 people"


def test_a_warming_step_that_comes_back_after_the_view_has_gone_does_nothing(
        qtbot, runner, world, monkeypatch):
    """The lock screen and sign-out delete the caseload view while a warming step may still
    be out: its answer must not go on to the next letter (which reads the table's height)."""
    import shiboken6

    from ui.caseload_view import CaseloadView

    from .test_caseload_view import TODAY, shown

    out, release = threading.Event(), threading.Event()
    real = caseload_view.first_page

    def warm_rows(caseload, actor, filt, **kwargs):
        out.set()
        release.wait(10)
        return real(caseload, actor, filt, **kwargs)

    monkeypatch.setattr(caseload_view, "warm_rows", warm_rows, raising=False)
    view = shown(CaseloadView(runner, world.actor("ann"), clock=lambda: TODAY))
    qtbot.waitUntil(out.is_set)
    view.hide()
    shiboken6.delete(view)
    release.set()
    qtbot.waitUntil(lambda: not runner.is_busy())  # an exception in the answer fails the test
    assert not shiboken6.isValid(view)
