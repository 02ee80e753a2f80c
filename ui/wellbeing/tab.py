"""The wellbeing tab of a person's record: change badge, timeline chart, list of forms.

``WellbeingTab(runner, actor, person_id)`` is what the person record embeds. It reads
everything in one core call (``wellbeing_overview``) through the runner, and refreshes when
the runner announces that measures changed.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from linkworker.access import Actor, can
from linkworker.charts import wellbeing_timeline
from linkworker.validation import format_date
from linkworker.wellbeing.measures import MeasureRecord, WellbeingOverview, wellbeing_overview
from ui.core_words import core
from ui.i18n import translate
from ui.operations import Runner, friendly_message, while_alive
from ui.wellbeing.badge import ChangeBadge
from ui.wellbeing.chart_view import ChartView
from ui.wellbeing.form import MeasureFormDialog
from ui.wellbeing.tables import read_only_table

# Ctrl+N is the record's quick contact note (a window-level menu action), so forms use Ctrl+M.
RECORD_KEYS = "Ctrl+M"
COLUMNS = (
    QT_TRANSLATE_NOOP("wellbeing.tab", "Date"),
    QT_TRANSLATE_NOOP("wellbeing.tab", "Instrument"),
    QT_TRANSLATE_NOOP("wellbeing.tab", "Timepoint"),
    QT_TRANSLATE_NOOP("wellbeing.tab", "Score"),
    QT_TRANSLATE_NOOP("wellbeing.tab", "Form"),
    QT_TRANSLATE_NOOP("wellbeing.tab", "Mode"),
    QT_TRANSLATE_NOOP("wellbeing.tab", "Recorded by"),
)


def score_text(form: MeasureRecord, decimals: int = 2) -> str:
    if not form.complete:
        return "-"
    if form.value is None:  # item-reported (ONS4): show the answers
        return " / ".join(str(a) for a in form.answers)
    shown = f"{form.value:.{decimals}f}".rstrip("0").rstrip(".")
    return (
        shown
        if form.raw is None or form.raw == form.value
        else translate("wellbeing.tab", "{shown} (raw {raw})").format(shown=shown, raw=form.raw)
    )


class WellbeingTab(QWidget):
    """A person's wellbeing: latest change, chart over the journey, every form recorded."""

    def __init__(self, runner: Runner, actor: Actor, person_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.actor, self.person_id = runner, actor, person_id
        self.overview: WellbeingOverview | None = None
        self.dialog: MeasureFormDialog | None = None
        self._build()
        runner.changed.connect(self._changed)
        self.refresh()

    def _build(self) -> None:
        self.badge = ChangeBadge()
        self.chart_choice = QComboBox()
        self.chart_choice.setAccessibleName(
            translate("wellbeing.tab", "Instrument shown on the chart")
        )
        self.chart_choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.record_button = QPushButton(
            translate("wellbeing.tab", "&Record a form ({RECORD_KEYS})").format(
                RECORD_KEYS=RECORD_KEYS
            )
        )
        self.record_button.setAccessibleName(translate("wellbeing.tab", "Record a wellbeing form"))
        self.record_button.setToolTip(
            translate(
                "wellbeing.tab", "Record a wellbeing form with the person ({RECORD_KEYS} or Alt+R)"
            ).format(RECORD_KEYS=RECORD_KEYS)
        )
        self.record_button.setEnabled(can(self.actor, "measure.record"))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName(translate("wellbeing.tab", "Status"))
        top = QHBoxLayout()
        top.addWidget(QLabel(translate("wellbeing.tab", "Latest change:")))
        top.addWidget(self.badge)
        top.addStretch(1)
        top.addWidget(QLabel(translate("wellbeing.tab", "&Chart:")))
        top.itemAt(top.count() - 1).widget().setBuddy(self.chart_choice)
        top.addWidget(self.chart_choice)
        top.addWidget(self.record_button)
        self.chart = ChartView(translate("wellbeing.tab", "Wellbeing scores over time"))
        self.table = read_only_table(
            [translate("wellbeing.tab", c) for c in COLUMNS],
            translate("wellbeing.tab", "Wellbeing forms recorded"),
            rows=True,
        )
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.chart)
        splitter.addWidget(self.table)
        splitter.setSizes([340, 180])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(splitter, 1)
        self.record_button.clicked.connect(self.open_form)
        shortcut = QShortcut(QKeySequence(RECORD_KEYS), self, self.open_form)
        # set after construction: PySide6 ignores a ``context=`` passed with a callable
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.chart_choice.currentIndexChanged.connect(self._draw_chart)

    # --- data -----------------------------------------------------------------------------

    def refresh(self) -> None:
        actor, person_id = self.actor, self.person_id
        self.runner.run(lambda job: wellbeing_overview(job.caseload, actor, person_id),
                        while_alive(self, self._show),
                        failed=while_alive(self, self._failed))

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(friendly_message(exc))

    def _changed(self, tags: frozenset[str]) -> None:
        if "measures" in tags:
            self.refresh()

    def _show(self, overview: WellbeingOverview) -> None:
        self.overview = overview
        self.table.setRowCount(len(overview.forms))
        for row, form in enumerate(overview.forms):
            timeline = overview.timelines.get(form.instrument)
            cells = (
                format_date(form.completed_on),
                form.instrument,
                form.timepoint_label,
                score_text(form, timeline.decimals if timeline else 2),
                translate("wellbeing.tab", "Complete")
                if form.complete
                else translate("wellbeing.tab", "Incomplete ({answered} answered)").format(
                    answered=form.answered
                ),
                core(form.mode_label),
                form.recorded_by or "",
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, form.id)
                self.table.setItem(row, col, item)
        chosen = self.chart_choice.currentData()
        self.chart_choice.blockSignals(True)
        self.chart_choice.clear()
        for code, timeline in overview.timelines.items():
            self.chart_choice.addItem(timeline.name, code)
        if overview.changes:
            # Prefer the instrument that has a change to show.
            chosen = chosen if chosen in overview.timelines else next(iter(overview.changes))
        index = self.chart_choice.findData(chosen)
        self.chart_choice.setCurrentIndex(index if index >= 0 else 0)
        self.chart_choice.blockSignals(False)
        self.status.setText(
            ""
            if overview.forms
            else translate(
                "wellbeing.tab", "No wellbeing forms yet. Record a baseline as early as possible."
            )
        )
        self._draw_chart()

    def _draw_chart(self) -> None:
        if self.overview is None:
            return
        code = self.chart_choice.currentData()
        timeline = self.overview.timelines.get(code)
        change = self.overview.changes.get(code) if code else None
        if change is None and self.overview.changes:
            change = next(iter(self.overview.changes.values()))
        if change is None:
            self.badge.set_change(None)
        else:
            sign = "+" if change.change.difference > 0 else ""
            detail = f"{change.instrument} {sign}{change.change.difference:g}"
            if change.change.reliable:
                detail += ", reliable"
            self.badge.set_change(change.direction, detail)
        if timeline is not None:
            self.chart.show_figure(wellbeing_timeline(timeline))

    def timeline_values(self, code: str) -> list[float | None]:
        """The scores charted for an instrument (what the chart draws; used by tests too)."""
        if self.overview is None or code not in self.overview.timelines:
            return []
        return [p.value for p in self.overview.timelines[code].series[0].points]

    # --- recording ------------------------------------------------------------------------

    def open_form(self, instrument: str | None = None) -> MeasureFormDialog | None:
        if not self.record_button.isEnabled():
            return None
        self.dialog = MeasureFormDialog(self.runner, self.actor, self.person_id, self,
                                        instrument=instrument or None)
        self.dialog.open()
        return self.dialog
