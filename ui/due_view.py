"""Due and overdue: every review, follow-up measure and planned contact due by Sunday or late.

Most overdue first, across the worker's caseload (a manager can pick a worker or everyone).
Enter or a double-click opens the person's record. The list is its keys (``today.due_keys``:
a small tuple per item, which also give the counts and the "Show" filter) plus the pages
looked at (``today.due_rows`` through ``ui.person_list.PagedRows``), so a row's wording, its
journey's schedule and its cells are worked out only for the rows on screen. The first page
comes first (``today.due_first_keys``, cut in the database): a manager's 32,000 keys at 150,000
people are read after it is painted (by work that steps aside for the user's reads; a refresh
drops the last one's), and the counts and the rest of the list follow them.
Overdue rows are red *and* say "overdue" in words, so colour is never the only signal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout

from linkworker.today import (
    DueItem,
    DueKey,
    due_first_keys,
    due_keys,
    due_rows,
    overdue_tasks,
    week_of,
)
from linkworker.validation import format_date
from ui.i18n import translate
from ui.person_list import PAGE_ROWS, PagedRows, PersonList
from ui.widgets import WorkerPage

CARES_ABOUT = frozenset({"contacts", "measures", "episodes", "people", "contracts", "caseload"})
KINDS = (
    (QT_TRANSLATE_NOOP("due_view", "Everything due"), None),
    (QT_TRANSLATE_NOOP("due_view", "Reviews"), "review"),
    (QT_TRANSLATE_NOOP("due_view", "Wellbeing measures"), "measure"),
    (QT_TRANSLATE_NOOP("due_view", "Planned contacts"), "contact"),
)
COLUMNS = (
    QT_TRANSLATE_NOOP("due_view", "When"),
    QT_TRANSLATE_NOOP("due_view", "Due"),
    QT_TRANSLATE_NOOP("due_view", "Person"),
    QT_TRANSLATE_NOOP("due_view", "Reference"),
    QT_TRANSLATE_NOOP("due_view", "What"),
    QT_TRANSLATE_NOOP("due_view", "Window closes"),
)


def _of_kind(keys: list[DueKey], kind: str | None) -> list[DueKey]:
    return keys if kind is None else [k for k in keys if k.kind == kind]


def _cells(item: DueItem, today: dt.date) -> tuple[str, ...]:
    when = translate("due_view", "Due today") if item.due == today else item.when_text
    return (when, format_date(item.due), item.person_name, item.reference, item.what,
            format_date(item.window_closes))


class DueView(WorkerPage):
    """Reviews, follow-up measures and planned contacts due this week or overdue."""

    CARES_ABOUT = CARES_ABOUT

    def _build(self) -> None:
        self.keys: list[DueKey] | None = None  # every key, once read (after the first rows)
        self._first: dict[str | None, list[DueItem]] = {}  # each choice's first page
        self._reading = 0  # the newest refresh: an older one's answers are not shown
        self._tasks_late = 0  # Today's overdue tasks, counted after the list
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.heading = QLabel()
        self.heading.setAccessibleName(translate("due_view", "Week shown"))
        titles = QVBoxLayout()  # the week above the counts: one line was cut at 150% scaling
        titles.addWidget(self.heading)
        self.counts = QLabel()
        self.counts.setAccessibleName(translate("due_view", "How many are due"))
        self.counts.setWordWrap(True)
        titles.addWidget(self.counts)
        top.addLayout(titles, 1)
        self.kind = QComboBox()
        self.kind.setAccessibleName(translate("due_view", "Show"))
        for text, kind in KINDS:
            self.kind.addItem(translate("due_view", text), kind)
        self.kind.currentIndexChanged.connect(self._fill)
        show = QLabel(translate("due_view", "&Show:"))
        show.setBuddy(self.kind)
        top.addWidget(show)
        top.addWidget(self.kind)
        top.addWidget(self.worker.labelled(translate("due_view", "&Worker:")))
        top.addWidget(self.worker)
        layout.addLayout(top)
        self.table = PersonList([translate("due_view", c) for c in COLUMNS],
                                translate("due_view", "Due and overdue"))
        self.table.person_activated.connect(self.open_person)
        layout.addWidget(self.table, 1)

    def refresh(self) -> None:
        if self.worker.options is None:
            return
        _monday, sunday = week_of(self.clock())
        self.heading.setText(
            translate("due_view", "Due by Sunday {sunday}, or overdue.").format(
                sunday=format_date(sunday)
            )
        )
        self.runner.drop(f"due-keys-{id(self)}")  # the last refresh's: moot, and never
        self.runner.drop(f"due-tasks-{id(self)}")  # to stand before the new first rows
        self._reading += 1
        self.keys, self._first = None, {}
        self._read_first(self.kind.currentData())

    def _read_first(self, kind: str | None) -> None:
        """The first screenful of one "Show" choice, cut in the database (``due_first_keys``):
        every key is read after it is painted."""
        actor, worker, today, reading = self.actor, self.worker.worker_id(), self.clock(), \
            self._reading

        def first(job):
            keys = due_first_keys(job.caseload, actor, worker, today, kind, PAGE_ROWS)
            return reading, kind, keys, due_rows(job.caseload, actor, keys, today)

        self.runner.read(first, self._first_arrived,
                         label=translate("due_view", "Finding what is due"),
                         supersede=f"due-{id(self)}-{kind}")

    def _first_arrived(self, answer: tuple[int, str | None, list[DueKey], list[DueItem]]) -> None:
        reading, kind, keys, rows = answer
        if reading != self._reading or self.keys is not None:
            return  # an older refresh's, or every key came first
        self._first[kind] = rows
        if kind is None and len(keys) < PAGE_ROWS:  # the page is the whole list
            self.keys = keys
            self._first = {choice: [row for row in rows if choice in (None, row.kind)]
                           for _text, choice in KINDS}
        if kind == self.kind.currentData():
            self._fill()
        if len(self._first) == 1 or self.keys is not None:  # this refresh's first rows
            self._show_counts()
            self.loaded.emit(rows)
            self._read_rest()

    def _read_rest(self) -> None:
        """After the first rows: every key (the counts, the "Show" choices, the other pages),
        then Today's overdue tasks."""
        actor, worker, today, reading = self.actor, self.worker.worker_id(), self.clock(), \
            self._reading
        if self.keys is None:

            def every(job):
                keys = due_keys(job.caseload, actor, worker, today)
                return reading, keys, {kind: due_rows(job.caseload, actor,
                                                      _of_kind(keys, kind)[:PAGE_ROWS], today)
                                       for _text, kind in KINDS}

            self.runner.read(every, self._keys_arrived,
                             label=translate("due_view", "Counting what is due"),
                             supersede=f"due-keys-{id(self)}", yields=True)
        # Today's overdue tasks are counted after the first rows, not beside them: a manager's
        # count is a second or two of work at 150,000 people on a two-core laptop. Both reads
        # step aside for the user's own (``yields``), on a thread no page read needs.
        self.runner.read(lambda job: overdue_tasks(job.caseload, actor, worker, today),
                         self._tasks_counted, label=translate("due_view", "Counting tasks"),
                         supersede=f"due-tasks-{id(self)}", yields=True)

    def _keys_arrived(self, answer: tuple[int, list[DueKey], dict[str | None, list[DueItem]]]
                      ) -> None:
        reading, keys, first = answer
        if reading != self._reading:
            return
        kind = self.kind.currentData()
        shown = self.table.list_model.items
        self.keys, same = keys, self._first.get(kind) == first[kind]
        self._first = first
        if same and isinstance(shown, PagedRows):  # the rows on screen stay: the rest follow
            shown.fetch, count = self._fetch(kind)
            self.table.list_model.set_count(count)
            self._describe(count)
        else:  # the caseload changed between the two reads, or another choice is shown
            self._fill()
        self._show_counts()
        self.loaded.emit(keys)

    def _tasks_counted(self, late: int) -> None:
        self._tasks_late = late
        self._show_counts()

    def _show_counts(self) -> None:
        if self.keys is None:
            self.counts.setText(translate("due_view", "Counting what is due…"))
            return
        today = self.clock()
        overdue = sum(1 for k in self.keys if k.due < today)
        late = self._tasks_late
        tasks = (translate("due_view", " Also %Ln overdue task(s) on Today.", None, late)
                 if late else "")
        self.counts.setText(
            translate("due_view", "{overdue:,} overdue, {count:,} due this week.{tasks}").format(
                overdue=overdue, count=len(self.keys) - overdue, tasks=tasks
            )
        )
        self.counts.setToolTip(
            translate(
                "due_view",
                "Reviews, wellbeing forms and appointments. Tasks (plan steps, "
                "first contacts) are on Today (Ctrl+1).",
            )
        )

    def _fetch(self, kind: str | None) -> tuple[Callable[[Any, int, int], list[DueItem]], int]:
        """A page reader over the keys of ``kind``, and how many there are."""
        shown = _of_kind(self.keys or [], kind)
        actor, today = self.actor, self.clock()

        def fetch(job, offset, limit):
            return due_rows(job.caseload, actor, shown[offset:offset + limit], today)

        return fetch, len(shown)

    def _fill(self) -> None:
        kind = self.kind.currentData()
        first = self._first.get(kind)
        if self.keys is None and first is None:  # a choice made before every key is read
            self._read_first(kind)
            return
        fetch, count = self._fetch(kind)
        if self.keys is None:
            count = len(first)
        today = self.clock()
        self.table.fill(PagedRows(self.runner, fetch, first, count),
                        lambda item: _cells(item, today), overdue=lambda i: i.overdue)
        self._describe(count)

    def _describe(self, count: int) -> None:
        self.table.setAccessibleDescription(translate("due_view", "%Ln item(s)", None, count))

    def focus_first(self) -> None:
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
