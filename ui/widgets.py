"""Small widgets the main window and its lists share.

* ``MessageBar``: the non-modal strip for errors and "Saved" notices (no dialog for routine
  saves; errors stay until dismissed, notices fade on their own).
* ``PersonTable``: a small, fully loaded list of rows that each belong to a person; Enter or a
  double-click opens the person. (The 50,000-row caseload uses a lazy model instead.)
* ``WorkerPicker``: the manager's worker switcher, filled from ``linkworker.caseload``.
* ``on_activate``: Enter/Return on any item view does what a double-click does.
* Layout helpers every screen uses (``hbox``, ``form_rows``, ``scroll_page``,
  ``read_only_table``), so a row of buttons or a scrolling page is built the same way, with
  the same keyboard behaviour, everywhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QLocale, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QMainWindow,
    QMenuBar,
    QPlainTextEdit,
    QScrollArea,
    QScrollBar,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTabBar,
    QTableWidget,
    QTableWidgetItem,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from linkworker.access import Actor
from linkworker.caseload import UNASSIGNED, FilterOptions, filter_options
from linkworker.validation import format_date
from ui.i18n import translate
from ui.operations import Runner, while_alive

ID_ROLE = Qt.ItemDataRole.UserRole + 1  # the person id behind a row (models and tables)
OVERDUE_COLOUR = QColor("#a4262c")  # red with 7:1 contrast on white; text also says "overdue"


def heading(text: str, name: str) -> QLabel:
    """A page or panel heading: larger and bold, with an accessible name."""
    label = QLabel(text)
    label.setAccessibleName(name)
    label.setWordWrap(True)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.3)
    font.setBold(True)
    label.setFont(font)
    return label


def hbox(*items: QWidget | QLayout | None, parent: QWidget | None = None) -> QHBoxLayout:
    """A row of widgets (or layouts); ``None`` stands for a stretch that pushes the rest right.

    With ``parent`` the row becomes that widget's layout (a group box holding one row).
    """
    row = QHBoxLayout(parent) if parent is not None else QHBoxLayout()
    for item in items:
        if item is None:
            row.addStretch(1)
        elif isinstance(item, QLayout):
            row.addLayout(item)
        else:
            row.addWidget(item)
    return row


def form_rows(form: QFormLayout, rows: Sequence[tuple[str, QWidget | QLayout]]) -> None:
    """Label/field rows; a label's "&x" mnemonic jumps to its field (Qt makes it the buddy)."""
    for label, field in rows:
        form.addRow(label, field)


Item = QWidget | QLayout | tuple[QWidget, int] | None


def column(*items: Item) -> QWidget:
    """A marginless vertical pane: widgets, layouts, ``(widget, stretch)`` or ``None`` (a
    stretch), top to bottom."""
    pane = QWidget()
    layout = QVBoxLayout(pane)
    layout.setContentsMargins(0, 0, 0, 0)
    for item in items:
        if item is None:
            layout.addStretch(1)
        elif isinstance(item, tuple):
            layout.addWidget(*item)
        elif isinstance(item, QLayout):
            layout.addLayout(item)
        else:
            layout.addWidget(item)
    return pane


def side_by_side(left: QWidget, right: QWidget, sizes: Sequence[int]) -> QSplitter:
    """A list on the left and its detail on the right, the divider movable by the user."""
    splitter = QSplitter(Qt.Orientation.Horizontal)
    splitter.addWidget(left)
    splitter.addWidget(right)
    splitter.setSizes(list(sizes))
    return splitter


def scroll_page(owner: QWidget, inner: QWidget) -> QScrollArea:
    """Make ``inner`` the scrolling body of ``owner`` (edge to edge), so long forms still fit
    a 1366x768 screen."""
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setWidget(inner)
    layout = QVBoxLayout(owner)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(scroll)
    return scroll


def read_only_table(table: QTableWidget, name: str, headers: Sequence[str]) -> QTableWidget:
    """Set up a read-only, whole-row, single-selection table with an accessible name.

    Tab leaves the table (arrows move within it); columns fit their contents and the last
    one stretches. Callers that want other column sizing change it afterwards.
    """
    table.setColumnCount(len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setAccessibleName(name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setTabKeyNavigation(False)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


def unnamed_controls(root: QWidget) -> list[QWidget]:
    """Every control under ``root`` that takes keyboard focus but has no accessible name.

    A screen reader announces a control by that name, so each must have one. The parts Qt
    builds inside a control (a combo's or date's text box, scroll bars, a table's viewport)
    are announced through their owner and are skipped. Tests call this on each screen.
    """
    missing = []
    for widget in root.findChildren(QWidget):
        if widget.focusPolicy() == Qt.FocusPolicy.NoFocus or _qt_internal(widget):
            continue
        if type(widget) in (QScrollArea, QStackedWidget):
            continue  # a frame, not a control: its contents carry the names
        if not widget.accessibleName().strip():
            missing.append(widget)
    return missing


def keyboard_problems(root: QWidget) -> list[str]:
    """What a keyboard or screen-reader user would trip on under ``root``: controls with no
    accessible name, and text boxes that swallow Tab (so focus cannot leave them)."""
    problems = [f"unnamed {type(c).__name__} {getattr(c, 'text', lambda: '')()!r}"
                for c in unnamed_controls(root)]
    problems += [f"Tab is trapped in {box.accessibleName()!r}"
                 for box in root.findChildren(QWidget)
                 if isinstance(box, QPlainTextEdit | QTextEdit) and box.isEnabled()
                 and not box.tabChangesFocus()]
    return problems


def mnemonics(root: QWidget) -> list[tuple[str, str]]:
    """Every Alt+letter a person can press in ``root``'s window right now, with where it is:
    the menu bar's titles and the visible labels (with a buddy), buttons and tabs."""
    window = root.window()
    found: list[tuple[str, str]] = []

    def add(text: str, where: str) -> None:
        key = QKeySequence.mnemonic(text).toString()
        if key:
            found.append((key, f"{where} {text.replace('&&', '').strip()!r}"))

    if isinstance(window, QMainWindow) and window.menuWidget() is not None:
        for action in window.menuBar().actions():
            if action.isVisible():
                add(action.text(), "menu")
    for widget in window.findChildren(QWidget):
        if not widget.isVisible():
            continue
        if isinstance(widget, QLabel) and widget.buddy() is not None:
            add(widget.text(), "label")
        elif isinstance(widget, QAbstractButton) and not isinstance(widget, QToolButton):
            add(widget.text(), "button")
        elif isinstance(widget, QTabBar):
            for index in range(widget.count()):
                add(widget.tabText(index), "tab")
    return found


def mnemonic_clashes(root: QWidget) -> list[str]:
    """Alt+letters that two visible things share (Qt then only cycles between them, so
    Alt+G meant for "Add goal" would open the Go menu instead)."""
    by_key: dict[str, list[str]] = {}
    for key, where in mnemonics(root):
        by_key.setdefault(key, []).append(where)
    return [f"{key}: {', '.join(places)}" for key, places in sorted(by_key.items())
            if len(places) > 1]


def with_mnemonics(texts: Sequence[str]) -> list[str]:
    """Each text with its own Alt-letter, for a menu built from names that have none (the Go
    menu's page titles, in whatever language): the first free letter that starts a word, else
    the first free letter anywhere. A text with no free letter is left without one."""
    taken: set[str] = set()
    marked = []
    for text in texts:
        starts = [i for i, c in enumerate(text) if c.isalnum() and (i == 0 or text[i - 1] == " ")]
        rest = [i for i, c in enumerate(text) if c.isalnum() and i not in starts]
        free = next((i for i in starts + rest if text[i].lower() not in taken), None)
        if free is None:
            marked.append(text.replace("&", "&&"))
            continue
        taken.add(text[free].lower())
        marked.append(text[:free].replace("&", "&&") + "&" + text[free:].replace("&", "&&"))
    return marked


def menu_mnemonic_problems(bar: QMenuBar) -> list[str]:
    """Items of a menu bar's menus with no Alt-letter or one another item of the same menu has
    (Qt then only moves between them: nothing is chosen)."""
    problems = []
    for title in bar.actions():
        if title.menu() is None or not title.isVisible():
            continue
        seen: dict[str, str] = {}
        for action in title.menu().actions():
            if action.isSeparator() or not action.isVisible():
                continue
            name = f"{title.text()} > {action.text()}"
            key = QKeySequence.mnemonic(action.text()).toString()
            if not key:
                problems.append(f"no Alt-letter: {name}")
            elif key in seen:
                problems.append(f"{key} twice: {seen[key]}, {name}")
            else:
                seen[key] = name
    return problems


def literal_ampersands(root: QWidget) -> list[str]:
    """Labels that would show a stray "&": a mnemonic with no field to jump to."""
    return [label.text() for label in root.findChildren(QLabel)
            if label.isVisible() and label.buddy() is None and label.textFormat()
            != Qt.TextFormat.RichText and _has_mnemonic(label.text())
            and not label.text().lstrip().startswith("<")]


def never_cut(widget: QWidget) -> QWidget:
    """A button or tick box keeps room for its whole text: a row that is short of space
    squeezes the stretchy fields (search boxes, lists) instead (150% scaling cut them)."""
    widget.setSizePolicy(QSizePolicy.Policy.Minimum, widget.sizePolicy().verticalPolicy())
    return widget


def clears_on_escape(search: QLineEdit) -> QLineEdit:
    """Escape in a search box empties it, as in a web browser's or the file manager's: the
    box's clear button is for the mouse only, and Ctrl+A then Delete is two keys more."""
    QShortcut(QKeySequence(Qt.Key.Key_Escape), search, search.clear,
              context=Qt.ShortcutContext.WidgetShortcut)
    return search


def cut_off(root: QWidget) -> list[str]:
    """Visible labels, buttons and ticks under ``root`` too small for their own text (what a
    1366x768 screen or 150% scaling cuts). Inside a scroll area nothing is cut: it scrolls."""
    found = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisible() or _scrolls(widget, root):
            continue
        if isinstance(widget, QLabel) and widget.text() and widget.pixmap().isNull():
            short = (widget.heightForWidth(widget.width()) > widget.height() + 1
                     if widget.wordWrap()
                     else widget.minimumSizeHint().width() > widget.width() + 1)
        elif isinstance(widget, QAbstractButton) and not isinstance(widget, QToolButton):
            short = widget.sizeHint().width() > widget.width() + 1
        else:
            continue
        if short:
            found.append(f"{type(widget).__name__} {widget.text()!r}")
    return found


def _scrolls(widget: QWidget, root: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not root:
        if isinstance(parent, QScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def _has_mnemonic(text: str) -> bool:
    return bool(QKeySequence.mnemonic(text).toString())


def _qt_internal(widget: QWidget) -> bool:
    if isinstance(widget, QScrollBar | QHeaderView):
        return True
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractSpinBox | QComboBox):
            return True
        parent = parent.parentWidget()
    return bool(widget.objectName().startswith("qt_"))


def long_date(day: dt.date) -> str:
    """"Wednesday 11/03/2026": the day's name helps, the date stays dd/mm/yyyy."""
    return f"{QLocale().dayName(day.isoweekday())} {day.strftime('%d/%m/%Y')}"


def local_moment(at: dt.datetime, seconds: bool = True) -> str:
    """A UTC moment from the database as the clock on the wall shows it (GMT or BST here),
    dd/mm/yyyy HH:MM[:SS]; the same on every screen."""
    local = at.replace(tzinfo=dt.UTC).astimezone()
    return f"{format_date(local.date())} {local:%H:%M:%S}" if seconds else \
        f"{format_date(local.date())} {local:%H:%M}"


class _Activator(QObject):
    """Event filter: Enter/Return on the view calls ``callback(current index)``."""

    def __init__(self, view: QAbstractItemView, callback: Callable[[QModelIndex], None]) -> None:
        super().__init__(view)
        self.view, self.callback = view, callback

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt API
        enter = (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        )
        if enter and self.view.currentIndex().isValid():
            self.callback(self.view.currentIndex())
            return True
        return False


class _TabLeaves(QObject):
    """Event filter: Tab / Shift+Tab move on from a date or time box (Qt's own walks the
    day/month/year parts with Tab, a keyboard trap; "/" and the arrow keys still do that)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and (
                event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab)):
            backwards = event.key() == Qt.Key.Key_Backtab or bool(
                event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            box = watched if isinstance(watched, QWidget) else None
            if box is not None:
                QWidget.focusNextPrevChild(box, not backwards)
                return True
        return False


def tab_leaves(box: QAbstractSpinBox) -> QAbstractSpinBox:
    """Make Tab leave a date/time box like every other field; returns the box."""
    box.installEventFilter(_TabLeaves(box))
    return box


def on_activate(view: QAbstractItemView, callback: Callable[[QModelIndex], None]) -> None:
    """Double-click or Enter on a row calls ``callback(index)``."""
    view.doubleClicked.connect(callback)
    view.installEventFilter(_Activator(view, callback))


class MessageBar(QFrame):
    """A strip above the work area for errors (stay until closed) and notices (fade out).

    Its space is kept while it is hidden (one line high), so "Saved." appearing and fading
    never moves the page under the pointer: a click always lands where the person aimed.
    Only an error longer than a line makes it grow.
    """

    NOTICE_MS = 4000

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(translate("widgets", "Messages"))
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setAccessibleName(translate("widgets", "Message"))
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setToolTip(translate("widgets", "Dismiss (Esc)"))
        self.close_button.setAccessibleName(translate("widgets", "Dismiss message"))
        self.close_button.clicked.connect(self.hide)
        layout.addWidget(self.close_button)
        self._timer = QTimer(self, singleShot=True, timeout=self.hide)
        self.kind = ""
        policy = self.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.setSizePolicy(policy)
        self.setMinimumHeight(self.sizeHint().height())
        self.hide()

    def show_error(self, text: str) -> None:
        self._show(text, "error", "#fde7e9", "#a4262c")

    def show_notice(self, text: str) -> None:
        if self.isVisible() and self.kind == "error":
            return  # an unread error is more important than "Saved"
        self._show(text, "notice", "#dff6dd", "#107c10")
        self._timer.start(self.NOTICE_MS)

    def _show(self, text: str, kind: str, background: str, border: str) -> None:
        self._timer.stop()
        self.kind = kind
        self.label.setText(text)
        self.setStyleSheet(
            f"MessageBar {{ background: {background}; border: 1px solid {border}; }}"
        )
        self.setAccessibleDescription(text)
        self.show()

    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""


class PersonTable(QTableWidget):
    """A small read-only table whose rows each open a person (Enter or double-click)."""

    person_activated = Signal(str)

    def __init__(self, columns: Sequence[str], name: str, parent: QWidget | None = None) -> None:
        super().__init__(0, len(columns), parent)
        read_only_table(self, name, columns)
        self.setAlternatingRowColors(True)
        on_activate(self, self._activated)

    def fill(self, rows: Sequence[tuple[str, Sequence[str], bool]]) -> None:
        """Rows of (person id, cell texts, overdue?)."""
        self.setRowCount(len(rows))
        for r, (person_id, cells, overdue) in enumerate(rows):
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(ID_ROLE, person_id)
                if len(text) > 30:
                    item.setToolTip(text)  # a long task or note cut by a narrow column
                if overdue:
                    item.setForeground(QBrush(OVERDUE_COLOUR))
                self.setItem(r, c, item)
        if rows and self.currentRow() < 0:
            self.setCurrentCell(0, 0)

    def person_at(self, row: int) -> str | None:
        item = self.item(row, 0)
        return item.data(ID_ROLE) if item else None

    def _activated(self, index: QModelIndex) -> None:
        person_id = self.person_at(index.row())
        if person_id:
            self.person_activated.emit(person_id)


class WorkerPicker(QComboBox):
    """Whose caseload to show: everyone, the unassigned, or one worker (with their count).

    Shown to managers only; for a link worker it stays hidden and ``worker_id`` is their own.
    """

    ready = Signal()

    def __init__(self, parent: QWidget | None = None, *, unassigned: bool = True) -> None:
        super().__init__(parent)
        self.setAccessibleName(translate("widgets", "Worker"))
        self.setToolTip(translate("widgets", "Show another worker's caseload"))
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.unassigned = unassigned
        self.options: FilterOptions | None = None
        self.actor_id: str | None = None
        self.buddy_label: QLabel | None = None
        self.setVisible(False)

    def request(self, runner: Runner, actor: Actor) -> None:
        """Load the workers through the runner; ``ready`` fires when they are in.

        The first time, only the actor's own count is read (quick), so the page can show its
        rows; a manager's per-worker counts follow and only relabel the list."""
        self.actor_id = actor.user_id
        own_only = self.options is None

        def arrived(options: FilterOptions) -> None:
            self.apply(options)
            if not options.counted:
                runner.read(lambda job: filter_options(job.caseload, actor),
                            while_alive(self, lambda full: self.apply(full, announce=False)),
                            label=translate("widgets", "Counting caseloads"))

        runner.read(lambda job: filter_options(job.caseload, actor, own_count_only=own_only),
                    while_alive(self, arrived), label=translate("widgets", "Loading workers"))

    def apply(self, options: FilterOptions, *, announce: bool = True) -> None:
        """Fill the list; the first time, choose the default (see ``default_worker``).
        ``announce``: emit ``ready`` (not when only the counts beside the names changed)."""
        first = self.options is None
        self.options = options
        wanted = default_worker(options, self.actor_id) if first else self.worker_id()
        self.blockSignals(True)
        self.clear()
        self.addItem(translate("widgets", "All workers"), None)
        if self.unassigned:
            self.addItem(translate("widgets", "Unassigned"), UNASSIGNED)
        for worker in options.workers:
            self.addItem(f"{worker.name} ({worker.people})" if options.counted else worker.name,
                         worker.id)
        index = self.findData(wanted)
        self.setCurrentIndex(index if index >= 0 else 0)
        self.blockSignals(False)
        self.setVisible(options.can_switch_worker)
        if self.buddy_label is not None:
            self.buddy_label.setVisible(options.can_switch_worker)
        if announce:
            self.ready.emit()

    def worker_id(self) -> str | None:
        """The chosen worker; a link worker (no switcher) always gets their own id."""
        if self.options is None or not self.options.can_switch_worker:
            return self.actor_id
        return self.currentData()

    def select(self, worker_id: str | None) -> None:
        index = self.findData(worker_id)
        if index >= 0:
            self.setCurrentIndex(index)

    def labelled(self, text: str) -> QLabel:
        """A mnemonic label for the picker that hides with it."""
        self.buddy_label = QLabel(text)
        self.buddy_label.setBuddy(self)
        self.buddy_label.setVisible(self.isVisible())
        return self.buddy_label


def default_worker(options: FilterOptions, actor_id: str | None) -> str | None:
    """The signed-in worker's own caseload; everyone for a manager with no people of their own."""
    own = next((w for w in options.workers if w.id == actor_id), None)
    if own is not None and (own.people or not options.can_switch_worker):
        return own.id
    return None if options.can_switch_worker else actor_id


class WorkerPage(QWidget):
    """A page of one worker's lists (Today, Due and overdue): the worker switcher for managers,
    a refresh when the runner announces a change the page cares about, and ``open_person``.

    Subclasses build their widgets in ``_build`` (``self.worker`` already exists) and query in
    ``refresh``.
    """

    open_person = Signal(str)
    loaded = Signal(object)
    CARES_ABOUT: frozenset[str] = frozenset()

    def __init__(self, runner: Runner, actor: Actor, parent: QWidget | None = None, *,
                 clock: Callable[[], dt.date] = dt.date.today) -> None:
        super().__init__(parent)
        self.runner, self.actor, self.clock = runner, actor, clock
        self.worker = WorkerPicker(unassigned=False)
        self._build()
        self.worker.currentIndexChanged.connect(self.refresh)
        self.worker.ready.connect(self.refresh)
        runner.changed.connect(self._changed)
        self.worker.request(runner, actor)

    def _build(self) -> None:
        raise NotImplementedError

    def refresh(self) -> None:
        raise NotImplementedError

    def _changed(self, tags: frozenset[str]) -> None:
        if "users" in tags:
            self.worker.request(self.runner, self.actor)
        elif tags & self.CARES_ABOUT:
            self.refresh()


QWIDGETSIZE_MAX = (1 << 24) - 1  # Qt's "no limit" for a widget's size


class FittedLabel(QLabel):
    """A label of a fixed size that holds the widest of the texts it may show: a new text of
    another width then lays nothing out again (a count beside a search box changes at every
    keystroke, issue 15). ``texts`` gives them in the current language; the size is worked
    out again when the language or the font changes."""

    def __init__(self, texts: Callable[[], Sequence[str]], parent: QWidget | None = None):
        super().__init__("", parent)
        self._texts = texts
        self.fit()

    def fit(self) -> None:
        metrics, shown = self.fontMetrics(), self.text()
        widest = max(self._texts(), key=metrics.horizontalAdvance, default="")
        self.setMinimumSize(0, 0)  # Qt's measure would not go under the last size
        self.setMaximumSize(QWIDGETSIZE_MAX, QWIDGETSIZE_MAX)
        self.setText(widest)  # Qt's own measure of it, margins and all
        hint = self.sizeHint()
        self.setText(shown)
        self.setFixedSize(hint)

    def changeEvent(self, event: QEvent) -> None:  # Qt API
        super().changeEvent(event)
        if event.type() in (QEvent.Type.LanguageChange, QEvent.Type.FontChange):
            self.fit()
