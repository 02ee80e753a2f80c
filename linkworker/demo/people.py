"""Synthetic people: names that fit their stated ethnicity, Tyneside addresses, test-range NHS
numbers, long-term conditions in their own words, and consents.

Nothing here is a real person: NHS numbers are in the 999 range (never issued), phone numbers
in Ofcom's drama ranges, e-mail addresses at example.com, postcodes' inward codes invented.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from linkworker import codes
from linkworker.demo.data import EthnicMix
from linkworker.demo.world import World
from linkworker.validation import nhs_check_digit

GENDERS = ("2", "1", "X", "9")
GENDER_WEIGHTS = (53.0, 45.5, 1.0, 0.5)
DISABILITY = ("yes_limited_a_lot", "yes_limited_a_little", "no", "prefer_not_to_say", None)
DISABILITY_WEIGHTS = (25.0, 35.0, 35.0, 3.0, 2.0)
CARER = ("yes", "no", "prefer_not_to_say", None)
CARER_WEIGHTS = (15.0, 80.0, 2.0, 3.0)
LIVING = (
    "Lives alone",
    "Lives alone",
    "Lives with partner",
    "Lives with partner and children",
    "Lives with adult son",
    "Lives with adult daughter",
    "Lives with parents",
    "Sheltered housing",
    "Supported accommodation",
    "Lives with lodger",
)
CONDITION_COUNTS = (0, 1, 2, 3)
CONDITION_COUNT_WEIGHTS = (12.0, 45.0, 30.0, 13.0)
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # letters used in real inward codes
BEST_TIMES = ("Mornings", "Afternoons", "Any time", "Not before 10am", "After school run")
AGE_GROUPS = ((40, 74), (25, 39), (75, 89))
AGE_GROUP_WEIGHTS = (85.0, 8.0, 7.0)


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii() and c.isalpha())


def nhs_number(world: World) -> str:
    """A unique, check-digit-valid NHS number in the 999 test range."""
    while True:
        first_nine = f"999{world.rng.randrange(1_000_000):06d}"
        check = nhs_check_digit(first_nine)
        number = f"{first_nine}{check}"
        if check is not None and number not in world.nhs_numbers:
            world.nhs_numbers.add(number)
            return number


def postcode(world: World, district: str) -> str:
    letters = world.rng.choice(INWARD_LETTERS) + world.rng.choice(INWARD_LETTERS)
    return f"{district} {world.rng.randint(1, 9)}{letters}"


def _names(world: World, mix: EthnicMix, sex: str) -> tuple[str, str]:
    data = world.data
    given_pool = world.pick(mix.given_pools)
    family_pool = world.pick(mix.family_pools)
    given = world.pick(data.given_names[(given_pool, sex)])
    return given, world.pick(data.family_names[family_pool])


def date_of_birth(world: World, first_referral: dt.date) -> dt.date:
    low, high = world.pick(AGE_GROUPS, AGE_GROUP_WEIGHTS)
    age = world.rng.randint(low, high)
    born = first_referral.replace(year=first_referral.year - age, day=1)
    return born - world.days(0, 364)


def person_row(world: World, person_id: str, reference: str, first_referral: dt.date) -> dict:
    """The ``people`` row (``current_episode_id`` is filled in by the caller)."""
    rng, data = world.rng, world.data
    mix = world.pick(data.ethnic_mix, data.ethnic_weights)
    gender = world.pick(GENDERS, GENDER_WEIGHTS)
    sex = gender if gender in ("1", "2") else rng.choice("12")
    given, family = _names(world, mix, "M" if sex == "1" else "F")
    place = world.pick(data.places, data.place_weights)
    practices = data.gp_practices.get(place.district) or data.gp_practices["NE1"]
    email = None
    if world.chance(0.35):
        email = f"{_ascii(given)}.{_ascii(family)}{rng.randint(1, 99)}@example.com".lower()
    phone = None
    if world.chance(0.9):
        phone = (
            f"07700 900{rng.randint(0, 999):03d}"
            if world.chance(0.8)
            else f"0191 498 0{rng.randint(0, 999):03d}"
        )
    return {
        "id": person_id,
        "created_at": world.stamp(first_referral),
        "updated_at": world.stamp(first_referral),
        "reference": reference,
        "given_name": given,
        "family_name": family,
        "preferred_name": given.split()[0] if " " in given and world.chance(0.5) else None,
        "date_of_birth": date_of_birth(world, first_referral),
        "nhs_number": nhs_number(world) if world.chance(0.87) else None,
        "address_line1": f"{rng.randint(1, 180)} {world.pick(data.streets)}",
        "address_line2": place.locality,
        "town": place.town,
        "postcode": postcode(world, place.district),
        "phone": phone,
        "email": email,
        "contact_preferences": {
            "phone": phone is not None,
            "text": phone is not None and phone.startswith("07") and world.chance(0.7),
            "email": email is not None and world.chance(0.6),
            "letter": world.chance(0.3),
            "best_time": world.pick(BEST_TIMES),
        },
        "gender": gender,
        "gender_self_described": "Non-binary" if gender == "X" and world.chance(0.4) else None,
        "ethnicity": mix.category,
        "ethnicity_nhs_code": codes.nhs_ethnic_code(mix.category),
        "disability": world.pick(DISABILITY, DISABILITY_WEIGHTS),
        "carer_status": world.pick(CARER, CARER_WEIGHTS),
        "living_circumstances": world.pick(LIVING),
        "gp_practice": world.pick(practices),
        "imd_decile": rng.randint(place.imd_low, place.imd_high),
        "imd_edition": "IoD2019",
        "is_volunteer": False,
        "external_ref": None,
        "current_episode_id": None,
        "anonymised_at": None,
        "deleted_at": None,
    }


def condition_rows(world: World, person_id: str, on: dt.date) -> list[dict]:
    """Long-term conditions: the coded term beside the person's own words."""
    data = world.data
    count = world.pick(CONDITION_COUNTS, CONDITION_COUNT_WEIGHTS)
    chosen: dict[str, tuple[str, ...]] = {}
    for _ in range(count):
        code, words = world.pick(data.conditions, data.condition_weights)
        chosen[code] = words
    stamp = world.stamp(on)
    return [
        {
            "id": world.new_id(),
            "created_at": stamp,
            "updated_at": stamp,
            "person_id": person_id,
            "code": code,
            "term": codes.LONG_TERM_CONDITIONS[code],
            "own_words": world.pick(words),
        }
        for code, words in chosen.items()
    ]


def consent_rows(
    world: World, person_id: str, referred: dt.date, met: dt.date | None, worker_id: str | None
) -> list[dict]:
    """Data processing for everyone (from referral); the rest agreed at the first meeting.

    A few consents expire (evaluation data sharing is often time-limited), and a few are
    withdrawn, so the consent warnings and the returns' "missing consent" list have work to do.
    """
    rows = [_consent(world, person_id, "data_processing", True, met or referred, worker_id)]
    if met is None:
        return rows
    for kind, p_asked, p_yes in (
        ("share_with_commissioner", 0.92, 0.88),
        ("share_with_gp", 0.7, 0.85),
        ("contact_by_text", 0.6, 0.8),
        ("contact_by_email", 0.3, 0.7),
        ("external_matching", 0.4, 0.75),
    ):
        if world.chance(p_asked):
            row = _consent(world, person_id, kind, world.chance(p_yes), met, worker_id)
            if row["given"] and kind in ("share_with_commissioner", "external_matching"):
                if world.chance(0.25):
                    row["expires_on"] = met + dt.timedelta(days=730)
                if world.chance(0.03):
                    row["withdrawn_on"] = min(met + world.days(30, 500), world.today)
            rows.append(row)
    return rows


def _consent(
    world: World, person_id: str, kind: str, given: bool, on: dt.date, worker_id: str | None
) -> dict:
    stamp = world.stamp(on)
    return {
        "id": world.new_id(),
        "created_at": stamp,
        "updated_at": stamp,
        "person_id": person_id,
        "kind": kind,
        "given": given,
        "recorded_on": on,
        "how": world.pick(("verbal", "written", "electronic"), (50.0, 35.0, 15.0)),
        "expires_on": None,
        "withdrawn_on": None,
        "recorded_by_id": worker_id,
    }
