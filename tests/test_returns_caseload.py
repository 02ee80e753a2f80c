"""A small caseload built by hand, where every claim, cap and exclusion is known in advance.

Other ``test_returns_*`` / ``test_outcomes_*`` modules import ``build_caseload``, ``CONTRACT``
and the expectations from here. The contract runs 01/01/2026 to 31/12/2027; the first return is
2026-Q3 (01/07/2026 to 30/09/2026), built "as of" 05/10/2026. Everyone is aged 50, lives in
NE4 and has given data-processing consent unless the comment says otherwise.

Expected 2026-Q3 claims, in the order caps apply (achieved date, then pseudonym):

    who  outcome  achieved     amount  why
    P5   ENG      01/05/2026   100     late claim: first contact 11 days after referral (Q2)
    P2   ENG      01/07/2026   100     first contact exactly 28 days after referral (edge: in)
    P1   ENG      10/07/2026   100     20 days
    P10  EXIT     10/07/2026   150     goals met exactly 6 months after first meeting (edge: in)
    P9   GOALS    20/07/2026    40     2nd achieved goal
    P4   ENG      29/07/2026   100     27 days (edge: day before the limit)
    P5   WB       30/07/2026   300     WEMWBS 40 -> 43 at 90 days: change exactly 3 (edge: in)
    P7   LVL      31/07/2026    80     WEMWBS 52 at exactly 60 days from first meeting (edge: in)
    P1   ENG3     07/08/2026    50     3rd attended contact 28 days after first meeting
    P9   GOALS    10/08/2026    40     4th achieved goal (2nd unit, the maximum per person)
    P8   WBS      15/08/2026   200     35 -> 40 at 91 days, still 41 at 334 days (sustained)
    P14  EXT      20/08/2026   500     commissioner's result says achieved
    P1   WB       20/09/2026   300     WEMWBS 40 -> 45 at 72 days

    13 claims, 9 people, 2,060.00. (Dates ordered; P1 before P10 on 10/07 by pseudonym is
    not assumed: tests compare sets per person where two share a date.)

Not claimed, and why:
    P3   ENG   first contact 29 days after referral (edge: day after) -> no achievement
    P6   WB    follow-ups at 59 and 121 days: none in 60-120 -> no achievement (and a
               "follow-up outside its window" data-quality issue)
    P7   WB    change +2, below 3 -> no achievement
    P8   ENG, WB  achieved in 2025, before the contract started -> excluded
    P9   GOALS 3rd unit (6th goal, 15/09/2026) -> excluded: maximum of 2 per person
    P11  EXIT  exit one day short of 6 months -> no achievement
    P12  EXIT  exit reason "moved" is not a planned exit -> no achievement
    P13  EXIT  no exit reason -> no achievement (data-quality: exit without reason)
    P15  EXT   commissioner's result says not achieved
    P16  ENG   aged 30 at referral -> excluded as ineligible (data-quality issue)
    P17  ENG   no consent -> excluded (data-quality issue)
    P18        an attended contact dated in the future (data-quality issue)
"""

from __future__ import annotations

import copy
import datetime as dt

from sqlalchemy.orm import Session

from linkworker.access import Actor
from linkworker.models import (
    Consent,
    Contact,
    Episode,
    ExternalResult,
    Goal,
    Measure,
    Person,
)
from linkworker.outcomes.store import save_contract

D = dt.date
AS_OF_Q3 = D(2026, 10, 5)
AS_OF_Q4 = D(2027, 1, 10)

CONTRACT = {
    "format": 1,
    "code": "TEST-SIB",
    "name": "Test social prescribing bond",
    "commissioner": "Test ICB",
    "providers": ["Test Links"],
    "investor": "Test Fund",
    "start": "2026-01-01",
    "end": "2027-12-31",
    "currency": "GBP",
    "consent_required": ["data_processing"],
    "eligibility": {"age_min": 40, "age_max": 74, "postcode_districts": ["NE4", "NE5"]},
    "outcomes": [
        {"id": "ENG", "definition": "First attended contact within 28 days of referral.",
         "price": 100, "evidence": "The contact.",
         "rule": {"kind": "engagement", "from": "referral", "contacts": 1, "within_days": 28}},
        {"id": "ENG3", "definition": "Three attended contacts within 60 days of first meeting.",
         "price": 50, "evidence": "The contacts.",
         "rule": {"kind": "engagement", "from": "first_meeting", "contacts": 3,
                  "within_days": 60}},
        {"id": "WB", "definition": "WEMWBS up by 3 or more at 60-120 days.", "price": 300,
         "evidence": "Baseline and follow-up.",
         "rule": {"kind": "measure_change", "instrument": "WEMWBS",
                  "baseline": {"min": -7, "max": 14}, "follow_up": {"min": 60, "max": 120},
                  "min_change": 3}},
        {"id": "WBS", "definition": "WB, still improved at 300-400 days.", "price": 200,
         "evidence": "Three forms.",
         "rule": {"kind": "measure_change", "instrument": "WEMWBS",
                  "baseline": {"min": -7, "max": 14}, "follow_up": {"min": 60, "max": 120},
                  "sustained": {"min": 300, "max": 400}, "min_change": 3}},
        {"id": "LVL", "definition": "WEMWBS 50 or more at 60-120 days after first meeting.",
         "price": 80, "evidence": "The form.",
         "rule": {"kind": "measure_level", "instrument": "WEMWBS",
                  "follow_up": {"min": 60, "max": 120}, "at_least": 50}},
        {"id": "GOALS", "definition": "Each two goals achieved.", "price": 40,
         "max_per_person": 2, "evidence": "The goals.",
         "rule": {"kind": "goals", "count": 2}},
        {"id": "EXIT", "definition": "Planned exit after 6 months or more.", "price": 150,
         "evidence": "Exit date and reason.",
         "rule": {"kind": "journey", "min_months": 6}},
        {"id": "EXT", "definition": "Commissioner's matched result.", "price": 500,
         "evidence": "Result file.", "rule": {"kind": "external"}},
    ],
}

# (who, outcome id, achieved on, amount, late)
EXPECTED_Q3 = [
    ("P5", "ENG", D(2026, 5, 1), 100.0, True),
    ("P2", "ENG", D(2026, 7, 1), 100.0, False),
    ("P1", "ENG", D(2026, 7, 10), 100.0, False),
    ("P10", "EXIT", D(2026, 7, 10), 150.0, False),
    ("P9", "GOALS", D(2026, 7, 20), 40.0, False),
    ("P4", "ENG", D(2026, 7, 29), 100.0, False),
    ("P5", "WB", D(2026, 7, 30), 300.0, False),
    ("P7", "LVL", D(2026, 7, 31), 80.0, False),
    ("P1", "ENG3", D(2026, 8, 7), 50.0, False),
    ("P9", "GOALS", D(2026, 8, 10), 40.0, False),
    ("P8", "WBS", D(2026, 8, 15), 200.0, False),
    ("P14", "EXT", D(2026, 8, 20), 500.0, False),
    ("P1", "WB", D(2026, 9, 20), 300.0, False),
]
EXPECTED_Q3_TOTAL = 2060.0

# (who, outcome id, reason fragment)
EXPECTED_Q3_EXCLUSIONS = [
    ("P8", "ENG", "outside the contract"),
    ("P8", "WB", "outside the contract"),
    ("P16", "ENG", "aged 30"),
    ("P17", "ENG", "consent"),
    ("P9", "GOALS", "maximum of 2 per person"),
]


def contract_document(**changes) -> dict:
    doc = copy.deepcopy(CONTRACT)
    doc.update(changes)
    return doc


class Builder:
    """Direct ORM inserts with just the fields the rules read."""

    def __init__(self, session: Session, contract_id: str) -> None:
        self.s, self.contract_id = session, contract_id
        self.people: dict[str, str] = {}
        self.episodes: dict[str, str] = {}

    def person(self, ref: str, *, born: dt.date = D(1976, 3, 15), postcode: str = "NE4 5AB",
               consent: bool = True, referral: dt.date, first_meeting: dt.date | None = None,
               exit_on: dt.date | None = None, exit_reason: str | None = None,
               gender: str = "2", ethnicity: str = "A") -> str:
        p = Person(reference=ref, given_name=ref, family_name="Test", date_of_birth=born,
                   postcode=postcode, gender=gender, ethnicity_nhs_code=ethnicity,
                   disability="no", imd_decile=3)
        self.s.add(p)
        self.s.flush()
        if consent:
            self.s.add(Consent(person_id=p.id, kind="data_processing", given=True,
                               recorded_on=D(2025, 1, 1)))
        e = Episode(person_id=p.id, number=1, referral_date=referral,
                    first_meeting_date=first_meeting, exit_date=exit_on, exit_reason=exit_reason,
                    contract_id=self.contract_id, stage="active")
        self.s.add(e)
        self.s.flush()
        self.people[ref], self.episodes[ref] = p.id, e.id
        return p.id

    def contacts(self, ref: str, *days: dt.date, status: str = "attended") -> None:
        for day in days:
            self.s.add(Contact(episode_id=self.episodes[ref], contact_date=day, status=status))

    def wemwbs(self, ref: str, *forms: tuple[dt.date, int | None]) -> None:
        for day, total in forms:
            self.s.add(Measure(person_id=self.people[ref], episode_id=self.episodes[ref],
                               instrument="WEMWBS", completed_on=day, raw=total,
                               value=None if total is None else float(total),
                               complete=total is not None, timepoint="other"))

    def goals(self, ref: str, *days: dt.date, status: str = "achieved") -> None:
        for day in days:
            self.s.add(Goal(episode_id=self.episodes[ref], own_words="a goal",
                            category="activity", agreed_date=D(2026, 1, 1), status=status,
                            status_date=day))

    def external(self, ref: str, achieved: bool, day: dt.date | None) -> None:
        self.s.add(ExternalResult(contract_id=self.contract_id, person_id=self.people[ref],
                                  outcome_id="EXT", achieved=achieved, achieved_on=day,
                                  value=-1200.0 if achieved else 300.0, source="ICB match"))


def build_caseload(session: Session, actor: Actor) -> tuple[str, Builder]:
    """Install the contract and the people above; return (contract id, builder)."""
    contract = save_contract(session, actor, CONTRACT)
    b = Builder(session, contract.id)
    # Engagement and measure change.
    b.person("P1", referral=D(2026, 6, 20), first_meeting=D(2026, 7, 10))
    b.contacts("P1", D(2026, 7, 10), D(2026, 7, 24), D(2026, 8, 7))
    b.wemwbs("P1", (D(2026, 7, 10), 40), (D(2026, 9, 20), 45))
    b.person("P2", referral=D(2026, 6, 3), first_meeting=D(2026, 7, 1))
    b.contacts("P2", D(2026, 7, 1))
    b.person("P3", referral=D(2026, 6, 2), first_meeting=D(2026, 7, 1))
    b.contacts("P3", D(2026, 7, 1))
    b.person("P4", referral=D(2026, 7, 2), first_meeting=D(2026, 7, 29))
    b.contacts("P4", D(2026, 7, 29))
    b.person("P5", referral=D(2026, 4, 20), first_meeting=D(2026, 5, 1))
    b.contacts("P5", D(2026, 5, 1))
    b.wemwbs("P5", (D(2026, 5, 1), 40), (D(2026, 7, 30), 43))
    b.person("P6", referral=D(2026, 3, 1), first_meeting=D(2026, 5, 1))
    b.contacts("P6", D(2026, 5, 1))
    b.wemwbs("P6", (D(2026, 5, 1), 40), (D(2026, 6, 29), 50), (D(2026, 8, 30), 50))
    b.person("P7", referral=D(2026, 5, 1), first_meeting=D(2026, 6, 1))
    b.contacts("P7", D(2026, 6, 1))
    b.wemwbs("P7", (D(2026, 6, 1), 50), (D(2026, 7, 31), 52), (D(2026, 8, 2), None))
    # Sustained change, starting before the contract did.
    b.person("P8", referral=D(2025, 9, 1), first_meeting=D(2025, 9, 15))
    b.contacts("P8", D(2025, 9, 15))
    b.wemwbs("P8", (D(2025, 9, 15), 35), (D(2025, 12, 15), 40), (D(2026, 8, 15), 41))
    # Goals: six achieved (units at the 2nd, 4th and 6th), one dropped.
    b.person("P9", referral=D(2026, 5, 20), first_meeting=D(2026, 6, 1))
    b.goals("P9", D(2026, 7, 5), D(2026, 7, 20), D(2026, 8, 1), D(2026, 8, 10), D(2026, 9, 1),
            D(2026, 9, 15))
    b.goals("P9", D(2026, 7, 6), status="dropped")
    # Planned exits.
    jan10 = D(2026, 1, 10)
    b.person("P10", referral=D(2026, 1, 2), first_meeting=jan10, exit_on=D(2026, 7, 10),
             exit_reason="goals_met")
    b.person("P11", referral=D(2026, 1, 2), first_meeting=jan10, exit_on=D(2026, 7, 9),
             exit_reason="stepped_down")
    b.person("P12", referral=D(2026, 1, 2), first_meeting=jan10, exit_on=D(2026, 8, 1),
             exit_reason="moved")
    b.person("P13", referral=D(2026, 1, 2), first_meeting=jan10, exit_on=D(2026, 8, 1))
    # External results.
    b.person("P14", referral=D(2026, 2, 1))
    b.external("P14", True, D(2026, 8, 20))
    b.person("P15", referral=D(2026, 2, 1))
    b.external("P15", False, None)
    # Blocked: ineligible, no consent; and a contact dated in the future.
    b.person("P16", born=D(1996, 1, 1), referral=D(2026, 7, 1), first_meeting=D(2026, 7, 5))
    b.contacts("P16", D(2026, 7, 5))
    b.person("P17", consent=False, referral=D(2026, 7, 1), first_meeting=D(2026, 7, 6))
    b.contacts("P17", D(2026, 7, 6))
    b.person("P18", referral=D(2026, 9, 1))
    b.contacts("P18", D(2026, 10, 20))
    session.flush()
    return contract.id, b
