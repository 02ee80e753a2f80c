"""Loading a whole caseload into an empty hub the way PostgreSQL loads fastest.

A first adoption may copy 150,000 people (about 14 million records and as many changes). Kept
up to date row by row, the keys, indexes and links cost more than the copy itself, and the
rows would later be read again by autovacuum to freeze them. So, inside ``hub init``'s one
transaction (a failure leaves the hub as it was):

* the links (foreign keys), keys (primary and unique) and indexes of the tables being loaded
  are dropped, remembering PostgreSQL's own definition of each (``pg_get_constraintdef``,
  ``pg_get_indexdef``), so what comes back is exactly what the migrations made;
* the (checked empty) tables are truncated, which lets ``COPY ... (FREEZE)`` write their rows
  already frozen and visible, and, with ``wal_level = minimal``, without WAL;
* after the copy, keys and indexes are built in one sort each, and then the links are added
  back, which checks every copied row against its parent as the live constraint would have;
* ``ANALYZE`` (by ``hub init``) gives the planner the loaded tables' figures.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy.engine import Connection

MEMORY = "512MB"  # for building each index: a bigger sort is fewer passes over the disk

_CONSTRAINTS = """
    SELECT t.relname, k.conname, k.contype, pg_get_constraintdef(k.oid)
    FROM pg_constraint k
    JOIN pg_class t ON t.oid = k.conrelid
    LEFT JOIN pg_class r ON r.oid = k.confrelid
    WHERE t.relnamespace = current_schema()::regnamespace AND k.contype IN ('p', 'u', 'f')
      AND (t.relname = ANY (%(tables)s) OR r.relname = ANY (%(tables)s))
    ORDER BY k.contype = 'f', t.relname, k.conname
"""

_INDEXES = """
    SELECT i.relname, pg_get_indexdef(x.indexrelid)
    FROM pg_index x
    JOIN pg_class t ON t.oid = x.indrelid
    JOIN pg_class i ON i.oid = x.indexrelid
    WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY (%(tables)s)
      AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid
                      AND k.conrelid = x.indrelid AND k.contype IN ('p', 'u', 'x'))
    ORDER BY t.relname, i.relname
"""


def nonempty(conn: Connection, tables: Sequence[str]) -> list[str]:
    """The tables that already hold a row (a hub init never overwrites anything)."""
    return [name for name in tables
            if conn.exec_driver_sql(f'SELECT EXISTS (SELECT 1 FROM "{name}")').scalar()]


@contextmanager
def loading(conn: Connection, tables: Sequence[str]) -> Iterator[str]:
    """Empty ``tables`` of keys, links and indexes for the block, then build them again.

    Yields the COPY options the block should use (``FREEZE``). The tables must be empty
    (``nonempty``): they are truncated."""
    names = list(tables)
    constraints = conn.exec_driver_sql(_CONSTRAINTS, {"tables": names}).all()
    indexes = conn.exec_driver_sql(_INDEXES, {"tables": names}).all()
    for table, name, _kind, _definition in reversed(constraints):  # links before keys
        conn.exec_driver_sql(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    conn.exec_driver_sql("TRUNCATE " + ", ".join(f'"{t}"' for t in names))
    yield "FREEZE"
    conn.exec_driver_sql(f"SET LOCAL maintenance_work_mem = '{MEMORY}'")
    for table, name, kind, definition in constraints:  # keys before links
        if kind != "f":
            conn.exec_driver_sql(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
    for _name, definition in indexes:
        conn.exec_driver_sql(definition)
    for table, name, kind, definition in constraints:
        if kind == "f":
            conn.exec_driver_sql(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
