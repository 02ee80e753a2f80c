"""The New referral screen: renders ``linkworker.referral.Intake`` (the logic lives there).

Checks run as the worker types (a short pause, then one ``assess`` on the runner): problems
are named beside the form, the contract's eligibility shows as a warning with its reason
(never a block), and a possible duplicate offers "Open Jane Doe (LW-000123) and start a new
episode" or "This is a different person". Ctrl+S saves. ``person_opened(person_id)`` is
emitted after a save or when the worker opens the existing person.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from linkworker import codes
from linkworker.access import Actor, can
from linkworker.errors import UserError
from linkworker.referral import (
    Assessment,
    Duplicate,
    Intake,
    ReferralDetails,
    ReferralOptions,
    SavedReferral,
    assess,
    refer_existing,
    referral_options,
    submit_referral,
)
from linkworker.validation import format_date, labelled
from ui.core_words import core
from ui.i18n import translate
from ui.operations import Runner, friendly_message, while_alive
from ui.record import widgets as w
from ui.widgets import hbox, scroll_page

# Alt+letters: F, G, P and H belong to the menu bar (File, Go, Person, Help); none repeats
# on this screen (tests/test_ux_walk.py walks every screen for clashes).
PERSON_LABELS = (
    ("given_name", QT_TRANSLATE_NOOP("referral", "Given &name")),
    ("family_name", QT_TRANSLATE_NOOP("referral", "Fa&mily name")),
    ("preferred_name", QT_TRANSLATE_NOOP("referral", "Preferred name")),
    ("date_of_birth", QT_TRANSLATE_NOOP("referral", "Date of &birth")),
    ("nhs_number", QT_TRANSLATE_NOOP("referral", "NHS n&umber")),
    ("postcode", QT_TRANSLATE_NOOP("referral", "Post&code")),
    ("address_line1", QT_TRANSLATE_NOOP("referral", "&Address")),
    ("town", QT_TRANSLATE_NOOP("referral", "To&wn")),
    ("phone", QT_TRANSLATE_NOOP("referral", "Phone")),
    ("email", QT_TRANSLATE_NOOP("referral", "&Email")),
)


def why_not_saved(assessment: Assessment, duplicates_answered: bool) -> str:
    """Ctrl+S that could not save says exactly why (never silence)."""
    reasons = []
    if assessment.problems:
        names = {k: translate("referral", v) for k, v in PERSON_LABELS}
        fields = ", ".join(names.get(k, k.replace("_", " ").capitalize()).replace("&", "")
                           for k in assessment.problems)
        reasons.append(f"fix {fields}")
    if assessment.duplicates and not duplicates_answered:
        reasons.append('this may be someone already known: choose "Open ..." or '
                       '"This is a different person"')
    return (
        translate("referral", "Not saved: ")
        + "; ".join(reasons or [translate("referral", "check the form")])
        + "."
    )


class ReferralView(QWidget):
    person_opened = Signal(str)

    def __init__(self, runner: Runner, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.actor = runner, actor
        self.intake = Intake()
        self.options: ReferralOptions | None = None
        self.fields: dict[str, QWidget] = {}
        self.conditions: list[tuple[str | None, str]] = []
        self._checking = False
        self.setAccessibleName(translate("referral", "New referral"))
        self._build()
        self._timer = QTimer(self, singleShot=True, interval=400)
        self._timer.timeout.connect(self.check_now)
        runner.run(lambda job: referral_options(job.caseload, actor),
                   while_alive(self, self._show_options))

    # --- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        person = QGroupBox(translate("referral", "The person"))
        person_form = QFormLayout(person)
        for key, source in PERSON_LABELS:
            label = translate("referral", source)
            widget = (
                w.date_edit(
                    translate("referral", "Date of birth"), optional=True, near=w.BIRTH_NEAR
                )
                if key == "date_of_birth"
                else w.line(label.replace("&", ""))
            )
            self.fields[key] = widget
            w.add_row(person_form, label, widget)
        self.fields["nhs_number"].setPlaceholderText(translate("referral", "10 digits"))
        self.fields["postcode"].setPlaceholderText(translate("referral", "e.g. NE4 5AB"))
        self.condition_code = w.combo(
            translate("referral", "Long-term condition"),
            codes.LONG_TERM_CONDITIONS,
            blank=translate("referral", "(only their words)"),
        )
        # The list of conditions has long names: let it shrink, so the words box beside it
        # keeps room to type in (it was squeezed to nothing at 1366x768).
        self.condition_code.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.condition_code.setMinimumContentsLength(14)
        self.condition_words = w.line(
            translate("referral", "Condition in the person's own words"),
            placeholder=translate("referral", 'e.g. "bad chest"'),
        )
        self.condition_add = w.button(
            translate("referral", "Add cond&ition"), translate("referral", "Add condition")
        )
        self.condition_list = QLabel(translate("referral", "None yet"))
        self.condition_list.setAccessibleName(translate("referral", "Conditions added"))
        self.condition_list.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.condition_code)
        row.addWidget(self.condition_words, 1)
        row.addWidget(self.condition_add)
        person_form.addRow(translate("referral", "Conditions"), row)
        person_form.addRow("", self.condition_list)

        referral = QGroupBox(translate("referral", "The referral"))
        ref_form = QFormLayout(referral)
        self.referral_date = w.date_edit(translate("referral", "Referral date"))
        self.source = w.combo(
            translate("referral", "Referral source"),
            codes.REFERRAL_SOURCES,
            blank=translate("referral", "Choose..."),
        )
        self.reasons = w.check_list(
            translate("referral", "Reasons for referral"), codes.REFERRAL_REASONS
        )
        self.referrer_name = w.line(translate("referral", "Referrer's name"))
        self.referrer_org = w.line(translate("referral", "Referrer's organisation"))
        self.worker = w.combo(
            translate("referral", "Link worker"),
            {},
            blank=translate("referral", "Not assigned yet"),
        )
        self.contract = w.combo(
            translate("referral", "Contract"), {}, blank=translate("referral", "No contract")
        )
        for label, widget in (
            (translate("referral", "Referral &date"), self.referral_date),
            (translate("referral", "&Source"), self.source),
            (translate("referral", "Reas&ons"), self.reasons),
            (translate("referral", "&Referrer"), self.referrer_name),
            (translate("referral", "Organisation"), self.referrer_org),
            (translate("referral", "Lin&k worker"), self.worker),
            (translate("referral", "Con&tract"), self.contract),
        ):
            w.add_row(ref_form, label, widget)

        self.problems = w.status_label(translate("referral", "Problems with the referral"))
        self.eligibility = w.status_label(translate("referral", "Eligibility"))
        self.duplicates_box = QGroupBox(translate("referral", "Is this someone already known?"))
        self.duplicates_layout = QVBoxLayout(self.duplicates_box)
        self.duplicates_box.hide()
        self.result = w.status_label(translate("referral", "Referral result"))
        self.save_button = w.button(
            translate("referral", "Save referral"), translate("referral", "Save referral"), "Ctrl+S"
        )
        self.save_button.setShortcut(QKeySequence())
        self.clear_button = w.button(
            translate("referral", "Clear the form"), translate("referral", "Clear the form")
        )

        columns = QHBoxLayout()
        columns.addWidget(person, 1)
        columns.addWidget(referral, 1)
        inner = QWidget()
        body = QVBoxLayout(inner)
        title = QLabel(translate("referral", "<h2>New referral</h2>"))
        body.addWidget(title)
        body.addLayout(columns)
        body.addWidget(self.problems)
        body.addWidget(self.eligibility)
        body.addWidget(self.duplicates_box)
        buttons = hbox(self.save_button, self.clear_button)
        buttons.addWidget(self.result, 1)
        body.addLayout(buttons)
        body.addStretch(1)
        scroll_page(self, inner)

        for widget in (*self.fields.values(), self.referrer_name, self.referrer_org):
            if isinstance(widget, QLineEdit):
                widget.textEdited.connect(self._changed)
            else:
                widget.dateChanged.connect(self._changed)
        self.referral_date.dateChanged.connect(self._changed)
        for box in (self.source, self.worker, self.contract):
            box.currentIndexChanged.connect(self._changed)
        self.reasons.itemChanged.connect(self._changed)
        self.condition_add.clicked.connect(self._add_condition)
        self.save_button.clicked.connect(self.save)
        self.clear_button.clicked.connect(self.clear)
        QShortcut(QKeySequence("Ctrl+S"), self, self.save,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def _show_options(self, options: ReferralOptions) -> None:
        self.options = options
        for combo_box, items, default in ((self.worker, options.workers,
                                           options.default_worker_id),
                                          (self.contract, options.contracts,
                                           options.default_contract_id)):
            combo_box.blockSignals(True)
            for item_id, name in items:
                combo_box.addItem(name, item_id)
            w.set_combo(combo_box, default)
            combo_box.blockSignals(False)

    # --- the details ----------------------------------------------------------------------

    def details(self, checked: bool = False) -> ReferralDetails:
        """What the form holds. While typing (the live checks) a date field that is not yet
        a date gives its last good date; ``checked`` (saving) raises ``BadDate`` instead."""
        date = w.get_date if checked else w.DateField.value
        values: dict[str, Any] = {}
        for key, widget in self.fields.items():
            values[key] = date(widget) if key == "date_of_birth" else widget.text()
        return ReferralDetails(
            **values, conditions=tuple(self.conditions),
            referral_date=date(self.referral_date),
            source=self.source.currentData() or "", reasons=w.checked_codes(self.reasons),
            referrer_name=self.referrer_name.text(), referrer_organisation=self.referrer_org.text(),
            worker_id=self.worker.currentData(), contract_id=self.contract.currentData(),
        )

    def _changed(self, *_: Any) -> None:
        self.intake.edit(self.details())
        self.result.clear()
        self._timer.start()

    def _add_condition(self) -> None:
        code, words = self.condition_code.currentData(), self.condition_words.text().strip()
        if not code and not words:
            w.show_message(
                self.problems,
                translate("referral", "Choose a condition or type the person's words."),
                "error",
            )
            return
        self.conditions.append((code, words))
        self.condition_words.clear()
        self.condition_code.setCurrentIndex(0)
        self.condition_list.setText("; ".join(
            " - ".join(p for p in (core(codes.LONG_TERM_CONDITIONS.get(c or "", "")),
                                   f'"{t}"' if t else "") if p)
            for c, t in self.conditions))
        self._changed()

    # --- checking -------------------------------------------------------------------------

    def check_now(self) -> None:
        """Run the checks now (the timer calls this after a pause in typing)."""
        details, actor = self.details(), self.actor
        self.runner.run(lambda job: assess(job.caseload, actor, details),
                        while_alive(self, lambda a: self._assessed(details, a)))

    def _assessed(self, details: ReferralDetails, assessment: Assessment) -> None:
        if details != self.details():
            return  # the form changed while checking; a newer check is on its way
        self.intake.assessed(assessment)
        self._render(assessment)

    def _render(self, assessment: Assessment) -> None:
        """The checks' problems, with a date that is not a date among them: the live check
        reads such a field as its last good date (or none), so without this 12/13/1960 was
        named nowhere and its red border was wiped by the next check."""
        problems = dict(assessment.problems)
        for key, field in (("date_of_birth", self.fields["date_of_birth"]),
                           ("referral_date", self.referral_date)):
            if field.problem():
                problems[key] = f"{field.problem()[0].upper()}{field.problem()[1:]}."
        names = {k: translate("referral", v).replace("&", "") for k, v in PERSON_LABELS}
        names["referral_date"] = self.referral_date.accessibleName()
        w.show_message(self.problems, " ".join(
            labelled(names.get(k, k.replace("_", " ").capitalize()), v)
            for k, v in problems.items()), "error")
        for key, widget in self.fields.items():
            widget.setStyleSheet("border: 2px solid #b71c1c;" if key in problems else "")
        warning = assessment.eligibility.warning
        if assessment.eligibility.status == "eligible":
            w.show_message(self.eligibility, translate("referral", "Eligible for the contract."))
        else:
            w.show_message(self.eligibility, warning, "warning")
        self._show_duplicates(assessment.duplicates)

    def _show_duplicates(self, duplicates: tuple[Duplicate, ...]) -> None:
        while self.duplicates_layout.count():
            item = self.duplicates_layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        show = bool(duplicates) and not self.intake.allow_duplicates
        self.duplicates_box.setVisible(show)
        if not show:
            return
        self.duplicates_layout.addWidget(
            QLabel(
                translate(
                    "referral",
                    "This may be someone already known. Open them instead of making "
                    "a second record?",
                )
            )
        )
        for dup in duplicates:
            if not dup.in_scope:  # someone this role may not see: no name, no button
                self.duplicates_layout.addWidget(QLabel(f"{dup.offer} ({dup.why})."))
                continue
            born = format_date(dup.date_of_birth) or "date of birth not known"
            text = translate("referral", "{offer} - born {born}, {why}").format(
                offer=dup.offer, born=born, why=dup.why
            )
            button = QPushButton(text)
            button.setAccessibleName(dup.offer)
            button.clicked.connect(lambda _=False, d=dup: self.open_existing(d))
            self.duplicates_layout.addWidget(button)
        different = QPushButton(translate("referral", "This is a different person"))
        different.setAccessibleName(translate("referral", "This is a different person"))
        different.clicked.connect(self.different_person)
        self.duplicates_layout.addWidget(different)
        self.duplicates_box.findChildren(QPushButton)[0].setFocus()

    def different_person(self) -> None:
        try:
            self.intake.different_person()
        except UserError as exc:
            w.show_message(self.result, str(exc), "warning")
            return
        self.duplicates_box.hide()
        still = (
            translate("referral", " Then fix the problems above.")
            if self.intake.step == "details"
            else ""
        )
        w.show_message(
            self.result,
            translate("referral", "Noted: a different person. Press Ctrl+S to save.{still}").format(
                still=still
            ),
        )
        self.save_button.setFocus()

    # --- saving ---------------------------------------------------------------------------

    def show_status(self, text: str, kind: str = "info") -> None:
        """Under the form, where the outcome of saving is shown."""
        w.show_message(self.result, text, kind)

    @w.stops_at_a_bad_date
    def save(self) -> None:
        """Check again, then save if nothing blocks (a possible duplicate must be answered)."""
        details, actor = self.details(checked=True), self.actor
        allow = self.intake.saving(details)
        self.save_button.setEnabled(False)
        # No ``changes=``: a check that stops the save must not announce "Saved."; the
        # change is announced in ``_finished`` once something was really written.
        self.runner.run(
            lambda job: submit_referral(job.caseload, actor, details, allow_duplicates=allow),
            while_alive(self, self._save_done),
            failed=while_alive(self, self._save_failed),
            label=translate("referral", "Saving the referral"),
        )

    def _save_done(self, outcome: Assessment | SavedReferral) -> None:
        self.save_button.setEnabled(True)
        if isinstance(outcome, Assessment):
            self.intake.assessed(outcome)
            self._render(outcome)
            w.show_message(self.result,
                           why_not_saved(outcome, self.intake.allow_duplicates), "warning")
            if self.duplicates_box.isVisible():
                self.duplicates_box.findChildren(QPushButton)[0].setFocus()
            return
        self._finished(outcome, "Saved")

    def _save_failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        w.show_message(self.result, friendly_message(exc), "error")

    def open_existing(self, duplicate: Duplicate) -> None:
        """Open the person already known; start a new journey if their last one ended."""
        try:
            self.intake.open_existing(duplicate.person_id)
        except UserError as exc:
            w.show_message(self.result, str(exc), "warning")
            return
        if duplicate.has_open_journey:
            if duplicate.on_my_caseload:
                self.person_opened.emit(duplicate.person_id)
            else:
                w.show_message(
                    self.result,
                    translate(
                        "referral",
                        "{reference} already has an open journey with another worker: "
                        "ask a manager to reassign them.",
                    ).format(reference=duplicate.reference),
                    "warning",
                )
            return
        try:
            details, actor = self.details(checked=True), self.actor
        except w.BadDate as bad:
            w.tell_bad_date(self, bad)
            return
        self.runner.run(
            lambda job: refer_existing(job.caseload, actor, duplicate.person_id, details),
            while_alive(self, lambda r: self._finished(r, "New episode started")),
            failed=while_alive(self, self._save_failed),
            label=translate("referral", "Starting a new episode"),
        )

    def _finished(self, saved: SavedReferral, what: str) -> None:
        self.runner.changed.emit(frozenset({"people", "episodes"}))
        visible = can(self.actor, "person.view_any") or (
            self.actor.role == "link_worker" and self.worker.currentData() == self.actor.user_id)
        self._clear_fields()
        self.intake.saved(saved)
        extra = "" if saved.eligibility.status == "eligible" else f" {saved.eligibility.warning}"
        w.show_message(
            self.result,
            translate("referral", "{what}: {reference}, journey {episode_number}.{extra}").format(
                what=what,
                reference=saved.reference,
                episode_number=saved.episode_number,
                extra=extra,
            ),
        )
        if visible:
            self.person_opened.emit(saved.person_id)

    def focus_first(self) -> None:
        """Ctrl+R lands in the first field, ready to type the person's name."""
        self.fields["given_name"].setFocus(Qt.FocusReason.ShortcutFocusReason)

    def has_unsaved_changes(self) -> bool:
        """Anything typed about the person or the referral that is not saved yet."""
        typed = self.details()
        person = any(getattr(typed, key) for key in self.fields)
        referral = bool(typed.source or typed.reasons or typed.referrer_name.strip()
                        or typed.referrer_organisation.strip() or self.conditions)
        return person or referral

    def maybe_close(self) -> bool:
        """Ctrl+W / Ctrl+Q on a half-typed referral asks first (Cancel is the default)."""
        if not self.has_unsaved_changes():
            return True
        answer = QMessageBox.question(
            self,
            translate("referral", "Referral not saved"),
            translate("referral", "This referral has not been saved. Discard what you typed?"),
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Discard

    def clear(self) -> None:
        self._clear_fields()
        self.result.clear()

    def _clear_fields(self) -> None:
        for key, widget in self.fields.items():
            if key == "date_of_birth":
                w.set_date(widget, None)
            else:
                widget.clear()
            widget.setStyleSheet("")
        self.conditions.clear()
        self.condition_list.setText(translate("referral", "None yet"))
        w.set_date(self.referral_date, dt.date.today())
        self.source.setCurrentIndex(0)
        w.set_checked(self.reasons, ())
        self.referrer_name.clear()
        self.referrer_org.clear()
        self.problems.clear()
        self.eligibility.clear()
        self.duplicates_box.hide()
        self.intake = Intake()
        self._timer.stop()  # clearing is not typing: no check of an empty form
        self.fields["given_name"].setFocus()
