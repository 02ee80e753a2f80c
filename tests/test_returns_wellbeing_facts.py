"""The return's wellbeing summary, made from the forms its rules loaded, against the summary read
from the caseload.

A return no longer reads every form of its contract a second time for the paired-change
summary: it hands ``wellbeing.summaries.build_summary`` the forms ``outcomes.facts`` loaded for
the rules (``returns.build._summary_forms``). Those are read by person, not by journey, so they
hold forms the summary must leave out: forms recorded with no journey (placed in one by date),
forms on journeys outside the contract, incomplete forms, forms after the period, forms of a
deleted person. Hypothesis builds random people, journeys and forms (forms entered at the same
moment on the same day included) and checks both ways give the same summary, person by person.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from linkworker.access import SYSTEM
from linkworker.models import Episode, Measure, Person
from linkworker.outcomes.contract import parse_contract
from linkworker.outcomes.facts import load_facts
from linkworker.outcomes.store import save_contract
from linkworker.returns.build import _context, _summary_forms
from linkworker.storage.database import Caseload
from linkworker.wellbeing.summaries import SummaryFilter, build_summary

START = dt.date(2025, 1, 1)
AS_OF = dt.date(2026, 6, 30)  # the period's end: later forms are not in the summary
NOON = dt.time(12)

_FORM = st.tuples(
    st.sampled_from([0, 1, None]),  # the person's first or second journey, or none recorded
    st.sampled_from(["baseline", "review_3m", "review_6m"]),
    st.integers(0, 600),  # days after START
    st.one_of(st.none(), st.integers(14, 70)),  # None: an incomplete form
    st.booleans(),  # entered at noon exactly (ties with others of that day), or later
)
_PERSON = st.fixed_dictionaries({
    "deleted": st.sampled_from([False, False, False, True]),
    "second_in_contract": st.booleans(),
    "second_referred": st.integers(1, 500),
    "forms": st.lists(_FORM, max_size=6),
})
_made = iter(range(1_000_000))


def _contract(code: str) -> dict:
    return {
        "code": code, "name": "Wellbeing facts", "commissioner": "c", "providers": ["x"],
        "start": START.isoformat(), "end": "2027-12-31",
        "outcomes": [{
            "id": "WB", "name": "WB", "definition": "d", "evidence": "e", "price": 1,
            "rule": {"kind": "measure_change", "instrument": "WEMWBS",
                     "baseline": {"min": -14, "max": 14}, "follow_up": {"min": 150, "max": 240},
                     "min_change": 3},
        }],
    }


def _save(session, contract_id: str, people: list[dict]) -> None:
    for person in people:
        n = next(_made)
        row = Person(reference=f"LW-{n:06d}", given_name="P", family_name=str(n))
        if person["deleted"]:
            row.deleted_at = dt.datetime(2026, 1, 1)
        session.add(row)
        session.flush()
        journeys = [
            Episode(person_id=row.id, number=1, referral_date=START, contract_id=contract_id,
                    first_meeting_date=START + dt.timedelta(days=3)),
            Episode(person_id=row.id, number=2,
                    referral_date=START + dt.timedelta(days=person["second_referred"]),
                    contract_id=contract_id if person["second_in_contract"] else None),
        ]
        session.add_all(journeys)
        session.flush()
        for k, (journey, timepoint, offset, value, at_noon) in enumerate(person["forms"]):
            day = START + dt.timedelta(days=offset)
            session.add(Measure(
                person_id=row.id, episode_id=None if journey is None else journeys[journey].id,
                instrument="WEMWBS", timepoint=timepoint, completed_on=day, value=value,
                raw=value, complete=value is not None,
                created_at=dt.datetime.combine(day, NOON) + dt.timedelta(
                    microseconds=0 if at_noon else k + 1)))


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One caseload for every example: each adds its own contract and people."""
    with Caseload.create(tmp_path_factory.mktemp("wellbeing") / "c.db",
                           "paired forms twice") as caseload:
        yield caseload


def _comparable(summary):
    """The summary without names (the return does not load them, nor show them)."""
    return dataclasses.replace(summary, missing=tuple(
        dataclasses.replace(m, name="") for m in summary.missing))


@settings(max_examples=80, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(people=st.lists(_PERSON, min_size=1, max_size=6))
def test_the_returns_summary_from_its_facts_equals_the_summary_read(shared, people):
    data = _contract(f"WBF{next(_made)}")
    cdef = parse_contract(data)
    with shared.transaction() as s:
        contract = save_contract(s, SYSTEM, data)
        _save(s, contract.id, people)
    wanted = SummaryFilter("WEMWBS", start=START, end=AS_OF, contract_id=contract.id,
                           as_of=AS_OF)
    with shared.reading() as s:
        _ctx, items = _context(s, cdef)
        facts = load_facts(s, contract.id, cdef, today=AS_OF, item_numbers=items)
        from_facts = build_summary(s, SYSTEM, wanted,
                                   forms=_summary_forms(facts, "WEMWBS", AS_OF))
        read = build_summary(s, SYSTEM, wanted)
    assert _comparable(from_facts) == _comparable(read)
