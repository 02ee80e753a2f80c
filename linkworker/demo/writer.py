"""Fast, reproducible bulk writing for the demo: ordered ids and batched Core inserts.

A 50,000-person demo is about five million rows. The ORM's unit of work would take tens of
minutes; Core ``executemany`` in batches, inside the caller's single transaction, takes a
minute or two and keeps "all or nothing". Foreign keys are checked at commit (``PRAGMA
defer_foreign_keys``), so rows can be written in whatever order they are generated.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from linkworker import models

# Parents before children, so a reader of the half-written transaction never matters, and
# the order is the same every run.
TABLES: tuple[Table, ...] = tuple(
    m.__table__  # type: ignore[attr-defined]
    for m in (
        models.User,
        models.Service,
        models.Person,
        models.Condition,
        models.Consent,
        models.Episode,
        models.Contact,
        models.Goal,
        models.GoalStep,
        models.GoalReview,
        models.Signpost,
        models.UnmetNeed,
        models.Measure,
        models.MeasureAnswer,
    )
)


CACHE_KIB = 256 * 1024


class IdMaker:
    """UUID-shaped ids that are reproducible from the seed and ascend within a run.

    Ascending keys append to the end of each primary-key index instead of landing at random
    places in it, which is several times faster for millions of rows. The first 32 bits come
    from the run's random stream, so two demo caseloads made with different seeds (or added to
    an existing demo) never share ids; the rest is a counter and random bits, laid out as a
    valid version-4 UUID string.
    """

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._prefix = f"{rng.getrandbits(32):08x}"
        self._count = 0

    def __call__(self) -> str:
        self._count += 1
        counter = f"{self._count:07x}"
        tail = self._rng.getrandbits(64)
        variant = "89ab"[tail & 3]
        return (
            f"{self._prefix}-{counter[:4]}-4{counter[4:]}-{variant}{(tail >> 2) & 0xFFF:03x}-"
            f"{tail >> 16 & 0xFFFFFFFFFFFF:012x}"
        )


class StampMaker:
    """``created_at``/``updated_at`` for a record made on a given day (one object per day)."""

    def __init__(self, today: dt.date) -> None:
        self._today = today
        self._cache: dict[dt.date, dt.datetime] = {}

    def __call__(self, day: dt.date) -> dt.datetime:
        day = min(day, self._today)
        stamp = self._cache.get(day)
        if stamp is None:
            stamp = self._cache[day] = dt.datetime.combine(day, dt.time(12, 0))
        return stamp


class BulkWriter:
    """Collects row dicts per table and writes them in batches inside one transaction."""

    def __init__(self, session: Session, batch_rows: int = 40_000) -> None:
        self._session = session
        self._batch_rows = batch_rows
        self.tables = {t.name: t for t in TABLES}
        self._pending: dict[Table, list[dict]] = {t: [] for t in TABLES}
        self._size = 0
        self.written: dict[str, int] = {t.name: 0 for t in TABLES}
        self._defer_foreign_keys()

    def _defer_foreign_keys(self) -> None:
        """SQLite resets this pragma at every commit, and outside a transaction each statement
        commits on its own; so open the write transaction first (the driver begins one at the
        first data-changing statement, even one that changes nothing)."""
        connection = self._session.connection()
        connection.exec_driver_sql("UPDATE settings SET key = key WHERE 0")
        connection.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
        # A bigger page cache for this connection: a transaction larger than the cache spills
        # pages to the WAL again and again (gigabytes written for a 50,000-person demo).
        self._cache_size = connection.exec_driver_sql("PRAGMA cache_size").scalar()
        connection.exec_driver_sql(f"PRAGMA cache_size=-{CACHE_KIB}")

    def add(self, table: Table, row: dict) -> None:
        self._pending[table].append(row)
        self._size += 1

    def add_many(self, table: Table, rows: list[dict]) -> None:
        self._pending[table].extend(rows)
        self._size += len(rows)

    def maybe_flush(self) -> None:
        if self._size >= self._batch_rows:
            self.flush()

    def flush(self) -> None:
        connection = self._session.connection()
        for table, rows in self._pending.items():
            if rows:
                connection.execute(insert(table), rows)
                self.written[table.name] += len(rows)
                rows.clear()
        self._size = 0


    def finish(self) -> None:
        """Write what is left and give the pooled connection its normal cache back."""
        self.flush()
        self._session.connection().exec_driver_sql(f"PRAGMA cache_size={int(self._cache_size)}")


def table(model: type) -> Table:
    return model.__table__  # type: ignore[attr-defined]


Progress = Callable[[int, int, str], None]
