"""The Profile tab: the person's details edited in place, conditions and consents.

Field edits mark the record "Unsaved changes"; Ctrl+S (the record's Save) writes them all in
one transaction. Conditions and consents are separate facts with their own Add buttons.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QVBoxLayout,
    QWidget,
)

from linkworker import codes
from linkworker.conditions import add_condition, remove_condition
from linkworker.consents import CONSENT_HOW, add_consent, withdraw_consent
from linkworker.validation import format_date, format_nhs_number
from ui.core_words import core
from ui.i18n import translate
from ui.record import widgets as w
from ui.record.base import RecordTab
from ui.widgets import hbox, scroll_page

PREFERENCES = {
    "phone": QT_TRANSLATE_NOOP("record.profile_tab", "Phone calls"),
    "text": QT_TRANSLATE_NOOP("record.profile_tab", "Text messages"),
    "email": QT_TRANSLATE_NOOP("record.profile_tab", "Email"),
    "letter": QT_TRANSLATE_NOOP("record.profile_tab", "Letters"),
}


class ProfileTab(RecordTab):
    def __init__(self, host) -> None:  # the RecordView
        super().__init__(host)
        self._loading = False
        self.fields: dict[str, QWidget] = {}
        self._build()

    # --- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        inner = QWidget()
        columns = QHBoxLayout()
        left, right = QFormLayout(), QFormLayout()
        for form in (left, right):
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        f = self.fields
        f["given_name"] = w.line(translate("record.profile_tab", "Given name"))
        f["family_name"] = w.line(translate("record.profile_tab", "Family name"))
        f["preferred_name"] = w.line(translate("record.profile_tab", "Preferred name"))
        f["date_of_birth"] = w.date_edit(
            translate("record.profile_tab", "Date of birth"), optional=True, near=w.BIRTH_NEAR
        )
        f["nhs_number"] = w.line(
            translate("record.profile_tab", "NHS number"),
            placeholder=translate("record.profile_tab", "10 digits"),
        )
        f["address_line1"] = w.line(translate("record.profile_tab", "Address line 1"))
        f["address_line2"] = w.line(translate("record.profile_tab", "Address line 2"))
        f["town"] = w.line(translate("record.profile_tab", "Town"))
        f["postcode"] = w.line(
            translate("record.profile_tab", "Postcode"),
            placeholder=translate("record.profile_tab", "NE4 5AB"),
        )
        f["phone"] = w.line(translate("record.profile_tab", "Phone"))
        f["email"] = w.line(translate("record.profile_tab", "Email"))
        f["gp_practice"] = w.line(translate("record.profile_tab", "GP practice"))
        # F, G, P and H are the menu bar's (File, Go, Person, Help): never used here.
        for key, label in (
            ("given_name", translate("record.profile_tab", "Given &name")),
            ("family_name", translate("record.profile_tab", "Fa&mily name")),
            ("preferred_name", translate("record.profile_tab", "Preferred name")),
            ("date_of_birth", translate("record.profile_tab", "Date of &birth")),
            ("nhs_number", translate("record.profile_tab", "NHS n&umber")),
            ("address_line1", translate("record.profile_tab", "&Address")),
            ("address_line2", translate("record.profile_tab", "Address line 2")),
            ("town", translate("record.profile_tab", "To&wn")),
            ("postcode", translate("record.profile_tab", "Post&code")),
            ("phone", translate("record.profile_tab", "Phone")),
            ("email", translate("record.profile_tab", "&Email")),
            ("gp_practice", translate("record.profile_tab", "GP pract&ice")),
        ):
            w.add_row(left, label, f[key])
        f["gender"] = w.combo(
            translate("record.profile_tab", "Gender"),
            codes.GENDERS,
            blank=translate("record.profile_tab", "Not recorded"),
        )
        f["gender_self_described"] = w.line(
            translate("record.profile_tab", "Gender in their own words")
        )
        f["ethnicity"] = w.combo(
            translate("record.profile_tab", "Ethnic group (2021 Census)"),
            {g.category: f"{core(g.group)}: {core(g.category)}" for g in codes.ethnic_groups()},
            blank=translate("record.profile_tab", "Not recorded"),
        )
        f["disability"] = w.combo(
            translate("record.profile_tab", "Disability"),
            codes.DISABILITY,
            blank=translate("record.profile_tab", "Not recorded"),
        )
        f["carer_status"] = w.combo(
            translate("record.profile_tab", "Carer"),
            codes.CARER_STATUS,
            blank=translate("record.profile_tab", "Not recorded"),
        )
        f["living_circumstances"] = w.text_box(
            translate("record.profile_tab", "Living circumstances"), 3
        )
        f["is_volunteer"] = w.check(
            translate("record.profile_tab", "Volunteers with us"),
            translate("record.profile_tab", "Volunteers with us"),
        )
        self.preferences = {
            k: w.check(
                translate("record.profile_tab", v),
                translate("record.profile_tab", "Happy to be contacted by {lower}").format(
                    lower=translate("record.profile_tab", v).lower()
                ),
            )
            for k, v in PREFERENCES.items()
        }
        prefs = QHBoxLayout()
        for box in self.preferences.values():
            prefs.addWidget(box)
            box.toggled.connect(self._edited)
        for key, label in (
            ("gender", translate("record.profile_tab", "Gen&der")),
            ("gender_self_described", translate("record.profile_tab", "In their words")),
            ("ethnicity", translate("record.profile_tab", "E&thnic group")),
            ("disability", translate("record.profile_tab", "Disabilit&y")),
            ("carer_status", translate("record.profile_tab", "Ca&rer")),
            ("living_circumstances", translate("record.profile_tab", "&Living circumstances")),
        ):
            w.add_row(right, label, f[key])
        right.addRow(translate("record.profile_tab", "Contact by"), prefs)
        right.addRow("", f["is_volunteer"])
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        self.problems = w.status_label(translate("record.profile_tab", "Problems with the details"))

        outer = QVBoxLayout(inner)
        outer.addWidget(self.problems)
        outer.addLayout(columns)
        outer.addWidget(self._conditions_box())
        outer.addWidget(self._consents_box())
        outer.addStretch(1)
        scroll_page(self, inner)
        for widget in f.values():
            self._watch(widget)

    def _conditions_box(self) -> QGroupBox:
        box = QGroupBox(
            translate("record.profile_tab", "Long-term conditions (with the person's own words)")
        )
        self.conditions = w.table(
            translate("record.profile_tab", "Long-term conditions"),
            (
                translate("record.profile_tab", "Condition"),
                translate("record.profile_tab", "In their words"),
            ),
        )
        self.condition_code = w.combo(
            translate("record.profile_tab", "Condition"),
            codes.LONG_TERM_CONDITIONS,
            blank=translate("record.profile_tab", "(only their words)"),
        )
        self.condition_words = w.line(
            translate("record.profile_tab", "Condition in the person's own words"),
            placeholder=translate("record.profile_tab", 'e.g. "bad chest"'),
        )
        self.condition_add = w.button(
            translate("record.profile_tab", "Add condition"),
            translate("record.profile_tab", "Add condition"),
        )
        self.condition_remove = w.button(
            translate("record.profile_tab", "Remove condition"),
            translate("record.profile_tab", "Remove selected condition"),
        )
        layout = QVBoxLayout(box)
        layout.addWidget(self.conditions)
        layout.addLayout(hbox(self.condition_code, self.condition_words, self.condition_add,
                              self.condition_remove))
        self.conditions.setMaximumHeight(130)
        self.condition_add.clicked.connect(self._add_condition)
        self.condition_remove.clicked.connect(self._remove_condition)
        return box

    def _consents_box(self) -> QGroupBox:
        box = QGroupBox(translate("record.profile_tab", "Consents"))
        self.consents = w.table(
            translate("record.profile_tab", "Consents"),
            (
                translate("record.profile_tab", "Consent"),
                translate("record.profile_tab", "Given"),
                translate("record.profile_tab", "Recorded"),
                translate("record.profile_tab", "How"),
                translate("record.profile_tab", "Expires"),
                translate("record.profile_tab", "Withdrawn"),
            ),
        )
        self.consent_kind = w.combo(translate("record.profile_tab", "Consent"), codes.CONSENT_KINDS)
        self.consent_given = w.combo(
            translate("record.profile_tab", "Given or declined"),
            {
                "yes": translate("record.profile_tab", "Agreed"),
                "no": translate("record.profile_tab", "Declined"),
            },
        )
        self.consent_how = w.combo(
            translate("record.profile_tab", "How consent was recorded"), CONSENT_HOW
        )
        self.consent_date = w.date_edit(
            translate("record.profile_tab", "Date consent was recorded")
        )
        self.consent_add = w.button(
            translate("record.profile_tab", "Record consent"),
            translate("record.profile_tab", "Record consent"),
        )
        self.consent_withdraw = w.button(
            translate("record.profile_tab", "Withdraw selected"),
            translate("record.profile_tab", "Withdraw selected consent"),
        )
        layout = QVBoxLayout(box)
        layout.addWidget(self.consents)
        layout.addLayout(hbox(self.consent_kind, self.consent_given, self.consent_how,
                              self.consent_date, self.consent_add, self.consent_withdraw))
        self.consents.setMaximumHeight(130)
        self.consent_add.clicked.connect(self._add_consent)
        self.consent_withdraw.clicked.connect(self._withdraw_consent)
        return box

    def _watch(self, widget: QWidget) -> None:
        w.on_edit(widget, self._edited)

    def _edited(self, *_: Any) -> None:
        if not self._loading:
            self.host.mark_dirty()

    # --- data -----------------------------------------------------------------------------

    def show_bundle(self, bundle) -> None:
        record = bundle.record
        if not self.host.has_unsaved_changes():
            self._loading = True
            try:
                self._fill(record.profile)
            finally:
                self._loading = False
        w.fill_table(self.conditions, [
            (c.id, (c.term or c.code or "", c.own_words or "")) for c in record.conditions])
        w.fill_table(self.consents, [
            (c.id, (c.label, "Yes" if c.given else "Declined", format_date(c.recorded_on),
                    CONSENT_HOW.get(c.how or "", c.how or ""), format_date(c.expires_on),
                    format_date(c.withdrawn_on)))
            for c in record.consents])
        editable = record.can_edit
        for widget in (*self.fields.values(), *self.preferences.values()):
            widget.setEnabled(editable)
        for widget in (self.condition_add, self.condition_remove, self.consent_add,
                       self.consent_withdraw):
            widget.setEnabled(editable)

    def _fill(self, profile) -> None:
        for key, widget in self.fields.items():
            value = profile.get(key)
            w.set_value(widget, format_nhs_number(value) if key == "nhs_number" else value)
        prefs = profile.get("contact_preferences") or {}
        for key, box in self.preferences.items():
            box.setChecked(bool(prefs.get(key)))
        self.problems.clear()

    def values(self) -> dict[str, Any]:
        """Every field as the core expects it (the core works out what changed)."""
        out: dict[str, Any] = {key: w.value_of(widget) for key, widget in self.fields.items()}
        bundle = self.bundle
        old = bundle.record.profile.get("contact_preferences") if bundle else None
        chosen = {k: box.isChecked() for k, box in self.preferences.items()}
        # Keep what the screen does not show (e.g. "best time to call"); None stays None.
        out["contact_preferences"] = {**(old or {}), **chosen} if old or any(chosen.values()) \
            else None
        return out

    def show_problems(self, problems: dict[str, str]) -> None:
        w.show_message(self.problems, " ".join(problems.values()), "error")
        for key, widget in self.fields.items():
            widget.setStyleSheet("border: 2px solid #b71c1c;" if key in problems else "")
        first = next((self.fields[k] for k in problems if k in self.fields), None)
        if first is not None:
            first.setFocus()

    def clear_problems(self) -> None:
        self.problems.clear()
        for widget in self.fields.values():
            widget.setStyleSheet("")

    # --- conditions and consents ------------------------------------------------------------

    def _add_condition(self) -> None:
        actor, pid = self.actor, self.host.person_id
        code, words = self.condition_code.currentData(), self.condition_words.text()
        self.submit(lambda job: add_condition(job.caseload, actor, pid, code, words),
                    "Condition added", {"people"}, after=lambda _: self.condition_words.clear())

    def _remove_condition(self) -> None:
        self.submit_for_selected(
            self.conditions,
            "condition",
            remove_condition,
            translate("record.profile_tab", "Condition removed"),
            {"people"},
        )

    @w.stops_at_a_bad_date
    def _add_consent(self) -> None:
        actor, pid = self.actor, self.host.person_id
        kind, how = self.consent_kind.currentData(), self.consent_how.currentData()
        given = self.consent_given.currentData() == "yes"
        day = w.get_date(self.consent_date)
        self.submit(lambda job: add_consent(job.caseload, actor, pid, kind, given=given,
                                            recorded_on=day, how=how),
                    "Consent recorded", {"people"})

    def _withdraw_consent(self) -> None:
        self.submit_for_selected(
            self.consents,
            "consent",
            withdraw_consent,
            translate("record.profile_tab", "Consent withdrawn"),
            {"people"},
        )
