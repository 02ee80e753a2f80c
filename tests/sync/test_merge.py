"""Merging field by field: different fields both survive, the same field is a conflict."""

from __future__ import annotations

from linkworker import models
from tests.sync.conftest import add_person, edit, open_conflicts, read, send


def test_edits_to_different_fields_of_one_record_both_survive(replicas):
    a, b, _ = replicas
    person_id = add_person(a)
    send(a, b)
    edit(a, models.Person, person_id, town="Leeds")
    edit(b, models.Person, person_id, phone="0113 496 0000")
    send(a, b)
    send(b, a)
    for replica in (a, b):
        assert read(replica, models.Person, person_id, "town", "phone") == (
            "Leeds", "0113 496 0000")
    assert open_conflicts(a) == [] and open_conflicts(b) == []


def test_same_field_on_two_laptops_is_one_conflict_on_each_and_the_values_agree(replicas):
    a, b, _ = replicas
    person_id = add_person(a)
    send(a, b)
    episode_id = read(a, models.Person, person_id, "current_episode_id")[0]
    edit(a, models.Episode, episode_id, what_matters="Getting out more")
    edit(b, models.Episode, episode_id, what_matters="My garden")
    send(a, b)
    send(b, a)
    send(a, b)  # again: nothing more happens
    shown = {read(r, models.Episode, episode_id, "what_matters") for r in (a, b)}
    assert len(shown) == 1
    for replica in (a, b):
        (conflict,) = open_conflicts(replica)
        assert conflict.field == "what_matters" and len(conflict.heads) == 2


def test_editing_a_conflicted_field_resolves_it_everywhere(replicas):
    a, b, _ = replicas
    person_id = add_person(a)
    send(a, b)
    edit(a, models.Person, person_id, given_name="Anne")
    edit(b, models.Person, person_id, given_name="Annie")
    send(a, b)
    send(b, a)
    edit(a, models.Person, person_id, given_name="Anna")
    send(a, b)
    assert open_conflicts(a) == [] and open_conflicts(b) == []
    assert read(b, models.Person, person_id, "given_name") == ("Anna",)


def test_the_same_value_typed_on_both_laptops_is_no_conflict(replicas):
    a, b, _ = replicas
    person_id = add_person(a)
    send(a, b)
    edit(a, models.Person, person_id, postcode="LS1 4AP")
    edit(b, models.Person, person_id, postcode="LS1 4AP")
    send(a, b)
    send(b, a)
    assert open_conflicts(a) == [] and open_conflicts(b) == []


def test_directory_edits_are_last_writer_wins_without_a_conflict(replicas):
    a, b, _ = replicas
    with a.transaction() as s:
        service = models.Service(name="Lunch club", category="social")
        s.add(service)
        s.flush()
        service_id = service.id
    send(a, b)
    edit(a, models.Service, service_id, times="Tuesdays")
    edit(b, models.Service, service_id, times="Thursdays")
    send(a, b)
    send(b, a)
    assert read(a, models.Service, service_id, "times") == read(b, models.Service, service_id,
                                                                 "times")
    assert open_conflicts(a) == []


def test_a_change_that_arrives_before_its_record_waits_then_applies(replicas):
    a, b, _ = replicas
    person_id = add_person(a)
    edit(a, models.Person, person_id, town="Leeds")
    from tests.sync.conftest import all_changes

    changes = all_changes(a)
    later = [c for c in changes if c["op"] == "update"]
    with b.engine.begin() as conn:
        from linkworker.sync import merge

        report = merge.receive(conn, later)
    assert report.applied == 0 and report.waiting == len(later)
    send(a, b)
    assert read(b, models.Person, person_id, "town") == ("Leeds",)


def test_an_optional_link_that_arrives_before_its_record_is_filled_in_later(replicas):
    from linkworker.sync import merge
    from tests.sync.conftest import all_changes

    a, b, _ = replicas
    person_id = add_person(a)
    episode_id = read(a, models.Person, person_id, "current_episode_id")[0]
    changes = all_changes(a)
    people_first = [c for c in changes if c["table_name"] == "people"]
    with b.engine.begin() as conn:
        merge.receive(conn, people_first)
    assert read(b, models.Person, person_id, "current_episode_id") == (None,)
    send(a, b)
    assert read(b, models.Person, person_id, "current_episode_id") == (episode_id,)


def test_statement_updates_are_recorded_so_an_erasure_redaction_travels(replicas):
    import datetime as dt

    from linkworker import audit
    from linkworker.access import Actor

    a, b, _ = replicas
    person_id = add_person(a)
    with a.transaction() as s:  # audit.record checks the account is real and active
        s.add(models.User(id="u1", username="sam", display_name="Sam", role="link_worker"))
    with a.transaction() as s:
        audit.record(s, Actor("u1", "sam", "link_worker"), "person.edit", person_id=person_id,
                     details={"old": "Ann Lee"})
    send(a, b)
    with a.transaction() as s:
        assert audit.redact_person(s, person_id, dt.date(2026, 12, 1)) == 1
    send(a, b)
    with b.reading() as s:
        from sqlalchemy import select

        details = s.scalar(select(models.AuditEvent.details)
                           .where(models.AuditEvent.person_id == person_id))
    assert audit.is_redacted(details)


def test_a_record_deleted_and_made_again_ends_the_same_whatever_the_order(replicas):
    import random

    from linkworker.sync import merge
    from tests.sync.conftest import all_changes

    a, b, c = replicas
    with a.transaction() as s:
        s.add(models.Setting(key="venue.default", value="Library"))
    with a.transaction() as s:
        s.delete(s.get(models.Setting, "venue.default"))
    with a.transaction() as s:
        s.add(models.Setting(key="venue.default", value="Church hall"))
    changes = all_changes(a)
    assert [ch["op"] for ch in changes] == ["insert", "delete", "insert"]
    for target, seed in ((b, 1), (c, 2)):
        shuffled = list(changes)
        random.Random(seed).shuffle(shuffled)
        for change in shuffled:
            with target.engine.begin() as conn:
                merge.receive(conn, [change])
        assert read(target, models.Setting, "venue.default", "value") == ("Church hall",)
