"""One set of domain rules for the screens and the importer (issue 12, import).

The rules live in ``linkworker.rules``; these tests drive the same rule through a screen's
service and through an import of a real file into a real encrypted caseload.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from test_import_apply import TODAY, run, write

from linkworker import rules
from linkworker.access import SYSTEM
from linkworker.errors import UserError
from linkworker.models import Measure, Person
from linkworker.validation import InvalidValue, normalise_nhs_number
from linkworker.wellbeing.measures import record_measure

SWEMWBS = ",".join(f"Q{n}" for n in range(1, 8))


@pytest.fixture
def journey(caseload, tmp_path):
    """Ann, with one journey referred on 05/01/2026."""
    run(caseload, write(tmp_path / "p.csv", "Client ID,First name,Surname,DOB,NHS No\n"
                                           "C1,Ann,Lee,01/02/1950,9434765919\n"
                                           "C2,Bob,Hall,02/03/1960,\n"), "people")
    run(caseload, write(tmp_path / "e.csv", "Client ID,Referral date\nC1,05/01/2026\n"
                                           "C2,05/01/2026\n"), "episodes")
    return caseload


def test_rules_are_pure_and_say_which_field_breaks():
    assert rules.not_in_future("agreed_date", "agreed", dt.date(2026, 3, 2), TODAY) == [
        rules.Broken("agreed_date", "The agreed date 02/03/2026 is in the future.")]
    assert rules.contact_date(dt.date(2026, 1, 1), "attended", TODAY,
                              referral=dt.date(2026, 1, 5))[0].field == "contact_date"
    assert rules.one_complete_form("SWEMWBS", "other", "Other", dt.date(2026, 1, 1)) == []
    with pytest.raises(UserError, match="already belongs to LW-000001"):
        rules.enforce(rules.nhs_number_free("9434765919", "LW-000001"))


def test_a_second_complete_baseline_is_refused_by_the_form_and_by_the_import(journey,
                                                                             tmp_path):
    forms = write(tmp_path / "m.csv", f"Client ID,Measure,Date,Timepoint,{SWEMWBS}\n"
                  "C1,SWEMWBS,12/01/2026,baseline,2,2,2,2,2,2,2\n")
    assert run(journey, forms, "measures").applied
    second = write(tmp_path / "m2.csv", f"Client ID,Measure,Date,Timepoint,{SWEMWBS}\n"
                   "C1,SWEMWBS,19/01/2026,baseline,3,3,3,3,3,3,3\n")
    report = run(journey, second, "measures")
    message = ("This journey already has a complete SWEMWBS for Baseline (dated 12/01/2026). "
               "Record this one as 'other', or correct that form.")
    assert [(p.row, p.reason) for p in report.problems] == [(2, message)]
    with journey.reading() as s:
        person = s.execute(select(Person.id).where(Person.external_ref == "C1")).scalar_one()
        episode = s.execute(select(Measure.episode_id)).scalar_one()
    with pytest.raises(UserError) as refused:
        record_measure(journey, SYSTEM, person, episode, "SWEMWBS", "baseline",
                       dt.date(2026, 1, 19), "with_worker", [3] * 7, today=TODAY)
    assert str(refused.value) == message  # the very same rule, word for word
    with journey.reading() as s:
        assert s.execute(select(func.count()).select_from(Measure)).scalar_one() == 1


def test_two_baselines_in_one_file_are_refused(journey, tmp_path):
    forms = write(tmp_path / "m.csv", f"Client ID,Measure,Date,Timepoint,{SWEMWBS}\n"
                  "C1,SWEMWBS,12/01/2026,baseline,2,2,2,2,2,2,2\n"
                  "C1,SWEMWBS,13/01/2026,baseline,2,2,2,2,2,2,3\n")
    report = run(journey, forms, "measures")
    assert [p.row for p in report.problems] == [3] and not report.applied


def test_contacts_and_goals_before_the_referral_are_refused_as_on_the_screens(journey,
                                                                              tmp_path):
    contacts = write(tmp_path / "c.csv", "Client ID,Date,Attended\nC1,01/01/2026,yes\n")
    report = run(journey, contacts, "contacts")
    assert report.problems[0].reason == "01/01/2026 is before the referral (05/01/2026)."
    goals = write(tmp_path / "g.csv", "Client ID,Goal,Date agreed\nC1,Walk more,02/01/2026\n")
    report = run(journey, goals, "goals")
    assert report.problems[0].reason == ("The agreed date 02/01/2026 is before the referral "
                                         "(05/01/2026).")


def test_nhs_numbers_stay_unique_when_an_update_gives_one_to_someone_else(journey, tmp_path):
    update = write(tmp_path / "p2.csv", "Client ID,First name,Surname,DOB,NHS No\n"
                                        "C2,Bob,Hall,02/03/1960,9434765919\n")
    report = run(journey, update, "people")
    assert [(p.row, p.column, p.reason) for p in report.problems] == [
        (2, "NHS No", "NHS number 9434765919 already belongs to LW-000001: is this the same "
                      "person?")]
    with journey.reading() as s:
        holders = s.execute(select(func.count()).select_from(Person).where(
            Person.nhs_number == "9434765919")).scalar_one()
    assert holders == 1


def test_non_ascii_digits_are_not_an_nhs_number(journey, tmp_path):
    arabic = "٩٤٣٤٧٦٥٩١٩"  # 9434765919 in Arabic-Indic digits
    with pytest.raises(InvalidValue):
        normalise_nhs_number(arabic)
    path = write(tmp_path / "p3.csv", f"First name,Surname,NHS No\nCy,Moss,{arabic}\n")
    assert run(journey, path, "people").problems[0].column == "NHS No"


def test_a_file_without_client_ids_matches_people_by_nhs_number_or_name_and_birth(journey,
                                                                                  tmp_path):
    path = write(tmp_path / "noref.csv", "First name,Surname,DOB,NHS No,Postcode\n"
                                        "Ann,Lee,01/02/1950,9434765919,NE1 4ST\n"
                                        "Bob,Hall,02/03/1960,,NE2 1AA\n")
    report = run(journey, path, "people")
    assert not report.problems and report.plan.counts == {"new": 0, "updated": 2,
                                                          "unchanged": 0}
    with journey.reading() as s:
        assert s.execute(select(func.count()).select_from(Person)).scalar_one() == 2
        assert sorted(s.execute(select(Person.postcode)).scalars()) == ["NE1 4ST", "NE2 1AA"]


def test_a_form_dated_before_the_persons_birth_is_refused_as_on_the_form(journey, tmp_path):
    forms = write(tmp_path / "m.csv", f"Client ID,Measure,Date,Timepoint,{SWEMWBS}\n"
                  "C1,SWEMWBS,12/01/1949,other,2,2,2,2,2,2,2\n")
    report = run(journey, forms, "measures")
    assert [p.reason for p in report.problems] == [
        "The form's date 12/01/1949 is before their birth."]
