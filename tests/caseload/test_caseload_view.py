"""The first window's list, driven like a user would: typing, clicking headers, filters, keys."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from sqlalchemy import select

from linkworker.caseload import PAGE_SIZE
from linkworker.models import AuditEvent
from ui.caseload_view import COLUMNS, CaseloadView
from ui.operations import Runner
from ui.widgets import ID_ROLE

from .conftest import TODAY


@pytest.fixture
def make_view(widgets):
    def make(qtbot, runner, actor):
        view = CaseloadView(runner, actor, clock=lambda: TODAY)
        widgets.append(view)
        return shown(view)

    return make


def shown(view):
    view.resize(1200, 600)
    view.show()
    return view


def cells(view, column="Name"):
    col = [c.title for c in COLUMNS].index(column)
    model = view.model
    return [model.index(r, col).data() for r in range(model.rowCount())]


def wait_for(qtbot, view, expected, column="Name"):
    qtbot.waitUntil(lambda: cells(view, column) == expected)


def test_lists_people_with_name_stage_worker_and_next_review(qtbot, runner, world, make_view):
    view = make_view(qtbot, runner, world.actor("ann"))
    wait_for(qtbot, view, ["Khan, Aisha", "Smith, Margaret", "Smithson, John"])
    assert cells(view, "Stage") == ["Referred", "Active", "Active"]
    assert cells(view, "Worker") == ["Ann Worker"] * 3
    assert cells(view, "Next review") == ["", "01/03/2026", "10/05/2026"]
    assert cells(view, "Known as") == ["", "Peggy", ""]
    assert view.count_label.text() == "3 people"
    overdue = view.model.index(1, [c.title for c in COLUMNS].index("Next review"))
    assert overdue.data(Qt.ItemDataRole.ToolTipRole) == "Review overdue"
    assert not view.worker.isVisible()  # a link worker has no switcher


@pytest.mark.parametrize("who", ["ann", "meg"])
def test_the_first_rows_come_with_the_filter_bars_options_in_one_read(
        qtbot, runner, world, make_view, who):
    """Issue 15: the default list's first screenful is read in the options' own job, so the
    first rows need no second read once the window shows."""
    reads: list[str] = []
    read = runner.read

    def counted(work, *args, **kwargs):
        reads.append(kwargs.get("label", ""))
        return read(work, *args, **kwargs)

    runner.read = counted
    view = make_view(qtbot, runner, world.actor(who))
    before_rows: list[list[str]] = []
    view.first_rows.connect(lambda _n: before_rows.append(list(reads)))
    qtbot.waitUntil(lambda: before_rows != [])
    assert before_rows[0] == ["Loading the caseload"]  # one read, and no search asked for
    assert view.model.rowCount() > 0 and view.model.is_loaded(0)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("smi", ["Smith, Margaret", "Smith, Thomas", "Smithson, John"]),
        ("peg", ["Smith, Margaret"]),
        ("LW-00006", ["Smith, Thomas"]),
        ("401 023 2137", ["Smith, Thomas"]),
        ("dh1", ["Van Der Berg, Mary Ann"]),
        ("Tom Smi", ["Smith, Thomas"]),
        ("ne1 ", ["Smith, Margaret"]),  # a postcode's space typed: NE1, not John's NE14
        ("NE14 6", ["Smithson, John"]),
    ],
)
def test_search_as_you_type_narrows_the_rows(qtbot, runner, world, make_view, typed, expected):
    view = make_view(qtbot, runner, world.actor("meg"))
    qtbot.waitUntil(lambda: view.model.rowCount() == 6)
    qtbot.keyClicks(view.search, typed)
    wait_for(qtbot, view, expected)
    assert view.count_label.text() == ("1 person" if len(expected) == 1 else
                                       f"{len(expected)} people")


def test_filters_narrow_and_clear(qtbot, runner, world, make_view):
    view = make_view(qtbot, runner, world.actor("meg"))
    qtbot.waitUntil(lambda: view.model.rowCount() == 6)
    view.overdue.click()
    wait_for(qtbot, view, ["Smith, Margaret"])
    view.overdue.click()
    view.stage.setCurrentIndex(view.stage.findData("referred"))
    wait_for(qtbot, view, ["Khan, Aisha", "Unassigned, Nadia"])
    view.clear_filters()
    view.no_baseline.click()
    wait_for(qtbot, view, ["Smith, Margaret", "Smith, Thomas", "Van Der Berg, Mary Ann"])
    view.clear_filters()
    view.change.setCurrentIndex(view.change.findData("improved"))
    wait_for(qtbot, view, ["Smith, Margaret"])
    view.clear_filters()
    qtbot.waitUntil(lambda: view.contract.count() == 2)
    view.contract.setCurrentIndex(1)
    wait_for(qtbot, view, ["Smith, Margaret", "Van Der Berg, Mary Ann"])
    view.clear_filters()
    view.exited.click()
    qtbot.waitUntil(lambda: view.model.rowCount() == 7)


def click_header(qtbot, view, title):
    header = view.table.horizontalHeader()
    section = [c.title for c in COLUMNS].index(title)
    x = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))


def test_header_clicks_sort_in_the_database(qtbot, runner, world, make_view):
    view = make_view(qtbot, runner, world.actor("meg"))
    qtbot.waitUntil(lambda: view.model.rowCount() == 6)
    click_header(qtbot, view, "Next review")
    wait_for(qtbot, view, ["01/03/2026", "13/03/2026", "10/04/2026", "10/05/2026", "", ""],
             "Next review")
    assert (view.sort_key, view.descending) == ("next_review", False)
    click_header(qtbot, view, "Next review")
    wait_for(qtbot, view, ["10/05/2026", "10/04/2026", "13/03/2026", "01/03/2026", "", ""],
             "Next review")
    click_header(qtbot, view, "Reference")
    wait_for(qtbot, view, [f"LW-0000{i}" for i in (1, 2, 3, 5, 6, 7)], "Reference")


def test_a_manager_switches_worker(qtbot, runner, world, make_view):
    view = make_view(qtbot, runner, world.actor("meg"))
    qtbot.waitUntil(lambda: view.model.rowCount() == 6)
    assert view.worker.isVisible()
    assert view.worker.currentText() == "All workers"  # the manager has no caseload of their own
    view.worker.select(world.users["bob"].id)
    wait_for(qtbot, view, ["Smith, Thomas", "Van Der Berg, Mary Ann"])
    # the counts are read after the rows, stepping aside for them (a loaded machine: later)
    qtbot.waitUntil(lambda: view.worker.currentText() == "Bob Worker (2)")
    view.worker.select("-")
    wait_for(qtbot, view, ["Unassigned, Nadia"])


def test_enter_and_double_click_open_the_person(qtbot, runner, world, make_view):
    view = make_view(qtbot, runner, world.actor("ann"))
    wait_for(qtbot, view, ["Khan, Aisha", "Smith, Margaret", "Smithson, John"])
    view.table.setFocus()
    view.table.setCurrentIndex(view.model.index(1, 0))
    with qtbot.waitSignal(view.open_person) as opened:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert opened.args == [world.people["margaret"]]
    where = view.table.visualRect(view.model.index(2, 0)).center()
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=where)
    with qtbot.waitSignal(view.open_person) as opened:
        qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert opened.args == [world.people["john"]]


def test_enter_in_the_search_box_opens_a_single_match(qtbot, runner, world, make_view):
    view = make_view(qtbot, runner, world.actor("ann"))
    qtbot.waitUntil(lambda: view.model.rowCount() == 3)
    qtbot.keyClicks(view.search, "peggy")
    wait_for(qtbot, view, ["Smith, Margaret"])
    with qtbot.waitSignal(view.open_person) as opened:
        qtbot.keyClick(view.search, Qt.Key.Key_Return)
    assert opened.args == [world.people["margaret"]]


def test_space_shows_the_read_only_summary_beside_the_list(qtbot, runner, world, make_view):
    view = make_view(qtbot, runner, world.actor("ann"))
    wait_for(qtbot, view, ["Khan, Aisha", "Smith, Margaret", "Smithson, John"])
    view.table.setFocus()
    view.table.setCurrentIndex(view.model.index(1, 0))
    qtbot.keyClick(view.table, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: view.summary.heading.text() == "Peggy Smith")
    assert view.summary.isVisible()
    assert view.summary.values["NHS number"].text() == "943 476 5919"
    assert view.summary.values["Next review"].text() == "01/03/2026 (overdue)"
    with world.caseload.reading() as s:
        viewed = s.execute(select(AuditEvent.person_id).where(
            AuditEvent.action == "view_person")).scalars().all()
    assert viewed == [world.people["margaret"]]
    with qtbot.waitSignal(view.open_person) as opened:
        view.summary.open_button.click()
    assert opened.args == [world.people["margaret"]]
    qtbot.keyClick(view.table, Qt.Key.Key_Space)
    assert not view.summary.isVisible()


def test_a_save_elsewhere_refreshes_rows_in_place(qtbot, runner, world, make_view):
    view = make_view(qtbot, runner, world.actor("ann"))
    wait_for(qtbot, view, ["Khan, Aisha", "Smith, Margaret", "Smithson, John"])
    from linkworker.models import Person

    def rename(job):
        with job.caseload.transaction() as s:
            s.get(Person, world.people["john"]).preferred_name = "Jack"

    resets = []
    view.model.modelReset.connect(lambda: resets.append(1))
    runner.run(rename, changes={"people"})
    wait_for(qtbot, view, ["", "Peggy", "Jack"], "Known as")
    assert resets == []  # same people: repainted, not reset


# --- 50,000 people --------------------------------------------------------------------------


def test_fifty_thousand_people_search_and_page_on_demand(qtbot, big_world):
    runner = Runner(big_world.caseload)
    view = shown(CaseloadView(runner, big_world.manager, clock=lambda: TODAY))
    try:
        qtbot.waitUntil(lambda: view.count == 42_858)
        assert view.count_label.text() == "42,858 people"
        last = view.model.rowCount() - 1
        assert not view.model.is_loaded(last)  # only what is shown is fetched
        qtbot.waitUntil(lambda: view.model.is_loaded(0))
        view.table.scrollToBottom()
        qtbot.waitUntil(lambda: view.model.is_loaded(last))
        assert len(view.model._pages) <= 4  # a few pages, never the whole table
        qtbot.keyClicks(view.search, "Smith, Ma")
        expected = sorted(
            (p for p in big_world.people if p["stage"] != "exited"
             and p["family_name"].startswith("Smith")  # Smithson too: a prefix
             and (p["given_name"].startswith("Ma") or (p["preferred_name"] or "").startswith(
                 "Ma"))),
            key=lambda p: (p["family_name"].lower(), p["given_name"].lower(), p["id"]))
        want = [p["id"] for p in expected]
        qtbot.waitUntil(lambda: view.model.ids == want)
        qtbot.waitUntil(lambda: view.model.is_loaded(0))
        assert view.model.index(0, 0).data(ID_ROLE) == want[0]
        assert view.model.index(0, 0).data() == f"{expected[0]['family_name']}, " \
                                                f"{expected[0]['given_name']}"
        assert len(want) < PAGE_SIZE * 3
    finally:
        qtbot.waitUntil(lambda: not runner.is_busy())
        view.deleteLater()
        qtbot.wait(10)
        runner.shutdown()


def test_a_newer_keystroke_supersedes_an_older_search_mid_query(
        qtbot, runner, world, make_view, monkeypatch):
    """Search as you type is cancellable (issue 15): while "sm" is still being searched (a query
    that would run for minutes), "khan" is typed; "sm" is interrupted inside SQLite, its answer
    is never shown, and "khan"'s is."""
    import threading

    import ui.caseload_view as caseload_view

    started, interrupted = threading.Event(), threading.Event()
    monkeypatch.setattr(caseload_view, "first_page", endless_for_sm(
        caseload_view.first_page, started, interrupted))
    view = make_view(qtbot, runner, world.actor("meg"))
    type_past_sm(qtbot, view, started)
    qtbot.waitUntil(interrupted.is_set)
    qtbot.waitUntil(lambda: not runner.is_busy())
    assert cells(view) == ["Khan, Aisha"] and view.count_label.text() == "1 person"


def endless_for_sm(real, started, interrupted):
    """``real`` (a read of the list), except that for "sm" it runs a statement that would run
    for minutes, setting ``started``, and ``interrupted`` when SQLite stops it."""
    from sqlalchemy.exc import OperationalError

    def read(caseload, actor, filt, *args):
        if filt.text == "sm":
            started.set()
            try:
                with caseload.reading() as s:
                    s.connection().exec_driver_sql(
                        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
                        "SELECT count(*) FROM n").scalar()
            except OperationalError:
                interrupted.set()
                raise
        return real(caseload, actor, filt, *args)

    return read


def type_past_sm(qtbot, view, started) -> None:
    """Type "sm", and "khan" once "sm" is being answered (``started``); "khan"'s rows show."""
    qtbot.waitUntil(lambda: view.model.rowCount() == 6)
    view.search.setText("sm")
    view.refresh()
    qtbot.waitUntil(started.is_set)
    view.search.setText("khan")
    view.refresh()
    wait_for(qtbot, view, ["Khan, Aisha"])


def test_scrolling_the_whole_list_keeps_only_the_pages_near_the_screen(qtbot, runner, world,
                                                                        make_view):
    """Issue 15 (memory under 400 MB whatever is opened): a manager paging to the end of
    150,000 people kept every page read on the way (1,500 pages of rows and their cell texts).
    The model holds the ids, the first page and the last few pages looked at; a page scrolled
    back to is read again."""
    from ui.person_list import KEPT_PAGES

    model = make_view(qtbot, runner, world.actor("meg")).model
    qtbot.waitUntil(lambda: model.is_loaded(0) and not runner.is_busy())
    people = sorted(world.people.values())
    model.set_ids([people[i % len(people)] for i in range(PAGE_SIZE * (KEPT_PAGES + 6))])
    for page in range(KEPT_PAGES + 6):
        model.row(page * PAGE_SIZE)  # as the view paints each screenful on the way down
        qtbot.waitUntil(lambda p=page: model.is_loaded(p * PAGE_SIZE))
        assert len(model._pages) <= KEPT_PAGES + 1
        assert len(model._shown) == len(model._pages)
    assert not model.is_loaded(PAGE_SIZE)  # long gone: read again when scrolled back to
    assert model.row(PAGE_SIZE) is None
    qtbot.waitUntil(lambda: model.is_loaded(PAGE_SIZE))
    assert model.row(PAGE_SIZE).id == people[PAGE_SIZE % len(people)]
