"""The contract editor: load a file or a stored contract, edit it, see every problem live.

The JSON text is the contract; the form above it edits the headline fields and writes them
into the text, so both stay in step. Problems are re-checked as you type (the format check is
pure and quick); saving into the caseload runs the full check (instruments included) in the
background.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from linkworker.access import Actor
from linkworker.outcomes.contract import contract_problems
from linkworker.outcomes.sample import sample_document
from linkworker.returns import flow
from ui.i18n import translate
from ui.operations import Runner, friendly_message
from ui.record.widgets import DateField
from ui.returns.pages import named

# form field -> (label, JSON path)
# Alt+letters: none shared with the menu bar (F, G, P, H), the buttons or each other.
FIELDS = {
    "code": (QT_TRANSLATE_NOOP("returns.editor", "Co&de"), ("code",)),
    "name": (QT_TRANSLATE_NOOP("returns.editor", "&Name"), ("name",)),
    "commissioner": (QT_TRANSLATE_NOOP("returns.editor", "Comm&issioner"), ("commissioner",)),
    "start": (QT_TRANSLATE_NOOP("returns.editor", "&Start date"), ("start",)),
    "end": (QT_TRANSLATE_NOOP("returns.editor", "&End date"), ("end",)),
    "total_amount": (
        QT_TRANSLATE_NOOP("returns.editor", "Con&tract cap (£)"),
        ("caps", "total_amount"),
    ),
    "participants": (
        QT_TRANSLATE_NOOP("returns.editor", "Pa&rticipant cap"),
        ("caps", "participants"),
    ),
    "per_person_amount": (
        QT_TRANSLATE_NOOP("returns.editor", "C&ap per person (£)"),
        ("caps", "per_person_amount"),
    ),
}
NUMERIC = {"total_amount", "participants", "per_person_amount"}
MONEY = {"total_amount", "per_person_amount"}
DATES = {"start", "end"}  # dd/mm/yyyy on screen, ISO 8601 in the file


def _get(data: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _field(key: str, label: str) -> QLineEdit:
    name = label.replace("&", "")
    return DateField(name) if key in DATES else named(QLineEdit(), name)


def _show_date(edit: DateField, value: Any) -> None:
    """An ISO date from the file shown as dd/mm/yyyy; anything else shown as it is, so the
    problem list and the field agree about what is wrong."""
    try:
        edit.set_value(dt.date.fromisoformat(value) if value else None)
    except (TypeError, ValueError):
        edit.setText(str(value))


def _number(text: str) -> Any:
    """A number as people type amounts ("£1,500,000.50", "2 000", "GBP 250"); text that is
    still not a number is kept as typed, so the problem list can name it."""
    bare = re.sub(r"(?i)^\s*(£|gbp)|[\s,]", "", text)
    try:
        value = float(bare)
    except ValueError:
        return text
    if not math.isfinite(value):
        return text
    return int(value) if value.is_integer() else value


def _shown(key: str, value: Any) -> str:
    """A field's value as people read it: money as £1,500,000.00, a count as 1,500. ``_number``
    reads every one of these back to the same value; a value that is not a number (or money
    with more than two places, which the problem list names) is shown without rounding."""
    if value is None:
        return ""
    if key not in NUMERIC or isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if not math.isfinite(value):
        return str(value)
    if key in MONEY:
        pence = round(value, 2) == value
        return f"£{value:,.2f}" if pence else f"£{value:,}"
    return f"{value:,}"


def _labelled(problem: str, data: Any, bad_dates: dict[str, str]) -> str | None:
    """A problem with one of the form's fields in the words of the form ("Contract cap (£):
    ..." rather than "caps.total_amount: ..."); text where a number belongs says so. None
    when a date field already says what is wrong (``bad_dates``)."""
    for key, (label, path) in FIELDS.items():
        where = ".".join(path)
        if not problem.startswith(f"{where}: "):
            continue
        if key in bad_dates:
            return None
        name = translate("returns.editor", label).replace("&", "")
        value = _get(data, path)
        if key in NUMERIC and isinstance(value, str):
            return translate(
                "returns.editor", "{name}: {value!r} is not a number (type e.g. 1,500 or £1,500.50)"
            ).format(name=name, value=value)
        return f"{name}: {problem[len(where) + 2:]}"
    return problem


class ContractEditor(QWidget):
    saved = Signal(str)  # code

    def __init__(self, runner: Runner, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.actor, self._syncing = runner, actor, False
        self.setAccessibleName(translate("returns.editor", "Contract editor"))
        self.stored = named(QComboBox(), translate("returns.editor", "Contracts in this caseload"))
        self.open_file = named(
            QPushButton(translate("returns.editor", "&Open file...")),
            translate("returns.editor", "Open a contract file"),
        )
        self.new_sample = named(
            QPushButton(translate("returns.editor", "Start from the sa&mple")),
            translate("returns.editor", "Start from the sample"),
        )
        self.save_button = named(
            QPushButton(translate("returns.editor", "Save to the &caseload")),
            translate("returns.editor", "Save to the caseload"),
        )
        self.save_file = named(
            QPushButton(translate("returns.editor", "Sa&ve as file...")),
            translate("returns.editor", "Save as a file"),
        )
        self.fields = {key: _field(key, translate("returns.editor", label))
                       for key, (label, _) in FIELDS.items()}
        self.text = named(QPlainTextEdit(), translate("returns.editor", "Contract JSON"))
        self.text.setTabChangesFocus(True)  # Tab moves on, never traps the keyboard
        self.problems = named(QListWidget(), translate("returns.editor", "Problems"))
        self.status = QLabel()
        self._timer = QTimer(self, singleShot=True, interval=250)
        self._layout()
        self._timer.timeout.connect(self.check)
        self.text.textChanged.connect(self._timer.start)
        for key, edit in self.fields.items():
            changed = edit.dateChanged if isinstance(edit, DateField) else edit.textEdited
            changed.connect(lambda _t, k=key: self._field_edited(k))
            if isinstance(edit, DateField):  # a date that is not one shows on leaving it
                edit.editingFinished.connect(self._timer.start)
        self.open_file.clicked.connect(self._ask_open)
        self.new_sample.clicked.connect(lambda: self.set_document(sample_document()))
        self.save_button.clicked.connect(self.save)
        self.save_file.clicked.connect(self._ask_save_file)
        self.stored.activated.connect(self._load_stored)
        self.runner.run(lambda job: flow.contracts(job.caseload, actor), self._show_stored,
                        failed=self._failed)

    def _layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(QLabel(translate("returns.editor", "Contract:")))
        top.addWidget(self.stored, 1)
        for button in (self.open_file, self.new_sample, self.save_file, self.save_button):
            top.addWidget(button)
        form = QFormLayout()
        for key, (label, _) in FIELDS.items():
            form.addRow(translate("returns.editor", label), self.fields[key])
        body = QHBoxLayout()
        left = QVBoxLayout()
        left.addLayout(form)
        left.addWidget(QLabel(translate("returns.editor", "Problems:")))
        left.addWidget(self.problems, 1)
        body.addLayout(left, 2)
        body.addWidget(self.text, 3)
        outer = QVBoxLayout(self)
        outer.addLayout(top)
        outer.addLayout(body, 1)
        outer.addWidget(self.status)

    # --- document <-> text <-> form -------------------------------------------------------

    def document(self) -> Any:
        try:
            return json.loads(self.text.toPlainText())
        except json.JSONDecodeError as exc:
            return exc

    def set_document(self, data: dict[str, Any]) -> None:
        self.text.setPlainText(json.dumps(data, indent=2, ensure_ascii=False))
        self.check()

    def bad_dates(self) -> dict[str, str]:
        """Dates on the form that are not dates, by field (the document keeps the last good
        one, so without this "Save" would store a date other than the one on screen)."""
        return {key: f"{edit.accessibleName()}: {edit.problem()}"
                for key, edit in self.fields.items()
                if isinstance(edit, DateField) and edit.problem()}

    def check(self) -> list[str]:
        data = self.document()
        if isinstance(data, json.JSONDecodeError):
            problems = [f"(document): not valid JSON at line {data.lineno}, column "
                        f"{data.colno}: {data.msg}"]
        else:
            self._fill_form(data)
            bad = self.bad_dates()
            labelled = (_labelled(p, data, bad) for p in contract_problems(data))
            problems = [*bad.values(), *(p for p in labelled if p)]
        self.problems.clear()
        self.problems.addItems(problems or ["No problems found."])
        self.save_button.setEnabled(not problems)
        return problems

    def _fill_form(self, data: Any) -> None:
        self._syncing = True
        for key, (_, path) in FIELDS.items():
            value = _get(data, path)
            edit = self.fields[key]
            if edit.hasFocus():
                continue
            if isinstance(edit, DateField):
                _show_date(edit, value)
            else:
                edit.setText(_shown(key, value))
        self._syncing = False

    def _field_edited(self, key: str) -> None:
        data = self.document()
        if self._syncing or not isinstance(data, dict):
            return
        path, edit = FIELDS[key][1], self.fields[key]
        day = edit.value() if isinstance(edit, DateField) else None
        text = day.isoformat() if day else edit.text().strip()
        target = data
        for part in path[:-1]:
            target = target.setdefault(part, {})
        if text:
            target[path[-1]] = _number(text) if key in NUMERIC else text
        else:
            target.pop(path[-1], None)
        self.text.setPlainText(json.dumps(data, indent=2, ensure_ascii=False))

    # --- files and the caseload -----------------------------------------------------------

    def _show_stored(self, contracts) -> None:
        self.stored.clear()
        self.stored.addItem(translate("returns.editor", "(choose a stored contract)"), None)
        for c in contracts:
            self.stored.addItem(f"{c.code}: {c.name}", c.code)

    def _load_stored(self, index: int) -> None:
        code = self.stored.itemData(index)
        if code:
            self.runner.run(lambda job: flow.load_document(job.caseload, self.actor, code),
                            self.set_document, failed=self._failed)

    def _ask_open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            translate("returns.editor", "Open a contract"),
            "",
            translate("returns.editor", "Contracts (*.json)"),
        )
        if path:
            self.open_path(Path(path))

    def open_path(self, path: Path) -> None:
        try:
            self.set_document(flow.read_document(path))
            self.status.setText(
                translate("returns.editor", "Opened {name}.").format(name=path.name)
            )
        except Exception as exc:  # shown to the user, nothing changed
            self.status.setText(friendly_message(exc))

    def _ask_save_file(self) -> None:
        data = self.document()
        if not isinstance(data, dict):
            self.status.setText(
                translate("returns.editor", "Fix the JSON before saving it to a file.")
            )
            return
        path, _ = QFileDialog.getSaveFileName(
            self,
            translate("returns.editor", "Save the contract"),
            f"{data.get('code', 'contract')}.json",
            translate("returns.editor", "Contracts (*.json)"),
        )
        if path:
            flow.write_document(path, data)
            self.status.setText(
                translate("returns.editor", "Saved {name}.").format(name=Path(path).name)
            )

    def save(self) -> None:
        if self.check():
            return
        data = self.document()
        self.runner.run(
            lambda job: flow.save_document(job.caseload, self.actor, data),
            self._saved,
            failed=self._failed,
            changes={"contracts"},
            label=translate("returns.editor", "Saving the contract"),
        )

    def _saved(self, code: str) -> None:
        self.status.setText(translate("returns.editor", "Contract {code} saved.").format(code=code))
        self.saved.emit(code)
        self.runner.run(lambda job: flow.contracts(job.caseload, self.actor), self._show_stored,
                        failed=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(friendly_message(exc))
