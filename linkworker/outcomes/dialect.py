"""The few words the return's SQL must say differently on a laptop (SQLite) and a hub
(PostgreSQL).

The return's statements (``outcomes.facts``, the engagement rule's column) are one text each,
run on both engines; only what SQL has no common spelling for is filled in from here: date
arithmetic, joining texts in order, a date as ISO text, and SQLite's planner hints (PostgreSQL
plans those statements well without them and has no syntax for them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class SqlWords:
    """One engine's spelling of what the return's SQL needs."""

    name: str
    # The journeys' stored order, first key of ``_EPISODES``'s sort. SQLite: the rowid (in
    # every index, so free). PostgreSQL has no stable row order: when the journey was made.
    journey_order: str
    # SQLite: take the covering index ``ix_people_return`` (it would pick the unique index on
    # ``id`` and read each person's row). PostgreSQL: nothing.
    people_index: str
    # SQLite: ``CROSS JOIN`` keeps the journeys as the outer loop; PostgreSQL: a plain join.
    cross_join: str
    # The ordered text aggregate: ``group_concat`` / ``string_agg`` (same arguments).
    join_texts: str
    # ``{day} + {days}`` days, as a date comparable with the date columns.
    plus_days: str
    # A date column as ISO 8601 text (SQLite stores it so).
    day_text: str

    def days_after(self, day: str, days: str) -> str:
        return self.plus_days.format(day=day, days=days)

    def as_text(self, column: str) -> str:
        return self.day_text.format(column=column)

    def day(self, value: dt.date) -> str | dt.date:
        """A date as a bound parameter compared with a date column."""
        return value.isoformat() if self.name == "sqlite" else value


SQLITE = SqlWords(
    name="sqlite", journey_order="e.rowid", people_index="INDEXED BY ix_people_return",
    cross_join="CROSS JOIN", join_texts="group_concat",
    plus_days="date({day}, '+' || {days} || ' days')", day_text="{column}",
)
POSTGRESQL = SqlWords(
    name="postgresql", journey_order="e.created_at", people_index="", cross_join="JOIN",
    join_texts="string_agg", plus_days="({day} + CAST({days} AS INTEGER))",
    day_text="to_char({column}, 'YYYY-MM-DD')",
)
_BY_NAME = {w.name: w for w in (SQLITE, POSTGRESQL)}


def words_for(session: Session) -> SqlWords:
    """The spelling for the engine ``session`` is on (a laptop's SQLCipher file is "sqlite")."""
    name = session.get_bind().dialect.name
    try:
        return _BY_NAME[name]
    except KeyError:
        raise NotImplementedError(f"Returns are built on SQLite or PostgreSQL, not {name}.") \
            from None
