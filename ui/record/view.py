"""The person's record on one screen: header, tabs, in-place editing, the quick note.

Event flow for a save (Ctrl+S): the tabs hand their edited values to ``save`` -> one core call
(``linkworker.person.save_record_edits``) runs on the runner's thread as one transaction ->
``done`` marks the record "Saved" -> the runner announces ``{"people", "episodes"}`` -> the
record (and the caseload list) re-read what they show. Nothing routine opens a modal dialog;
the only questions asked are "save before closing?" and "end this journey?".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from linkworker.access import Actor, can
from linkworker.codes import GENDERS
from linkworker.contacts import record_contact, update_contact
from linkworker.profile import FieldProblems
from linkworker.record import save_record_edits
from linkworker.validation import format_date
from ui.core_words import core
from ui.i18n import translate
from ui.operations import SAID, Runner, friendly_message, while_alive
from ui.record import widgets as w
from ui.record.contacts_tab import ContactsTab
from ui.record.data import RECORD_TAGS, RecordBundle, load_bundle
from ui.record.goals_tab import GoalsTab
from ui.record.journey_tab import JourneyTab
from ui.record.notes_tab import NotesTab
from ui.record.profile_tab import ProfileTab
from ui.record.quick_note import QuickNotePanel
from ui.record.signposting_tab import SignpostingTab
from ui.wellbeing.badge import ChangeBadge


def _wellbeing_tab(runner: Runner, actor: Actor, person_id: str) -> QWidget:
    """The wellbeing tab (``ui.wellbeing``); a plain label if it cannot be built."""
    try:
        from ui.wellbeing import WellbeingTab
    except ImportError:  # pragma: no cover - only while the wellbeing screens are missing
        label = QLabel(translate("record.view", "Wellbeing forms are not available in this build."))
        label.setAccessibleName(translate("record.view", "Wellbeing"))
        return label
    tab = WellbeingTab(runner, actor, person_id)
    # In the record, Ctrl+N is the quick contact note (the rule); the wellbeing tab's
    # own Ctrl+N would make the key ambiguous, so its button (Alt+R) records a form here.
    # Its Ctrl+M moves up to the record, so a form can be started from any tab.
    for shortcut in tab.findChildren(QShortcut):
        if shortcut.key() in (QKeySequence("Ctrl+N"), QKeySequence("Ctrl+M")):
            shortcut.setEnabled(False)
    return tab


def _scrolling(tab: QWidget) -> QWidget:
    """Tabs scroll rather than push the window past 1366x768 (the tabs with their own
    scroll area are left as they are)."""
    if isinstance(tab, (ProfileTab, JourneyTab)):
        return tab
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setWidget(tab)
    return scroll


class RecordView(QWidget):
    """``RecordView(runner, actor, person_id)``: hosted as a closable tab by the main window."""

    open_person = Signal(str)
    saved_state_changed = Signal(bool)  # True when everything on screen is saved
    title_changed = Signal(str)

    def __init__(self, runner: Runner, actor: Actor, person_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.actor, self.person_id = runner, actor, person_id
        self.bundle: RecordBundle | None = None
        self._dirty = False
        self._loading = False
        self._reload_again = False
        self._opened = False
        self.setAccessibleName(translate("record.view", "Person's record"))
        self._build()
        runner.changed.connect(self._changed)
        self.refresh()

    # --- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        self.name_label = QLabel(translate("record.view", "Opening the record..."))
        self.name_label.setAccessibleName(translate("record.view", "Person's name and reference"))
        font = self.name_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.name_label.setFont(font)
        self.facts_label = QLabel()
        self.facts_label.setAccessibleName(translate("record.view", "Key facts"))
        self.facts_label.setWordWrap(True)
        self.badge = ChangeBadge()
        self.state_label = QLabel()
        self.state_label.setAccessibleName(translate("record.view", "Save state"))
        self.save_button = w.button(
            translate("record.view", "Save"), translate("record.view", "Save changes"), "Ctrl+S"
        )
        self.note_button = w.button(
            translate("record.view", "New note"),
            translate("record.view", "New contact note"),
            "Ctrl+N",
        )
        self.plan_button = w.button(
            translate("record.view", "Print my plan"),
            translate("record.view", "Print the person's plan"),
            "Ctrl+P",
        )
        self.reload_button = w.button(
            translate("record.view", "Reload"), translate("record.view", "Reload the record"), "F5"
        )
        for button in (self.save_button, self.note_button, self.plan_button,
                       self.reload_button):
            button.setShortcut(QKeySequence())  # bound below, scoped to this record only
        self.status = w.status_label(translate("record.view", "Record status"))

        header = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self.name_label)
        titles.addWidget(self.facts_label)
        header.addLayout(titles, 1)
        side = QVBoxLayout()
        side.addWidget(self.badge, alignment=Qt.AlignmentFlag.AlignRight)
        side.addWidget(self.state_label, alignment=Qt.AlignmentFlag.AlignRight)
        header.addLayout(side)
        buttons = QHBoxLayout()
        for button in (self.save_button, self.note_button, self.plan_button,
                       self.reload_button):
            buttons.addWidget(button)
        buttons.addWidget(self.status, 1)

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(translate("record.view", "Sections of the record"))
        self.profile = ProfileTab(self)
        self.journey = JourneyTab(self)
        self.contacts = ContactsTab(self)
        self.goals = GoalsTab(self)
        self.signposting = SignpostingTab(self)
        self.wellbeing = _wellbeing_tab(self.runner, self.actor, self.person_id)
        self.notes = NotesTab(self)
        for widget, title in (
            (self.profile, translate("record.view", "&1 Profile")),
            (self.journey, translate("record.view", "&2 Journey")),
            (self.contacts, translate("record.view", "&3 Contacts")),
            (self.goals, translate("record.view", "&4 Goals and plan")),
            (self.signposting, translate("record.view", "&5 Signposting")),
            (self.wellbeing, translate("record.view", "&6 Wellbeing")),
            (self.notes, translate("record.view", "&7 Notes")),
        ):
            self.tabs.addTab(_scrolling(widget), title)
        self.record_tabs = (self.profile, self.journey, self.contacts, self.goals,
                            self.signposting, self.notes)
        self.quick_note = QuickNotePanel()
        self.quick_note.hide()

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addLayout(buttons)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.quick_note)

        self.save_button.clicked.connect(lambda: self.save())  # clicked(bool) is no "then"
        self.note_button.clicked.connect(self.open_quick_note)
        self.plan_button.clicked.connect(self.print_plan)
        self.reload_button.clicked.connect(self._reload_clicked)
        self.quick_note.save_requested.connect(self._save_contact)
        self.quick_note.problem.connect(lambda text: self.show_status(text, "error"))
        # The hidden panel took the keyboard with it: give it back to the record, so Ctrl+M,
        # Alt+4 and the rest work straight after a note is saved or closed.
        self.quick_note.closed.connect(lambda: self.tabs.setFocus(Qt.FocusReason.OtherFocusReason))
        for key, slot in (("Ctrl+S", self.save), ("Ctrl+N", self.open_quick_note),
                          ("Ctrl+M", self.record_form),
                          ("Ctrl+P", self.print_plan), ("F5", self._reload_clicked)):
            QShortcut(QKeySequence(key), self, slot,
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._set_dirty(False)

    # --- reading --------------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read the whole record (coalesced: one read at a time)."""
        if self._loading:
            self._reload_again = True
            return
        self._loading = True
        actor, pid, first = self.actor, self.person_id, not self._opened
        self.runner.run(
            lambda job: load_bundle(job.caseload, actor, pid, first),
            while_alive(self, self._loaded),
            failed=while_alive(self, self._load_failed),
            label=translate("record.view", "Opening the record"),
        )

    def _loaded(self, bundle: RecordBundle) -> None:
        self._loading, self._opened = False, True
        self.bundle = bundle
        self._show_header(bundle)
        for tab in self.record_tabs:
            tab.show_bundle(bundle)
        self.quick_note.set_schedule(bundle.schedule_months)
        if getattr(self, "_note_when_loaded", False):
            self._note_when_loaded = False
            self.open_quick_note()
        if not self._dirty:
            self._set_dirty(False)  # shows "Saved" once the record is on screen
        if self._reload_again:
            self._reload_again = False
            self.refresh()

    def _load_failed(self, exc: BaseException) -> None:
        self._loading = False
        self.show_status(friendly_message(exc), "error")
        if self.bundle is None:
            self.name_label.setText(translate("record.view", "This record could not be opened"))

    def _changed(self, tags: frozenset[str]) -> None:
        if tags & RECORD_TAGS and self._opened:
            self.refresh()

    def _reload_clicked(self) -> None:
        if self._dirty and not self._confirm_discard():
            return
        self._set_dirty(False)
        self.refresh()

    def _show_header(self, bundle: RecordBundle) -> None:
        record, current = bundle.record, bundle.record.current
        name = record.display_name
        if record.preferred_name and record.preferred_name != record.given_name:
            name += f" ({record.full_name})"
        self.name_label.setText(f"{name} - {record.reference}")
        facts = [
            translate("record.view", "Age {age}").format(age=record.age)
            if record.age is not None
            else translate("record.view", "Age not known"),
            translate("record.view", "born {date_of_birth}").format(
                date_of_birth=format_date(record.date_of_birth)
            )
            if record.date_of_birth
            else "",
            GENDERS.get(record.gender or "", ""),
        ]
        if current is not None:
            month = record.journey_month
            facts += [
                translate("record.view", "Worker: {worker_name}").format(
                    worker_name=current.worker_name
                ),
                translate("record.view", "Stage: {stage_label}").format(
                    stage_label=core(current.stage_label)
                ),
                translate("record.view", "Journey month {month}").format(month=month)
                if month
                else "",
                translate("record.view", "Next review: {next_review_due}").format(
                    next_review_due=format_date(current.next_review_due)
                )
                if current.next_review_due
                else translate("record.view", "No review due"),
            ]
        facts.append(
            translate("record.view", "Consent: {consents_summary}").format(
                consents_summary=record.consents_summary
            )
        )
        self.facts_label.setText(" | ".join(f for f in facts if f))
        self.badge.set_change(current.latest_change if current else None)
        self.title_changed.emit(self.tab_title())
        editable = record.can_edit
        self.save_button.setEnabled(editable)
        self.note_button.setEnabled(can(self.actor, "contact.record")
                                    and bool(current and current.is_open))

    def show_tab(self, tab: QWidget) -> None:
        """Bring a section to the front (some tabs sit inside a scroll area)."""
        for index in range(self.tabs.count()):
            page = self.tabs.widget(index)
            if page is tab or (isinstance(page, QScrollArea) and page.widget() is tab):
                self.tabs.setCurrentIndex(index)
                return

    def tab_title(self) -> str:
        """For the main window's tab (never its window title: names stay inside the app)."""
        if self.bundle is None:
            return translate("record.view", "Record")
        return f"{self.bundle.record.display_name} ({self.bundle.record.reference})"

    @property
    def can_edit(self) -> bool:
        return bool(self.bundle and self.bundle.record.can_edit)

    # --- editing state --------------------------------------------------------------------

    def has_unsaved_changes(self) -> bool:
        return self._dirty

    def mark_dirty(self) -> None:
        if not self._dirty:
            self._set_dirty(True)

    def _set_dirty(self, dirty: bool) -> None:
        self._dirty = dirty
        if dirty:
            self.state_label.setText(translate("record.view", "Unsaved changes (Ctrl+S to save)"))
            self.state_label.setStyleSheet("color: #8a4b00; font-weight: bold;")
        else:
            self.state_label.setText(translate("record.view", "Saved") if self._opened else "")
            self.state_label.setStyleSheet("color: #1b5e20; font-weight: bold;")
        self.saved_state_changed.emit(not dirty)

    def show_status(self, text: str, kind: str = "info") -> None:
        w.show_message(self.status, text, kind)

    # --- saving ---------------------------------------------------------------------------

    def _edits(self) -> tuple[dict[str, Any], str | None, dict[str, Any]]:
        current = self.bundle.record.current if self.bundle else None
        episode_changes = {**self.journey.edits(), **self.goals.edits()}
        return self.profile.values(), current.id if current else None, episode_changes

    def save(self, then: Callable[[], None] | None = None,
             on_fail: Callable[[], None] | None = None) -> None:
        """Save every in-place edit as one transaction (Ctrl+S)."""
        if self.bundle is None or not self._dirty:
            self.show_status(translate("record.view", "Nothing to save: everything is saved."))
            if then is not None:
                then()
            return
        try:
            person_changes, episode_id, episode_changes = self._edits()
        except w.BadDate as bad:  # nothing is saved, not even the other fields
            self.show_tab(self.profile)
            w.tell_bad_date(self, bad)
            if on_fail is not None:
                on_fail()
            return
        actor, pid, expected = self.actor, self.person_id, self.bundle.record.updated_at
        self.show_status(translate("record.view", "Saving..."))

        def work(job: Any) -> list[str]:
            return save_record_edits(job.caseload, actor, pid, person_changes=person_changes,
                                     expected_updated_at=expected, episode_id=episode_id,
                                     episode_changes=episode_changes)

        def done(changed: list[str]) -> None:
            self.profile.clear_problems()
            self._set_dirty(False)
            count = len(changed)
            self.show_status(  # a field typed back as it was (or as the core writes it)
                translate("record.view", "Nothing had changed: the record is as it was.")
                if count == 0 else
                translate("record.view", "Saved ({count} change{value}).").format(
                    count=count, value="s" if count != 1 else ""
                )
            )
            if then is not None:
                then()

        def failed(exc: BaseException) -> None:
            self._save_failed(exc)
            if on_fail is not None:
                on_fail()

        self.runner.run(
            work,
            while_alive(self, done),
            failed=while_alive(self, failed),
            changes={"people", "episodes", SAID},  # "Saved (n changes)." in the record
            label=translate("record.view", "Saving the record"),
        )

    def _save_failed(self, exc: BaseException) -> None:
        if isinstance(exc, FieldProblems):
            self.show_tab(self.profile)
            self.profile.show_problems(exc.problems)
        self.show_status(friendly_message(exc), "error")

    def submit(self, work: Callable[[Any], Any], message: str, changes: Iterable[str],
               after: Callable[[Any], None] | None = None) -> None:
        """A routine write from a tab: no dialog; the outcome is shown in the status line."""

        def done(result: Any) -> None:
            self.show_status(message)
            if after is not None:
                after(result)

        def failed(exc: BaseException) -> None:
            self.show_status(friendly_message(exc), "error")

        self.runner.run(work, while_alive(self, done), failed=while_alive(self, failed),
                        changes={*changes, SAID}, label=message)

    # --- quick note -----------------------------------------------------------------------

    def open_quick_note(self) -> None:
        if self.bundle is None:  # Ctrl+N pressed while the record is still opening
            self._note_when_loaded = True
            self.show_status(translate("record.view",
                                       "Opening the record: the note opens in a moment."))
            return
        current = self.bundle.record.current if self.bundle else None
        if current is None or not current.is_open:
            self.show_status(
                translate(
                    "record.view", "This journey has ended: re-refer the person to add notes."
                ),
                "warning",
            )
            return
        self.quick_note.open_panel()

    def record_form(self) -> None:
        """Ctrl+M from anywhere in the record: the Wellbeing tab, and a new form."""
        opener = getattr(self.wellbeing, "open_form", None)
        if opener is None:
            return
        self.show_tab(self.wellbeing)
        opener()

    def _save_contact(self, entry: Any) -> None:
        if self.quick_note.editing is not None:
            self._save_correction(self.quick_note.editing.id, self.quick_note.changes())
            return
        current = self.bundle.record.current if self.bundle else None
        if current is None:
            return
        actor, episode = self.actor, current.id
        planned = entry.status == "planned"
        self.submit(lambda job: record_contact(job.caseload, actor, episode, entry),
                    "Appointment booked (it shows on Today)" if planned else "Note saved",
                    {"contacts", "episodes"}, after=lambda _: self.quick_note.saved())

    def correct_contact(self, item: Any) -> None:
        """Open the quick-note panel on a saved contact to correct it."""
        self.quick_note.correct(item)

    def _save_correction(self, contact_id: str, changes: dict[str, Any]) -> None:
        if not changes:
            self.show_status(translate("record.view", "Nothing was changed."))
            self.quick_note.saved()
            return
        actor = self.actor
        self.submit(lambda job: update_contact(job.caseload, actor, contact_id, changes),
                    "Contact corrected (the change is in the audit trail)",
                    {"contacts", "episodes"}, after=lambda _: self.quick_note.saved())

    # --- my plan --------------------------------------------------------------------------

    def print_plan(self, path: str | None = None) -> None:
        """Write the "My plan" PDF where the user chooses (built off the GUI thread).
        ReportLab is imported here, when a plan is printed, not when a record opens."""
        from linkworker.plan_pdf import export_plan

        if self.bundle is None:
            return
        if path is None:
            suggested = str(Path.home() / f"My plan {self.bundle.record.reference}.pdf")
            path, _ = QFileDialog.getSaveFileName(
                self,
                translate("record.view", "Save the person's plan"),
                suggested,
                translate("record.view", "PDF files (*.pdf)"),
            )
            if not path:
                return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        actor, pid, today = self.actor, self.person_id, dt.date.today()
        self.show_status(translate("record.view", "Writing the plan..."))
        self.runner.run(
            lambda job: export_plan(job.caseload, actor, pid, path, today),
            while_alive(
                self,
                lambda p: self.show_status(
                    translate("record.view", "Plan saved to {p}").format(p=p)
                ),
            ),
            failed=while_alive(self, self._save_failed),
            label=translate("record.view", "Writing the plan"),
        )

    # --- closing --------------------------------------------------------------------------

    def _confirm_discard(self) -> bool:
        answer = QMessageBox.question(
            self,
            translate("record.view", "Unsaved changes"),
            translate("record.view", "Discard the unsaved changes to this record?"),
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Discard

    def maybe_close(self) -> bool:
        """True if the record may close now; asks Save / Discard / Cancel when there are edits.

        Choosing Save waits for the save (a single record saves in milliseconds) and closes
        only if it succeeded; a problem keeps the record open with the problem shown.
        """
        if not self._dirty:
            return True
        answer = QMessageBox.question(
            self,
            translate("record.view", "Unsaved changes"),
            translate("record.view", "Save the changes to this record before closing?"),
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Discard:
            self._set_dirty(False)
            return True
        if answer != QMessageBox.StandardButton.Save:
            return False
        return self.save_now()

    def save_now(self) -> bool:
        """Save and wait for the outcome (used when closing); True if it saved.

        A local event loop keeps the window painting while the runner works.
        """
        from PySide6.QtCore import QEventLoop

        if not self._dirty:
            return True
        loop = QEventLoop(self)
        outcome: dict[str, bool] = {}

        def finish(saved: bool) -> None:
            outcome["saved"] = saved
            loop.quit()

        self.save(then=lambda: finish(True), on_fail=lambda: finish(False))
        if not outcome:
            loop.exec()
        return outcome.get("saved", False)
