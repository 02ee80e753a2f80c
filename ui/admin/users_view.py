"""Users: the admin adds accounts, changes roles, resets passwords, unlocks and deactivates."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from linkworker import accounts
from linkworker.access import Actor
from ui.admin.common import StatusLine, button, run
from ui.i18n import translate
from ui.operations import Runner, friendly_message
from ui.signin import FormPage, field, show_error
from ui.widgets import form_rows, hbox, local_moment, read_only_table

COLUMNS = (
    QT_TRANSLATE_NOOP("admin.users_view", "Username"),
    QT_TRANSLATE_NOOP("admin.users_view", "Name"),
    QT_TRANSLATE_NOOP("admin.users_view", "Role"),
    QT_TRANSLATE_NOOP("admin.users_view", "Venue"),
    QT_TRANSLATE_NOOP("admin.users_view", "State"),
)


def role_picker(current: str = "link_worker") -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(translate("admin.users_view", "Role"))
    for role, label in accounts.ROLE_LABELS.items():
        combo.addItem(label, role)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo


class AddUserDialog(QDialog):
    """Username, name, role, venue and a first password the user changes at first sign-in."""

    def __init__(self, runner: Runner, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.actor = runner, actor
        self.added: accounts.UserInfo | None = None
        self.setWindowTitle(translate("admin.users_view", "Add a user"))
        self.page = FormPage(
            translate(
                "admin.users_view",
                "They will be asked to choose their own password when they first sign in.",
            ),
            translate("admin.users_view", "&Add user"),
        )
        QVBoxLayout(self).addWidget(self.page)
        self.username = field(translate("admin.users_view", "Username"))
        self.name = field(translate("admin.users_view", "Name"))
        self.role = role_picker()
        self.venue = field(translate("admin.users_view", "Venue (coordinators)"))
        self.password = field(translate("admin.users_view", "First password"), secret=True)
        self.repeat = field(translate("admin.users_view", "Repeat first password"), secret=True)
        form_rows(
            self.page.form,
            (
                (translate("admin.users_view", "&Username:"), self.username),
                (translate("admin.users_view", "&Name:"), self.name),
                (translate("admin.users_view", "&Role:"), self.role),
                (translate("admin.users_view", "&Venue:"), self.venue),
                (translate("admin.users_view", "First &password:"), self.password),
                (translate("admin.users_view", "Re&peat it:"), self.repeat),
            ),
        )
        # FormPage (ui/signin.py) leaves its buttons unnamed; name them for screen readers.
        self.page.ok.setAccessibleName(translate("admin.users_view", "Add user"))
        self.page.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName(
            translate("admin.users_view", "Cancel")
        )
        self.page.buttons.accepted.connect(self._add)
        self.page.buttons.rejected.connect(self.reject)

    def _add(self) -> None:
        if self.password.text() != self.repeat.text():
            show_error(self.page.error, translate("admin.users_view", "The two passwords differ."))
            return
        actor = self.actor
        values = (self.username.text(), self.name.text(), self.role.currentData(),
                  self.password.text(), self.venue.text())
        self.page.ok.setEnabled(False)

        def failed(exc: BaseException) -> None:
            self.page.ok.setEnabled(True)
            show_error(self.page.error, friendly_message(exc))

        self.runner.run(
            lambda job: accounts.add_user(job.caseload, actor, *values[:4], venue=values[4]),
            self._added,
            failed=failed,
            changes=("users",),
            label=translate("admin.users_view", "Adding user"),
        )

    def _added(self, info: accounts.UserInfo) -> None:
        self.added = info
        self.accept()


class UsersView(QWidget):
    """The list of accounts and what an admin can do to each."""

    def __init__(self, runner: Runner, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.actor = runner, actor
        self.users: list[accounts.UserInfo] = []
        layout = QVBoxLayout(self)
        self.table = read_only_table(
            QTableWidget(), translate("admin.users_view", "User accounts"),
            [translate("admin.users_view", c) for c in COLUMNS],
        )
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.add_button = button(
            translate("admin.users_view", "&Add user…"),
            translate("admin.users_view", "Add user"),
            self.add_user,
        )
        layout.addLayout(
            hbox(
                self.add_button,
                button(
                    translate("admin.users_view", "Change r&ole…"),
                    translate("admin.users_view", "Change role"),
                    self.change_role,
                ),
                button(
                    translate("admin.users_view", "&Reset password…"),
                    translate("admin.users_view", "Reset password"),
                    self.reset_password,
                ),
                button(
                    translate("admin.users_view", "&Unlock"),
                    translate("admin.users_view", "Unlock account"),
                    self.unlock,
                ),
                button(
                    translate("admin.users_view", "&Deactivate"),
                    translate("admin.users_view", "Deactivate account"),
                    self.deactivate,
                ),
                button(
                    translate("admin.users_view", "Reac&tivate"),
                    translate("admin.users_view", "Reactivate account"),
                    self.reactivate,
                ),
                None,
            )
        )
        self.status = StatusLine(translate("admin.users_view", "Users status"))
        layout.addWidget(self.status)
        self.dialog: AddUserDialog | None = None
        self.refresh()

    # --- list -----------------------------------------------------------------------------

    def refresh(self) -> None:
        actor = self.actor
        run(
            self.runner,
            self.status,
            lambda job: accounts.list_users(job.caseload, actor),
            self._show,
            label=translate("admin.users_view", "Reading users"),
        )

    def _show(self, users: list[accounts.UserInfo]) -> None:
        self.users = users
        self.table.setRowCount(len(users))
        for r, user in enumerate(users):
            state = (
                translate("admin.users_view", "Active")
                if user.active
                else translate("admin.users_view", "Deactivated")
            )
            if user.locked_until:  # the wall clock's time, as the audit trail shows it
                state += translate("admin.users_view", ", locked until {when}").format(
                    when=local_moment(user.locked_until, seconds=False))
            if user.must_change_password:
                state += translate("admin.users_view", ", must choose a password")
            for c, value in enumerate((user.username, user.display_name, user.role_label,
                                       user.venue or "", state)):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, user.id)
                self.table.setItem(r, c, item)

    def selected(self) -> accounts.UserInfo | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            self.status.error(translate("admin.users_view", "Choose a user in the list first."))
            return None
        return self.users[rows[0].row()]

    # --- actions --------------------------------------------------------------------------

    def add_user(self) -> None:
        self.dialog = AddUserDialog(self.runner, self.actor, self)
        self.dialog.accepted.connect(self._after_add)
        self.dialog.open()

    def _after_add(self) -> None:
        if self.dialog and self.dialog.added:
            self.status.notice(
                translate("admin.users_view", "Added {username}.").format(
                    username=self.dialog.added.username
                )
            )
        self.refresh()

    def _change(self, work, done_text: str) -> None:  # a work function
        def done(_result: object) -> None:
            self.status.notice(done_text)
            self.refresh()

        run(
            self.runner,
            self.status,
            work,
            done,
            label=translate("admin.users_view", "Changing user"),
            changes=("users",),
        )

    def change_role(self) -> None:
        user = self.selected()
        if user is None:
            return
        labels = list(accounts.ROLE_LABELS.values())
        label, ok = QInputDialog.getItem(
            self,
            translate("admin.users_view", "Change role"),
            translate("admin.users_view", "Role for {username}:").format(username=user.username),
            labels,
            labels.index(user.role_label),
            False,
        )
        if not ok:
            return
        role = next(k for k, v in accounts.ROLE_LABELS.items() if v == label)
        venue = user.venue
        if role == "coordinator":
            venue, ok = QInputDialog.getText(
                self,
                translate("admin.users_view", "Venue"),
                translate("admin.users_view", "Venue they run:"),
                QLineEdit.EchoMode.Normal,
                user.venue or "",
            )
            if not ok:
                return
        actor = self.actor
        self._change(
            lambda job: accounts.set_role(job.caseload, actor, user.id, role, venue),
            translate("admin.users_view", "{username} is now a {lower}.").format(
                username=user.username, lower=label.lower()
            ),
        )

    def reset_password(self) -> None:
        user = self.selected()
        if user is None:
            return
        password, ok = QInputDialog.getText(
            self,
            translate("admin.users_view", "Reset password"),
            translate(
                "admin.users_view",
                "A temporary password for {username} (they must change it when they sign in):",
            ).format(username=user.username),
            QLineEdit.EchoMode.Password,
        )
        if not ok:
            return
        actor = self.actor
        self._change(
            lambda job: accounts.reset_password(job.caseload, actor, user.id, password),
            translate(
                "admin.users_view", "Password reset for {username}; tell them the temporary one."
            ).format(username=user.username),
        )

    def unlock(self) -> None:
        self._change_selected(
            accounts.unlock_account, translate("admin.users_view", "{} can sign in again.")
        )

    def deactivate(self) -> None:
        user = self.selected()
        if user is None:
            return
        answer = QMessageBox.question(
            self,
            translate("admin.users_view", "Deactivate"),
            translate(
                "admin.users_view", "Stop {username} signing in? Their work stays in the caseload."
            ).format(username=user.username),
        )
        if answer == QMessageBox.StandardButton.Yes:
            actor = self.actor
            self._change(
                lambda job: accounts.deactivate(job.caseload, actor, user.id),
                translate("admin.users_view", "{username} can no longer sign in.").format(
                    username=user.username
                ),
            )

    def reactivate(self) -> None:
        self._change_selected(
            accounts.reactivate, translate("admin.users_view", "{} can sign in again.")
        )

    def _change_selected(self, change: Callable[..., object],
                         done_text: str) -> None:
        """Apply ``change(caseload, actor, user id)`` to the chosen user; ``done_text`` has a
        ``{}`` for their username."""
        user = self.selected()
        if user is not None:
            actor = self.actor
            self._change(lambda job: change(job.caseload, actor, user.id),
                         done_text.format(user.username))
