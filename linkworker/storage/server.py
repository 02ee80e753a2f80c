"""A caseload held in PostgreSQL: the charity's hub.

The same models and the same Alembic migrations as a laptop's SQLCipher file, over psycopg 3.
``ServerCaseload`` behaves like ``Caseload`` for the core (``transaction``, ``reading``); a
transaction takes a PostgreSQL advisory lock instead of SQLite's write lock, so the hub applies
one batch of changes at a time, as a laptop does: the lock is the transaction's first statement,
at READ COMMITTED, so everything after it reads what the writer before committed (two returns
submitted at once take turns, and the second sees the first's claims). Encryption at rest,
backups and integrity checks are PostgreSQL's own (the server's disk encryption, ``pg_dump``),
not the file methods.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from linkworker.storage.database import Caseload, CaseloadError, refuse_unfit_upgrade

HUB_LOCK = text("SELECT pg_advisory_xact_lock(1414)")  # one writer at a time, like SQLite


def is_server_url(value: str | Path | None) -> bool:
    return isinstance(value, str) and value.startswith(("postgresql:", "postgresql+", "postgres:"))


def engine_for_url(url: str) -> Engine:
    """An engine for a PostgreSQL URL, always through psycopg 3."""
    try:
        parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    except (ArgumentError, ValueError):  # not an address; never echoed (it may hold a password)
        raise CaseloadError("That is not a PostgreSQL address: give the hub as "
                            "postgresql://USER@HOST/DATABASE.") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if not parsed.drivername.startswith("postgresql"):
        raise CaseloadError(f"{parsed.drivername} is not PostgreSQL: give a postgresql:// URL.")
    # READ COMMITTED whatever the server's default_transaction_isolation: each statement after
    # ``HUB_LOCK`` then reads what the writer before committed. At REPEATABLE READ or
    # SERIALIZABLE (a server set so by its DBA) the snapshot is the transaction's first
    # statement's, the lock's, taken before it waits: the second of two returns submitted at
    # once would be built from the ledger before the first's claims, and then fail with
    # PostgreSQL's serialization error instead of taking its turn (tests/sync/
    # test_hub_returns.py). A read that needs one snapshot asks for it (sync's pull).
    return create_engine(parsed, hide_parameters=True, pool_pre_ping=True, pool_size=4,
                         max_overflow=4, isolation_level="READ COMMITTED")


def describe_url(url: str) -> str:
    """The URL without its password, for messages."""
    return make_url(url).render_as_string(hide_password=True)


class ServerCaseload(Caseload):
    """The hub: a caseload in PostgreSQL."""

    url: str = ""

    @classmethod
    def connect(cls, url: str, *, upgrade: bool = True) -> ServerCaseload:
        engine = engine_for_url(url)
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except OperationalError as exc:
            engine.dispose()
            raise CaseloadError(f"Cannot reach the hub at {describe_url(url)}: "
                                f"{str(exc.orig).strip().splitlines()[0]}") from None
        hub = cls(Path("hub"), engine)
        hub.url = url
        if upgrade:
            from linkworker.storage import migrate

            try:
                refuse_unfit_upgrade(engine, f"The hub at {describe_url(url)}")
            except CaseloadError:
                engine.dispose()
                raise
            migrate.upgrade_to_head(engine)
        return hub

    @property
    def write_lock(self):
        return HUB_LOCK

    def checkpoint(self) -> None:
        """Nothing to fold: PostgreSQL's WAL is the server's business."""

    def copy_to(self, target: Path) -> Path:
        raise CaseloadError("Back up the hub with PostgreSQL's own tools (pg_dump).")

    def integrity_problems(self, quick: bool = True) -> list[str]:
        return []
