"""The window's sync corner and the conflict review.

``SyncStatus`` sits in the status bar: when it last synced, how many changes are waiting to go,
and how many edits wait for a person (a button that opens the review). Its Sync button runs
the online sync on the runner's background thread (progress in the status bar), or, with no
hub set, offers sync packs for a venue with no Wi-Fi. Nothing here ever waits on the network
or the database on the GUI thread.

``ConflictReview`` lists each conflicted field with every competing value, who wrote it and
when; choosing one keeps it everywhere (the choice travels with the next sync). Below, the
merges of two people recorded here (made here or arrived by sync or pack) that this user may
see, as ``linkworker sync merges`` lists them: references, never names; one not yet undone
can be undone (``people.undo_merge``), which travels like any edit.
"""

from __future__ import annotations

import os
from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from linkworker.access import Actor
from linkworker.sync import conflicts, people, service
from ui.i18n import QT_TRANSLATE_NOOP, translate
from ui.operations import Runner, friendly_message

SYNC_TAGS = ("people", "episodes", "contacts", "goals", "measures", "directory", "sync")
MERGE_TAG = "sync"  # what every write that may add or undo a merge of two people announces
HUB_URL_ENV = "LINKWORKER_HUB_URL"
MERGE_COLUMNS = (
    QT_TRANSLATE_NOOP("sync_view", "Merge"),
    QT_TRANSLATE_NOOP("sync_view", "When"),
    QT_TRANSLATE_NOOP("sync_view", "By"),
    QT_TRANSLATE_NOOP("sync_view", "Kept"),
    QT_TRANSLATE_NOOP("sync_view", "Merged"),
    QT_TRANSLATE_NOOP("sync_view", "Undone"),
)


def _summary(status: service.SyncStatus) -> str:
    """The core's ``SyncStatus.summary`` in the user's language (the CLI prints the core's)."""
    when = (status.last_synced.strftime("%d/%m/%Y %H:%M") if status.last_synced
            else translate("sync_view", "never"))
    waiting, conflicts = status.changes_waiting, status.open_conflicts
    parts = [translate("sync_view", "Last synced {when}").format(when=when),
             translate("sync_view", "%Ln change(s) waiting", None, waiting)]
    if conflicts:
        parts.append(translate("sync_view", "%Ln to review", None, conflicts))
    return " · ".join(parts)


class SyncStatus(QWidget):
    """Last synced · changes waiting · conflicts to review, and the Sync button."""

    def __init__(self, runner: Runner, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.actor = runner, actor
        self.status: service.SyncStatus | None = None
        self.merges = 0  # merges of two people this user may see (the review lists them)
        self.label = QLabel(translate("sync_view", "Sync status…"))
        self.label.setAccessibleName(translate("sync_view", "Sync status"))
        self.review = QPushButton(translate("sync_view", "Review"))
        self.review.setAccessibleName(
            translate("sync_view", "Review sync conflicts and merges of two people"))
        self.review.hide()
        self.review.clicked.connect(self.open_review)
        # The bar is on every screen, so no Alt-letter (each screen's own letters stay free):
        # F9 from anywhere, as the tooltip says.
        self.button = QPushButton(translate("sync_view", "Sync"))
        self.button.setShortcut(QKeySequence(Qt.Key.Key_F9))
        self.button.setAccessibleName(translate("sync_view", "Sync now"))
        self.button.setToolTip(
            translate("sync_view", "Send this laptop's changes and receive the team's (F9)")
        )
        self.button.clicked.connect(self.sync)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label)
        row.addWidget(self.review)
        row.addWidget(self.button)
        self.dialog: ConflictReview | None = None
        # A bound method, not a lambda: Qt ends the connection when this view is deleted. A
        # lambda held the view for ever and called into it after it was gone.
        runner.changed.connect(self._changed)
        self.refresh()

    def _changed(self, tags: frozenset[str]) -> None:
        """Every write may leave a change waiting; only sync work (a sync, a pack, a merge
        or its undo, a conflict kept: all tagged ``sync``) can add or undo a merge, so the
        merges are read again only then (or when a write does not say what it changed)."""
        self.refresh(merges=not tags or MERGE_TAG in tags)

    def refresh(self, merges: bool = True) -> None:
        """Both reads on the runner's read lane (never queued behind a write), each newer one
        replacing an older one still waiting."""
        self.runner.read(lambda job: service.status(job.caseload), self._show,
                         supersede="sync_view.status")
        if merges:
            self.runner.read(lambda job: people.count_merges(job.caseload, self.actor),
                             self._show_merges, supersede="sync_view.merge_count")

    def _show_merges(self, count: int) -> None:
        self.merges = count
        if self.status is not None:
            self._show(self.status)

    def _show(self, status: service.SyncStatus) -> None:
        self.status = status
        self.label.setText(_summary(status))
        self.review.setVisible(status.open_conflicts > 0 or self.merges > 0)
        self.review.setText(
            translate("sync_view", "Review {open_conflicts}").format(
                open_conflicts=status.open_conflicts
            ) if status.open_conflicts else translate("sync_view", "Merges")
        )

    def hub_url(self) -> str | None:
        return os.environ.get(HUB_URL_ENV) or (self.status.hub if self.status else None)

    def sync(self) -> None:
        url = self.hub_url()
        if not url:
            self._offer_packs()
            return
        from linkworker.sync.online import sync_with_hub

        self.button.setEnabled(False)
        self.runner.run(
            lambda job: sync_with_hub(job.caseload, url, job.progress, actor=self.actor),
            self._synced,
            failed=lambda _exc: self.button.setEnabled(True),
            changes=SYNC_TAGS,
            label=translate("sync_view", "Syncing with the hub"),
        )

    def _synced(self, _result: Any) -> None:
        self.button.setEnabled(True)

    def _offer_packs(self) -> None:
        menu = QMenu(self)
        menu.addAction(translate("sync_view", "Export a sync pack…"), self.export_pack)
        menu.addAction(translate("sync_view", "Import a sync pack…"), self.import_pack)
        menu.popup(self.button.mapToGlobal(self.button.rect().bottomLeft()))
        self.menu = menu

    def export_pack(self, path: str | None = None) -> None:
        path = (
            path
            or QFileDialog.getSaveFileName(
                self,
                translate("sync_view", "Export a sync pack"),
                "",
                translate("sync_view", "Sync packs (*.lwpack)"),
            )[0]
        )
        if path:
            self.runner.run(
                lambda job: service.export_pack(job.caseload, path, actor=self.actor),
                changes=("sync",),
                label=translate("sync_view", "Writing the sync pack"),
            )

    def import_pack(self, path: str | None = None) -> None:
        path = (
            path
            or QFileDialog.getOpenFileName(
                self,
                translate("sync_view", "Import a sync pack"),
                "",
                translate("sync_view", "Sync packs (*.lwpack)"),
            )[0]
        )
        if path:
            self.runner.run(
                lambda job: service.import_pack(job.caseload, path, actor=self.actor),
                changes=SYNC_TAGS,
                label=translate("sync_view", "Applying the sync pack"),
            )

    def open_review(self) -> ConflictReview:
        """The review, brought to the front if it is open already (one reads at a time)."""
        if self.dialog is None or not shiboken6.isValid(self.dialog) \
                or not self.dialog.isVisible():
            self.dialog = ConflictReview(self.runner, self.actor, self)
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        return self.dialog


class ConflictReview(QDialog):
    """Each conflicted field, the competing values with who and when, and a way to choose."""

    def __init__(self, runner: Runner, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Closed is gone: a closed review no longer reads the conflicts after every save.
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.runner, self.actor = runner, actor
        self.setWindowTitle(translate("sync_view", "Edits and merges to review"))
        self.found: list[conflicts.Conflict] = []
        self.list = QListWidget()
        self.list.setAccessibleName(translate("sync_view", "Edits made on two laptops"))
        self.list.currentRowChanged.connect(self._show_options)
        self.options = QTableWidget(0, 3)
        self.options.setAccessibleName(translate("sync_view", "The competing values"))
        self.options.setHorizontalHeaderLabels(
            [
                translate("sync_view", "Value"),
                translate("sync_view", "Who"),
                translate("sync_view", "When"),
            ]
        )
        self.options.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.options.horizontalHeader().setStretchLastSection(True)
        self.keep = QPushButton(translate("sync_view", "&Keep this value"))
        self.keep.setAccessibleName(translate("sync_view", "Keep the selected value"))
        self.keep.clicked.connect(self.keep_selected)
        self.note = QLabel(
            translate(
                "sync_view", "Choose the value that is right; it replaces the other everywhere."
            )
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        layout.addWidget(self.options)
        layout.addWidget(self.note)
        layout.addWidget(self.keep, 0, Qt.AlignmentFlag.AlignRight)
        self._add_merges(layout)
        runner.changed.connect(self._changed)  # ends when the review is deleted (closed)
        self.reload()

    def _add_merges(self, layout: QVBoxLayout) -> None:
        """The merges of two people this user may see, and the Undo merge button."""
        self.merge_list: list[people.MergeEntry] = []
        heading = QLabel(translate("sync_view", "&Merges of two people"))
        self.merge_table = QTableWidget(0, len(MERGE_COLUMNS))
        self.merge_table.setAccessibleName(translate("sync_view", "Merges of two people"))
        self.merge_table.setAccessibleDescription(translate(
            "sync_view", "Each merge: its number, when, by whom, the kept and the merged "
            "person's LinkWorker references, and whether it was undone"))
        heading.setBuddy(self.merge_table)
        self.merge_table.setHorizontalHeaderLabels(
            [translate("sync_view", title) for title in MERGE_COLUMNS])
        self.merge_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.merge_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.merge_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.merge_table.horizontalHeader().setStretchLastSection(True)
        self.merge_table.itemSelectionChanged.connect(self._merge_chosen)
        self.undo = QPushButton(translate("sync_view", "&Undo merge"))
        self.undo.setAccessibleName(translate("sync_view", "Undo the selected merge"))
        self.undo.setEnabled(False)
        self.undo.clicked.connect(self.undo_selected)
        self.merge_note = QLabel(translate("sync_view", "Loading the merges…"))
        self.merge_note.setAccessibleName(translate("sync_view", "About the merges"))
        self.merge_note.setWordWrap(True)
        layout.addWidget(heading)
        layout.addWidget(self.merge_table)
        layout.addWidget(self.merge_note)
        layout.addWidget(self.undo, 0, Qt.AlignmentFlag.AlignRight)

    def _changed(self, _tags: frozenset[str]) -> None:
        self.reload()

    def reload(self) -> None:
        self.runner.run(lambda job: conflicts.open_conflicts(job.caseload, self.actor),
                        self._fill)
        self.runner.read(lambda job: people.list_merges(job.caseload, self.actor),
                         self._fill_merges, supersede="sync_view.merges")

    def _fill(self, found: list[conflicts.Conflict]) -> None:
        self.found = found
        self.list.clear()
        for conflict in found:
            self.list.addItem(QListWidgetItem(f"{conflict.record_label}: {conflict.field_label}"))
        if found:
            self.list.setCurrentRow(0)
        else:
            self.options.setRowCount(0)
            self.note.setText(translate("sync_view", "Nothing to review."))

    def _show_options(self, row: int) -> None:
        if not 0 <= row < len(self.found):
            return
        options = self.found[row].options
        self.options.setRowCount(len(options))
        for i, option in enumerate(options):
            for column, text in enumerate((str(option.value), option.who, option.when_text)):
                self.options.setItem(i, column, QTableWidgetItem(text))
        self.options.selectRow(0)

    def keep_selected(self) -> None:
        row, choice = self.list.currentRow(), self.options.currentRow()
        if not (0 <= row < len(self.found)) or choice < 0:
            return
        conflict = self.found[row]
        value = conflict.options[choice].value
        self.runner.run(
            lambda job: conflicts.resolve(job.caseload, self.actor, conflict.id, value),
            changes=SYNC_TAGS,
            label=translate("sync_view", "Keeping the chosen value"),
        )

    def _fill_merges(self, found: list[people.MergeEntry]) -> None:
        self.merge_list = found
        self.merge_table.setRowCount(len(found))
        for row, entry in enumerate(found):
            for column, text in enumerate((entry.merge_id, entry.when_text, entry.by,
                                           entry.kept, entry.merged, _undone_text(entry))):
                self.merge_table.setItem(row, column, QTableWidgetItem(text))
        self.merge_table.resizeColumnsToContents()
        self.merge_note.setText(
            translate("sync_view", "No merges of two people.") if not found else translate(
                "sync_view", "Undoing a merge puts back everything it moved; it reaches the "
                "other laptops with the next sync."))
        self._merge_chosen()

    def selected_merge(self) -> people.MergeEntry | None:
        row = self.merge_table.currentRow()
        chosen = self.merge_table.selectionModel().hasSelection()
        return self.merge_list[row] if chosen and 0 <= row < len(self.merge_list) else None

    def _merge_chosen(self) -> None:
        entry = self.selected_merge()
        self.undo.setEnabled(entry is not None and entry.undone_at is None)

    def confirm_undo(self, entry: people.MergeEntry) -> bool:
        """Asked before an undo: it changes two people's records for the whole team."""
        answer = QMessageBox.question(
            self, translate("sync_view", "Undo merge"),
            translate("sync_view", "Undo merge {merge}? {merged} becomes a separate person "
                      "again, with what the merge moved to {kept}.").format(
                merge=entry.merge_id, merged=entry.merged, kept=entry.kept))
        return answer == QMessageBox.StandardButton.Yes

    def undo_selected(self) -> None:
        entry = self.selected_merge()
        if entry is None or entry.undone_at is not None or not self.confirm_undo(entry):
            return
        self.undo.setEnabled(False)
        merge_id = entry.merge_id
        self.runner.run(
            lambda job: people.undo_merge(job.caseload, self.actor, merge_id),
            failed=self._undo_failed,
            changes=SYNC_TAGS,
            label=translate("sync_view", "Undoing the merge"),
        )

    def _undo_failed(self, exc: BaseException) -> None:
        self.merge_note.setText(friendly_message(exc))
        self._merge_chosen()


def _undone_text(entry: people.MergeEntry) -> str:
    """The list's "Undone" column, in the user's language (the core's is the CLI's English)."""
    if entry.undone_at is None:
        return translate("sync_view", "No")
    return translate("sync_view", "Yes, {when} by {who}").format(
        when=entry.undone_when_text, who=entry.undone_by)
