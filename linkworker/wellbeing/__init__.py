"""Wellbeing measures: instruments as data, scoring, change, recording and summaries.

The public scoring API, for scripts and for the rest of the app::

    from linkworker.wellbeing import score, classify_change
    result = score("WEMWBS", [4] * 14)          # result.raw == result.value == 56
    classify_change("WEMWBS", 40, 43) == "improved"

No Qt here; database work lives in ``measures``, ``wording``, ``custom`` and ``summaries``.
"""

from linkworker.wellbeing.instruments import (
    Instrument,
    InstrumentFileError,
    get_instrument,
    list_instruments,
    load_definition_file,
    parse_definition,
)
from linkworker.wellbeing.scoring import (
    Change,
    Direction,
    InvalidAnswers,
    ItemScore,
    Score,
    classify_change,
    classify_item_changes,
    score,
)

__all__ = [
    "Change",
    "Direction",
    "Instrument",
    "InstrumentFileError",
    "InvalidAnswers",
    "ItemScore",
    "Score",
    "classify_change",
    "classify_item_changes",
    "get_instrument",
    "list_instruments",
    "load_definition_file",
    "parse_definition",
    "score",
]
