"""The Signposting tab: connect the person to a service, record take-up, note unmet needs."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QT_TRANSLATE_NOOP, QTimer
from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QVBoxLayout

from linkworker import codes
from linkworker.directory import (
    SignpostItem,
    record_take_up,
    record_unmet_need,
    search_services,
    signpost,
)
from linkworker.validation import format_date
from ui.i18n import translate
from ui.operations import while_alive
from ui.record import widgets as w
from ui.record.base import RecordTab
from ui.widgets import clears_on_escape

TAKE_UP = {
    "yes": QT_TRANSLATE_NOOP("record.signposting_tab", "Took it up"),
    "no": QT_TRANSLATE_NOOP("record.signposting_tab", "Did not take it up"),
    "unknown": QT_TRANSLATE_NOOP("record.signposting_tab", "Not known yet"),
}



def _yes_no(value: bool) -> str:
    return (translate("record.signposting_tab", "Yes") if value
            else translate("record.signposting_tab", "No"))


def _take_up_words(signposted) -> str:
    """The take-up cell in the reader's language (the core's ``take_up_label`` is English):
    "Took it up 19/01/2026", "Did not take it up", "Not known yet"."""
    key = {True: "yes", False: "no"}.get(signposted.taken_up, "unknown")
    words = translate("record.signposting_tab", TAKE_UP[key])
    if key == "yes" and signposted.taken_up_on:
        return f"{words} {format_date(signposted.taken_up_on)}"
    return words


class SignpostingTab(RecordTab):
    def __init__(self, host) -> None:  # the RecordView
        super().__init__(host)
        self.table = w.table(
            translate("record.signposting_tab", "Signposting"),
            (
                translate("record.signposting_tab", "Service"),
                translate("record.signposting_tab", "Signposted"),
                translate("record.signposting_tab", "Accompanied"),
                translate("record.signposting_tab", "Take-up"),
                translate("record.signposting_tab", "When and where"),
            ),
        )
        self.take_up = w.combo(
            translate("record.signposting_tab", "Did they take it up"),
            {k: translate("record.signposting_tab", v) for k, v in TAKE_UP.items()},
        )
        w.set_combo(self.take_up, "unknown")  # as a new signposting stands
        self.take_up_date = w.date_edit(translate("record.signposting_tab", "Date they first went"))
        self._signposts: dict[str, SignpostItem] = {}
        self.take_up_save = w.button(
            translate("record.signposting_tab", "Save take-&up"),
            translate("record.signposting_tab", "Save take-up for selected signposting"),
        )
        take_row = QHBoxLayout()
        for widget in (self.take_up, self.take_up_date, self.take_up_save):
            take_row.addWidget(widget)
        take_row.addStretch(1)

        find = QGroupBox(
            translate("record.signposting_tab", "Signpost to a service in the directory")
        )
        self.search = clears_on_escape(w.line(
            translate("record.signposting_tab", "Search the directory"),
            placeholder=translate("record.signposting_tab", "name, venue or category"),
        ))
        self.results = w.table(
            translate("record.signposting_tab", "Directory search results"),
            (
                translate("record.signposting_tab", "Service"),
                translate("record.signposting_tab", "Category"),
                translate("record.signposting_tab", "Venue"),
                translate("record.signposting_tab", "Times"),
                translate("record.signposting_tab", "Checked"),
            ),
        )
        self.results.setMaximumHeight(150)
        self.accompanied = w.check(translate("record.signposting_tab", "Accompanied introduction"))
        self.signpost_date = w.date_edit(translate("record.signposting_tab", "Signposting date"))
        self.signpost_button = w.button(
            translate("record.signposting_tab", "Signpost to selected &service"),
            translate("record.signposting_tab", "Signpost to the selected service"),
        )
        find_layout = QVBoxLayout(find)
        # Alt+D: the box has no other way in
        search_label = QLabel(translate("record.signposting_tab", "Fin&d a service:"))
        search_label.setBuddy(self.search)
        search_row = QHBoxLayout()
        search_row.addWidget(search_label)
        search_row.addWidget(self.search, 1)
        find_layout.addLayout(search_row)
        find_layout.addWidget(self.results)
        row = QHBoxLayout()
        for widget in (self.accompanied, self.signpost_date, self.signpost_button):
            row.addWidget(widget)
        row.addStretch(1)
        find_layout.addLayout(row)

        unmet = QGroupBox(
            translate("record.signposting_tab", "Unmet needs (what no local service offered)")
        )
        self.unmet_table = w.table(
            translate("record.signposting_tab", "Unmet needs"),
            (
                translate("record.signposting_tab", "Recorded"),
                translate("record.signposting_tab", "Category"),
                translate("record.signposting_tab", "Need"),
            ),
        )
        self.unmet_table.setMaximumHeight(110)
        self.unmet_category = w.combo(
            translate("record.signposting_tab", "Unmet need category"), codes.SERVICE_CATEGORIES
        )
        self.unmet_text = w.line(translate("record.signposting_tab", "Unmet need description"))
        self.unmet_add = w.button(
            translate("record.signposting_tab", "Record unmet need"),
            translate("record.signposting_tab", "Record unmet need"),
        )
        unmet_layout = QVBoxLayout(unmet)
        unmet_layout.addWidget(self.unmet_table)
        form = QFormLayout()
        w.add_row(form, translate("record.signposting_tab", "Category"), self.unmet_category)
        w.add_row(form, translate("record.signposting_tab", "&Need"), self.unmet_text)
        form.addRow("", self.unmet_add)
        unmet_layout.addLayout(form)

        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(take_row)
        layout.addWidget(find)
        layout.addWidget(unmet)
        self._timer = QTimer(self, singleShot=True, interval=250)
        self._timer.timeout.connect(self._run_search)
        self.search.textChanged.connect(lambda _: self._timer.start())
        self.search.returnPressed.connect(self._run_search)
        self.signpost_button.clicked.connect(self._signpost)
        self.take_up_save.clicked.connect(self._save_take_up)
        self.table.itemSelectionChanged.connect(self._show_take_up)
        self.unmet_add.clicked.connect(self._add_unmet)
        self._searched = False

    def show_bundle(self, bundle) -> None:
        self._signposts = {s.id: s for s in bundle.signposts}
        w.fill_table(self.table, [
            (s.id, (s.service_name, format_date(s.signposted_on),
                    _yes_no(s.accompanied), _take_up_words(s),
                    ", ".join(p for p in ((s.service.times if s.service else ""),
                                          (s.service.venue if s.service else "")) if p)))
            for s in bundle.signposts])
        w.fill_table(self.unmet_table, [
            (u.id, (format_date(u.recorded_on), u.category_label, u.description))
            for u in bundle.unmet_needs])
        editable = self.host.can_edit and self.episode_open
        for widget in (self.signpost_button, self.unmet_add, self.take_up_save):
            widget.setEnabled(editable)
        if not self._searched:
            self._searched = True
            self._run_search()

    def _show_take_up(self) -> None:
        """The take-up box shows the selected signposting's take-up as recorded (it showed
        "Took it up" whatever the row said, so *Save take-up* could record it by mistake)."""
        chosen = self._signposts.get(w.selected_id(self.table) or "")
        if chosen is None:
            return
        w.set_combo(self.take_up, {True: "yes", False: "no"}.get(chosen.taken_up, "unknown"))
        w.set_date(self.take_up_date, chosen.taken_up_on or dt.date.today())

    def _run_search(self) -> None:
        text = self.search.text()
        # A read (on the reader pool, newest search only), not a change on the writer's lane.
        self.host.runner.read(lambda job: search_services(job.caseload, text, limit=200),
                              while_alive(self, self._show_results),
                              supersede=f"services-{id(self)}")

    def _show_results(self, services) -> None:
        w.fill_table(self.results, [
            (s.id, (s.name, s.category_label, s.venue or "", s.times or "",
                    format_date(s.last_checked) or "never"))
            for s in services])
        if services and not self.results.selectedItems():
            self.results.selectRow(0)

    @w.stops_at_a_bad_date
    def _signpost(self) -> None:
        service = w.selected_id(self.results)
        if service is None:
            self.host.show_status(
                translate("record.signposting_tab", "Search for a service and select it first."),
                "warning",
            )
            self.search.setFocus()
            return
        actor, episode = self.actor, self.episode_id
        day, accompanied = w.get_date(self.signpost_date), self.accompanied.isChecked()
        self.submit(lambda job: signpost(job.caseload, actor, episode, service, on=day,
                                         accompanied=accompanied),
                    "Signposting recorded", {"signposts"},
                    after=lambda _: self.accompanied.setChecked(False))

    @w.stops_at_a_bad_date
    def _save_take_up(self) -> None:
        taken = {"yes": True, "no": False, "unknown": None}[self.take_up.currentData()]
        day = w.get_date(self.take_up_date)
        self.submit_for_selected(
            self.table,
            "signposting",
            lambda caseload, actor, chosen: record_take_up(caseload, actor, chosen, taken, day),
            translate("record.signposting_tab", "Take-up saved"),
            {"signposts"},
        )

    def _add_unmet(self) -> None:
        actor, episode = self.actor, self.episode_id
        category, text = self.unmet_category.currentData(), self.unmet_text.text()
        self.submit(lambda job: record_unmet_need(job.caseload, actor, episode, category, text),
                    "Unmet need recorded", {"signposts"}, after=lambda _: self.unmet_text.clear())
