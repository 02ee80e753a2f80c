"""Importing into a real encrypted caseload: all or nothing, idempotent, plans, references."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from linkworker.access import SYSTEM, Actor, PermissionDenied
from linkworker.io import import_file
from linkworker.io.importers import FieldChange
from linkworker.models import (
    AuditEvent,
    Contact,
    Episode,
    Goal,
    Measure,
    Person,
    Service,
    Signpost,
    User,
)

FIXTURES = Path(__file__).parent / "fixtures" / "import"
TODAY = dt.date(2026, 3, 1)


def write(path: Path, text: str) -> Path:
    path.write_text(text.strip() + "\n", encoding="utf-8")
    return path


def count(caseload, model) -> int:
    with caseload.reading() as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def run(caseload, path, kind, **kw):
    return import_file(caseload, SYSTEM, path, kind, today=TODAY, **kw)


PEOPLE_CSV = """
Client ID,First name,Surname,DOB,NHS No,Postcode
C1,Ann,Lee,01/02/1950,9434765919,NE1 4ST
C2,Bob,Hall,02/03/1960,,NE2 1AA
C3,Cal,Reed,03/04/1970,,NE3 3AA
"""


def test_one_bad_row_means_nothing_is_written(caseload, tmp_path):
    path = write(tmp_path / "people.csv", PEOPLE_CSV + "C4,Dee,Bell,31/02/1970,,NE4 7YY\n")
    report = run(caseload, path, "people")
    assert report.blocked and not report.applied
    assert [str(p) for p in report.problems] == [
        "row 5, column 'DOB': '31/02/1970' is not a real date."]
    assert report.plan.counts["new"] == 3  # the plan is still shown
    assert count(caseload, Person) == 0
    assert count(caseload, AuditEvent) == 0
    assert "Nothing was imported" in report.lines()[-1]


def test_good_rows_only_imports_the_rest_and_returns_bad_rows_to_fix(caseload, tmp_path):
    path = write(tmp_path / "people.csv", PEOPLE_CSV + "C4,Dee,Bell,31/02/1970,,NE4 7YY\n")
    report = run(caseload, path, "people", good_rows_only=True)
    assert report.applied and count(caseload, Person) == 3
    assert report.rejects_path == tmp_path / "people-to-fix.csv"
    with report.rejects_path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][1:] == ["Row in original file", "Client ID", "First name", "Surname", "DOB",
                           "NHS No", "Postcode"]
    assert rows[1] == ["DOB: '31/02/1970' is not a real date.", "5", "C4", "Dee", "Bell",
                       "31/02/1970", "", "NE4 7YY"]
    # The user fixes the date in the file they got back and imports it as it is.
    fixed = report.rejects_path.read_text(encoding="utf-8-sig").replace("31/02/1970",
                                                                         "28/02/1970")
    report.rejects_path.write_text(fixed, encoding="utf-8-sig")
    again = run(caseload, report.rejects_path, "people")
    assert again.applied and again.plan.counts == {"new": 1, "updated": 0, "unchanged": 0}
    assert count(caseload, Person) == 4


def test_dry_run_plans_and_writes_nothing(caseload, tmp_path):
    report = run(caseload, write(tmp_path / "p.csv", PEOPLE_CSV), "people", dry_run=True)
    assert report.plan.headline() == "3 new, 0 updates, 0 unchanged"
    assert not report.applied and count(caseload, Person) == 0


def test_reimport_is_idempotent_and_a_changed_cell_is_one_update(caseload, tmp_path):
    path = write(tmp_path / "people.csv", PEOPLE_CSV)
    first = run(caseload, path, "people")
    assert first.plan.counts == {"new": 3, "updated": 0, "unchanged": 0}
    second = run(caseload, path, "people")
    assert second.plan.counts == {"new": 0, "updated": 0, "unchanged": 3}
    assert count(caseload, Person) == 3
    write(path, PEOPLE_CSV.replace("NE2 1AA", "NE2 9ZZ"))
    plan = run(caseload, path, "people", dry_run=True).plan
    assert plan.headline() == "0 new, 1 update, 2 unchanged"
    (change, _), = plan.updates
    assert change.changes == (FieldChange("postcode", "NE2 1AA", "NE2 9ZZ"),)
    assert plan.describe()[1] == "row 3 (C2): postcode 'NE2 1AA' -> 'NE2 9ZZ'"
    run(caseload, path, "people")
    with caseload.reading() as s:
        assert s.execute(select(Person.postcode).where(Person.external_ref == "C2")
                         ).scalar_one() == "NE2 9ZZ"


def test_blank_cells_never_clear_stored_values(caseload, tmp_path):
    path = write(tmp_path / "people.csv", PEOPLE_CSV)
    run(caseload, path, "people")
    write(path, PEOPLE_CSV.replace(",NE1 4ST", ","))
    assert run(caseload, path, "people").plan.counts["unchanged"] == 3


def test_people_without_references_match_on_nhs_number_then_name_and_birth(caseload,
                                                                            tmp_path):
    text = PEOPLE_CSV.replace("C1,", ",").replace("C2,", ",").replace("C3,", ",")
    path = write(tmp_path / "noref.csv", text)
    assert run(caseload, path, "people").plan.counts["new"] == 3
    assert run(caseload, path, "people").plan.counts == {"new": 0, "updated": 0,
                                                         "unchanged": 3}
    # The charity now adds its own references: the same three people get them.
    report = run(caseload, write(path, PEOPLE_CSV), "people")
    assert report.plan.counts == {"new": 0, "updated": 3, "unchanged": 0}
    assert count(caseload, Person) == 3


def test_same_reference_twice_and_shared_nhs_number_are_problems(caseload, tmp_path):
    path = write(tmp_path / "dupes.csv", PEOPLE_CSV + "C1,Ann,Lee,01/02/1950,,NE1 4ST\n"
                                                      "C9,Eve,Moss,01/02/1951,9434765919,\n")
    report = run(caseload, path, "people")
    assert [(p.row, p.reason) for p in report.problems] == [
        (5, "row 2 is the same record."),
        (6, "NHS number 9434765919 already belongs to another row of this file: is this the "
            "same person?"),
    ]


def test_people_get_linkworker_references_and_derived_codes(caseload):
    report = run(caseload, FIXTURES / "people_cp1252.csv", "people")
    assert report.applied and not report.problems
    with caseload.reading() as s:
        rows = s.execute(select(Person).order_by(Person.reference)).scalars().all()
        assert [p.reference for p in rows] == ["LW-000001", "LW-000002", "LW-000003",
                                              "LW-000004"]
        zoe = rows[0]
        assert (zoe.given_name, zoe.family_name, zoe.postcode) == ("Zoë", "Ó Briain", "NE1 4ST")
        assert (zoe.gender, zoe.ethnicity_nhs_code) == ("2", "A")
        assert rows[2].ethnicity == "Prefer not to say" and rows[2].ethnicity_nhs_code == "Z"


def test_one_audit_event_per_import_with_counts_and_no_personal_data(caseload, tmp_path):
    run(caseload, write(tmp_path / "p.csv", PEOPLE_CSV), "people")
    with caseload.reading() as s:
        event, = s.execute(select(AuditEvent.action, AuditEvent.entity, AuditEvent.details))
    assert (event.action, event.entity) == ("import", "people")
    assert event.details == {"kind": "people", "rows": 3, "bad_rows": 0, "new": 3,
                             "updated": 0, "unchanged": 0, "format": "csv"}


def test_only_managers_admins_and_scripts_may_import(caseload, tmp_path):
    worker = Actor(user_id=None, username="w", role="link_worker")
    with pytest.raises(PermissionDenied):
        import_file(caseload, worker, write(tmp_path / "p.csv", PEOPLE_CSV), "people")


# --- the other kinds, referring to people that exist ----------------------------------------


@pytest.fixture
def people(caseload, tmp_path):
    run(caseload, write(tmp_path / "people.csv", PEOPLE_CSV), "people")
    with caseload.transaction() as s:
        s.add(User(username="jo", display_name="Jo Worker", role="link_worker"))
    return caseload


def test_journeys_contacts_goals_signposts_and_measures(people, tmp_path):
    caseload = people
    episodes = write(tmp_path / "episodes.csv", """
Client ID,Referral date,Source,Reason for referral,Link worker,First meeting,Referral ID
C1,05/01/2026,GP surgery,Lonely; money,Jo Worker,12/01/2026,R-1
C2,06/01/2026,self,,jo,,R-2
C9,06/01/2026,self,,jo,,R-3
""")
    report = run(caseload, episodes, "episodes")
    assert [str(p) for p in report.problems] == [
        "row 4, column 'Client ID': there is no person 'C9' in this caseload (import the "
        "people first, or check the reference)."]
    report = run(caseload, episodes, "episodes", good_rows_only=True)
    assert report.plan.counts["new"] == 2
    with caseload.reading() as s:
        first = s.execute(select(Episode).where(Episode.external_ref == "R-1")).scalar_one()
        assert first.referral_reasons == ["loneliness", "money"]
        assert first.referral_source == "gp" and first.number == 1
        assert first.stage in ("active", "review")  # derived from the first meeting
        assert first.next_review_due is not None  # summaries refreshed
        assert s.get(Person, first.person_id).current_episode_id == first.id
    contacts = write(tmp_path / "contacts.csv", """
Client ID,Date,Type,Attended,Notes
C1,12/01/2026,F2F,yes,First meeting at the library
LW-000002,14/01/2026,phone,no answer,
""")
    assert run(caseload, contacts, "contacts").plan.counts["new"] == 2
    assert run(caseload, contacts, "contacts").plan.counts["unchanged"] == 2  # natural key
    with caseload.reading() as s:
        second = s.execute(select(Episode).where(Episode.external_ref == "R-2")).scalar_one()
        assert second.first_contact_date == dt.date(2026, 1, 14)  # filled in from the contact
        assert second.stage == "contacting"
        worker = s.execute(select(Contact.worker_id).where(
            Contact.episode_id == second.id)).scalar_one()
        assert worker == second.worker_id
    goals = write(tmp_path / "goals.csv", """
Client ID,Goal,Category,Date agreed,Status
C1,Join the walking group,Exercise,12/01/2026,open
""")
    assert run(caseload, goals, "goals").applied
    services = write(tmp_path / "services.csv", """
Service,Category,Venue,Last checked
Walk and Talk,Walking,Leazes Park,01/01/2026
""")
    assert run(caseload, services, "services").applied
    signposts = write(tmp_path / "signposts.csv", """
Client ID,Signposted to,Date,Accompanied,Took it up
C1,walk and talk,13/01/2026,yes,no
C1,Knitting Circle,13/01/2026,no,
""")
    report = run(caseload, signposts, "signposts")
    assert "no service 'Knitting Circle' in the directory" in report.problems[0].reason
    report = run(caseload, signposts, "signposts", good_rows_only=True)
    measures = write(tmp_path / "measures.csv", "Client ID,Measure,Date,Timepoint,"
                     + ",".join(f"Q{n}" for n in range(1, 8)) + "\n"
                     "C1,SWEMWBS,12/01/2026,baseline,2,2,2,2,2,2,2\n"
                     "C1,SWEMWBS,12/02/2026,review_3m,4,4,4,4,4,4,4\n")
    assert run(caseload, measures, "measures").plan.counts["new"] == 2
    assert run(caseload, measures, "measures").plan.counts["unchanged"] == 2
    assert (count(caseload, Goal), count(caseload, Service), count(caseload, Signpost),
            count(caseload, Measure)) == (1, 1, 1, 2)
    with caseload.reading() as s:
        values = sorted(s.execute(select(Measure.raw)).scalars())
        assert values == [14, 28]
        first = s.execute(select(Episode).where(Episode.external_ref == "R-1")).scalar_one()
        assert first.latest_change == "improved"


def test_contact_for_a_journey_number_the_person_does_not_have(people, tmp_path):
    path = write(tmp_path / "contacts.csv", "Client ID,Episode number,Date\nC1,3,01/02/2026\n")
    report = run(people, path, "contacts")
    assert report.problems[0].reason == "the person has no journey number 3."


def test_measures_from_a_workbook_with_serial_and_text_dates(caseload):
    run(caseload, FIXTURES / "people_cp1252.csv", "people")
    report = run(caseload, FIXTURES / "measures.xlsx", "measures", good_rows_only=True)
    assert report.plan.counts["new"] == 2
    assert [(p.row, p.column) for p in report.problems] == [(4, "Q1")]
    with caseload.reading() as s:
        forms = s.execute(select(Measure.completed_on, Measure.timepoint, Measure.value)
                          .order_by(Measure.completed_on)).all()
    assert forms == [(dt.date(2023, 3, 15), "baseline", 42.0),
                     (dt.date(2023, 6, 15), "review_3m", 56.0)]
    again = run(caseload, FIXTURES / "measures.xlsx", "measures", good_rows_only=True)
    assert again.plan.counts == {"new": 0, "updated": 0, "unchanged": 2}
