"""The screen's dates (dd/mm/yyyy) are written without ``strftime`` (issue 15: a list's
repaint formats one per row); they must read exactly as ``strftime`` wrote them."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from linkworker.validation import format_date


@given(st.dates(min_value=dt.date(1000, 1, 1)))
def test_a_date_reads_as_strftime_wrote_it(day):
    assert format_date(day) == day.strftime("%d/%m/%Y")


def test_no_date_is_empty():
    assert format_date(None) == ""
