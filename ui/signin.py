"""Signing in: the first admin on a new caseload, the sign-in form, and choosing a password.

One dialog with three pages, so the user never sees a window flash between steps:

1. *First admin* (only while the caseload has no accounts);
2. *Sign in* (username and password; shows the lock-out message the core gives);
3. *Choose your password* (after an admin set or reset it; cannot be skipped).

Every check runs in the core (``linkworker.accounts``) through the ``Runner``, off the GUI
thread; this module only lays out fields and shows answers. Nothing personal is on screen here.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from linkworker import accounts, settings
from linkworker.access import Actor
from linkworker.errors import UserError
from linkworker.launch import signing_in, wait_for_warm
from ui.i18n import translate
from ui.operations import Runner, friendly_message

DEMO_HINT = QT_TRANSLATE_NOOP(
    "signin",
    "This is a demonstration caseload with made-up people. Sign in "
    "as <b>manager</b>, <b>worker1</b>, <b>coordinator</b> or "
    "<b>admin</b>; the password is <b>demo</b>.",
)


def field(name: str, secret: bool = False) -> QLineEdit:
    box = QLineEdit()
    box.setAccessibleName(name)
    if secret:
        box.setEchoMode(QLineEdit.EchoMode.Password)
    return box


def error_label(name: str) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet("color: #a4262c;")
    label.setAccessibleName(name)
    label.hide()
    return label


def show_error(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


class FormPage(QWidget):
    """A titled form with an error line and a button row."""

    def __init__(self, intro: str, ok_text: str) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        self.form = QFormLayout()
        layout.addLayout(self.form)
        self.error = error_label(translate("signin", "Problem"))
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(ok_text)
        layout.addWidget(self.buttons)

    def showEvent(self, event: QShowEvent) -> None:  # Qt override
        """Start in the first field. The buttons are made before the fields, so Qt gave the
        keyboard to *OK*: what was typed went nowhere, and the first space pressed the
        button Tab had moved to (Cancel, in Add user)."""
        super().showEvent(event)
        focus = QApplication.focusWidget()
        if focus is None or not self.isAncestorOf(focus) or self.buttons.isAncestorOf(focus):
            first = self.first_field()
            if first is not None:
                first.setFocus(Qt.FocusReason.OtherFocusReason)

    def first_field(self) -> QWidget | None:
        """The form's first field that can take the keyboard now."""
        for row in range(self.form.rowCount()):
            item = self.form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            widget = item.widget() if item is not None else None
            if widget is not None and widget.isVisibleTo(self) and widget.isEnabled():
                return widget
        return None


class SignInDialog(QDialog):
    """Asks who is signing in; ``actor`` is set once the core has let them in."""

    def __init__(self, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.actor: Actor | None = None
        self.actor_pending: Actor | None = None
        self.setWindowTitle(translate("signin", "Sign in to LinkWorker"))
        self.setMinimumWidth(420)
        self.pages = QStackedWidget()
        QVBoxLayout(self).addWidget(self.pages)
        self._build_first_admin()
        self._build_sign_in()
        self._build_new_password()
        self.pages.setCurrentWidget(self.sign_in_page)
        self.sign_in_page.ok.setEnabled(False)
        self.runner.run(
            self._first_look, self._looked, label=translate("signin", "Opening sign-in")
        )

    # --- pages --------------------------------------------------------------------------

    def _page(self, intro: str, ok_text: str, rows: list[tuple[str, QWidget]],
              accepted: Callable[[], None]) -> FormPage:
        page = FormPage(intro, ok_text)
        for label, widget in rows:
            page.form.addRow(label, widget)
        page.buttons.accepted.connect(accepted)
        page.buttons.rejected.connect(self.reject)
        self.pages.addWidget(page)
        return page

    def _build_first_admin(self) -> None:
        self.admin_username = field(translate("signin", "Admin username"))
        self.admin_name = field(translate("signin", "Admin's name"))
        self.admin_password = field(translate("signin", "Admin password"), secret=True)
        self.admin_repeat = field(translate("signin", "Repeat admin password"), secret=True)
        self.first_admin_page = self._page(
            translate(
                "signin",
                "This caseload has no accounts yet. Create the first one: an "
                "<b>admin</b>, who then adds everyone else.",
            ),
            translate("signin", "&Create admin"),
            [
                ("&Username:", self.admin_username),
                ("Your &name:", self.admin_name),
                ("&Password:", self.admin_password),
                ("&Repeat it:", self.admin_repeat),
            ],
            self._create_admin,
        )

    def _build_sign_in(self) -> None:
        self.username = field(translate("signin", "Username"))
        self.password = field(translate("signin", "Password"), secret=True)
        self.sign_in_page = self._page(
            translate("signin", "Sign in with your LinkWorker username and password."),
            translate("signin", "&Sign in"),
            [("&Username:", self.username), ("&Password:", self.password)],
            self._sign_in,
        )
        self.demo_hint = QLabel(translate("signin", DEMO_HINT))
        self.demo_hint.setWordWrap(True)
        self.demo_hint.setAccessibleName(translate("signin", "Demonstration accounts"))
        self.demo_hint.hide()
        self.sign_in_page.layout().insertWidget(1, self.demo_hint)

    def _build_new_password(self) -> None:
        self.new_password = field(translate("signin", "New password"), secret=True)
        self.new_repeat = field(translate("signin", "Repeat new password"), secret=True)
        self.new_password_page = self._page(
            translate(
                "signin", "An admin set your password. Choose your own now; only you will know it."
            ),
            translate("signin", "&Save password"),
            [("&New password:", self.new_password), ("&Repeat it:", self.new_repeat)],
            self._save_password,
        )

    # --- steps ----------------------------------------------------------------------------

    @staticmethod
    def _first_look(job) -> tuple[bool, bool]:  # a Job
        return accounts.has_users(job.caseload), settings.read_all(job.caseload)[settings.DEMO]

    def _looked(self, answer: tuple[bool, bool]) -> None:
        has_users, demo = answer
        self.demo_hint.setVisible(demo)
        if has_users:
            self.sign_in_page.ok.setEnabled(True)
            self.username.setFocus()
        else:
            self.pages.setCurrentWidget(self.first_admin_page)
            self.admin_username.setFocus()

    def _busy(self, page: FormPage, busy: bool) -> None:
        page.ok.setEnabled(not busy)
        if busy:
            show_error(page.error, "")

    def _run(self, page: FormPage, work: Callable, done: Callable) -> None:
        self._busy(page, True)

        def failed(exc: BaseException) -> None:
            self._busy(page, False)
            show_error(page.error, friendly_message(exc))

        self.runner.run(work, done, failed=failed, label=translate("signin", "Signing in"))

    def _create_admin(self) -> None:
        page = self.first_admin_page
        if self.admin_password.text() != self.admin_repeat.text():
            show_error(page.error, translate("signin", "The two passwords differ."))
            return
        username, name, password = (self.admin_username.text(), self.admin_name.text(),
                                    self.admin_password.text())
        self._run(page, lambda job: accounts.create_first_admin(
            job.caseload, username, name, password), self._signed_in)

    def _sign_in(self) -> None:
        username, password = self.username.text(), self.password.text()
        if not username.strip():
            show_error(self.sign_in_page.error, translate("signin", "Enter your username."))
            return

        def work(job) -> tuple[Actor, bool]:  # a Job
            actor = accounts.sign_in(job.caseload, username, password)
            return actor, accounts.needs_new_password(job.caseload, actor)

        self.password.clear()
        self._run(self.sign_in_page, work, self._after_sign_in)

    def _after_sign_in(self, answer: tuple[Actor, bool]) -> None:
        actor, must_change = answer
        if must_change:
            self.actor_pending = actor
            self.pages.setCurrentWidget(self.new_password_page)
            self.new_password.setFocus()
            return
        self._signed_in(actor)

    def _save_password(self) -> None:
        page = self.new_password_page
        new = self.new_password.text()
        if new != self.new_repeat.text():
            show_error(page.error, translate("signin", "The two passwords differ."))
            return
        actor = self.actor_pending

        def work(job) -> Actor:  # a Job
            accounts.set_own_password(job.caseload, actor, new)
            return actor

        self._run(page, work, self._signed_in)

    def _signed_in(self, actor: Actor) -> None:
        self.actor = actor
        self.accept()


class ChangePasswordDialog(QDialog):
    """Oneself, at any time (File menu): current password, then the new one twice."""

    def __init__(self, runner: Runner, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.actor = runner, actor
        self.setWindowTitle(translate("signin", "Change your password"))
        self.page = FormPage(
            translate("signin", "Change the password for <b>{username}</b>.").format(
                username=actor.username
            ),
            translate("signin", "&Change"),
        )
        QVBoxLayout(self).addWidget(self.page)
        self.old = field(translate("signin", "Current password"), secret=True)
        self.new = field(translate("signin", "New password"), secret=True)
        self.repeat = field(translate("signin", "Repeat new password"), secret=True)
        self.page.form.addRow(translate("signin", "&Current password:"), self.old)
        self.page.form.addRow(translate("signin", "&New password:"), self.new)
        self.page.form.addRow(translate("signin", "&Repeat it:"), self.repeat)
        self.page.buttons.accepted.connect(self._change)
        self.page.buttons.rejected.connect(self.reject)

    def _change(self) -> None:
        if self.new.text() != self.repeat.text():
            show_error(self.page.error, translate("signin", "The two new passwords differ."))
            return
        actor, old, new = self.actor, self.old.text(), self.new.text()
        self.page.ok.setEnabled(False)

        def failed(exc: BaseException) -> None:
            self.page.ok.setEnabled(True)
            show_error(self.page.error, friendly_message(exc))

        self.runner.run(
            lambda job: accounts.change_password(job.caseload, actor, old, new),
            lambda _none: self.accept(),
            failed=failed,
            label=translate("signin", "Changing password"),
        )


def open_main_window(caseload, on_sign_in: Callable[[QWidget], None] | None = None,
                     ) -> QWidget | None:  # a Caseload
    """Sign in against ``caseload`` and show the main window; None if sign-in was cancelled.

    The window's modules are imported only after the sign-in box (here, not in
    ``ui.main_window``): ``launch.warm_window`` imports them on a thread meanwhile, while the
    user types and Argon2id checks the password (issue 15). ``on_sign_in`` (the bench's
    typist) is given the sign-in box as it opens."""
    runner = Runner(caseload)
    actor = sign_in(runner, on_show=on_sign_in)
    if actor is None:
        runner.shutdown()
        return None
    wait_for_warm()  # never import beside the warm thread (see there)
    from ui.main_window import MainWindow, show_fitted

    window = MainWindow(runner, actor)
    show_fitted(window)
    return window


def sign_in(runner: Runner, parent: QWidget | None = None, *,
            on_show: Callable[[QWidget], None] | None = None) -> Actor | None:
    """Show the sign-in dialog; the signed-in actor, or None if the user cancelled."""
    dialog = SignInDialog(runner, parent)
    signing_in()  # the warm thread begins (launch.warm_window)
    if on_show is not None:
        on_show(dialog)
    if not dialog.exec():
        return None
    if dialog.actor is None:
        raise UserError(translate("signin", "Sign-in did not complete."))
    return dialog.actor
