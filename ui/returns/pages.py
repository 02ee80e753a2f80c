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

from linkworker.validation import format_date, format_money, parse_date
from ui.widgets import hbox

PERSON_ROLE = Qt.ItemDataRole.UserRole


def named(widget: QWidget, name: str) -> QWidget:
    widget.setAccessibleName(name)
    return widget


def fill_table(table: QTableWidget, headings: list[str], rows: list[list[Any]],
               ids: list[str | None] | None = None) -> None:
    """Replace a table's contents; ``ids`` (person ids) ride on the first column."""
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


class QualityPage(QWidget):
    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = _table("Data-quality issues")
        layout.addWidget(self.table)
        self.open_record = named(QPushButton("&Open record"), "Open the selected person's record")
        layout.addLayout(hbox(self.open_record, None))

    def show_issues(self, doc: dict[str, Any]) -> None:
        issues = doc["data_quality"]
        blocking = sum(1 for q in issues if q["severity"] == "blocks")
        self.summary.setText(
            f"{len(issues)} issue(s); {blocking} block claims until fixed. Fix them in the "
            "person's record, then build the return again." if issues else
            "No data-quality issues found.")
        fill_table(self.table, ["Person", "Issue", "Effect", "Detail"],
                   [[q.get("_reference") or q["pseudonym"], q["label"], q["severity"],
                     q["message"]] for q in issues],
                   [q.get("_person_id") for q in issues])
        self.open_record.setEnabled(bool(issues) and doc["status"] != "submitted")


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
        layout.addWidget(self.excluded)

    def show_return(self, doc: dict[str, Any]) -> None:
        t, cur = doc["totals"], doc["contract"]["currency"]
        state = "SUBMITTED" if doc["status"] == "submitted" else "Draft"
        outcome_text = "; ".join(f"{o['outcome_id']} {o['claims']} = "
                                 f"{format_money(o['amount'], cur)}"
                                 for o in t["by_outcome"] if o["claims"])
        self.totals.setText(
            f"<b>{state}: {doc['period']['label']}</b> - {t['claims']} claims for {t['people']} "
            f"people, {t['late_claims']} late; claimed {format_money(t['claimed'], cur)}, "
            f"adjustments {format_money(t['adjustments'], cur)}, <b>net "
            f"{format_money(t['net'], cur)}</b>.<br>{outcome_text}")
        fill_table(self.claims, ["Line", "Person", "Outcome", "Achieved", "Late", "Amount",
                                 "Note", "Evidence"],
                   [[r["line"], r["pseudonym"], r["outcome_id"],
                     format_date(parse_date(r["achieved_on"])), "late" if r["late"] else "",
                     format_money(r["amount"], cur), r["note"] or r["reason"],
                     r["evidence_text"]] for r in doc["rows"]])
        self.excluded.setText(f"{len(doc['exclusions'])} outcome(s) found but not claimed "
                              "(caps, eligibility, consent, already claimed): see the workbook.")


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
        layout.addStretch()

    def show_state(self, doc: dict[str, Any]) -> None:
        if doc["status"] == "submitted":
            sub = doc.get("submitted") or {}
            self.status.setText(f"Submitted on {format_date(parse_date(sub.get('on')))} by "
                                f"{sub.get('by', '')}. Exports are rebuilt from the frozen "
                                "return, identical every time.")
        else:
            self.status.setText("Draft. Export it to check, then submit it to lock its claims "
                                "into the ledger (this cannot be undone; corrections become "
                                "adjustments in a later return).")
        self.submit.setEnabled(doc["status"] != "submitted")
