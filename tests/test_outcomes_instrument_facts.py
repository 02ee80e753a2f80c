"""Instrument facts live in the instrument files (resources/instruments/*.json), not in code:
the names people write for an instrument in an import file, and how many statements an
organisation loads as licensed wording."""

from __future__ import annotations

import datetime as dt

import pytest

from linkworker.io.mapping import Field
from linkworker.io.validate import InvalidValue, convert
from linkworker.wellbeing import list_instruments

INSTRUMENT = Field("instrument", "Instrument", type="instrument")


@pytest.mark.parametrize(("written", "code"), [
    ("Warwick-Edinburgh", "WEMWBS"), ("short warwick edinburgh", "SWEMWBS"),
    ("ONS personal wellbeing", "ONS4"), ("ons", "ONS4"), ("wemwbs", "WEMWBS"),
])
def test_import_reads_instrument_names_from_the_instrument_files(written, code):
    assert convert(written, INSTRUMENT, dt.date(2026, 1, 1)) == code


def test_every_alias_comes_from_a_file_and_resolves_to_its_instrument():
    for inst in list_instruments():
        for alias in inst.definition.get("aliases", ()):
            assert convert(alias, INSTRUMENT, dt.date(2026, 1, 1)) == inst.code
    with pytest.raises(InvalidValue):
        convert("a made-up scale", INSTRUMENT, dt.date(2026, 1, 1))


def test_the_wording_dialog_expects_the_files_item_counts(qtbot, runner, actor_admin):
    from ui.wellbeing.wording_dialog import LoadWordingDialog

    dialog = LoadWordingDialog(runner, actor_admin)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.instrument.count() > 0)
    counts = {}
    for i in range(dialog.instrument.count()):
        dialog.instrument.setCurrentIndex(i)
        counts[dialog.instrument.itemData(i)] = dialog._expected()
    assert counts["WEMWBS"] == 14 and counts.get("SWEMWBS", 7) == 7
