"""The Notes tab: free-text notes and document references on the person's record."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout

from linkworker.notes import add_note
from linkworker.validation import format_date
from ui.i18n import translate
from ui.record import widgets as w
from ui.record.base import RecordTab


class NotesTab(RecordTab):
    def __init__(self, host) -> None:  # the RecordView
        super().__init__(host)
        self.table = w.table(
            translate("record.notes_tab", "Notes"),
            (
                translate("record.notes_tab", "Date"),
                translate("record.notes_tab", "Title"),
                translate("record.notes_tab", "Author"),
                translate("record.notes_tab", "Journey"),
                translate("record.notes_tab", "Note"),
            ),
        )
        self.body_view = QLabel()
        self.body_view.setAccessibleName(translate("record.notes_tab", "Selected note"))
        self.body_view.setWordWrap(True)
        self.title = w.line(
            translate("record.notes_tab", "Note title"),
            placeholder=translate("record.notes_tab", "e.g. Letter from GP"),
        )
        self.body = w.text_box(translate("record.notes_tab", "Note text"), 4)
        self.add = w.button(
            translate("record.notes_tab", "Add note"),
            translate("record.notes_tab", "Add note"),
            "Ctrl+Return",
        )
        self.add.setShortcut(QKeySequence())  # Ctrl+Enter is scoped to this tab below
        form = QFormLayout()
        w.add_row(form, translate("record.notes_tab", "&Title"), self.title)
        w.add_row(form, translate("record.notes_tab", "Note te&xt"), self.body)
        form.addRow("", self.add)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.body_view)
        layout.addLayout(form)
        self.add.clicked.connect(self._add)
        for key in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(key), self, self._add,
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.table.itemSelectionChanged.connect(self._selected)
        self._notes: dict[str, str] = {}

    def show_bundle(self, bundle) -> None:
        self._notes = {n.id: n.body for n in bundle.notes}
        w.fill_table(self.table, [
            (n.id, (format_date(n.written_on), n.title or "", n.author,
                    str(n.episode_number or ""), n.body.replace("\n", " ")[:80]))
            for n in bundle.notes])
        self.add.setEnabled(self.host.can_edit)

    def _selected(self) -> None:
        self.body_view.setText(self._notes.get(w.selected_id(self.table) or "", ""))

    def _add(self) -> None:
        actor, pid = self.actor, self.host.person_id
        title, body = self.title.text(), self.body.toPlainText()

        def cleared(_: object) -> None:
            self.title.clear()
            self.body.clear()

        self.submit(lambda job: add_note(job.caseload, actor, pid, body, title), "Note added",
                    {"notes"}, after=cleared)
