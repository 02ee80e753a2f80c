"""Taking a referral: check the details, warn about eligibility, catch duplicates, then save.

The intake is a small state machine in plain Python (``Intake``), tested without Qt; the
referral screen only renders it (the pattern of Electrum's wizard)::

    details --assess--> problems?   -> details (each problem named by its field)
                        duplicates? -> duplicates --"a different person"--> ready
                                                  --"open the existing one"--> existing
                        otherwise   -> ready --save--> done

Eligibility against the contract (age range, long-term conditions, postcode district) is a
*warning with its reason*, never a block: the worker may know something the data does not, and
the outcome engine re-checks eligibility before anything is claimed.

Duplicates: the same NHS number, or a close name (case, accents and one typo forgiven on the
family name, the same first initial) with the same date of birth. Offering to open the
existing person and start a new journey keeps one person, one history.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from linkworker import audit, codes
from linkworker.access import Actor, can, require
from linkworker.errors import UserError
from linkworker.journey import re_refer
from linkworker.models import Condition, Contract, Episode, Person, User
from linkworker.outcomes.contract import Eligibility
from linkworker.outcomes.eligibility import criteria_findings, district_of
from linkworker.person import CHECKS, next_reference
from linkworker.storage.database import Caseload, unit_of_work
from linkworker.validation import InvalidValue, age_on, format_date

ELIGIBLE, INELIGIBLE, UNCHECKED = "eligible", "ineligible", "unchecked"


@dataclass(frozen=True)
class ReferralDetails:
    """What the referral form holds, as typed (dates already parsed by the date widgets)."""

    given_name: str = ""
    family_name: str = ""
    preferred_name: str = ""
    date_of_birth: dt.date | None = None
    nhs_number: str = ""
    postcode: str = ""
    address_line1: str = ""
    town: str = ""
    phone: str = ""
    email: str = ""
    conditions: tuple[tuple[str | None, str], ...] = ()  # (code or None, own words)
    referral_date: dt.date | None = None
    source: str = ""
    reasons: tuple[str, ...] = ()
    referrer_name: str = ""
    referrer_organisation: str = ""
    worker_id: str | None = None
    contract_id: str | None = None


PERSON_FIELDS = ("given_name", "family_name", "preferred_name", "date_of_birth", "nhs_number",
                 "postcode", "address_line1", "town", "phone", "email")


@dataclass(frozen=True)
class EligibilityResult:
    status: str  # eligible, ineligible, unchecked
    reasons: tuple[str, ...] = ()

    @property
    def warning(self) -> str:
        """What the form shows: empty when eligible, else why (never a block)."""
        if self.status == ELIGIBLE:
            return ""
        lead = ("May not be eligible for this contract" if self.status == INELIGIBLE
                else "Eligibility cannot be confirmed yet")
        return f"{lead}: {'; '.join(self.reasons)}. You can still save the referral."


@dataclass(frozen=True)
class Duplicate:
    person_id: str
    reference: str
    name: str
    date_of_birth: dt.date | None
    why: str  # "same NHS number" / "similar name, same date of birth"
    has_open_journey: bool
    on_my_caseload: bool

    @property
    def offer(self) -> str:
        if self.has_open_journey:
            return f"{self.name} ({self.reference}) already has an open journey: open their record"
        return f"Open {self.name} ({self.reference}) and start a new episode"


@dataclass(frozen=True)
class Assessment:
    problems: dict[str, str] = field(default_factory=dict)
    eligibility: EligibilityResult = EligibilityResult(UNCHECKED, ("no contract chosen",))
    duplicates: tuple[Duplicate, ...] = ()
    age: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class SavedReferral:
    person_id: str
    episode_id: str
    reference: str
    episode_number: int
    eligibility: EligibilityResult


class DuplicateFound(UserError):
    """Saving would make a second record for someone already known."""


# --- checking the form ------------------------------------------------------------------------


def check_details(details: ReferralDetails, today: dt.date) -> tuple[dict, dict[str, str]]:
    """(clean person values, problems by field). Uses the same checks as the profile."""
    clean: dict = {}
    problems: dict[str, str] = {}
    for name in PERSON_FIELDS:
        value = getattr(details, name)
        try:
            clean[name] = CHECKS[name](value)
        except InvalidValue as exc:
            problems[name] = str(exc)
    if details.referral_date is None:
        problems["referral_date"] = "The referral date is required."
    elif details.referral_date > today:
        problems["referral_date"] = f"{format_date(details.referral_date)} is in the future."
    elif clean.get("date_of_birth") and details.referral_date < clean["date_of_birth"]:
        problems["referral_date"] = "The referral date is before their date of birth."
    if details.source not in codes.REFERRAL_SOURCES:
        problems["source"] = "Choose where the referral came from."
    if not details.reasons:
        problems["reasons"] = "Choose at least one reason for the referral."
    elif set(details.reasons) - set(codes.REFERRAL_REASONS):
        problems["reasons"] = "Unknown referral reason."
    for code, words in details.conditions:
        if code and code not in codes.LONG_TERM_CONDITIONS:
            problems["conditions"] = f"Unknown condition {code!r}."
        elif not code and not (words or "").strip():
            problems["conditions"] = "A condition needs a name or the person's own words."
    return clean, problems


def _norm(text: str | None) -> str:
    """Lower case, accents and punctuation removed: "O'Brién" -> "obrien"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z]", "", plain.casefold())


def typo_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein (optimal string alignment): one swap, insert, delete or change = 1."""
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, start=1):
        row = [i]
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            row.append(min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + cost))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def names_similar(given_a: str, family_a: str, given_b: str, family_b: str) -> bool:
    """Close enough to ask "is this the same person?" (with the same date of birth)."""
    ga, fa, gb, fb = _norm(given_a), _norm(family_a), _norm(given_b), _norm(family_b)
    if not fa or not fb:
        return False

    def close(x: str, y: str) -> bool:
        return x == y or (min(len(x), len(y)) >= 4 and typo_distance(x, y) <= 1)

    def given_match(x: str, y: str) -> bool:
        return bool(x and y) and (x[0] == y[0] or close(x, y))

    straight = close(fa, fb) and given_match(ga, gb)
    swapped = close(fa, gb) and close(ga, fb)  # given and family typed the wrong way round
    return straight or swapped


def check_eligibility(
    rules: Eligibility | None, age: int | None, district: str | None,
    conditions: Sequence[tuple[str | None, str | None]],
) -> EligibilityResult:
    """The contract's criteria (``outcomes.eligibility.criteria_findings``, the same check the
    return makes), each failure with its reason; unknowns said as such."""
    if rules is None:
        return EligibilityResult(UNCHECKED, ("no contract chosen",))
    failed, unknown = criteria_findings(rules, age, district, conditions)
    if failed:
        return EligibilityResult(INELIGIBLE, tuple(failed + unknown))
    if unknown:
        return EligibilityResult(UNCHECKED, tuple(unknown))
    return EligibilityResult(ELIGIBLE)


def contract_rules(session: Session, contract_id: str | None) -> Eligibility | None:
    """The contract's eligibility section (as ``outcomes.contract`` parses it)."""
    if not contract_id:
        return None
    from linkworker.outcomes.store import definition_of

    row = session.get(Contract, contract_id)
    if row is None:
        raise UserError("That contract is no longer in this caseload.")
    return definition_of(row).eligibility


def _condition_pairs(details: ReferralDetails) -> list[tuple[str | None, str | None]]:
    """(code, term) as the record will hold them; the person's own words are not a term."""
    return [(code or None, codes.LONG_TERM_CONDITIONS.get(code or "")) for code, _ in
            details.conditions]


def find_duplicates(
    session: Session, actor: Actor, nhs_number: str | None, given: str, family: str,
    date_of_birth: dt.date | None, exclude: str | None = None,
) -> tuple[Duplicate, ...]:
    """People who may be this person: same NHS number, or a similar name born the same day."""
    found: dict[str, tuple[Person, str]] = {}
    live = Person.deleted_at.is_(None)
    if nhs_number:
        for person in session.execute(
            select(Person).where(Person.nhs_number == nhs_number, live)
        ).scalars():
            found[person.id] = (person, "same NHS number")
    if date_of_birth is not None:
        for person in session.execute(
            select(Person).where(Person.date_of_birth == date_of_birth, live)
        ).scalars():
            if person.id in found:
                continue
            pairs = [(person.given_name, person.family_name)]
            if person.preferred_name:
                pairs.append((person.preferred_name, person.family_name))
            if any(names_similar(given, family, g, f) for g, f in pairs):
                found[person.id] = (person, "similar name, same date of birth")
    found.pop(exclude or "", None)
    return tuple(_duplicate(session, actor, p, why) for p, why in found.values())


def _duplicate(session: Session, actor: Actor, person: Person, why: str) -> Duplicate:
    episodes = session.execute(
        select(Episode.exit_date, Episode.worker_id).where(Episode.person_id == person.id)
        .order_by(Episode.number)
    ).all()
    open_journey = bool(episodes) and episodes[-1][0] is None
    mine = can(actor, "person.view_any") or any(w == actor.user_id for _, w in episodes)
    return Duplicate(person.id, person.reference, f"{person.given_name} {person.family_name}",
                     person.date_of_birth, why, open_journey, mine)


def assess(
    target: Caseload | Session, actor: Actor, details: ReferralDetails,
    today: dt.date | None = None,
) -> Assessment:
    """Everything the form needs to show before saving: problems, eligibility, duplicates."""
    today = today or dt.date.today()
    clean, problems = check_details(details, today)
    age = age_on(clean.get("date_of_birth"), details.referral_date or today)
    with unit_of_work(target, write=False) as session:
        try:
            rules = contract_rules(session, details.contract_id)
        except UserError as exc:
            problems["contract_id"] = str(exc)
            rules = None
        district = district_of(clean.get("postcode"))
        eligibility = check_eligibility(rules, age, district, _condition_pairs(details))
        duplicates = find_duplicates(
            session, actor, clean.get("nhs_number"), clean.get("given_name") or "",
            clean.get("family_name") or "", clean.get("date_of_birth"),
        ) if not (problems.keys() & {"given_name", "family_name"}) else ()
    return Assessment(problems, eligibility, duplicates, age)


# --- the state machine ------------------------------------------------------------------------


@dataclass
class Intake:
    """Where the referral form is, and what it may do next (rendered by ui/referral.py)."""

    step: str = "details"  # details, duplicates, ready, existing, done
    details: ReferralDetails = field(default_factory=ReferralDetails)
    assessment: Assessment | None = None
    allow_duplicates: bool = False
    chosen_person_id: str | None = None
    result: SavedReferral | None = None

    def edit(self, details: ReferralDetails) -> None:
        """New details invalidate the last check (and any "different person" decision)."""
        if details != self.details:
            self.details, self.assessment, self.allow_duplicates = details, None, False
        self.step = "details"

    def assessed(self, assessment: Assessment) -> str:
        self.assessment = assessment
        if assessment.problems:
            self.step = "details"
        elif assessment.duplicates and not self.allow_duplicates:
            self.step = "duplicates"
        else:
            self.step = "ready"
        return self.step

    def different_person(self) -> None:
        if self.step != "duplicates":
            raise UserError("There is no possible duplicate to set aside.")
        self.allow_duplicates, self.step = True, "ready"

    def open_existing(self, person_id: str) -> None:
        if self.step != "duplicates" or self.assessment is None:
            raise UserError("Check the details first.")
        if person_id not in {d.person_id for d in self.assessment.duplicates}:
            raise UserError("That person was not one of the possible duplicates.")
        self.chosen_person_id, self.step = person_id, "existing"

    def saved(self, result: SavedReferral) -> None:
        self.result, self.step = result, "done"

    def back(self) -> None:
        self.step = "details"
        self.chosen_person_id = None


# --- saving -----------------------------------------------------------------------------------


def _episode_values(details: ReferralDetails, eligibility: EligibilityResult,
                    actor: Actor) -> dict:
    worker = details.worker_id or (actor.user_id if actor.role == "link_worker" else None)
    return {
        "referral_date": details.referral_date,
        "source": details.source,
        "reasons": details.reasons,
        "referrer_name": details.referrer_name.strip() or None,
        "referrer_organisation": details.referrer_organisation.strip() or None,
        "worker_id": worker,
        "contract_id": details.contract_id or None,
        "eligibility": eligibility.status,
        "eligibility_notes": "; ".join(eligibility.reasons) or None,
    }


def _keep_with_registrar(session: Session, actor: Actor, person_id: str) -> None:
    """A coordinator taking a self-referral at a drop-in has no caseload of their own: give them
    the person (``sharing.give_in_session``, audited) so they can go on registering attendance
    and forms for them that session. Other roles reach the person through their journey."""
    if actor.role == "coordinator" and actor.user_id is not None:
        from linkworker.sharing import give_in_session

        give_in_session(session, actor, person_id, actor.user_id,
                        "registered their self-referral at a drop-in")


def save_referral(
    target: Caseload | Session, actor: Actor, details: ReferralDetails, *,
    allow_duplicates: bool = False, today: dt.date | None = None,
) -> SavedReferral:
    """Create the person and their first journey (stage "referred") in one transaction.

    The checks run again inside the transaction: what the form showed may be stale.
    """
    require(actor, "person.create")
    today = today or dt.date.today()
    with unit_of_work(target) as session:
        assessment = assess(session, actor, details, today)
        if assessment.problems:
            raise UserError("Not saved: " + " ".join(assessment.problems.values()))
        if assessment.duplicates and not allow_duplicates:
            names = ", ".join(f"{d.name} ({d.reference})" for d in assessment.duplicates)
            raise DuplicateFound(f"Not saved: this may be someone already known: {names}.")
        clean, _ = check_details(details, today)
        person = Person(reference=next_reference(session), **clean)
        person.conditions = [
            Condition(code=code or None, term=codes.LONG_TERM_CONDITIONS.get(code or ""),
                      own_words=(words or "").strip() or None)
            for code, words in details.conditions
        ]
        session.add(person)
        session.flush()
        audit.record(session, actor, "person.create", entity="person", entity_id=person.id,
                     person_id=person.id,
                     details={"duplicates_set_aside": len(assessment.duplicates)})
        episode = re_refer(session, actor, person.id,
                           **_episode_values(details, assessment.eligibility, actor))
        _keep_with_registrar(session, actor, person.id)
        return SavedReferral(person.id, episode.id, person.reference, episode.number,
                             assessment.eligibility)


def refer_existing(
    target: Caseload | Session, actor: Actor, person_id: str, details: ReferralDetails,
    today: dt.date | None = None,
) -> SavedReferral:
    """"Open the existing person and start a new episode": a re-referral.

    The person's stored details are kept (the record is where they are edited); the referral's
    own facts (date, source, reasons, referrer, worker, contract) start the new journey, and
    eligibility is checked against the person as recorded.
    """
    today = today or dt.date.today()
    with unit_of_work(target) as session:
        person = session.get(Person, person_id)
        if person is None or person.deleted_at is not None:
            raise UserError("That person is no longer in this caseload.")
        if details.referral_date is None or details.referral_date > today:
            raise UserError("Give the referral date (today or earlier).")
        if details.source not in codes.REFERRAL_SOURCES or not details.reasons:
            raise UserError("Choose where the referral came from and at least one reason.")
        held = [(c.code, c.term) for c in person.conditions]
        held += _condition_pairs(details)
        eligibility = check_eligibility(
            contract_rules(session, details.contract_id),
            age_on(person.date_of_birth, details.referral_date), district_of(person.postcode), held,
        )
        known = {(c.code, (c.own_words or "").casefold()) for c in person.conditions}
        for code, words in details.conditions:
            if (code, (words or "").strip().casefold()) not in known:
                person.conditions.append(Condition(
                    code=code or None, term=codes.LONG_TERM_CONDITIONS.get(code or ""),
                    own_words=(words or "").strip() or None))
        episode = re_refer(session, actor, person.id,
                           **_episode_values(details, eligibility, actor))
        _keep_with_registrar(session, actor, person.id)
        return SavedReferral(person.id, episode.id, person.reference, episode.number,
                             eligibility)


# --- choices for the form ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralOptions:
    workers: tuple[tuple[str, str], ...]  # (user id, name)
    contracts: tuple[tuple[str, str], ...]  # (contract id, name)
    default_worker_id: str | None
    default_contract_id: str | None


def referral_options(target: Caseload | Session, actor: Actor) -> ReferralOptions:
    """Link workers to assign and contracts to refer under, with sensible defaults."""
    with unit_of_work(target, write=False) as session:
        workers = tuple((r[0], r[1]) for r in session.execute(
            select(User.id, User.display_name)
            .where(User.role == "link_worker", User.active).order_by(User.display_name)
        ))
        contracts = tuple((r[0], r[1]) for r in session.execute(
            select(Contract.id, Contract.name).order_by(Contract.name)
        ))
    mine = actor.user_id if actor.role == "link_worker" else None
    return ReferralOptions(
        workers, contracts, mine,
        contracts[0][0] if len(contracts) == 1 else None,
    )


def details_with(details: ReferralDetails, **changes: object) -> ReferralDetails:
    return replace(details, **changes)
