"""Changes are recorded as they are made, in the same transaction, per record and field."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from linkworker import audit, models
from linkworker.access import Actor
from linkworker.sync import clock
from linkworker.sync.changelog import CHANGES
from tests.sync.conftest import add_person, all_changes, edit


def test_insert_then_update_records_only_the_changed_fields_with_their_bases(replicas):
    laptop = replicas[0]
    person_id = add_person(laptop)
    edit(laptop, models.Person, person_id, town="Leeds", phone="0113 496 0000")
    changes = [c for c in all_changes(laptop) if c["table_name"] == "people"]
    insert, *updates = changes
    assert insert["op"] == "insert" and insert["data"]["given_name"] == "Ann"
    assert insert["person_id"] == person_id
    last = updates[-1]
    assert last["op"] == "update"
    assert last["data"] == {"phone": "0113 496 0000", "town": "Leeds"}
    assert last["bases"] == {"phone": [insert["change_id"]], "town": [insert["change_id"]]}


def test_change_ids_are_clock_ordered_and_name_the_device(replicas):
    laptop = replicas[0]
    add_person(laptop)
    add_person(laptop)
    ids = [c["change_id"] for c in all_changes(laptop)]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    devices = {clock.Stamp.parse(i).device for i in ids}
    assert len(devices) == 1


def test_a_rolled_back_action_leaves_no_change_behind(replicas):
    laptop = replicas[0]
    with pytest.raises(RuntimeError), laptop.transaction() as s:
        s.add(models.Service(name="Walking group", category="activity"))
        s.flush()
        raise RuntimeError("the user's action failed half way")
    assert all_changes(laptop) == []


def test_the_user_is_taken_from_the_audit_event_of_the_same_action(replicas):
    laptop = replicas[0]
    worker = Actor(user_id="u-1", username="sam", role="link_worker")
    with laptop.transaction() as s:  # audit.record checks the account is real and active
        s.add(models.User(id="u-1", username="sam", display_name="Sam", role="link_worker"))
    with laptop.transaction() as s:
        service = models.Service(name="Lunch club", category="social")
        s.add(service)
        s.flush()  # the change is recorded before the audit event names the user
        audit.record(s, worker, "service.add", entity="services", entity_id=service.id)
    users = {c["table_name"]: c["user_id"] for c in all_changes(laptop)
             if c["table_name"] != "users"}
    assert users == {"services": "u-1", "audit_events": "u-1"}


def test_child_records_know_their_person(replicas):
    laptop = replicas[0]
    person_id = add_person(laptop)
    with laptop.transaction() as s:
        episode_id = s.scalar(select(models.Episode.id))
        goal = models.Goal(episode_id=episode_id, own_words="Walk to the shop",
                           agreed_date=dt.date(2026, 11, 3))
        s.add(goal)
        s.flush()
        s.add(models.GoalStep(goal_id=goal.id, description="Buy shoes"))
    with laptop.engine.connect() as conn:
        owners = dict(conn.execute(select(CHANGES.c.table_name, CHANGES.c.person_id)).all())
    assert owners["goal_steps"] == person_id and owners["goals"] == person_id


def test_clock_moves_past_what_it_has_seen():
    seen = clock.Stamp(2_000_000_000_000, 5, "b" * 32)
    mine = clock.witness(clock.Stamp(1_000, 0, "a" * 32), seen, "a" * 32)
    after = clock.tick(mine, "a" * 32, wall_ms=1_500)
    assert after > seen and str(after) > str(seen)


def test_a_caseload_opened_again_in_the_same_process_records_its_changes(tmp_path):
    """Issue 14's lost edits: a caseload opened after others were closed and collected must
    record its changes too. The tracking used to be registered per opening and skipped when
    SQLAlchemy's event registry "already" held it: a key made from the id() of a collected
    session class, which a new one can reuse. Then that opening's edits were saved but never
    entered the change log, so no sync ever sent them (the convergence property's rare
    failure). 30 openings, each collected before the next: the old code missed several in
    every run.
    """
    import gc

    from linkworker.storage.database import Caseload
    from tests.conftest import TEST_PASSPHRASE

    first = Caseload.create(tmp_path / "laptop.db", TEST_PASSPHRASE)
    person_id = add_person(first)
    engine = first.engine
    unrecorded = []
    for n in range(30):
        caseload = Caseload(first.path, engine)  # what every open does, without the key work
        edit(caseload, models.Person, person_id, town=f"Town {n}")
        last = [c for c in all_changes(caseload) if c["table_name"] == "people"][-1]
        if last["data"] != {"town": f"Town {n}"}:
            unrecorded.append(n)
        del caseload
        gc.collect(1)  # its session class (a cycle) is freed: its address can be reused
    first.close()
    assert unrecorded == []
