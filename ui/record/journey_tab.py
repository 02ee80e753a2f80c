"""The Journey tab: stage, key dates, the review timeline, what matters, exit and re-referral.

The timeline is drawn from the contract's review schedule (baseline, 3, 6, 12, 18 months by
default), each point shown as done, due, overdue or upcoming, in words (not colour alone).
"""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from linkworker import codes
from linkworker.journey import exit_episode, record_first_meeting
from linkworker.referral import ReferralDetails, refer_existing
from linkworker.validation import format_date
from ui.core_words import core, core_label
from ui.i18n import translate
from ui.record import widgets as w
from ui.record.base import RecordTab
from ui.widgets import form_rows, hbox, scroll_page

STATE_COLOURS = {"done": "#e8f5e9", "due": "#fff8e1", "overdue": "#ffebee", "upcoming": None}


class JourneyTab(RecordTab):
    def __init__(self, host) -> None:  # the RecordView
        super().__init__(host)
        self._loading = False
        self._build()

    def _build(self) -> None:
        inner = QWidget()
        layout = QVBoxLayout(inner)
        self.summary = QLabel()
        self.summary.setAccessibleName(translate("record.journey_tab", "Journey summary"))
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.timeline = w.table(
            translate("record.journey_tab", "Review timeline"),
            (
                translate("record.journey_tab", "Review"),
                translate("record.journey_tab", "Due"),
                translate("record.journey_tab", "Window"),
                translate("record.journey_tab", "Where it stands"),
                translate("record.journey_tab", "Done"),
            ),
        )
        self.timeline.setMaximumHeight(190)
        layout.addWidget(
            QLabel(
                translate("record.journey_tab", "Review timeline (from the contract's schedule):")
            )
        )
        layout.addWidget(self.timeline)

        self.what_matters = w.text_box(
            translate("record.journey_tab", "What matters to the person"), 3
        )
        self.what_matters.textChanged.connect(self._edited)
        caption = QLabel(translate("record.journey_tab", "What &matters to them (in their words):"))
        caption.setBuddy(self.what_matters)
        layout.addWidget(caption)
        layout.addWidget(self.what_matters)

        actions = QHBoxLayout()
        actions.addWidget(self._first_meeting_box())
        actions.addWidget(self._exit_box())
        layout.addLayout(actions)
        layout.addWidget(self._rerefer_box())
        self.history = w.table(
            translate("record.journey_tab", "Journeys"),
            (
                translate("record.journey_tab", "Journey"),
                translate("record.journey_tab", "Referred"),
                translate("record.journey_tab", "Source"),
                translate("record.journey_tab", "Worker"),
                translate("record.journey_tab", "Stage"),
                translate("record.journey_tab", "Ended"),
                translate("record.journey_tab", "Exit reason"),
            ),
        )
        self.history.setMaximumHeight(120)
        layout.addWidget(QLabel(translate("record.journey_tab", "All journeys:")))
        layout.addWidget(self.history)
        layout.addStretch(1)
        scroll_page(self, inner)

    def _first_meeting_box(self) -> QGroupBox:
        self.first_box = QGroupBox(translate("record.journey_tab", "First meeting"))
        self.first_date = w.date_edit(translate("record.journey_tab", "Date of first meeting"))
        self.first_button = w.button(
            translate("record.journey_tab", "Record first meeting"),
            translate("record.journey_tab", "Record first meeting"),
        )
        hbox(self.first_date, self.first_button, parent=self.first_box)
        self.first_button.clicked.connect(self._first_meeting)
        return self.first_box

    def _exit_box(self) -> QGroupBox:
        self.exit_box = QGroupBox(translate("record.journey_tab", "End the journey"))
        self.exit_reason = w.combo(
            translate("record.journey_tab", "Exit reason"),
            codes.EXIT_REASONS,
            blank=translate("record.journey_tab", "Choose a reason"),
        )
        self.exit_date = w.date_edit(translate("record.journey_tab", "Exit date"))
        self.exit_button = w.button(
            translate("record.journey_tab", "E&xit journey"),
            translate("record.journey_tab", "Exit journey"),
        )
        hbox(self.exit_reason, self.exit_date, self.exit_button, parent=self.exit_box)
        self.exit_button.clicked.connect(self._exit)
        return self.exit_box

    def _rerefer_box(self) -> QGroupBox:
        self.rerefer_box = QGroupBox(
            translate("record.journey_tab", "Re-referral: start a new journey for this person")
        )
        form = QFormLayout(self.rerefer_box)
        self.rerefer_date = w.date_edit(translate("record.journey_tab", "New referral date"))
        self.rerefer_source = w.combo(
            translate("record.journey_tab", "Referral source"),
            codes.REFERRAL_SOURCES,
            blank=translate("record.journey_tab", "Choose a source"),
        )
        self.rerefer_reasons = w.check_list(
            translate("record.journey_tab", "Reasons for the new referral"), codes.REFERRAL_REASONS
        )
        self.rerefer_referrer = w.line(translate("record.journey_tab", "Referrer's name"))
        self.rerefer_button = w.button(
            translate("record.journey_tab", "Start new &journey"),
            translate("record.journey_tab", "Start a new journey"),
        )
        form_rows(
            form,
            (
                (translate("record.journey_tab", "Referral date"), self.rerefer_date),
                (translate("record.journey_tab", "Source"), self.rerefer_source),
                (translate("record.journey_tab", "Reasons"), self.rerefer_reasons),
                (translate("record.journey_tab", "Referrer"), self.rerefer_referrer),
                ("", self.rerefer_button),
            ),
        )
        self.rerefer_button.clicked.connect(self._rerefer)
        return self.rerefer_box

    def _edited(self) -> None:
        if not self._loading:
            self.host.mark_dirty()

    # --- data -----------------------------------------------------------------------------

    def show_bundle(self, bundle) -> None:
        record, current = bundle.record, bundle.record.current
        if current is None:
            self.summary.setText(translate("record.journey_tab", "No journey recorded."))
            return
        month = record.journey_month
        lines = [
            translate("record.journey_tab", "<b>{title}</b> - stage: <b>{stage_label}</b>").format(
                title=current.title, stage_label=core(current.stage_label)
            )
            + (
                translate("record.journey_tab", ", month {month} of the journey").format(
                    month=month
                )
                if month
                else ""
            ),
            translate("record.journey_tab", "Referred {referral_date} by {source}").format(
                referral_date=format_date(current.referral_date),
                source=core_label(codes.REFERRAL_SOURCES, current.referral_source)
                or translate("record.journey_tab", "unknown"),
            )
            + (f" ({current.referrer_name})" if current.referrer_name else "")
            + translate("record.journey_tab", ". Reasons: ")
            + ", ".join(core_label(codes.REFERRAL_REASONS, r) for r in current.referral_reasons),
            translate(
                "record.journey_tab",
                "Worker: {worker_name}. Contract: {contract}. Eligibility: {eligibility}",
            ).format(
                worker_name=current.worker_name,
                contract=current.contract_name or translate("record.journey_tab", "none"),
                eligibility=current.eligibility or translate("record.journey_tab", "not checked"),
            )
            + (f" ({current.eligibility_notes})" if current.eligibility_notes else ""),
            translate(
                "record.journey_tab",
                "First contact: {first_contact}. First meeting: {first_meeting}.",
            ).format(
                first_contact=format_date(current.first_contact_date)
                or translate("record.journey_tab", "not yet"),
                first_meeting=format_date(current.first_meeting_date)
                or translate("record.journey_tab", "not yet"),
            )
            + (
                translate("record.journey_tab", " Ended {exit_date}: {reason}.").format(
                    exit_date=format_date(current.exit_date),
                    reason=core_label(codes.EXIT_REASONS, current.exit_reason),
                )
                if current.exit_date
                else ""
            ),
        ]
        self.summary.setText("<br>".join(_escape(line) for line in lines))
        self._show_timeline(bundle, current)
        if not self.host.has_unsaved_changes():
            self._loading = True
            self.what_matters.setPlainText(current.what_matters or "")
            self._loading = False
        can_edit = record.can_edit
        self.first_box.setVisible(current.is_open and current.first_meeting_date is None)
        self.exit_box.setVisible(current.is_open)
        self.rerefer_box.setVisible(not current.is_open)
        for widget in (self.first_button, self.exit_button, self.rerefer_button,
                       self.what_matters):
            widget.setEnabled(can_edit)
        w.fill_table(self.history, [
            (e.id, (str(e.number), format_date(e.referral_date),
                    core_label(codes.REFERRAL_SOURCES, e.referral_source), e.worker_name,
                    core(e.stage_label), format_date(e.exit_date),
                    core_label(codes.EXIT_REASONS, e.exit_reason)))
            for e in reversed(record.episodes)])

    def _show_timeline(self, bundle, current) -> None:
        if current.first_meeting_date is None:
            w.fill_table(self.timeline, [("none", ("The schedule starts at the first meeting",
                                                   "", "", "", ""))])
            return
        w.fill_table(self.timeline, [
            (p.point.timepoint, (p.label, format_date(p.point.due),
                                 f"{format_date(p.point.opens)} to {format_date(p.point.closes)}",
                                 p.state_label,
                                 f"{format_date(p.done_on)} ({p.evidence})" if p.done_on else ""))
            for p in bundle.timeline])
        for row, point in enumerate(bundle.timeline):
            colour = STATE_COLOURS[point.state]
            if colour:
                for col in range(self.timeline.columnCount()):
                    self.timeline.item(row, col).setBackground(QColor(colour))

    def edits(self) -> dict[str, str]:
        return {"what_matters": self.what_matters.toPlainText()}

    # --- actions --------------------------------------------------------------------------

    @w.stops_at_a_bad_date
    def _first_meeting(self) -> None:
        actor, episode, day = self.actor, self.episode_id, w.get_date(self.first_date)

        self.submit(lambda job: record_first_meeting(job.caseload, actor, episode, day),
                    "First meeting recorded: the review schedule has started",
                    {"episodes"})

    @w.stops_at_a_bad_date
    def _exit(self) -> None:
        reason = self.exit_reason.currentData()
        if reason is None:
            self.host.show_status(
                translate("record.journey_tab", "Choose an exit reason first."), "warning"
            )
            self.exit_reason.setFocus()
            return
        actor, episode, day = self.actor, self.episode_id, w.get_date(self.exit_date)

        self.submit(lambda job: exit_episode(job.caseload, actor, episode, reason, day),
                    "Journey ended", {"episodes", "contacts"})

    @w.stops_at_a_bad_date
    def _rerefer(self) -> None:
        details = ReferralDetails(
            referral_date=w.get_date(self.rerefer_date),
            source=self.rerefer_source.currentData() or "",
            reasons=w.checked_codes(self.rerefer_reasons),
            referrer_name=self.rerefer_referrer.text(),
            worker_id=self.actor.user_id if self.actor.role == "link_worker" else None,
            contract_id=self.bundle.record.current.contract_id if self.bundle else None,
        )
        actor, pid = self.actor, self.host.person_id
        self.submit(lambda job: refer_existing(job.caseload, actor, pid, details),
                    "New journey started", {"episodes", "people"})


def _escape(text: str) -> str:
    """Escape user text for a rich-text label, keeping our own <b> markers."""
    from html import escape

    return escape(text).replace("&lt;b&gt;", "<b>").replace("&lt;/b&gt;", "</b>")
