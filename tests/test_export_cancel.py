"""The app's export can be cancelled: a Cancel button (named, reachable from the keyboard)
stops it promptly and leaves nothing behind, and the app says so. A real small caseload, a
real runner and real widgets; the export is held part way through a table by the test."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton
from sqlalchemy import select
from test_export_roundtrip import build

from linkworker.access import SYSTEM
from linkworker.io import export_rows
from linkworker.models import AuditEvent


def test_cancel_stops_the_export_and_leaves_nothing_behind(qtbot, runner, caseload, tmp_path,
                                                           monkeypatch):
    from ui.io.export_dialog import export_everything

    build(caseload)
    held, release = threading.Event(), threading.Event()
    rows = export_rows._rows

    def held_rows(*args):  # each table's first batch waits
        for batch in rows(*args):
            held.set()
            release.wait(30)
            yield batch

    monkeypatch.setattr(export_rows, "_rows", held_rows)
    told: list[tuple[str, str]] = []

    def close_the_box() -> None:
        box = QApplication.activeModalWidget()
        if box is not None and box.windowTitle().startswith("Export"):
            told.append((box.windowTitle(), box.text()))
            box.accept()
        else:
            QTimer.singleShot(50, close_the_box)

    folder = tmp_path / "exports" / "everything"
    folder.parent.mkdir()
    try:
        export_everything(None, runner, SYSTEM, folder)
        qtbot.waitUntil(held.is_set)  # written so far: a CSV, a sheet, scratch files
        assert any(folder.parent.iterdir())
        dialog = next(w for w in QApplication.topLevelWidgets()
                      if isinstance(w, QProgressDialog) and w.objectName() == "export_progress")
        button = dialog.findChild(QPushButton, "cancel_export")
        assert button.accessibleName() == "Cancel the export" and button.isEnabled()
        assert button.focusPolicy() & Qt.FocusPolicy.TabFocus
        QTimer.singleShot(50, close_the_box)
        qtbot.keyClick(button, Qt.Key.Key_Space)  # the keyboard reaches it
        qtbot.waitUntil(lambda: "Cancelling" in dialog.labelText())
        assert not button.isEnabled()
    finally:
        release.set()
    qtbot.waitUntil(lambda: bool(told))
    assert told == [("Export cancelled", f"The export was cancelled. Nothing was written to "
                                         f"{folder}.")]
    qtbot.waitUntil(lambda: not runner.is_busy())
    assert list(folder.parent.iterdir()) == []  # no folder, no hidden .part folder, no scratch
    with caseload.reading() as s:
        assert not s.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()

