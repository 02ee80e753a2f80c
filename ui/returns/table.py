"""The return screen's tables: rows of text a view shows as it is asked for.

At 150,000 people the return screen shows 99,000 cells (claims, data-quality issues, outcomes
not claimed). A ``QTableWidget`` makes a Qt item per cell, 30 MB of them even when Qt makes
them itself (issue 15: the window under 400 MB). Here each row is one tuple of strings and
the view asks for the few cells on screen. Sorting by a heading (mouse or ``sortItems``)
reorders the rows, stable, by text, as the widget did.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QTableView, QWidget

PERSON_ROLE = Qt.ItemDataRole.UserRole
_DISPLAY = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.AccessibleTextRole)
Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Cell:
    """One cell's text (and, in the first column, its person), read on demand: what code that
    used ``QTableWidget.item`` needs, without Qt keeping an item per cell."""

    value: str
    person: str | None = None

    def text(self) -> str:
        return self.value

    def data(self, role: int) -> str | None:
        if role == PERSON_ROLE:
            return self.person
        return self.value if role in _DISPLAY else None


class RowsModel(QAbstractTableModel):
    """Read-only rows of text with an optional person id on each row."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.headings: list[str] = []
        self.rows: list[tuple[str, ...]] = []
        self.ids: list[str | None] = []

    def set_rows(self, headings: list[str], rows: Sequence[Sequence[Any]],
                 ids: Sequence[str | None] | None = None) -> None:
        self.beginResetModel()
        self.headings = list(headings)
        self.rows = [tuple("" if v is None else str(v) for v in row) for row in rows]
        self.ids = list(ids) if ids is not None else [None] * len(self.rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.headings)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == PERSON_ROLE:
            return self.ids[index.row()] if index.column() == 0 else None
        return self.rows[index.row()][index.column()] if role in _DISPLAY else None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role in _DISPLAY
                and 0 <= section < len(self.headings)):
            return self.headings[section]
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.headings):
            return
        self.layoutAboutToBeChanged.emit()
        order_of = sorted(range(len(self.rows)), key=lambda i: self.rows[i][column],
                          reverse=order == Qt.SortOrder.DescendingOrder)
        self.rows = [self.rows[i] for i in order_of]
        self.ids = [self.ids[i] for i in order_of]
        # The selection (a persistent index) follows its row to the row's new place.
        new_place = {old: new for new, old in enumerate(order_of)}
        old = self.persistentIndexList()
        self.changePersistentIndexList(
            old, [self.index(new_place[i.row()], i.column()) for i in old])
        self.layoutChanged.emit()


class RowsTable(QTableView):
    """A read-only, row-selecting table over a ``RowsModel``, answering the few
    ``QTableWidget`` questions the screen and its tests ask (``item``, ``rowCount``...)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.rows = RowsModel(self)
        self.setModel(self.rows)
        self.setAccessibleName(name)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)

    def show_rows(self, headings: list[str], rows: Sequence[Sequence[Any]],
                  ids: Sequence[str | None] | None = None, sortable: bool = False) -> None:
        self.setSortingEnabled(False)
        self.rows.set_rows(headings, rows, ids)
        self.resizeColumnsToContents()
        header = self.horizontalHeader()
        header.setStretchLastSection(True)
        # New rows come in their own order (what blocks payment first) until a heading is
        # clicked: no sort indicator, so turning sorting on does not sort.
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.setSortingEnabled(sortable)

    def rowCount(self) -> int:
        return self.rows.rowCount()

    def columnCount(self) -> int:
        return self.rows.columnCount()

    def item(self, row: int, column: int) -> Cell | None:
        if not (0 <= row < self.rowCount() and 0 <= column < self.columnCount()):
            return None
        return Cell(self.rows.rows[row][column], self.rows.ids[row] if column == 0 else None)

    def horizontalHeaderItem(self, column: int) -> Cell | None:
        heading = self.rows.headerData(column, Qt.Orientation.Horizontal)
        return None if heading is None else Cell(heading)

    def sortItems(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sortByColumn(column, order)

    def currentRow(self) -> int:
        return self.currentIndex().row()
