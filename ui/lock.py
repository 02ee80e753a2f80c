"""The idle lock: after ``security.idle_lock_minutes`` without input, or on Ctrl+L, the window
hides everything personal until the same user types their password again.

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

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
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
from linkworker.errors import UserError
from ui.operations import Runner, friendly_message
from ui.signin import error_label, field, show_error

INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
    QEvent.Type.Wheel, QEvent.Type.TouchBegin,
})
CHECK_EVERY_MS = 15_000
LOCKED_TITLE = "LinkWorker (locked)"


class LockScreen(QWidget):
    """What shows while locked: who, and a password box. No personal data."""

    def __init__(self, actor: Actor) -> None:
        super().__init__()
        self.setAccessibleName("Locked")
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        box = QVBoxLayout()
        title = QLabel("<h2>LinkWorker is locked</h2>")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box.addWidget(title)
        who = QLabel(f"Locked for <b>{actor.label}</b> ({actor.username}). "
                     "Enter your password to carry on where you left off.")
        who.setWordWrap(True)
        box.addWidget(who)
        self.password = field("Password to unlock", secret=True)
        self.password.setPlaceholderText("Password")
        box.addWidget(self.password)
        self.error = error_label("Unlock problem")
        box.addWidget(self.error)
        self.unlock_button = QPushButton("&Unlock")
        self.unlock_button.setAccessibleName("Unlock")
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


class Cover(QWidget):
    """An opaque panel laid over another window while locked."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setAutoFillBackground(True)
        self.setAccessibleName("Locked")
        label = QLabel("LinkWorker is locked. Unlock it in the main window.", self)
        label.setWordWrap(True)
        QVBoxLayout(self).addWidget(label, 0, Qt.AlignmentFlag.AlignCenter)
        self.setGeometry(window.rect())
        self.raise_()
        self.show()


class LockGuard(QObject):
    """Watches for idle time and locks ``window``; ``lock_now`` is the Ctrl+L action."""

    def __init__(self, window: QMainWindow, runner: Runner, actor: Actor,
                 idle_minutes: int | None = None) -> None:
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
        QApplication.instance().installEventFilter(self)
        self.timer = QTimer(self, interval=CHECK_EVERY_MS, timeout=self.check_idle)
        self.timer.start()
        if idle_minutes is None:
            runner.run(lambda job: settings.read_all(job.caseload), self._got_settings,
                       label="Reading settings")

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

    def lock_now(self, reason: str = "on_demand") -> None:
        if self.locked:
            return
        self._title = self.window.windowTitle()
        for widget in QApplication.topLevelWidgets():
            if widget is not self.window and widget.isVisible():
                self._covered[widget] = (Cover(widget), widget.windowTitle())
                widget.setWindowTitle(LOCKED_TITLE)
                widget.setEnabled(False)
        self._disabled_actions = [a for a in self.window.findChildren(QAction) if a.isEnabled()]
        for action in self._disabled_actions:
            action.setEnabled(False)
        self._hidden_central = self.window.takeCentralWidget()
        self.screen = LockScreen(self.actor)
        self.screen.unlock_button.clicked.connect(self._try_unlock)
        self.window.setCentralWidget(self.screen)
        self.window.setWindowTitle(LOCKED_TITLE)
        self.window.statusBar().clearMessage()
        self.screen.password.setFocus()
        actor = self.actor
        self.runner.run(lambda job: accounts.sign_out(job.caseload, actor, "lock"),
                        failed=lambda _exc: None, label="Locking")

    def _try_unlock(self) -> None:
        if self.screen is None:
            return
        password, username = self.screen.password.text(), self.actor.username
        self.screen.password.clear()
        self.screen.unlock_button.setEnabled(False)
        self.runner.run(lambda job: accounts.sign_in(job.caseload, username, password,
                                                     purpose="unlock"),
                        self._unlocked, failed=self._refused, label="Unlocking")

    def _refused(self, exc: BaseException) -> None:
        if self.screen is not None:
            self.screen.unlock_button.setEnabled(True)
            show_error(self.screen.error, friendly_message(exc))
            self.screen.password.setFocus()

    def _unlocked(self, actor: Actor) -> None:
        if actor.user_id != self.actor.user_id:
            self._refused(UserError("Only the person who was signed in can unlock."))
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
        QApplication.instance().removeEventFilter(self)
