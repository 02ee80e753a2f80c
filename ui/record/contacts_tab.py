"""The Contacts tab: every contact across the person's journeys, newest (and planned) first.

Planned appointments can be marked attended or did not attend in place.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout

from linkworker.contacts import update_contact, withdraw_contact
from ui.core_words import core
from ui.i18n import translate
from ui.record import widgets as w
from ui.record.base import RecordTab

COLUMNS = (
    QT_TRANSLATE_NOOP("record.contacts_tab", "When"),
    QT_TRANSLATE_NOOP("record.contacts_tab", "How"),
    QT_TRANSLATE_NOOP("record.contacts_tab", "Purpose"),
    QT_TRANSLATE_NOOP("record.contacts_tab", "Attended"),
    QT_TRANSLATE_NOOP("record.contacts_tab", "Venue"),
    QT_TRANSLATE_NOOP("record.contacts_tab", "Minutes"),
    QT_TRANSLATE_NOOP("record.contacts_tab", "Worker"),
    QT_TRANSLATE_NOOP("record.contacts_tab", "Note"),
)


class ContactsTab(RecordTab):
    def __init__(self, host) -> None:  # the RecordView
        super().__init__(host)
        self.table = w.table(translate("record.contacts_tab", "Contacts"),
                             [translate("record.contacts_tab", c) for c in COLUMNS])
        self.new_button = w.button(
            translate("record.contacts_tab", "New note"),
            translate("record.contacts_tab", "New contact note"),
            "Ctrl+N",
        )
        self.new_button.setShortcut(QKeySequence())  # the record owns Ctrl+N
        self.attended = w.button(
            translate("record.contacts_tab", "Mark &attended"),
            translate("record.contacts_tab", "Mark selected appointment attended"),
        )
        self.missed = w.button(
            translate("record.contacts_tab", "Mark did &not attend"),
            translate("record.contacts_tab", "Mark selected appointment not attended"),
        )
        self.correct = w.button(
            translate("record.contacts_tab", "&Correct…"),
            translate("record.contacts_tab", "Correct the selected contact"),
        )
        self.withdraw = w.button(
            translate("record.contacts_tab", "Withdraw (recorded in &error)…"),
            translate("record.contacts_tab", "Withdraw the selected contact, recorded in error"),
        )
        self.detail = QLabel()
        self.detail.setAccessibleName(translate("record.contacts_tab", "Selected contact's note"))
        self.detail.setWordWrap(True)
        row = QHBoxLayout()
        for widget in (self.new_button, self.attended, self.missed, self.correct,
                       self.withdraw):
            row.addWidget(widget)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        self.new_button.clicked.connect(host.open_quick_note)
        self.attended.clicked.connect(lambda: self._mark("attended"))
        self.missed.clicked.connect(lambda: self._mark("did_not_attend"))
        self.correct.clicked.connect(self._correct)
        self.withdraw.clicked.connect(lambda: self.withdraw_selected(
            w.selected_id(self.table), "contact", withdraw_contact, {"contacts", "episodes"}))
        self.table.itemSelectionChanged.connect(self._selected)
        self._items: dict[str, object] = {}

    def show_bundle(self, bundle) -> None:
        self._items = {c.id: c for c in bundle.contacts}
        w.fill_table(
            self.table,
            [
                (
                    c.id,
                    (
                        c.when,
                        core(c.mode_label),
                        c.purpose_label,
                        core(c.status_label),
                        c.venue or "",
                        str(c.duration_minutes or ""),
                        c.worker,
                        (c.note or "").replace("\n", " ")[:80],
                    ),
                )
                for c in bundle.contacts
            ],
        )
        self._selected()

    def _selected(self) -> None:
        item = self._items.get(w.selected_id(self.table) or "")
        planned = item is not None and item.status == "planned"
        self.attended.setEnabled(planned and self.host.can_edit)
        self.missed.setEnabled(planned and self.host.can_edit)
        live = item is not None and item.status != "withdrawn" and self.host.can_edit
        self.correct.setEnabled(live)
        self.withdraw.setEnabled(live)
        self.detail.setText(item.note or "" if item else "")

    def _correct(self) -> None:
        item = self._items.get(w.selected_id(self.table) or "")
        if item is not None:
            self.host.correct_contact(item)

    def _mark(self, status: str) -> None:
        chosen = w.selected_id(self.table)
        if chosen is None:
            return
        actor = self.actor
        self.submit(lambda job: update_contact(job.caseload, actor, chosen, {"status": status}),
                    "Appointment updated", {"contacts", "episodes"})
