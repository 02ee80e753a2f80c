"""The core's own words on screen (code labels, setting names), translatable.

``linkworker/`` never imports Qt, so its fixed vocabularies stay English data: the labels of
``linkworker.codes`` (stages, referral sources, contact modes, goal categories, ethnic groups
...) and the names of ``linkworker.settings``. Screens show them through ``core(text)``, which
looks them up in the translation file under the context "core" like any other string (an
unknown text, e.g. a code the core does not know, is shown as it is). ``WORDS`` marks each one
for lupdate; ``tests/test_translations.py`` fails when the core gains a label missing here
(regenerate the list with ``python -m ui.core_words``). Free text from the core (error
messages, summaries built from data) stays English: docs/translations.md lists it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from linkworker import codes, settings


def core(text: str | None) -> str:
    """A core label in the user's language."""
    return QCoreApplication.translate("core", text) if text else (text or "")


def core_codes(table: Mapping[str, str]) -> dict[str, str]:
    """A code table (code -> label) with its labels translated, for combo boxes."""
    return {code: core(label) for code, label in table.items()}


def core_label(table: Mapping[str, str], code: str | None) -> str:
    """``codes.label`` translated: the label of ``code``, the code itself if unknown."""
    return core(codes.label(dict(table), code))


def core_vocabulary() -> list[str]:
    """Every label the core can put on screen, in a stable order."""
    words: list[str] = []
    tables = [getattr(codes, name) for name in sorted(dir(codes)) if name.isupper()]
    labels = [v for table in tables if isinstance(table, dict) for v in table.values()]
    labels += [spec.label for spec in settings.SPECS.values()]
    labels += [text for group in codes.ethnic_groups() for text in (group.group, group.category)]
    for text in labels:
        if isinstance(text, str) and text and text not in words:
            words.append(text)
    return words


WORDS = (
    QT_TRANSLATE_NOOP("core", "Yes, an unpaid carer"),
    QT_TRANSLATE_NOOP("core", "No"),
    QT_TRANSLATE_NOOP("core", "Prefer not to say"),
    QT_TRANSLATE_NOOP("core", "Keep and use my information for my support"),
    QT_TRANSLATE_NOOP("core", "Share updates with my GP"),
    QT_TRANSLATE_NOOP("core", "Share anonymised outcomes with the funder"),
    QT_TRANSLATE_NOOP("core", "Contact me by text message"),
    QT_TRANSLATE_NOOP("core", "Contact me by email"),
    QT_TRANSLATE_NOOP("core", "Match my record with NHS data for evaluation"),
    QT_TRANSLATE_NOOP("core", "Face to face"),
    QT_TRANSLATE_NOOP("core", "Phone"),
    QT_TRANSLATE_NOOP("core", "Video"),
    QT_TRANSLATE_NOOP("core", "Home visit"),
    QT_TRANSLATE_NOOP("core", "Group"),
    QT_TRANSLATE_NOOP("core", "Text message"),
    QT_TRANSLATE_NOOP("core", "Email"),
    QT_TRANSLATE_NOOP("core", "Planned"),
    QT_TRANSLATE_NOOP("core", "Attended"),
    QT_TRANSLATE_NOOP("core", "Did not attend"),
    QT_TRANSLATE_NOOP("core", "Cancelled"),
    QT_TRANSLATE_NOOP("core", "No answer"),
    QT_TRANSLATE_NOOP("core", "Withdrawn (recorded in error)"),
    QT_TRANSLATE_NOOP("core", "Yes, limited a lot"),
    QT_TRANSLATE_NOOP("core", "Yes, limited a little"),
    QT_TRANSLATE_NOOP("core", "Goals met"),
    QT_TRANSLATE_NOOP("core", "Stepped down (planned)"),
    QT_TRANSLATE_NOOP("core", "Moved away"),
    QT_TRANSLATE_NOOP("core", "Declined further support"),
    QT_TRANSLATE_NOOP("core", "Did not engage"),
    QT_TRANSLATE_NOOP("core", "Referred to another service"),
    QT_TRANSLATE_NOOP("core", "Died"),
    QT_TRANSLATE_NOOP("core", "Other"),
    QT_TRANSLATE_NOOP("core", "Male"),
    QT_TRANSLATE_NOOP("core", "Female"),
    QT_TRANSLATE_NOOP("core", "Indeterminate"),
    QT_TRANSLATE_NOOP("core", "Not known"),
    QT_TRANSLATE_NOOP("core", "Activity"),
    QT_TRANSLATE_NOOP("core", "Social connection"),
    QT_TRANSLATE_NOOP("core", "Mental wellbeing"),
    QT_TRANSLATE_NOOP("core", "Physical health"),
    QT_TRANSLATE_NOOP("core", "Money and debt"),
    QT_TRANSLATE_NOOP("core", "Housing"),
    QT_TRANSLATE_NOOP("core", "Employment and volunteering"),
    QT_TRANSLATE_NOOP("core", "Learning"),
    QT_TRANSLATE_NOOP("core", "Working on it"),
    QT_TRANSLATE_NOOP("core", "Achieved"),
    QT_TRANSLATE_NOOP("core", "Partly achieved"),
    QT_TRANSLATE_NOOP("core", "Changed"),
    QT_TRANSLATE_NOOP("core", "Dropped"),
    QT_TRANSLATE_NOOP("core", "Chronic obstructive pulmonary disease (COPD)"),
    QT_TRANSLATE_NOOP("core", "Asthma"),
    QT_TRANSLATE_NOOP("core", "Type 1 diabetes"),
    QT_TRANSLATE_NOOP("core", "Type 2 diabetes"),
    QT_TRANSLATE_NOOP("core", "Coronary heart disease"),
    QT_TRANSLATE_NOOP("core", "Heart failure"),
    QT_TRANSLATE_NOOP("core", "Epilepsy"),
    QT_TRANSLATE_NOOP("core", "High blood pressure (hypertension)"),
    QT_TRANSLATE_NOOP("core", "Osteoarthritis"),
    QT_TRANSLATE_NOOP("core", "Arthritis (other)"),
    QT_TRANSLATE_NOOP("core", "Chronic pain"),
    QT_TRANSLATE_NOOP("core", "Depression"),
    QT_TRANSLATE_NOOP("core", "Anxiety"),
    QT_TRANSLATE_NOOP("core", "Stroke"),
    QT_TRANSLATE_NOOP("core", "Cancer"),
    QT_TRANSLATE_NOOP("core", "Chronic kidney disease"),
    QT_TRANSLATE_NOOP("core", "Obesity"),
    QT_TRANSLATE_NOOP("core", "Other long-term condition"),
    QT_TRANSLATE_NOOP("core", "Loneliness or isolation"),
    QT_TRANSLATE_NOOP("core", "Living with a long-term condition"),
    QT_TRANSLATE_NOOP("core", "Low mood, stress or anxiety"),
    QT_TRANSLATE_NOOP("core", "Money, debt or benefits"),
    QT_TRANSLATE_NOOP("core", "Physical activity"),
    QT_TRANSLATE_NOOP("core", "Caring responsibilities"),
    QT_TRANSLATE_NOOP("core", "Bereavement"),
    QT_TRANSLATE_NOOP("core", "Work, volunteering or learning"),
    QT_TRANSLATE_NOOP("core", "GP practice"),
    QT_TRANSLATE_NOOP("core", "Self-referral"),
    QT_TRANSLATE_NOOP("core", "Family or friend"),
    QT_TRANSLATE_NOOP("core", "Walk-in"),
    QT_TRANSLATE_NOOP("core", "Another service"),
    QT_TRANSLATE_NOOP("core", "Peer or community group"),
    QT_TRANSLATE_NOOP("core", "Hospital or discharge team"),
    QT_TRANSLATE_NOOP("core", "Social care"),
    QT_TRANSLATE_NOOP("core", "Walking and physical activity"),
    QT_TRANSLATE_NOOP("core", "Befriending and company"),
    QT_TRANSLATE_NOOP("core", "Debt, benefits and money advice"),
    QT_TRANSLATE_NOOP("core", "Arts, crafts and music"),
    QT_TRANSLATE_NOOP("core", "Gardening and green spaces"),
    QT_TRANSLATE_NOOP("core", "Men's sheds and repair"),
    QT_TRANSLATE_NOOP("core", "Carers' support"),
    QT_TRANSLATE_NOOP("core", "Mental health and peer support"),
    QT_TRANSLATE_NOOP("core", "Volunteering"),
    QT_TRANSLATE_NOOP("core", "Learning and digital skills"),
    QT_TRANSLATE_NOOP("core", "Food"),
    QT_TRANSLATE_NOOP("core", "Housing advice"),
    QT_TRANSLATE_NOOP("core", "Health and lifestyle"),
    QT_TRANSLATE_NOOP("core", "Faith and community groups"),
    QT_TRANSLATE_NOOP("core", "Referred"),
    QT_TRANSLATE_NOOP("core", "Contacting"),
    QT_TRANSLATE_NOOP("core", "Active"),
    QT_TRANSLATE_NOOP("core", "Review due"),
    QT_TRANSLATE_NOOP("core", "Exited"),
    QT_TRANSLATE_NOOP("core", "Entered by mistake"),
    QT_TRANSLATE_NOOP("core", "Recorded on the wrong person"),
    QT_TRANSLATE_NOOP("core", "Recorded twice"),
    QT_TRANSLATE_NOOP("core", "Lock the window after this many idle minutes"),
    QT_TRANSLATE_NOOP("core", "Shortest password allowed"),
    QT_TRANSLATE_NOOP("core", "Failed sign-ins before an account is locked"),
    QT_TRANSLATE_NOOP("core", "Daily backups to keep"),
    QT_TRANSLATE_NOOP("core", "Back up when LinkWorker closes"),
    QT_TRANSLATE_NOOP("core", "Years to keep a record after the last journey ended"),
    QT_TRANSLATE_NOOP("core", "This is a demonstration caseload"),
    QT_TRANSLATE_NOOP("core", "Organisation's name (printed on My plan)"),
    QT_TRANSLATE_NOOP("core", "Phone or email people can reach you on"),
    QT_TRANSLATE_NOOP("core", "White"),
    QT_TRANSLATE_NOOP("core", "English, Welsh, Scottish, Northern Irish or British"),
    QT_TRANSLATE_NOOP("core", "Irish"),
    QT_TRANSLATE_NOOP("core", "Gypsy or Irish Traveller"),
    QT_TRANSLATE_NOOP("core", "Roma"),
    QT_TRANSLATE_NOOP("core", "Any other White background"),
    QT_TRANSLATE_NOOP("core", "Mixed or Multiple"),
    QT_TRANSLATE_NOOP("core", "White and Black Caribbean"),
    QT_TRANSLATE_NOOP("core", "White and Black African"),
    QT_TRANSLATE_NOOP("core", "White and Asian"),
    QT_TRANSLATE_NOOP("core", "Any other Mixed or Multiple background"),
    QT_TRANSLATE_NOOP("core", "Asian or Asian British"),
    QT_TRANSLATE_NOOP("core", "Indian"),
    QT_TRANSLATE_NOOP("core", "Pakistani"),
    QT_TRANSLATE_NOOP("core", "Bangladeshi"),
    QT_TRANSLATE_NOOP("core", "Chinese"),
    QT_TRANSLATE_NOOP("core", "Any other Asian background"),
    QT_TRANSLATE_NOOP("core", "Black, Black British, Caribbean or African"),
    QT_TRANSLATE_NOOP("core", "Caribbean"),
    QT_TRANSLATE_NOOP("core", "African"),
    QT_TRANSLATE_NOOP("core", "Any other Black background"),
    QT_TRANSLATE_NOOP("core", "Arab"),
    QT_TRANSLATE_NOOP("core", "Any other ethnic group"),
    QT_TRANSLATE_NOOP("core", "Not stated"),
)


if __name__ == "__main__":  # print the WORDS block for this file
    for word in core_vocabulary():
        print(f"    QT_TRANSLATE_NOOP(\"core\", {json.dumps(word, ensure_ascii=False)}),")
