"""The idle lock: after ``security.idle_lock_minutes`` without input, or on Ctrl+L, the window
hides everything personal until someone signs in again: the same user carries on where they
left off; another user (a shared laptop at a hub) gets a fresh window of their own, and the
first user's open records close. File > Sign out closes the records first (asking about
unsaved edits) and shows the same screen with an empty username.

Locking takes the main window's central widget out (it is kept, not destroyed, so half-typed
notes and unsaved edits are exactly as they were after unlocking), puts a lock screen in its
place, covers the app's other windows with an opaque panel (hiding a dialog would end its
``exec()`` and lose what was typed in it), disables every action (so no shortcut can open a
record behind the lock), blanks the status bar and sets neutral window titles. Unlocking goes
through the core's sign-in, so wrong passwords count towards the account's lock-out and are
audited.
"""

from __future__ import annotations

import time

import shiboken6
from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from linkworker import accounts, settings
from linkworker.access import Actor
from ui.i18n import translate
from ui.operations import Runner, friendly_message
from ui.signin import error_label, field, show_error

INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
    QEvent.Type.Wheel, QEvent.Type.TouchBegin,
})
CHECK_EVERY_MS = 15_000
LOCKED_TITLE = QT_TRANSLATE_NOOP("lock", "LinkWorker (locked)")


class LockScreen(QWidget):
    """What shows while locked or signed out: a username and password box. No personal data."""

    def __init__(self, actor: Actor, signed_out: bool = False) -> None:
        super().__init__()
        self.setAccessibleName(
            translate("lock", "Signed out") if signed_out else translate("lock", "Locked")
        )
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        box = QVBoxLayout()
        heading = (translate("lock", "You are signed out") if signed_out
                   else translate("lock", "LinkWorker is locked"))
        title = QLabel(f"<h2>{heading}</h2>")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box.addWidget(title)
        if signed_out:
            words = translate("lock", "Sign in with your username and password.")
        else:
            words = translate(
                "lock",
                "Locked for <b>{label}</b>. Type your password to carry on where "
                "you left off. Someone else can sign in with their own username: "
                "{label}'s open records then close, and changes not saved are "
                "lost.",
            ).format(label=actor.label)
        who = QLabel(words)
        who.setWordWrap(True)
        box.addWidget(who)
        self.username = field(translate("lock", "Username"))
        self.username.setPlaceholderText(translate("lock", "Username"))
        self.username.setText("" if signed_out else actor.username)
        box.addWidget(self.username)
        self.password = field(translate("lock", "Password to unlock"), secret=True)
        self.password.setPlaceholderText(translate("lock", "Password"))
        box.addWidget(self.password)
        self.error = error_label(translate("lock", "Unlock problem"))
        box.addWidget(self.error)
        self.unlock_button = QPushButton(
            translate("lock", "Sign &in") if signed_out else translate("lock", "&Unlock")
        )
        self.unlock_button.setAccessibleName(
            translate("lock", "Sign in") if signed_out else translate("lock", "Unlock")
        )
        self.unlock_button.setDefault(True)
        box.addWidget(self.unlock_button)
        holder = QWidget()
        holder.setMaximumWidth(480)
        holder.setLayout(box)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(holder)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.password.returnPressed.connect(self.unlock_button.click)
        self.username.returnPressed.connect(self.password.setFocus)

    def first_field(self) -> QWidget:
        return self.password if self.username.text() else self.username


class Cover(QWidget):
    """An opaque panel laid over another window while locked."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setAutoFillBackground(True)
        self.setAccessibleName(translate("lock", "Locked"))
        label = QLabel(
            translate("lock", "LinkWorker is locked. Unlock it in the main window."), self
        )
        label.setWordWrap(True)
        QVBoxLayout(self).addWidget(label, 0, Qt.AlignmentFlag.AlignCenter)
        self.setGeometry(window.rect())
        self.raise_()
        self.show()


class LockGuard(QObject):
    """Watches for idle time and locks ``window``; ``lock_now`` is the Ctrl+L action.

    ``switched(actor)`` fires when someone other than the signed-in user unlocks: the main
    window then hands over to a new window for them (``MainWindow.switch_to``).
    """

    switched = Signal(object)

    def __init__(self, window: QMainWindow, runner: Runner, actor: Actor,
                 idle_minutes: int | None = None, *, watch: bool = True) -> None:
        super().__init__(window)
        self.window, self.runner, self.actor = window, runner, actor
        default = settings.SPECS[settings.IDLE_LOCK_MINUTES].default
        self.idle_seconds = (idle_minutes or default) * 60
        self.last_input = time.monotonic()
        self.screen: LockScreen | None = None
        self._hidden_central: QWidget | None = None
        self._covered: dict[QWidget, tuple[Cover, str]] = {}
        self._disabled_actions: list[QAction] = []
        self._title = ""
        self._settings_wanted = idle_minutes is None
        self.watching = False
        self.timer = QTimer(self, interval=CHECK_EVERY_MS, timeout=self.check_idle)
        self.timer.start()
        if watch:
            self.watch()

    def watch(self) -> None:
        """Begin watching the whole app's input (once). The main window calls this once its
        first rows are up (issue 15): an app-wide event filter makes Qt hand Python every
        event, and the first events of each kind of widget (about 0.1 s of a start) would fall
        before the rows. Locking (Ctrl+L) watches at once, whenever it comes."""
        if self.watching:
            return
        self.watching = True
        QApplication.instance().installEventFilter(self)
        if self._settings_wanted:
            self.runner.run(
                lambda job: settings.read_all(job.caseload),
                self._got_settings,
                label=translate("lock", "Reading settings"),
            )

    def _got_settings(self, values: dict) -> None:
        self.idle_seconds = int(values[settings.IDLE_LOCK_MINUTES]) * 60

    @property
    def locked(self) -> bool:
        return self.screen is not None

    # --- idle -----------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt API
        kind = event.type()
        if kind in INPUT_EVENTS and not self.locked:
            self.last_input = time.monotonic()
        elif kind == QEvent.Type.Close and self.locked and (
                watched is self.window or watched in self._covered):
            event.ignore()  # closing would ask about unsaved edits, naming the person
            return True
        elif kind == QEvent.Type.Resize and watched in self._covered:
            self._covered[watched][0].setGeometry(watched.rect())
        return False

    def check_idle(self, now: float | None = None) -> None:
        if not self.locked and (now or time.monotonic()) - self.last_input >= self.idle_seconds:
            self.lock_now(reason="idle")

    # --- locking --------------------------------------------------------------------------

    def lock_now(self, reason: str = "on_demand", signed_out: bool = False) -> None:
        if self.locked:
            return
        self.watch()  # a locked window refuses to close: the filter must see its Close
        self._title = self.window.windowTitle()
        for widget in QApplication.topLevelWidgets():
            if widget is not self.window and widget.isVisible():
                self._covered[widget] = (Cover(widget), widget.windowTitle())
                widget.setWindowTitle(translate("lock", LOCKED_TITLE))
                widget.setEnabled(False)
        self._disabled_actions = [a for a in self.window.findChildren(QAction) if a.isEnabled()]
        for action in self._disabled_actions:
            action.setEnabled(False)
        self._hidden_central = self.window.takeCentralWidget()
        self.screen = LockScreen(self.actor, signed_out)
        self.screen.unlock_button.clicked.connect(self._try_unlock)
        self.window.setCentralWidget(self.screen)
        self.window.setWindowTitle(translate("lock", LOCKED_TITLE))
        self.window.statusBar().clearMessage()
        self.screen.first_field().setFocus()
        actor, why = self.actor, "sign_out" if signed_out else "lock"
        self.runner.run(
            lambda job: accounts.sign_out(job.caseload, actor, why),
            failed=lambda _exc: None,
            label=translate("lock", "Locking"),
        )

    def _try_unlock(self) -> None:
        if self.screen is None:
            return
        password, username = self.screen.password.text(), self.screen.username.text().strip()
        self.screen.password.clear()
        self.screen.unlock_button.setEnabled(False)
        self.runner.run(
            lambda job: accounts.sign_in(job.caseload, username, password, purpose="unlock"),
            self._unlocked,
            failed=self._refused,
            label=translate("lock", "Unlocking"),
        )

    def _refused(self, exc: BaseException) -> None:
        if self.screen is not None:
            self.screen.unlock_button.setEnabled(True)
            show_error(self.screen.error, friendly_message(exc))
            self.screen.password.setFocus()

    def _unlocked(self, actor: Actor) -> None:
        if actor.user_id != self.actor.user_id:
            self.switched.emit(actor)  # someone else: the window hands over to them
            return
        self.unlock()

    def unlock(self) -> None:
        """Put everything back as it was (called after the core accepted the password)."""
        if self.screen is None:
            return
        screen = self.window.takeCentralWidget()
        screen.deleteLater()
        self.screen = None
        self.window.setCentralWidget(self._hidden_central)
        self._hidden_central = None
        for action in self._disabled_actions:
            if shiboken6.isValid(action):  # a record closed just before locking has gone
                action.setEnabled(True)
        for widget, (cover, title) in self._covered.items():
            cover.deleteLater()
            widget.setWindowTitle(title)
            widget.setEnabled(True)
        self._disabled_actions, self._covered = [], {}
        self.window.setWindowTitle(self._title)
        self.last_input = time.monotonic()

    def stop(self) -> None:
        self.timer.stop()
        self.watching = True  # stopped for good: a later ``watch`` must not start it again
        QApplication.instance().removeEventFilter(self)

    def discard(self) -> None:
        """After a switch of user: stop watching, and close the previous user's dialogs (the
        window drops its own pages and records, and stays locked while hidden)."""
        self.stop()
        for widget, (cover, _title) in self._covered.items():
            cover.deleteLater()
            widget.close()  # the previous user's dialogs go with their window
        self._covered = {}
