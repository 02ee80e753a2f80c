"""Calendar months and quarters: the one home for month and quarter arithmetic.

Reviews fall due in calendar months from the first meeting, outcomes count whole months of
support, and returns cover calendar quarters; all of them add months the same way here.
"""

from __future__ import annotations

import datetime as dt


def add_months(start: dt.date, months: int) -> dt.date:
    """Calendar months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    for day in (start.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(start.day, day))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def month_of_journey(first_meeting: dt.date | None, today: dt.date) -> int | None:
    """Whole months since the first meeting (month 1 is the first month)."""
    if first_meeting is None or today < first_meeting:
        return None
    months = (today.year - first_meeting.year) * 12 + today.month - first_meeting.month
    if today.day < first_meeting.day:
        months -= 1
    return months + 1


def quarter_number(day: dt.date) -> int:
    """1 to 4: January-March is quarter 1 (calendar quarters, as returns are labelled)."""
    return (day.month - 1) // 3 + 1


def quarter_start(year: int, quarter: int) -> dt.date:
    return dt.date(year, 3 * quarter - 2, 1)


def quarter_end(year: int, quarter: int) -> dt.date:
    return add_months(quarter_start(year, quarter), 3) - dt.timedelta(days=1)
