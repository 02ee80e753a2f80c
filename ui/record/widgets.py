"""Small widget factories for the record screens: every control gets an accessible name.

Keeping the factories in one place is how "accessible names on every control, dd/mm/yyyy on
every date" stays true without repeating the same four lines for each field.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QDate, QPoint, Qt, QTime, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QCalendarWidget,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from linkworker.validation import InvalidValue, format_date, parse_date
from ui.core_words import core
from ui.i18n import translate
from ui.widgets import never_cut, read_only_table, tab_leaves

ID_ROLE = Qt.ItemDataRole.UserRole
# An empty date of birth opens its calendar about 40 years back, not at today.
BIRTH_NEAR = dt.date(dt.date.today().year - 40, 1, 1)


def line(name: str, text: str = "", placeholder: str = "") -> QLineEdit:
    widget = QLineEdit(text)
    widget.setAccessibleName(name)
    if placeholder:
        widget.setPlaceholderText(placeholder)
    return widget


def text_box(name: str, lines: int = 3) -> QPlainTextEdit:
    widget = QPlainTextEdit()
    widget.setAccessibleName(name)
    widget.setTabChangesFocus(True)  # Tab moves on, as in every other field
    widget.setMinimumHeight(widget.fontMetrics().lineSpacing() * lines + 12)
    return widget


def combo(name: str, options: Mapping[str, str], blank: str | None = None) -> QComboBox:
    """A list of coded choices; ``blank`` adds a first "no answer" entry with data None."""
    widget = QComboBox()
    widget.setAccessibleName(name)
    if blank is not None:
        widget.addItem(blank, None)
    for code, label in options.items():
        widget.addItem(core(label), code)  # code tables are the core's words
    return widget


def set_combo(widget: QComboBox, value: object) -> None:
    index = widget.findData(value)
    widget.setCurrentIndex(max(index, 0))


class _CalendarPopup(QFrame):
    """The calendar under a date field: Enter or a click picks the day, Esc closes."""

    def __init__(self, field: DateField) -> None:
        super().__init__(field, Qt.WindowType.Popup)
        self.field = field
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.calendar = QCalendarWidget()
        self.calendar.setAccessibleName(
            translate("record.widgets", "Calendar: {accessibleName}").format(
                accessibleName=field.accessibleName()
            )
        )
        self.calendar.setGridVisible(True)
        self.calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(1, 1, 1, 1)
        layout.addWidget(self.calendar)
        self.calendar.activated.connect(self._pick)
        self.calendar.clicked.connect(self._pick)

    def open_at(self, day: dt.date) -> None:
        self.calendar.setSelectedDate(QDate(day.year, day.month, day.day))
        self.move(self.field.mapToGlobal(QPoint(0, self.field.height())))
        self.show()
        self.calendar.setFocus(Qt.FocusReason.PopupFocusReason)

    def _pick(self, qdate: QDate) -> None:
        self.hide()
        self.field.set_value(dt.date(qdate.year(), qdate.month(), qdate.day()))
        self.field.setFocus(Qt.FocusReason.PopupFocusReason)


class DateField(QLineEdit):
    """A dd/mm/yyyy date typed like any text (19/06/1980, 19.6.1980 or 19061980) with a
    calendar on F4, Alt+Down or the button at its end.

    Qt's own date box walks day/month/year with Tab (a keyboard trap), shows an optional
    field's "Not known" as text that typing appends to, and opens its calendar at January
    1900. This one is a plain text box: Tab leaves, an optional field is simply empty ("Not
    known" is its placeholder), and the calendar opens at the date shown or near ``near``.
    Text that is not a date turns the field red and says why; ``value()`` then keeps the
    last good date (for the calendar and live checks), and ``get_date`` refuses, so a save
    stops rather than quietly use that older date in place of the one on screen.
    """

    dateChanged = Signal(object)  # the QDateEdit name callers already use

    def __init__(self, name: str, optional: bool = False, near: dt.date | None = None) -> None:
        super().__init__()
        self.optional, self.near = optional, near
        self._value: dt.date | None = None
        self.setAccessibleName(name)
        self.setPlaceholderText(
            translate("record.widgets", "Not known (dd/mm/yyyy)")
            if optional
            else translate("record.widgets", "dd/mm/yyyy")
        )
        self.setToolTip(translate("record.widgets", "Type dd/mm/yyyy, or press F4 for a calendar"))
        pick = QAction(
            self.style().standardIcon(QStyle.StandardPixmap.SP_ArrowDown),
            translate("record.widgets", "Open the calendar (F4)"),
            self,
        )
        pick.triggered.connect(self.open_calendar)
        self.addAction(pick, QLineEdit.ActionPosition.TrailingPosition)
        self.popup: _CalendarPopup | None = None
        self.editingFinished.connect(self._typed)
        self.textEdited.connect(self._typing)

    def value(self) -> dt.date | None:
        parsed, problem = self._parse()
        return self._value if problem else parsed

    def set_value(self, value: dt.date | None) -> None:
        self.setText(format_date(value))
        self._accept(value)

    def problem(self) -> str:
        return self._parse()[1]

    def _parse(self) -> tuple[dt.date | None, str]:
        text = self.text().strip()
        if not text:
            return None, "" if self.optional else translate(
                "record.widgets", "a date is needed (dd/mm/yyyy)"
            )
        if text.isdigit() and len(text) == 8:
            text = f"{text[:2]}/{text[2:4]}/{text[4:]}"
        try:
            day = parse_date(text, allow_serial=False)
        except InvalidValue:
            day = None
        if day is None or day.year < 1900:
            return None, translate("record.widgets", "{typed!r} is not a date (dd/mm/yyyy)").format(
                typed=self.text().strip()
            )
        return day, ""

    def _typing(self) -> None:
        parsed, problem = self._parse()
        if not problem and len(self.text().strip()) >= 8:
            self._accept(parsed)

    def _typed(self) -> None:
        parsed, problem = self._parse()
        if problem:
            self.show_problem(problem)
            return
        self.setText(format_date(parsed))
        self._accept(parsed)

    def show_problem(self, problem: str) -> None:
        """Red border, and the reason as the field's description and tooltip."""
        self.setStyleSheet("border: 2px solid #b71c1c;")
        self.setAccessibleDescription(problem)
        self.setToolTip(f"{problem[0].upper()}{problem[1:]}.")

    def _accept(self, value: dt.date | None) -> None:
        self.setStyleSheet("")
        self.setAccessibleDescription("")
        self.setToolTip(translate("record.widgets", "Type dd/mm/yyyy, or press F4 for a calendar"))
        if value != self._value:
            self._value = value
            self.dateChanged.emit(value)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        alt_down = (event.key() == Qt.Key.Key_Down
                    and bool(event.modifiers() & Qt.KeyboardModifier.AltModifier))
        if event.key() == Qt.Key.Key_F4 or alt_down:
            self.open_calendar()
            return
        super().keyPressEvent(event)

    def open_calendar(self) -> None:
        """At the date shown; for an empty field at ``near`` (or today)."""
        if self.isReadOnly():
            return
        if self.popup is None:
            self.popup = _CalendarPopup(self)
        self.popup.open_at(self.value() or self.near or dt.date.today())


def date_edit(name: str, optional: bool = False, value: dt.date | None = None,
              near: dt.date | None = None) -> DateField:
    """A dd/mm/yyyy date field; an optional one may be left empty ("Not known")."""
    widget = DateField(name, optional, near)
    widget.set_value(value if value is not None or optional else dt.date.today())
    return widget


def set_date(widget: DateField, value: dt.date | None) -> None:
    widget.set_value(value)


class BadDate(InvalidValue):
    """A date field holds text that is not a date, so the action that read it must not run.

    Raised by ``get_date``; ``stops_at_a_bad_date`` turns it into a message and puts the
    cursor in ``field``."""

    def __init__(self, field: DateField, problem: str) -> None:
        super().__init__(f"{field.accessibleName()}: {problem}.")
        self.field = field


def get_date(widget: DateField) -> dt.date | None:
    """The date on screen (None for an empty optional field). Text that is not a date (say
    31/02/2026, typed and saved with Ctrl+Return before the field was left) raises
    ``BadDate``: saving the last good date instead would record a day nobody typed."""
    problem = widget.problem()
    if problem:
        widget.show_problem(problem)
        raise BadDate(widget, problem)
    return widget.value()


def stops_at_a_bad_date(action: Callable[[Any], None]) -> Callable[[Any], None]:
    """Decorate a screen's action (a method taking only ``self``) that reads date fields: a
    ``BadDate`` stops it before anything is saved, shown by ``self.show_status(text,
    "error")`` with the cursor put back in the field to correct."""

    @functools.wraps(action)
    def checked(self: Any) -> None:
        try:
            action(self)
        except BadDate as bad:
            tell_bad_date(self, bad)

    return checked


def tell_bad_date(owner: Any, bad: BadDate) -> None:
    """``owner.show_status`` says which field and why; the cursor goes back to that field."""
    owner.show_status(str(bad), "error")
    bad.field.setFocus(Qt.FocusReason.OtherFocusReason)


def time_edit(name: str, value: dt.time | None = None) -> QTimeEdit:
    widget = tab_leaves(QTimeEdit())
    widget.setAccessibleName(name)
    widget.setDisplayFormat("HH:mm")
    now = value or dt.datetime.now().time()
    widget.setTime(QTime(now.hour, now.minute))
    return widget


def get_time(widget: QTimeEdit) -> dt.time:
    qtime = widget.time()
    return dt.time(qtime.hour(), qtime.minute())


def check(text: str, name: str | None = None) -> QCheckBox:
    widget = QCheckBox(text)
    widget.setAccessibleName(name or text.replace("&", ""))
    never_cut(widget)
    return widget


def button(text: str, name: str, shortcut: str | None = None) -> QPushButton:
    """A button whose shortcut is visible in its label ("Save (Ctrl+S)")."""
    label = f"{text} ({shortcut})" if shortcut else text
    widget = QPushButton(label)
    widget.setAccessibleName(name)
    never_cut(widget)
    if shortcut:
        widget.setShortcut(QKeySequence(shortcut))
        widget.setToolTip(f"{name} ({shortcut})")
    return widget


def table(name: str, headers: Sequence[str]) -> QTableWidget:
    return read_only_table(QTableWidget(), name, headers)


def fill_table(widget: QTableWidget, rows: Iterable[tuple[str, Sequence[str]]]) -> None:
    """Replace the rows; each is (id, cells) and the id is kept on every cell."""
    chosen = selected_id(widget)
    rows = list(rows)
    widget.setRowCount(len(rows))
    for r, (row_id, cells) in enumerate(rows):
        for c, value in enumerate(cells):
            item = QTableWidgetItem(value)
            item.setData(ID_ROLE, row_id)
            item.setToolTip(value if len(value) > 40 else "")
            widget.setItem(r, c, item)
            if row_id == chosen and c == 0:
                widget.selectRow(r)


def selected_id(widget: QTableWidget) -> str | None:
    items = widget.selectedItems()
    return items[0].data(ID_ROLE) if items else None


def check_list(name: str, options: Mapping[str, str]) -> QListWidget:
    """A multi-select list of checkboxes (Space toggles the current one)."""
    widget = QListWidget()
    widget.setAccessibleName(name)
    for code, label in options.items():
        item = QListWidgetItem(core(label))
        item.setData(ID_ROLE, code)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Unchecked)
        widget.addItem(item)
    widget.setMaximumHeight(widget.sizeHintForRow(0) * min(len(options), 6) + 8)
    return widget


def checked_codes(widget: QListWidget) -> tuple[str, ...]:
    return tuple(
        widget.item(i).data(ID_ROLE) for i in range(widget.count())
        if widget.item(i).checkState() == Qt.CheckState.Checked
    )


def set_checked(widget: QListWidget, codes: Iterable[str]) -> None:
    wanted = set(codes)
    for i in range(widget.count()):
        item = widget.item(i)
        state = Qt.CheckState.Checked if item.data(ID_ROLE) in wanted else Qt.CheckState.Unchecked
        item.setCheckState(state)


def value_of(widget: QWidget) -> object:
    """What a field holds, as the core takes it: text, the chosen code, a date (or None for
    "Not known") or a tick."""
    if isinstance(widget, DateField):
        return get_date(widget)
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QComboBox):
        return widget.currentData()
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    raise TypeError(f"No value for a {type(widget).__name__}")


def set_value(widget: QWidget, value: object) -> None:
    """The reverse of ``value_of``; None clears the field."""
    if isinstance(widget, DateField):
        widget.set_value(value)  # type: ignore[arg-type]
    elif isinstance(widget, QLineEdit):
        widget.setText(str(value or ""))
    elif isinstance(widget, QPlainTextEdit):
        widget.setPlainText(str(value or ""))
    elif isinstance(widget, QComboBox):
        set_combo(widget, value)
    elif isinstance(widget, QCheckBox):
        widget.setChecked(bool(value))
    else:
        raise TypeError(f"No value for a {type(widget).__name__}")


def on_edit(widget: QWidget, slot: Callable[..., object]) -> None:
    """Call ``slot`` when the user changes the field (typing, choosing, ticking)."""
    if isinstance(widget, DateField):
        widget.dateChanged.connect(slot)
        widget.textEdited.connect(slot)  # text that is not (yet) a date is an edit too
    elif isinstance(widget, QLineEdit):
        widget.textEdited.connect(slot)
    elif isinstance(widget, QPlainTextEdit):
        widget.textChanged.connect(slot)
    elif isinstance(widget, QComboBox):
        widget.currentIndexChanged.connect(slot)
    else:
        widget.toggled.connect(slot)


def add_row(form: QFormLayout, label: str, widget: QWidget) -> QLabel:
    """A form row whose label is the field's buddy (Alt+letter jumps to it)."""
    caption = QLabel(label)
    caption.setBuddy(widget)
    form.addRow(caption, widget)
    return caption


def status_label(name: str = "Status") -> QLabel:
    widget = QLabel()
    widget.setAccessibleName(name)
    widget.setWordWrap(True)
    widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard
                                   | Qt.TextInteractionFlag.TextSelectableByMouse)
    return widget


def show_message(widget: QLabel, text: str, kind: str = "info") -> None:
    """A message in place (never a modal box for routine work); colour is not the only cue."""
    colours = {"info": "#1b5e20", "error": "#b71c1c", "warning": "#8a4b00"}
    widget.setStyleSheet(f"color: {colours.get(kind, '#000')};")
    prefix = {"error": translate("record.widgets", "Problem: "),
              "warning": translate("record.widgets", "Warning: ")}.get(kind, "")
    widget.setText(prefix + text if text else "")
