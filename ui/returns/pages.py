"""The Returns screen's pages: layout only. ``screen.ReturnsScreen`` drives them."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from linkworker.returns.document import DataQualityItem, ReturnDocument
from linkworker.returns.evidence import evidence_text
from linkworker.validation import format_date, format_money
from ui.widgets import hbox

PERSON_ROLE = Qt.ItemDataRole.UserRole


def named(widget: QWidget, name: str) -> QWidget:
    widget.setAccessibleName(name)
    return widget


def fill_table(table: QTableWidget, headings: list[str], rows: list[list[Any]],
               ids: list[str | None] | None = None, sortable: bool = False) -> None:
    """Replace a table's contents; ``ids`` (person ids) ride on the first column. A sortable
    table sorts when a heading is clicked (or from the keyboard: ``sort_by``)."""
    table.setSortingEnabled(False)
    table.clear()
    table.setColumnCount(len(headings))
    table.setHorizontalHeaderLabels(headings)
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QTableWidgetItem("" if value is None else str(value))
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            if c == 0 and ids is not None:
                item.setData(PERSON_ROLE, ids[r])
            table.setItem(r, c, item)
    table.resizeColumnsToContents()
    table.horizontalHeader().setStretchLastSection(True)
    table.setSortingEnabled(sortable)


def _table(name: str) -> QTableWidget:
    table = QTableWidget()
    table.setAccessibleName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    return table


class ContractPage(QWidget):
    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Which contract is this return for?"))
        self.contracts = named(QListWidget(), "Contracts")
        layout.addWidget(self.contracts)


class PeriodPage(QWidget):
    def __init__(self) -> None:
        super().__init__()
        form = QFormLayout(self)
        self.period = named(QComboBox(), "Return period")
        self.period.setEditable(True)
        form.addRow("&Period (e.g. 2026-Q3):", self.period)
        form.addRow(QLabel("Next builds the return: the caseload is checked against every "
                           "outcome rule. It runs in the background."))


EFFECTS = {"blocks": "Blocks payment", "weakens": "May weaken a claim"}


def reference_of(issue: DataQualityItem) -> str:
    """The service's own reference while the record is at hand, else the pseudonym (a
    submitted return, reloaded from its snapshot, carries no references)."""
    return (issue.link and issue.link.reference) or issue.pseudonym


def issues_in_order(issues: tuple[DataQualityItem, ...]) -> list[DataQualityItem]:
    """Issues that block payment first, then by person and issue."""
    return sorted(issues, key=lambda q: (not q.blocks, reference_of(q), q.label))


class QualityPage(QWidget):
    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = _table("Data-quality issues, those that block payment first")
        self.table.setToolTip("Click a heading to sort by it.")
        layout.addWidget(self.table)
        self.open_record = named(QPushButton("&Open record"), "Open the selected person's record")
        layout.addLayout(hbox(self.open_record, None))
        self.issues: list[DataQualityItem] = []

    def show_issues(self, doc: ReturnDocument) -> None:
        self.issues = issues_in_order(doc.data_quality)
        blocking = sum(1 for q in self.issues if q.blocks)
        self.summary.setText(
            f"<b>{blocking} issue(s) block payment</b> (listed first) and "
            f"{len(self.issues) - blocking} may weaken a claim. Fix them in the person's "
            "record, then build the return again." if self.issues else
            "No data-quality issues found.")
        fill_table(self.table, ["Reference", "Name", "Effect", "Issue", "Detail"],
                   [[reference_of(q), q.link.name if q.link else "",
                     EFFECTS.get(q.severity, q.severity), q.label, q.message]
                    for q in self.issues],
                   [q.link.person_id if q.link else None for q in self.issues], sortable=True)
        self.open_record.setEnabled(bool(self.issues) and not doc.is_submitted)


class PreviewPage(QWidget):
    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.totals = named(QLabel(), "Return totals")
        self.totals.setWordWrap(True)
        self.totals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.totals)
        self.claims = _table("Claims in this return")
        layout.addWidget(self.claims, 3)
        self.excluded = QLabel()
        self.excluded.setWordWrap(True)
        layout.addWidget(self.excluded)
        self.unclaimed = _table("Outcomes found but not claimed, with the reason")
        layout.addWidget(self.unclaimed, 2)

    def show_return(self, doc: ReturnDocument) -> None:
        t, cur = doc.totals, doc.contract.currency
        names = doc.contract.outcome_names()
        kinds = {o.id: o.kind for o in doc.contract.outcomes}
        state = "SUBMITTED" if doc.is_submitted else "Draft"
        outcome_text = "; ".join(f"{o.name} ({o.outcome_id}): {o.claims} = "
                                 f"{format_money(o.amount, cur)}"
                                 for o in t.by_outcome if o.claims)
        self.totals.setText(
            f"<b>{state}: {doc.period.label}</b> - {t.claims} claims for {t.people} "
            f"people, {t.late_claims} late; claimed {format_money(t.claimed, cur)}, "
            f"adjustments {format_money(t.adjustments, cur)}, <b>net "
            f"{format_money(t.net, cur)}</b>.<br>{outcome_text}")
        fill_table(self.claims, ["Line", "Person", "Outcome", "Achieved", "Late", "Amount",
                                 "Note", "Evidence"],
                   [[r.line, r.pseudonym,
                     names.get(r.outcome_id, r.outcome_id) if r.is_claim
                     else f"Adjustment to {r.adjusts}",
                     format_date(r.achieved_on), "late" if r.late else "",
                     format_money(r.amount, cur), r.note or r.reason,
                     evidence_text(r.evidence, kinds.get(r.outcome_id, ""), ids=False)]
                    for r in doc.rows])
        exclusions = doc.exclusions
        self.excluded.setText(f"{len(exclusions)} outcome(s) found but not claimed, and why:"
                              if exclusions else "Every outcome found is claimed.")
        fill_table(self.unclaimed, ["Person", "Outcome", "Achieved", "Why not claimed"],
                   [[e.pseudonym, names.get(e.outcome_id, e.outcome_id),
                     format_date(e.achieved_on), e.reason]
                    for e in exclusions], sortable=True)
        self.unclaimed.setVisible(bool(exclusions))


class ExportPage(QWidget):
    FORMATS = (("xlsx", "&Workbook (XLSX)..."), ("csv", "&CSV of claims..."),
               ("pdf", "&PDF cover report..."), ("json", "&INDIGO JSON..."))

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.buttons: dict[str, QPushButton] = {}
        for fmt, text in self.FORMATS:
            button = named(QPushButton(text), f"Export the return as {fmt.upper()}")
            self.buttons[fmt] = button
            layout.addWidget(button)
        self.submit = named(QPushButton("&Submit return..."), "Submit the return")
        layout.addSpacing(12)
        layout.addWidget(self.submit)
        self.adjust = named(QPushButton("Record an a&djustment..."),
                            "Record an adjustment to a submitted claim")
        self.adjust.setToolTip("A correction to a claim already submitted: it goes into the "
                               "next return as a new row; the submitted claim is never edited.")
        layout.addWidget(self.adjust)
        layout.addStretch()

    def show_state(self, doc: ReturnDocument) -> None:
        if doc.submitted:
            self.status.setText(f"Submitted on {format_date(doc.submitted.on)} by "
                                f"{doc.submitted.by}. Exports are rebuilt from the frozen "
                                "return, identical every time.")
        else:
            self.status.setText("Draft. Export it to check, then submit it to lock its claims "
                                "into the ledger (this cannot be undone; corrections become "
                                "adjustments in a later return).")
        self.submit.setEnabled(not doc.is_submitted)
