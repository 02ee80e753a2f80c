"""Caseload wellbeing summary: paired change for an instrument, period, worker or contract.

On screen every figure is shown (the worker needs the names of people missing a follow-up),
with a warning when numbers are small. The export button writes the suppressed version only:
counts under 5 are hidden with the reason, and no one is named.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from linkworker.access import Actor, can
from linkworker.charts import change_breakdown
from linkworker.validation import format_date
from linkworker.wellbeing.summaries import (
    DEFAULT_MIN_CELL,
    SummaryFilter,
    SummaryOptions,
    WellbeingSummary,
    build_summary,
    export_summary,
    summary_lines,
    summary_options,
)
from ui.operations import Runner, friendly_message, while_alive
from ui.wellbeing.chart_view import ChartView
from ui.wellbeing.tables import read_only_table


def _to_date(q: QDate) -> dt.date:
    return dt.date(q.year(), q.month(), q.day())


def _fill(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))


class SummaryView(QWidget):
    """Choose a slice of the caseload and see paired wellbeing change, honestly counted."""

    def __init__(self, runner: Runner, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.actor = runner, actor
        self.options: SummaryOptions | None = None
        self.summary: WellbeingSummary | None = None
        self._build()
        self.runner.run(lambda job: summary_options(job.caseload, actor),
                        while_alive(self, self._set_options), failed=while_alive(self, self._fail))

    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        return combo

    def _date(self, name: str, value: QDate) -> QDateEdit:
        edit = QDateEdit(value)
        edit.setDisplayFormat("dd/MM/yyyy")
        edit.setCalendarPopup(True)
        edit.setAccessibleName(name)
        return edit

    def _build(self) -> None:
        today = QDate.currentDate()
        self.instrument = self._combo("Instrument")
        self.item = self._combo("Item (for instruments reported item by item)")
        self.start = self._date("Baselines from", today.addYears(-1))
        self.end = self._date("Baselines to", today)
        self.all_time = QCheckBox("&All dates")
        self.all_time.setAccessibleName("Include baselines of any date")
        self.worker = self._combo("Worker")
        self.contract = self._combo("Contract")
        self.show_button = QPushButton("&Show (Ctrl+Return)")
        self.show_button.setAccessibleName("Show the summary")
        self.show_button.setShortcut("Ctrl+Return")
        self.export_button = QPushButton("&Export with small numbers hidden...")
        self.export_button.setAccessibleName("Export the summary with small numbers suppressed")
        self.export_button.setEnabled(False)
        form = QFormLayout()
        form.addRow("&Instrument", self.instrument)
        form.addRow("I&tem", self.item)
        dates = QHBoxLayout()
        dates.addWidget(self.start)
        dates.addWidget(QLabel("to"))
        dates.addWidget(self.end)
        dates.addWidget(self.all_time)
        form.addRow("&Baselines dated", dates)
        form.addRow("&Worker", self.worker)
        form.addRow("&Contract", self.contract)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.show_button)
        buttons.addWidget(self.export_button)
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setAccessibleName("Warning")
        self.warning.setStyleSheet("color: #A23B00; font-weight: bold;")
        self.figures = read_only_table(("Figure", "Value", "Note"), "Summary figures")
        self.chart = ChartView("Improved, no change and deteriorated")
        self.missing = read_only_table(
            ("Reference", "Name", "Baseline date", "Baseline", "Journey"),
            "People still missing a follow-up")
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.chart)
        holder = QWidget()
        missing_layout = QVBoxLayout(holder)
        missing_layout.setContentsMargins(0, 0, 0, 0)
        missing_layout.addWidget(QLabel("People still missing a follow-up:"))
        missing_layout.addWidget(self.missing)
        right.addWidget(holder)
        body = QSplitter(Qt.Orientation.Horizontal)
        body.addWidget(self.figures)
        body.addWidget(right)
        body.setSizes([560, 600])
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.warning)
        layout.addWidget(body, 1)
        self.instrument.currentIndexChanged.connect(self._instrument_changed)
        self.all_time.toggled.connect(lambda on: (self.start.setEnabled(not on),
                                                  self.end.setEnabled(not on)))
        self.show_button.clicked.connect(self.refresh)
        self.export_button.clicked.connect(self._ask_export)

    # --- options and filter ---------------------------------------------------------------

    def _fail(self, exc: BaseException) -> None:
        self.warning.setText(friendly_message(exc))

    def _set_options(self, options: SummaryOptions) -> None:
        self.options = options
        for code, name in options.instruments:
            self.instrument.addItem(f"{code}: {name}", code)
        if not options.restricted_to_own:
            self.worker.addItem("All workers", None)
        for uid, name in options.workers:
            self.worker.addItem(name, uid)
        self.contract.addItem("All contracts", None)
        for cid, name in options.contracts:
            self.contract.addItem(name, cid)
        self.export_button.setVisible(can(self.actor, "data.export"))
        self._instrument_changed()

    def _instrument_changed(self) -> None:
        self.item.clear()
        items = (self.options.items if self.options else {}).get(self.instrument.currentData())
        for code, label in items or ():
            self.item.addItem(label, code)
        self.item.setEnabled(bool(items))

    def current_filter(self) -> SummaryFilter:
        every = self.all_time.isChecked()
        return SummaryFilter(
            instrument=self.instrument.currentData() or "WEMWBS",
            start=None if every else _to_date(self.start.date()),
            end=None if every else _to_date(self.end.date()),
            worker_id=self.worker.currentData(),
            contract_id=self.contract.currentData(),
            item=self.item.currentData() if self.item.isEnabled() else None,
        )

    # --- results --------------------------------------------------------------------------

    def refresh(self) -> None:
        actor, chosen = self.actor, self.current_filter()
        self.runner.run(lambda job: build_summary(job.caseload, actor, chosen),
                        while_alive(self, self._show), failed=while_alive(self, self._fail))

    def _show(self, summary: WellbeingSummary) -> None:
        self.summary = summary
        lines = summary_lines(summary, suppress=False)
        small = {x.key for x in summary_lines(summary) if x.suppressed}
        _fill(self.figures, [
            (x.label, x.value, "few people: hidden in exports" if x.key in small else "")
            for x in lines
        ])
        _fill(self.missing, [
            (m.reference, m.name, format_date(m.baseline_on), f"{m.baseline_value:g}",
             "ended" if m.exited else "open")
            for m in summary.missing
        ])
        self.chart.show_figure(change_breakdown(summary))
        self.warning.setText(
            f"Only {summary.paired} people have a paired follow-up: too few to mean much. "
            f"Exports hide counts under {DEFAULT_MIN_CELL}." if summary.too_few else ""
        )
        self.export_button.setEnabled(True)

    def _ask_export(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Export wellbeing summary", "wellbeing-summary.xlsx",
            "Excel workbook (*.xlsx);;CSV (*.csv)")
        if name:
            self.export(Path(name))

    def export(self, path: Path) -> None:
        summary, actor = self.summary, self.actor
        if summary is None:
            return
        self.runner.run(lambda job: export_summary(job.caseload, actor, summary, path),
                        while_alive(self, lambda p: self.warning.setText(f"Exported to {p.name}.")),
                        failed=while_alive(self, self._fail), label="Exporting")
