"""Today: the signed-in worker's appointments, the rest of the week, and tasks due.

The day can be moved (Alt+Left / Alt+Right, Alt+Home for today, or typed as dd/mm/yyyy) to see
another day's diary. A manager can look at any worker's day. The first page of each list
comes from ``linkworker.today.today_page`` in two reads on the runner's reader pool (tasks
beside the diary), their lengths after (``today_counts``); the tables are lazy models
(``ui.person_list``: a manager's 95,000 tasks never become 95,000 rows of items). A page past
the first is read by its rows' keys (``today.TodayList``: the list's rowids, read once after
the counts while the page is on screen, by work that steps aside for the user's reads, else at
the first scroll), so a page at the bottom comes as quickly as the first. A refresh drops the
last one's counts and keys, so the first rows after a change wait for neither. Enter or a
double-click opens the person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QSplitter,
    QVBoxLayout,
)

from linkworker.today import (
    TODAY_LISTS,
    Appointment,
    Task,
    TodayCounts,
    TodayList,
    today_counts,
    today_page,
)
from linkworker.validation import format_date
from ui.core_words import core
from ui.i18n import translate
from ui.person_list import PAGE_ROWS, PagedRows, PersonList
from ui.record import widgets as w
from ui.widgets import WorkerPage, heading, long_date

CARES_ABOUT = frozenset({"contacts", "goals", "episodes", "people", "caseload"})
# The first pages are two reads, one per reader thread: the tasks (a manager's longest list)
# beside the day's diary, so the first rows wait for the slower, not for both.
READS = (("tasks",), ("appointments", "later"))


def _appointment_cells(a: Appointment) -> tuple[str, ...]:
    return (a.time_text, a.person_name, core(a.mode_label), a.venue, a.purpose,
            core(a.status_label))


def _week_cells(a: Appointment) -> tuple[str, ...]:
    day = QLocale().dayName(a.day.isoweekday(), QLocale.FormatType.ShortFormat)
    return (f"{day} {format_date(a.day)}", a.time_text, a.person_name, core(a.mode_label),
            a.venue)


def _task_cells(t: Task) -> tuple[str, ...]:
    if days := t.overdue_days:
        return (
            format_date(t.due),
            translate("today_view", "%Ln day(s) overdue", None, days),
            t.person_name,
            t.what,
        )
    when = translate("today_view", "Due")
    return (format_date(t.due), when, t.person_name, t.what)


def _grouped(title: str, table: PersonList) -> QGroupBox:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    layout.addWidget(table)
    return box


def _button(text: str, name: str, keys: str, slot: Callable[[], None]) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(name)
    button.setShortcut(QKeySequence(keys))
    shown = QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)
    button.setToolTip(f"{name} ({shown})")
    button.clicked.connect(slot)
    return button


class TodayView(WorkerPage):
    """Appointments and tasks for one day (today unless moved)."""

    CARES_ABOUT = CARES_ABOUT

    def _build(self) -> None:
        self.day = self.clock()
        self.counts: TodayCounts | None = None  # each list's length, once known
        self._reading = 0  # the newest refresh: an older one's pages are not shown
        self._arrived: dict[str, list] = {}  # its first pages so far, by list
        self._lists: dict[str, TodayList] = {}  # the lists shown, read past the first page by key
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.heading = heading("", translate("today_view", "Day shown"))
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(
            _button(
                translate("today_view", "◀ Pre&vious day"),
                translate("today_view", "Previous day"),
                "Alt+Left",
                lambda: self.show_day(self.day - dt.timedelta(days=1)),
            )
        )
        # Typed like every date in the app (Qt's date box took no date typed over it);
        # the day changes when the date is whole (Enter, Tab or a day picked with F4).
        self.date_edit = w.date_edit(translate("today_view", "Go to date"))
        self.date_edit.setMaximumWidth(150)
        self.date_edit.editingFinished.connect(self._date_typed)
        self.date_edit.dateChanged.connect(self._date_picked)
        top.addWidget(self.date_edit)
        top.addWidget(
            _button(
                translate("today_view", "&Today"),
                translate("today_view", "Back to today"),
                "Alt+Home",
                lambda: self.show_day(self.clock()),
            )
        )
        top.addWidget(
            _button(
                translate("today_view", "&Next day ▶"),
                translate("today_view", "Next day"),
                "Alt+Right",
                lambda: self.show_day(self.day + dt.timedelta(days=1)),
            )
        )
        top.addWidget(self.worker.labelled(translate("today_view", "&Worker:")))
        top.addWidget(self.worker)
        layout.addLayout(top)
        self.appointments = PersonList(
            (
                translate("today_view", "Time"),
                translate("today_view", "Person"),
                translate("today_view", "How"),
                translate("today_view", "Where"),
                translate("today_view", "Purpose"),
                translate("today_view", "Status"),
            ),
            translate("today_view", "Appointments today"),
        )
        self.week = PersonList(
            (
                translate("today_view", "Day"),
                translate("today_view", "Time"),
                translate("today_view", "Person"),
                translate("today_view", "How"),
                translate("today_view", "Where"),
            ),
            translate("today_view", "Later this week"),
        )
        self.tasks = PersonList(
            (
                translate("today_view", "Due"),
                translate("today_view", "When"),
                translate("today_view", "Person"),
                translate("today_view", "Task"),
            ),
            translate("today_view", "Tasks"),
        )
        for table in (self.appointments, self.week, self.tasks):
            table.person_activated.connect(self.open_person)
        self.appointments_box = _grouped(translate("today_view", "Appointments"), self.appointments)
        self.week_box = _grouped(translate("today_view", "Later this week"), self.week)
        self.tasks_box = _grouped(translate("today_view", "Tasks"), self.tasks)
        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(self.week_box)
        lower.addWidget(self.tasks_box)
        upper = QSplitter(Qt.Orientation.Vertical)
        upper.addWidget(self.appointments_box)
        upper.addWidget(lower)
        layout.addWidget(upper, 1)
        self._show_heading()

    def _show_heading(self) -> None:
        today = self.clock()
        self.heading.setText(translate("today_view", "Today, {day}").format(day=long_date(self.day))
                             if self.day == today else long_date(self.day))
        self.date_edit.blockSignals(True)
        self.date_edit.set_value(self.day)
        self.date_edit.blockSignals(False)

    def _date_picked(self, _day: object) -> None:
        """A day from the calendar (a half-typed date waits for Enter or Tab)."""
        if not self.date_edit.hasFocus():
            self._date_typed()

    def _date_typed(self) -> None:
        day = self.date_edit.value()
        if day is not None and day != self.day and not self.date_edit.problem():
            self.show_day(day)

    def show_day(self, day: dt.date) -> None:
        self.day = day
        self._show_heading()
        self.refresh()

    def refresh(self) -> None:
        if self.worker.options is None:
            return  # the worker list loads first, then refreshes
        actor, worker, day = self.actor, self.worker.worker_id(), self.day
        self._drop_older_reads()
        self._reading += 1
        reading, self._arrived = self._reading, {}
        for parts in READS:

            def first_pages(job, parts=parts):
                return reading, day, {part: today_page(job.caseload, actor, worker, day, part,
                                                       0, PAGE_ROWS) for part in parts}

            self.runner.read(first_pages, self._pages_arrived,
                             label=translate("today_view", "Loading today"),
                             supersede=f"today-{id(self)}-{parts[0]}")

    def _drop_older_reads(self) -> None:
        """The last refresh's counts and keys are moot once the lists are read again: they
        are dropped (stopped part way if running), so the new first rows never queue behind
        them on a 2-core laptop."""
        self.runner.drop(f"today-counts-{id(self)}")
        for part in TODAY_LISTS:
            self.runner.drop(f"today-keys-{id(self)}-{part}")

    def _pages_arrived(self, answer: tuple[int, dt.date, dict[str, list]]) -> None:
        """Shows the lists once both reads of the newest refresh have answered."""
        reading, day, pages = answer
        if reading != self._reading:
            return
        self._arrived.update(pages)
        if set(self._arrived) == set(TODAY_LISTS):
            self._show((day, self._arrived))

    def _tables(self) -> dict[str, tuple[PersonList, Callable[..., tuple[str, ...]]]]:
        return {"appointments": (self.appointments, _appointment_cells),
                "later": (self.week, _week_cells), "tasks": (self.tasks, _task_cells)}

    def _show(self, answer: tuple[dt.date, dict[str, list]]) -> None:
        day, pages = answer
        if day != self.day:
            return
        actor, worker = self.actor, self.worker.worker_id()
        self._lists = {}
        for part, (table, cells) in self._tables().items():
            listed = self._lists[part] = TodayList(actor, worker, day, part)  # pages by key

            def fetch(job, offset, limit, listed=listed):
                return listed.page(job.caseload, offset, limit)

            table.fill(PagedRows(self.runner, fetch, pages[part]), cells,
                       overdue=lambda t: getattr(t, "overdue_days", 0) > 0)
        if all(len(rows) < PAGE_ROWS for rows in pages.values()):  # each list is whole
            tasks = pages["tasks"]
            self._counted(day, TodayCounts(len(pages["appointments"]), len(pages["later"]),
                                           len(tasks), sum(t.overdue_days > 0 for t in tasks)))
        else:  # counted in the database, after the first rows are on screen
            self.counts = None
            self.runner.read(lambda job: (day, today_counts(job.caseload, actor, worker, day)),
                             lambda got: self._counted(*got),
                             label=translate("today_view", "Counting today"),
                             supersede=f"today-counts-{id(self)}")
        self.loaded.emit(pages)

    def _counted(self, day: dt.date, counts: TodayCounts) -> None:
        if day != self.day:
            return
        self.counts = counts
        self._read_keys(counts)
        self.appointments.list_model.set_count(counts.appointments)
        self.week.list_model.set_count(counts.later)
        self.tasks.list_model.set_count(counts.tasks)
        self.appointments_box.setTitle(
            translate("today_view", "Appointments ({appointments})").format(
                appointments=counts.appointments
            )
        )
        self.week_box.setTitle(
            translate("today_view", "Later this week ({later_this_week})").format(
                later_this_week=counts.later
            )
        )
        late = counts.overdue  # as overdue_tasks counts
        self.tasks_box.setTitle(
            translate("today_view", "Tasks ({tasks}, {late} overdue)").format(
                tasks=counts.tasks, late=late
            )
            if late
            else translate("today_view", "Tasks ({tasks})").format(tasks=counts.tasks)
        )

    def _read_keys(self, counts: TodayCounts) -> None:
        """Each list longer than a page has its keys read now, before a scroll asks for a
        page past the first (which would otherwise wait for them), if the page is on screen
        (a hidden page's are read at its first scroll). The read steps aside for the user's
        own reads, on a thread of its own (``yields``): a manager's tasks' keys are most of a
        second of CPU at 150,000 people, and the first rows after a change come first."""
        if not self.isVisible():
            return
        for part, listed in self._lists.items():
            if getattr(counts, part) > PAGE_ROWS and listed.keys is None:
                self.runner.read(lambda job, listed=listed: listed.prefetch(job.caseload),
                                 label=translate("today_view", "Loading today"),
                                 supersede=f"today-keys-{id(self)}-{part}", yields=True)

    def focus_first(self) -> None:
        self.appointments.setFocus(Qt.FocusReason.OtherFocusReason)

