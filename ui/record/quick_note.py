"""The quick note: a contact recorded in under a minute, from anywhere in the record (Ctrl+N).

A panel at the foot of the record, not a dialog: date (today), time (now), how, where, how
long, attended or not, and the note. Ctrl+Enter saves, Esc closes. A future date is saved as a
planned appointment (it then appears on Today).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTime, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QSpinBox

from linkworker import codes
from linkworker.contacts import ContactInput, ContactItem, purposes_for
from ui.i18n import translate
from ui.record import widgets as w

STATUSES = {k: v for k, v in codes.CONTACT_STATUS_LABELS.items()
            if k not in ("cancelled", "withdrawn")}
NEW_TITLE = QT_TRANSLATE_NOOP("record.quick_note", "<b>Quick note</b> (Ctrl+N)")
WORK_IT_OUT = QT_TRANSLATE_NOOP("record.quick_note", "Usual: first meeting, then support session")


class QuickNotePanel(QFrame):
    """Emits ``save_requested(ContactInput)``; the record runs it and calls ``saved()``."""

    save_requested = Signal(object)
    closed = Signal()
    problem = Signal(str)  # why nothing was saved (a date that is not a date)

    def __init__(self) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(translate("record.quick_note", "Quick contact note"))
        self.date = w.date_edit(translate("record.quick_note", "Contact date"))
        self.time = w.time_edit(translate("record.quick_note", "Contact time"))
        self.mode = w.combo(
            translate("record.quick_note", "How you met"), codes.CONTACT_MODE_LABELS
        )
        self.status = w.combo(translate("record.quick_note", "Attended or not"), STATUSES)
        w.set_combo(self.status, "attended")  # a note written after a meeting: it was held
        self.purpose = w.combo(
            translate("record.quick_note", "Purpose"),
            purposes_for((0, 3, 6, 12, 18)),
            blank=translate("record.quick_note", WORK_IT_OUT),
        )
        self.venue = w.line(
            translate("record.quick_note", "Venue"),
            placeholder=translate("record.quick_note", "e.g. Elswick Library"),
        )
        self.duration = QSpinBox()
        self.duration.setAccessibleName(translate("record.quick_note", "Duration in minutes"))
        self.duration.setRange(0, 600)
        self.duration.setSingleStep(15)
        self.duration.setValue(45)
        self.duration.setSuffix(translate("record.quick_note", " min"))
        self.note = w.text_box(translate("record.quick_note", "Contact note"), 3)
        self.save_button = w.button(
            translate("record.quick_note", "Save note"),
            translate("record.quick_note", "Save contact note"),
            "Ctrl+Return",
        )
        self.cancel_button = w.button(
            translate("record.quick_note", "Close"),
            translate("record.quick_note", "Close the note panel"),
            "Esc",
        )
        grid = QGridLayout(self)
        self.title = QLabel(translate("record.quick_note", NEW_TITLE))
        self.title.setAccessibleName(translate("record.quick_note", "Quick note title"))
        grid.addWidget(self.title, 0, 0, 1, 4)
        self.editing: ContactItem | None = None  # a saved contact being corrected
        pairs = (
            (translate("record.quick_note", "&Date"), self.date),
            (translate("record.quick_note", "T&ime"), self.time),
            (translate("record.quick_note", "Ho&w"), self.mode),
            (translate("record.quick_note", "&Attended"), self.status),
            (translate("record.quick_note", "P&urpose"), self.purpose),
            (translate("record.quick_note", "&Venue"), self.venue),
            (translate("record.quick_note", "&Length"), self.duration),
        )
        for i, (label, widget) in enumerate(pairs):
            caption = QLabel(label)
            caption.setBuddy(widget)
            grid.addWidget(caption, 1 + i // 4 * 2, i % 4)
            grid.addWidget(widget, 2 + i // 4 * 2, i % 4)
        caption = QLabel(translate("record.quick_note", "N&ote"))
        caption.setBuddy(self.note)
        grid.addWidget(caption, 5, 0)
        grid.addWidget(self.note, 6, 0, 1, 4)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)
        grid.addLayout(buttons, 7, 0, 1, 4)
        self.save_button.clicked.connect(self._save)
        self.cancel_button.clicked.connect(self.close_panel)
        self.save_button.setShortcut(QKeySequence())  # scoped to the panel below
        self.cancel_button.setShortcut(QKeySequence())
        for key in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(key), self, self._save,
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.date.dateChanged.connect(self._date_changed)

    def set_schedule(self, months: tuple[int, ...]) -> None:
        current = self.purpose.currentData()
        self.purpose.clear()
        self.purpose.addItem(translate("record.quick_note", WORK_IT_OUT), None)
        for code, label in purposes_for(months).items():
            self.purpose.addItem(label, code)
        w.set_combo(self.purpose, current)

    def open_panel(self) -> None:
        """Show the panel, reset for a new note, and put the cursor in the note."""
        self.editing = None
        self.title.setText(translate("record.quick_note", NEW_TITLE))
        self.save_button.setText(translate("record.quick_note", "Save note (Ctrl+Return)"))
        w.set_date(self.date, dt.date.today())
        now = dt.datetime.now()
        self.time.setTime(self.time.time().fromString(now.strftime("%H:%M"), "HH:mm"))
        if self.status.currentData() == "planned":
            w.set_combo(self.status, "attended")  # a note dated now was held, not planned
        self.note.clear()
        self.show()
        self.note.setFocus()

    def correct(self, item: ContactItem) -> None:
        """Open the panel on a saved contact to put a mistake right (saved as a change)."""
        self.editing = item
        self.title.setText(
            translate(
                "record.quick_note",
                "<b>Correct the contact of {when}</b> (Esc leaves it as it was)",
            ).format(when=item.when)
        )
        self.save_button.setText(
            translate("record.quick_note", "Save the correction (Ctrl+Return)")
        )
        w.set_date(self.date, item.contact_date)
        if item.start_time is not None:
            self.time.setTime(QTime(item.start_time.hour, item.start_time.minute))
        for combo_box, value in ((self.mode, item.mode), (self.status, item.status),
                                 (self.purpose, item.purpose)):
            w.set_combo(combo_box, value)
        self.venue.setText(item.venue or "")
        self.duration.setValue(item.duration_minutes or 0)
        self.note.setPlainText(item.note or "")
        self.show()
        self.note.setFocus()

    def changes(self) -> dict[str, object]:
        """What the correction changes, field by field (only those, so the audit names them)."""
        if self.editing is None:
            return {}
        entry, before = self.entry(), self.editing
        now = {"contact_date": entry.contact_date, "start_time": entry.start_time,
               "mode": entry.mode, "status": entry.status, "purpose": entry.purpose,
               "venue": (entry.venue or "").strip() or None,
               "duration_minutes": entry.duration_minutes,
               "note": (entry.note or "").strip() or None}
        return {k: v for k, v in now.items() if v != getattr(before, k) and not (
            k == "purpose" and v is None)}

    def close_panel(self) -> None:
        self.hide()
        self.closed.emit()

    def _date_changed(self) -> None:
        day = w.get_date(self.date)
        if day and day > dt.date.today():
            w.set_combo(self.status, "planned")
        elif self.status.currentData() == "planned":
            w.set_combo(self.status, "attended")

    def entry(self) -> ContactInput:
        return ContactInput(
            contact_date=w.get_date(self.date), start_time=w.get_time(self.time),
            mode=self.mode.currentData(), status=self.status.currentData(),
            purpose=self.purpose.currentData(), venue=self.venue.text(),
            duration_minutes=self.duration.value() if self.status.currentData() == "attended"
            else None,
            note=self.note.toPlainText(),
        )

    def _save(self) -> None:
        if not self.isVisible():
            return
        try:
            entry = self.entry()
        except w.BadDate as bad:
            self.problem.emit(str(bad))
            bad.field.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.save_requested.emit(entry)

    def saved(self) -> None:
        self.note.clear()
        self.hide()
        self.closed.emit()

    def keyPressEvent(self, event) -> None:  # Qt override
        if event.key() == Qt.Key.Key_Escape:
            self.close_panel()
            return
        super().keyPressEvent(event)
