"""What every tab of the record shares: the host (the RecordView) and how work is submitted."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QInputDialog, QTableWidget, QWidget

from linkworker.contacts import WITHDRAW_REASONS
from ui.i18n import translate
from ui.record import widgets as w

if TYPE_CHECKING:
    from ui.record.data import RecordBundle
    from ui.record.view import RecordView


class RecordTab(QWidget):
    """A tab of the person's record. ``show_bundle`` redraws it from a fresh read."""

    def __init__(self, host: RecordView) -> None:
        super().__init__()
        self.host = host
        self.actor = host.actor

    def show_bundle(self, bundle: RecordBundle) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def show_status(self, text: str, kind: str = "info") -> None:
        """In the record's status line (where ``stops_at_a_bad_date`` reports too)."""
        self.host.show_status(text, kind)

    def submit(self, work: Callable[[Any], Any], message: str, changes: Iterable[str],
               after: Callable[[Any], None] | None = None) -> None:
        """Run a core write on the runner; the host shows the outcome in its status line."""
        self.host.submit(work, message, changes, after)

    def submit_for_selected(self, table: QTableWidget, what: str,
                            change: Callable[[Any, Any, str], Any], message: str,
                            changes: Iterable[str]) -> None:
        """Apply ``change(caseload, actor, row id)`` to the row chosen in ``table``; with none
        chosen, ask the worker to select a ``what`` first (nothing runs)."""
        chosen = w.selected_id(table)
        if chosen is None:
            self.host.show_status(
                translate("record.base", "Select a {what} first.").format(what=what), "warning"
            )
            return
        actor = self.actor
        self.submit(lambda job: change(job.caseload, actor, chosen), message, changes)

    def withdraw_selected(self, chosen: str | None, what: str,
                          withdraw: Callable[[Any, Any, str, str], Any],
                          changes: Iterable[str]) -> None:
        """Ask why (from the fixed reasons) and withdraw the chosen ``what`` recorded in error;
        it stays on the record marked withdrawn, and the audit trail keeps the reason."""
        if chosen is None:
            self.host.show_status(
                translate("record.base", "Select a {what} first.").format(what=what), "warning"
            )
            return
        labels = list(WITHDRAW_REASONS.values())
        label, ok = QInputDialog.getItem(
            self,
            translate("record.base", "Withdraw the {what}").format(what=what),
            translate(
                "record.base",
                "Why is this {what} withdrawn? It stays on the record marked "
                '"withdrawn" and no longer counts; the audit trail keeps who did '
                "it and why.",
            ).format(what=what),
            labels,
            0,
            False,
        )
        if not ok:
            return
        reason = next(code for code, text in WITHDRAW_REASONS.items() if text == label)
        actor = self.actor
        self.submit(lambda job: withdraw(job.caseload, actor, chosen, reason),
                    f"{what.capitalize()} withdrawn (the reason is in the audit trail)", changes)

    @property
    def bundle(self) -> RecordBundle | None:
        return self.host.bundle

    @property
    def episode_id(self) -> str | None:
        bundle = self.host.bundle
        current = bundle.record.current if bundle else None
        return current.id if current else None

    @property
    def episode_open(self) -> bool:
        bundle = self.host.bundle
        current = bundle.record.current if bundle else None
        return bool(current and current.is_open)
