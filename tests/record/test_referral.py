"""Referral intake: validation, eligibility warnings, duplicates, re-referral, references."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from linkworker import referral
from linkworker.access import PermissionDenied
from linkworker.errors import UserError
from linkworker.models import AuditEvent, Condition, Episode, Person
from linkworker.referral import (
    ELIGIBLE,
    INELIGIBLE,
    UNCHECKED,
    Assessment,
    Duplicate,
    DuplicateFound,
    Intake,
    assess,
    names_similar,
    refer_existing,
    save_referral,
    typo_distance,
)
from tests.record.conftest import TODAY, details


def test_saving_creates_person_and_first_journey(caseload, team, jane):
    assert jane.reference == "LW-000001"
    assert jane.eligibility.status == ELIGIBLE
    with caseload.reading() as s:
        person = s.get(Person, jane.person_id)
        assert (person.postcode, person.nhs_number) == ("NE4 5AB", "9434765919")
        episode = s.get(Episode, jane.episode_id)
        assert (episode.number, episode.stage, episode.eligibility) == (1, "referred", ELIGIBLE)
        assert episode.referral_reasons == ["loneliness", "long_term_condition"]
        assert person.current_episode_id == episode.id
        cond = s.execute(select(Condition)).scalar_one()
        assert (cond.code, cond.own_words) == ("copd", "bad chest")
        actions = s.execute(select(AuditEvent.action)).scalars().all()
    assert "person.create" in actions and "journey.start" in actions


def test_references_count_up(caseload, team, jane):
    second = save_referral(caseload, team.worker, details(
        team, given_name="Bob", family_name="Smith", nhs_number="", date_of_birth=None),
        today=TODAY)
    assert second.reference == "LW-000002"


def test_problems_are_named_by_field_and_nothing_is_saved(caseload, team):
    bad = details(team, nhs_number="9434765918", postcode="nowhere", given_name=" ",
                  reasons=(), referral_date=TODAY + dt.timedelta(days=1))
    found = assess(caseload, team.worker, bad, TODAY)
    assert set(found.problems) == {"nhs_number", "postcode", "given_name", "reasons",
                                   "referral_date"}
    assert "check digit" in found.problems["nhs_number"]
    with pytest.raises(UserError, match="Not saved"):
        save_referral(caseload, team.worker, bad, today=TODAY)
    with caseload.reading() as s:
        assert s.execute(select(Person)).first() is None


def test_eligibility_is_a_warning_with_reasons(caseload, team):
    young = details(team, date_of_birth=dt.date(2000, 1, 1), postcode="SW1A 1AA",
                    conditions=((None, "sore knees"),))
    found = assess(caseload, team.worker, young, TODAY)
    assert found.ok and found.eligibility.status == INELIGIBLE
    warning = found.eligibility.warning
    assert "aged 26" in warning and "SW1A" in warning and "conditions" in warning
    assert "still save" in warning
    saved = save_referral(caseload, team.worker, young, today=TODAY)
    with caseload.reading() as s:
        assert s.get(Episode, saved.episode_id).eligibility == INELIGIBLE


def test_contract_conditions_match_codes_and_own_words(caseload, team):
    diabetes = details(team, conditions=(("diabetes_type2", ""),))
    assert assess(caseload, team.worker, diabetes, TODAY).eligibility.status == ELIGIBLE
    missing = details(team, conditions=(), date_of_birth=None)
    result = assess(caseload, team.worker, missing, TODAY).eligibility
    assert result.status == UNCHECKED and "no date of birth" in result.reasons


def test_no_contract_means_unchecked(caseload, team):
    found = assess(caseload, team.worker, details(team, contract_id=None), TODAY)
    assert found.eligibility.status == UNCHECKED


@pytest.mark.parametrize(("a", "b", "same"), [
    (("Jane", "Doe"), ("jane", "DOE"), True),
    (("Zoë", "Brontë"), ("Zoe", "Bronte"), True),
    (("Jane", "Thompson"), ("J", "Thomspon"), True),  # transposed letters, same initial
    (("Jane", "Thompson"), ("Jane", "Thompsen"), True),
    (("Jane", "Doe"), ("Doe", "Jane"), True),  # given and family swapped
    (("Jane", "Doe"), ("Mary", "Doe"), False),
    (("Jane", "Doe"), ("Jane", "Dee"), False),  # short names must match exactly
    (("Jane", "Thompson"), ("Jane", "Thomas"), False),
])
def test_similar_names(a, b, same):
    assert names_similar(*a, *b) is same


def test_typo_distance():
    assert typo_distance("thompson", "thomspon") == 1
    assert typo_distance("abc", "abc") == 0
    assert typo_distance("kitten", "sitting") == 3


def test_duplicate_by_nhs_number_and_by_similar_name(caseload, team, jane):
    by_nhs = assess(caseload, team.worker, details(team, given_name="Janet", family_name="Roe"),
                    TODAY)
    assert [(d.reference, d.why) for d in by_nhs.duplicates] == [("LW-000001", "same NHS number")]
    by_name = assess(caseload, team.worker,
                     details(team, given_name="jane", family_name="Doe ", nhs_number=""), TODAY)
    assert by_name.duplicates[0].why == "similar name, same date of birth"
    assert by_name.duplicates[0].has_open_journey
    other_day = assess(caseload, team.worker, details(
        team, nhs_number="", date_of_birth=dt.date(1968, 5, 15)), TODAY)
    assert other_day.duplicates == ()
    with pytest.raises(DuplicateFound):
        save_referral(caseload, team.worker, details(team, nhs_number=""), today=TODAY)
    twin = save_referral(caseload, team.worker, details(team, nhs_number=""),
                         allow_duplicates=True, today=TODAY)
    assert twin.reference == "LW-000002"


def test_re_referral_needs_the_last_journey_closed(caseload, team, jane):
    with pytest.raises(UserError, match="already has an open journey"):
        refer_existing(caseload, team.worker, jane.person_id, details(team), today=TODAY)
    from linkworker.journey import exit_episode

    with caseload.transaction() as s:
        exit_episode(s, team.worker, jane.episode_id, "moved", dt.date(2026, 2, 1), TODAY)
    # Another worker may not open a former client's history by re-referring them (issue 13):
    with pytest.raises(PermissionDenied):
        refer_existing(caseload, team.other_worker, jane.person_id,
                       details(team, referral_date=dt.date(2026, 3, 1), source="self"),
                       today=TODAY)
    again = refer_existing(caseload, team.manager, jane.person_id,
                           details(team, referral_date=dt.date(2026, 3, 1), source="self",
                                   worker_id=team.other_worker.user_id), today=TODAY)
    assert again.episode_number == 2 and again.reference == jane.reference
    with caseload.reading() as s:
        person = s.get(Person, jane.person_id)
        assert person.current_episode_id == again.episode_id
        assert len(person.conditions) == 1  # the same condition is not added twice


def test_intake_state_machine(caseload, team, jane):
    intake = Intake()
    intake.edit(details(team, nhs_number="123"))
    assert intake.assessed(assess(caseload, team.worker, intake.details, TODAY)) == "details"
    intake.edit(details(team))
    assert intake.assessed(assess(caseload, team.worker, intake.details, TODAY)) == "duplicates"
    with pytest.raises(UserError):
        intake.open_existing("someone-else")
    intake.open_existing(jane.person_id)
    assert intake.step == "existing"
    intake.back()
    intake.assessed(assess(caseload, team.worker, intake.details, TODAY))
    intake.different_person()
    assert intake.step == "ready" and intake.allow_duplicates
    intake.edit(details(team, phone="0191 000 0000"))
    assert not intake.allow_duplicates  # new details: the decision must be made again


def test_saving_checks_the_details_once_inside_its_transaction(caseload, team, monkeypatch):
    checks = []
    real = referral.assess
    monkeypatch.setattr(referral, "assess", lambda *a, **k: checks.append(1) or real(*a, **k))
    saved = referral.submit_referral(caseload, team.worker, details(team), today=TODAY)
    assert isinstance(saved, referral.SavedReferral) and len(checks) == 1
    again = referral.submit_referral(caseload, team.worker, details(team), today=TODAY)
    assert isinstance(again, referral.Assessment) and again.duplicates  # nothing saved
    assert len(checks) == 2
    with caseload.reading() as s:
        assert len(s.execute(select(Person)).scalars().all()) == 1


def test_a_different_person_decision_lasts_only_while_the_details_stay_the_same(team):
    intake = Intake()
    first = details(team)
    intake.edit(first)
    someone = Duplicate("p-1", "LW-000001", "Jane Doe", None, "same NHS number", False, False)
    intake.assessed(Assessment(duplicates=(someone,)))
    intake.different_person()
    assert intake.saving(first) is True
    assert intake.saving(details(team, given_name="Janet")) is False
