"""The Directory screen: search community services, keep them current, import and export CSV.

Opened from a person's record (``set_person``), it also signposts that person to the selected
service. Services not checked for six months are marked "re-check" in words, not colour alone.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from linkworker import codes
from linkworker.access import Actor, can
from linkworker.directory import (
    ServiceItem,
    export_services_csv,
    import_services_csv,
    save_service,
    search_services,
    signpost,
)
from linkworker.validation import format_date
from ui.i18n import translate
from ui.operations import Runner, friendly_message, while_alive
from ui.record import widgets as w
from ui.widgets import clears_on_escape, column, form_rows, hbox, side_by_side

TEXT_FIELDS = (
    ("name", QT_TRANSLATE_NOOP("directory_view", "&Name")),
    ("venue", QT_TRANSLATE_NOOP("directory_view", "&Venue")),
    ("address", QT_TRANSLATE_NOOP("directory_view", "Addr&ess")),
    ("postcode", QT_TRANSLATE_NOOP("directory_view", "Post&code")),
    ("times", QT_TRANSLATE_NOOP("directory_view", "&Times")),
    ("contact_name", QT_TRANSLATE_NOOP("directory_view", "Contact name")),
    ("phone", QT_TRANSLATE_NOOP("directory_view", "Phone")),
    ("email", QT_TRANSLATE_NOOP("directory_view", "E&mail")),
    ("website", QT_TRANSLATE_NOOP("directory_view", "&Website")),
)


class DirectoryView(QWidget):
    signposted = Signal(str)  # the person's id, after signposting them

    def __init__(self, runner: Runner, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.actor = runner, actor
        self.services: dict[str, ServiceItem] = {}
        self.editing_id: str | None = None
        self.person: tuple[str, str, str] | None = None  # person id, episode id, label
        self.setAccessibleName(translate("directory_view", "Directory of services"))
        self._build()
        self._timer = QTimer(self, singleShot=True, interval=250)
        self._timer.timeout.connect(self.refresh)
        runner.changed.connect(lambda tags: "services" in tags and self.refresh())
        self.refresh()

    def _build(self) -> None:
        self.search = clears_on_escape(w.line(
            translate("directory_view", "Search services"),
            placeholder=translate("directory_view", "Search by name, venue or category"),
        ))
        self.category = w.combo(
            translate("directory_view", "Category filter"),
            codes.SERVICE_CATEGORIES,
            blank=translate("directory_view", "All categories"),
        )
        self.stale_only = w.check(translate("directory_view", "&Only services to re-check"))
        self.inactive = w.check(translate("directory_view", "Include &inactive"))
        top = QVBoxLayout()  # the ticks on their own line: one line was cut at 150% scaling
        top.addLayout(hbox(self.search, self.category))
        top.addLayout(hbox(self.stale_only, self.inactive, None))
        self.table = w.table(
            translate("directory_view", "Services"),
            (
                translate("directory_view", "Service"),
                translate("directory_view", "Category"),
                translate("directory_view", "Venue"),
                translate("directory_view", "Times"),
                translate("directory_view", "Contact"),
                translate("directory_view", "Last checked"),
            ),
        )
        self.count = w.status_label(translate("directory_view", "Number of services shown"))
        self.count.setMinimumHeight(self.count.fontMetrics().lineSpacing() * 2 + 4)

        form_box = QGroupBox(translate("directory_view", "Service details"))
        form = QFormLayout(form_box)
        self.inputs: dict[str, QWidget] = {}
        for key, source in TEXT_FIELDS:
            label = translate("directory_view", source)
            self.inputs[key] = w.line(label.replace("&", ""))
            w.add_row(form, label, self.inputs[key])
            if key == "name":
                self.inputs["category"] = w.combo(
                    translate("directory_view", "Category"), codes.SERVICE_CATEGORIES
                )
                w.add_row(form, translate("directory_view", "Categor&y"), self.inputs["category"])
        self.inputs["description"] = w.text_box(translate("directory_view", "Description"), 2)
        self.inputs["accessibility"] = w.text_box(
            translate("directory_view", "Accessibility notes"), 2
        )
        self.inputs["last_checked"] = w.date_edit(
            translate("directory_view", "Last checked"), optional=True
        )
        self.inputs["active"] = w.check(translate("directory_view", "Still running (active)"))
        form_rows(
            form,
            (
                (translate("directory_view", "&Description"), self.inputs["description"]),
                (translate("directory_view", "Accessi&bility"), self.inputs["accessibility"]),
                (translate("directory_view", "Last chec&ked"), self.inputs["last_checked"]),
                ("", self.inputs["active"]),
            ),
        )
        self.save_button = w.button(
            translate("directory_view", "Save service"),
            translate("directory_view", "Save service"),
            "Ctrl+S",
        )
        self.save_button.setShortcut(QKeySequence())
        self.new_button = w.button(
            translate("directory_view", "New service"),
            translate("directory_view", "New service"),
            "Ctrl+Shift+N",
        )
        self.new_button.setShortcut(QKeySequence())
        self.checked_button = w.button(
            translate("directory_view", "Checked today"),
            translate("directory_view", "Mark the service checked today"),
        )
        form.addRow(hbox(self.save_button, self.new_button, self.checked_button))

        self.signpost_box = QGroupBox(translate("directory_view", "Signpost"))
        self.accompanied = w.check(translate("directory_view", "Accompanied introduction"))
        self.signpost_button = w.button(
            translate("directory_view", "Signpost current person"),
            translate("directory_view", "Signpost the current person"),
        )
        hbox(self.accompanied, self.signpost_button, parent=self.signpost_box)
        self.signpost_box.hide()

        self.import_button = w.button(
            translate("directory_view", "Import CSV or XLSX..."),
            translate("directory_view", "Import services from a CSV or XLSX file"),
        )
        self.export_button = w.button(
            translate("directory_view", "Export CSV..."),
            translate("directory_view", "Export the directory as CSV"),
        )
        self.status = w.status_label(translate("directory_view", "Directory status"))
        io_row = hbox(self.import_button, self.export_button)
        io_row.addWidget(self.status, 1)

        left = column(top, (self.table, 1), self.count)
        right = QScrollArea()  # the form scrolls rather than squeezing its buttons
        right.setWidgetResizable(True)
        right.setFrameShape(QScrollArea.Shape.NoFrame)
        right.setWidget(column(form_box, self.signpost_box, None))
        splitter = side_by_side(left, right, (760, 520))
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(io_row)

        self.search.textChanged.connect(lambda _: self._timer.start())
        for box in (self.category,):
            box.currentIndexChanged.connect(self.refresh)
        for box in (self.stale_only, self.inactive):
            box.toggled.connect(self.refresh)
        self.table.itemSelectionChanged.connect(self._selected)
        self.save_button.clicked.connect(self.save)
        self.new_button.clicked.connect(self.new_service)
        self.checked_button.clicked.connect(self._checked_today)
        self.signpost_button.clicked.connect(self._signpost)
        self.import_button.clicked.connect(lambda: self.import_csv())
        self.export_button.clicked.connect(lambda: self.export_csv())
        for key, slot in (("Ctrl+S", self.save), ("Ctrl+Shift+N", self.new_service),
                          ("Ctrl+F", self.search.setFocus)):
            QShortcut(QKeySequence(key), self, slot,
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        editable = can(self.actor, "directory.edit")
        for widget in (self.save_button, self.new_button, self.checked_button,
                       self.import_button):
            widget.setEnabled(editable)

    # --- reading --------------------------------------------------------------------------

    def refresh(self) -> None:
        text, category = self.search.text(), self.category.currentData()
        stale, inactive = self.stale_only.isChecked(), self.inactive.isChecked()
        self.runner.read(lambda job: search_services(job.caseload, text, category=category,
                                                     stale_only=stale, include_inactive=inactive),
                         while_alive(self, self._show), supersede=f"services-{id(self)}")

    def _show(self, services: tuple[ServiceItem, ...]) -> None:
        today = dt.date.today()
        self.services = {s.id: s for s in services}
        w.fill_table(self.table, [
            (s.id, (s.name + ("" if s.active else " (inactive)"), s.category_label,
                    s.venue or "", s.times or "", s.contact_text,
                    (format_date(s.last_checked) or "never")
                    + (" - re-check" if s.is_stale(today) else "")))
            for s in services])
        stale = sum(s.is_stale(today) for s in services)
        self.count.setText(
            translate(
                "directory_view",
                "{services} service(s) shown; {stale} to re-check (not checked for six months).",
            ).format(services=len(services), stale=stale)
        )

    def _selected(self) -> None:
        service = self.services.get(w.selected_id(self.table) or "")
        if service is not None:
            self._fill(service)

    def _fill(self, service: ServiceItem | None) -> None:
        self.editing_id = service.id if service else None
        for key, widget in self.inputs.items():
            if service is None:
                w.set_value(widget, True if key == "active" else None)  # new: still running
            else:
                w.set_value(widget, getattr(service, key))

    def values(self) -> dict[str, Any]:
        return {key: w.value_of(widget) for key, widget in self.inputs.items()}

    def show_status(self, text: str, kind: str = "info") -> None:
        """Under the service's fields (where ``stops_at_a_bad_date`` reports too)."""
        w.show_message(self.status, text, kind)

    # --- writing --------------------------------------------------------------------------

    def _run(self, work: Any, message: str, changes: set[str], after: Any = None) -> None:
        def done(result: Any) -> None:
            w.show_message(self.status, message if not callable(message) else message(result))
            if after:
                after(result)

        self.runner.run(
            work,
            while_alive(self, done),
            failed=while_alive(
                self, lambda e: w.show_message(self.status, friendly_message(e), "error")
            ),
            changes=changes,
            label=translate("directory_view", "Directory"),
        )

    def new_service(self) -> None:
        self.table.clearSelection()
        self._fill(None)
        w.set_date(self.inputs["last_checked"], dt.date.today())
        self.inputs["name"].setFocus()

    @w.stops_at_a_bad_date
    def save(self) -> None:
        actor, values, service_id = self.actor, self.values(), self.editing_id

        def remember(new_id: str) -> None:
            self.editing_id = new_id

        self._run(
            lambda job: save_service(job.caseload, actor, values, service_id),
            translate("directory_view", "Service saved"),
            {"services"},
            after=remember,
        )

    def _checked_today(self) -> None:
        w.set_date(self.inputs["last_checked"], dt.date.today())
        if self.editing_id:
            self.save()

    def set_person(self, person_id: str | None, episode_id: str | None = None,
                   label: str = "") -> None:
        """Opened from a record: "Signpost current person" connects them to the selection."""
        self.person = (person_id, episode_id, label) if person_id and episode_id else None
        self.signpost_box.setVisible(self.person is not None)
        self.signpost_button.setText(
            translate("directory_view", "Signpost {label}").format(label=label)
            if label
            else translate("directory_view", "Signpost current person")
        )

    def _signpost(self) -> None:
        service_id = w.selected_id(self.table)
        if self.person is None or service_id is None:
            w.show_message(
                self.status, translate("directory_view", "Select a service first."), "warning"
            )
            return
        person_id, episode_id, _ = self.person
        actor, accompanied = self.actor, self.accompanied.isChecked()
        self._run(
            lambda job: signpost(
                job.caseload, actor, episode_id, service_id, accompanied=accompanied
            ),
            translate("directory_view", "Signposting recorded"),
            {"signposts"},
            after=lambda _: self.signposted.emit(person_id),
        )

    def import_csv(self, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self,
                translate("directory_view", "Import services"),
                str(Path.home()),
                translate("directory_view", "Spreadsheets (*.csv *.xlsx *.xlsm);;All files (*)"),
            )
            if not path:
                return
        actor = self.actor
        self._run(lambda job: import_services_csv(job.caseload, actor, path),
                  lambda r: f"Imported: {r.added} added, {r.updated} updated.", {"services"})

    def export_csv(self, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self,
                translate("directory_view", "Export the directory"),
                str(Path.home() / "directory.csv"),
                translate("directory_view", "CSV files (*.csv)"),
            )
            if not path:
                return
        actor = self.actor
        self._run(lambda job: export_services_csv(job.caseload, actor, path),
                  lambda n: f"Exported {n} service(s) to {path}.", set())
