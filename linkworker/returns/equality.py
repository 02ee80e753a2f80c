"""Equality breakdowns of the people a return claims for, with small cells suppressed.

Counts of 1 to 4 people are shown as "<5" in everything that leaves the building; where only
one cell of a breakdown would be hidden, the next smallest is hidden too, so the hidden one
cannot be worked out from the total (secondary suppression). That second cell is shown as
"suppressed", never as "<5": it may hold 80 people, and "<5" would be false. Zero is shown: it
discloses no one.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from linkworker.codes import DISABILITY, GENDERS, age_band, label, nhs_ethnic_categories
from linkworker.outcomes.facts import PersonRow
from linkworker.returns.document import SECONDARY, SMALL, EqualityBreakdown, EqualityCell
from linkworker.validation import age_on

MIN_CELL = 5
FOOTNOTE = (
    "Cells of 1 to 4 people are shown as \"<5\" to protect privacy; where one hidden cell could "
    "be worked out from the total, the next smallest is hidden too and shown as \"suppressed\" "
    "(it may be any size)."
)
AGE_ORDER = ("Under 16", "16-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+", "Unknown")


def ethnic_group(code: str | None) -> str:
    """The broad NHS ethnic group of a code (A-S); Z not stated; 99 or blank not known."""
    if code in (None, "", "99"):
        return "Not known"
    if code == "Z":
        return "Not stated"
    described = nhs_ethnic_categories().get(code)
    return described.split(":")[0].strip() if described else "Not known"


def _imd(decile: int | None) -> str:
    if decile is None:
        return "Not known"
    return f"{decile} (most deprived)" if decile == 1 else (
        f"{decile} (least deprived)" if decile == 10 else str(decile)
    )


def suppress(counts: list[tuple[str, int]], min_cell: int = MIN_CELL) -> tuple[EqualityCell, ...]:
    """The cells of one breakdown: small counts become "<5"; the cell hidden only so the small
    one cannot be worked out (secondary suppression) becomes "suppressed"."""
    small = {i for i, (_, n) in enumerate(counts) if 0 < n < min_cell}
    second: set[int] = set()
    if len(small) == 1:
        others = sorted((n, i) for i, (_, n) in enumerate(counts) if i not in small and n > 0)
        if others:
            second.add(others[0][1])
    return tuple(
        EqualityCell(text, SMALL if i in small else SECONDARY if i in second else n)
        for i, (text, n) in enumerate(counts)
    )


def breakdowns(people: list[PersonRow], on: dt.date) -> tuple[EqualityBreakdown, ...]:
    """Age band (on ``on``), gender, ethnic group, disability and IMD decile, suppressed."""
    def tally(values, order=None) -> list[tuple[str, int]]:
        counted = Counter(values)
        keys = [k for k in order if k in counted] if order else sorted(counted)
        return [(k, counted[k]) for k in keys]

    return tuple(EqualityBreakdown(name, suppress(counts)) for name, counts in (
        ("Age band", tally((age_band(age_on(p.date_of_birth, on)) for p in people), AGE_ORDER)),
        ("Gender", tally(label(GENDERS, p.gender) or "Not known" for p in people)),
        ("Ethnic group", tally(ethnic_group(p.ethnicity_code) for p in people)),
        ("Disability", tally(label(DISABILITY, p.disability) or "Not known" for p in people)),
        ("IMD decile", tally((_imd(p.imd_decile) for p in people),
                             [_imd(d) for d in range(1, 11)] + ["Not known"])),
    ))
