"""The same person referred on two laptops: found at sync, merged keeping everything, undone."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from linkworker import models
from linkworker.access import SYSTEM
from linkworker.sync import people, service
from tests.sync.conftest import add_person
from tests.sync.test_packs import give_team_key


def _contact(caseload, person_id, note):
    with caseload.transaction() as s:
        episode_id = s.scalar(select(models.Episode.id).where(
            models.Episode.person_id == person_id))
        s.add(models.Contact(episode_id=episode_id, contact_date=dt.date(2026, 11, 20), note=note))


def test_same_nhs_number_on_two_laptops_is_offered_merged_and_undone(replicas, tmp_path):
    a, b, _ = replicas
    give_team_key(a, b)
    first = add_person(a, "Margaret", "Jones", nhs_number="9434765919")
    second = add_person(b, "Maggie", "Jones", nhs_number="9434765919", phone="07700 900123")
    _contact(a, first, "Met at the library")
    _contact(b, second, "Phoned about the walking group")
    service.export_pack(b, tmp_path / "b.lwpack")
    report = service.import_pack(a, tmp_path / "b.lwpack")
    (pair,) = report.duplicates
    assert pair.reason == "same NHS number" and {pair.first_id, pair.second_id} == {first, second}

    merge_id = people.merge_people(a, SYSTEM, first, second)
    with a.reading() as s:
        notes = set(s.scalars(select(models.Contact.note).join(models.Episode)
                              .where(models.Episode.person_id == first)))
        kept = s.get(models.Person, first)
        assert notes == {"Met at the library", "Phoned about the walking group"}
        assert kept.phone == "07700 900123"  # an empty field filled from the other record
        assert s.get(models.Person, second).deleted_at is not None
        numbers = sorted(s.scalars(select(models.Episode.number)
                                   .where(models.Episode.person_id == first)))
        assert numbers == [1, 2]
        assert s.scalar(select(models.AuditEvent.username)
                        .where(models.AuditEvent.action == "person.merge")) == "system"
    assert people.all_duplicates(a) == []

    people.undo_merge(a, SYSTEM, merge_id)
    with a.reading() as s:
        assert s.get(models.Person, first).phone is None
        assert s.get(models.Person, second).deleted_at is None
        theirs = set(s.scalars(select(models.Contact.note).join(models.Episode)
                               .where(models.Episode.person_id == second)))
        assert theirs == {"Phoned about the walking group"}


def test_close_name_and_same_birthday_is_a_probable_duplicate_but_a_stranger_is_not(replicas):
    a, _, _ = replicas
    born = dt.date(1948, 3, 9)
    add_person(a, "Jon", "Okafor", date_of_birth=born)
    add_person(a, "John", "Okafor", date_of_birth=born)
    add_person(a, "Grace", "Okafor", date_of_birth=born)
    (pair,) = people.all_duplicates(a)
    assert pair.reason == "close name and same date of birth"
    assert "Grace" not in pair.first_label + pair.second_label


def test_undoing_a_merge_keeps_edits_made_since_to_the_details_it_filled(replicas):
    """Undo takes back what the merge filled in, not what a person typed over it since."""
    a, _, _ = replicas
    first = add_person(a, "Margaret", "Jones", nhs_number="9434765919")
    second = add_person(a, "Maggie", "Jones", nhs_number="9434765919", phone="07700 900123",
                        town="Leeds")
    merge_id = people.merge_people(a, SYSTEM, first, second)
    with a.transaction() as s:
        s.get(models.Person, first).phone = "07700 900999"  # a new number, after the merge
    people.undo_merge(a, SYSTEM, merge_id)
    with a.reading() as s:
        kept = s.get(models.Person, first)
        assert kept.phone == "07700 900999"  # typed since: kept
        assert kept.town is None  # filled by the merge, untouched since: taken back
        assert s.get(models.Person, second).phone == "07700 900123"
