"""The Returns screen's pages: layout only. ``screen.ReturnsScreen`` drives them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from linkworker.returns.document import DataQualityItem, ReturnDocument
from linkworker.validation import format_date, format_money
from ui.i18n import translate
from ui.returns.table import RowsTable
from ui.widgets import hbox

if TYPE_CHECKING:
    from linkworker.returns.flow import AtHub


def named(widget: QWidget, name: str) -> QWidget:
    widget.setAccessibleName(name)
    return widget


def fill_table(table: RowsTable, headings: list[str], rows: list[list[Any]],
               ids: list[str | None] | None = None, sortable: bool = False) -> None:
    """Replace a table's contents; ``ids`` (person ids) ride on the first column. A sortable
    table sorts when a heading is clicked."""
    table.show_rows(headings, rows, ids, sortable)


def _table(name: str) -> RowsTable:
    return RowsTable(name)


class ContractPage(QWidget):
    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(translate("returns.pages", "Which contract is this return for?")))
        self.contracts = named(QListWidget(), translate("returns.pages", "Contracts"))
        layout.addWidget(self.contracts)


class PeriodPage(QWidget):
    def __init__(self) -> None:
        super().__init__()
        form = QFormLayout(self)
        self.period = named(QComboBox(), translate("returns.pages", "Return period"))
        self.period.setEditable(True)
        # Alt+P is the Person menu
        form.addRow(translate("returns.pages", "P&eriod (e.g. 2026-Q3):"), self.period)
        note = QLabel(translate("returns.pages", "Next builds the return: the caseload is checked "
                                "against every outcome rule. It runs in the background."))
        note.setWordWrap(True)  # never cut at 150% scale
        form.addRow(note)


EFFECTS = {
    "blocks": QT_TRANSLATE_NOOP("returns.pages", "Blocks payment"),
    "weakens": QT_TRANSLATE_NOOP("returns.pages", "May weaken a claim"),
}
ADJUST_TIP = QT_TRANSLATE_NOOP(
    "returns.pages", "A correction to a claim already submitted: it goes into the next return "
    "as a new row; the submitted claim is never edited.")


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
        self.table = _table(
            translate("returns.pages", "Data-quality issues, those that block payment first")
        )
        self.table.setToolTip(translate("returns.pages", "Click a heading to sort by it."))
        layout.addWidget(self.table)
        self.open_record = named(
            QPushButton(translate("returns.pages", "&Open record")),
            translate("returns.pages", "Open the selected person's record"),
        )
        layout.addLayout(hbox(self.open_record, None))
        self.issues: list[DataQualityItem] = []

    def show_issues(self, doc: ReturnDocument) -> None:
        self.issues = issues_in_order(doc.data_quality)
        blocking = sum(1 for q in self.issues if q.blocks)
        blocks = translate("returns.pages", "%Ln issue(s) block payment", None, blocking)
        self.summary.setText(
            translate(
                "returns.pages",
                "<b>{blocks}</b> (listed first) and {weaken} may weaken a claim. Fix them "
                "in the person's record, then build the return again.",
            ).format(blocks=blocks, weaken=len(self.issues) - blocking)
            if self.issues
            else translate("returns.pages", "No data-quality issues found.")
        )
        fill_table(
            self.table,
            [
                translate("returns.pages", "Reference"),
                translate("returns.pages", "Name"),
                translate("returns.pages", "Effect"),
                translate("returns.pages", "Issue"),
                translate("returns.pages", "Detail"),
            ],
            [
                [
                    reference_of(q),
                    q.link.name if q.link else "",
                    translate("returns.pages", EFFECTS.get(q.severity, q.severity)),
                    q.label,
                    q.message,
                ]
                for q in self.issues
            ],
            [q.link.person_id if q.link else None for q in self.issues],
            sortable=True,
        )
        self.open_record.setEnabled(bool(self.issues) and not doc.is_submitted)


class PreviewPage(QWidget):
    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.totals = named(QLabel(), translate("returns.pages", "Return totals"))
        self.totals.setWordWrap(True)
        self.totals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.totals)
        self.claims = _table(translate("returns.pages", "Claims in this return"))
        layout.addWidget(self.claims, 3)
        self.excluded = QLabel()
        self.excluded.setWordWrap(True)
        layout.addWidget(self.excluded)
        self.unclaimed = _table(
            translate("returns.pages", "Outcomes found but not claimed, with the reason")
        )
        layout.addWidget(self.unclaimed, 2)

    def show_return(self, doc: ReturnDocument, evidence: Sequence[str]) -> None:
        """``evidence``: each row's evidence in words (``returns.evidence.on_screen``), made
        by the build's job on a worker thread, not here."""
        t, cur = doc.totals, doc.contract.currency
        names = doc.contract.outcome_names()
        state = (translate("returns.pages", "SUBMITTED") if doc.is_submitted
                 else translate("returns.pages", "Draft"))
        outcome_text = "; ".join(f"{o.name} ({o.outcome_id}): {o.claims} = "
                                 f"{format_money(o.amount, cur)}"
                                 for o in t.by_outcome if o.claims)
        self.totals.setText(
            translate(
                "returns.pages",
                "<b>{state}: {label}</b> - {claims} claims for {people} people, "
                "{late_claims} late; claimed {claimed}, adjustments "
                "{adjustments}, <b>net {net}</b>.<br>{outcome_text}",
            ).format(
                state=state,
                label=doc.period.label,
                claims=t.claims,
                people=t.people,
                late_claims=t.late_claims,
                claimed=format_money(t.claimed, cur),
                adjustments=format_money(t.adjustments, cur),
                net=format_money(t.net, cur),
                outcome_text=outcome_text,
            )
        )
        fill_table(
            self.claims,
            [
                translate("returns.pages", "Line"),
                translate("returns.pages", "Person"),
                translate("returns.pages", "Outcome"),
                translate("returns.pages", "Achieved"),
                translate("returns.pages", "Late"),
                translate("returns.pages", "Amount"),
                translate("returns.pages", "Note"),
                translate("returns.pages", "Evidence"),
            ],
            [
                [
                    r.line,
                    r.pseudonym,
                    names.get(r.outcome_id, r.outcome_id)
                    if r.is_claim
                    else translate("returns.pages", "Adjustment to {line}").format(
                        line=r.adjusts
                    ),
                    format_date(r.achieved_on),
                    translate("returns.pages", "late") if r.late else "",
                    format_money(r.amount, cur),
                    r.note or r.reason,
                    words,
                ]
                for r, words in zip(doc.rows, evidence, strict=True)
            ],
        )
        exclusions = doc.exclusions
        count = len(exclusions)
        self.excluded.setText(
            translate("returns.pages", "%Ln outcome(s) found but not claimed, and why:", None,
                      count)
            if exclusions
            else translate("returns.pages", "Every outcome found is claimed.")
        )
        fill_table(
            self.unclaimed,
            [
                translate("returns.pages", "Person"),
                translate("returns.pages", "Outcome"),
                translate("returns.pages", "Achieved"),
                translate("returns.pages", "Why not claimed"),
            ],
            [
                [
                    e.pseudonym,
                    names.get(e.outcome_id, e.outcome_id),
                    format_date(e.achieved_on),
                    e.reason,
                ]
                for e in exclusions
            ],
            sortable=True,
        )
        self.unclaimed.setVisible(bool(exclusions))


class ExportPage(QWidget):
    FORMATS = (
        ("xlsx", QT_TRANSLATE_NOOP("returns.pages", "&Workbook (XLSX)...")),
        ("csv", QT_TRANSLATE_NOOP("returns.pages", "&CSV of claims...")),
        ("pdf", QT_TRANSLATE_NOOP("returns.pages", "PDF co&ver report...")),
        ("json", QT_TRANSLATE_NOOP("returns.pages", "&INDIGO JSON...")),
    )

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.buttons: dict[str, QPushButton] = {}
        for fmt, source in self.FORMATS:
            text = translate("returns.pages", source)
            button = named(
                QPushButton(text),
                translate("returns.pages", "Export the return as {upper}").format(
                    upper=fmt.upper()
                ),
            )
            self.buttons[fmt] = button
            layout.addWidget(button)
        self.submit = named(
            QPushButton(translate("returns.pages", "&Submit return...")),
            translate("returns.pages", "Submit the return"),
        )
        layout.addSpacing(12)
        layout.addWidget(self.submit)
        self.adjust = named(
            QPushButton(translate("returns.pages", "Record an a&djustment...")),
            translate("returns.pages", "Record an adjustment to a submitted claim"),
        )
        self.adjust.setToolTip(translate("returns.pages", ADJUST_TIP))
        layout.addWidget(self.adjust)
        layout.addStretch()

    def show_state(self, doc: ReturnDocument, at_hub: AtHub | None = None) -> None:
        """The return's state; ``at_hub``: this laptop syncs with the team's hub, where returns
        are submitted and adjusted, so this is a draft to check and Submit and Adjust are off,
        each naming the command to run at the hub."""
        self._hub_notes(at_hub)
        if at_hub and not doc.submitted:
            draft = translate("returns.pages", "Draft from this laptop's copy, to check.")
            self.status.setText(f"{draft} {self.submit.toolTip()}")
            self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            return
        if doc.submitted:
            self.status.setText(
                translate(
                    "returns.pages",
                    "Submitted on {on} by {by}. Exports are rebuilt from the frozen "
                    "return, identical every time.",
                ).format(on=format_date(doc.submitted.on), by=doc.submitted.by)
            )
        else:
            self.status.setText(
                translate(
                    "returns.pages",
                    "Draft. Export it to check, then submit it to lock its claims "
                    "into the ledger (this cannot be undone; corrections become "
                    "adjustments in a later return).",
                )
            )
        self.submit.setEnabled(not doc.is_submitted)
        if at_hub:  # a return submitted at the hub, synced here: corrections are made there
            self.status.setText(f"{self.status.text()}\n{self.adjust.toolTip()}")
            self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def _hub_notes(self, at_hub: AtHub | None) -> None:
        """Submit and Adjust off where the claims ledger is the hub's, each saying the command
        that does it there, on hover and to a screen reader (a disabled button cannot be
        pressed to be told); back to their own words on a caseload that writes its ledger."""
        self.submit.setEnabled(at_hub is None)
        self.adjust.setEnabled(at_hub is None)
        submit_note = adjust_note = ""
        if at_hub:
            submit_note = translate(
                "returns.pages",
                "Your team submits its returns at the hub, so the claims ledger stays in one "
                "place; there, a manager runs:\n{command}",
            ).format(command=at_hub.submit)
            adjust_note = translate(
                "returns.pages",
                "Your team records adjustments at the hub, so the claims ledger stays in one "
                "place; there, a manager runs:\n{command}",
            ).format(command=at_hub.adjust)
        self.submit.setToolTip(submit_note)
        self.submit.setAccessibleDescription(submit_note)
        self.adjust.setToolTip(adjust_note or translate("returns.pages", ADJUST_TIP))
        self.adjust.setAccessibleDescription(adjust_note)
