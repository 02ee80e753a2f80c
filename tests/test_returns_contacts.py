"""A journey's attended contacts as the return reads them (``outcomes.facts``).

The index the return reads them from holds a day's contacts by mode, then purpose, then id,
and the return keeps only the contacts some rule could use. So the order that decides which
contacts prove a claim (date, then id), the modes and purposes a rule asks for, and the ids
and modes a claim's evidence names must be those of the contacts themselves: a faster way of
reading them must keep all three.
"""

from __future__ import annotations

import datetime as dt

from linkworker.access import SYSTEM
from linkworker.models import Contact, Episode, Person
from linkworker.outcomes.contract import parse_contract
from linkworker.outcomes.facts import load_facts
from linkworker.outcomes.kinds import achievements
from linkworker.outcomes.rules import RuleContext
from linkworker.outcomes.store import save_contract

REFERRAL, TODAY = dt.date(2026, 3, 2), dt.date(2026, 6, 1)


def _outcome(n: int, **rule) -> dict:
    return {"id": f"E{n}", "name": f"E{n}", "definition": "d", "evidence": "e", "price": 1,
            "rule": {"kind": "engagement", "from": "referral", "within_days": 30, **rule}}


CONTRACT = {
    "code": "CONTACTS", "name": "Contacts", "commissioner": "c", "providers": ["x"],
    "start": "2025-01-01", "end": "2027-12-31",
    "outcomes": [_outcome(0, contacts=3), _outcome(1, modes=["phone"]),
                 _outcome(2, purposes=["support"], contacts=2)],
}
# (days after referral, mode, purpose, id): three on one day, stored in an order that is
# neither the ids' nor the modes' (the index holds them by date, mode, purpose, id).
CONTACTS = [
    (5, "video", "support", "c0000000-0000-4000-8000-000000000003"),
    (5, "face_to_face", "support", "c0000000-0000-4000-8000-000000000002"),
    (5, "phone", "attempt", "c0000000-0000-4000-8000-000000000001"),
    (9, "group", "support", "c0000000-0000-4000-8000-000000000000"),
    (200, "phone", "support", "c0000000-0000-4000-8000-000000000009"),  # after today
]


def test_claims_name_the_contacts_in_date_then_id_order_with_their_own_modes(caseload):
    cdef = parse_contract(CONTRACT)
    with caseload.transaction() as s:
        contract = save_contract(s, SYSTEM, CONTRACT)
        person = Person(reference="LW-000001", given_name="P", family_name="Q")
        s.add(person)
        s.flush()
        episode = Episode(person_id=person.id, number=1, referral_date=REFERRAL,
                          contract_id=contract.id)
        s.add(episode)
        s.flush()
        for days, mode, purpose, contact_id in CONTACTS:
            s.add(Contact(id=contact_id, episode_id=episode.id, status="attended",
                          mode=mode, purpose=purpose,
                          contact_date=REFERRAL + dt.timedelta(days=days)))
    with caseload.reading() as s:
        facts = load_facts(s, contract.id, cdef, today=TODAY)
    found = {a.outcome_id: a for o in cdef.outcomes
             for a in achievements(o, facts, RuleContext({}, {}))}

    def named(outcome_id: str) -> list[tuple[str, str, str]]:
        return [(c["date"], c["id"][-1], c["mode"])
                for c in found[outcome_id].evidence["contacts"]]

    day5, day9 = "2026-03-07", "2026-03-11"
    assert named("E0") == [(day5, "1", "phone"), (day5, "2", "face_to_face"),
                           (day5, "3", "video")]
    assert found["E0"].achieved_on == dt.date(2026, 3, 7)
    assert named("E1") == [(day5, "1", "phone")]
    assert named("E2") == [(day5, "2", "face_to_face"), (day5, "3", "video")]
    assert facts.future_contacts == [(episode.id, REFERRAL + dt.timedelta(days=200))]
    assert [(c.date.isoformat(), c.id[-1], c.mode, c.purpose)
            for c in facts.contacts[episode.id]] == [
        (day5, "1", "phone", "attempt"), (day5, "2", "face_to_face", "support"),
        (day5, "3", "video", "support"), (day9, "0", "group", "support"),
        ("2026-09-18", "9", "phone", "support")]
