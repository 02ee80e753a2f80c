"""A list of rows that each belong to a person, of any length: Today's tasks, Due and overdue.

A manager's Today at 150,000 people holds about 95,000 tasks; one table item per cell (the old
``QTableWidget``) cost seconds and hundreds of megabytes before the page showed. Here the model
keeps the core's own items (small frozen dataclasses) and makes a cell's text only when the
view paints that cell, so only the visible rows ever become strings. Enter or a double-click
opens the row's person (``person_activated``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from ui.widgets import ID_ROLE, OVERDUE_COLOUR, on_activate

Index = QModelIndex | QPersistentModelIndex
Cells = Callable[[Any], Sequence[str]]


def _no(_item: Any) -> bool:
    return False


def list_view(table: QTableView, model: QAbstractTableModel, name: str) -> QHeaderView:
    """Set up a read-only, whole-row, single-selection list over ``model`` (this one and the
    caseload's): Tab leaves it, arrows move in it; the columns' header, for sizing."""
    table.setModel(model)
    table.setAccessibleName(name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setTabKeyNavigation(False)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    return header


class PersonListModel(QAbstractTableModel):
    """Items plus three small functions: the cells, the person, and whether it is overdue."""

    def __init__(self, columns: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns = tuple(columns)
        self.items: Sequence[Any] = ()
        self._cells: Cells = lambda _item: ()
        self._person: Callable[[Any], str] = lambda item: item.person_id
        self._overdue: Callable[[Any], bool] = _no

    def set_items(self, items: Sequence[Any], cells: Cells, *,
                  person: Callable[[Any], str] | None = None,
                  overdue: Callable[[Any], bool] = _no) -> None:
        self.beginResetModel()
        self.items, self._cells, self._overdue = items, cells, overdue
        if person is not None:
            self._person = person
        self.endResetModel()

    def person_at(self, row: int) -> str | None:
        return self._person(self.items[row]) if 0 <= row < len(self.items) else None

    def text(self, row: int, column: int) -> str:
        return self._cells(self.items[row])[column]

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.items):
            return None
        item = self.items[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._cells(item)[index.column()]
        if role == ID_ROLE:
            return self._person(item)
        if role == Qt.ItemDataRole.ForegroundRole and self._overdue(item):
            return QBrush(OVERDUE_COLOUR)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section]
        return None


class _Cell:
    """What ``PersonList.item`` returns: a cell's text, as a table widget's item would."""

    def __init__(self, text: str, person_id: str | None) -> None:
        self._text, self._person_id = text, person_id

    def text(self) -> str:
        return self._text

    def data(self, role: int) -> Any:
        return self._person_id if role == ID_ROLE else None


class PersonList(QTableView):
    """A read-only, whole-row list over a ``PersonListModel``; Enter opens the person."""

    person_activated = Signal(str)

    def __init__(self, columns: Sequence[str], name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list_model = PersonListModel(columns, self)
        header = list_view(self, self.list_model, name)
        header.setResizeContentsPrecision(200)  # fit columns to the first rows, not all of them
        on_activate(self, self._activated)

    def fill(self, items: Sequence[Any], cells: Cells, *,
             person: Callable[[Any], str] | None = None,
             overdue: Callable[[Any], bool] = _no) -> None:
        """Show ``items``; ``cells(item)`` gives a row's texts when it is painted."""
        first_time = self.list_model.rowCount() == 0
        self.list_model.set_items(items, cells, person=person, overdue=overdue)
        if first_time and items:
            self.resizeColumnsToContents()
        if items and not self.currentIndex().isValid():
            self.setCurrentIndex(self.list_model.index(0, 0))

    # --- the table-widget calls tests and keyboard code use --------------------------------

    def rowCount(self) -> int:
        return self.list_model.rowCount()

    def item(self, row: int, column: int) -> _Cell | None:
        if not 0 <= row < self.rowCount():
            return None
        return _Cell(self.list_model.text(row, column), self.list_model.person_at(row))

    def setCurrentCell(self, row: int, column: int) -> None:
        self.setCurrentIndex(self.list_model.index(row, column))

    def currentRow(self) -> int:
        return self.currentIndex().row() if self.currentIndex().isValid() else -1

    def person_at(self, row: int) -> str | None:
        return self.list_model.person_at(row)

    def _activated(self, index: QModelIndex) -> None:
        person_id = self.person_at(index.row())
        if person_id:
            self.person_activated.emit(person_id)
