"""Caseload wellbeing summary: paired change for an instrument, period, worker or contract.

On screen every figure is shown (the worker needs the names of people missing a follow-up),
with a warning when numbers are small. The export button writes the suppressed version only:
counts under 5 are hidden with the reason, and no one is named.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
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

from linkworker import apart
from linkworker.access import Actor, can
from linkworker.charts import change_breakdown
from linkworker.dates import add_months
from linkworker.validation import format_date
from linkworker.wellbeing.summaries import (
    DEFAULT_MIN_CELL,
    MissingRow,
    SummaryFilter,
    SummaryOptions,
    WellbeingSummary,
    build_summary,
    export_summary,
    summary_lines,
    summary_options,
)
from ui.i18n import translate
from ui.operations import Runner, friendly_message, while_alive
from ui.person_list import PersonList
from ui.record import widgets as w
from ui.wellbeing.chart_view import ChartView
from ui.wellbeing.tables import read_only_table


def _missing_cells(m: MissingRow) -> tuple[str, ...]:
    return (m.reference, m.name, format_date(m.baseline_on), f"{m.baseline_value:g}",
            "ended" if m.exited else "open")


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
        self._warm()

    def _warm(self) -> None:
        """At 150,000 people, a process for the next summary started now, while the filter is
        chosen (``linkworker.apart.warm``): Show does not wait for its start."""
        self.runner.read(lambda job: apart.warm(job.caseload), yields=True)

    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        return combo

    def _build(self) -> None:
        # Typed like every other date (Qt's date box takes no date typed over its text).
        today = dt.date.today()
        self.instrument = self._combo(translate("wellbeing.summary_view", "Instrument"))
        self.item = self._combo(
            translate("wellbeing.summary_view", "Item (for instruments reported item by item)")
        )
        self.start = w.date_edit(
            translate("wellbeing.summary_view", "Baselines from"), value=add_months(today, -12)
        )
        self.end = w.date_edit(translate("wellbeing.summary_view", "Baselines to"), value=today)
        self.all_time = QCheckBox(translate("wellbeing.summary_view", "&All dates"))
        self.all_time.setAccessibleName(
            translate("wellbeing.summary_view", "Include baselines of any date")
        )
        self.worker = self._combo(translate("wellbeing.summary_view", "Worker"))
        self.contract = self._combo(translate("wellbeing.summary_view", "Contract"))
        self.show_button = QPushButton(translate("wellbeing.summary_view", "&Show (Ctrl+Return)"))
        self.show_button.setAccessibleName(translate("wellbeing.summary_view", "Show the summary"))
        self.show_button.setShortcut("Ctrl+Return")
        self.export_button = QPushButton(
            translate("wellbeing.summary_view", "&Export with small numbers hidden...")
        )
        self.export_button.setAccessibleName(
            translate("wellbeing.summary_view", "Export the summary with small numbers suppressed")
        )
        self.export_button.setEnabled(False)
        form = QFormLayout()
        form.addRow(translate("wellbeing.summary_view", "&Instrument"), self.instrument)
        form.addRow(translate("wellbeing.summary_view", "I&tem"), self.item)
        dates = QHBoxLayout()
        dates.addWidget(self.start)
        dates.addWidget(QLabel(translate("wellbeing.summary_view", "to")))
        dates.addWidget(self.end)
        dates.addWidget(self.all_time)
        caption = QLabel(
            translate("wellbeing.summary_view", "&Baselines dated")
        )  # a row of fields: Alt+B goes to the first
        caption.setBuddy(self.start)
        form.addRow(caption, dates)
        form.addRow(translate("wellbeing.summary_view", "&Worker"), self.worker)
        form.addRow(translate("wellbeing.summary_view", "&Contract"), self.contract)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.show_button)
        buttons.addWidget(self.export_button)
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setAccessibleName(translate("wellbeing.summary_view", "Warning"))
        self.warning.setStyleSheet("color: #A23B00; font-weight: bold;")
        self.figures = read_only_table(
            (
                translate("wellbeing.summary_view", "Figure"),
                translate("wellbeing.summary_view", "Value"),
                translate("wellbeing.summary_view", "Note"),
            ),
            translate("wellbeing.summary_view", "Summary figures"),
        )
        self.chart = ChartView(
            translate("wellbeing.summary_view", "Improved, no change and deteriorated")
        )
        # Thousands of people at 150,000: a lazy list (texts made as rows are painted), not a
        # table item per cell kept for the session (about 10 MB at 50,000; issue 15, memory).
        self.missing = PersonList(
            (
                translate("wellbeing.summary_view", "Reference"),
                translate("wellbeing.summary_view", "Name"),
                translate("wellbeing.summary_view", "Baseline date"),
                translate("wellbeing.summary_view", "Baseline"),
                translate("wellbeing.summary_view", "Journey"),
            ),
            translate("wellbeing.summary_view", "People still missing a follow-up"),
        )
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.chart)
        holder = QWidget()
        missing_layout = QVBoxLayout(holder)
        missing_layout.setContentsMargins(0, 0, 0, 0)
        missing_layout.addWidget(
            QLabel(translate("wellbeing.summary_view", "People still missing a follow-up:"))
        )
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
            self.worker.addItem(translate("wellbeing.summary_view", "All workers"), None)
        for uid, name in options.workers:
            self.worker.addItem(name, uid)
        self.contract.addItem(translate("wellbeing.summary_view", "All contracts"), None)
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
            start=None if every else w.get_date(self.start),
            end=None if every else w.get_date(self.end),
            worker_id=self.worker.currentData(),
            contract_id=self.contract.currentData(),
            item=self.item.currentData() if self.item.isEnabled() else None,
        )

    # --- results --------------------------------------------------------------------------

    def show_status(self, text: str, kind: str = "info") -> None:
        """Above the figures (where ``stops_at_a_bad_date`` reports a date that is not one)."""
        self.warning.setText(text)

    @w.stops_at_a_bad_date
    def refresh(self) -> None:
        actor, chosen = self.actor, self.current_filter()
        # In a process of its own at 150,000 people (``linkworker.apart``): the window keeps
        # the summary, not the arenas its read of every form filled.
        self.runner.run(lambda job: apart.run(job.caseload, build_summary, actor, chosen,
                                              stop=lambda: job.cancelled),
                        while_alive(self, self._show), failed=while_alive(self, self._fail))

    def _show(self, summary: WellbeingSummary) -> None:
        self._warm()  # for the next
        self.summary = summary
        lines = summary_lines(summary, suppress=False)
        small = {x.key for x in summary_lines(summary) if x.suppressed}
        _fill(self.figures, [
            (x.label, x.value, "few people: hidden in exports" if x.key in small else "")
            for x in lines
        ])
        self.missing.fill(summary.missing, _missing_cells)
        self.chart.show_figure(change_breakdown(summary))
        self.warning.setText(
            translate(
                "wellbeing.summary_view",
                "Only {paired} people have a paired follow-up: too few to mean "
                "much. Exports hide counts under {DEFAULT_MIN_CELL}.",
            ).format(paired=summary.paired, DEFAULT_MIN_CELL=DEFAULT_MIN_CELL)
            if summary.too_few
            else ""
        )
        self.export_button.setEnabled(True)

    def _ask_export(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self,
            translate("wellbeing.summary_view", "Export wellbeing summary"),
            "wellbeing-summary.xlsx",
            translate("wellbeing.summary_view", "Excel workbook (*.xlsx);;CSV (*.csv)"),
        )
        if name:
            self.export(Path(name))

    def export(self, path: Path) -> None:
        summary, actor = self.summary, self.actor
        if summary is None:
            return
        self.runner.run(
            lambda job: export_summary(job.caseload, actor, summary, path),
            while_alive(
                self,
                lambda p: self.warning.setText(
                    translate("wellbeing.summary_view", "Exported to {name}.").format(name=p.name)
                ),
            ),
            failed=while_alive(self, self._fail),
            label=translate("wellbeing.summary_view", "Exporting"),
        )
