"""Rules evaluated in SQL give the very return the Python rules give (the reference), on a
laptop's SQLite and at a hub's PostgreSQL.

``build_return`` lets SQLite evaluate the rule kinds it can (``RuleKind.in_sql``: engagement)
and Python the rest; ``reference=True`` evaluates every rule in Python. Money rides on the
difference, so hypothesis builds small random caseloads under the sample contract (its seven
outcomes, plus an engagement rule with modes and purposes) and checks that both builds give
the same document, byte for byte: claims, evidence, exclusions, totals, caps, equality and
data quality. The edges come from the generator: referrals, contacts and forms on quarter
edges, exits, incomplete and missing wellbeing forms, several contacts on one day, two
journeys of one person, goals without a date, and a quarter already submitted (its claims
must not be claimed again).
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from linkworker.access import SYSTEM
from linkworker.models import Consent, Contact, Episode, Goal, Measure, Person
from linkworker.outcomes import facts as facts_module
from linkworker.outcomes.sample import sample_document
from linkworker.outcomes.store import save_contract
from linkworker.returns.build import build_return
from linkworker.returns.submit import submit_return
from linkworker.storage.database import Caseload

D = dt.date
Q_START = D(2026, 4, 1)  # the generated dates fall around 2026-Q2 to 2027-Q1's edges
_made = iter(range(1_000_000))  # contract codes and references, unique in the shared caseload

_CONTACT = st.tuples(
    st.integers(-3, 200),  # days after referral
    st.sampled_from(["attended", "attended", "attended", "planned", "cancelled"]),
    st.sampled_from(["face_to_face", "phone", "video"]),
    st.sampled_from([None, "support", "first_meeting"]))
_FORM = st.tuples(st.integers(-20, 450), st.one_of(st.none(), st.integers(14, 70)))
_GOAL = st.tuples(st.one_of(st.none(), st.integers(0, 300)),
                  st.sampled_from(["achieved", "achieved", "dropped"]))
_JOURNEY = st.fixed_dictionaries({
    "referral": st.sampled_from([-1, 0, 1, 89, 90, 91, 182, 183, 270]) | st.integers(-120, 300),
    "meeting": st.one_of(st.none(), st.integers(0, 40)),
    "exit": st.one_of(st.none(), st.tuples(st.integers(150, 260), st.sampled_from(
        ["goals_met", "stepped_down", "moved"]))),
    "contacts": st.lists(_CONTACT, max_size=7),
    "forms": st.lists(_FORM, max_size=4),
    "goals": st.lists(_GOAL, max_size=5),
    "same_person": st.booleans(),  # a second journey of the previous person
})


def _contract(code: str) -> dict:
    doc = sample_document()
    doc["code"] = code
    doc["eligibility"].pop("conditions")  # so the generated people can be claimed for
    doc["outcomes"].append({
        "id": "ENGM", "name": "Support by phone or video", "definition": "d", "evidence": "e",
        "price": 60, "max_per_person": 1,
        "rule": {"kind": "engagement", "from": "first_attended_contact", "contacts": 2,
                 "within_days": 60, "modes": ["phone", "video"], "purposes": ["support"]}})
    return doc


def _save(session, contract_id: str, journeys: list[dict]) -> None:
    person = None
    for n, journey in enumerate(journeys):
        if person is None or not journey["same_person"]:
            number = 1
            person = Person(reference=f"S-{next(_made):06d}", given_name="P", family_name="Q",
                            date_of_birth=D(1970, 5, 1), postcode="NE4 5AB", gender="2",
                            ethnicity_nhs_code="A", disability="no", imd_decile=n % 10 + 1)
            session.add(person)
            session.flush()
            session.add(Consent(person_id=person.id, kind="data_processing", given=True,
                                recorded_on=D(2025, 1, 1)))
        else:
            number += 1
        referral = Q_START + dt.timedelta(days=journey["referral"])
        meeting = (None if journey["meeting"] is None
                   else referral + dt.timedelta(days=journey["meeting"]))
        exit_days, reason = journey["exit"] or (None, None)
        episode = Episode(
            person_id=person.id, number=number, referral_date=referral,
            first_meeting_date=meeting, contract_id=contract_id, stage="active",
            exit_date=None if exit_days is None else referral + dt.timedelta(days=exit_days),
            exit_reason=reason)
        session.add(episode)
        session.flush()
        for days, status, mode, purpose in journey["contacts"]:
            session.add(Contact(episode_id=episode.id, status=status, mode=mode,
                                purpose=purpose,
                                contact_date=referral + dt.timedelta(days=days)))
        for days, total in journey["forms"]:
            session.add(Measure(person_id=person.id, episode_id=episode.id,
                                instrument="WEMWBS", timepoint="other",
                                completed_on=(meeting or referral) + dt.timedelta(days=days),
                                raw=total, value=None if total is None else float(total),
                                complete=total is not None))
        for days, status in journey["goals"]:
            session.add(Goal(episode_id=episode.id, own_words="a goal", category="activity",
                             agreed_date=referral, status=status,
                             status_date=None if days is None
                             else referral + dt.timedelta(days=days)))


@pytest.fixture(scope="module", params=["laptop", "hub"])
def shared(request, tmp_path_factory):
    """One caseload for every example: each adds its own contract and journeys. On a laptop
    (SQLite) and at a team's hub (a real PostgreSQL, when the run has one: the same statements
    with ``outcomes.dialect``'s words)."""
    if request.param == "laptop":
        with Caseload.create(tmp_path_factory.mktemp("sql") / "c.db", "fast facts") as caseload:
            yield caseload
        return
    from linkworker.storage.server import ServerCaseload
    from tests.sync.conftest import PG_ENV, fresh_database

    if not os.environ.get(PG_ENV):
        pytest.skip(f"{PG_ENV} is not set: the hub's returns need a PostgreSQL")
    database = fresh_database(os.environ[PG_ENV])
    try:
        with ServerCaseload.connect(next(database)) as hub:
            yield hub
    finally:
        next(database, None)  # dropped


def _both(session, code: str, period: str, as_of: dt.date) -> tuple[dict, dict]:
    sql = build_return(session, SYSTEM, code, period, as_of=as_of)
    python = build_return(session, SYSTEM, code, period, as_of=as_of, reference=True)
    assert sql.content_hash == python.content_hash
    return sql.to_json(), python.to_json()


@settings(max_examples=25, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(journeys=st.lists(_JOURNEY, min_size=1, max_size=6),
       quarter=st.sampled_from(["2026-Q3", "2026-Q4", "2027-Q1"]),
       submit_before=st.booleans(), late_days=st.sampled_from([0, 1, 10]))
def test_sql_rules_build_the_same_return_as_the_python_rules(
        shared, journeys, quarter, submit_before, late_days):
    code = f"SQL{next(_made)}"
    with shared.transaction() as s:
        contract = save_contract(s, SYSTEM, _contract(code))
        _save(s, contract.id, journeys)
    year, q = int(quarter[:4]), int(quarter[-1])
    end = D(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - dt.timedelta(days=1)
    as_of = end + dt.timedelta(days=late_days)
    if submit_before:  # the quarter before, submitted: its claims are in the ledger
        before = f"{year}-Q{q - 1}" if q > 1 else f"{year - 1}-Q4"
        with shared.transaction() as s:
            sql, python = _both(s, code, before, end - dt.timedelta(days=91))
            assert sql == python
            submit_return(s, SYSTEM, code, before, as_of=end - dt.timedelta(days=91))
    with shared.reading() as s:
        sql, python = _both(s, code, quarter, as_of)
    assert sql == python
    claimed = [(r["pseudonym"], r["outcome_id"], r["unit"]) for r in sql["rows"]]
    assert len(claimed) == len(set(claimed))  # never the same outcome unit twice


def test_the_sql_rules_read_no_contacts_into_python(shared, monkeypatch):
    """The return's engagement rules are counted by SQLite: the attended contacts are never
    loaded as rows (the reference build does load them)."""
    code = f"SQL{next(_made)}"
    with shared.transaction() as s:
        contract = save_contract(s, SYSTEM, _contract(code))
        _save(s, contract.id, [{
            "referral": 100, "meeting": 2, "exit": None, "goals": [], "forms": [],
            "same_person": False,
            "contacts": [(d, "attended", "phone", "support") for d in (2, 9, 16, 30)]}])
    loaded = []
    real = facts_module._contacts
    monkeypatch.setattr(facts_module, "_contacts", lambda *a: loaded.append(1) or real(*a))
    with shared.reading() as s:
        sql = build_return(s, SYSTEM, code, "2026-Q3", as_of=D(2026, 10, 1))
        assert not loaded
        python = build_return(s, SYSTEM, code, "2026-Q3", as_of=D(2026, 10, 1), reference=True)
        assert loaded
    assert {r.outcome_id for r in sql.rows} == {"ENG1", "ENG2", "ENGM"}
    assert sql.to_json() == python.to_json()


def test_the_sql_rules_seek_each_journeys_contacts_in_the_attended_index(caseload,
                                                                         actor_manager):
    """One statement reads each journey's first and future attended contacts and each
    engagement rule's window as seeks and ranges of ix_contacts_attended (covering: no contact
    row read), journey after journey."""
    from test_returns_indexes import _plan_of, _return_plans

    plan = _plan_of(_return_plans(caseload, actor_manager), "group_concat(c.contact_date, ','")
    steps = plan.splitlines()
    assert steps[0] == ("SEARCH e USING COVERING INDEX ix_episodes_contract_journeys "
                        "(contract_id=?)")
    seeks = [step for step in steps if step.startswith("SEARCH c ")]
    assert all("USING COVERING INDEX ix_contacts_attended (episode_id=?" in step
               for step in seeks)
    windows = "ix_contacts_attended (episode_id=? AND contact_date>? AND contact_date<?)"
    assert sum(windows in step for step in seeks) == 2  # ENG and ENG3


def test_a_change_and_the_same_change_sustained_judge_each_follow_up_once(shared, monkeypatch):
    """WB1 and WB2 (a wellbeing change at six months, and the same change still there at
    twelve) have one baseline and one first follow-up per journey: the build judges that
    follow-up once for both, then only WB2's later form (it judged it once per outcome)."""
    from linkworker.outcomes.kinds import measures

    code = f"SQL{next(_made)}"
    with shared.transaction() as s:
        contract = save_contract(s, SYSTEM, _contract(code))
        _save(s, contract.id, [{
            "referral": 0, "meeting": 2, "exit": None, "goals": [], "same_person": False,
            "contacts": [(2, "attended", "phone", "support")],
            "forms": [(0, 40), (180, 50), (370, 52)]} for _ in range(3)])
    judged = []
    real = measures.classify_change
    monkeypatch.setattr(measures, "classify_change",
                        lambda *a, **k: judged.append(a[1:3]) or real(*a, **k))
    with shared.reading() as s:
        build_return(s, SYSTEM, code, "2026-Q3", as_of=D(2027, 6, 1))
    assert sorted(judged) == [(40.0, 50.0)] * 3 + [(40.0, 52.0)] * 3
