"""The Goals and plan tab: goals in the person's words, steps, reviews, and the crisis plan."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from linkworker import codes
from linkworker.goals import StepInput, add_goal, add_step, complete_step, review_goal
from linkworker.models import GOAL_STATUSES
from linkworker.validation import format_date
from ui.record import widgets as w
from ui.record.base import RecordTab
from ui.widgets import column, form_rows, hbox, side_by_side

REVIEW_STATUSES = {s: codes.GOAL_STATUS_LABELS[s] for s in GOAL_STATUSES}


class GoalsTab(RecordTab):
    def __init__(self, host) -> None:  # the RecordView
        super().__init__(host)
        self._loading = False
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Goals, steps and reviews")
        self.tree.setHeaderLabels(("Goal / step / review", "Category or who", "Date", "Status"))
        self.tree.setColumnWidth(0, 380)
        self.crisis = w.text_box("Crisis and back-up plan", 3)
        self.crisis.textChanged.connect(self._edited)
        crisis_caption = QLabel("C&risis / back-up plan (who to call, what to do):")
        crisis_caption.setBuddy(self.crisis)

        left = column((self.tree, 1), crisis_caption, self.crisis)
        right = column(self._new_goal_box(), self._step_box(), self._review_box(), None)
        splitter = side_by_side(left, right, (560, 440))
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.tree.itemSelectionChanged.connect(self._selection)

    def _new_goal_box(self) -> QGroupBox:
        box = QGroupBox("New goal")
        form = QFormLayout(box)
        self.goal_words = w.line("Goal in the person's own words",
                                 placeholder='e.g. "Get back to my allotment"')
        self.goal_category = w.combo("Goal category", codes.GOAL_CATEGORY_LABELS)
        self.goal_date = w.date_edit("Date the goal was agreed")
        self.goal_first_step = w.line("First step (optional)")
        self.goal_first_who = w.line("Who does the first step")
        self.goal_first_by = w.date_edit("First step due by", optional=True)
        self.goal_add = w.button("Add &goal", "Add goal")
        form_rows(form, (("In their &words", self.goal_words), ("Ca&tegory", self.goal_category),
                         ("Agreed on", self.goal_date), ("First step", self.goal_first_step),
                         ("Who", self.goal_first_who), ("By", self.goal_first_by),
                         ("", self.goal_add)))
        self.goal_add.clicked.connect(self._add_goal)
        return box

    def _step_box(self) -> QGroupBox:
        box = QGroupBox("Steps for the selected goal")
        form = QFormLayout(box)
        self.step_text = w.line("Step: what will be done")
        self.step_who = w.line("Step: who does it")
        self.step_by = w.date_edit("Step: by when", optional=True)
        self.step_add = w.button("Add step", "Add step to the selected goal")
        self.step_done = w.button("Mark step done today", "Mark the selected step done")
        form_rows(form, (("&Step", self.step_text), ("Who", self.step_who),
                         ("By", self.step_by)))
        form.addRow(hbox(self.step_add, self.step_done))
        self.step_add.clicked.connect(self._add_step)
        self.step_done.clicked.connect(self._step_done)
        return box

    def _review_box(self) -> QGroupBox:
        box = QGroupBox("Review the selected goal")
        form = QFormLayout(box)
        self.review_date = w.date_edit("Review date")
        self.review_progress = QSpinBox()
        self.review_progress.setRange(0, 10)
        self.review_progress.setAccessibleName("Progress from 0 to 10")
        self.review_status = w.combo("Goal status at review", REVIEW_STATUSES)
        self.review_note = w.line("Review note")
        self.review_save = w.button("Save re&view", "Save goal review")
        form_rows(form, (("Date", self.review_date), ("Progress (0-10)", self.review_progress),
                         ("Status", self.review_status), ("Note", self.review_note),
                         ("", self.review_save)))
        self.review_save.clicked.connect(self._review)
        return box

    def _edited(self) -> None:
        if not self._loading:
            self.host.mark_dirty()

    # --- data -----------------------------------------------------------------------------

    def show_bundle(self, bundle) -> None:
        chosen = self._selected()
        self.tree.clear()
        for goal in bundle.goals:
            top = QTreeWidgetItem([goal.own_words, goal.category_label,
                                   f"agreed {format_date(goal.agreed_date)}",
                                   goal.status_label])
            top.setData(0, Qt.ItemDataRole.UserRole, ("goal", goal.id, goal.id))
            if goal.episode_number != (bundle.record.current.number
                                       if bundle.record.current else 0):
                top.setText(3, f"{goal.status_label} (journey {goal.episode_number})")
            for step in goal.steps:
                child = QTreeWidgetItem([
                    f"Step: {step.description}", step.who or "",
                    f"by {format_date(step.due_date)}" if step.due_date else "",
                    f"Done {format_date(step.done_date)}" if step.done_date else "To do"])
                child.setData(0, Qt.ItemDataRole.UserRole, ("step", step.id, goal.id))
                top.addChild(child)
            for review in goal.reviews:
                child = QTreeWidgetItem([
                    f"Review: {review.note or ''}",
                    f"progress {review.progress}/10" if review.progress is not None else "",
                    format_date(review.review_date), review.status_label])
                child.setData(0, Qt.ItemDataRole.UserRole, ("review", review.id, goal.id))
                top.addChild(child)
            self.tree.addTopLevelItem(top)
            top.setExpanded(True)
            if chosen and chosen[2] == goal.id:
                self.tree.setCurrentItem(top)
        current = bundle.record.current
        if not self.host.has_unsaved_changes():
            self._loading = True
            self.crisis.setPlainText((current.crisis_plan if current else "") or "")
            self._loading = False
        editable = self.host.can_edit and self.episode_open
        for widget in (self.goal_add, self.step_add, self.step_done, self.review_save):
            widget.setEnabled(editable)
        self.crisis.setReadOnly(not editable)
        self._selection()

    def _selected(self) -> tuple[str, str, str] | None:
        item = self.tree.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item else None

    def _selection(self) -> None:
        chosen = self._selected()
        editable = self.host.can_edit and self.episode_open
        self.step_add.setEnabled(editable and chosen is not None)
        self.review_save.setEnabled(editable and chosen is not None)
        self.step_done.setEnabled(editable and chosen is not None and chosen[0] == "step")

    def edits(self) -> dict[str, str]:
        return {"crisis_plan": self.crisis.toPlainText()}

    # --- actions --------------------------------------------------------------------------

    def _add_goal(self) -> None:
        actor, episode = self.actor, self.episode_id
        words, category = self.goal_words.text(), self.goal_category.currentData()
        agreed = w.get_date(self.goal_date)
        steps = []
        if self.goal_first_step.text().strip():
            steps.append(StepInput(self.goal_first_step.text(), self.goal_first_who.text(),
                                   w.get_date(self.goal_first_by)))

        def cleared(_: object) -> None:
            for field in (self.goal_words, self.goal_first_step, self.goal_first_who):
                field.clear()
            w.set_date(self.goal_first_by, None)

        self.submit(lambda job: add_goal(job.caseload, actor, episode, words, category, agreed,
                                         steps),
                    "Goal added", {"goals"}, after=cleared)

    def _add_step(self) -> None:
        chosen = self._selected()
        if chosen is None:
            return
        actor, goal_id = self.actor, chosen[2]
        step = StepInput(self.step_text.text(), self.step_who.text(), w.get_date(self.step_by))

        def cleared(_: object) -> None:
            self.step_text.clear()
            self.step_who.clear()

        self.submit(lambda job: add_step(job.caseload, actor, goal_id, step), "Step added",
                    {"goals"}, after=cleared)

    def _step_done(self) -> None:
        chosen = self._selected()
        if chosen is None or chosen[0] != "step":
            return
        import datetime as dt

        actor, step_id = self.actor, chosen[1]
        self.submit(lambda job: complete_step(job.caseload, actor, step_id, dt.date.today()),
                    "Step marked done", {"goals"})

    def _review(self) -> None:
        chosen = self._selected()
        if chosen is None:
            return
        actor, goal_id = self.actor, chosen[2]
        day, status = w.get_date(self.review_date), self.review_status.currentData()
        progress, note = self.review_progress.value(), self.review_note.text()
        self.submit(lambda job: review_goal(job.caseload, actor, goal_id, review_date=day,
                                            status=status, progress=progress, note=note),
                    "Goal review saved", {"goals"}, after=lambda _: self.review_note.clear())
