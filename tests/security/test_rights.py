"""Data rights: subject access complete, erasure keeps returns reproducible, retention, consent."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from test_returns_caseload import AS_OF_Q3, build_caseload

from linkworker import audit, rights, settings
from linkworker.access import PermissionDenied
from linkworker.errors import UserError
from linkworker.models import (
    AuditEvent,
    Condition,
    Consent,
    Contact,
    Episode,
    Goal,
    GoalStep,
    Measure,
    MeasureAnswer,
    Note,
    Person,
    Signpost,
    UnmetNeed,
)
from linkworker.returns.build import build_return
from linkworker.returns.export import render
from linkworker.returns.submit import submit_return

D = dt.date
SECRET_WORDS = ("Margaret", "Okonkwo", "4857773456", "NE4 5AB", "07700 900123",
                "my bad chest", "walk to the park", "sister Ann")


def make_person(session, actor, ref="LW-000001", exit_date=None, referral=D(2026, 1, 5)):
    person = Person(reference=ref, given_name="Margaret", family_name="Okonkwo",
                    date_of_birth=D(1958, 6, 14), nhs_number="4857773456", postcode="NE4 5AB",
                    phone="07700 900123", email="m.okonkwo@example.org", gender="2",
                    ethnicity="African")
    session.add(person)
    session.flush()
    episode = Episode(person_id=person.id, referral_date=referral, referral_source="gp",
                      what_matters="Being able to walk to the park", exit_date=exit_date,
                      stage="exited" if exit_date else "active", referrer_name="Dr Jones")
    session.add_all([
        episode,
        Condition(person_id=person.id, code="copd", own_words="my bad chest"),
        Consent(person_id=person.id, kind="data_processing", recorded_on=referral),
        Consent(person_id=person.id, kind="contact_by_text", recorded_on=referral,
                expires_on=D(2026, 6, 30)),
        Note(person_id=person.id, written_on=referral, body="Ring my sister Ann first"),
    ])
    session.flush()
    goal = Goal(episode_id=episode.id, own_words="Walk to the park twice a week",
                category="activity", agreed_date=referral)
    measure = Measure(person_id=person.id, episode_id=episode.id, instrument="SWEMWBS",
                      completed_on=referral, raw=21, value=20.73)
    session.add_all([
        goal, measure,
        Contact(episode_id=episode.id, contact_date=referral, note="Talked about the park"),
        Signpost(episode_id=episode.id, signposted_on=referral, note="walk to the park group"),
        UnmetNeed(episode_id=episode.id, recorded_on=referral, category="transport",
                  description="No bus to the park"),
    ])
    session.flush()
    session.add_all([GoalStep(goal_id=goal.id, description="Buy shoes to walk to the park"),
                     MeasureAnswer(measure_id=measure.id, item=1, answer=3)])
    audit.record(session, actor, "change", entity="person", entity_id=person.id,
                 person_id=person.id, details={"field": "postcode", "old": "NE1 1AA",
                                               "new": "NE4 5AB"})
    return person.id


@pytest.fixture
def margaret(caseload, actor_admin):
    with caseload.transaction() as s:
        return make_person(s, actor_admin)


def test_subject_access_is_complete(caseload, margaret, actor_manager, actor_coordinator,
                                    tmp_path):
    with pytest.raises(PermissionDenied):
        rights.subject_access(caseload, actor_coordinator, margaret, tmp_path)
    files = rights.subject_access(caseload, actor_manager, margaret, tmp_path / "sar",
                                  made_on=D(2026, 3, 1))
    assert files.folder.name == "LW-000001-subject-access-20260301"
    doc = json.loads(files.json.read_text("utf-8"))
    sections = doc["sections"]
    counts = {name: len(rows) for name, rows in sections.items()}
    assert counts == {"person": 1, "conditions": 1, "consents": 2, "journeys": 1, "contacts": 1,
                      "goals": 1, "goal_steps": 1, "goal_reviews": 0, "signposts": 1,
                      "unmet_needs": 1, "notes": 1, "measures": 1, "measure_answers": 1,
                      "claims": 0, "external_results": 0, "given_to": 0, "audit_events": 1}
    assert sections["person"][0]["nhs_number"] == "4857773456"
    assert sections["audit_events"][0]["details"]["old"] == "NE1 1AA"
    with (files.folder / "LW-000001-contacts.csv").open(encoding="utf-8-sig") as handle:
        assert next(csv.DictReader(handle))["note"] == "Talked about the park"
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(files.pdf).pages).split())
    for expected in ("Your record", "Okonkwo", "my bad chest", "Walk to the park twice",
                     "Contact me by text message", "Who looked at or changed your record",
                     "changed your record"):
        assert expected in text, expected
    with caseload.reading() as s:
        event = s.execute(select(AuditEvent).where(AuditEvent.action == "subject_access")
                          ).scalar_one()
        assert event.person_id == margaret


def test_erasure_removes_identity_and_own_words_but_keeps_counts(caseload, margaret,
                                                                 actor_admin, actor_manager):
    with pytest.raises(PermissionDenied):
        rights.anonymise(caseload, actor_manager, margaret, "request")
    with pytest.raises(UserError):
        rights.anonymise(caseload, actor_admin, margaret, "  ")
    report = rights.anonymise(caseload, actor_admin, margaret, "request by letter",
                              on=D(2026, 4, 1))
    assert report.notes_deleted == 1 and report.audit_events_redacted == 1
    with caseload.reading() as s:
        person = s.get(Person, margaret)
        assert person.anonymised_at and person.deleted_at
        assert person.date_of_birth == D(1958, 1, 1) and person.gender == "2"
        assert s.execute(select(Measure.value)).scalar_one() == 20.73
        assert s.execute(select(Goal.category)).scalar_one() == "activity"
        dump = repr([s.execute(select(t)).all() for t in (
            Person.__table__, Condition.__table__, Episode.__table__, Contact.__table__,
            Goal.__table__, GoalStep.__table__, Signpost.__table__, UnmetNeed.__table__,
            Note.__table__, AuditEvent.__table__)])
        assert audit.verify_chain(s).ok
    for secret in SECRET_WORDS + ("NE1 1AA",):
        assert secret not in dump, secret
    with pytest.raises(UserError):
        rights.anonymise(caseload, actor_admin, margaret, "again")


def test_erasure_keeps_submitted_returns_reproducible(caseload, actor_manager, actor_admin):
    with caseload.transaction() as s:
        _, builder = build_caseload(s, actor_manager)
        submit_return(s, actor_manager, "TEST-SIB", "2026-Q3", as_of=AS_OF_Q3)
    with caseload.transaction() as s:
        first = build_return(s, actor_manager, "TEST-SIB", "2026-Q3", as_of=AS_OF_Q3)
    exports = {suffix: render(first, suffix) for suffix in (".xlsx", ".csv", ".json")}
    rights.anonymise(caseload, actor_admin, builder.people["P1"], "request")
    with caseload.transaction() as s:
        again = build_return(s, actor_manager, "TEST-SIB", "2026-Q3", as_of=AS_OF_Q3)
    assert again == first
    for suffix, data in exports.items():
        assert render(again, suffix) == data, suffix


def test_retention_finds_and_anonymises_only_long_finished_people(caseload, actor_admin):
    with caseload.transaction() as s:
        old = make_person(s, actor_admin, "LW-000001", exit_date=D(2017, 3, 1),
                          referral=D(2016, 1, 4))
        recent = make_person(s, actor_admin, "LW-000002", exit_date=D(2019, 3, 1),
                             referral=D(2018, 1, 4))
        make_person(s, actor_admin, "LW-000003", referral=D(2010, 1, 4))  # still open
    due = rights.retention_due(caseload, actor_admin, as_of=D(2026, 3, 2))
    assert [(c.person_id, c.last_activity) for c in due] == [(old, D(2017, 3, 1))]
    settings.update(caseload, actor_admin, {settings.RETENTION_YEARS: 6})
    done = rights.apply_retention(caseload, actor_admin, as_of=D(2026, 3, 2))
    assert sorted(r.person_id for r in done) == sorted([old, recent])
    assert rights.retention_due(caseload, actor_admin, as_of=D(2026, 3, 2)) == []


def test_missing_consents_honour_expiry_and_withdrawal(caseload, margaret):
    with caseload.transaction() as s:
        assert rights.missing_consents(s, margaret, "keep_record", D(2026, 2, 1)) == []
        assert rights.missing_consents(s, margaret, "contact_by_text", D(2026, 2, 1)) == []
        assert rights.missing_consents(s, margaret, "contact_by_text", D(2026, 7, 1)) == [
            "contact_by_text"]
        assert rights.missing_consents(s, margaret, "share_outcomes", D(2026, 2, 1)) == [
            "share_with_commissioner"]
        assert "funder" in rights.consent_warning(s, margaret, "share_outcomes", D(2026, 2, 1))
        consent = s.execute(select(Consent).where(Consent.kind == "data_processing")).scalar_one()
        consent.withdrawn_on = D(2026, 2, 10)
        assert rights.missing_consents(s, margaret, "keep_record", D(2026, 2, 10)) == [
            "data_processing"]
        with pytest.raises(KeyError):
            rights.missing_consents(s, margaret, "fly_to_the_moon")
