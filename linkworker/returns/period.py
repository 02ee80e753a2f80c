"""Return periods: calendar quarters ("2026-Q3"), months ("2026-07") or explicit ranges."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from linkworker.dates import add_months, quarter_end, quarter_number, quarter_start
from linkworker.errors import UserError


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.date
    end: dt.date

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def quarter_of(day: dt.date) -> str:
    return f"{day.year}-Q{quarter_number(day)}"


FIRST_YEAR, LAST_YEAR = 1900, 2999  # beyond these a period is a typing slip (9999-Q4)


def _year(text: str, year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise UserError(f"{text!r} is not a period LinkWorker can use: the year must be from "
                        f"{FIRST_YEAR} to {LAST_YEAR}.")
    return year


def parse_period(text: str) -> Period:
    """``2026-Q3`` (Jul-Sep), ``2026-07`` (a month) or ``2026-07-01..2026-09-30``."""
    value = (text or "").strip().upper()[:100]
    if m := re.fullmatch(r"(\d{4})-?Q([1-4])", value):
        year, quarter = _year(text, int(m[1])), int(m[2])
        return Period(f"{year}-Q{quarter}", quarter_start(year, quarter),
                      quarter_end(year, quarter))
    if m := re.fullmatch(r"(\d{4})-(\d{2})", value):
        month = int(m[2])
        if 1 <= month <= 12:
            start = dt.date(_year(text, int(m[1])), month, 1)
            return Period(value, start, add_months(start, 1) - dt.timedelta(days=1))
    if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", value):
        try:
            start, end = dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2])
        except ValueError:
            raise UserError(f"{text!r} holds a date that does not exist.") from None
        if end < start:
            raise UserError(f"The period {text!r} ends before it starts.")
        _year(text, start.year), _year(text, end.year)
        return Period(f"{start.isoformat()}..{end.isoformat()}", start, end)
    raise UserError(
        f"{text!r} is not a period: use a quarter such as 2026-Q3, a month such as 2026-07, "
        "or a range such as 2026-07-01..2026-09-30."
    )


def current_quarter(today: dt.date | None = None) -> str:
    return quarter_of(today or dt.date.today())


def previous_quarter(today: dt.date | None = None) -> str:
    day = today or dt.date.today()
    return quarter_of(quarter_start(day.year, quarter_number(day)) - dt.timedelta(days=1))
