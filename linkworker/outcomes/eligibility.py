"""Is a journey eligible under the contract, is consent in place, and the pseudonymised id.

Eligibility is checked against the contract's own criteria at the referral date: age range,
at least one of the listed long-term conditions (``condition_matches``: a contract may name a
condition by its code, its standard term or a group such as "diabetes"), and the postcode
district. A recorded "ineligible" decision always stands.
Where a criterion cannot be checked (no date of birth, no postcode, no conditions recorded)
the journey is "unknown": money needs evidence, so it is not claimed until the record is fixed.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from linkworker.codes import LONG_TERM_CONDITIONS
from linkworker.outcomes.contract import ContractDef, Eligibility
from linkworker.outcomes.facts import EpisodeRow, Facts, PersonRow
from linkworker.validation import InvalidValue, age_on, postcode_district

ELIGIBLE, INELIGIBLE, UNKNOWN = "eligible", "ineligible", "unknown"


@dataclass(frozen=True)
class Verdict:
    status: str
    reason: str = ""


class Memo:
    """What one return has already worked out: postcode districts, condition verdicts (by the
    set of conditions held) and whole verdicts (by age, district and condition verdict). Many
    people share a district or a set of conditions; plain dictionaries, as a return asks
    thousands of times."""

    __slots__ = ("districts", "conditions", "verdicts")

    def __init__(self) -> None:
        self.districts: dict[str | None, str | None] = {}
        self.conditions: dict[frozenset, Verdict] = {}
        self.verdicts: dict[tuple, Verdict] = {}


_RECORDED_INELIGIBLE = Verdict(INELIGIBLE, "recorded as ineligible on the journey")


def check_eligibility(cdef: ContractDef, facts: Facts, episode: EpisodeRow,
                      memo: Memo | None = None) -> Verdict:
    """The return's verdict on one journey: a recorded "ineligible" stands, else the criteria.

    ``memo``: what this return has already worked out (``Memo``)."""
    if episode.eligibility == INELIGIBLE:
        return _RECORDED_INELIGIBLE
    memo = Memo() if memo is None else memo
    person = facts.people[episode.person_id]
    age = age_on(person.date_of_birth, episode.referral_date)
    held = facts.conditions.get(person.id, ())
    postcode = person.postcode
    try:
        district = memo.districts[postcode]
    except KeyError:
        district = memo.districts[postcode] = district_of(postcode)
    rules = cdef.eligibility
    conditions = None
    if rules.conditions:
        key = frozenset(held)
        conditions = memo.conditions.get(key)
        if conditions is None:
            conditions = memo.conditions[key] = conditions_check(rules.conditions, held)
    try:
        return memo.verdicts[(age, district, conditions)]
    except KeyError:
        found = memo.verdicts[(age, district, conditions)] = _verdict(
            rules, age, district, held, conditions)
        return found


def _verdict(rules: Eligibility, age: int | None, district: str | None,
             held: Iterable[tuple[str | None, str | None]], conditions: Verdict | None
             ) -> Verdict:
    failed, unknown = criteria_findings(rules, age, district, held,
                                        conditions_verdict=conditions)
    if failed:
        return Verdict(INELIGIBLE, "; ".join(failed))
    if unknown:
        return Verdict(UNKNOWN, "cannot confirm eligibility: " + ", ".join(unknown))
    return Verdict(ELIGIBLE)


def eligibility_verdicts(cdef: ContractDef, facts: Facts) -> dict[str, Verdict]:
    """Every journey's verdict, worked out once per return (the screen and the data-quality
    list both read it)."""
    memo = Memo()
    return {e.id: check_eligibility(cdef, facts, e, memo) for e in facts.episodes.values()}


def criteria_findings(
    rules: Eligibility, age: int | None, district: str | None,
    conditions: Iterable[tuple[str | None, str | None]], *,
    conditions_verdict: Verdict | None = None,
) -> tuple[list[str], list[str]]:
    """Every criterion of the contract, checked the one way the referral form, the record and
    the return all use: (reasons the person fails, criteria that cannot be checked yet).

    ``age`` is at the referral date, ``district`` the postcode's outward code (None when there
    is no valid postcode), ``conditions`` the recorded (code, term) pairs (and
    ``conditions_verdict`` their ``conditions_check`` verdict, if already worked out).
    """
    failed: list[str] = []
    unknown: list[str] = []
    if rules.age_min is not None or rules.age_max is not None:
        if age is None:
            unknown.append("no date of birth")
        elif (rules.age_min is not None and age < rules.age_min) or (
            rules.age_max is not None and age > rules.age_max
        ):
            low = rules.age_min if rules.age_min is not None else 0
            high = rules.age_max if rules.age_max is not None else "any age"
            failed.append(f"aged {age} at referral, the contract takes {low} to {high}")
    if rules.postcode_districts:
        if district is None:
            unknown.append("no valid postcode")
        elif district not in rules.postcode_districts:
            failed.append(f"lives in {district}, outside the contract's area "
                          f"({', '.join(rules.postcode_districts)})")
    if rules.conditions:
        verdict = conditions_verdict or conditions_check(rules.conditions, conditions)
        if verdict.status == INELIGIBLE:
            failed.append(verdict.reason)
        elif verdict.status == UNKNOWN:
            unknown.append(verdict.reason)
    return failed, unknown


# --- long-term conditions -------------------------------------------------------------------

# Names a contract may use for several coded conditions at once (resources/contracts/FORMAT.md
# lists them; keep the two in step).
CONDITION_GROUPS: dict[str, frozenset[str]] = {
    "diabetes": frozenset({"diabetes_type1", "diabetes_type2"}),
    "heart disease": frozenset({"coronary_heart_disease", "heart_failure"}),
    "cardiovascular disease": frozenset({"coronary_heart_disease", "heart_failure", "stroke"}),
    "respiratory disease": frozenset({"copd", "asthma"}),
    "arthritis": frozenset({"osteoarthritis", "arthritis"}),
    "mental health": frozenset({"depression", "anxiety"}),
}


@functools.lru_cache(maxsize=4096)
def _key(text: str | None) -> tuple[str, ...]:
    """Words, ignoring case, order, underscores and punctuation: "Diabetes, type 2" ~
    "type 2 diabetes". Cached: a caseload records a few hundred distinct terms, so a return
    over 50,000 people runs the regex a few hundred times, not once per condition."""
    return tuple(sorted(re.sub(r"[_\W]+", " ", (text or "").casefold()).split()))


def _names() -> dict[tuple[str, ...], frozenset[str]]:
    """Every name a contract may use -> the codes it covers: the code itself, its standard term
    (with and without the bracketed part: "High blood pressure (hypertension)"), a group."""
    names: dict[tuple[str, ...], frozenset[str]] = {}
    for code, term in LONG_TERM_CONDITIONS.items():
        if code == "other":
            continue
        bracketed = re.search(r"\((.*)\)", term)
        for name in (code, term, re.sub(r"\s*\(.*\)", "", term),
                     bracketed.group(1) if bracketed else ""):
            if _key(name):
                names[_key(name)] = frozenset({code})
    names.update({_key(group): members for group, members in CONDITION_GROUPS.items()})
    return names


_CONDITION_NAMES = _names()


def condition_codes(name: str) -> frozenset[str]:
    """The condition codes a contract's condition name covers (empty: a name we do not code)."""
    return _CONDITION_NAMES.get(_key(name), frozenset())


@functools.lru_cache(maxsize=8192)
def condition_matches(contract_name: str, code: str | None, term: str | None) -> bool:
    """Does a recorded condition (its code and term) meet one condition a contract lists?

    A coded condition meets the name if the name covers its code (``condition_codes``). A
    condition without a usable code (none, or "other" with a term such as "Multiple sclerosis")
    meets it when its term and the name are the same words. The person's own words ("bad
    chest") never decide eligibility: money rests on it.
    """
    if code in LONG_TERM_CONDITIONS and code != "other" and code in condition_codes(contract_name):
        return True
    return bool(_key(term)) and _key(term) == _key(contract_name)


def conditions_check(
    contract_conditions: Sequence[str], held: Iterable[tuple[str | None, str | None]]
) -> Verdict:
    """The conditions criterion for everyone (referral form, record, returns, demo).

    ``held`` is the person's recorded (code, term) pairs. ELIGIBLE when one meets a listed
    condition; UNKNOWN when nothing is recorded, or a condition is recorded only in the person's
    own words (no code or term: it cannot be checked until someone names it); else INELIGIBLE.
    """
    held = list(held)
    if not held:
        return Verdict(UNKNOWN, "no long-term conditions recorded")
    if any(condition_matches(name, code, term) for name in contract_conditions
           for code, term in held):
        return Verdict(ELIGIBLE)
    if any(not code and not (term or "").strip() for code, term in held):
        return Verdict(UNKNOWN, "a long-term condition is recorded only in the person's own "
                                "words: choose which of the listed conditions it is")
    return Verdict(INELIGIBLE, "none of the contract's long-term conditions recorded")


def district_of(postcode: str | None) -> str | None:
    """The postcode's outward code, or None when there is no valid postcode (criterion unknown)."""
    try:
        return postcode_district(postcode)
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
    # hmac.digest: the one-shot form, in C (a return labels thousands of people).
    digest = hmac.digest(bytes.fromhex(key_hex), person_id.encode("ascii"), hashlib.sha256)
    return "P-" + digest.hex()[:12].upper()


def person_label(cdef: ContractDef, key_hex: str, person: PersonRow) -> str:
    """How the person is named in this contract's returns (pseudonym unless it says otherwise)."""
    if cdef.person_identifier == "reference":
        return person.reference
    return pseudonym(key_hex, person.id)
