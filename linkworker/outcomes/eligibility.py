"""Is a journey eligible under the contract, is consent in place, and the pseudonymised id.

Eligibility is checked against the contract's own criteria at the referral date: age range,
at least one of the listed long-term conditions (matched on the condition's code or term,
ignoring case), and the postcode district. A recorded "ineligible" decision always stands.
Where a criterion cannot be checked (no date of birth, no postcode, no conditions recorded)
the journey is "unknown": money needs evidence, so it is not claimed until the record is fixed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from linkworker.outcomes.contract import ContractDef
from linkworker.outcomes.facts import EpisodeRow, Facts, PersonRow
from linkworker.validation import InvalidValue, age_on, postcode_district

ELIGIBLE, INELIGIBLE, UNKNOWN = "eligible", "ineligible", "unknown"


@dataclass(frozen=True)
class Verdict:
    status: str
    reason: str = ""


def check_eligibility(cdef: ContractDef, facts: Facts, episode: EpisodeRow) -> Verdict:
    rules = cdef.eligibility
    person = facts.people[episode.person_id]
    if episode.eligibility == INELIGIBLE:
        return Verdict(INELIGIBLE, "recorded as ineligible on the journey")
    unknown: list[str] = []
    if rules.age_min is not None or rules.age_max is not None:
        age = age_on(person.date_of_birth, episode.referral_date)
        if age is None:
            unknown.append("no date of birth")
        elif (rules.age_min is not None and age < rules.age_min) or (
            rules.age_max is not None and age > rules.age_max
        ):
            low = rules.age_min if rules.age_min is not None else 0
            high = rules.age_max if rules.age_max is not None else "any"
            return Verdict(INELIGIBLE, f"aged {age} at referral (contract: {low} to {high})")
    if rules.conditions:
        held = facts.conditions.get(person.id, set())
        if not held:
            unknown.append("no long-term conditions recorded")
        elif not held & {c.casefold() for c in rules.conditions}:
            return Verdict(INELIGIBLE, "none of the contract's long-term conditions recorded")
    if rules.postcode_districts:
        district = _district(person)
        if district is None:
            unknown.append("no valid postcode")
        elif district not in rules.postcode_districts:
            return Verdict(INELIGIBLE, f"lives in {district}, outside the contract's area")
    if unknown:
        return Verdict(UNKNOWN, "cannot confirm eligibility: " + ", ".join(unknown))
    return Verdict(ELIGIBLE)


def _district(person: PersonRow) -> str | None:
    try:
        return postcode_district(person.postcode)
    except InvalidValue:
        return None


def missing_consents(cdef: ContractDef, facts: Facts, person_id: str, on: dt.date) -> list[str]:
    """The contract's required consent kinds this person has not validly given on ``on``."""
    held = facts.consents.get(person_id, [])
    return [
        kind for kind in cdef.consent_required
        if not any(c.kind == kind and c.valid_on(on) for c in held)
    ]


def pseudonym(key_hex: str, person_id: str) -> str:
    """A stable per-contract id: HMAC-SHA256 of the person's UUID under the contract's key."""
    digest = hmac.new(bytes.fromhex(key_hex), person_id.encode("ascii"), hashlib.sha256)
    return "P-" + digest.hexdigest()[:12].upper()


def person_label(cdef: ContractDef, key_hex: str, person: PersonRow) -> str:
    """How the person is named in this contract's returns (pseudonym unless it says otherwise)."""
    if cdef.person_identifier == "reference":
        return person.reference
    return pseudonym(key_hex, person.id)
