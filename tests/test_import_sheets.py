"""What charities' own sheets hold, imported as they are (issue 12, import): attendance words,
first meetings in date order, fixed values, goals' words and achieved dates, and a people sheet
that carries the referral too."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select
from test_import_apply import run, write

from linkworker.io.mapping import ColumnMapping, guess_mapping, load_mapping, save_mapping
from linkworker.models import Contact, Contract, Episode, Goal, Person


@pytest.fixture
def journey(caseload, tmp_path):
    run(caseload, write(tmp_path / "p.csv", "Client ID,First name,Surname,DOB\n"
                                           "C1,Ann,Lee,01/02/1950\n"), "people")
    run(caseload, write(tmp_path / "e.csv", "Client ID,Referral date\nC1,05/01/2026\n"),
        "episodes")
    return caseload


@pytest.mark.parametrize(("word", "status"), [
    ("no", "did_not_attend"), ("No", "did_not_attend"), ("DNA", "did_not_attend"),
    ("did not attend", "did_not_attend"), ("Didn't attend", "did_not_attend"),
    ("cancelled", "cancelled"), ("Cancelled by client", "cancelled"), ("yes", "attended"),
    ("Attended", "attended"), ("Y", "attended")])
def test_the_words_people_use_for_attendance(journey, tmp_path, word, status):
    path = write(tmp_path / "c.csv", f"Client ID,Date,Attended\nC1,12/01/2026,{word}\n")
    report = run(journey, path, "contacts")
    assert report.applied and not report.problems
    with journey.reading() as s:
        assert s.execute(select(Contact.status)).scalar_one() == status


def test_first_meeting_is_the_earliest_attended_contact_not_the_first_in_the_file(journey,
                                                                                 tmp_path):
    path = write(tmp_path / "c.csv", "Client ID,Date,Attended,Purpose\n"
                                     "C1,01/03/2026,yes,Support session\n"
                                     "C1,10/01/2026,yes,Support session\n"
                                     "C1,08/01/2026,no,Support session\n")
    assert run(journey, path, "contacts").applied
    with journey.reading() as s:
        episode = s.execute(select(Episode)).scalar_one()
        assert episode.first_meeting_date == dt.date(2026, 1, 10)
        assert episode.first_contact_date == dt.date(2026, 1, 8)


def _contract(caseload, code="IOC-1"):
    with caseload.transaction() as s:
        s.add(Contract(code=code, name="Ways to Wellbeing", definition={}, pseudonym_key="00"))


def test_a_mapping_gives_every_journey_a_contract_and_none_gets_a_warning(caseload, tmp_path):
    _contract(caseload)
    run(caseload, write(tmp_path / "p.csv", "Client ID,First name,Surname\nC1,Ann,Lee\n"
                                           "C2,Bob,Hall\n"), "people")
    path = write(tmp_path / "e.csv", "Client ID,Referral date\nC1,05/01/2026\nC2,06/01/2026\n")
    plain = run(caseload, path, "episodes", dry_run=True)
    assert any(n.startswith("Warning: 2 new journeys have no contract (rows 2, 3)")
               for n in plain.lines())
    mapping = guess_mapping("episodes", ["Client ID", "Referral date"])
    mapping.set_fixed("contract", "IOC-1")
    saved = save_mapping(mapping, tmp_path / "journeys.mapping.json")
    assert json.loads(saved.read_text())["fixed"] == {"contract": "IOC-1"}
    report = run(caseload, path, "episodes", mapping=saved)
    assert report.applied and not any("Warning" in n for n in report.lines())
    assert "Contract = 'IOC-1' for every row" in report.lines()[1]
    with caseload.reading() as s:
        contract = s.execute(select(Contract.id)).scalar_one()
        assert set(s.execute(select(Episode.contract_id)).scalars()) == {contract}


def test_a_fixed_value_that_is_not_a_contract_names_the_problem(caseload, tmp_path):
    run(caseload, write(tmp_path / "p.csv", "Client ID,First name,Surname\nC1,Ann,Lee\n"),
        "people")
    mapping = ColumnMapping("episodes", {"Client ID": "person", "Referral date":
                                         "referral_date"}, {"contract": "NOPE"})
    report = run(caseload, write(tmp_path / "e.csv", "Client ID,Referral date\n"
                                                     "C1,05/01/2026\n"), "episodes",
                 mapping=mapping)
    assert str(report.problems[0]) == ("row 2, column '(fixed value for every row)': there is "
                                       "no contract 'NOPE' in this caseload.")
    with pytest.raises(Exception, match="not a field of a episodes import"):
        mapping.set_fixed("colour", "blue")
    assert load_mapping(save_mapping(mapping, tmp_path / "m.json")).fixed == {
        "contract": "NOPE"}


def test_goals_text_synonyms_achieved_dates_and_what_is_not_imported(journey, tmp_path):
    path = write(tmp_path / "g.csv", """
Client ID,Text,Category,Date agreed,Achieved_date,Worker's private notes
C1,Walk to the shop,Physical activity,12/01/2026,20/02/2026,x
C1,Meet people,social isolation,12/01/2026,,y
C1,Sort out my money,Finances,12/01/2026,,
""")
    report = run(journey, path, "goals")
    assert report.applied and not report.problems
    lines = report.lines()
    assert "'Text' -> Goal (own words)" in lines[1] and "'Achieved_date' -> Date achieved" in \
        lines[1]
    assert lines[2].startswith("Not imported: 'Worker's private notes' (no field of goals has "
                               "that name")
    with journey.reading() as s:
        goals = {g.own_words: (g.category, g.status, g.status_date)
                 for g in s.execute(select(Goal)).scalars()}
    assert goals == {
        "Walk to the shop": ("physical_health", "achieved", dt.date(2026, 2, 20)),
        "Meet people": ("social_connection", "open", None),
        "Sort out my money": ("money_debt", "open", None)}


def test_an_achieved_date_with_another_status_is_a_problem(journey, tmp_path):
    path = write(tmp_path / "g.csv", "Client ID,Goal,Date agreed,Status,Date achieved\n"
                                     "C1,Walk,12/01/2026,dropped,20/02/2026\n")
    assert "the status is 'Dropped'" in run(journey, path, "goals").problems[0].reason


PEOPLE_AND_REFERRALS = """
Client ID,First name,Surname,DOB,Referral date,Referred by
C1,Ann,Lee,01/02/1950,05/01/2026,GP
C2,Bob,Hall,02/03/1960,06/01/2026,Age UK
C3,Cal,Reed,03/04/1970,,
"""


def test_a_people_sheet_with_referral_columns_creates_people_and_journeys(caseload, tmp_path):
    path = write(tmp_path / "people.csv", PEOPLE_AND_REFERRALS)
    report = run(caseload, path, "people")
    assert report.applied and not report.problems
    assert report.journeys is not None and report.journeys.headline() == (
        "2 new, 0 updates, 0 unchanged")
    assert any(n.startswith("Referral source 'Age UK' is not in LinkWorker's list: recorded "
                            "as 'Another service'") for n in report.lines())
    with caseload.reading() as s:
        rows = s.execute(select(Person.external_ref, Episode.referral_date,
                                Episode.referral_source, Episode.referrer_organisation)
                         .join(Episode, Episode.person_id == Person.id)
                         .order_by(Person.external_ref)).all()
        assert rows == [("C1", dt.date(2026, 1, 5), "gp", None),
                        ("C2", dt.date(2026, 1, 6), "other_service", "Age UK")]
        assert s.execute(select(Person.current_episode_id).where(
            Person.external_ref == "C2")).scalar_one() is not None
    again = run(caseload, path, "people")  # the same sheet again changes nothing
    assert again.journeys.headline() == "0 new, 0 updates, 2 unchanged"


def test_a_bad_referral_date_is_a_bad_row_and_nothing_is_written(caseload, tmp_path):
    path = write(tmp_path / "people.csv", PEOPLE_AND_REFERRALS.replace("06/01/2026",
                                                                       "31/02/2026"))
    report = run(caseload, path, "people")
    assert [str(p) for p in report.problems] == [
        "row 3, column 'Referral date': '31/02/2026' is not a real date."]
    assert not report.applied
    with caseload.reading() as s:
        assert s.execute(select(Person.id)).first() is None
        assert s.execute(select(Episode.id)).first() is None
    fixed = run(caseload, path, "people", good_rows_only=True)
    assert fixed.applied and fixed.journeys.headline() == "1 new, 0 updates, 0 unchanged"


def test_a_mapping_file_says_what_a_charitys_own_referral_sources_are(caseload, tmp_path):
    path = write(tmp_path / "people.csv", PEOPLE_AND_REFERRALS)
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps({"kind": "people", "columns": {}, "values": {
        "referral_source": {"age uk": "Peer or community group"}}}), encoding="utf-8")
    report = run(caseload, path, "people", mapping=mapping)
    assert report.applied and not any("Age UK" in n for n in report.notes)
    with caseload.reading() as s:
        assert s.execute(select(Episode.referral_source, Episode.referrer_organisation).where(
            Episode.referrer_organisation.is_not(None))).one() == ("peer", "Age UK")


def test_referral_columns_without_a_referral_date_are_not_dropped_silently(caseload, tmp_path):
    path = write(tmp_path / "people.csv", "First name,Surname,Referred by\nAnn,Lee,GP\n")
    with pytest.raises(Exception, match="no column was recognised for Referral date"):
        run(caseload, path, "people")
