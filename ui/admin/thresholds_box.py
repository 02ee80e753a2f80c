"""The admin's "Wellbeing change thresholds" group: one row per instrument.

Each row shows the thresholds in force in two spin boxes, says whether they are the
instrument's own or set here, and saves (or goes back to the instrument's values) through the
runner. The rules (range, audit, re-judging journey badges) are the core's
(``linkworker.wellbeing.thresholds``); this only collects two numbers.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import QDoubleSpinBox, QGridLayout, QGroupBox, QLabel, QWidget

from linkworker.access import Actor
from linkworker.wellbeing import thresholds
from linkworker.wellbeing.thresholds import ThresholdSetting
from ui.admin.common import StatusLine, button, run
from ui.i18n import translate
from ui.operations import Runner

HEADERS = (
    QT_TRANSLATE_NOOP("admin.thresholds_box", "Instrument"),
    QT_TRANSLATE_NOOP("admin.thresholds_box", "Meaningful change"),
    QT_TRANSLATE_NOOP("admin.thresholds_box", "Reliable change"),
    QT_TRANSLATE_NOOP("admin.thresholds_box", "Source"),
    "",
    "",
)


class ThresholdRow:
    """The controls for one instrument's thresholds."""

    def __init__(self, box: ThresholdsBox, setting: ThresholdSetting) -> None:
        self.box, self.code = box, setting.code
        self.label = QLabel()
        self.meaningful = self._spin(
            translate("admin.thresholds_box", "{code} meaningful change").format(code=setting.code),
            setting,
        )
        self.reliable = self._spin(
            translate("admin.thresholds_box", "{code} reliable change").format(code=setting.code),
            setting,
        )
        self.reliable.setMinimum(0)
        self.source = QLabel()
        self.source.setAccessibleName(
            translate("admin.thresholds_box", "{code} thresholds source").format(code=setting.code)
        )
        self.save_button = button(
            translate("admin.thresholds_box", "Save"),
            translate("admin.thresholds_box", "Save {code} thresholds").format(code=setting.code),
            self.save,
        )
        self.default_button = button(
            translate("admin.thresholds_box", "Use the instrument's values"),
            translate("admin.thresholds_box", "Use the instrument's values for {code}").format(
                code=setting.code
            ),
            self.use_default,
        )
        self.show(setting)

    @staticmethod
    def _spin(name: str, setting: ThresholdSetting) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setDecimals(2)
        spin.setSingleStep(0.5)
        spin.setRange(0.01, setting.largest)
        spin.setAccessibleName(name)
        spin.setToolTip(setting.basis)
        return spin

    def widgets(self) -> tuple[QWidget, ...]:
        return (self.label, self.meaningful, self.reliable, self.source, self.save_button,
                self.default_button)

    def show(self, s: ThresholdSetting) -> None:
        self.label.setText(f"{s.code}: {s.unit}")
        self.label.setToolTip(s.name)
        own = "none" if s.default_reliable is None else f"{s.default_reliable:g}"
        # 0 stands for "no reliable threshold of its own": saving it means the instrument's.
        self.reliable.setSpecialValueText(
            translate("admin.thresholds_box", "Instrument's ({own})").format(own=own)
        )
        self.meaningful.setValue(s.meaningful)
        self.reliable.setValue(0 if s.reliable is None else s.reliable)
        self.source.setText(
            translate(
                "admin.thresholds_box",
                "Set here (instrument's own: {default_meaningful:g} / {own})",
            ).format(default_meaningful=s.default_meaningful, own=own)
            if s.overridden
            else translate("admin.thresholds_box", "Instrument's own values")
        )
        self.default_button.setEnabled(s.overridden)

    def values(self) -> tuple[float, float | None]:
        reliable = self.reliable.value()
        return self.meaningful.value(), (reliable if reliable > 0 else None)

    def save(self) -> None:
        meaningful, reliable = self.values()
        self.box.apply(self.code, lambda caseload, actor: thresholds.set_change_thresholds(
            caseload, actor, self.code, meaningful, reliable))

    def use_default(self) -> None:
        self.box.apply(self.code, lambda caseload, actor: thresholds.clear_change_thresholds(
            caseload, actor, self.code))


class ThresholdsBox(QGroupBox):
    """Per instrument: what counts as a meaningful and a reliable change in this caseload."""

    def __init__(self, runner: Runner, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(translate("admin.thresholds_box", "Wellbeing change thresholds"), parent)
        self.runner, self.actor = runner, actor
        self.rows: dict[str, ThresholdRow] = {}
        self.grid = QGridLayout(self)
        for column, text in enumerate(HEADERS):
            if text:
                self.grid.addWidget(
                    QLabel(f"<b>{translate('admin.thresholds_box', text)}</b>"),
                    0,
                    column,
                )
        note = QLabel(
            translate(
                "admin.thresholds_box",
                "Changes are judged on each person's own baseline and follow-up. "
                "A contract's own threshold still decides its payments.",
            )
        )
        note.setWordWrap(True)
        self.grid.addWidget(note, 100, 0, 1, len(HEADERS))
        self.status = StatusLine(translate("admin.thresholds_box", "Change thresholds status"))
        self.grid.addWidget(self.status, 101, 0, 1, len(HEADERS))
        self.refresh()

    def refresh(self) -> None:
        run(
            self.runner,
            self.status,
            lambda job: thresholds.list_thresholds(job.caseload),
            self._show,
            label=translate("admin.thresholds_box", "Reading change thresholds"),
        )

    def _show(self, settings: tuple[ThresholdSetting, ...]) -> None:
        for s in settings:
            row = self.rows.get(s.code)
            if row is None:
                row = self.rows[s.code] = ThresholdRow(self, s)
                line = len(self.rows)
                for column, widget in enumerate(row.widgets()):
                    self.grid.addWidget(widget, line, column)
            row.show(s)

    def apply(self, code: str, change) -> None:  # (caseload, actor) -> setting
        actor = self.actor

        def done(now: ThresholdSetting) -> None:
            self.rows[code].show(now)
            reliable = "none" if now.reliable is None else f"{now.reliable:g}"
            self.status.notice(
                translate(
                    "admin.thresholds_box",
                    "{code}: meaningful change {meaningful:g}, reliable change "
                    "{reliable}. Journey badges were updated.",
                ).format(code=code, meaningful=now.meaningful, reliable=reliable)
            )

        run(
            self.runner,
            self.status,
            lambda job: change(job.caseload, actor),
            done,
            label=translate("admin.thresholds_box", "Saving change thresholds"),
            changes=("measures", "episodes", "people"),
        )
