"""The person's record: reading it, saving edits as one transaction, consents, notes."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from linkworker.access import PermissionDenied
from linkworker.conditions import add_condition
from linkworker.consents import add_consent, withdraw_consent
from linkworker.models import AuditEvent, Person
from linkworker.notes import add_note, list_notes
from linkworker.profile import FieldProblems, StaleRecord, update_episode_text, update_person
from linkworker.record import open_record
from tests.record.conftest import TODAY


def test_open_record_reads_the_header_and_audits_the_view(caseload, team, jane):
    record = open_record(caseload, team.worker, jane.person_id, TODAY)
    assert (record.display_name, record.reference, record.age) == ("Jane Doe", "LW-000001", 57)
    assert record.current.worker_name == "Sam Patel"
    assert record.current.stage_label == "Referred"
    assert record.journey_month is None  # no first meeting yet
    assert record.consents_summary == "No consent recorded"
    assert record.conditions[0].text.endswith('"bad chest"')
    with caseload.reading() as s:
        views = s.execute(select(AuditEvent).where(AuditEvent.action == "view_person")).all()
    assert len(views) == 1


def test_only_my_caseload(caseload, team, jane):
    with pytest.raises(PermissionDenied):
        open_record(caseload, team.other_worker, jane.person_id, TODAY)
    assert open_record(caseload, team.manager, jane.person_id, TODAY).id == jane.person_id


def test_update_saves_all_or_nothing_and_audits_each_field(caseload, team, jane):
    record = open_record(caseload, team.worker, jane.person_id, TODAY)
    with pytest.raises(FieldProblems) as caught:
        update_person(caseload, team.worker, jane.person_id,
                      {"preferred_name": "Janey", "postcode": "zzz", "email": "no-at"},
                      record.updated_at)
    assert set(caught.value.problems) == {"postcode", "email"}
    assert open_record(caseload, team.worker, jane.person_id, TODAY).preferred_name is None
    changed = update_person(
        caseload, team.worker, jane.person_id,
        {"preferred_name": "Janey", "postcode": "ne5 2xy", "ethnicity": "Irish",
         "given_name": "Jane"}, record.updated_at)
    assert sorted(changed) == ["ethnicity", "postcode", "preferred_name"]
    with caseload.reading() as s:
        person = s.get(Person, jane.person_id)
        assert (person.postcode, person.ethnicity_nhs_code) == ("NE5 2XY", "B")
        events = s.execute(select(AuditEvent.details).where(AuditEvent.action == "change")).all()
    assert {"field": "postcode", "old": "NE4 5AB", "new": "NE5 2XY"} in [e[0] for e in events]


def test_stale_edit_is_refused(caseload, team, jane):
    seen = open_record(caseload, team.worker, jane.person_id, TODAY)
    update_person(caseload, team.manager, jane.person_id, {"phone": "0191 1"}, seen.updated_at)
    with pytest.raises(StaleRecord):
        update_person(caseload, team.worker, jane.person_id, {"phone": "0191 2"},
                      seen.updated_at)


def test_consents_conditions_notes_and_episode_text(caseload, team, jane):
    consent = add_consent(caseload, team.worker, jane.person_id, "data_processing",
                          recorded_on=dt.date(2026, 1, 12), today=TODAY)
    add_condition(caseload, team.worker, jane.person_id, "asthma", "wheezy")
    record = open_record(caseload, team.worker, jane.person_id, TODAY)
    assert record.consent_in_force and record.consents_summary == "1 in force"
    assert len(record.conditions) == 2
    withdraw_consent(caseload, team.worker, consent, TODAY)
    assert open_record(caseload, team.worker, jane.person_id, TODAY).consents_summary == (
        "No consent in force")
    add_note(caseload, team.worker, jane.person_id, "Prefers mornings", title="Contact")
    notes = list_notes(caseload, team.worker, jane.person_id)
    assert [(n.title, n.body, n.author) for n in notes] == [
        ("Contact", "Prefers mornings", "Sam Patel")]
    update_episode_text(caseload, team.worker, jane.episode_id,
                        {"what_matters": "Getting out of the house"})
    assert open_record(caseload, team.worker, jane.person_id, TODAY).current.what_matters == (
        "Getting out of the house")
