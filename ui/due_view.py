"""Due and overdue: every review, follow-up measure and planned contact due by Sunday or late.

Most overdue first, across the worker's caseload (a manager can pick a worker or everyone).
Enter or a double-click opens the person's record. The list is its keys (``today.due_keys``:
a small tuple per item, which also give the counts and the "Show" filter) plus the pages
looked at (``today.due_rows`` through ``ui.person_list.PagedRows``), so a row's wording, its
journey's schedule and its cells are worked out only for the rows on screen.
Overdue rows are red *and* say "overdue" in words, so colour is never the only signal.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout

from linkworker.today import DueItem, DueKey, due_keys, due_rows, overdue_tasks, week_of
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
        self.keys: list[DueKey] = []
        self._first: dict[str | None, list[DueItem]] = {}  # each choice's first page
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
        actor, worker, today = self.actor, self.worker.worker_id(), self.clock()
        _monday, sunday = week_of(today)
        self.heading.setText(
            translate("due_view", "Due by Sunday {sunday}, or overdue.").format(
                sunday=format_date(sunday)
            )
        )

        def first(job):  # the keys, and the first page of each "Show" choice
            keys = due_keys(job.caseload, actor, worker, today)
            return keys, {kind: due_rows(job.caseload, actor, _of_kind(keys, kind)[:PAGE_ROWS],
                                         today) for _text, kind in KINDS}

        self.runner.read(first, self._arrived, label=translate("due_view", "Finding what is due"),
                         supersede=f"due-{id(self)}")

    def _arrived(self, answer: tuple[list[DueKey], dict[str | None, list[DueItem]]]) -> None:
        self.keys, self._first = answer
        self._show_counts()
        self._fill()
        self.loaded.emit(self.keys)
        # Today's overdue tasks are counted after the first rows, not beside them: a manager's
        # count is a second or two of work at 150,000 people on a two-core laptop.
        actor, worker, today = self.actor, self.worker.worker_id(), self.clock()
        self.runner.read(lambda job: overdue_tasks(job.caseload, actor, worker, today),
                         self._tasks_counted, label=translate("due_view", "Counting tasks"),
                         supersede=f"due-tasks-{id(self)}")

    def _tasks_counted(self, late: int) -> None:
        self._tasks_late = late
        self._show_counts()

    def _show_counts(self) -> None:
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

    def _fill(self) -> None:
        kind = self.kind.currentData()
        shown = _of_kind(self.keys, kind)
        actor, today = self.actor, self.clock()

        def fetch(job, offset, limit):
            return due_rows(job.caseload, actor, shown[offset:offset + limit], today)

        rows = PagedRows(self.runner, fetch, self._first.get(kind), len(shown))
        self.table.fill(rows, lambda item: _cells(item, today), overdue=lambda i: i.overdue)
        count = len(shown)
        self.table.setAccessibleDescription(translate("due_view", "%Ln item(s)", None, count))

    def focus_first(self) -> None:
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
