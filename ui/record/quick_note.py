"""The quick note: a contact recorded in under a minute, from anywhere in the record (Ctrl+N).

A panel at the foot of the record, not a dialog: date (today), time (now), how, where, how
long, attended or not, and the note. Ctrl+Enter saves, Esc closes. A future date is saved as a
planned appointment (it then appears on Today).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QSpinBox

from linkworker import codes
from linkworker.contacts import ContactInput, purposes_for
from ui.record import widgets as w

STATUSES = {k: v for k, v in codes.CONTACT_STATUS_LABELS.items() if k != "cancelled"}


class QuickNotePanel(QFrame):
    """Emits ``save_requested(ContactInput)``; the record runs it and calls ``saved()``."""

    save_requested = Signal(object)
    closed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Quick contact note")
        self.date = w.date_edit("Contact date")
        self.time = w.time_edit("Contact time")
        self.mode = w.combo("How you met", codes.CONTACT_MODE_LABELS)
        self.status = w.combo("Attended or not", STATUSES)
        self.purpose = w.combo("Purpose", purposes_for((0, 3, 6, 12, 18)), blank="(work it out)")
        self.venue = w.line("Venue", placeholder="e.g. Elswick Library")
        self.duration = QSpinBox()
        self.duration.setAccessibleName("Duration in minutes")
        self.duration.setRange(0, 600)
        self.duration.setSingleStep(15)
        self.duration.setValue(45)
        self.duration.setSuffix(" min")
        self.note = w.text_box("Contact note", 3)
        self.save_button = w.button("Save note", "Save contact note", "Ctrl+Return")
        self.cancel_button = w.button("Close", "Close the note panel", "Esc")
        grid = QGridLayout(self)
        title = QLabel("<b>Quick note</b> (Ctrl+N)")
        grid.addWidget(title, 0, 0, 1, 2)
        pairs = (("&Date", self.date), ("T&ime", self.time), ("&How", self.mode),
                 ("&Attended", self.status), ("P&urpose", self.purpose),
                 ("&Venue", self.venue), ("&Length", self.duration))
        for i, (label, widget) in enumerate(pairs):
            caption = QLabel(label)
            caption.setBuddy(widget)
            grid.addWidget(caption, 1 + i // 4 * 2, i % 4)
            grid.addWidget(widget, 2 + i // 4 * 2, i % 4)
        caption = QLabel("N&ote")
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
        self.purpose.addItem("(work it out)", None)
        for code, label in purposes_for(months).items():
            self.purpose.addItem(label, code)
        w.set_combo(self.purpose, current)

    def open_panel(self) -> None:
        """Show the panel, reset for a new note, and put the cursor in the note."""
        w.set_date(self.date, dt.date.today())
        now = dt.datetime.now()
        self.time.setTime(self.time.time().fromString(now.strftime("%H:%M"), "HH:mm"))
        self.note.clear()
        self.show()
        self.note.setFocus()

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
        if self.isVisible():
            self.save_requested.emit(self.entry())

    def saved(self) -> None:
        self.note.clear()
        self.hide()
        self.closed.emit()

    def keyPressEvent(self, event) -> None:  # Qt override
        if event.key() == Qt.Key.Key_Escape:
            self.close_panel()
            return
        super().keyPressEvent(event)
