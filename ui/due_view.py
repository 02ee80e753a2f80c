"""Due and overdue: every review, follow-up measure and planned contact due by Sunday or late.

Most overdue first, across the worker's caseload (a manager can pick a worker or everyone).
Enter or a double-click opens the person's record. The table is a lazy model
(``ui.person_list``): cells are made only for the rows on screen, whatever the list's length.
Overdue rows are red *and* say "overdue" in words, so colour is never the only signal.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout

from linkworker.today import DueItem, due_and_overdue, overdue_tasks, week_of
from linkworker.validation import format_date
from ui.i18n import translate
from ui.person_list import PersonList
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


def _cells(item: DueItem, today: dt.date) -> tuple[str, ...]:
    when = translate("due_view", "Due today") if item.due == today else item.when_text
    return (when, format_date(item.due), item.person_name, item.reference, item.what,
            format_date(item.window_closes))


class DueView(WorkerPage):
    """Reviews, follow-up measures and planned contacts due this week or overdue."""

    CARES_ABOUT = CARES_ABOUT

    def _build(self) -> None:
        self.items: list[DueItem] = []
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
        self.runner.read(
            lambda job: (
                due_and_overdue(job.caseload, actor, worker, today),
                overdue_tasks(job.caseload, actor, worker, today),
            ),
            self._arrived,
            label=translate("due_view", "Finding what is due"),
            supersede=f"due-{id(self)}",
        )

    def _arrived(self, answer: tuple[list[DueItem], int]) -> None:
        items, tasks_late = answer
        self.items = items
        overdue = sum(1 for i in items if i.overdue)
        tasks = (translate("due_view", " Also %Ln overdue task(s) on Today.", None, tasks_late)
                 if tasks_late else "")
        self.counts.setText(
            translate("due_view", "{overdue:,} overdue, {count:,} due this week.{tasks}").format(
                overdue=overdue, count=len(items) - overdue, tasks=tasks
            )
        )
        self.counts.setToolTip(
            translate(
                "due_view",
                "Reviews, wellbeing forms and appointments. Tasks (plan steps, "
                "first contacts) are on Today (Ctrl+1).",
            )
        )
        self._fill()
        self.loaded.emit(items)

    def _fill(self) -> None:
        kind = self.kind.currentData()
        shown = self.items if kind is None else [i for i in self.items if i.kind == kind]
        today = self.clock()
        self.table.fill(shown, lambda item: _cells(item, today), overdue=lambda i: i.overdue)
        count = len(shown)
        self.table.setAccessibleDescription(translate("due_view", "%Ln item(s)", None, count))

    def focus_first(self) -> None:
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
