"""Fixed code lists: one place for every list a form, an import or a return uses.

Ethnicity is stored as the 2021 Census category the person chose; the NHS ETHNIC CATEGORY code
is derived from it (never typed), from the tables shipped in ``resources/codes``.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass

from linkworker.resources import resource_path

GENDERS = {"1": "Male", "2": "Female", "9": "Indeterminate", "X": "Not known"}

REFERRAL_SOURCES = {
    "gp": "GP practice",
    "self": "Self-referral",
    "family": "Family or friend",
    "walk_in": "Walk-in",
    "other_service": "Another service",
    "peer": "Peer or community group",
    "hospital": "Hospital or discharge team",
    "social_care": "Social care",
    "other": "Other",
}

REFERRAL_REASONS = {
    "loneliness": "Loneliness or isolation",
    "long_term_condition": "Living with a long-term condition",
    "mental_wellbeing": "Low mood, stress or anxiety",
    "money": "Money, debt or benefits",
    "housing": "Housing",
    "physical_activity": "Physical activity",
    "carer": "Caring responsibilities",
    "bereavement": "Bereavement",
    "employment": "Work, volunteering or learning",
    "other": "Other",
}

EXIT_REASONS = {
    "goals_met": "Goals met",
    "stepped_down": "Stepped down (planned)",
    "moved": "Moved away",
    "declined": "Declined further support",
    "not_engaged": "Did not engage",
    "referred_on": "Referred to another service",
    "died": "Died",
    "other": "Other",
}

STAGE_LABELS = {
    "referred": "Referred",
    "contacting": "Contacting",
    "active": "Active",
    "review": "Review due",
    "exited": "Exited",
}

CONTACT_MODE_LABELS = {
    "face_to_face": "Face to face",
    "phone": "Phone",
    "video": "Video",
    "home_visit": "Home visit",
    "group": "Group",
    "text": "Text message",
    "email": "Email",
}

CONTACT_STATUS_LABELS = {
    "planned": "Planned",
    "attended": "Attended",
    "did_not_attend": "Did not attend",
    "cancelled": "Cancelled",
    "no_answer": "No answer",
    "withdrawn": "Withdrawn (recorded in error)",
}

# Why a saved contact or goal is withdrawn (it stays on the record, marked, and audited).
WITHDRAW_REASONS = {
    "mistake": "Entered by mistake",
    "wrong_person": "Recorded on the wrong person",
    "duplicate": "Recorded twice",
}

GOAL_CATEGORY_LABELS = {
    "activity": "Activity",
    "social_connection": "Social connection",
    "mental_wellbeing": "Mental wellbeing",
    "physical_health": "Physical health",
    "money_debt": "Money and debt",
    "housing": "Housing",
    "employment_volunteering": "Employment and volunteering",
    "learning": "Learning",
    "other": "Other",
}

GOAL_STATUS_LABELS = {
    "open": "Working on it",
    "achieved": "Achieved",
    "partly": "Partly achieved",
    "changed": "Changed",
    "dropped": "Dropped",
    "withdrawn": "Withdrawn (recorded in error)",
}

CONSENT_KINDS = {
    "data_processing": "Keep and use my information for my support",
    "share_with_gp": "Share updates with my GP",
    "share_with_commissioner": "Share anonymised outcomes with the funder",
    "contact_by_text": "Contact me by text message",
    "contact_by_email": "Contact me by email",
    "external_matching": "Match my record with NHS data for evaluation",
}

DISABILITY = {
    "yes_limited_a_lot": "Yes, limited a lot",
    "yes_limited_a_little": "Yes, limited a little",
    "no": "No",
    "prefer_not_to_say": "Prefer not to say",
}

CARER_STATUS = {"yes": "Yes, an unpaid carer", "no": "No", "prefer_not_to_say": "Prefer not to say"}

# Coded long-term conditions (``Condition.code``); the person's own words are kept beside them.
# The first six are the Ways to Wellness eligibility list (reference: equality.md).
LONG_TERM_CONDITIONS = {
    "copd": "Chronic obstructive pulmonary disease (COPD)",
    "asthma": "Asthma",
    "diabetes_type1": "Type 1 diabetes",
    "diabetes_type2": "Type 2 diabetes",
    "coronary_heart_disease": "Coronary heart disease",
    "heart_failure": "Heart failure",
    "epilepsy": "Epilepsy",
    "hypertension": "High blood pressure (hypertension)",
    "osteoarthritis": "Osteoarthritis",
    "arthritis": "Arthritis (other)",
    "chronic_pain": "Chronic pain",
    "depression": "Depression",
    "anxiety": "Anxiety",
    "stroke": "Stroke",
    "cancer": "Cancer",
    "chronic_kidney_disease": "Chronic kidney disease",
    "obesity": "Obesity",
    "other": "Other long-term condition",
}

# Directory categories (``Service.category``).
SERVICE_CATEGORIES = {
    "physical_activity": "Walking and physical activity",
    "befriending": "Befriending and company",
    "debt_benefits": "Debt, benefits and money advice",
    "arts_crafts": "Arts, crafts and music",
    "gardening": "Gardening and green spaces",
    "mens_sheds": "Men's sheds and repair",
    "carers": "Carers' support",
    "mental_health_peer": "Mental health and peer support",
    "volunteering": "Volunteering",
    "learning": "Learning and digital skills",
    "food": "Food",
    "housing": "Housing advice",
    "health": "Health and lifestyle",
    "faith_community": "Faith and community groups",
    "other": "Other",
}

AGE_BANDS = ((16, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, 74), (75, None))


def age_band(age: int | None) -> str:
    """The band used in returns: 16-24 ... 75+; "Unknown" without a date of birth."""
    if age is None:
        return "Unknown"
    for low, high in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return f"{low}+" if high is None else f"{low}-{high}"
    return "Under 16"


@dataclass(frozen=True)
class EthnicGroup:
    group: str
    category: str
    nhs_code: str

    @property
    def label(self) -> str:
        return f"{self.group}: {self.category}"


@functools.cache
def ethnic_groups() -> tuple[EthnicGroup, ...]:
    with resource_path("codes", "census2021_ethnic_group.csv").open(encoding="utf-8") as f:
        rows = csv.DictReader(f)
        return tuple(EthnicGroup(r["group"], r["category"], r["nhs_code"]) for r in rows)


@functools.cache
def nhs_ethnic_categories() -> dict[str, str]:
    with resource_path("codes", "nhs_ethnic_category.csv").open(encoding="utf-8") as f:
        return {r["code"]: f"{r['group']}: {r['description']}" for r in csv.DictReader(f)}


def nhs_ethnic_code(category: str | None) -> str:
    """The NHS code derived from a 2021 Census category; 99 when not known or not asked."""
    if not category:
        return "99"
    wanted = category.strip().casefold()
    for group in ethnic_groups():
        if wanted in (group.category.casefold(), group.label.casefold()):
            return group.nhs_code
    return "99"


def label(codes: dict[str, str], code: str | None) -> str:
    """The display label of a code, or the code itself if unknown; empty for None."""
    if code is None:
        return ""
    return codes.get(code, code)
