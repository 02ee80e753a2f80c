"""The import wizard window: renders ``linkworker.io.wizard.ImportFlow`` one step at a time.

Reading the file, checking rows and importing run on the Runner (never on the GUI thread), with
the progress bar showing how far they are. The window holds no data logic of its own.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from linkworker.access import Actor
from linkworker.io.wizard import ImportFlow, Step
from ui.i18n import translate
from ui.operations import Runner, friendly_message
from ui.widgets import form_rows, hbox, read_only_table

FILE_FILTER = QT_TRANSLATE_NOOP(
    "io.import_wizard", "Spreadsheets (*.csv *.xlsx *.xlsm *.txt *.tsv);;All files (*)"
)
CHANGES = {"people", "episodes", "contacts", "goals", "signposts", "measures", "services"}


def _named(widget, name: str):  # any widget, returned as given
    widget.setAccessibleName(name)
    return widget


class ImportWizard(QDialog):
    """File and kind -> columns -> problems and plan -> import. ``imported`` fires when done."""

    imported = Signal(object)  # the ImportReport

    def __init__(self, runner: Runner, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.flow = runner, ImportFlow(actor)
        self.setWindowTitle(translate("io.import_wizard", "Import from a spreadsheet"))
        self.setAccessibleName(translate("io.import_wizard", "Import from a spreadsheet"))
        self.resize(900, 600)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._choose_page())
        self.pages.addWidget(self._mapping_page())
        self.pages.addWidget(self._check_page())
        self.pages.addWidget(self._done_page())
        self.message = _named(QLabel(), translate("io.import_wizard", "Message"))
        self.message.setWordWrap(True)
        self.progress = _named(QProgressBar(), translate("io.import_wizard", "Progress"))
        self.progress.setVisible(False)
        self.back_button = _named(
            QPushButton(translate("io.import_wizard", "< &Back")),
            translate("io.import_wizard", "Back"),
        )
        self.next_button = _named(
            QPushButton(translate("io.import_wizard", "&Next >")),
            translate("io.import_wizard", "Next"),
        )
        self.import_button = _named(
            QPushButton(translate("io.import_wizard", "&Import")),
            translate("io.import_wizard", "Import"),
        )
        self.close_button = _named(
            QPushButton(translate("io.import_wizard", "&Close")),
            translate("io.import_wizard", "Close"),
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.progress)
        layout.addLayout(hbox(self.back_button, None, self.next_button, self.import_button,
                              self.close_button))
        self.back_button.clicked.connect(self._back)
        self.next_button.clicked.connect(self._next)
        self.import_button.clicked.connect(self._import)
        self.close_button.clicked.connect(self.reject)
        self._working = False
        self._render()

    # --- pages ----------------------------------------------------------------------------

    def _choose_page(self) -> QWidget:
        page = QWidget()
        self.path_edit = _named(QLineEdit(), translate("io.import_wizard", "File to import"))
        browse = _named(
            QPushButton(translate("io.import_wizard", "&Browse...")),
            translate("io.import_wizard", "Choose the file"),
        )
        browse.clicked.connect(self._browse)
        row = hbox(self.path_edit, browse)
        row.setStretch(0, 1)
        self.kind_box = _named(QComboBox(), translate("io.import_wizard", "What the rows are"))
        for kind, label in ImportFlow.kinds():
            self.kind_box.addItem(label, kind)
        self.sheet_box = _named(QComboBox(), translate("io.import_wizard", "Sheet"))
        self.sheet_box.setEnabled(False)
        self.path_edit.editingFinished.connect(self._list_sheets)
        # Offered only when the file's encoding cannot be told: each reading's sample shows
        # which one gives the right names.
        self.encoding_box = _named(
            QComboBox(), translate("io.import_wizard", "Encoding of the file")
        )
        self.encoding_box.addItem(translate("io.import_wizard", "(work it out)"), None)
        self.encoding_box.setEnabled(False)
        form = QFormLayout(page)
        form_rows(
            form,
            (
                (translate("io.import_wizard", "&File:"), row),
                (translate("io.import_wizard", "&Rows are:"), self.kind_box),
                (translate("io.import_wizard", "&Sheet:"), self.sheet_box),
                (translate("io.import_wizard", "&Encoding:"), self.encoding_box),
            ),
        )
        hint = QLabel(
            translate(
                "io.import_wizard",
                "Import in this order: directory services, people, journeys, "
                "then contacts, goals, signposting and measures. Nothing is "
                "written until you have seen every problem and what will change.",
            )
        )
        hint.setWordWrap(True)
        form.addRow(hint)
        return page

    def _mapping_page(self) -> QWidget:
        page = QWidget()
        self.source_label = _named(QLabel(), translate("io.import_wizard", "The sheet read"))
        self.source_label.setWordWrap(True)
        self.columns_table = read_only_table(
            QTableWidget(),
            translate("io.import_wizard", "Columns and the fields they hold"),
            (
                translate("io.import_wizard", "Column in your file"),
                translate("io.import_wizard", "Imported as"),
                translate("io.import_wizard", "First value"),
            ),
        )
        self.columns_table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.columns_table.setTabKeyNavigation(True)  # Tab walks the "Imported as" choices
        self.missing_label = _named(QLabel(), translate("io.import_wizard", "Fields still needed"))
        self.missing_label.setWordWrap(True)
        save = _named(
            QPushButton(translate("io.import_wizard", "&Save mapping...")),
            translate("io.import_wizard", "Save the mapping to a file"),
        )
        load = _named(
            QPushButton(translate("io.import_wizard", "&Load mapping...")),
            translate("io.import_wizard", "Load a saved mapping"),
        )
        save.clicked.connect(self._save_mapping)
        load.clicked.connect(self._load_mapping)
        self.fixed_field = _named(
            QComboBox(), translate("io.import_wizard", "Field with the same value for every row")
        )
        self.fixed_value = _named(
            QLineEdit(), translate("io.import_wizard", "The value for every row")
        )
        fixed_set = _named(
            QPushButton(translate("io.import_wizard", "Same &value for every row")),
            translate("io.import_wizard", "Give every row this value"),
        )
        fixed_set.clicked.connect(self._set_fixed)
        layout = QVBoxLayout(page)
        layout.addWidget(self.source_label)
        layout.addWidget(self.columns_table, 1)
        layout.addWidget(self.missing_label)
        layout.addLayout(hbox(self.fixed_field, self.fixed_value, fixed_set))
        layout.addLayout(hbox(save, load, None))
        return page

    def _check_page(self) -> QWidget:
        page = QWidget()
        self.summary_label = _named(QLabel(), translate("io.import_wizard", "Summary of the check"))
        self.summary_label.setWordWrap(True)
        # No row numbers of its own: the "Row" column is the sheet's row.
        self.problems_table = read_only_table(
            QTableWidget(),
            translate("io.import_wizard", "Rows with problems"),
            (
                translate("io.import_wizard", "Row"),
                translate("io.import_wizard", "Column"),
                translate("io.import_wizard", "Value"),
                translate("io.import_wizard", "Problem"),
            ),
        )
        self.problems_table.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        self.plan_text = _named(QPlainTextEdit(), translate("io.import_wizard", "What will change"))
        self.plan_text.setTabChangesFocus(True)  # Tab moves on, never traps the keyboard
        self.plan_text.setReadOnly(True)
        self.good_only = _named(
            QCheckBox(translate("io.import_wizard", "Import the &good rows only")),
            translate("io.import_wizard", "Import the good rows only"),
        )
        self.good_only.toggled.connect(lambda _on: self._render())
        self.save_bad = _named(
            QPushButton(translate("io.import_wizard", "Save bad rows to &fix...")),
            translate("io.import_wizard", "Save bad rows to fix"),
        )
        self.save_bad.clicked.connect(self._save_bad_rows)
        row = QHBoxLayout()
        row.addWidget(self.good_only)
        row.addStretch(1)
        row.addWidget(self.save_bad)
        layout = QVBoxLayout(page)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.problems_table, 2)
        layout.addWidget(QLabel(translate("io.import_wizard", "What will change:")))
        layout.addWidget(self.plan_text, 1)
        layout.addLayout(row)
        return page

    def _done_page(self) -> QWidget:
        page = QWidget()
        self.result_text = _named(QPlainTextEdit(), translate("io.import_wizard", "Import result"))
        self.result_text.setTabChangesFocus(True)  # Tab moves on, never traps the keyboard
        self.result_text.setReadOnly(True)
        QVBoxLayout(page).addWidget(self.result_text)
        return page

    # --- rendering ------------------------------------------------------------------------

    def _render(self) -> None:
        step = self.flow.step
        self.pages.setCurrentIndex(list(Step).index(step))
        idle = not self._working
        self.back_button.setEnabled(idle and step in (Step.MAPPING, Step.CHECK))
        self.next_button.setVisible(step in (Step.CHOOSE, Step.MAPPING))
        self.next_button.setEnabled(idle and (step is not Step.MAPPING
                                              or not self.flow.missing()))
        self.import_button.setVisible(step is Step.CHECK)
        self.import_button.setEnabled(idle and self.flow.can_import(self.good_only.isChecked()))
        self.close_button.setText(
            translate("io.import_wizard", "&Close")
            if step is Step.DONE
            else translate("io.import_wizard", "&Cancel")
        )
        # Enter moves on (Next) or closes at the end; it never imports: that takes Alt+I or a
        # press of the button itself, after the worker has read the check.
        default = {Step.CHOOSE: self.next_button, Step.MAPPING: self.next_button,
                   Step.DONE: self.close_button}.get(step)
        for button in (self.back_button, self.next_button, self.import_button,
                       self.close_button):
            button.setAutoDefault(button is default)
            button.setDefault(button is default)
        if step is Step.MAPPING:
            missing = self.flow.missing()
            fixed = "".join(f" Every row: {name} = '{value}'."
                            for name, value in self.flow.mapping.fixed.items())
            self.missing_label.setText((
                "Still needed: " + "; ".join(missing) + ". Choose which column holds it."
                if missing else "Every needed field has a column.") + fixed)

    def _fill_mapping(self) -> None:
        table = self.flow.table
        self.source_label.setText(table.describe() + ". Check which field each column holds; "
                                  "fields marked * are needed.")
        columns = self.flow.columns()
        self.columns_table.setRowCount(len(columns))
        choices = self.flow.field_choices()
        for row, (header, field_name, sample) in enumerate(columns):
            self.columns_table.setItem(row, 0, QTableWidgetItem(header))
            box = _named(
                QComboBox(),
                translate("io.import_wizard", "Field for column {header}").format(header=header),
            )
            for name, label in choices:
                box.addItem(label, name)
            box.setCurrentIndex(max(0, box.findData(field_name)))
            box.currentIndexChanged.connect(
                lambda _i, h=header, b=box: self._column_changed(h, b.currentData()))
            self.columns_table.setCellWidget(row, 1, box)
            self.columns_table.setItem(row, 2, QTableWidgetItem(sample))
        self.fixed_field.clear()
        for name, label in self.flow.fixed_choices():
            self.fixed_field.addItem(label, name)

    def _column_changed(self, header: str, field_name: str) -> None:
        self.flow.set_column(header, field_name)
        # A field taken by this column is released from any other: refill the table, after
        # this signal returns (the box that sent it is replaced by the refill).
        QTimer.singleShot(0, self._fill_mapping)
        self._render()

    def _fill_check(self) -> None:
        report = self.flow.preview
        problems = report.problems
        rows = len(report.table.rows)
        text = translate("io.import_wizard", "{rows:,} rows checked. ").format(rows=rows)
        if problems:
            text += (f"{len(report.bad_rows):,} rows have problems: fix them in your file and "
                     "check again, or import the good rows only and save the bad rows to fix.")
        else:
            text += "No problems found."
        self.summary_label.setText(text)
        self.problems_table.setRowCount(len(problems))
        for row, problem in enumerate(problems):
            for col, value in enumerate((str(problem.row), problem.column, problem.value,
                                         problem.reason)):
                self.problems_table.setItem(row, col, QTableWidgetItem(value))
        lines = report.plan.describe()
        if report.journeys is not None:
            lines.append(f"Journeys (from the referral columns): {report.journeys.headline()}")
        self.plan_text.setPlainText("\n".join(lines + list(report.notes)))
        self.good_only.setEnabled(bool(problems))
        self.save_bad.setEnabled(bool(problems))

    # --- actions --------------------------------------------------------------------------

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            translate("io.import_wizard", "Choose a spreadsheet"),
            "",
            translate("io.import_wizard", FILE_FILTER),
        )
        if path:
            self.path_edit.setText(path)
            self._list_sheets()

    def _list_sheets(self) -> None:
        text = self.path_edit.text().strip()
        self.sheet_box.clear()
        self.sheet_box.setEnabled(False)
        if not text or not Path(text).is_file():
            return
        try:
            sheets = self.flow.choose(text, self.kind_box.currentData())
        except Exception as exc:  # shown to the user, nothing changed
            self._say(friendly_message(exc))
            return
        self.sheet_box.addItem(translate("io.import_wizard", "(the sheet with the data)"), None)
        for name in sheets:
            self.sheet_box.addItem(name, name)
        self.sheet_box.setEnabled(bool(sheets))

    def _next(self) -> None:
        if self.flow.step is Step.CHOOSE:
            try:
                self.flow.choose(self.path_edit.text().strip(), self.kind_box.currentData(),
                                 self.sheet_box.currentData())
                self.flow.choose_encoding(self.encoding_box.currentData())
            except Exception as exc:  # shown to the user, nothing changed
                self._say(friendly_message(exc))
                return
            self._start(
                lambda job: self.flow.load(job.progress),
                self._loaded,
                translate("io.import_wizard", "Reading"),
            )
        elif self.flow.step is Step.MAPPING:
            self._start(
                lambda job: self.flow.check(job.caseload, job.progress),
                self._checked,
                translate("io.import_wizard", "Checking every row"),
            )

    def _back(self) -> None:
        self.flow.back()
        self._say("")
        if self.flow.step is Step.MAPPING:
            self._fill_mapping()
        self._render()

    def _import(self) -> None:
        good_only = self.good_only.isChecked()
        self._start(
            lambda job: self.flow.run(job.caseload, good_only, job.progress),
            self._imported,
            translate("io.import_wizard", "Importing"),
            changes=CHANGES,
        )

    def _start(self, work, done, label: str, changes=()) -> None:
        self._working = True
        self._say(f"{label}...")
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self._render()
        self.runner.run(work, done, failed=self._failed, changes=changes, label=label,
                        progress=self._progress)

    def _finish(self) -> None:
        self._working = False
        self.progress.setVisible(False)
        self._say("")

    def _loaded(self, _table) -> None:
        self._finish()
        self._fill_mapping()
        self._render()

    def _checked(self, _report) -> None:
        self._finish()
        self._fill_check()
        self._render()

    def _imported(self, report) -> None:
        self._finish()
        self.result_text.setPlainText("\n".join(report.lines()))
        self._render()
        self.imported.emit(report)

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        self._say(friendly_message(exc))
        if self.flow.encoding_choices:
            self._offer_encodings()
        self._render()

    def _offer_encodings(self) -> None:
        """The file's encoding could not be told: let the user pick by the samples."""
        self.encoding_box.clear()
        for codec, label, sample in self.flow.encoding_choices:
            self.encoding_box.addItem(f"{label}: {sample[:50]}", codec)
        self.encoding_box.setEnabled(True)
        self._say(
            translate(
                "io.import_wizard",
                "This file is not saved as UTF-8 and its encoding cannot be "
                "told. Choose the encoding whose names look right, then press "
                "Next.",
            )
        )
        self.encoding_box.setFocus()

    def _set_fixed(self) -> None:
        name = self.fixed_field.currentData()
        if name and self._guard(
            lambda: self.flow.set_fixed(name, self.fixed_value.text()),
            translate("io.import_wizard", "Every row gets that value."),
        ):
            self._fill_mapping()
            self._render()

    def _progress(self, done: int, total: int, text: str) -> None:
        if not self._working:
            return
        self.progress.setRange(0, total or 0)
        if total:
            self.progress.setValue(done)
        self.progress.setFormat(f"{text}: %v of %m" if total else text)

    def _say(self, text: str) -> None:
        self.message.setText(text)

    def _save_mapping(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            translate("io.import_wizard", "Save the mapping"),
            "mapping.json",
            translate("io.import_wizard", "Mapping files (*.json)"),
        )
        if path:
            self._guard(
                lambda: self.flow.save_mapping(path),
                translate("io.import_wizard", "Mapping saved to {path}.").format(path=path),
            )

    def _load_mapping(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            translate("io.import_wizard", "Load a mapping"),
            "",
            translate("io.import_wizard", "Mapping files (*.json)"),
        )
        if path and self._guard(
            lambda: self.flow.load_mapping(path), translate("io.import_wizard", "Mapping loaded.")
        ):
            self._fill_mapping()
            self._render()

    def _save_bad_rows(self) -> None:
        suggested = str(self.flow.path.with_name(f"{self.flow.path.stem}-to-fix.csv"))
        path, _ = QFileDialog.getSaveFileName(
            self,
            translate("io.import_wizard", "Save the rows to fix"),
            suggested,
            translate("io.import_wizard", "CSV files (*.csv)"),
        )
        if path:
            self.save_bad_rows_to(Path(path))

    def save_bad_rows_to(self, path: Path) -> bool:
        return self._guard(
            lambda: self.flow.save_bad_rows(path),
            translate("io.import_wizard", "The rows to fix were saved to {path}.").format(
                path=path
            ),
        )

    def _guard(self, action, done_text: str) -> bool:
        try:
            action()
        except Exception as exc:  # shown to the user
            self._say(friendly_message(exc))
            return False
        self._say(done_text)
        return True
