"""The return's fast loading against the rule's plain definition, on random caseloads.

``outcomes.facts`` reads each journey's attended contacts once and keeps only those inside the
longest engagement window of any anchor (plus the first and the future ones). A speed change
there could silently drop a contact a rule needs, and with it a claim. So hypothesis builds
random journeys (referral and first-meeting dates, attended and other contacts, some after
today), saves them in a real caseload, and checks that the engine's engagement achievements
and future-contact list equal the definition worked out from the generated data alone: count
the attended contacts within ``within_days`` of the anchor (referral, the recorded first
meeting or else the first attended contact, the first attended contact); the K-th one's date is
the achievement's.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from linkworker.access import SYSTEM
from linkworker.models import Contact, Episode, Person
from linkworker.outcomes.contract import parse_contract
from linkworker.outcomes.facts import load_facts
from linkworker.outcomes.kinds import achievements
from linkworker.outcomes.rules import RuleContext
from linkworker.outcomes.store import save_contract
from linkworker.storage.database import Caseload

TODAY = dt.date(2026, 6, 1)
START = dt.date(2026, 1, 1)
ANCHORS = ("referral", "first_meeting", "first_attended_contact")

_CONTACT = st.tuples(st.integers(-60, 160), st.sampled_from(
    ["attended", "attended", "attended", "planned", "cancelled", "no_show"]))
_JOURNEY = st.fixed_dictionaries({
    "referral": st.integers(0, 120),
    "first_meeting": st.one_of(st.none(), st.integers(0, 150)),
    "contacts": st.lists(_CONTACT, max_size=8),
})
_OUTCOMES = st.tuples(*(st.tuples(st.just(anchor), st.integers(0, 90), st.integers(1, 4))
                        for anchor in ANCHORS))
_made = iter(range(1_000_000))  # contract codes and references, unique in the shared caseload


def _contract(code: str, outcomes: list[tuple[str, int, int]]) -> dict:
    return {
        "code": code, "name": "Fast facts", "commissioner": "c", "providers": ["x"],
        "start": "2025-01-01", "end": "2027-12-31",
        "outcomes": [{
            "id": f"E{n}", "name": f"E{n}", "definition": "d", "evidence": "e", "price": 1,
            "rule": {"kind": "engagement", "from": anchor, "within_days": days,
                     "contacts": k},
        } for n, (anchor, days, k) in enumerate(outcomes)],
    }


def _save(session, contract_id: str, journeys: list[dict]) -> dict[str, dict]:
    """The journeys as the app stores them; returns {journey id: its generated data}."""
    saved = {}
    for journey in journeys:
        n = next(_made)
        person = Person(reference=f"LW-{n:06d}", given_name="P", family_name=str(n))
        session.add(person)
        session.flush()
        referral = START + dt.timedelta(days=journey["referral"])
        meeting = journey["first_meeting"]
        episode = Episode(person_id=person.id, number=1, referral_date=referral,
                          contract_id=contract_id, first_meeting_date=None if meeting is None
                          else START + dt.timedelta(days=meeting))
        session.add(episode)
        session.flush()
        for offset, status in journey["contacts"]:
            session.add(Contact(episode_id=episode.id, status=status,
                                contact_date=referral + dt.timedelta(days=offset)))
        saved[episode.id] = {"referral": referral, "meeting": episode.first_meeting_date,
                             "contacts": [(referral + dt.timedelta(days=o), s)
                                          for o, s in journey["contacts"]]}
    return saved


def _definition(anchor: str, within: int, k: int, journey: dict) -> dt.date | None:
    """The engagement rule read straight off the generated journey."""
    attended = sorted(day for day, status in journey["contacts"] if status == "attended")
    first = attended[0] if attended else None
    start = {"referral": journey["referral"], "first_meeting": journey["meeting"] or first,
             "first_attended_contact": first}[anchor]
    if start is None:
        return None
    counted = [day for day in attended if 0 <= (day - start).days <= within]
    return counted[k - 1] if len(counted) >= k else None


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One caseload for every example: each adds its own contract and journeys."""
    with Caseload.create(tmp_path_factory.mktemp("fast") / "c.db", "fast facts") as caseload:
        yield caseload


@settings(max_examples=150, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(journeys=st.lists(_JOURNEY, min_size=1, max_size=8), outcomes=_OUTCOMES)
def test_engagement_claims_equal_the_rule_on_random_journeys(shared, journeys, outcomes):
    data = _contract(f"FAST{next(_made)}", list(outcomes))
    cdef = parse_contract(data)
    with shared.transaction() as s:
        contract = save_contract(s, SYSTEM, data)
        saved = _save(s, contract.id, journeys)
    with shared.reading() as s:
        facts = load_facts(s, contract.id, cdef, today=TODAY)
    found = {(a.outcome_id, a.episode_id, a.achieved_on)
             for o in cdef.outcomes for a in achievements(o, facts, RuleContext({}, {}))}
    expected = set()
    for n, (anchor, within, k) in enumerate(outcomes):
        for episode_id, journey in saved.items():
            day = _definition(anchor, within, k, journey)
            if day is not None:
                expected.add((f"E{n}", episode_id, day))
    assert found == expected
    future = sorted((e, day) for e, j in saved.items() for day, status in j["contacts"]
                    if status == "attended" and day > TODAY)
    assert sorted(facts.future_contacts) == future
