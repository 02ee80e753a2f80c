"""The audit trail for admins: filter, page through lazily, verify the chain, export as CSV.

The table model holds only the pages it has been asked for (200 events each), fetched on the
runner as the admin scrolls (``canFetchMore``/``fetchMore``), so a million-event trail opens
as fast as an empty one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from linkworker import audit
from linkworker.access import Actor
from linkworker.errors import UserError
from linkworker.validation import InvalidValue, parse_date
from ui.admin.audit_words import action_words
from ui.admin.common import StatusLine, button, run
from ui.i18n import translate
from ui.operations import Runner, while_alive
from ui.person_list import PAGE_ROWS, PagedRows
from ui.widgets import hbox, local_moment

PAGE = PAGE_ROWS  # the first page's rows: the list's own page
HEADINGS = (
    "#",
    QT_TRANSLATE_NOOP("admin.audit_view", "When"),
    QT_TRANSLATE_NOOP("admin.audit_view", "Who"),
    QT_TRANSLATE_NOOP("admin.audit_view", "What"),
    QT_TRANSLATE_NOOP("admin.audit_view", "Person"),
    QT_TRANSLATE_NOOP("admin.audit_view", "Record"),
    QT_TRANSLATE_NOOP("admin.audit_view", "Details"),
)

Index = QModelIndex | QPersistentModelIndex


class AuditModel(QAbstractTableModel):
    """One filter's events, as long as its count, holding only the pages looked at
    (``PagedRows``): a trail of a busy year is millions of events, and scrolling it to its
    first one used to keep every page read for the session (issue 15, memory)."""

    def __init__(self, runner: Runner, actor: Actor) -> None:
        super().__init__()
        self.runner, self.actor = runner, actor
        self.filters = audit.AuditFilter()
        self.total = 0
        self.rows: Sequence[audit.EventRow | None] = ()

    def reset(self, filters: audit.AuditFilter, total: int, first: list[audit.EventRow]) -> None:
        actor = self.actor

        def fetch(job, offset: int, limit: int) -> list[audit.EventRow]:  # a Job
            return audit.read_page(job.caseload, actor, filters, offset=offset, limit=limit)

        self.beginResetModel()
        rows = PagedRows(self.runner, fetch, list(first), total)
        rows.arrived = while_alive(self, lambda top, bottom: self._arrived(rows, top, bottom))
        self.filters, self.total, self.rows = filters, total, rows
        self.endResetModel()

    def _arrived(self, rows: PagedRows, top: int, bottom: int) -> None:
        if rows is self.rows and bottom >= top:  # not an older filter's page
            self.dataChanged.emit(self.index(top, 0), self.index(bottom, len(HEADINGS) - 1))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # Qt API
        return 0 if parent.isValid() else len(HEADINGS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # Qt API
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return translate("admin.audit_view", HEADINGS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole,
                                               Qt.ItemDataRole.ToolTipRole):
            return None
        row, short = self.rows[index.row()], role == Qt.ItemDataRole.DisplayRole
        if row is None:  # its page is on its way
            return "" if short else None
        what = action_words(row.action) if short else row.action  # the tip: the CSV's code
        values = (row.seq, local_moment(row.at), row.username, what,
                  row.person_reference or _record_id(row.person_id, short),
                  f"{row.entity} {_record_id(row.entity_id, short)}".strip(), row.details)
        return str(values[index.column()])


class AuditView(QWidget):
    """Filters across the top, the lazy table, and Verify / Export buttons."""

    def __init__(self, runner: Runner, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.actor = runner, actor
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.user = self._line(translate("admin.audit_view", "Filter by username"),
                               translate("admin.audit_view", "username"))
        self.action = QComboBox()
        self.action.setAccessibleName(translate("admin.audit_view", "Filter by action"))
        self.action.addItem(translate("admin.audit_view", "Any action"), "")
        self.person = self._line(
            translate("admin.audit_view", "Filter by person reference"),
            translate("admin.audit_view", "LW-000123"),
        )
        self.since = self._line(
            translate("admin.audit_view", "From date"), translate("admin.audit_view", "dd/mm/yyyy")
        )
        self.until = self._line(
            translate("admin.audit_view", "To date"), translate("admin.audit_view", "dd/mm/yyyy")
        )
        form.addRow(
            translate("admin.audit_view", "Show:"),
            hbox(
                self.user,
                self.action,
                self.person,
                self.since,
                self.until,
                button(
                    translate("admin.audit_view", "Fil&ter"),
                    translate("admin.audit_view", "Apply filter"),
                    self.apply,
                ),
            ),
        )
        layout.addLayout(form)
        self.model = AuditModel(runner, actor)
        self.table = QTableView()
        self.table.setAccessibleName(translate("admin.audit_view", "Audit events"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(
            len(HEADINGS) - 1, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        layout.addLayout(
            hbox(
                button(
                    translate("admin.audit_view", "&Verify the chain"),
                    translate("admin.audit_view", "Verify audit chain"),
                    self.verify,
                ),
                button(
                    translate("admin.audit_view", "&Export as CSV…"),
                    translate("admin.audit_view", "Export audit trail"),
                    self.export,
                ),
                None,
            )
        )
        self.status = StatusLine(translate("admin.audit_view", "Audit status"))
        layout.addWidget(self.status)
        run(
            runner,
            self.status,
            lambda job: audit.read_actions(job.caseload, actor),
            self._got_actions,
            label=translate("admin.audit_view", "Reading audit actions"),
        )
        self.apply()

    def _line(self, name: str, placeholder: str) -> QLineEdit:
        line = QLineEdit()
        line.setAccessibleName(name)
        line.setPlaceholderText(placeholder)
        line.returnPressed.connect(self.apply)
        return line

    def _got_actions(self, actions: list[str]) -> None:
        for name in actions:
            self.action.addItem(action_words(name), name)

    def current_filter(self) -> audit.AuditFilter:
        def day(line: QLineEdit, label: str) -> dt.date | None:
            try:
                return parse_date(line.text().strip()) if line.text().strip() else None
            except InvalidValue:
                raise UserError(
                    translate("admin.audit_view", "{label}: type a date as dd/mm/yyyy.").format(
                        label=label
                    )
                ) from None

        return audit.AuditFilter(
            username=self.user.text().strip() or None, action=self.action.currentData() or None,
            person_reference=self.person.text().strip() or None,
            since=day(self.since, "From"), until=day(self.until, "To"))

    def _filter_or_say(self) -> audit.AuditFilter | None:
        """The filter, or None after saying in the status line what is wrong with it."""
        try:
            return self.current_filter()
        except UserError as exc:
            self.status.error(str(exc))
            return None

    def apply(self) -> None:
        filters = self._filter_or_say()
        if filters is None:
            return
        actor = self.actor

        def work(job) -> tuple[int, list[audit.EventRow]]:  # a Job
            return (audit.read_count(job.caseload, actor, filters),
                    audit.read_page(job.caseload, actor, filters, limit=PAGE))

        run(
            self.runner,
            self.status,
            work,
            lambda answer: self._shown(filters, *answer),
            label=translate("admin.audit_view", "Reading audit trail"),
        )

    def _shown(self, filters: audit.AuditFilter, total: int, rows: list) -> None:
        self.model.reset(filters, total, rows)
        self.status.notice(
            translate("admin.audit_view", "{total:,} events match.").format(total=total)
            if total != 1
            else translate("admin.audit_view", "1 event matches.")
        )

    def verify(self) -> None:
        actor = self.actor
        self.status.notice(translate("admin.audit_view", "Checking every event…"))
        run(
            self.runner,
            self.status,
            lambda job: audit.verify(job.caseload, actor),
            self._verified,
            label=translate("admin.audit_view", "Verifying the audit trail"),
        )

    def _verified(self, report: audit.ChainReport) -> None:
        if report.ok:
            self.status.notice(
                translate(
                    "admin.audit_view", "The audit trail is intact ({events:,} events checked)."
                ).format(events=report.events)
            )
        else:
            self.status.error(
                translate(
                    "admin.audit_view",
                    "The audit trail has been tampered with at event #{first_bad_seq}: {reason}.",
                ).format(first_bad_seq=report.first_bad_seq, reason=report.reason)
            )

    def export(self, path: str | None = None) -> None:
        if not path:
            path, _ = QFileDialog.getSaveFileName(
                self,
                translate("admin.audit_view", "Export the audit trail"),
                "audit-trail.csv",
                translate("admin.audit_view", "CSV files (*.csv)"),
            )
        filters = self._filter_or_say() if path else None
        if filters is None:
            return
        actor = self.actor
        run(
            self.runner,
            self.status,
            lambda job: audit.export_events(job.caseload, actor, path, filters),
            lambda rows: self.status.notice(
                translate("admin.audit_view", "Exported {rows:,} events to {path}.").format(
                    rows=rows, path=path
                )
            ),
            label=translate("admin.audit_view", "Exporting the audit trail"),
        )


def _record_id(ident: str | None, short: bool) -> str:
    """A record's id as the trail shows it: its last eight characters on screen (the demo's ids
    share one prefix per run, so their heads all look alike; a uuid4's tail is as random as its
    head), the whole id in the tooltip for anyone matching it against an export."""
    if not ident:
        return ""
    return ident[-8:] if short else ident
