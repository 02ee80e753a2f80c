"""Repairing a caseload whose edits were saved but never logged (issue 14's tracking bug)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from linkworker import models
from linkworker.access import Actor, PermissionDenied
from linkworker.sync import repair, service
from linkworker.sync.changelog import CHANGES
from tests.sync.conftest import add_person, all_changes, read
from tests.sync.test_packs import give_team_key


def _user(caseload, username: str, role: str) -> Actor:
    with caseload.transaction() as s:
        user = models.User(username=username, display_name=username.title(), role=role)
        s.add(user)
        s.flush()
        return Actor(user.id, username, role)


def _caseload_with_history(a):
    """A person with a condition and a contact, all logged as they were made."""
    person_id = add_person(a, given="Ruth", town="Leeds")
    with a.transaction() as s:
        episode_id = s.scalar(select(models.Episode.id).where(
            models.Episode.person_id == person_id))
        condition = models.Condition(person_id=person_id, own_words="bad chest")
        contact = models.Contact(episode_id=episode_id, contact_date=dt.date(2026, 11, 3),
                                 note="Met at the library", duration_minutes=30)
        s.add_all([condition, contact])
        s.add(models.Setting(key="org.name", value={"name": "Wellbeing Trust"}))
        s.flush()
        return person_id, episode_id, condition.id, contact.id


def _untracked_edits(a, person_id, episode_id, condition_id, contact_id) -> str:
    """Edits as the bug made them: an ORM session with no change tracking (a plain
    ``Session``, which is what a caseload's session was when its listeners went missing)."""
    with Session(a.engine) as s, s.begin():
        s.get(models.Person, person_id).town = "Wakefield"
        s.get(models.Contact, contact_id).note = "Met at the library; joined the walk"
        s.delete(s.get(models.Condition, condition_id))
        late = models.Contact(episode_id=episode_id, contact_date=dt.date(2026, 11, 10),
                              note="Phoned")
        s.add(late)
        s.flush()
        return late.id


def test_edits_saved_without_a_log_are_found_recorded_and_reach_another_replica(
        replicas, tmp_path):
    a, b, _ = replicas
    give_team_key(a, b)
    meg = _user(a, "meg", "manager")
    person_id, episode_id, condition_id, contact_id = _caseload_with_history(a)
    service.export_pack(a, tmp_path / "before.lwpack")
    service.import_pack(b, tmp_path / "before.lwpack")
    late_id = _untracked_edits(a, person_id, episode_id, condition_id, contact_id)
    assert service.export_pack(a, tmp_path / "lost.lwpack").changes == 1  # only the new row

    found = repair.repair(a, meg, dry_run=True)
    assert found.records == {"people": 1, "contacts": 1, "conditions": 1}
    assert found.never_logged == 0  # the pack above logged the new contact
    assert repair.repair(a, meg, dry_run=True).records == found.records  # changed nothing

    done = repair.repair(a, meg)
    assert done.records == found.records and done.changes == 3
    with a.engine.connect() as conn:
        made = conn.execute(select(CHANGES).where(CHANGES.c.change_id.between(
            done.first, done.last))).all()
        device = conn.execute(select(models.SyncState.value).where(
            models.SyncState.key == "device_id")).scalar()
    assert {(c.table_name, c.op) for c in made} == {
        ("people", "update"), ("contacts", "update"), ("conditions", "delete")}
    assert {c.user_id for c in made} == {meg.user_id} and {c.device_id for c in made} == {device}
    people_change = next(c for c in made if c.table_name == "people")
    assert people_change.data["town"] == "Wakefield" and "given_name" not in people_change.data
    with a.reading() as s:
        event = s.scalar(select(models.AuditEvent).where(
            models.AuditEvent.action == "sync.repair"))
        assert event.username == "meg" and event.details["changes"] == 3
        assert "Wakefield" not in str(event.details)  # counts and change ids, never values

    service.export_pack(a, tmp_path / "repaired.lwpack")
    service.import_pack(b, tmp_path / "lost.lwpack")
    service.import_pack(b, tmp_path / "repaired.lwpack")
    assert read(b, models.Person, person_id, "town") == ("Wakefield",)
    assert read(b, models.Contact, contact_id, "note") == ("Met at the library; joined the walk",)
    assert read(b, models.Contact, late_id, "note") == ("Phoned",)
    with b.reading() as s:
        assert s.get(models.Condition, condition_id) is None
    assert repair.repair(a, meg).total == 0  # repaired once, nothing left
    assert repair.repair(b, Actor(None, "system", "system"), dry_run=True).total == 0


def test_a_clean_caseload_repairs_nothing(replicas, tmp_path):
    a, b, _ = replicas
    give_team_key(a, b)
    meg = _user(a, "meg", "manager")
    person_id, *_ = _caseload_with_history(a)
    add_person(a, given="Zoë", family="O’Neill")  # logged escaped ("\u00eb"): the same value
    with a.transaction() as s:
        s.get(models.Person, person_id).contact_preferences = {"phone": True, "post": False}
    service.export_pack(a, tmp_path / "p.lwpack")
    service.import_pack(b, tmp_path / "p.lwpack")
    before = len(all_changes(a))
    report = repair.repair(a, meg)
    assert report.total == 0 and report.changes == 0
    assert len(all_changes(a)) == before + 1  # only the audit event of the repair
    assert repair.repair(b, meg, dry_run=True).total == 0  # a replica that received it all


def test_a_worker_cannot_repair_reference_data_and_nothing_is_changed(replicas):
    a, _, _ = replicas
    sam = _user(a, "sam", "link_worker")
    _caseload_with_history(a)
    with Session(a.engine) as s, s.begin():
        s.get(models.Setting, "org.name").value = {"name": "Renamed untracked"}
    before = len(all_changes(a))
    with pytest.raises(PermissionDenied, match="settings, which only a user with the role admin"):
        repair.repair(a, sam)
    assert len(all_changes(a)) == before
