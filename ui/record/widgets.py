"""Small widget factories for the record screens: every control gets an accessible name.

Keeping the factories in one place is how "accessible names on every control, dd/mm/yyyy on
every date" stays true without repeating the same four lines for each field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence

from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTimeEdit,
    QWidget,
)

from ui.widgets import read_only_table

NO_DATE = QDate(1900, 1, 1)  # the "not known" sentinel of optional date fields
ID_ROLE = Qt.ItemDataRole.UserRole


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
        widget.addItem(label, code)
    return widget


def set_combo(widget: QComboBox, value: object) -> None:
    index = widget.findData(value)
    widget.setCurrentIndex(max(index, 0))


def date_edit(name: str, optional: bool = False, value: dt.date | None = None) -> QDateEdit:
    """A dd/mm/yyyy date with a calendar; optional ones show "Not known" at the sentinel."""
    widget = QDateEdit()
    widget.setAccessibleName(name)
    widget.setDisplayFormat("dd/MM/yyyy")
    widget.setCalendarPopup(True)
    if optional:
        widget.setMinimumDate(NO_DATE)
        widget.setSpecialValueText("Not known")
    set_date(widget, value if value is not None or optional else dt.date.today())
    return widget


def set_date(widget: QDateEdit, value: dt.date | None) -> None:
    widget.setDate(QDate(value.year, value.month, value.day) if value else NO_DATE)


def get_date(widget: QDateEdit) -> dt.date | None:
    qdate = widget.date()
    if widget.specialValueText() and qdate == widget.minimumDate():
        return None
    return dt.date(qdate.year(), qdate.month(), qdate.day())


def time_edit(name: str, value: dt.time | None = None) -> QTimeEdit:
    widget = QTimeEdit()
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
    return widget


def button(text: str, name: str, shortcut: str | None = None) -> QPushButton:
    """A button whose shortcut is visible in its label ("Save (Ctrl+S)")."""
    label = f"{text} ({shortcut})" if shortcut else text
    widget = QPushButton(label)
    widget.setAccessibleName(name)
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
        item = QListWidgetItem(label)
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
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QComboBox):
        return widget.currentData()
    if isinstance(widget, QDateEdit):
        return get_date(widget)
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    raise TypeError(f"No value for a {type(widget).__name__}")


def set_value(widget: QWidget, value: object) -> None:
    """The reverse of ``value_of``; None clears the field."""
    if isinstance(widget, QLineEdit):
        widget.setText(str(value or ""))
    elif isinstance(widget, QPlainTextEdit):
        widget.setPlainText(str(value or ""))
    elif isinstance(widget, QComboBox):
        set_combo(widget, value)
    elif isinstance(widget, QDateEdit):
        set_date(widget, value)  # type: ignore[arg-type]
    elif isinstance(widget, QCheckBox):
        widget.setChecked(bool(value))
    else:
        raise TypeError(f"No value for a {type(widget).__name__}")


def on_edit(widget: QWidget, slot: Callable[..., object]) -> None:
    """Call ``slot`` when the user changes the field (typing, choosing, ticking)."""
    if isinstance(widget, QLineEdit):
        widget.textEdited.connect(slot)
    elif isinstance(widget, QPlainTextEdit):
        widget.textChanged.connect(slot)
    elif isinstance(widget, QComboBox):
        widget.currentIndexChanged.connect(slot)
    elif isinstance(widget, QDateEdit):
        widget.dateChanged.connect(slot)
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
    prefix = {"error": "Problem: ", "warning": "Warning: "}.get(kind, "")
    widget.setText(prefix + text if text else "")
