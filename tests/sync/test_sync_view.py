"""The sync corner and the conflict review, driven as a user would."""

from __future__ import annotations

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
