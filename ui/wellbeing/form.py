"""The keyboard-first wellbeing form: record WEMWBS, SWEMWBS, ONS4 or an organisation's scale.

Built to be turned towards the person on a small laptop: one big statement at a time with big
answer buttons, the whole form listed beside it, and a live "answered" count. Typing an answer
(1-5, or 0-10 for ONS4) answers and moves on; Backspace goes back; Delete clears; Ctrl+S saves.
Save stays disabled until the form is complete and dated; "Save as incomplete" keeps a partly
answered form deliberately (it is stored and shown, never scored).

``MeasureForm`` is a plain widget (embed it anywhere); ``MeasureFormDialog`` wraps it.
Database work goes through the ``Runner``: the widget never touches the caseload itself.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from linkworker.access import Actor
from linkworker.wellbeing.measures import RecordingOptions, record_measure, recording_options
from linkworker.wellbeing.wording import FormText, form_text
from ui.i18n import translate
from ui.operations import Runner, while_alive
from ui.record import widgets as w
from ui.wellbeing.form_state import FormState

CHANGES = ("measures", "episodes", "people")


class ItemPanel(QFrame):
    """The current statement, its answer buttons and the keyboard handling."""

    answered = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(
            translate("wellbeing.form", "Current statement: type the answer's number")
        )
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.state: FormState | None = None
        self.text: FormText | None = None
        self.position = QLabel()
        self.prompt = QLabel()
        self.prompt.setWordWrap(True)
        self.prompt.setMinimumHeight(70)
        big = QFont()
        big.setPointSize(17)
        self.prompt.setFont(big)
        self.prompt.setAccessibleName(translate("wellbeing.form", "Statement text"))
        self.buttons = QButtonGroup(self)
        self.buttons.setExclusive(True)
        self.button_row = QGridLayout()
        self.button_row.setSpacing(6)
        self.keys_hint = QLabel()
        self.keys_hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.position)
        layout.addWidget(self.prompt, 1)
        layout.addLayout(self.button_row)
        layout.addWidget(self.keys_hint)
        self.buttons.idClicked.connect(self._clicked)

    def set_form(self, text: FormText, state: FormState) -> None:
        self.text, self.state = text, state
        for button in self.buttons.buttons():
            self.buttons.removeButton(button)
            button.deleteLater()
        font = QFont()
        font.setPointSize(13)
        columns = 6 if len(text.answer_labels) > 6 else len(text.answer_labels)
        for i, (value, label) in enumerate(text.answer_labels):
            shown = f"{value}\n{label}" if label != str(value) else str(value)
            button = QPushButton(shown)
            button.setCheckable(True)
            button.setFont(font)
            button.setMinimumHeight(56)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys go to the panel
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setAccessibleName(
                translate("wellbeing.form", "Answer {value}: {label}").format(
                    value=value, label=label
                )
            )
            self.buttons.addButton(button, value)
            self.button_row.addWidget(button, i // columns, i % columns)
        ten = (
            translate("wellbeing.form", " (for 10, type 1 then 0)") if text.answer_max >= 10 else ""
        )
        self.keys_hint.setBuddy(self)  # Alt+A brings the keys back here from any field
        self.keys_hint.setText(
            translate(
                "wellbeing.form",
                "&Answers: type {answer_min}-{answer_max}{ten} to answer and move on. "
                "Backspace: back one. Delete: clear. Up/Down: move. Ctrl+S: save.",
            ).format(answer_min=text.answer_min, answer_max=text.answer_max, ten=ten)
        )
        self.refresh()

    def refresh(self) -> None:
        if self.state is None or self.text is None:
            return
        i = self.state.current
        word = (
            translate("wellbeing.form", "Question")
            if self.text.instrument == "ONS4"
            else translate("wellbeing.form", "Statement")
        )
        self.position.setText(
            translate("wellbeing.form", "{word} {count} of {item_count}").format(
                word=word, count=i + 1, item_count=self.state.item_count
            )
        )
        self.prompt.setText(self.text.prompts[i])
        answer = self.state.answers[i]
        self.buttons.setExclusive(False)
        for button in self.buttons.buttons():
            button.setChecked(self.buttons.id(button) == answer)
        self.buttons.setExclusive(True)

    def _clicked(self, value: int) -> None:
        if self.state is not None:
            self.state.set_answer(self.state.current, value)
            self.answered.emit()
            self.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # Qt override
        state = self.state
        if state is None:
            return super().keyPressEvent(event)
        key = event.key()
        if Qt.Key.Key_0 <= key <= Qt.Key.Key_9 and not event.modifiers() & (
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
        ):
            state.digit(key - Qt.Key.Key_0)
        elif key == Qt.Key.Key_Backspace:
            state.back()
        elif key == Qt.Key.Key_Delete:
            state.clear_current()
        elif key in (Qt.Key.Key_Up, Qt.Key.Key_Left):
            state.back()
        elif key in (Qt.Key.Key_Down, Qt.Key.Key_Right, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            state.confirm()
        else:
            return super().keyPressEvent(event)
        self.answered.emit()
        event.accept()
        return None


class MeasureForm(QWidget):
    """Choose instrument, timepoint, date, mode and recorder; key in the answers; save."""

    saved = Signal(str)  # the new measure's id
    cancelled = Signal()

    def __init__(
        self,
        runner: Runner,
        actor: Actor,
        person_id: str,
        parent: QWidget | None = None,
        *,
        instrument: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner, self.actor, self.person_id = runner, actor, person_id
        self.options: RecordingOptions | None = None
        self.text: FormText | None = None
        self.state: FormState | None = None
        self._wanted_instrument = instrument
        self._saving = False
        self._build()
        self.runner.run(lambda job: recording_options(job.caseload, actor, person_id),
                        while_alive(self, self._set_options),
                        failed=while_alive(self, self._show_error))

    # --- layout ---------------------------------------------------------------------------

    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        return combo

    def _build(self) -> None:
        self.instrument = self._combo(translate("wellbeing.form", "Instrument"))
        self.episode = self._combo(translate("wellbeing.form", "Journey"))
        self.timepoint = self._combo(translate("wellbeing.form", "Timepoint"))
        # Typed like every date in the app (a paper form keyed in later has its own date;
        # Qt's date box took nothing typed over it). A future date is refused on saving.
        self.date = w.date_edit(translate("wellbeing.form", "Date completed"))
        self.mode = self._combo(translate("wellbeing.form", "How it was completed"))
        self.recorder = self._combo(translate("wellbeing.form", "Recorded by"))
        details = QFormLayout()
        details.addRow(translate("wellbeing.form", "&Instrument"), self.instrument)
        details.addRow(translate("wellbeing.form", "&Journey"), self.episode)
        details.addRow(translate("wellbeing.form", "&Timepoint"), self.timepoint)
        details.addRow(translate("wellbeing.form", "&Date"), self.date)
        details.addRow(translate("wellbeing.form", "&Mode"), self.mode)
        details.addRow(translate("wellbeing.form", "Recorded &by"), self.recorder)

        self.panel = ItemPanel()
        self.items = QListWidget()
        self.items.setAccessibleName(translate("wellbeing.form", "All statements and answers"))
        self.items.setMinimumWidth(220)
        self.items.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.count = QLabel()
        self.count.setAccessibleName(translate("wellbeing.form", "Answered count"))
        bold = QFont()
        bold.setPointSize(12)
        bold.setBold(True)
        self.count.setFont(bold)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setAccessibleName(translate("wellbeing.form", "How to load the licensed wording"))
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName(translate("wellbeing.form", "Copyright notice"))
        small = QFont()
        small.setPointSize(8)
        self.notice.setFont(small)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #B00020;")
        self.message.setAccessibleName(translate("wellbeing.form", "Problem"))

        self.save_button = QPushButton(translate("wellbeing.form", "&Save (Ctrl+S)"))
        self.save_button.setAccessibleName(translate("wellbeing.form", "Save the form"))
        self.incomplete_button = QPushButton(translate("wellbeing.form", "Save as &incomplete"))
        self.incomplete_button.setAccessibleName(
            translate("wellbeing.form", "Save the form as incomplete")
        )
        self.cancel_button = QPushButton(translate("wellbeing.form", "Cancel (Esc)"))
        self.cancel_button.setAccessibleName(translate("wellbeing.form", "Cancel"))
        for button in (self.save_button, self.incomplete_button, self.cancel_button):
            # Enter submits nothing here (it confirms an answer; Ctrl+S saves), so no button is
            # the default one or drawn as it: QDialog made the first in the focus chain,
            # *Cancel*, its default and drew it so (stop 27).
            button.setAutoDefault(False)

        middle = QHBoxLayout()
        middle.addWidget(self.panel, 3)
        middle.addWidget(self.items, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.count, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.incomplete_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(details)
        layout.addWidget(self.hint)
        layout.addLayout(middle, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        layout.addWidget(self.notice)

        self.instrument.activated.connect(lambda _index: self._instrument_chosen())
        self.episode.currentIndexChanged.connect(self._episode_chosen)
        self.panel.answered.connect(self._refresh)
        self.items.itemClicked.connect(self._item_clicked)
        self.save_button.clicked.connect(lambda: self.save(allow_incomplete=False))
        self.incomplete_button.clicked.connect(lambda: self.save(allow_incomplete=True))
        self.cancel_button.clicked.connect(self.cancelled.emit)
        QShortcut(QKeySequence.StandardKey.Save, self, lambda: self.save(allow_incomplete=False))
        self._refresh()

    # --- loading --------------------------------------------------------------------------

    def _show_error(self, exc: BaseException) -> None:
        from ui.operations import friendly_message

        self._saving = False
        self.message.setText(friendly_message(exc))
        self._refresh()

    def _set_options(self, options: RecordingOptions) -> None:
        self.options = options
        for combo, choices in (
            (self.instrument, options.instruments),
            (self.recorder, options.recorders),
            (self.mode, options.modes),
        ):
            combo.blockSignals(True)
            for choice in choices:
                combo.addItem(choice.label, choice.value)
            combo.blockSignals(False)
        self.episode.blockSignals(True)
        for episode in options.episodes:
            self.episode.addItem(episode.label, episode.id)
        if not options.episodes:
            self.episode.addItem(translate("wellbeing.form", "No journey"), None)
        self.episode.blockSignals(False)
        self._episode_chosen()
        if self._wanted_instrument:
            index = self.instrument.findData(self._wanted_instrument)
            self.instrument.setCurrentIndex(max(index, 0))
        self._instrument_chosen()

    def _episode_chosen(self) -> None:
        self.timepoint.clear()
        if self.options is None:
            return
        chosen = next((e for e in self.options.episodes if e.id == self.episode.currentData()),
                      None)
        points = chosen.timepoints if chosen else ()
        if not points:
            self.timepoint.addItem(translate("wellbeing.form", "Other"), "other")
            return
        for point in points:
            self.timepoint.addItem(point.label, point.value)
        self.timepoint.setCurrentIndex(max(self.timepoint.findData(chosen.suggested), 0))

    def _instrument_chosen(self) -> None:
        code = self.instrument.currentData()
        if code is None:
            return
        self.runner.run(lambda job: form_text(job.caseload, code),
                        while_alive(self, self._set_text),
                        failed=while_alive(self, self._show_error))

    def _set_text(self, text: FormText) -> None:
        self.text = text
        self.state = FormState(len(text.prompts), text.answer_min, text.answer_max)
        self.panel.set_form(text, self.state)
        self.hint.setText(text.hint)
        self.hint.setVisible(bool(text.hint))
        self.notice.setText(text.notice)
        self.items.clear()
        for _ in text.prompts:
            QListWidgetItem(self.items)
        self.message.clear()
        self._refresh()
        self.panel.setFocus()

    # --- state ----------------------------------------------------------------------------

    def _item_clicked(self, item: QListWidgetItem) -> None:
        if self.state is not None:
            self.state.go_to(self.items.row(item))
            self._refresh()
            self.panel.setFocus()

    def _refresh(self) -> None:
        state, text = self.state, self.text
        ready = state is not None and text is not None and not self._saving
        if ready:
            self.panel.refresh()
            for i, prompt in enumerate(text.prompts):
                answer = state.answers[i]
                shown = "-" if answer is None else f"{answer} {dict(text.answer_labels)[answer]}"
                row = self.items.item(i)
                row.setText(f"{i + 1}. {prompt[:40]}{'...' if len(prompt) > 40 else ''}\n"
                            f"    {shown}")
                row.setSelected(i == state.current)
            self.count.setText(
                translate("wellbeing.form", "{answered} of {item_count} answered").format(
                    answered=state.answered, item_count=state.item_count
                )
            )
        else:
            self.count.setText(
                translate("wellbeing.form", "Loading...")
                if not self._saving
                else translate("wellbeing.form", "Saving...")
            )
        has_timepoint = self.timepoint.currentData() is not None
        self.save_button.setEnabled(bool(ready and state.complete and has_timepoint))
        self.incomplete_button.setEnabled(
            bool(ready and not state.complete and state.answered > 0 and has_timepoint)
        )

    @property
    def answers(self) -> list[int | None]:
        return list(self.state.answers) if self.state else []

    # --- saving ---------------------------------------------------------------------------

    def show_status(self, text: str, kind: str = "info") -> None:
        """Under the answers (where a date that is not a date is reported)."""
        self.message.setText(text)

    def save(self, allow_incomplete: bool) -> None:
        button = self.incomplete_button if allow_incomplete else self.save_button
        if not button.isEnabled() or self.state is None:
            return
        try:
            completed_on = w.get_date(self.date)
        except w.BadDate as bad:
            w.tell_bad_date(self, bad)
            return
        args = {
            "person_id": self.person_id,
            "episode_id": self.episode.currentData(),
            "instrument": self.instrument.currentData(),
            "timepoint": self.timepoint.currentData(),
            "completed_on": completed_on,
            "mode": self.mode.currentData(),
            "answers": list(self.state.answers),
            "allow_incomplete": allow_incomplete,
            "recorded_by_id": self.recorder.currentData(),
        }
        actor = self.actor
        self._saving = True
        self.message.clear()
        self._refresh()
        self.runner.run(
            lambda job: record_measure(job.caseload, actor, **args),
            while_alive(self, self._saved),
            failed=while_alive(self, self._show_error),
            changes=CHANGES,
            label=translate("wellbeing.form", "Saving the form"),
        )

    def _saved(self, measure_id: str) -> None:
        self._saving = False
        self.saved.emit(measure_id)


class MeasureFormDialog(QDialog):
    """The form in its own window (from the person's record or the caseload)."""

    def __init__(
        self,
        runner: Runner,
        actor: Actor,
        person_id: str,
        parent: QWidget | None = None,
        *,
        instrument: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(
            translate("wellbeing.form", "Record a wellbeing form")
        )  # never the person's name
        self.form = MeasureForm(runner, actor, person_id, self, instrument=instrument)
        self.measure_id: str | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.form)
        self.form.saved.connect(self._saved)
        self.form.cancelled.connect(self.reject)
        self.resize(980, 640)

    def _saved(self, measure_id: str) -> None:
        self.measure_id = measure_id
        self.accept()

    def reject(self) -> None:  # Qt override: Esc, Cancel and the window's close button
        """Ask before throwing away answers keyed in (a paper form of 14 statements is lost
        to one press of Esc otherwise); a form with no answers closes at once, and so does
        one the lock screen covers (disabled), closed for a switch of user."""
        state = self.form.state
        if (state is not None and state.answered and self.measure_id is None
                and self.isEnabled()):
            answer = QMessageBox.question(
                self,
                translate("wellbeing.form", "Discard the answers?"),
                translate("wellbeing.form",
                          "{answered} answers have been keyed in and not saved. "
                          "Discard them?").format(answered=state.answered),
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Discard:
                return
        super().reject()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # Qt override
        """Enter left over by a field (after typing the date, choosing the timepoint) does
        nothing: there is no default button (it was *Cancel*, and the form closed with the
        answers keyed in). Enter on a focused button presses it, as Space does."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            focused = QApplication.focusWidget()
            if isinstance(focused, QPushButton) and self.isAncestorOf(focused):
                focused.click()
            event.accept()
            return
        super().keyPressEvent(event)
