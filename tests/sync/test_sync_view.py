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

    review = widget.open_review()  # the status bar's child: deleted with it
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

    review = status.open_review()  # the status bar's child: deleted with it
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


def test_the_status_bar_reads_the_merges_again_only_after_sync_work_and_off_the_writer(
        replicas, qtbot, runner_for, monkeypatch):
    from linkworker.sync import people
    from ui.sync_view import SYNC_TAGS

    caseload = replicas[0]
    keep, other = add_person(caseload, "Ruth", "Okafor"), add_person(caseload, "Ruth", "Okafor")
    meg = Actor(user_id=None, username="meg", role="manager", display_name="Meg")
    counted, real = [], people.count_merges
    monkeypatch.setattr(people, "count_merges",
                        lambda c, actor: counted.append(actor) or real(c, actor))
    runner = runner_for(caseload)
    lanes = []
    for lane in ("run", "read"):
        monkeypatch.setattr(runner, lane, _noting(getattr(runner, lane), lane, lanes))
    widget = SyncStatus(runner, meg)
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: widget.status is not None and len(counted) == 1)
    assert lanes == ["read", "read"] and widget.merges == 0  # the status and the merges
    waiting = widget.status.changes_waiting

    runner.run(lambda job: edit(job.caseload, models.Person, keep, phone="07700 900123"),
               changes=("people",))  # an edit: a change waiting, no merge possible
    qtbot.waitUntil(lambda: widget.status.changes_waiting > waiting)
    qtbot.wait(50)
    assert len(counted) == 1 and lanes == ["read", "read", "run", "read"]

    runner.run(lambda job: people.merge_people(job.caseload, meg, keep, other),
               changes=SYNC_TAGS)  # sync work (the review's, a sync's, a pack's)
    qtbot.waitUntil(lambda: widget.merges == 1)
    assert len(counted) == 2 and lanes[-2:] == ["read", "read"] and "run" not in lanes[-2:]
    assert widget.review.isVisibleTo(widget) and widget.review.text() == "Merges"


def _noting(method, lane: str, lanes: list[str]):
    def noted(*args, **kwargs):
        lanes.append(lane)
        return method(*args, **kwargs)
    return noted


def test_undoing_a_merge_whose_other_person_left_a_workers_laptop_is_refused_in_words(
        replicas, qtbot, runner_for, monkeypatch):
    from linkworker.sync import people, state
    from linkworker.sync.leaving import remove_out_of_scope
    from ui.sync_view import ConflictReview

    caseload = replicas[0]
    with caseload.transaction() as s:
        s.add(models.User(id="u-sam", username="sam", display_name="Sam", role="link_worker"))
    keep, other = add_person(caseload, "Ruth", "Okafor"), add_person(caseload, "Ruth", "Okafor")
    with caseload.transaction() as s:
        for episode in s.query(models.Episode):
            episode.worker_id = "u-sam"
    sam = Actor(user_id="u-sam", username="sam", role="link_worker", display_name="Sam")
    merge_id = people.merge_people(caseload, sam, keep, other)
    with caseload.engine.begin() as conn:  # pushed, and the hub no longer sends the other
        state.put(conn, "hub_pushed_seq", conn.exec_driver_sql(
            "SELECT max(seq) FROM sync_changes").scalar())
        assert remove_out_of_scope(conn, {keep}, set()).removed == 1
    with caseload.reading() as s:
        assert s.get(models.Person, other) is None

    review = ConflictReview(runner_for(caseload), sam)
    qtbot.addWidget(review)
    table = review.merge_table
    qtbot.waitUntil(lambda: table.rowCount() == 1)
    assert table.item(0, 0).text() == merge_id and table.item(0, 5).text() == "No"
    monkeypatch.setattr(review, "confirm_undo", lambda entry: True)
    table.selectRow(0)
    qtbot.waitUntil(review.undo.isEnabled)
    qtbot.mouseClick(review.undo, qtbot_button())
    qtbot.waitUntil(lambda: "not on this laptop" in review.merge_note.text())
    assert "Undo the merge at the hub or on a manager's replica" in review.merge_note.text()
    assert review.undo.isEnabled()  # still not undone: it may be tried again after a sync
    assert table.item(0, 5).text() == "No"
    assert [e.undone_at for e in people.list_merges(caseload, sam)] == [None]
    assert read(caseload, models.Person, keep, "deleted_at") == (None,)


def test_a_closed_review_and_a_deleted_status_bar_read_nothing_more(
        caseload, qtbot, runner_for, monkeypatch):
    """Closing the review deletes it, and a deleted view's connection to the runner ends
    with it: later saves read neither the conflicts nor the status for them, and nothing
    raises (pytest-qt fails the test on an exception in a slot). Opening the review twice
    gives the one review."""
    import shiboken6
    from PySide6.QtWidgets import QMainWindow

    from linkworker.sync import conflicts, service
    from ui.sync_view import SYNC_TAGS

    person = add_person(caseload, "Ruth", "Okafor")
    reads: list[str] = []
    for module, name in ((conflicts, "open_conflicts"), (service, "status")):
        real = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, _real=real, _name=name, **k: (
            reads.append(_name), _real(*a, **k))[1])
    runner = runner_for(caseload)
    meg = Actor(user_id=None, username="meg", role="manager", display_name="Meg")
    window = QMainWindow()
    qtbot.addWidget(window)
    status = SyncStatus(runner, meg, window)
    review = status.open_review()
    assert status.open_review() is review  # open already: brought to the front
    qtbot.waitUntil(lambda: reads.count("open_conflicts") == 1 and "status" in reads)

    def save() -> None:  # busy until the save and every read its change asked for are done
        saved = []
        runner.run(lambda job: edit(job.caseload, models.Person, person, phone="07700 900123"),
                   saved.append, changes=SYNC_TAGS)
        qtbot.waitUntil(lambda: bool(saved) and not runner.is_busy())

    review.close()
    qtbot.waitUntil(lambda: not shiboken6.isValid(review))
    save()
    assert reads.count("open_conflicts") == 1 and reads.count("status") == 2  # the bar's own

    bar_reads = reads.count("status")
    status.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(status))
    save()
    assert reads.count("status") == bar_reads and reads.count("open_conflicts") == 1
