"""Settings for the admin: security and backup settings, wellbeing change thresholds, backups
and restore, data rights.

Every button hands its work to the core through the runner; file and folder choices are the
only things decided here. Restoring replaces the caseload file, so after a restore the app
closes and is started again on the restored data.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from linkworker import backup, rights, settings
from linkworker.access import Actor, can
from linkworker.storage import keys
from ui.admin.common import StatusLine, button, run
from ui.admin.thresholds_box import ThresholdsBox
from ui.core_words import core
from ui.i18n import translate
from ui.operations import Runner
from ui.widgets import hbox

NUMBERS = (settings.IDLE_LOCK_MINUTES, settings.LOCKOUT_ATTEMPTS, settings.MIN_PASSWORD_LENGTH,
           settings.BACKUP_KEEP_DAILY, settings.RETENTION_YEARS)


class SettingsView(QWidget):
    def __init__(self, runner: Runner, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.actor = runner, actor
        self.fields: dict[str, QSpinBox | QCheckBox | QLineEdit] = {}
        self.due: list[rights.RetentionCandidate] = []
        # The groups scroll, so the page still fits at 1366x768; the status line stays in view.
        content = QWidget()
        groups = QVBoxLayout(content)
        groups.addWidget(self._settings_box())
        self.thresholds = ThresholdsBox(runner, actor)
        groups.addWidget(self.thresholds)
        groups.addWidget(self._backup_box())
        groups.addWidget(self._rights_box())
        groups.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        self.status = StatusLine(translate("admin.settings_view", "Settings status"))
        layout.addWidget(self.status)
        run(
            runner,
            self.status,
            lambda job: settings.read_all(job.caseload),
            self._show,
            label=translate("admin.settings_view", "Reading settings"),
        )

    # --- settings -------------------------------------------------------------------------

    def _settings_box(self) -> QGroupBox:
        box = QGroupBox(translate("admin.settings_view", "Security and keeping data"))
        form = QFormLayout(box)
        for key in NUMBERS:
            spec = settings.SPECS[key]
            spin = QSpinBox()
            spin.setRange(spec.minimum or 0, spec.maximum or 999)
            spin.setAccessibleName(core(spec.label))
            form.addRow(f"{core(spec.label)}:", spin)
            self.fields[key] = spin
        for key in (settings.ORGANISATION_NAME, settings.ORGANISATION_CONTACT):
            text = QLineEdit()
            text.setAccessibleName(core(settings.SPECS[key].label))
            text.setMaxLength(settings.SPECS[key].maximum or 200)
            form.addRow(f"{core(settings.SPECS[key].label)}:", text)
            self.fields[key] = text
        check = QCheckBox(core(settings.SPECS[settings.BACKUP_ON_EXIT].label))
        check.setAccessibleName(core(settings.SPECS[settings.BACKUP_ON_EXIT].label))
        form.addRow("", check)
        self.fields[settings.BACKUP_ON_EXIT] = check
        self.save_button = button(
            translate("admin.settings_view", "&Save settings"),
            translate("admin.settings_view", "Save settings"),
            self.save,
        )
        form.addRow("", self.save_button)
        return box

    def _show(self, values: dict) -> None:
        for key, widget in self.fields.items():
            if isinstance(widget, QCheckBox):
                widget.setChecked(bool(values[key]))
            elif isinstance(widget, QLineEdit):
                widget.setText(str(values[key] or ""))
            else:
                widget.setValue(int(values[key]))

    def values(self) -> dict:
        return {key: (w.isChecked() if isinstance(w, QCheckBox)
                      else w.text() if isinstance(w, QLineEdit) else w.value())
                for key, w in self.fields.items()}

    def save(self) -> None:
        actor, changes = self.actor, self.values()
        run(
            self.runner,
            self.status,
            lambda job: settings.update(job.caseload, actor, changes),
            lambda changed: self.status.notice(
                translate("admin.settings_view", "Settings saved.")
                if changed
                else translate("admin.settings_view", "Nothing had changed.")
            ),
            label=translate("admin.settings_view", "Saving settings"),
            changes=("settings",),
        )

    # --- backups --------------------------------------------------------------------------

    def _backup_box(self) -> QGroupBox:
        box = QGroupBox(translate("admin.settings_view", "Backups"))
        restore = button(
            translate("admin.settings_view", "&Restore from a backup…"),
            translate("admin.settings_view", "Restore from a backup"),
            self.restore,
        )
        restore.setEnabled(can(self.actor, "backup.restore"))
        hbox(
            button(
                translate("admin.settings_view", "&Back up now…"),
                translate("admin.settings_view", "Back up now"),
                self.backup_now,
            ),
            restore,
            None,
            parent=box,
        )
        return box

    def backup_now(self, path: str | None = None) -> None:
        if not path:
            path, _ = QFileDialog.getSaveFileName(
                self,
                translate("admin.settings_view", "Back up the caseload to"),
                "linkworker-backup.db",
                translate("admin.settings_view", "Caseload (*.db)"),
            )
        if not path:
            return
        actor = self.actor
        self.status.notice(translate("admin.settings_view", "Backing up…"))
        run(
            self.runner,
            self.status,
            lambda job: backup.backup_to(job.caseload, path, actor),
            lambda check: self.status.notice(
                translate(
                    "admin.settings_view",
                    "Backed up and checked: {path} (keep {name}.key with it).",
                ).format(path=check.path, name=check.path.name)
            ),
            label=translate("admin.settings_view", "Backing up"),
        )

    def restore(self, path: str | None = None, passphrase: str | None = None) -> None:
        if not path:
            path, _ = QFileDialog.getOpenFileName(
                self,
                translate("admin.settings_view", "Restore from"),
                "",
                translate("admin.settings_view", "Caseload (*.db)"),
            )
        if not path:
            return

        def checked(check: backup.BackupCheck) -> None:
            if not check.ok:
                self.status.error(
                    translate(
                        "admin.settings_view",
                        "That backup cannot be restored: {problems}. Nothing was changed.",
                    ).format(problems=check.problems[0])
                )
                return
            if self.confirm_restore(check):
                self._do_restore(path, passphrase)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, keys.PassphraseRequired | keys.WrongPassphrase):
                typed, ok = QInputDialog.getText(
                    self,
                    translate("admin.settings_view", "Backup passphrase"),
                    translate("admin.settings_view", "The passphrase this backup was made with:"),
                    QLineEdit.EchoMode.Password,
                )
                if ok and typed:
                    self.restore(path, typed)
                return
            self.status.error(str(exc))

        self.runner.run(
            lambda job: backup.check_backup(path, passphrase),
            checked,
            failed=failed,
            label=translate("admin.settings_view", "Checking the backup"),
        )

    def confirm_restore(self, check: backup.BackupCheck) -> bool:
        answer = QMessageBox.question(
            self,
            translate("admin.settings_view", "Restore"),
            translate(
                "admin.settings_view",
                "Replace the caseload by this backup ({people:,} people)? The "
                "current caseload is kept aside, and LinkWorker closes "
                "afterwards.",
            ).format(people=check.people),
        )
        return answer == QMessageBox.StandardButton.Yes

    def _do_restore(self, path: str, passphrase: str | None) -> None:
        actor = self.actor

        def work(job) -> backup.RestoreReport:  # a Job
            job.caseload.close()
            return backup.restore_from(path, job.caseload.path, passphrase, actor)

        run(
            self.runner,
            self.status,
            work,
            self._restored,
            label=translate("admin.settings_view", "Restoring"),
        )

    def _restored(self, report: backup.RestoreReport) -> None:
        QMessageBox.information(
            self,
            translate("admin.settings_view", "Restored"),
            translate(
                "admin.settings_view",
                "Restored {people:,} people. The caseload as it was is kept at "
                "{set_aside}. LinkWorker will now close; open it again.",
            ).format(people=report.people, set_aside=report.set_aside),
        )
        QApplication.quit()

    # --- data rights ----------------------------------------------------------------------

    def _rights_box(self) -> QGroupBox:
        box = QGroupBox(translate("admin.settings_view", "People's data rights"))
        self.apply_retention_button = button(
            translate("admin.settings_view", "Anonymise people past retention"),
            translate("admin.settings_view", "Anonymise people past retention"),
            self.apply_retention,
        )
        self.apply_retention_button.setEnabled(False)
        hbox(
            button(
                translate("admin.settings_view", "Subject &access request…"),
                translate("admin.settings_view", "Subject access request"),
                self.subject_access,
            ),
            button(
                translate("admin.settings_view", "&Erase a person…"),
                translate("admin.settings_view", "Erase a person"),
                self.erase,
            ),
            button(
                translate("admin.settings_view", "Check re&tention"),
                translate("admin.settings_view", "Check retention"),
                self.check_retention,
            ),
            self.apply_retention_button,
            None,
            parent=box,
        )
        return box

    def subject_access(self, reference: str | None = None, folder: str | None = None) -> None:
        reference = reference or self._ask(
            translate("admin.settings_view", "Subject access request"),
            translate("admin.settings_view", "The person's reference (e.g. LW-000123):"),
        )
        if not reference:
            return
        if not folder:
            folder = QFileDialog.getExistingDirectory(
                self, translate("admin.settings_view", "Save the record in")
            )
        if not folder:
            return
        actor = self.actor

        def work(job) -> rights.SubjectAccessFiles:  # a Job
            found = rights.find_person(job.caseload, actor, reference)
            return rights.subject_access(job.caseload, actor, found.person_id, Path(folder))

        run(
            self.runner,
            self.status,
            work,
            lambda files: self.status.notice(
                translate(
                    "admin.settings_view",
                    "Written to {folder}: {name} for the person, {name2} and {csvs} CSV files.",
                ).format(
                    folder=files.folder,
                    name=files.pdf.name,
                    name2=files.json.name,
                    csvs=len(files.csvs),
                )
            ),
            label=translate("admin.settings_view", "Subject access request"),
        )

    def erase(self, reference: str | None = None, reason: str | None = None) -> None:
        reference = reference or self._ask(
            translate("admin.settings_view", "Erase a person"),
            translate("admin.settings_view", "The person's reference (e.g. LW-000123):"),
        )
        reason = reference and (
            reason
            or self._ask(
                translate("admin.settings_view", "Erase a person"),
                translate(
                    "admin.settings_view",
                    "Why (e.g. 'request by letter 12/03/2026'; not their name). This "
                    "cannot be undone except from an older backup:",
                ),
            )
        )
        if not reference or not reason:
            return
        actor = self.actor

        def work(job) -> rights.ErasureReport:  # a Job
            found = rights.find_person(job.caseload, actor, reference)
            return rights.anonymise(job.caseload, actor, found.person_id, reason)

        run(
            self.runner,
            self.status,
            work,
            lambda report: self.status.notice(
                translate(
                    "admin.settings_view", "Erased. The record is now the anonymous {reference}."
                ).format(reference=report.reference)
            ),
            label=translate("admin.settings_view", "Erasing"),
            changes=("people",),
        )

    def _ask(self, title: str, question: str) -> str:
        """One line of text from the admin; "" if they cancel or leave it blank."""
        answer, ok = QInputDialog.getText(self, title, question)
        return answer if ok and answer.strip() else ""

    def check_retention(self) -> None:
        actor = self.actor
        run(
            self.runner,
            self.status,
            lambda job: rights.retention_due(job.caseload, actor),
            self._retention_checked,
            label=translate("admin.settings_view", "Checking retention"),
        )

    def _retention_checked(self, due: list[rights.RetentionCandidate]) -> None:
        self.due = due
        self.apply_retention_button.setEnabled(bool(due))
        self.apply_retention_button.setText(
            translate("admin.settings_view", "Anonymise {due:,} people past retention").format(
                due=len(due)
            )
        )
        self.status.notice(
            translate(
                "admin.settings_view", "{due:,} people are past the retention period."
            ).format(due=len(due))
            if due
            else translate("admin.settings_view", "Nobody is past the retention period.")
        )

    def apply_retention(self, confirmed: bool = False) -> None:
        if not confirmed:
            answer = QMessageBox.question(
                self,
                translate("admin.settings_view", "Retention"),
                translate(
                    "admin.settings_view", "Anonymise {due:,} people past the retention period?"
                ).format(due=len(self.due)),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        actor = self.actor
        run(
            self.runner,
            self.status,
            lambda job: rights.apply_retention(job.caseload, actor),
            lambda done: (
                self._retention_checked([])
                or self.status.notice(
                    translate("admin.settings_view", "Anonymised {done:,} people.").format(
                        done=len(done)
                    )
                )
            ),
            label=translate("admin.settings_view", "Applying retention"),
            changes=("people",),
        )
