"""The Returns screen: contract -> period -> data quality -> preview -> export and submit.

The steps live in ``linkworker.returns.flow.ReturnFlow``; this controller renders the current
page, and sends every build, export and submit to the Runner so the window never freezes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from linkworker import apart
from linkworker.access import Actor
from linkworker.returns import flow
from linkworker.returns.document import ReturnDocument
from linkworker.returns.evidence import on_screen
from linkworker.returns.period import previous_quarter, quarter_of
from linkworker.validation import format_money
from ui.i18n import translate
from ui.operations import Runner, friendly_message
from ui.returns.adjust import AdjustmentDialog
from ui.returns.pages import (
    ContractPage,
    ExportPage,
    PeriodPage,
    PreviewPage,
    QualityPage,
    named,
)
from ui.returns.table import PERSON_ROLE


def for_screen(doc: ReturnDocument) -> tuple[ReturnDocument, tuple[str, ...]]:
    """The return and each line's evidence in words, worked out by the job that made it (a
    worker thread), so the preview shows them without wording any on the GUI thread."""
    return doc, on_screen(doc)


class ReturnsScreen(QWidget):
    """Manager's walk-through for one return; ``open_person`` asks the window for a record."""

    open_person = Signal(str)
    exported = Signal(str)  # path written
    submitted = Signal(str)  # period submitted
    adjusted = Signal(str)  # claim reference adjusted

    def __init__(self, runner: Runner, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.actor, self.state = runner, actor, flow.ReturnFlow()
        self.as_of: dt.date | None = None  # "today" for the rules; None means the real today
        # A laptop that syncs with a hub previews drafts only: the commands that submit and
        # adjust there.
        self.at_hub: flow.AtHub | None = None
        self.setAccessibleName(translate("returns.screen", "Outcome returns"))
        self.steps = named(QListWidget(), translate("returns.screen", "Steps"))
        self.steps.addItems([f"{i + 1}. {s}" for i, s in enumerate(flow.STEPS)])
        self.steps.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.steps.setMaximumWidth(190)
        self.pages = QStackedWidget()
        self.contract_page, self.period_page = ContractPage(), PeriodPage()
        self.quality_page, self.preview_page = QualityPage(), PreviewPage()
        self.export_page = ExportPage()
        for page in (self.contract_page, self.period_page, self.quality_page, self.preview_page,
                     self.export_page):
            self.pages.addWidget(page)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.progress = named(QProgressBar(), translate("returns.screen", "Progress"))
        self.progress.setVisible(False)
        self.back_button = named(
            QPushButton(translate("returns.screen", "< &Back")), translate("returns.screen", "Back")
        )
        self.next_button = named(
            QPushButton(translate("returns.screen", "&Next >")), translate("returns.screen", "Next")
        )
        self.refresh_button = named(
            QPushButton(translate("returns.screen", "&Rebuild")),
            translate("returns.screen", "Build the return again"),
        )
        self._layout()
        self._connect()
        for q in self._quarters():
            self.period_page.period.addItem(q)
        self.state.choose_period(self.period_page.period.currentText())
        self.reload_contracts()
        self._render()
        self._warm()

    def _warm(self) -> None:
        """At 150,000 people, a process for the next build started now, while the manager
        chooses (``linkworker.apart.warm``): the build does not wait for its start."""
        self.runner.read(lambda job: apart.warm(job.caseload), yields=True)

    # --- layout and wiring ----------------------------------------------------------------

    def _layout(self) -> None:
        body = QHBoxLayout()
        body.addWidget(self.steps)
        body.addWidget(self.pages, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.progress, 1)
        buttons.addStretch(1)  # the buttons keep their size at the right, as in a wizard
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        outer = QVBoxLayout(self)
        outer.addLayout(body, 1)
        outer.addWidget(self.message)
        outer.addLayout(buttons)

    def _connect(self) -> None:
        self.back_button.clicked.connect(self.go_back)
        self.next_button.clicked.connect(self.go_next)
        self.refresh_button.clicked.connect(self.build)
        self.contract_page.contracts.currentItemChanged.connect(self._contract_chosen)
        self.period_page.period.currentTextChanged.connect(self._period_chosen)
        self.quality_page.open_record.clicked.connect(self._open_selected)
        self.quality_page.table.doubleClicked.connect(lambda *_: self._open_selected())
        for fmt, button in self.export_page.buttons.items():
            button.clicked.connect(lambda _=False, f=fmt: self._ask_export(f))
        self.export_page.submit.clicked.connect(self._ask_submit)
        self.export_page.adjust.clicked.connect(self._ask_adjustment)

    @staticmethod
    def _quarters() -> list[str]:
        last = previous_quarter()
        current = quarter_of(dt.date.today())
        return [last, current] if last != current else [last]

    # --- behaviour ------------------------------------------------------------------------

    def reload_contracts(self) -> None:
        self.runner.run(
            lambda job: flow.contracts(job.caseload, self.actor),
            self._show_contracts,
            failed=self._failed,
            label=translate("returns.screen", "Loading contracts"),
        )

    def _show_contracts(self, contracts) -> None:
        box = self.contract_page.contracts
        box.clear()
        for c in contracts:
            item = QListWidgetItem(
                translate(
                    "returns.screen",
                    "{code}: {name} ({episodes} journeys, {returns_submitted} returns submitted)",
                ).format(
                    code=c.code,
                    name=c.name,
                    episodes=c.episodes,
                    returns_submitted=c.returns_submitted,
                )
            )
            item.setData(Qt.ItemDataRole.UserRole, c.code)
            box.addItem(item)
        if contracts:
            box.setCurrentRow(0)
        else:
            self.message.setText(
                translate("returns.screen", "No contracts yet: add one in Settings > Contracts.")
            )

    def _contract_chosen(self, item: QListWidgetItem | None) -> None:
        self.state.choose_contract(item.data(Qt.ItemDataRole.UserRole) if item else None)
        self._render()

    def _period_chosen(self, text: str) -> None:
        self.state.choose_period(text)
        self._render()

    def go_back(self) -> None:
        self.state.back()
        self._render()

    def go_next(self) -> None:
        if self.state.step == 1 and self.state.document is None:
            self.build()
            return
        self.state.advance()
        self._render()

    def build(self) -> None:
        if not (self.state.contract and self.state.period):
            return
        code, period = self.state.contract, self.state.period.strip()
        self._busy(True, translate("returns.screen", "Building the return..."))
        # In a process of its own at 150,000 people: the window keeps the return, not the
        # arenas its build filled (``linkworker.apart``).
        self.runner.run(
            lambda job: (
                *for_screen(apart.run(
                    job.caseload, flow.prepare, self.actor, code, period,
                    progress=job.progress, as_of=self.as_of, stop=lambda: job.cancelled,
                )),
                flow.submitted_at_hub(job.caseload, self.actor, code, period),
            ),
            self._built_here,
            failed=self._failed,
            label=translate("returns.screen", "Building the return"),
            progress=self._on_progress,
        )

    def _built_here(self, built: tuple[ReturnDocument, tuple[str, ...], flow.AtHub | None]
                    ) -> None:
        """A build's return with its evidence in words, and the hub's commands that submit and
        adjust it when this laptop may not."""
        doc, evidence, self.at_hub = built
        self._built((doc, evidence))

    def _built(self, shown: tuple[ReturnDocument, tuple[str, ...]]) -> None:
        self._warm()  # for a rebuild
        self._busy(False, "")
        doc, evidence = shown
        self.state.document = doc
        self.quality_page.show_issues(doc)
        self.preview_page.show_return(doc, evidence)
        self.export_page.show_state(doc, self.at_hub)
        if self.state.step < 2:
            self.state.step = 2
        self._render()

    def _open_selected(self) -> None:
        table = self.quality_page.table
        row = table.currentRow()
        if row >= 0 and (item := table.item(row, 0)) and item.data(PERSON_ROLE):
            self.open_person.emit(item.data(PERSON_ROLE))

    def _ask_export(self, fmt: str) -> None:
        doc = self.state.document
        # In Documents, not wherever the app was started from (where no one would look).
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        where = Path(folder) if folder and Path(folder).is_dir() else Path.home()
        suggested = str(where / f"{doc.contract.code}-{doc.period.label}.{fmt}")
        path, _ = QFileDialog.getSaveFileName(
            self,
            translate("returns.screen", "Export the return"),
            suggested,
            f"{fmt.upper()} (*.{fmt})",
        )
        if path:
            if not path.lower().endswith(f".{fmt}"):
                path += f".{fmt}"
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        doc = self.state.document
        self._busy(True, translate("returns.screen", "Writing {name}...").format(name=path.name))
        self.runner.run(
            lambda job: flow.export(job.caseload, self.actor, doc, path),
            self._exported,
            failed=self._failed,
            label=translate("returns.screen", "Exporting the return"),
        )

    def _exported(self, path: Path) -> None:
        self._busy(False, translate("returns.screen", "Saved {path}.").format(path=path))
        self.exported.emit(str(path))

    def submit_box(self) -> QMessageBox:
        """The irreversible question, with Cancel as the default (Enter does not submit)."""
        doc = self.state.document
        net = format_money(doc.totals.net, doc.contract.currency)
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            translate("returns.screen", "Submit the return?"),
            translate(
                "returns.screen",
                "Submit the {label} return for {code}: {claims} claims, net "
                "{net}?\n\nIts claims are locked into the ledger and can never be "
                "claimed again. This cannot be undone.",
            ).format(
                label=doc.period.label, code=doc.contract.code, claims=doc.totals.claims, net=net
            ),
            parent=self,
        )
        box.setAccessibleName(translate("returns.screen", "Confirm submitting the return"))
        submit = box.addButton(
            translate("returns.screen", "&Submit"), QMessageBox.ButtonRole.AcceptRole
        )
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        submit.setObjectName("submit")
        return box

    def _ask_submit(self) -> None:
        box = self.submit_box()
        box.exec()
        if box.clickedButton() is box.findChild(QPushButton, "submit"):
            self.submit()

    def _ask_adjustment(self) -> None:
        dialog = self.adjustment_dialog()
        if dialog.exec():
            self.record_adjustment(*dialog.values())

    def adjustment_dialog(self) -> AdjustmentDialog:
        """Pre-filled with the claim selected in the preview of a submitted return."""
        doc, ref = self.state.document, ""
        row = self.preview_page.claims.currentRow()
        if doc and doc.is_submitted and row >= 0:
            line = self.preview_page.claims.item(row, 0)
            ref = f"{doc.period.label}:{line.text()}" if line else ""
        return AdjustmentDialog(ref, self)

    def record_adjustment(self, claim_ref: str, amount: str, reason: str) -> None:
        code = self.state.contract
        self._busy(True, translate("returns.screen", "Recording the adjustment..."))
        self.runner.run(
            lambda job: flow.adjust(job.caseload, self.actor, code, claim_ref, reason, amount),
            lambda amt: self._adjusted(claim_ref, amt),
            failed=self._failed,
            changes={"returns"},
            label=translate("returns.screen", "Recording an adjustment"),
        )

    def _adjusted(self, claim_ref: str, amount) -> None:
        cur = self.state.document.contract.currency if self.state.document else "GBP"
        self._busy(
            False,
            translate(
                "returns.screen",
                "Adjustment of {amount} to {claim_ref} recorded; it goes into "
                "the next return submitted.",
            ).format(amount=format_money(amount, cur), claim_ref=claim_ref),
        )
        self.adjusted.emit(claim_ref)

    def submit(self) -> None:
        doc = self.state.document
        code, period, expected = self.state.contract, doc.period.label, doc.content_hash
        self._busy(True, translate("returns.screen", "Submitting..."))
        self.runner.run(
            lambda job: for_screen(flow.submit(job.caseload, self.actor, code, period, expected,
                                               self.as_of)),
            self._submitted,
            failed=self._failed,
            changes={"returns"},
            label=translate("returns.screen", "Submitting the return"),
        )

    def _submitted(self, shown: tuple[ReturnDocument, tuple[str, ...]]) -> None:
        self._built(shown)
        doc = shown[0]
        self.message.setText(
            translate("returns.screen", "The {label} return is submitted.").format(
                label=doc.period.label
            )
        )
        self.submitted.emit(doc.period.label)

    # --- rendering ------------------------------------------------------------------------

    def _busy(self, busy: bool, text: str) -> None:
        self.progress.setVisible(busy)
        self.progress.setRange(0, 0)
        self.message.setText(text)
        for button in (self.next_button, self.back_button, self.refresh_button):
            button.setEnabled(not busy)
        if not busy:
            self._render()

    def _on_progress(self, done: int, total: int, text: str) -> None:
        if self.progress.isVisible():
            self.progress.setRange(0, max(total, 1))
            self.progress.setValue(done)
            self.message.setText(text)

    def _failed(self, exc: BaseException) -> None:
        self._busy(False, "")
        self.message.setText(friendly_message(exc))

    def _render(self) -> None:
        step = self.state.step
        self.pages.setCurrentIndex(step)
        self.steps.setCurrentRow(step)
        self.back_button.setEnabled(step > 0)
        last = step == len(flow.STEPS) - 1
        self.next_button.setEnabled(not last and (self.state.can_advance() or step == 1))
        self.refresh_button.setVisible(step >= 2)
