"""Contract conditions: one matching rule for the referral form and the outcomes engine.

A contract names a condition by its code, its standard term, or a group ("diabetes" covers both
types); the person's conditions are coded. The referral's eligibility warning and the return's
eligibility verdict must agree, so both call ``outcomes.eligibility.conditions_check``.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from linkworker.access import SYSTEM
from linkworker.codes import LONG_TERM_CONDITIONS
from linkworker.models import Episode
from linkworker.outcomes.eligibility import (
    CONDITION_GROUPS,
    ELIGIBLE,
    INELIGIBLE,
    UNKNOWN,
    check_eligibility,
    condition_codes,
    condition_matches,
    conditions_check,
)
from linkworker.outcomes.facts import load_facts
from linkworker.outcomes.sample import install_sample_contract, sample_document
from linkworker.outcomes.store import definition_of, save_contract
from linkworker.referral import ReferralDetails, assess, save_referral
from linkworker.resources import resource_path

TODAY = dt.date(2026, 3, 2)


@pytest.mark.parametrize(("name", "code", "term", "expected"), [
    ("diabetes", "diabetes_type2", "Type 2 diabetes", True),  # a group
    ("diabetes", "diabetes_type1", None, True),
    ("type 2 diabetes", "diabetes_type2", None, True),  # the standard term
    ("Type 2 Diabetes", "diabetes_type1", "Type 1 diabetes", False),
    ("diabetes_type2", "diabetes_type2", None, True),  # the code itself
    ("COPD", "copd", None, True),
    ("chronic obstructive pulmonary disease", "copd", None, True),
    ("high blood pressure", "hypertension", None, True),
    ("coronary heart disease", "coronary_heart_disease", None, True),
    ("heart disease", "heart_failure", None, True),
    ("arthritis", "osteoarthritis", None, True),
    ("osteoarthritis", "arthritis", None, False),
    ("asthma", "copd", None, False),
    ("multiple sclerosis", "other", "Multiple sclerosis", True),  # uncoded: same words
    ("multiple sclerosis", "other", "Other long-term condition", False),
    ("diabetes", None, None, False),
])
def test_condition_matches(name, code, term, expected):
    assert condition_matches(name, code, term) is expected


def test_every_group_names_real_codes_and_is_documented():
    doc = resource_path("contracts", "FORMAT.md").read_text(encoding="utf-8")
    for group, members in CONDITION_GROUPS.items():
        assert members <= set(LONG_TERM_CONDITIONS), group
        assert condition_codes(group) == members
        assert f"`{group}`" in doc, f"FORMAT.md does not list the group {group!r}"


def test_every_sample_contract_condition_is_understood():
    for name in sample_document()["eligibility"]["conditions"]:
        assert condition_codes(name), f"{name!r} names no coded condition"


def test_conditions_check_verdicts():
    listed = ("diabetes", "COPD")
    assert conditions_check(listed, [("diabetes_type2", "Type 2 diabetes")]).status == ELIGIBLE
    assert conditions_check(listed, [("asthma", "Asthma")]).status == INELIGIBLE
    assert conditions_check(listed, []).status == UNKNOWN
    # only the person's own words: cannot be checked yet, not "ineligible"
    words_only = conditions_check(listed, [("asthma", "Asthma"), (None, None)])
    assert words_only.status == UNKNOWN and "own words" in words_only.reason


# --- the referral form and the outcomes engine agree ------------------------------------------


def _contract_without_asthma(session) -> str:
    data = sample_document()
    data["code"], data["name"] = "NO-ASTHMA", "Sample without asthma"
    data["eligibility"]["conditions"] = [c for c in data["eligibility"]["conditions"]
                                         if c.casefold() != "asthma"]
    return save_contract(session, SYSTEM, data).id


@pytest.fixture
def contracts(caseload) -> dict[str, str]:
    with caseload.transaction() as s:
        return {"sample": install_sample_contract(s).id, "no_asthma": _contract_without_asthma(s)}


def _details(contract_id: str, condition: str) -> ReferralDetails:
    return ReferralDetails(
        given_name="Pat", family_name="Example", date_of_birth=dt.date(1970, 4, 1),
        postcode="NE4 5AB", conditions=((condition, ""),), referral_date=dt.date(2026, 2, 2),
        source="gp", reasons=("long_term_condition",), contract_id=contract_id)


def _engine_verdict(caseload, contract_id: str, episode_id: str) -> str:
    """The outcomes engine's own verdict, from facts loaded out of the caseload (the journey's
    recorded decision cleared, so the conditions rule itself is what decides)."""
    with caseload.transaction() as s:
        s.execute(update(Episode).where(Episode.id == episode_id).values(eligibility=None))
    with caseload.reading() as s:
        from linkworker.models import Contract

        cdef = definition_of(s.get(Contract, contract_id))
        facts = load_facts(s, contract_id, cdef, today=TODAY)
        return check_eligibility(cdef, facts, facts.episodes[episode_id]).status


@pytest.mark.parametrize(("contract", "condition", "expected"), [
    ("sample", "diabetes_type2", ELIGIBLE),
    ("sample", "asthma", ELIGIBLE),
    ("no_asthma", "diabetes_type2", ELIGIBLE),
    ("no_asthma", "asthma", INELIGIBLE),
])
def test_referral_and_return_agree(caseload, contracts, contract, condition, expected):
    details = _details(contracts[contract], condition)
    assert assess(caseload, SYSTEM, details, TODAY).eligibility.status == expected
    saved = save_referral(caseload, SYSTEM, details, today=TODAY)
    assert saved.eligibility.status == expected
    assert _engine_verdict(caseload, contracts[contract], saved.episode_id) == expected
