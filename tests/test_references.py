"""Person references: one spelling (``LW-000123``), one numbering, whoever creates the person."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from linkworker.access import Actor
from linkworker.demo import generate
from linkworker.models import Person, User
from linkworker.person import format_reference, next_reference
from linkworker.referral import ReferralDetails, save_referral

TODAY = dt.date(2026, 11, 20)
READABLE = re.compile(r"LW-\d{6}")


def _referral(caseload, actor: Actor, name: str):
    details = ReferralDetails(given_name=name, family_name="Newcomer", referral_date=TODAY,
                              source="gp", postcode="NE4 5AB", reasons=("loneliness",))
    return save_referral(caseload, actor, details, today=TODAY)


def _manager(caseload) -> Actor:
    with caseload.transaction() as s:
        user = User(username="boss", display_name="Boss", role="manager")
        s.add(user)
        s.flush()
        return Actor(user.id, user.username, user.role)


def test_one_spelling():
    assert format_reference(1) == "LW-000001"
    assert format_reference(123456) == "LW-123456"


def test_empty_caseload_starts_at_one(caseload):
    with caseload.reading() as s:
        assert next_reference(s) == "LW-000001"


def test_old_demo_references_still_count(caseload):
    """A caseload from before references were unified mixes LW000123 and LW-000123."""
    with caseload.transaction() as s:
        for ref in ("LW000007", "LW-000003", "LW000002", "R1", "LWX9"):
            s.add(Person(reference=ref, given_name="Old", family_name="Reference"))
    saved = _referral(caseload, _manager(caseload), "Fresh")
    assert saved.reference == "LW-000008"
    with caseload.reading() as s:
        assert next_reference(s) == "LW-000009"


def test_demo_and_referrals_number_people_the_same_way(caseload):
    generate(caseload, people=4, seed=3, today=TODAY)
    with caseload.reading() as s:
        demo_refs = sorted(s.execute(select(Person.reference)).scalars())
    assert demo_refs == [format_reference(n) for n in range(1, 5)]
    saved = _referral(caseload, _manager(caseload), "After")
    assert READABLE.fullmatch(saved.reference) and saved.reference == "LW-000005"
    # more demo people after a real referral carry on from the highest number, no clash
    generate(caseload, people=2, seed=3, today=TODAY, add=True)
    with caseload.reading() as s:
        refs = list(s.execute(select(Person.reference)).scalars())
    assert sorted(refs) == [format_reference(n) for n in range(1, 8)]


def test_an_import_numbers_new_people_around_the_references_it_brings(caseload, tmp_path):
    from linkworker.access import SYSTEM
    from linkworker.io import import_file

    with caseload.transaction() as s:
        s.add(Person(reference="LW000001", given_name="Old", family_name="Demo"))
    path = tmp_path / "people.csv"
    path.write_text("lw_reference,First name,Surname\n"
                    ",Ann,Lee\n"
                    "LW-000002,Bob,Hall\n"
                    ",Cal,Reed\n", encoding="utf-8")
    report = import_file(caseload, SYSTEM, path, "people", today=TODAY)
    assert report.applied, [str(p) for p in report.problems]
    with caseload.reading() as s:
        refs = dict(s.execute(select(Person.given_name, Person.reference)).all())
    assert refs == {"Old": "LW000001", "Ann": "LW-000003", "Bob": "LW-000002",
                    "Cal": "LW-000004"}
