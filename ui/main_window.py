"""The main window: navigation and hosting, nothing else.

A left-hand list gives each job a home (Today, My caseload, Due and overdue, Directory,
Reports, Settings, Drop-in register; Ctrl+1..7); a coordinator lands on the drop-in register.
The pages are their own view/controller pairs, built the first time they are shown; the
person's record opens as a closable tab beside them. The window also owns the things every
page shares: the message bar (errors from the runner, "Saved" notices, never a modal dialog
for a routine save), the status bar with the runner's progress and a busy indicator, and the
menus.

Pages are placed by ``PAGES`` and imported lazily (start-up builds only the caseload list);
every part must be in the build: a missing one is an import error, never a silent stand-in.
After sign-in the window runs the caseload's housekeeping in the background (custom
instruments, journeys whose review window opened while the app was closed), after the first
rows of the caseload list, so a link worker's day never waits on it.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QT_TRANSLATE_NOOP, QModelIndex, QPersistentModelIndex, QSize, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QGuiApplication,
    QKeySequence,
    QPainter,
    QPalette,
    QShortcut,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from linkworker.access import Actor, can
from linkworker.launch import Prepared, prepare_caseload
from linkworker.memory import forget_source_lines
from ui.caseload_view import CaseloadView
from ui.collector import freeze_start_up
from ui.i18n import tr, translate
from ui.operations import SAID, Runner
from ui.widgets import MessageBar, with_mnemonics

log = logging.getLogger(__name__)

SHORTCUT_ROLE = Qt.ItemDataRole.UserRole + 2
KEY_ROLE = Qt.ItemDataRole.UserRole + 3


@dataclass(frozen=True)
class Part:
    """One widget on a page, built by ``module.name(runner, actor)`` if the role may use it."""

    title: str
    module: str
    name: str
    permission: str | None = None
    dated: bool = False  # takes ``clock=`` (tests pin "today")


@dataclass(frozen=True)
class Page:
    key: str
    title: str
    parts: tuple[Part, ...]


PAGES: tuple[Page, ...] = (
    Page(
        "today",
        "Today",
        (Part(QT_TRANSLATE_NOOP("Pages", "Today"), "ui.today_view", "TodayView", dated=True),),
    ),
    Page(
        "caseload",
        "My caseload",
        (
            Part(
                QT_TRANSLATE_NOOP("Pages", "My caseload"),
                "ui.caseload_view",
                "CaseloadView",
                dated=True,
            ),
        ),
    ),
    Page(
        "due",
        "Due and overdue",
        (
            Part(
                QT_TRANSLATE_NOOP("Pages", "Due and overdue"), "ui.due_view", "DueView", dated=True
            ),
        ),
    ),
    Page(
        "directory",
        "Directory",
        (Part(QT_TRANSLATE_NOOP("Pages", "Directory"), "ui.directory_view", "DirectoryView"),),
    ),
    Page(
        "reports",
        "Reports",
        (
            Part(
                QT_TRANSLATE_NOOP("Pages", "Outcome returns"),
                "ui.returns",
                "ReturnsScreen",
                "report.view",
            ),
            Part(
                QT_TRANSLATE_NOOP("Pages", "Wellbeing summary"),
                "ui.wellbeing.summary_view",
                "SummaryView",
            ),
        ),
    ),
    Page(
        "settings",
        "Settings",
        (
            Part(
                QT_TRANSLATE_NOOP("Pages", "Settings"), "ui.admin", "SettingsView", "settings.edit"
            ),
            Part(QT_TRANSLATE_NOOP("Pages", "Users"), "ui.admin", "UsersView", "users.manage"),
            Part(QT_TRANSLATE_NOOP("Pages", "Audit trail"), "ui.admin", "AuditView", "audit.view"),
            Part(
                QT_TRANSLATE_NOOP("Pages", "Contracts"),
                "ui.returns",
                "ContractEditor",
                "contract.edit",
            ),
        ),
    ),
    Page(
        "register",
        "Drop-in register",
        (
            Part(
                QT_TRANSLATE_NOOP("Pages", "Drop-in register"),
                "ui.dropin_view",
                "DropinView",
                "attendance.record",
                dated=True,
            ),
        ),
    ),
)

# Pieces that are not pages: resolved the same lazy way.
RECORD = Part(QT_TRANSLATE_NOOP("Pages", "Record"), "ui.record", "RecordView")
REFERRAL = Part(
    QT_TRANSLATE_NOOP("Pages", "New referral"), "ui.referral", "ReferralView", "person.create"
)
IMPORT = Part(QT_TRANSLATE_NOOP("Pages", "Import"), "ui.io", "ImportWizard", "data.import")
EXPORT = Part(
    QT_TRANSLATE_NOOP("Pages", "Export everything"),
    "ui.io",
    "export_everything",
    "data.export",
)
LOCK = Part(QT_TRANSLATE_NOOP("Pages", "Lock"), "ui.lock", "LockGuard")
WORDING = Part(
    QT_TRANSLATE_NOOP("Pages", "Licensed wording"),
    "ui.wellbeing.wording_dialog",
    "LoadWordingDialog",
    "wording.load",
)
PASSWORD = Part(
    QT_TRANSLATE_NOOP("main_window", "Change my password"), "ui.signin", "ChangePasswordDialog"
)
NOT_FOR_ROLE = QT_TRANSLATE_NOOP("main_window", "Your role does not use this page.")
FALLBACK_START_MS = 15_000
# Tags announced after start-up housekeeping (not a save: no "Saved." notice).
STARTUP_TAGS = frozenset({"startup", "episodes"})


def resolve(part: Part) -> Any:
    """The class or function a part names (imported on first use, to keep start-up quick).

    Every part ships with the app, so a missing one raises (ImportError/AttributeError)
    rather than showing a stand-in: the tests that open every page catch it.
    """
    found = getattr(importlib.import_module(part.module), part.name)
    forget_source_lines()  # what Qt's import hook read of the modules just imported
    return found


def page_allowed(page: Page, actor: Actor) -> bool:
    """A page is offered if the role may use at least one of its parts."""
    return any(part.permission is None or can(actor, part.permission) for part in page.parts)


def _not_for_role(title: str) -> QLabel:
    label = QLabel(translate("main_window", NOT_FOR_ROLE))
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setAccessibleName(
        translate("main_window", "{title} (not for your role)").format(title=title)
    )
    return label


class _NavDelegate(QStyledItemDelegate):
    """Draws each page's shortcut right-aligned and dimmed, so the keys are always visible."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        super().paint(painter, option, index)
        keys = index.data(SHORTCUT_ROLE)
        if not keys:
            return
        painter.save()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        colours = QPalette.ColorRole
        painter.setPen(option.palette.color(
            colours.HighlightedText if selected else colours.PlaceholderText))
        painter.drawText(option.rect.adjusted(0, 0, -8, 0),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, keys)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem,  # Qt API
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width() + 60, max(size.height(), 30))


class MainWindow(QMainWindow):
    """Navigation, the pages, record tabs, menus, message bar and status bar."""

    def __init__(self, runner: Runner, actor: Actor, parent: QWidget | None = None, *,
                 clock: Callable[[], dt.date] = dt.date.today) -> None:
        super().__init__(parent)
        self.runner, self.actor, self.clock = runner, actor, clock
        self.pages: dict[str, QWidget] = {}
        self.actions: dict[str, QAction] = {}
        self._dialogs: list[QWidget] = []
        self.setWindowTitle(
            translate("main_window", "LinkWorker — {name}").format(name=runner.caseload.path.name)
        )
        self._build()
        self._menus()
        self._connect_runner()
        self.lock_guard = self._lock_guard()
        self.successor: MainWindow | None = None
        self.lock_guard.switched.connect(self.switch_to)
        self._land()  # the default view, ready to type a name
        self._fit_to_screen()
        self.prepared: Prepared | None = None
        self._started = False
        self._waiting: list[Callable[[], None]] = []  # ``when_started`` callers
        self.when_started(self.lock_guard.watch)  # idle watch after the first rows (issue 15)
        self._after_first_rows(self._start_background_work)
        # should the list never answer (an error shown in the message bar), start anyway
        QTimer.singleShot(FALLBACK_START_MS, self, self._start_background_work)

    # --- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        self.nav = QListWidget()
        self.nav.setAccessibleName(translate("main_window", "Pages"))
        self.nav.setItemDelegate(_NavDelegate(self.nav))
        for number, page in enumerate(PAGES, start=1):
            item = QListWidgetItem(tr("Pages", page.title))
            keys = f"Ctrl+{number}"
            item.setData(SHORTCUT_ROLE, keys)
            item.setData(KEY_ROLE, page.key)
            item.setToolTip(f"{tr('Pages', page.title)} ({keys})")
            if not page_allowed(page, self.actor):
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled
                              & ~Qt.ItemFlag.ItemIsSelectable)
                item.setToolTip(
                    translate("main_window", "{title}: not used by your role").format(
                        title=tr("Pages", page.title)
                    )
                )
            self.nav.addItem(item)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nav.setFixedWidth(self.nav.sizeHintForColumn(0) + 2 * self.nav.frameWidth() + 24)
        self.nav.currentRowChanged.connect(lambda row: self.go(PAGES[row].key))
        self.stack = QStackedWidget()
        for page in PAGES:
            holder = QWidget()
            holder.setAccessibleName(tr("Pages", page.title))
            QVBoxLayout(holder).setContentsMargins(6, 6, 6, 6)
            self.stack.addWidget(holder)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(translate("main_window", "Open pages and records"))
        self.tabs.setTabsClosable(True)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.stack, translate("main_window", "My caseload"))
        self.tabs.tabBar().setTabButton(0, self.tabs.tabBar().ButtonPosition.RightSide, None)
        self.tabs.tabCloseRequested.connect(self.close_tab)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.messages = MessageBar()
        work = QWidget()
        column = QVBoxLayout(work)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.messages)
        column.addWidget(self.tabs, 1)
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(4, 4, 4, 0)
        row.addWidget(self.nav)
        row.addWidget(work, 1)
        self.setCentralWidget(central)
        self._status_bar()

    def _status_bar(self) -> None:
        bar = self.statusBar()
        who = self.actor.label
        role = self.actor.role.replace("_", " ")
        self.signed_in = QLabel(
            translate("main_window", "Signed in as {who} ({role})").format(who=who, role=role)
        )
        self.signed_in.setAccessibleName(translate("main_window", "Signed in as"))
        self.progress = QProgressBar()
        self.progress.setAccessibleName(translate("main_window", "Progress"))
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(True)
        self.progress.hide()
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.signed_in)
        self.sync_status: QWidget | None = None  # the sync corner, once the first rows are up
        self._busy_timer = QTimer(self, singleShot=True, interval=300, timeout=self._show_busy)

    def _sync_corner(self) -> None:
        """The sync corner (issue 14) joins the status bar, between the progress bar and who is
        signed in, once the first rows are up: its module and the core's sync modules (about
        0.1 s of imports) and its status reads would otherwise stand in front of them (issue 15)."""
        from ui.sync_view import SyncStatus

        self.sync_status = SyncStatus(self.runner, self.actor, self)
        bar = self.statusBar()
        bar.insertPermanentWidget(1, self.sync_status)  # 0: the progress bar

    def _fit_to_screen(self) -> None:
        """1280x720 where there is room, never larger than the screen (1366x768 laptops)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        available = screen.availableGeometry() if screen else None
        width, height = 1280, 720
        if available is not None:
            width = min(width, available.width() - 20)
            height = min(height, available.height() - 40)
        self.setMinimumSize(min(960, width), min(540, height))
        self.resize(width, height)

    # --- menus ----------------------------------------------------------------------------

    def _action(self, key: str, text: str, keys: str | None, slot: Callable[[], Any],
                enabled: bool = True) -> QAction:
        action = QAction(text, self)
        if keys:
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setEnabled(enabled)
        action.triggered.connect(lambda _checked=False: slot())
        self.actions[key] = action
        return action

    def _menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu(self.tr("&File"))
        file.addAction(self._action("new_referral", self.tr("New &referral…"), "Ctrl+R",
                                    self.new_referral, self._allowed(REFERRAL)))
        file.addSeparator()
        file.addAction(self._action("import", self.tr("&Import…"), None, self.import_data,
                                    self._allowed(IMPORT)))
        file.addAction(self._action("export", self.tr("&Export everything…"), None,
                                    self.export_all, self._allowed(EXPORT)))
        file.addAction(self._action("wording", self.tr("Licensed &wording…"), None,
                                    self.load_wording, self._allowed(WORDING)))
        file.addSeparator()
        file.addAction(self._action("lock", self.tr("&Lock"), "Ctrl+L", self.lock))
        file.addAction(self._action("sign_out", self.tr("Sign &out / switch user"), None,
                                    self.sign_out, self.actor.user_id is not None))
        file.addAction(self._action("password", self.tr("Change my &password…"), None,
                                    self.change_password, self.actor.user_id is not None))
        file.addAction(self._action("quit", self.tr("&Quit"), "Ctrl+Q", self.close))
        go = bar.addMenu(self.tr("&Go"))
        titles = with_mnemonics([tr("Pages", page.title) for page in PAGES])
        for number, (page, title) in enumerate(zip(PAGES, titles, strict=True), start=1):
            go.addAction(
                self._action(
                    f"go_{page.key}",
                    title,
                    f"Ctrl+{number}",
                    lambda key=page.key: self.go(key),
                    page_allowed(page, self.actor),
                )
            )
        person = bar.addMenu(self.tr("&Person"))
        person.addAction(self._action("quick_note", self.tr("Quick &note"), "Ctrl+N",
                                      self.quick_note, enabled=False))
        person.addAction(self._action("search", self.tr("Go to &search"), "Ctrl+F",
                                      self.go_to_search))
        person.addAction(self._action("close_tab", self.tr("&Close record"), "Ctrl+W",
                                      lambda: self.close_tab(self.tabs.currentIndex())))
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addAction(self._action("guide", self.tr("&User guide (this screen)"), "F1",
                                         self.show_guide))
        help_menu.addAction(self._action("about", self.tr("&About LinkWorker"), None,
                                         self.about))

    def _allowed(self, part: Part) -> bool:
        return part.permission is None or can(self.actor, part.permission)

    # --- pages ----------------------------------------------------------------------------

    def go(self, key: str) -> QWidget:
        """Show a page (building it the first time) and return its main widget."""
        index = next(i for i, page in enumerate(PAGES) if page.key == key)
        widget = self.pages.get(key) or self._build_page(PAGES[index])
        if self.stack.currentIndex() != index or self.tabs.currentIndex() != 0:
            self.runner.settle()  # a page left: what it read can go back once all is quiet
        self.stack.setCurrentIndex(index)
        self.tabs.setTabText(0, tr("Pages", PAGES[index].title))
        self.tabs.setCurrentIndex(0)
        self.nav.blockSignals(True)
        self.nav.setCurrentRow(index)
        self.nav.blockSignals(False)
        return widget

    def page(self, key: str) -> QWidget:
        return self.pages.get(key) or self.go(key)

    def _build_page(self, page: Page) -> QWidget:
        holder = self.stack.widget(next(i for i, p in enumerate(PAGES) if p.key == page.key))
        parts = [p for p in page.parts if self._allowed(p)]
        if not parts:
            widget: QWidget = _not_for_role(tr("Pages", page.title))
        elif len(parts) == 1:
            widget = self._build_part(parts[0])
        else:
            widget = QTabWidget()
            widget.setAccessibleName(tr("Pages", page.title))
            for part in parts:
                widget.addTab(self._build_part(part), tr("Pages", part.title))
        if page.key == "settings" and self._allowed(WORDING):
            widget = self._with_wording_button(widget)
        holder.layout().addWidget(widget)
        self._window_keys_win(widget)
        self.pages[page.key] = widget
        return widget

    def _build_part(self, part: Part) -> QWidget:
        factory = resolve(part)
        if part.dated:
            view = factory(self.runner, self.actor, clock=self.clock)
        else:
            view = factory(self.runner, self.actor)
        self._connect_opening(view)
        return view

    def _with_wording_button(self, widget: QWidget) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        button = QPushButton(translate("main_window", "Load &licensed wording…"))
        button.setAccessibleName(translate("main_window", "Load licensed wording"))
        button.clicked.connect(self.load_wording)
        layout.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(widget, 1)
        return box

    def _connect_opening(self, widget: QWidget) -> None:
        """Any view that can open a person does it through ``show_person``."""
        for name in ("open_person", "person_opened"):
            signal = getattr(widget, name, None)
            if signal is not None and hasattr(signal, "connect"):
                signal.connect(self.show_person)
        if (wanted := getattr(widget, "referral_wanted", None)) is not None:
            wanted.connect(self.new_referral)  # the drop-in register's "New self-referral"

    def _land(self) -> None:
        """The first page: the caseload search, ready to type a name; a coordinator's is the
        drop-in register (their day at their venue). The caseload page is built first for
        every role: start-up's background work waits for its first rows, and a caseload
        page built later, with the window on screen, took the window's focus away
        (offscreen, the next Ctrl+3 went nowhere)."""
        self.go_to_search()
        if self.actor.role == "coordinator" and page_allowed(PAGES[-1], self.actor):  # "register"
            self.go("register").focus_first()

    def go_to_search(self) -> None:
        """Ctrl+F: the search box of the page on screen if it has one (the directory), else
        the caseload's, ready to type a name."""
        if self.tabs.currentIndex() == 0:
            here = self.pages.get(PAGES[self.stack.currentIndex()].key)
            search = getattr(here, "search", None)
            if isinstance(search, QLineEdit) and not isinstance(here, CaseloadView):
                search.setFocus(Qt.FocusReason.ShortcutFocusReason)
                search.selectAll()
                return
        view = self.go("caseload")
        if isinstance(view, CaseloadView):
            view.focus_search()

    # --- record tabs ----------------------------------------------------------------------

    def show_person(self, person_id: str) -> QWidget:
        """Open (or bring forward) the person's record as a tab."""
        for index in range(1, self.tabs.count()):
            widget = self.tabs.widget(index)
            if widget.property("person_id") == person_id:
                self.tabs.setCurrentIndex(index)
                return widget
        widget = resolve(RECORD)(self.runner, self.actor, person_id)
        widget.setProperty("person_id", person_id)
        self._connect_opening(widget)
        self._window_keys_win(widget)
        index = self.tabs.addTab(widget, translate("main_window", "Opening…"))
        self.tabs.setTabToolTip(index, translate("main_window", "Close with Ctrl+W"))
        titles = getattr(widget, "title_changed", None) or widget.windowTitleChanged
        titles.connect(lambda title, w=widget: self._retitle(w, title))
        self.tabs.setCurrentIndex(index)
        # The list that opened it is hidden now: the keyboard goes to the record, so its keys
        # (Ctrl+N, Ctrl+M, Alt+4) work at once instead of landing nowhere.
        getattr(widget, "tabs", widget).setFocus(Qt.FocusReason.OtherFocusReason)
        return widget

    def _window_keys_win(self, widget: QWidget) -> None:
        """A page's or record's own shortcut for a key the window's menus hold (Ctrl+N,
        Ctrl+F) would make the key ambiguous, and Qt would then do nothing; the menu's action
        does the same job (``go_to_search`` uses the page's own search box)."""
        taken = {a.shortcut() for a in self.actions.values() if not a.shortcut().isEmpty()}
        for shortcut in widget.findChildren(QShortcut):
            if shortcut.key() in taken:
                shortcut.setEnabled(False)
            # A hosted view's keys belong to that view: PySide6 ignores the ``context=``
            # given to QShortcut's callable constructor, leaving it window-wide, where a
            # record's Ctrl+S and a referral's Ctrl+S would make each other do nothing.
            if shortcut.context() == Qt.ShortcutContext.WindowShortcut:
                shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def _retitle(self, widget: QWidget, title: str) -> None:
        index = self.tabs.indexOf(widget)
        if index > 0 and title:
            self.tabs.setTabText(index, title)

    def record_tabs(self) -> list[QWidget]:
        return [self.tabs.widget(i) for i in range(1, self.tabs.count())]

    def close_tab(self, index: int) -> bool:
        """Close a record tab, asking the record first if it has unsaved changes."""
        if index <= 0:
            return False
        widget = self.tabs.widget(index)
        maybe_close = getattr(widget, "maybe_close", None)
        if maybe_close is not None and not maybe_close():
            return False
        self.tabs.removeTab(index)
        widget.deleteLater()
        self.runner.settle()  # once it is deleted and all is quiet, its memory goes back
        return True

    def _tab_changed(self, index: int) -> None:
        self.actions["quick_note"].setEnabled(
            index > 0 and _quick_note_of(self.tabs.widget(index)) is not None)

    def quick_note(self) -> None:
        note = _quick_note_of(self.tabs.currentWidget())
        if note is not None:
            note()

    # --- file menu ------------------------------------------------------------------------

    def new_referral(self) -> None:
        for widget in self.record_tabs():
            if widget.property("referral"):
                self.tabs.setCurrentWidget(widget)
                widget.focus_first()
                return
        widget = resolve(REFERRAL)(self.runner, self.actor)
        widget.setProperty("referral", True)
        self._connect_opening(widget)
        self._window_keys_win(widget)
        self.tabs.setCurrentIndex(
            self.tabs.addTab(widget, translate("main_window", "New referral"))
        )
        widget.focus_first()  # Ctrl+R: ready to type a name

    def import_data(self) -> QWidget | None:
        if not self._allowed(IMPORT):
            return None
        return self._show_dialog(resolve(IMPORT)(self.runner, self.actor, self))

    def export_all(self, folder: Any = None) -> Any:
        """Export every table (asks for a folder unless given); the job's future."""
        if not self._allowed(EXPORT):
            return None
        return resolve(EXPORT)(self, self.runner, self.actor, folder)

    def load_wording(self) -> QWidget | None:
        if not self._allowed(WORDING):
            return None
        return self._show_dialog(resolve(WORDING)(self.runner, self.actor, self))

    def change_password(self) -> QWidget | None:
        if self.actor.user_id is None:
            return None
        return self._show_dialog(resolve(PASSWORD)(self.runner, self.actor, self))

    def _show_dialog(self, dialog: QWidget) -> QWidget:
        """Non-modal, kept while open: the window behind stays usable (and lockable)."""
        if dialog not in self._dialogs:  # closed, its memory goes back once all is quiet
            runner = self.runner  # not the window: the connection holds what it names
            dialog.finished.connect(lambda *_: runner.settle())
        self._keep(dialog)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def _lock_guard(self) -> Any:
        return resolve(LOCK)(self, self.runner, self.actor, watch=False)

    def lock(self) -> None:
        self.lock_guard.lock_now()

    def sign_out(self) -> bool:
        """File > Sign out: close the records (asking about unsaved edits), then the sign-in
        screen; whoever signs in next gets their own window. False if the user cancelled."""
        for index in range(self.tabs.count() - 1, 0, -1):
            if not self.close_tab(index):
                return False
        self.lock_guard.lock_now(reason="sign_out", signed_out=True)
        return True

    def switch_to(self, actor: Actor) -> MainWindow:
        """Someone else signed in at the lock screen (a shared laptop): a fresh window for
        them; this one drops its pages and records (nothing of the last user stays on
        screen) and hides. The runner, and so the open caseload, carries on."""
        window = MainWindow(self.runner, actor, clock=self.clock)
        self.successor = window
        show_fitted(window)
        self.lock_guard.discard()
        for widget in [*self.record_tabs(), *self.pages.values()]:
            widget.deleteLater()  # nothing of the last user's stays, nothing queries for them
        while self.tabs.count() > 1:
            self.tabs.removeTab(1)
        self.pages.clear()
        self.hide()
        return window

    def guide_topic(self) -> str:
        """What the person is looking at, as a guide topic (F1 opens that page)."""
        here = self.tabs.currentWidget()
        if here is not None and here.property("referral"):
            return "referral"
        if here is not None and here.property("person_id"):
            current = getattr(getattr(getattr(here, "bundle", None), "record", None),
                              "current", None)
            waiting = current is not None and current.stage in ("referred", "contacting")
            return "first_meeting" if waiting else "record"
        key = PAGES[self.stack.currentIndex()].key
        return {"reports": "reports", "settings": "offline"}.get(key, "index")

    def show_guide(self) -> QWidget:
        from ui.guide import GuideWindow

        guide = next((d for d in self._dialogs if isinstance(d, GuideWindow)
                      and shiboken6.isValid(d)), None) or GuideWindow(self)
        guide.show_topic(self.guide_topic())
        return self._show_dialog(guide)

    def about(self) -> None:
        from linkworker.storage.inspect import describe  # Alembic: not at start-up

        caseload = self.runner.caseload
        self.runner.run(
            lambda job: describe(caseload),
            self._show_about,
            label=translate("main_window", "Reading caseload facts"),
        )

    def _show_about(self, facts: list[tuple[str, str]]) -> None:
        rows = "".join(f"<tr><td>{label}</td><td>{value}</td></tr>" for label, value in facts)
        box = QMessageBox(QMessageBox.Icon.Information, "About LinkWorker",
                          "<b>LinkWorker</b>: offline case management for social prescribing."
                          f"<table>{rows}</table>", QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setModal(False)  # facts to read, not a question: the window stays usable
        self._keep(box)
        box.show()

    def _keep(self, dialog: QWidget) -> None:
        """Hold a non-modal dialog while it is open (dropping any that have gone). A closed
        one is deleted here: as the window's child it would otherwise stay for the session,
        one more import wizard at each opening (issue 15, memory)."""
        for closed in [d for d in self._dialogs if d is not dialog and shiboken6.isValid(d)
                       and not d.isVisible()]:
            closed.deleteLater()
        self._dialogs = [d for d in self._dialogs if shiboken6.isValid(d) and d.isVisible()]
        self._dialogs.append(dialog)

    # --- runner ---------------------------------------------------------------------------

    def _connect_runner(self) -> None:
        self.runner.failed.connect(self.messages.show_error)
        self.runner.damaged.connect(self.messages.show_error)
        self.runner.changed.connect(self._saved)
        self.runner.busy.connect(self._busy)
        self.runner.progress.connect(self._progress)

    def _saved(self, tags: frozenset[str]) -> None:
        if not tags & {"startup", SAID}:  # SAID: the screen said what happened itself
            self.messages.show_notice(translate("main_window", "Saved."))
        if tags & {"contacts", "measures", "episodes", "people", "caseload"}:
            self.refresh_badges()

    def _busy(self, busy: bool) -> None:
        if busy:
            self._busy_timer.start()
        else:
            self._busy_timer.stop()
            self.progress.hide()
            self.statusBar().clearMessage()

    def _show_busy(self) -> None:
        if self.progress.isHidden():
            self.progress.setRange(0, 0)  # indeterminate until a job reports progress
            self.progress.show()

    def _progress(self, done: int, total: int, text: str) -> None:
        self.progress.setRange(0, max(total, 0))
        self.progress.setValue(done)
        self.progress.show()
        if text:
            self.statusBar().showMessage(text)

    def _after_first_rows(self, then: Callable[[], None]) -> None:
        """Run ``then`` once the caseload list's first page is on screen (or queued, when the
        whole count came first), so the first row shows before slower start-up jobs."""
        view = self.pages.get("caseload")
        if not isinstance(view, CaseloadView):
            then()
            return

        def counted(count: int) -> None:
            view.counted.disconnect(counted)
            view.first_rows.disconnect(counted)
            if count:
                view.model.row(0)  # asks for the first page now (a no-op if it is here)
            # After the paint the rows just put in the model posted (a 0 ms timer would come
            # before it): the background work's imports and jobs follow what the user sees.
            QTimer.singleShot(1, self, then)

        view.counted.connect(counted)
        view.first_rows.connect(counted)  # the first screenful usually comes first

    def when_started(self, then: Callable[[], None]) -> None:
        """Run ``then`` with the window's background work: once the first caseload rows are
        on screen (or the fallback timer fired). The start-up checks and the daily backup
        wait here, so they never compete with the first rows for the disk or the cores."""
        if self._started:
            then()
        else:
            self._waiting.append(then)

    def _start_background_work(self) -> None:
        if self._started:
            return
        self._started = True
        freeze_start_up()  # issue 15: full collections then skip what start-up made
        waiting, self._waiting = self._waiting, []
        for then in waiting:
            then()
        self._sync_corner()
        self.refresh_badges()
        today = self.clock()
        self.runner.run(
            lambda job: prepare_caseload(job.caseload, today, pause=job.step_aside),
            self._prepared,
            label=translate("main_window", "Bringing journeys up to date"),
            yields=True,  # issue 15: the first searches typed go first
        )

    def _prepared(self, prepared: Prepared) -> None:
        self.prepared = prepared
        for problem in prepared.instrument_problems:
            self.messages.show_error(
                translate(
                    "main_window", "A wellbeing instrument could not be loaded: {problem}"
                ).format(problem=problem)
            )
        if moved := prepared.stages_moved:
            self.messages.show_notice(
                translate(
                    "main_window",
                    "Up to date: {stages_moved} reached the review window while "
                    'LinkWorker was closed and now show as "Review due".',
                ).format(stages_moved=translate("main_window", "%Ln journey(s)", None, moved))
            )
            self.runner.changed.emit(STARTUP_TAGS)  # the lists showing stages refresh

    def refresh_badges(self) -> None:
        """The number overdue beside "Due and overdue" (the signed-in worker's own)."""
        if self.actor.user_id is None:
            return
        from linkworker.today import count_due  # after the first rows (issue 15)

        actor, today = self.actor, self.clock()
        self.runner.read(
            lambda job: count_due(job.caseload, actor, actor.user_id, today),
            self._show_badge,
            label=translate("main_window", "Counting what is due"),
            supersede="badge",
            yields=True,  # a count: it steps aside while the user's own reads run (issue 15)
        )

    def _show_badge(self, counts: tuple[int, int]) -> None:
        due, overdue = counts
        index = next(i for i, p in enumerate(PAGES) if p.key == "due")
        item = self.nav.item(index)
        item.setText(
            translate("main_window", "Due and overdue ({overdue})").format(overdue=overdue)
            if overdue
            else translate("main_window", "Due and overdue")
        )
        item.setData(Qt.ItemDataRole.AccessibleTextRole,
                     f"Due and overdue: {overdue} overdue, {due} due this week")

    # --- closing --------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # Qt API
        for index in range(self.tabs.count() - 1, 0, -1):
            if not self.close_tab(index):
                event.ignore()
                return
        event.accept()

    def shutdown(self) -> None:
        """Finish the runner's queued work, then close (the caller closes the caseload)."""
        self.runner.shutdown()
        if self.isVisible():
            self.close()


def _quick_note_of(widget: QWidget | None) -> Callable[[], Any] | None:
    """The record's "quick note" action (``open_quick_note``, or a ``quick_note`` method)."""
    for name in ("open_quick_note", "quick_note"):
        method = getattr(widget, name, None)
        if callable(method) and not isinstance(method, QWidget):
            return method
    return None


def open_main_window(caseload) -> MainWindow | None:  # a Caseload
    """Sign in against ``caseload`` and show the main window (``ui.signin.open_main_window``)."""
    from ui import signin

    return signin.open_main_window(caseload)


def show_fitted(window: QMainWindow) -> None:
    """On a small laptop screen (1366x768) use all of it; elsewhere the comfortable size."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    available = screen.availableGeometry() if screen else None
    if available is not None and (available.width() < 1440 or available.height() < 900):
        window.setGeometry(available)  # the whole screen even where no window manager maximises
        window.showMaximized()
    else:
        window.show()
    # The sign-in dialog had the keyboard; hand it to the window so the keys work at once
    # (without a window manager, as in a kiosk session, nothing else would).
    window.raise_()
    window.activateWindow()
