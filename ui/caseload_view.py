"""My caseload: the list a link worker lives in, responsive at 50,000 people.

``CaseloadTableModel`` follows Anki's browser table: it holds the ordered ids from one indexed
query (``linkworker.caseload.person_ids``) and fetches the rows it is asked to show a page at a
time (``rows_for``), on the runner's reader pool. An unfetched row shows "…" for a moment; when
its page arrives only those rows are repainted (``dataChanged``). A refresh after a save keeps
the ids if they did not change and just repaints (no reset, the selection and scroll stay put).

Every search or filter change asks first for the first screenful (``first_page``, ids and
rows, which stops after one page), then, once it is on screen, for the whole id list (not at
all when the screenful is not full: then it is the whole list). The first screenful shows
within milliseconds at any caseload size; the whole list then extends it without a reset
(while keys are coming, only once the typing pauses: a whole list read mid-word is moot).
Both are superseding reads, so a newer keystroke cancels the older search, even mid-query.

``CaseloadView`` is the controller around it: the search box (search as you type, debounced),
the filters, header sorting (mapped to the core's ``SORT_KEYS``), the count, and opening a
person (Enter or double-click emits ``open_person``). Its side panel shows the read-only
summary of the selected person on request (Space), audited as a record view.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QBrush, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from linkworker.access import Actor
from linkworker.caseload import (
    CHANGE_LABELS,
    PAGE_SIZE,
    CaseloadFilter,
    FilterOptions,
    PersonRow,
    PersonSummary,
    filter_options,
    first_page,
    person_ids,
    person_summary,
    rows_for,
)
from linkworker.caseload import first_page as warm_rows  # warming, unseen by first_page's users
from linkworker.caseload_index import warm
from linkworker.codes import STAGE_LABELS
from linkworker.validation import format_date
from ui.core_words import core
from ui.i18n import translate
from ui.operations import Runner, while_alive
from ui.person_list import KEPT_PAGES, list_view
from ui.search_trace import SearchTrace
from ui.search_trace import table as traced_table
from ui.widgets import (
    ID_ROLE,
    OVERDUE_COLOUR,
    FittedLabel,
    WorkerPicker,
    clears_on_escape,
    default_worker,
    heading,
    never_cut,
    on_activate,
)

SEARCH_DELAY_MS = 150
# The letters whose first screenful is read into the readers' cache before the whole search
# index is (``CaseloadView.warm_search``): the first key of a word.
WARM_LETTERS = "abcdefghijklmnopqrstuvwxyz"
# While keys are coming (one in the last ``TYPING_S``), a keystroke's whole list (and its
# count) is asked for only once no newer key has come for ``WHOLE_LIST_PAUSE_MS`` after its
# first rows: a whole list read mid-word is moot by the next key, and it took the cores and
# the GIL from that key's read and paint (traced by ``bench/key_trace.py``, issue 15).
TYPING_S = 1.0
WHOLE_LIST_PAUSE_MS = 250
# Each key holds housekeeping back this long (``Foreground.hold``): past the search's wait for
# the typing to rest, its read and its paint; it goes on once the typing pauses.
HOUSEKEEPING_HOLD_S = 0.6
CARES_ABOUT = frozenset({"people", "episodes", "contacts", "measures", "users", "contracts",
                         "goals", "caseload"})

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    title: str
    sort_key: str
    text: Callable[[PersonRow], str]
    width: int


COLUMNS: tuple[Column, ...] = (
    Column(QT_TRANSLATE_NOOP("caseload_view", "Name"), "name", lambda r: r.name, 190),
    Column(
        QT_TRANSLATE_NOOP("caseload_view", "Known as"),
        "preferred_name",
        lambda r: r.preferred_name,
        80,
    ),
    Column(QT_TRANSLATE_NOOP("caseload_view", "Reference"), "reference", lambda r: r.reference, 90),
    Column(
        QT_TRANSLATE_NOOP("caseload_view", "Age"),
        "age",
        lambda r: "" if r.age is None else str(r.age),
        45,
    ),
    Column(QT_TRANSLATE_NOOP("caseload_view", "Stage"), "stage", lambda r: core(r.stage_label), 90),
    Column(QT_TRANSLATE_NOOP("caseload_view", "Worker"), "worker", lambda r: r.worker_name, 140),
    Column(
        QT_TRANSLATE_NOOP("caseload_view", "Next review"),
        "next_review",
        lambda r: format_date(r.next_review_due),
        95,
    ),
    Column(
        QT_TRANSLATE_NOOP("caseload_view", "Wellbeing"),
        "latest_change",
        lambda r: r.latest_change_label,
        160,
    ),
    Column(
        QT_TRANSLATE_NOOP("caseload_view", "NHS number"), "nhs_number", lambda r: r.nhs_number, 105
    ),
    Column(QT_TRANSLATE_NOOP("caseload_view", "Postcode"), "postcode", lambda r: r.postcode, 80),
)
NEXT_REVIEW = next(i for i, c in enumerate(COLUMNS) if c.sort_key == "next_review")
# Qt asks every visible cell for a dozen roles at each paint, as plain ints: these are
# compared as ints, and the flags made once (an enum ``|`` per cell was a tenth of a
# keystroke's painting, issue 15).
DISPLAY, TOOLTIP, FOREGROUND, ACCESSIBLE, ID = (int(role) for role in (
    Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.ForegroundRole,
    Qt.ItemDataRole.AccessibleTextRole, ID_ROLE))
SHOWN_ROLES = frozenset((DISPLAY, TOOLTIP, FOREGROUND, ACCESSIBLE))
ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
HORIZONTAL = Qt.Orientation.Horizontal


CellTexts = tuple  # a row's cell texts in column order, then whether its review is overdue


def cell_texts(row: PersonRow) -> CellTexts:
    return (*(column.text(row) for column in COLUMNS), row.overdue)


class CaseloadTableModel(QAbstractTableModel):
    """Read-only rows over an ordered id list; rows arrive a page at a time from the runner."""

    sort_requested = Signal(str, bool)  # core sort key, descending
    page_loaded = Signal(int)

    def __init__(self, runner: Runner, actor: Actor, clock: Callable[[], dt.date] = dt.date.today,
                 parent: Any = None) -> None:
        super().__init__(parent)
        self.runner, self.actor, self.clock = runner, actor, clock
        self.ids: list[str] = []
        self._pages: dict[int, list[PersonRow | None]] = {}
        # Each row's cell texts, made once, when the row is first painted (only the rows on
        # screen, not a page's hundred): Qt asks every visible cell at each paint.
        self._shown: dict[int, list[CellTexts | None]] = {}
        self._pending: set[int] = set()
        self._generation = 0
        self.partial = False  # only the first screenful is here; the whole list is coming
        self._titles: list[str] = []  # the header's titles in this language (``headerData``)

    # --- the id list ----------------------------------------------------------------------

    def set_first_page(self, ids: list[str], rows: list[PersonRow],
                       shown: int = PAGE_SIZE) -> None:
        """The first screenful of a new result, ahead of the whole id list, with the rows of
        its first ``shown`` ids (the rest of the page is asked for when it is painted).

        The new rows take the old rows' places (rows removed or added at the end, the rest
        changed) rather than resetting the model: a reset lays out the header again and paints
        the list twice, a third of a keystroke's time on the GUI thread (issue 15). Only the
        rows that differ are announced (``dataChanged``), so a key that leaves the same
        people on screen ("smit", "smith") repaints none of them and keeps their cell texts.
        The view then moves to the first row, as after a reset (``_first_arrived``)."""
        old_ids, old_rows, old_texts = self.ids, self._pages.get(0, []), self._shown.get(0, [])
        self._forget_pages()
        self._store(0, 0, ids[:shown], rows)
        self.partial = True
        old, new = len(old_ids), len(ids)
        if new < old:
            self.beginRemoveRows(QModelIndex(), new, old - 1)
            self.ids = list(ids)
            self.endRemoveRows()
        elif new > old:
            self.beginInsertRows(QModelIndex(), old, new - 1)
            self.ids = list(ids)
            self.endInsertRows()
        self.ids = list(ids)
        for first, last in self._changed_runs(old_ids, old_rows, old_texts):
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))
        self.page_loaded.emit(0)

    def _changed_runs(self, old_ids: list[str], old_rows: list[PersonRow | None],
                      old_texts: list[CellTexts | None]) -> list[tuple[int, int]]:
        """The runs of rows (first, last) whose person or row differs from what was on screen;
        an unchanged row keeps the cell texts already made for it."""
        rows, texts = self._pages[0], self._shown[0]
        runs: list[tuple[int, int]] = []
        for number in range(min(len(old_ids), len(self.ids))):
            same = (number < len(rows) and number < len(old_rows) and rows[number] is not None
                    and old_ids[number] == self.ids[number] and old_rows[number] == rows[number])
            if same:
                texts[number] = old_texts[number]
            elif runs and runs[-1][1] == number - 1:
                runs[-1] = (runs[-1][0], number)
            else:
                runs.append((number, number))
        return runs

    def set_ids(self, ids: list[str]) -> None:
        """A new result: reset (the rows are different), or just repaint if they are the same;
        after a first screenful, the rest of the list is appended (no reset, no flicker)."""
        if self.partial and ids[:len(self.ids)] == self.ids:
            self.partial = False
            if len(ids) > len(self.ids):
                self.beginInsertRows(QModelIndex(), len(self.ids), len(ids) - 1)
                self.ids = list(ids)
                self.endInsertRows()
            return
        self.partial = False
        if ids == self.ids:
            self.refresh_rows()
            return
        self.beginResetModel()
        self.ids = list(ids)
        self._forget_pages()
        self.endResetModel()

    def refresh_rows(self) -> None:
        """Same people, possibly changed details: refetch pages as they are shown again."""
        self._forget_pages()
        if self.ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.ids) - 1,
                                                              len(COLUMNS) - 1))

    def _forget_pages(self) -> None:
        self._generation += 1
        self._pages.clear()
        self._shown.clear()
        self._pending.clear()

    def _store(self, page: int, start: int, ids: list[str], rows: list[PersonRow]) -> None:
        """A page's rows from its ``start``-th on, in the ids' order (None: no longer visible
        to this actor); their cell texts are made as they are painted (``cell``). A page may
        be here in part (the first screenful's rows on screen): the rest follows it."""
        by_id = {r.id: r for r in rows}
        if start and page not in self._pages:
            return  # the page went while its rest was read: it is read again when painted
        if not start:
            # Only pages near the screen stay (issue 15): paging to the end of 150,000 people
            # kept every page read on the way. The oldest go first; the first page stays.
            for old in [p for p in self._pages if p and p != page][:len(self._pages) - KEPT_PAGES]:
                del self._pages[old], self._shown[old]
            self._pages[page], self._shown[page] = [], []
        self._pages[page].extend(by_id.get(i) for i in ids)
        self._shown[page].extend([None] * len(ids))

    # --- rows -----------------------------------------------------------------------------

    def row(self, row: int) -> PersonRow | None:
        """The row if its page is here; otherwise ask for the page and return None for now."""
        page = row // PAGE_SIZE
        rows = self._pages.get(page)
        at = row - page * PAGE_SIZE
        if rows is None or at >= len(rows):
            self._request(page)
            return None
        return rows[at]

    def is_loaded(self, row: int) -> bool:
        page = row // PAGE_SIZE
        return row - page * PAGE_SIZE < len(self._pages.get(page, ()))

    def _request(self, page: int) -> None:
        if page in self._pending:
            return
        self._pending.add(page)
        start = len(self._pages.get(page, ()))  # the rest of a page here in part
        ids = self.ids[page * PAGE_SIZE + start:(page + 1) * PAGE_SIZE]
        generation, actor, today = self._generation, self.actor, self.clock()

        def work(job):  # runs on the runner's thread
            return generation, page, start, ids, rows_for(job.caseload, actor, ids,
                                                          as_of=today)

        self.runner.read(
            work, self._page_arrived, label=translate("caseload_view", "Loading the caseload")
        )

    def _page_arrived(self, result: tuple[int, int, int, list[str], list[PersonRow]]) -> None:
        generation, page, start, ids, rows = result
        if generation != self._generation:
            return  # an older list's page: the ids have moved on
        self._pending.discard(page)
        self._store(page, start, ids, rows)
        first = page * PAGE_SIZE + start
        last = first + len(ids) - 1
        self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))
        self.page_loaded.emit(page)

    # --- Qt model API ---------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def cell(self, number: int, column: int) -> tuple[str | None, bool]:
        """A cell's text (None: its page is still coming, asked for now) and whether it shows
        an overdue review: what ``data`` and the painter (``CellPainter``) both read."""
        page = number // PAGE_SIZE
        texts = self._shown.get(page)
        at = number - page * PAGE_SIZE
        if texts is None or at >= len(texts):
            self._request(page)
            return None, False
        cells = texts[at]
        if cells is None:
            row = self._pages[page][at]
            if row is None:
                return None, False
            cells = texts[at] = cell_texts(row)
        return cells[column], column == NEXT_REVIEW and cells[-1]

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        role = int(role)
        if role == ID:
            return self.ids[index.row()] if index.isValid() and index.row() < len(self.ids) \
                else None
        if role not in SHOWN_ROLES or not index.isValid():
            return None
        number, column = index.row(), index.column()
        if number >= len(self.ids):
            return None
        text, overdue = self.cell(number, column)
        if text is None:
            return "…" if column == 0 and role == DISPLAY else None
        if role == FOREGROUND:
            return QBrush(OVERDUE_COLOUR) if overdue else None
        if overdue:
            if role == TOOLTIP:
                return translate("caseload_view", "Review overdue")
            if role == ACCESSIBLE:
                return translate("caseload_view", "{text}, overdue").format(text=text)
        return text if role != TOOLTIP else None

    def headerData(self, section: int, orientation: Qt.Orientation,  # Qt API
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == DISPLAY and orientation == HORIZONTAL:
            if not self._titles:  # translated once per language, not at every header paint
                self._titles = [translate("caseload_view", c.title) for c in COLUMNS]
            return self._titles[section]
        return None

    def retranslate(self) -> None:
        """The language changed: the header's titles are translated again."""
        self._titles = []
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)

    def flags(self, index: Index) -> Qt.ItemFlag:
        return ROW_FLAGS

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Header clicks sort in the database (the whole list), never in the view."""
        self.sort_requested.emit(COLUMNS[column].sort_key,
                                 order == Qt.SortOrder.DescendingOrder)


class CellPainter(QStyledItemDelegate):
    """Paints a caseload cell from the model's cell texts with one call into Python per cell.
    Qt's own delegate asks the model for seven roles per cell (font, alignment, colour, check,
    icon, text, background): over a thousand calls into Python for a screenful, about half of
    a keystroke's paint (issue 15). What it paints is the same, pixel for pixel
    (``test_the_list_paints_as_qts_own_delegate_would``); ``data`` still answers every role
    for tooltips, accessibility and tests."""

    def __init__(self, model: CaseloadTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        # the features the view last handed a cell, and them with the text shown
        self._features = self._with_display = HAS_DISPLAY

    def initStyleOption(self, option: QStyleOptionViewItem, index: Index) -> None:  # Qt API
        number = index.row()
        if number >= len(self.model.ids):
            return
        column = index.column()
        text, overdue = self.model.cell(number, column)
        option.index = index
        if text is None:
            if column:
                return
            text = "…"
        # The view hands every cell the same features: the enum ``|`` is made once, not per
        # cell (issue 15; Qt's enums are Python objects, so ``|`` and hashing are slow).
        features = option.features
        if features is not self._features:
            self._features, self._with_display = features, features | HAS_DISPLAY
        option.features = self._with_display
        option.text = text
        if overdue:
            option.palette.setBrush(TEXT_ROLE, OVERDUE_BRUSH)


HAS_DISPLAY = QStyleOptionViewItem.ViewItemFeature.HasDisplay
TEXT_ROLE = QPalette.ColorRole.Text
OVERDUE_BRUSH = QBrush(OVERDUE_COLOUR)


class SummaryPanel(QWidget):
    """A person's read-only summary (the first window's double-click, and the side panel)."""

    open_person = Signal(str)
    loaded = Signal(object)

    FIELDS = (
        (QT_TRANSLATE_NOOP("caseload_view", "Reference"), lambda s: s.reference),
        (QT_TRANSLATE_NOOP("caseload_view", "Known as"), lambda s: s.preferred_name),
        (
            QT_TRANSLATE_NOOP("caseload_view", "Date of birth"),
            lambda s: (
                f"{format_date(s.date_of_birth)}"
                + (QT_TRANSLATE_NOOP("caseload_view", " (age ") if s.age is not None else "")
            ),
        ),
        (QT_TRANSLATE_NOOP("caseload_view", "NHS number"), lambda s: s.nhs_number),
        (QT_TRANSLATE_NOOP("caseload_view", "Gender"), lambda s: s.gender),
        (QT_TRANSLATE_NOOP("caseload_view", "Address"), lambda s: s.address),
        (QT_TRANSLATE_NOOP("caseload_view", "Postcode"), lambda s: s.postcode),
        (QT_TRANSLATE_NOOP("caseload_view", "Phone"), lambda s: s.phone),
        (QT_TRANSLATE_NOOP("caseload_view", "Email"), lambda s: s.email),
        (QT_TRANSLATE_NOOP("caseload_view", "GP practice"), lambda s: s.gp_practice),
        (QT_TRANSLATE_NOOP("caseload_view", "Stage"), lambda s: core(s.stage_label)),
        (QT_TRANSLATE_NOOP("caseload_view", "Worker"), lambda s: s.worker_name),
        (QT_TRANSLATE_NOOP("caseload_view", "Contract"), lambda s: s.contract_name),
        (QT_TRANSLATE_NOOP("caseload_view", "Referred"), lambda s: format_date(s.referral_date)),
        (
            QT_TRANSLATE_NOOP("caseload_view", "First meeting"),
            lambda s: format_date(s.first_meeting_date),
        ),
        (
            QT_TRANSLATE_NOOP("caseload_view", "Next review"),
            lambda s: (
                format_date(s.next_review_due)
                + (QT_TRANSLATE_NOOP("caseload_view", " (overdue)") if s.overdue else "")
            ),
        ),
        (QT_TRANSLATE_NOOP("caseload_view", "Wellbeing"), lambda s: s.latest_change_label),
        (
            QT_TRANSLATE_NOOP("caseload_view", "Contacts"),
            lambda s: QT_TRANSLATE_NOOP("caseload_view", " (last "),
        ),
        (
            QT_TRANSLATE_NOOP("caseload_view", "Next appointment"),
            lambda s: (
                format_date(s.next_appointment) or QT_TRANSLATE_NOOP("caseload_view", "None booked")
            ),
        ),
        (QT_TRANSLATE_NOOP("caseload_view", "Open goals"), lambda s: str(s.open_goals)),
        (QT_TRANSLATE_NOOP("caseload_view", "Journeys"), lambda s: str(s.journeys)),
    )

    def __init__(self, runner: Runner, actor: Actor, clock: Callable[[], dt.date] = dt.date.today,
                 parent: QWidget | None = None, *, open_button: bool = True) -> None:
        super().__init__(parent)
        self.runner, self.actor, self.clock = runner, actor, clock
        self.summary: PersonSummary | None = None
        self.person_id: str | None = None
        self.setAccessibleName(translate("caseload_view", "Person summary"))
        layout = QVBoxLayout(self)
        self.heading = heading(
            translate("caseload_view", "Choose a person and press Space to see their summary."),
            translate("caseload_view", "Summary heading"),
        )
        layout.addWidget(self.heading)
        form = QFormLayout()
        self.values: dict[str, QLabel] = {}
        for label, _get in self.FIELDS:
            value = QLabel()
            value.setWordWrap(True)
            value.setAccessibleName(label)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.values[label] = value
            form.addRow(f"{label}:", value)
        layout.addLayout(form)
        self.open_button = QPushButton(translate("caseload_view", "&Open full record"))
        self.open_button.setAccessibleName(translate("caseload_view", "Open full record"))
        self.open_button.setVisible(open_button)
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self._open)
        layout.addWidget(self.open_button)
        layout.addStretch(1)

    def show_person(self, person_id: str) -> None:
        self.person_id = person_id
        actor, today = self.actor, self.clock()
        self.runner.run(
            lambda job: person_summary(job.caseload, actor, person_id, as_of=today),
            self._show,
            label=translate("caseload_view", "Opening the summary"),
        )

    def clear(self) -> None:
        self.summary, self.person_id = None, None
        self.heading.setText(
            translate("caseload_view", "Choose a person and press Space to see their summary.")
        )
        for value in self.values.values():
            value.clear()
        self.open_button.setEnabled(False)

    def _show(self, summary: PersonSummary) -> None:
        if summary.id != self.person_id:
            return
        self.summary = summary
        self.heading.setText(f"{summary.display_name}")
        for label, get in self.FIELDS:
            self.values[label].setText(get(summary))
        self.open_button.setEnabled(True)
        self.setWindowTitle(summary.display_name)  # a tab title, never the window's
        self.loaded.emit(summary)

    def _open(self) -> None:
        if self.person_id:
            self.open_person.emit(self.person_id)


# The count beside the search box goes up to seven digits ("9,999,999 people").
WIDEST_COUNT = 9_999_900


def count_texts() -> list[str]:
    """Every form of the count's texts in the current language: each plural form (they
    follow the last digits) of a small and of a seven-digit count, and "100+ people,
    counting…"."""
    counts = [*range(100), *range(WIDEST_COUNT, WIDEST_COUNT + 100)]
    return [translate("caseload_view", "{ids}+ people, counting…").format(ids=PAGE_SIZE),
            *(translate("caseload_view", "%Ln person(s)", None, n) for n in counts)]


class CaseloadView(QWidget):
    """Search, filter and sort the caseload; open a person with Enter or a double-click."""

    open_person = Signal(str)
    counted = Signal(int)  # the whole list is here: how many
    first_rows = Signal(int)  # the first screenful is on screen

    def __init__(self, runner: Runner, actor: Actor, parent: QWidget | None = None, *,
                 clock: Callable[[], dt.date] = dt.date.today) -> None:
        super().__init__(parent)
        self.runner, self.actor, self.clock = runner, actor, clock
        self.options: FilterOptions | None = None
        self.sort_key, self.descending = "name", False
        self._query_seq = 0
        self._ids_seq = -1  # the newest refresh whose whole list has arrived
        self._shown_seq = -1  # the newest refresh whose first rows are on screen
        # Enter in the search box waits for the typed text's own rows (``_enter_due``).
        self._enter_pending = False
        self._first_shown = PAGE_SIZE  # how many of the newest first screenful have rows
        self._ask_everyone: Callable[[], object] = lambda: None  # the current whole list
        self._typed_at = -TYPING_S  # when the search text last changed (time.monotonic)
        # The whole list waits for a pause in the typing (``_ask_everyone_after_paint``).
        self._whole_seq = -1
        self.whole_list_timer = QTimer(self, singleShot=True, timeout=self._typing_paused)
        # Warming the search index (``warm_search``): where the next step begins (None: at the
        # start), whether one is due, and which round a step belongs to.
        self._warm_from: int | None = None
        self._warming, self._warm_round = False, 0
        self._warm_letter = 0  # the letters first (``WARM_LETTERS``), then the whole index
        self.count = 0
        self.trace = SearchTrace()  # LINKWORKER_SEARCH_TRACE=1: each key's phases on stderr
        self.model = CaseloadTableModel(runner, actor, clock, self)
        self.model.sort_requested.connect(self._sort)
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS,
                                    timeout=self.refresh)
        # the side panel follows the selection once the arrow keys rest (each look is audited)
        self._summary_timer = QTimer(self, singleShot=True, interval=300,
                                     timeout=self._show_current_summary)
        self._build()
        runner.changed.connect(self._changed)
        self._load_options()

    # --- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText(
            translate("caseload_view", "Search name, reference, NHS number or postcode (Ctrl+F)")
        )
        self.search.setAccessibleName(translate("caseload_view", "Search the caseload"))
        clears_on_escape(self.search)
        self.clear_search = self._clear_search_action()
        self.search.textChanged.connect(self._typed)
        self.search.returnPressed.connect(self._open_first)
        search_label = QLabel(translate("caseload_view", "&Search:"))
        search_label.setBuddy(self.search)
        top.addWidget(search_label)
        top.addWidget(self.search, 1)
        self.worker = WorkerPicker()
        self.worker.currentIndexChanged.connect(self.refresh)
        top.addWidget(self.worker.labelled(translate("caseload_view", "&Worker:")))
        top.addWidget(self.worker)
        self.count_label = self._count_label()
        top.addWidget(self.count_label, 0, Qt.AlignmentFlag.AlignVCenter)  # fixed size
        layout.addLayout(top)
        layout.addLayout(self._filter_row())
        self.splitter = QSplitter()
        self.table = self._table()
        self.splitter.addWidget(self.table)
        self.summary = SummaryPanel(self.runner, self.actor, self.clock)
        self.summary.open_person.connect(self.open_person)
        self.summary.setVisible(False)
        self.splitter.addWidget(self.summary)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        layout.addWidget(self.splitter, 1)
        QShortcut(QKeySequence(Qt.Key.Key_Space), self.table, self.toggle_summary,
                  context=Qt.ShortcutContext.WidgetShortcut)
        QShortcut(QKeySequence(Qt.Key.Key_Down), self.search, self._into_table,
                  context=Qt.ShortcutContext.WidgetShortcut)

    def _clear_search_action(self) -> QAction:
        """The search box's clear button, shown while there is text. Not Qt's own
        (``setClearButtonEnabled``): that one fades in and out over 160 ms, repainting the box
        and everything under it a dozen times on each word's first key, while that key's
        rows are read and painted (issue 15)."""
        icon = self.style().standardIcon(QStyle.StandardPixmap.SP_LineEditClearButton)
        action = self.search.addAction(icon, QLineEdit.ActionPosition.TrailingPosition)
        action.setText(translate("caseload_view", "Clear the search"))
        action.setToolTip(translate("caseload_view", "Clear the search"))
        action.setVisible(False)
        action.triggered.connect(self.search.clear)
        return action

    @staticmethod
    def _count_label() -> QLabel:
        """The count, as wide from the start as any text it can show: a count of another width
        laid the window out again and repainted all of it, about 6 ms of a keystroke's paint
        on the GUI thread (the first key of each word and each count, issue 15)."""
        label = FittedLabel(count_texts)
        label.setAccessibleName(translate("caseload_view", "Number of people listed"))
        return label

    def _combo(self, name: str, items: list[tuple[str, str | None]]) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        for text, data in items:
            combo.addItem(text, data)
        combo.currentIndexChanged.connect(self.refresh)
        return combo

    def _check(self, text: str, name: str, tip: str) -> QCheckBox:
        box = never_cut(QCheckBox(text))
        box.setAccessibleName(name)
        box.setToolTip(tip)
        box.toggled.connect(self.refresh)
        return box

    def _filter_row(self) -> QVBoxLayout:
        """The lists on one line, the ticks and "Clear filters" on the next (one line was cut
        at 150% scaling)."""
        rows = QVBoxLayout()
        row = QHBoxLayout()
        self.stage = self._combo(
            translate("caseload_view", "Stage"),
            [("Any stage", None)] + [(label, code) for code, label in STAGE_LABELS.items()],
        )
        self.contract = self._combo(
            translate("caseload_view", "Contract"), [("Any contract", None)]
        )
        self.change = self._combo(
            translate("caseload_view", "Latest wellbeing change"),
            [("Any wellbeing change", None)]
            + [(label, code) for code, label in CHANGE_LABELS.items()],
        )
        self.overdue = self._check(
            translate("caseload_view", "&Overdue review"),
            translate("caseload_view", "Overdue review only"),
            translate("caseload_view", "Only people whose next review date has passed"),
        )
        self.no_baseline = self._check(
            translate("caseload_view", "No &baseline"),
            translate("caseload_view", "No baseline only"),
            translate("caseload_view", "Met, but no baseline wellbeing measure recorded"),
        )
        self.exited = self._check(
            translate("caseload_view", "Include e&xited"),
            translate("caseload_view", "Include exited people"),
            translate("caseload_view", "Also list people whose journey has ended"),
        )
        ticks = QHBoxLayout()
        for widget in (self.stage, self.contract, self.change):
            row.addWidget(widget)
        for widget in (self.overdue, self.no_baseline, self.exited):
            ticks.addWidget(widget)
        self.clear_button = QPushButton(translate("caseload_view", "C&lear filters"))
        self.clear_button.setAccessibleName(translate("caseload_view", "Clear filters"))
        self.clear_button.clicked.connect(self.clear_filters)
        ticks.addWidget(self.clear_button)
        row.addStretch(1)
        ticks.addStretch(1)
        rows.addLayout(row)
        rows.addLayout(ticks)
        return rows

    def _table(self) -> QTableView:
        table = traced_table(self.trace)
        header = list_view(table, self.model, translate("caseload_view", "Caseload"))
        table.setItemDelegate(CellPainter(self.model, table))
        for i, column in enumerate(COLUMNS):
            header.resizeSection(i, column.width)
        table.setSortingEnabled(True)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        on_activate(table, self._activated)
        table.selectionModel().currentRowChanged.connect(self._current_changed)
        return table

    # --- the filter -----------------------------------------------------------------------

    def current_filter(self) -> CaseloadFilter:
        return CaseloadFilter(
            text=self.search.text(),
            stage=self.stage.currentData(),
            worker_id=self.worker.worker_id(),
            contract_id=self.contract.currentData(),
            overdue_only=self.overdue.isChecked(),
            no_baseline=self.no_baseline.isChecked(),
            latest_change=self.change.currentData(),
            include_exited=self.exited.isChecked() or self.stage.currentData() == "exited",
            as_of=self.clock(),
        )

    def clear_filters(self) -> None:
        widgets = (self.search, self.stage, self.contract, self.change, self.overdue,
                   self.no_baseline, self.exited)
        for widget in widgets:
            widget.blockSignals(True)
        self.search.clear()
        self.clear_search.setVisible(False)
        for combo in (self.stage, self.contract, self.change):
            combo.setCurrentIndex(0)
        for box in (self.overdue, self.no_baseline, self.exited):
            box.setChecked(False)
        for widget in widgets:
            widget.blockSignals(False)
        self.refresh()

    def set_worker(self, worker_id: str | None) -> None:
        """The manager's switcher, from outside (e.g. the main window)."""
        self.worker.select(worker_id)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    # --- queries --------------------------------------------------------------------------

    def _load_options(self) -> None:
        """The filter bar's choices; the first time with only the user's own count, so the
        first rows need not wait for every worker's count (``_counts_loaded`` follows), and
        with the default list's first screenful read in the same job: the first rows need
        not wait for a second read to be asked for once the window shows (issue 15)."""
        actor, own_only, today = self.actor, self.options is None, self.clock()

        def work(job):
            options = filter_options(job.caseload, actor, own_count_only=own_only)
            if not own_only:
                return options, None
            worker = default_worker(options, actor.user_id) if options.can_switch_worker \
                else actor.user_id
            filt = CaseloadFilter(worker_id=worker, as_of=today)
            return options, (filt, first_page(job.caseload, actor, filt))

        self.runner.read(work, self._options_loaded,
                         label=translate("caseload_view", "Loading the caseload"))

    def _counts_loaded(self, options: FilterOptions) -> None:
        self.options = options
        self.worker.apply(options, announce=False)

    def _options_loaded(self, loaded: tuple[FilterOptions, tuple | None]) -> None:
        options, early = loaded
        self.options = options
        self.worker.actor_id = self.actor.user_id
        self.worker.apply(options)
        current = self.contract.currentData()
        self.contract.blockSignals(True)
        while self.contract.count() > 1:
            self.contract.removeItem(1)
        for contract in options.contracts:
            self.contract.addItem(contract.name, contract.id)
        self.contract.setCurrentIndex(max(0, self.contract.findData(current)))
        self.contract.blockSignals(False)
        self.contract.setVisible(bool(options.contracts))
        default_list = (self.sort_key, self.descending) == ("name", False)
        if early is not None and default_list and early[0] == self.current_filter():
            self._query(first=True, ready=early[1])  # read with the options: no wait
        else:
            self.refresh()
        if not options.counted:  # after the rows' queries, so it never delays them
            actor = self.actor
            self.runner.read(lambda job: filter_options(job.caseload, actor),
                             self._counts_loaded, label="Counting caseloads", yields=True)

    def refresh(self) -> None:
        """Ask for the first screenful and the whole list for the current filter and sort;
        a newer refresh supersedes both (older answers are never shown)."""
        self._query(first=True)

    def _query(self, *, first: bool,
               ready: tuple[list[str], list[PersonRow]] | None = None) -> None:
        """Ask for the first screenful (unless it is already here: ``ready``) and then the
        whole list."""
        if self.options is None:
            return  # the options load first, then refresh
        self._search_timer.stop()
        if first:  # the last search's whole list is moot: stop it, so it takes no core
            self.runner.drop(f"ids-{id(self)}")
        self._query_seq += 1
        seq, actor, filt = self._query_seq, self.actor, self.current_filter()
        key, descending = self.sort_key, self.descending
        # ``ready`` came from the start, with a whole page of rows
        shown = self._first_shown = PAGE_SIZE if ready is not None else self._rows_on_screen()

        trace = self.trace
        trace.mark("asked")

        def screenful(job):
            trace.mark("started")
            cpu = time.thread_time()
            found = first_page(job.caseload, actor, filt, key, descending, shown)
            trace.mark("sql", time.thread_time() - cpu)
            return seq, found

        def everyone(job):
            return seq, person_ids(job.caseload, actor, filt, key, descending)

        self._ask_everyone = lambda: self.runner.read(
            everyone,
            self._ids_arrived,
            label=translate("caseload_view", "Searching"),
            supersede=f"ids-{id(self)}",
        )
        if not first:  # after a save: the list on screen stays until the new one is whole
            self._ask_everyone()
            return
        if ready is not None:
            self._first_arrived((seq, ready))
            return
        self.runner.read(
            screenful,
            self._first_arrived,
            label=translate("caseload_view", "Searching"),
            supersede=f"first-{id(self)}",
        )

    def _rows_on_screen(self) -> int:
        """How many rows the table has room for (a page while it is not shown): a keystroke's
        first read asks only for theirs (``first_page``'s ``shown``)."""
        height = self.table.viewport().height()
        row = self.table.verticalHeader().defaultSectionSize()
        if not self.table.isVisible() or height <= 0 or row <= 0:
            return PAGE_SIZE
        return min(PAGE_SIZE, height // row + 2)  # a row cut at each edge

    def _first_arrived(self, result: tuple[int, tuple[list[str], list[PersonRow]]]) -> None:
        """The first screenful; the whole list is asked for only now (a keystroke's first rows
        never share the machine with its whole list), and not at all when the screenful is
        not full: then it is the whole list."""
        seq, (ids, rows) = result
        if seq != self._query_seq or self._ids_seq == seq:
            return  # superseded, or the whole list is already here
        self.trace.mark("delivered")
        self._shown_seq = seq
        whole = len(ids) < PAGE_SIZE
        if not self.model.partial and self.model.ids[:len(ids)] == ids and ids:
            # the same people lead the list: keep it (and the selection) as it is
            if not whole:
                self._ask_everyone_after_paint(seq)
            elif self.model.ids == ids:
                self._ids_seq = seq
                self.counted.emit(len(ids))
                self._warm_on()
            else:
                self._ids_arrived((seq, ids))
            self.trace.mark("model")
            self.first_rows.emit(len(ids))
            self._enter_due()
            return
        self.model.set_first_page(ids, rows, self._first_shown)
        found = len(ids)  # lupdate sees a plural only when the count is a plain name
        self.count_label.setText(
            translate("caseload_view", "%Ln person(s)", None, found)
            if found < PAGE_SIZE
            else translate("caseload_view", "{ids}+ people, counting…").format(ids=len(ids))
        )
        self._to_first_row()
        self.trace.mark("model")
        self.first_rows.emit(len(ids))
        if whole:
            self._ids_arrived((seq, ids))
        else:
            self._ask_everyone_after_paint(seq)
        self._enter_due()

    def _to_first_row(self) -> None:
        """A new result starts at its first row, selected (what a model reset gave). When the
        first row is already the one current and selected, nothing is cleared and selected
        again (that repainted the row at every key, issue 15)."""
        selection = self.table.selectionModel()
        if not self.model.ids:
            selection.clearSelection()
            selection.clearCurrentIndex()
            return
        first = self.model.index(0, 0)
        moved = self.table.currentIndex().row() != 0
        if moved or selection.selectedRows() != [first]:
            selection.clearSelection()
            self.table.setCurrentIndex(first)
        self.table.scrollTo(first)
        if not moved:  # the same row, another person: the summary follows as on a move
            self._current_changed(first, first)

    def _ask_everyone_after_paint(self, seq: int) -> None:
        """Ask for the whole list once the first screenful has been painted (Qt paints from
        posted events, which come before a zero timer): its query's Python would otherwise
        take turns with the painting for the GIL, a few milliseconds at each turn (issue 15).
        A newer keystroke meanwhile makes it moot. While keys are coming it waits for a pause
        in the typing instead (``WHOLE_LIST_PAUSE_MS``)."""
        if time.monotonic() - self._typed_at < TYPING_S:
            self._whole_seq = seq
            self.whole_list_timer.start(WHOLE_LIST_PAUSE_MS)
            return
        QTimer.singleShot(0, self, lambda: seq == self._query_seq and self._ask_everyone())

    def _typed(self, typed: str) -> None:
        """A key: search once the typing rests (``SEARCH_DELAY_MS``); the last search's whole
        list is moot now, so it is stopped (or never asked for) and takes no core from the
        next key's rows."""
        self._typed_at = time.monotonic()
        self.trace.key(len(typed))
        self.clear_search.setVisible(bool(typed))
        # Housekeeping (the stage sweep, counts, the page check, the backup) steps aside now,
        # not only once this key's search is queued, and until the typing pauses.
        self.runner.foreground.hold(HOUSEKEEPING_HOLD_S)
        self._enter_pending = False  # Enter was for a text no longer in the box
        self.whole_list_timer.stop()
        self.runner.drop(f"ids-{id(self)}")
        self._search_timer.start()

    def _typing_paused(self) -> None:
        if self._whole_seq == self._query_seq:
            self._ask_everyone()

    def _ids_arrived(self, result: tuple[int, list[str]]) -> None:
        seq, ids = result
        if seq != self._query_seq:
            return  # the user typed on; a newer search is on its way
        self._ids_seq = self._shown_seq = seq
        current = self.table.currentIndex().data(ID_ROLE) if self.table.currentIndex().isValid() \
            else None
        self.model.set_ids(ids)
        self.count = found = len(ids)
        self.count_label.setText(translate("caseload_view", "%Ln person(s)", None, found))
        if current in ids:
            self.table.setCurrentIndex(self.model.index(ids.index(current), 0))
        elif ids and not self.table.currentIndex().isValid():
            self.table.setCurrentIndex(self.model.index(0, 0))
        self.counted.emit(len(ids))
        if not self._warm_round:  # the first whole list is here: now the search index
            self.warm_search()
        self._warm_on()
        self._enter_due()

    # --- warming the search index -----------------------------------------------------------

    def warm_search(self) -> None:
        """Read the search index's pages into the readers' page cache, a step at a time,
        while the list is idle: the first keystroke of each word then finds them there
        (issue 15). First each letter's first screenful (``WARM_LETTERS``), one letter a step:
        a word's first key read its rows (and its letter's part of the index) from cold
        pages, most of that key's read at 150,000 people, and warming the whole index takes
        longer than a user may wait before typing. Begun after the first whole list and after
        each save (a write empties the other connections' caches); a search in flight pauses
        it (``_warm_on``)."""
        self._warm_round += 1
        self._warm_from, self._warming, self._warm_letter = None, True, 0
        self._warm_on()

    def _warm_on(self) -> None:
        """The next step, unless warming is done or a search is on its way (it goes on when
        that search's whole list has come: ``_ids_arrived``)."""
        if not self._warming or self._ids_seq != self._query_seq:
            return
        self._warming = False  # until this step is back
        after, round_ = self._warm_from, self._warm_round
        if self._warm_letter < len(WARM_LETTERS):
            self._warm_next_letter()
            return

        def step(job):
            with job.caseload.reading() as session:
                return warm(session, after)

        def stepped(last: int | None) -> None:
            if round_ != self._warm_round:
                return  # begun again meanwhile
            self._warm_from, self._warming = last, last is not None
            # Always ask: a search typed meanwhile makes ``_warm_on`` wait for its whole list,
            # and if that list came while this step was out, nothing else would go on.
            self._warm_on()

        self.runner.read(step, while_alive(self, stepped),
                         label=translate("caseload_view", "Searching"),
                         supersede=f"warm-{id(self)}")

    def _warm_next_letter(self) -> None:
        """The next letter's first screenful, read and dropped (its pages stay cached)."""
        letter, round_ = WARM_LETTERS[self._warm_letter], self._warm_round
        actor, shown = self.actor, self._rows_on_screen()
        filt = dataclasses.replace(self.current_filter(), text=letter)

        def step(job):
            warm_rows(job.caseload, actor, filt, shown=shown)

        def stepped(_none: None) -> None:
            if round_ == self._warm_round:
                self._warm_letter += 1
                self._warming = True
                self._warm_on()

        # A warming step may come back after the view has gone (the lock screen, sign-out):
        # the next letter would read the deleted table's height.
        self.runner.read(step, while_alive(self, stepped),
                         label=translate("caseload_view", "Searching"),
                         supersede=f"warm-{id(self)}")

    def _sort(self, key: str, descending: bool) -> None:
        if (key, descending) != (self.sort_key, self.descending):
            self.sort_key, self.descending = key, descending
            self.refresh()

    def _changed(self, tags: frozenset[str]) -> None:
        if self._warm_round:
            self.warm_search()  # a write empties the readers' caches
        if tags & {"users", "contracts"}:
            self._load_options()
        elif tags & CARES_ABOUT:
            self._query(first=False)

    # --- opening --------------------------------------------------------------------------

    def _activated(self, index: QModelIndex) -> None:
        person_id = index.data(ID_ROLE)
        if person_id:
            self.open_person.emit(person_id)

    def _open_first(self) -> None:
        """Enter in the search box acts on what was typed: a search still waiting for the
        typing to rest runs now, and Enter waits for its rows (``_enter_due``); the rows on
        screen may be an earlier search's, and opening one of them opens the wrong person."""
        self._enter_pending = True
        if self._search_timer.isActive():
            self.refresh()
        self._enter_due()

    def _enter_due(self) -> None:
        """Enter's turn, once the newest search's first rows are on screen: open the person
        when it found exactly one, otherwise go into the list."""
        if not self._enter_pending or self._shown_seq != self._query_seq:
            return
        self._enter_pending = False
        # The first page can land before the count: one row on it is one match. The count
        # is this search's only once its whole list is here (it waits while keys come).
        counted = self.count if self._ids_seq == self._query_seq else None
        if self.model.ids and (counted == 1 or len(self.model.ids) == 1):
            self.open_person.emit(self.model.ids[0])
        else:
            self._into_table()

    def _into_table(self) -> None:
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if not self.table.currentIndex().isValid() and self.model.ids:
            self.table.setCurrentIndex(self.model.index(0, 0))

    def changeEvent(self, event: QEvent) -> None:  # Qt API
        """A translator installed while the list is open: the header follows the language."""
        if event.type() == QEvent.Type.LanguageChange:
            self.model.retranslate()
        super().changeEvent(event)

    def toggle_summary(self) -> None:
        """Space: show or hide the selected person's summary beside the list."""
        if self.summary.isVisible():
            self.summary.setVisible(False)
            self.summary.clear()
            return
        self.summary.setVisible(True)
        self._show_current_summary()

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self.summary.isVisible():
            self._summary_timer.start()

    def _show_current_summary(self) -> None:
        index = self.table.currentIndex()
        person_id = index.data(ID_ROLE) if index.isValid() else None
        if person_id and person_id != self.summary.person_id:
            self.summary.show_person(person_id)

