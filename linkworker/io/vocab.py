"""What people type in spreadsheets, mapped to LinkWorker's codes.

Every coded field accepts its code ("did_not_attend"), its label ("Did not attend") and the
common ways charities write it ("DNA", "F2F", "White British"). The code lists themselves live
in ``linkworker.codes`` and ``linkworker.models``; this module only adds the everyday spellings,
so a new code added there is accepted here at once (by code and by label).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping

from linkworker import codes
from linkworker.validation import InvalidValue


def squash(text: object) -> str:
    """Case, spaces and punctuation removed: "Face-to-face " -> "facetoface"."""
    return re.sub(r"[^0-9a-z]+", "", str(text).casefold().replace("&", "and"))


class Vocabulary:
    """One coded field: codes, their labels, and extra spellings, all matched squashed."""

    def __init__(self, what: str, labels: Mapping[str, str],
                 extra: Mapping[str, Iterable[str]] | None = None) -> None:
        self.what = what
        self.labels = dict(labels)
        self._lookup: dict[str, str] = {}
        for code, label in labels.items():
            self._lookup[squash(code)] = code
            self._lookup.setdefault(squash(label), code)
        for code, spellings in (extra or {}).items():
            for spelling in spellings:
                self._lookup.setdefault(squash(spelling), code)

    def code(self, value: object) -> str:
        found = self._lookup.get(squash(value))
        if found is None:
            examples = ", ".join(list(self.labels.values())[:6])
            more = ", ..." if len(self.labels) > 6 else ""
            raise InvalidValue(f"{value!r} is not a known {self.what} (for example {examples}"
                               f"{more}).")
        return found


def _labels(values: Iterable[str]) -> dict[str, str]:
    return {v: v.replace("_", " ").capitalize() for v in values}


GENDER = Vocabulary("gender", codes.GENDERS, {
    "1": ["m", "man", "male", "boy"],
    "2": ["f", "w", "woman", "female", "girl"],
    "9": ["indeterminate", "non-binary", "nonbinary", "other", "i"],
    "X": ["unknown", "not known", "not stated", "prefer not to say", "u", "n/k"],
})

_WHITE_BRITISH = "English, Welsh, Scottish, Northern Irish or British"
ETHNICITY_SPELLINGS = {
    _WHITE_BRITISH: ["white british", "british", "english", "welsh", "scottish",
                     "northern irish", "white english", "white welsh", "white scottish",
                     "white northern irish", "white uk", "white - british", "wb"],
    "Irish": ["white irish"],
    "Gypsy or Irish Traveller": ["gypsy", "traveller", "irish traveller",
                                 "white gypsy or irish traveller"],
    "Roma": ["white roma"],
    "Any other White background": ["white other", "other white", "white", "white european",
                                   "polish", "european"],
    "White and Black Caribbean": ["mixed white and black caribbean"],
    "White and Black African": ["mixed white and black african"],
    "White and Asian": ["mixed white and asian"],
    "Any other Mixed or Multiple background": ["mixed", "mixed other", "other mixed",
                                               "multiple", "mixed race"],
    "Indian": ["asian indian", "british indian"],
    "Pakistani": ["asian pakistani", "british pakistani"],
    "Bangladeshi": ["asian bangladeshi", "british bangladeshi"],
    "Chinese": ["asian chinese"],
    "Any other Asian background": ["asian other", "other asian", "asian"],
    "Caribbean": ["black caribbean", "black british caribbean"],
    "African": ["black african", "black british african"],
    "Any other Black background": ["black other", "other black", "black", "black british"],
    "Arab": ["other arab"],
    "Any other ethnic group": ["other", "other ethnic group", "any other"],
    "Prefer not to say": ["not stated", "declined", "refused", "prefer not to say",
                          "not disclosed", "rather not say"],
}


@functools.cache
def ethnicity_vocabulary() -> Vocabulary:
    """2021 Census categories by name, by "Group: category", by NHS letter, and common text."""
    labels: dict[str, str] = {}
    extra: dict[str, list[str]] = {}
    letters: dict[str, list[str]] = {}
    for group in codes.ethnic_groups():
        labels[group.category] = group.category
        extra.setdefault(group.category, []).append(group.label)
        letters.setdefault(group.nhs_code, []).append(group.category)
    for letter, categories in letters.items():
        if len(categories) == 1:  # C and S name several categories: not a safe guess
            extra[categories[0]].append(letter)
    for category, spellings in ETHNICITY_SPELLINGS.items():
        extra.setdefault(category, []).extend(spellings)
    return Vocabulary("2021 Census ethnic group", labels, extra)


DISABILITY = Vocabulary("disability answer", codes.DISABILITY, {
    "yes_limited_a_lot": ["yes a lot", "a lot"],
    "yes_limited_a_little": ["yes", "y", "yes a little", "a little", "disabled"],
    "no": ["n", "none", "not disabled"],
    "prefer_not_to_say": ["not stated", "declined"],
})
CARER = Vocabulary("carer status", codes.CARER_STATUS, {
    "yes": ["y", "carer", "unpaid carer", "true"],
    "no": ["n", "not a carer", "false"],
    "prefer_not_to_say": ["not stated", "declined"],
})
REFERRAL_SOURCE = Vocabulary("referral source", codes.REFERRAL_SOURCES, {
    "gp": ["gp", "doctor", "surgery", "practice", "gp surgery", "primary care", "nurse"],
    "self": ["self", "self referral", "self-referred"],
    "family": ["family", "friend", "relative"],
    "walk_in": ["walk in", "drop in"],
    "hospital": ["hospital", "discharge", "a&e"],
    "social_care": ["social services", "social worker", "adult social care"],
    "other_service": ["other service", "agency", "voluntary sector", "vcse", "charity",
                      "another service", "third sector", "voluntary organisation"],
})
REFERRAL_REASON = Vocabulary("referral reason", codes.REFERRAL_REASONS, {
    "loneliness": ["lonely", "isolation", "social isolation"],
    "long_term_condition": ["ltc", "long term condition", "health condition"],
    "mental_wellbeing": ["mental health", "low mood", "anxiety", "stress", "depression"],
    "money": ["debt", "benefits", "finance", "financial"],
    "physical_activity": ["exercise", "activity"],
    "carer": ["caring", "carer support"],
    "employment": ["work", "volunteering", "learning", "education"],
})
EXIT_REASON = Vocabulary("exit reason", codes.EXIT_REASONS, {
    "goals_met": ["completed", "goals achieved", "achieved"],
    "stepped_down": ["planned exit", "planned", "stepped down"],
    "moved": ["moved away", "moved out of area"],
    "declined": ["declined support", "withdrew"],
    "not_engaged": ["dna", "disengaged", "no contact", "lost contact", "did not engage"],
    "referred_on": ["referred elsewhere", "onward referral", "signposted"],
})
STAGE = Vocabulary("stage", codes.STAGE_LABELS, {
    "referred": ["new", "referral"],
    "contacting": ["trying to contact", "contact attempted"],
    "active": ["open", "in progress", "ongoing", "live"],
    "review": ["review"],
    "exited": ["closed", "discharged", "ended", "finished", "exit"],
})
CONTACT_MODE = Vocabulary("contact mode", codes.CONTACT_MODE_LABELS, {
    "face_to_face": ["f2f", "ftf", "in person", "meeting", "face2face"],
    "phone": ["telephone", "call", "phone call", "tel"],
    "video": ["video call", "zoom", "teams", "online"],
    "home_visit": ["home", "hv", "visit"],
    "group": ["group session", "group activity"],
    "text": ["sms", "text"],
})
CONTACT_STATUS = Vocabulary("contact status", codes.CONTACT_STATUS_LABELS, {
    "attended": ["yes", "y", "true", "1", "attended", "seen", "completed", "done", "met",
                 "came", "present", "yes attended"],
    "did_not_attend": ["dna", "no show", "no-show", "did not attend", "didn't attend",
                       "did not show", "missed", "not attended", "no", "n", "false", "0",
                       "absent", "wna", "was not brought", "no attendance"],
    "cancelled": ["canceled", "cancelled by person", "cancelled by worker", "cancelled by client",
                  "client cancelled", "worker cancelled", "cancellation", "rearranged",
                  "postponed", "cancelled dna"],
    "no_answer": ["no reply", "unanswered", "voicemail", "left message"],
    "planned": ["booked", "scheduled", "future"],
})
GOAL_CATEGORY = Vocabulary("goal category", codes.GOAL_CATEGORY_LABELS, {
    "activity": ["activities", "hobby", "hobbies", "leisure", "interests", "arts", "creative",
                 "getting out", "days out"],
    "social_connection": ["social", "loneliness", "friends", "social isolation", "isolation",
                          "lonely", "connecting", "connections", "community", "social contact",
                          "relationships", "family"],
    "mental_wellbeing": ["mental health", "wellbeing", "mood", "anxiety", "confidence",
                         "emotional wellbeing", "emotional health", "stress", "self esteem"],
    "physical_health": ["health", "physical", "exercise", "fitness", "physical activity",
                        "keeping active", "being active", "activity levels", "diet",
                        "healthy eating", "weight", "smoking", "sleep", "physical wellbeing",
                        "lifestyle", "health and wellbeing"],
    "money_debt": ["money", "debt", "finance", "finances", "financial", "benefits",
                   "money and benefits", "budgeting"],
    "housing": ["home", "accommodation", "living situation"],
    "employment_volunteering": ["employment", "work", "volunteering", "job", "volunteer",
                                "jobs", "work and volunteering"],
    "learning": ["education", "training", "skills", "courses", "digital skills"],
})
GOAL_STATUS = Vocabulary("goal status", codes.GOAL_STATUS_LABELS, {
    "open": ["open", "in progress", "ongoing", "not started", "active"],
    "achieved": ["met", "done", "completed", "yes"],
    "partly": ["partially", "partly met", "partially achieved", "some progress"],
    "changed": ["revised", "amended"],
    "dropped": ["abandoned", "not achieved", "withdrawn", "stopped"],
})
SERVICE_CATEGORY = Vocabulary("directory category", codes.SERVICE_CATEGORIES, {
    "physical_activity": ["walking", "exercise", "sport", "physical activity"],
    "befriending": ["befriending", "company", "social"],
    "debt_benefits": ["debt", "benefits", "money", "money advice", "welfare rights"],
    "arts_crafts": ["arts", "crafts", "music", "art"],
    "gardening": ["garden", "allotment", "green space"],
    "mens_sheds": ["mens shed", "men's shed", "repair cafe"],
    "carers": ["carer", "carers"],
    "mental_health_peer": ["mental health", "peer support"],
    "learning": ["digital skills", "education", "training"],
    "food": ["food bank", "lunch club"],
    "housing": ["housing"],
    "health": ["lifestyle", "health"],
    "faith_community": ["faith", "church", "mosque", "community group"],
})
ELIGIBILITY = Vocabulary("eligibility", _labels(("eligible", "ineligible", "unchecked")), {
    "eligible": ["yes", "y"], "ineligible": ["no", "n", "not eligible"],
    "unchecked": ["unknown", "not checked"],
})
MEASURE_MODE = Vocabulary("way of completing the form", {
    "with_worker": "With the worker", "self_completed": "Self-completed",
    "paper": "Paper, keyed in later"}, {
    "with_worker": ["worker", "with worker", "assisted", "face to face"],
    "self_completed": ["self", "self complete", "online"],
    "paper": ["paper form", "postal"],
})

_YES = {"yes", "y", "true", "t", "1", "x", "ticked", "accompanied", "tookup", "active"}
_NO = {"no", "n", "false", "f", "0", "inactive", "notaccompanied", "declined"}


def yes_no(value: object) -> bool:
    if isinstance(value, bool):
        return value
    key = squash(value)
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise InvalidValue(f"{value!r} is not yes or no.")


def timepoint(value: object) -> str:
    """ "Baseline", "3 months", "3m review", "review_3m", "6-month", "exit" -> a timepoint code."""
    text = str(value).strip().casefold()
    if text in ("baseline", "start", "initial", "first", "pre", "0", "0m", "month 0"):
        return "baseline"
    if text in ("exit", "end", "final", "closing", "post"):
        return "exit"
    if text == "other":
        return "other"
    match = re.fullmatch(r"(?:review[_ ]?)?(?:month\s*)?(\d{1,3})\s*-?\s*(?:m|mo|months?)?"
                         r"(?:\s*-?\s*(?:review|follow[ -]?up))?", text)
    if match and 0 < int(match.group(1)) <= 120:
        return f"review_{int(match.group(1))}m"
    raise InvalidValue(f"{value!r} is not a timepoint: use Baseline, 3 months (any number of "
                       "months), Exit or Other.")
