"""The drop-in register: a coordinator's day at their venue, by keyboard.

The coordinator lands here (``MainWindow`` opens it first for a coordinator). The list is the
venue's register for today from ``linkworker.dropin`` (recent regulars first, by their last
visit before today, so a mark never moves the rows), read on the runner's readers like every
list (``ui.person_list``: a lazy model, pages on demand). Typing in the search box filters it
(by name or reference, among the people seen at the venue, never the whole caseload); Down or
Enter moves to the list, Escape empties the box. In the list Space or Enter marks the person
attended (one contact at the venue, written by the runner's writer; a second mark says so and
writes nothing), Delete takes back today's mark and Escape goes back to an empty search box
for the next person in the queue. Buttons, each with its Alt key, take a new
self-referral (the referral screen) and a quick wellbeing form for the selected person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from linkworker.access import Actor
from linkworker.dropin import (
    RegisterEntry,
    attended_count,
    mark_attended,
    register_count,
    register_page,
    unmark_attended,
)
from ui.i18n import translate
from ui.operations import Changes, Runner, friendly_message, while_alive
from ui.person_list import PAGE_ROWS, PagedRows, PersonList
from ui.record import widgets as w
from ui.widgets import clears_on_escape, heading, long_date, never_cut

CARES_ABOUT = frozenset({"contacts", "episodes", "people", "caseload"})
SEARCH_DELAY_MS = 200


def _cells(entry: RegisterEntry) -> tuple[str, ...]:
    return (entry.name, entry.reference, entry.last_seen_text,
            "✓" if entry.attended else "")


class _Keys(QObject):
    """Key handling without subclassing: ``keys`` maps a key to what it does on ``watched``."""

    def __init__(self, parent: QObject, keys: dict[Qt.Key, Callable[[], None]]) -> None:
        super().__init__(parent)
        self.keys = keys

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt API
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.modifiers() == Qt.KeyboardModifier.NoModifier \
                and event.key() in self.keys:
            self.keys[Qt.Key(event.key())]()
            return True
        return False


def _button(text: str, name: str, slot: Callable[[], None]) -> QPushButton:
    button = never_cut(QPushButton(text))
    button.setAccessibleName(name)
    button.clicked.connect(slot)
    return button


class DropinView(QWidget):
    """The venue's register for today: search, mark attended, the day's count."""

    referral_wanted = Signal()  # "New self-referral": the window opens its referral screen
    loaded = Signal(object)  # the first page shown (tests wait on it)
    marked = Signal(object)  # a mark's or an undo's answer, after the message is shown

    def __init__(self, runner: Runner, actor: Actor, parent: QWidget | None = None, *,
                 clock: Callable[[], dt.date] = dt.date.today) -> None:
        super().__init__(parent)
        self.runner, self.actor, self.clock = runner, actor, clock
        self.venue = (actor.venue or "").strip()
        self.day = clock()
        self._reading = 0
        self._keep: str | None = None  # the person to select again after a refresh
        self.setAccessibleName(translate("dropin_view", "Drop-in register"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        if not self.venue:
            layout.addWidget(self._no_venue())
            return
        self._build(layout)
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS,
                             timeout=self.refresh)
        runner.changed.connect(while_alive(self, self._changed))
        self.refresh()

    # --- layout ---------------------------------------------------------------------------

    def _no_venue(self) -> QLabel:
        self.message = QLabel(translate(
            "dropin_view", "You have no venue set, so there is no drop-in register to show. "
            "An admin sets your venue in Settings > Users."))
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setAccessibleName(translate("dropin_view", "No venue set"))
        return self.message

    def _build(self, layout: QVBoxLayout) -> None:
        top = QHBoxLayout()
        self.heading = heading(
            translate("dropin_view", "Drop-in register: {venue}").format(venue=self.venue),
            translate("dropin_view", "Venue"))
        self.date_label = QLabel(long_date(self.day))
        self.date_label.setAccessibleName(translate("dropin_view", "Date of the register"))
        top.addWidget(self.heading, 1)
        top.addWidget(self.date_label)
        layout.addLayout(top)
        self.search = clears_on_escape(w.line(
            translate("dropin_view", "Find a person at this venue"),
            placeholder=translate("dropin_view", "Type a name or reference")))
        find = QLabel(translate("dropin_view", "F&ind:"))
        find.setBuddy(self.search)
        self.count = QLabel()
        self.count.setAccessibleName(translate("dropin_view", "Attended today"))
        row = QHBoxLayout()
        row.addWidget(find)
        row.addWidget(self.search, 1)
        row.addWidget(self.count)
        layout.addLayout(row)
        self.table = PersonList((translate("dropin_view", "Name"),
                                 translate("dropin_view", "Reference"),
                                 translate("dropin_view", "Last seen here"),
                                 translate("dropin_view", "Attended today")),
                                translate("dropin_view", "People at this venue"))
        self.table.person_activated.connect(lambda _person: self.mark())  # Enter, double-click
        layout.addWidget(self.table, 1)
        self.status = w.status_label(translate("dropin_view", "What was done"))
        layout.addWidget(self.status)
        buttons = QHBoxLayout()
        self.mark_button = _button(translate("dropin_view", "&Mark attended (Space)"),
                                   translate("dropin_view", "Mark attended"), self.mark)
        self.undo_button = _button(translate("dropin_view", "&Undo today's mark (Delete)"),
                                   translate("dropin_view", "Undo today's mark"), self.undo)
        self.referral_button = _button(translate("dropin_view", "New self-&referral…"),
                                       translate("dropin_view", "New self-referral"),
                                       self.referral_wanted.emit)
        self.form_button = _button(translate("dropin_view", "Quick &wellbeing form…"),
                                   translate("dropin_view", "Quick wellbeing form"),
                                   self.wellbeing_form)
        for button in (self.mark_button, self.undo_button, self.referral_button,
                       self.form_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.search.textChanged.connect(lambda _text: self._timer.start())
        self.search.installEventFilter(_Keys(self.search, {
            Qt.Key.Key_Down: self.focus_list, Qt.Key.Key_Return: self.focus_list,
            Qt.Key.Key_Enter: self.focus_list}))
        self.table.installEventFilter(_Keys(self.table, {
            Qt.Key.Key_Space: self.mark, Qt.Key.Key_Delete: self.undo,
            Qt.Key.Key_Escape: self.next_person}))

    # --- reading --------------------------------------------------------------------------

    def refresh(self) -> None:
        if not self.venue:
            return
        actor, search = self.actor, self.search.text()
        self.day = day = self.clock()
        self.date_label.setText(long_date(day))
        self._reading += 1
        reading = self._reading

        def first(job):
            return (reading, day, search,
                    register_page(job.caseload, actor, day, search, 0, PAGE_ROWS),
                    register_count(job.caseload, actor, day, search),
                    attended_count(job.caseload, actor, day))

        self.runner.read(first, while_alive(self, self._show),
                         label=translate("dropin_view", "Loading the register"),
                         supersede=f"dropin-{id(self)}")

    def _show(self, answer: tuple) -> None:
        reading, day, search, page, count, attended = answer
        if reading != self._reading:
            return
        actor = self.actor
        keep = self._keep or self.table.person_at(self.table.currentRow())

        def fetch(job, offset, limit):
            return register_page(job.caseload, actor, day, search, offset, limit)

        self.table.fill(PagedRows(self.runner, fetch, page, count), _cells)
        rows = [e.person_id for e in page]
        if keep in rows:
            self.table.setCurrentCell(rows.index(keep), 0)
        elif rows:
            self.table.setCurrentCell(0, 0)
        self._keep = None
        self.count.setText(translate("dropin_view", "%Ln attended today", None, attended))
        self.loaded.emit(page)

    def _changed(self, tags: frozenset[str]) -> None:
        if tags & CARES_ABOUT:
            self.refresh()

    # --- doing ----------------------------------------------------------------------------

    def selected(self) -> tuple[str, str] | None:
        """The selected person's id and name, if a row is selected (and its page is here)."""
        row = self.table.currentRow()
        person_id = self.table.person_at(row) if row >= 0 else None
        if not person_id:
            return None
        return person_id, self.table.item(row, 0).text()

    def _say(self, text: str, kind: str = "info") -> None:
        w.show_message(self.status, text, kind)

    def _act(self, work: Callable) -> None:
        """Run ``work(caseload, actor, person_id, day)`` for the selected person on the
        writer; the change is announced only if something was written (a second mark is
        not a save)."""
        chosen = self.selected()
        if chosen is None:
            self._say(translate("dropin_view", "Choose a person in the list first."), "warning")
            return
        person_id, name = chosen
        self._keep = person_id
        actor, day = self.actor, self.clock()

        def done(answer) -> None:
            text = getattr(answer, "message", answer)
            if not getattr(answer, "already", False):
                self.runner.changed.emit(Changes({"contacts"}, {person_id}))
            self._say(translate("dropin_view", "{name}: {what}").format(name=name, what=text))
            self.marked.emit(answer)

        def failed(error: BaseException) -> None:
            self._say(translate("dropin_view", "{name}: {what}").format(name=name,
                                                                         what=friendly_message(error)),
                      "error")
            self.marked.emit(error)

        self.runner.run(lambda job: work(job.caseload, actor, person_id, day),
                        while_alive(self, done), failed=while_alive(self, failed),
                        label=translate("dropin_view", "Saving attendance"))

    def mark(self) -> None:
        """Mark the selected person attended today (Space, Enter, the button)."""
        self._act(lambda caseload, actor, person_id, day:
                  mark_attended(caseload, actor, person_id, day, today=day))

    def undo(self) -> None:
        """Take back today's mark of the selected person (Delete, the button)."""
        self._act(lambda caseload, actor, person_id, day:
                  unmark_attended(caseload, actor, person_id, today=day))

    def wellbeing_form(self) -> QWidget | None:
        """The quick wellbeing form (ONS4, SWEMWBS) for the selected person, in its window."""
        chosen = self.selected()
        if chosen is None:
            self._say(translate("dropin_view", "Choose a person in the list first."), "warning")
            return None
        from ui.wellbeing.form import MeasureFormDialog

        self.dialog = MeasureFormDialog(self.runner, self.actor, chosen[0], self)
        self.dialog.open()
        return self.dialog

    # --- focus ----------------------------------------------------------------------------

    def focus_list(self) -> None:
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if self.table.rowCount() and self.table.currentRow() < 0:
            self.table.setCurrentCell(0, 0)

    def next_person(self) -> None:
        """Escape in the list: an empty search box, ready for the next name in the queue."""
        self.search.clear()
        self.search.setFocus(Qt.FocusReason.OtherFocusReason)

    def focus_first(self) -> None:
        """The search box, ready to type a name (the coordinator's first key)."""
        target = self.search if self.venue else self.message
        target.setFocus(Qt.FocusReason.OtherFocusReason)
