"""The sync corner and the conflict review, driven as a user would."""

from __future__ import annotations

import re

import pytest

from linkworker import models
from linkworker.access import Actor
from tests.sync.conftest import add_person, edit, open_conflicts, read, send
from tests.sync.test_packs import give_team_key
from ui.operations import Runner
from ui.sync_view import SyncStatus


@pytest.fixture
def runner_for(qtbot):
    made = []

    def make(caseload):
        runner = Runner(caseload)
        made.append(runner)
        return runner

    yield make
    for runner in made:
        runner.shutdown()


def test_status_shows_waiting_changes_and_the_review_resolves_a_conflict(
        replicas, qtbot, runner_for, tmp_path):
    a, b, _ = replicas
    give_team_key(a, b)
    person_id = add_person(a)
    send(a, b)
    edit(a, models.Person, person_id, given_name="Anne")
    edit(b, models.Person, person_id, given_name="Annie")
    send(a, b)
    actor = Actor(user_id=None, username="meg", role="manager", display_name="Meg")
    widget = SyncStatus(runner_for(b), actor)
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: "1 to review" in widget.label.text())
    assert "Last synced never" in widget.label.text()
    assert widget.review.isVisibleTo(widget) and widget.button.accessibleName() == "Sync now"

    review = widget.open_review()
    qtbot.addWidget(review)
    qtbot.waitUntil(lambda: review.list.count() == 1 and review.options.rowCount() == 2)
    values = {review.options.item(r, 0).text() for r in range(2)}
    assert values == {"Anne", "Annie"}
    row = next(r for r in range(2) if review.options.item(r, 0).text() == "Annie")
    review.options.selectRow(row)
    qtbot.mouseClick(review.keep, qtbot_button())
    qtbot.waitUntil(lambda: review.list.count() == 0)
    qtbot.waitUntil(lambda: not widget.review.isVisibleTo(widget))
    assert open_conflicts(b) == []
    assert read(b, models.Person, person_id, "given_name") == ("Annie",)

    pack = tmp_path / "venue.lwpack"
    widget.export_pack(str(pack))
    qtbot.waitUntil(lambda: pack.exists())
    qtbot.waitUntil(lambda: "0 changes waiting" in widget.label.text())


def qtbot_button():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_the_review_lists_merges_by_reference_and_undoes_one_from_the_keyboard(
        replicas, qtbot, runner_for, monkeypatch):
    from PySide6.QtCore import Qt

    from linkworker.sync import people

    caseload = replicas[0]
    keep, other = add_person(caseload, "Ruth", "Okafor"), add_person(caseload, "Ruth", "Okafor")
    meg = Actor(user_id=None, username="meg", role="manager", display_name="Meg")
    merge_id = people.merge_people(caseload, meg, keep, other)
    kept, merged = (read(caseload, models.Person, pid, "reference")[0] for pid in (keep, other))
    runner = runner_for(caseload)

    status = SyncStatus(runner, meg)  # no conflicts, but a merge: the review is reachable
    qtbot.addWidget(status)
    qtbot.waitUntil(lambda: status.review.isVisibleTo(status))
    assert status.review.text() == "Merges"
    sam = SyncStatus(runner, Actor(user_id="someone-else", username="sam", role="link_worker"))
    qtbot.addWidget(sam)
    qtbot.waitUntil(lambda: sam.status is not None)
    assert sam.merges == 0 and not sam.review.isVisibleTo(sam)  # not in Sam's caseload

    review = status.open_review()
    qtbot.addWidget(review)
    table = review.merge_table
    qtbot.waitUntil(lambda: table.rowCount() == 1)
    row = [table.item(0, c).text() for c in range(table.columnCount())]
    assert row[0] == merge_id and row[2:] == ["meg", kept, merged, "No"]
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", row[1])
    assert not any("Ruth" in text or "Okafor" in text for text in row)  # never names
    assert table.accessibleName() == "Merges of two people"
    assert review.undo.accessibleName() == "Undo the selected merge"
    assert not review.undo.isEnabled()  # nothing chosen yet

    asked = []
    monkeypatch.setattr(review, "confirm_undo", lambda entry: asked.append(entry) or True)
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Space)  # keyboard only: choose the merge, then Alt+U
    qtbot.waitUntil(review.undo.isEnabled)
    qtbot.keyClick(review, Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: table.rowCount() == 1
                    and table.item(0, 5).text().startswith("Yes, "))
    assert [e.merge_id for e in asked] == [merge_id]
    assert table.item(0, 5).text().endswith(" by meg")
    assert read(caseload, models.Person, other, "deleted_at") == (None,)  # back as a person
    (entry,) = people.list_merges(caseload, meg)
    assert entry.undone_by == "meg"
    table.selectRow(0)
    assert not review.undo.isEnabled()  # undone already
