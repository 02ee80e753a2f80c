"""The Goals and plan tab: goals in the person's words, steps, reviews, and the crisis plan."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from linkworker import codes
from linkworker.goals import (
    StepInput,
    add_goal,
    add_step,
    complete_step,
    review_goal,
    update_goal,
    withdraw_goal,
)
from linkworker.validation import format_date
from ui.core_words import core
from ui.i18n import translate
from ui.record import widgets as w
from ui.record.base import RecordTab
from ui.widgets import column, form_rows, hbox, side_by_side

REVIEW_STATUSES = dict(codes.GOAL_STATUS_LABELS)  # every goal status, in order


class GoalsTab(RecordTab):
    def __init__(self, host) -> None:  # the RecordView
        super().__init__(host)
        self._loading = False
        self._goals: dict[str, object] = {}
        self.tree = QTreeWidget()
        self.tree.setAccessibleName(translate("record.goals_tab", "Goals, steps and reviews"))
        self.tree.setHeaderLabels(
            (
                translate("record.goals_tab", "Goal / step / review"),
                translate("record.goals_tab", "Category or who"),
                translate("record.goals_tab", "Date"),
                translate("record.goals_tab", "Status"),
            )
        )
        # The goal's words take the room left; status and dates always show whole (they were
        # cut off at 1366x768 when the first column had a fixed 380 px).
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column_index in (1, 2, 3):
            header.setSectionResizeMode(column_index, QHeaderView.ResizeMode.ResizeToContents)
        self.crisis = w.text_box(translate("record.goals_tab", "Crisis and back-up plan"), 3)
        self.crisis.textChanged.connect(self._edited)
        crisis_caption = QLabel(
            translate("record.goals_tab", "C&risis / back-up plan (who to call, what to do):")
        )
        crisis_caption.setBuddy(self.crisis)

        self.correct_button = w.button(
            translate("record.goals_tab", "C&orrect goal…"),
            translate("record.goals_tab", "Correct the selected goal"),
        )
        self.withdraw_button = w.button(
            translate("record.goals_tab", "Withdraw goal (recorded in &error)…"),
            translate("record.goals_tab", "Withdraw the selected goal, recorded in error"),
        )
        self.correct_button.clicked.connect(self._correct_goal)
        self.withdraw_button.clicked.connect(lambda: self.withdraw_selected(
            self._selected_goal_id(), "goal", withdraw_goal, {"goals"}))
        left = column((self.tree, 1), hbox(self.correct_button, self.withdraw_button, None),
                      crisis_caption, self.crisis)
        right = column(self._new_goal_box(), self._step_box(), self._review_box(), None)
        splitter = side_by_side(left, right, (560, 440))
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.tree.itemSelectionChanged.connect(self._selection)

    def _new_goal_box(self) -> QGroupBox:
        box = QGroupBox(translate("record.goals_tab", "New goal"))
        form = QFormLayout(box)
        self.goal_words = w.line(
            translate("record.goals_tab", "Goal in the person's own words"),
            placeholder=translate("record.goals_tab", 'e.g. "Get back to my allotment"'),
        )
        self.goal_category = w.combo(
            translate("record.goals_tab", "Goal category"), codes.GOAL_CATEGORY_LABELS
        )
        self.goal_date = w.date_edit(translate("record.goals_tab", "Date the goal was agreed"))
        self.goal_first_step = w.line(translate("record.goals_tab", "First step (optional)"))
        self.goal_first_who = w.line(translate("record.goals_tab", "Who does the first step"))
        self.goal_first_by = w.date_edit(
            translate("record.goals_tab", "First step due by"), optional=True
        )
        self.goal_add = w.button(
            translate("record.goals_tab", "&Add goal"), translate("record.goals_tab", "Add goal")
        )
        form_rows(
            form,
            (
                (translate("record.goals_tab", "In their &words"), self.goal_words),
                (translate("record.goals_tab", "Ca&tegory"), self.goal_category),
                (translate("record.goals_tab", "Agreed o&n"), self.goal_date),
                (translate("record.goals_tab", "F&irst step"), self.goal_first_step),
                (translate("record.goals_tab", "Who wi&ll do it"), self.goal_first_who),
                (translate("record.goals_tab", "Due &by"), self.goal_first_by),
                ("", self.goal_add),
            ),
        )
        self.goal_add.clicked.connect(self._add_goal)
        return box

    def _step_box(self) -> QGroupBox:
        box = QGroupBox(translate("record.goals_tab", "Steps for the selected goal"))
        form = QFormLayout(box)
        self.step_text = w.line(translate("record.goals_tab", "Step: what will be done"))
        self.step_who = w.line(translate("record.goals_tab", "Step: who does it"))
        self.step_by = w.date_edit(translate("record.goals_tab", "Step: by when"), optional=True)
        self.step_add = w.button(
            translate("record.goals_tab", "Add step"),
            translate("record.goals_tab", "Add step to the selected goal"),
        )
        self.step_done = w.button(
            translate("record.goals_tab", "Mark step done today"),
            translate("record.goals_tab", "Mark the selected step done"),
        )
        form_rows(
            form,
            (
                (translate("record.goals_tab", "&Step"), self.step_text),
                (translate("record.goals_tab", "Who will &do it"), self.step_who),
                (translate("record.goals_tab", "Due b&y"), self.step_by),
            ),
        )
        form.addRow(hbox(self.step_add, self.step_done))
        self.step_add.clicked.connect(self._add_step)
        self.step_done.clicked.connect(self._step_done)
        return box

    def _review_box(self) -> QGroupBox:
        box = QGroupBox(translate("record.goals_tab", "Review the selected goal"))
        form = QFormLayout(box)
        self.review_date = w.date_edit(translate("record.goals_tab", "Review date"))
        self.review_progress = QSpinBox()
        self.review_progress.setRange(0, 10)
        self.review_progress.setAccessibleName(
            translate("record.goals_tab", "Progress from 0 to 10")
        )
        self.review_status = w.combo(
            translate("record.goals_tab", "Goal status at review"), REVIEW_STATUSES
        )
        self.review_note = w.line(translate("record.goals_tab", "Review note"))
        self.review_save = w.button(
            translate("record.goals_tab", "Save re&view"),
            translate("record.goals_tab", "Save goal review"),
        )
        form_rows(
            form,
            (
                (translate("record.goals_tab", "Date"), self.review_date),
                (translate("record.goals_tab", "Progress (0-10)"), self.review_progress),
                (translate("record.goals_tab", "Status"), self.review_status),
                (translate("record.goals_tab", "Note"), self.review_note),
                ("", self.review_save),
            ),
        )
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
                                   core(goal.status_label)])
            top.setData(0, Qt.ItemDataRole.UserRole, ("goal", goal.id, goal.id))
            if goal.episode_number != (bundle.record.current.number
                                       if bundle.record.current else 0):
                top.setText(
                    3,
                    translate(
                        "record.goals_tab", "{status_label} (journey {episode_number})"
                    ).format(
                        status_label=core(goal.status_label), episode_number=goal.episode_number
                    ),
                )
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
        for widget in (self.goal_add, self.step_add, self.step_done, self.review_save,
                       self.correct_button, self.withdraw_button):
            widget.setEnabled(editable)
        self._goals = {goal.id: goal for goal in bundle.goals}
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
        goal = self._goals.get(chosen[2]) if chosen else None
        live = editable and goal is not None and goal.status != "withdrawn"
        self.correct_button.setEnabled(live)
        self.withdraw_button.setEnabled(live)

    def _selected_goal_id(self) -> str | None:
        chosen = self._selected()
        return chosen[2] if chosen else None

    def edits(self) -> dict[str, str]:
        return {"crisis_plan": self.crisis.toPlainText()}

    # --- actions --------------------------------------------------------------------------

    @w.stops_at_a_bad_date
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

    @w.stops_at_a_bad_date
    def _correct_goal(self) -> None:
        """Put right a goal as recorded: its words, category and agreed date."""
        goal = self._goals.get(self._selected_goal_id() or "")
        if goal is None:
            return
        dialog = QDialog(self)
        dialog.setWindowTitle(translate("record.goals_tab", "Correct the goal"))
        words = w.line(
            translate("record.goals_tab", "Goal in the person's own words"), goal.own_words
        )
        category = w.combo(
            translate("record.goals_tab", "Goal category"), codes.GOAL_CATEGORY_LABELS
        )
        w.set_combo(category, goal.category)
        agreed = w.date_edit(
            translate("record.goals_tab", "Date the goal was agreed"), value=goal.agreed_date
        )
        form = QFormLayout(dialog)
        form_rows(
            form,
            (
                (translate("record.goals_tab", "In their &words"), words),
                (translate("record.goals_tab", "Ca&tegory"), category),
                (translate("record.goals_tab", "Agreed &on"), agreed),
            ),
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        form.addRow(buttons)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        actor, goal_id = self.actor, goal.id
        text, code, day = words.text(), category.currentData(), w.get_date(agreed)
        self.submit(lambda job: update_goal(job.caseload, actor, goal_id, own_words=text,
                                            category=code, agreed_date=day),
                    "Goal corrected (the change is in the audit trail)", {"goals"})

    @w.stops_at_a_bad_date
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

    @w.stops_at_a_bad_date
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
