"""A list of rows that each belong to a person, of any length: Today's tasks, Due and overdue.

A manager's Today at 150,000 people holds about 95,000 tasks; one table item per cell (the old
``QTableWidget``) cost seconds and hundreds of megabytes before the page showed. Here the model
holds the core's own items (small frozen dataclasses) and makes a cell's text only when the
view paints that cell. A long list is ``PagedRows``: only the pages looked at are held (the
first comes with the page's first answer, the others from the runner's readers as the view
scrolls to them), so a list's memory and query cost follow the screen, not the caseload.
Enter or a double-click opens the row's person (``person_activated``).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import Any, overload

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from ui.operations import while_alive
from ui.widgets import ID_ROLE, OVERDUE_COLOUR, on_activate

Index = QModelIndex | QPersistentModelIndex
Cells = Callable[[Any], Sequence[str]]


PAGE_ROWS = 200  # rows a page of a long list holds (a few screenfuls)
KEPT_PAGES = 8  # pages held besides the first; the view asks again for any it scrolls back to


def _no(_item: Any) -> bool:
    return False


class PagedRows(Sequence):
    """A list of ``count`` rows holding only the pages looked at (``first_page`` None: none
    yet, the first is read when painted).

    ``fetch(job, offset, limit)`` reads one page on the runner's reader pool; a row not yet
    here is ``None`` (shown blank) until its page arrives and ``arrived(first, last)`` tells
    the model to repaint those rows. The count may grow when the database has counted
    (``PersonListModel.set_count``)."""

    def __init__(self, runner: Any, fetch: Callable[[Any, int, int], list[Any]],
                 first_page: Sequence[Any] | None, count: int | None = None) -> None:
        self.runner, self.fetch = runner, fetch
        self.count = len(first_page or ()) if count is None else count
        self.pages: dict[int, Sequence[Any]] = {} if first_page is None else {0: first_page}
        self._asked: set[int] = set()
        self.arrived: Callable[[int, int], None] = lambda _first, _last: None

    def __len__(self) -> int:
        return self.count

    @overload
    def __getitem__(self, row: int) -> Any: ...

    @overload
    def __getitem__(self, row: slice) -> list[Any]: ...

    def __getitem__(self, row: int | slice) -> Any:
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(self.count))]
        if not 0 <= row < self.count:
            raise IndexError(row)
        page, at = divmod(row, PAGE_ROWS)
        rows = self.pages.get(page)
        if rows is None:
            self._ask(page)
            return None
        return rows[at] if at < len(rows) else None

    def _ask(self, page: int) -> None:
        if page in self._asked:
            return
        self._asked.add(page)
        fetch, offset = self.fetch, page * PAGE_ROWS
        self.runner.read(lambda job: fetch(job, offset, PAGE_ROWS),
                         lambda rows: self._page_arrived(page, rows), label="Loading rows")

    def _page_arrived(self, page: int, rows: Sequence[Any]) -> None:
        self._asked.discard(page)
        for old in [p for p in self.pages if p][:max(0, len(self.pages) - KEPT_PAGES)]:
            del self.pages[old]  # the oldest pages looked at go first; the first page stays
        self.pages[page] = rows
        first = page * PAGE_ROWS
        self.arrived(first, min(self.count, first + len(rows)) - 1)


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
        if isinstance(items, PagedRows):
            # The rows hold this callback, so it names them weakly: a strong name made a
            # cycle, and each list replaced (a refresh) stayed, its keys and rows with it,
            # until a full collection (Due's 8,846 keys and Today's rows a round, stop 27).
            rows = weakref.ref(items)
            items.arrived = while_alive(
                self, lambda first, last: self._rows_arrived(rows(), first, last))
        self.endResetModel()

    def set_count(self, count: int) -> None:
        """A long list's full length, counted after its first page was shown."""
        rows = self.items
        if not isinstance(rows, PagedRows) or count == rows.count:
            return
        if count > rows.count:
            self.beginInsertRows(QModelIndex(), rows.count, count - 1)
            rows.count = count
            self.endInsertRows()
        else:  # the caseload changed meanwhile: a refresh is on its way
            self.beginResetModel()
            rows.count = count
            self.endResetModel()

    def _rows_arrived(self, rows: PagedRows | None, first: int, last: int) -> None:
        if rows is self.items and last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.columns) - 1))

    def person_at(self, row: int) -> str | None:
        item = self.items[row] if 0 <= row < len(self.items) else None
        return None if item is None else self._person(item)

    def text(self, row: int, column: int) -> str:
        item = self.items[row]
        return "" if item is None else self._cells(item)[column]

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.items):
            return None
        item = self.items[index.row()]
        if item is None:  # its page is on its way (``PagedRows``)
            return "" if role == Qt.ItemDataRole.DisplayRole else None
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
