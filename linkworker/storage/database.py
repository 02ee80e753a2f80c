"""Opening, creating and upgrading an encrypted caseload file.

``Caseload`` is the one handle the rest of the core uses. It owns the SQLAlchemy engine over
SQLCipher and hands out one short transaction per operation (``with caseload.transaction() as
s:``). Every connection is set up the same way: the raw key, foreign keys on, WAL, a busy
timeout, full sync (a power cut must not lose a saved note) and temporary storage in memory
(SQLite's temp files would otherwise hold sorted personal data on disk).

Speed at 150,000 people: each connection keeps a ``CACHE_MB`` page cache (SQLite's default
8 MB made the caseload list re-read and re-decrypt the same index pages; SQLCipher cannot
memory-map an encrypted file, so the cache is the lever), and a query can be stopped part way
(``interruptible``: the app drops a search the user has typed past).

Damage: opening checks the first pages' HMACs (``storage.pages``) before anything reads them,
so a damaged schema or small table is reported as a damaged caseload (restore offered) rather
than failing in the first screen; the rest of the file is checked in the background.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import URL, create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.pool import QueuePool

from linkworker.storage import keys
from linkworker.storage.hooks import CLOSE_HOOKS, OPEN_HOOKS
from linkworker.storage.pages import OPEN_CHECK_PAGES, PageChecker
from linkworker.storage.upgrade_steps import backing_up

if TYPE_CHECKING:  # the ORM loads with the models, after the sign-in box (issue 15, stop 24)
    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Session, sessionmaker

@contextlib.contextmanager
def unit_of_work(target: Caseload | Session, *, write: bool = True) -> Iterator[Session]:
    """The caller's session as is, or a new transaction (or read) on a caseload.

    Service functions take either, so a caller can join several of them into one transaction
    while a script can pass the caseload and get a transaction of its own.
    """
    from sqlalchemy.orm import Session

    if isinstance(target, Session):
        yield target
    elif write:
        with target.transaction() as session:
            yield session
    else:
        with target.reading() as session:
            yield session


class CaseloadError(Exception):
    """A problem opening a caseload, worded for the person at the keyboard."""


class CaseloadNotFound(CaseloadError):
    pass


class CaseloadDamaged(CaseloadError):
    pass


class CaseloadTooNew(CaseloadError):
    pass


class UpgradeRefused(CaseloadError):
    """The caseload's data cannot take this version's schema (``migrate.refusals``): it was
    left exactly as it was, not backed up or upgraded, and the message says what to do."""


def refuse_unfit_upgrade(engine: Engine, name: str) -> None:
    """Raise ``UpgradeRefused`` if a pending revision cannot take the data (before anything
    changes: the caller has not backed up or migrated yet)."""
    from linkworker.storage import migrate

    if problems := migrate.refusals(engine):
        raise UpgradeRefused(f"{name} was not updated. " + " ".join(problems))


# Page cache per connection. The app holds at most a writer, two readers and a background
# connection, so the worst case stays inside the 400 MB memory target at 150,000 people
# (measured: 16 MB halved the whole list's speed, 64 MB took a manager's window past 400 MB).
CACHE_MB = 40
# The writer and the background lane read little that a page will read again (a save's few
# rows; a check or backup streams the file once): their connections keep a smaller cache
# (``use_cache``), so four busy connections stay well inside the memory target.
WRITER_CACHE_MB = 8
BACKGROUND_CACHE_MB = 16
# All of SQLite's memory in the process, every connection's page cache together: a soft cap
# (``PRAGMA soft_heap_limit``, process-wide). Past it a connection reuses its own oldest
# pages instead of taking more, so eight pooled connections can never hold 8 x ``CACHE_MB``
# beside the window (issue 15: under 400 MB at 150,000 people). The readers' two caches, the
# writer's and a background lane's fit under it, so the pages' reads never meet it; a query
# never fails for it (that would be ``hard_heap_limit``).
SQLITE_HEAP_MB = 128
_cache = threading.local()
# How often (in SQLite VM steps) a running query asks whether it should stop.
INTERRUPT_STEPS = 10_000
_interrupt = threading.local()


@contextlib.contextmanager
def _progress_setting(name: str, value: Callable[[], object] | None) -> Iterator[None]:
    """One of what this thread's progress handler calls, for the block, then as it was."""
    previous = getattr(_interrupt, name, None)
    setattr(_interrupt, name, value)
    try:
        yield
    finally:
        setattr(_interrupt, name, previous)


def interruptible(should_stop: Callable[[], bool]) -> contextlib.AbstractContextManager:
    """Queries run by this thread inside the block stop (raising ``OperationalError``,
    "interrupted") as soon as ``should_stop()`` is true: a superseded search costs nothing."""
    return _progress_setting("check", should_stop)


def stepping_aside(pause: Callable[[], None] | None) -> contextlib.AbstractContextManager:
    """Queries run by this thread inside the block call ``pause()`` every ``INTERRUPT_STEPS``
    steps, from inside SQLite: a page check, backup or export can wait there (asleep, without
    the GIL or a core) while the user's own reads run, even part way through one long
    statement such as ``VACUUM INTO``. A write never does (``transaction``): it would keep
    the write lock from everyone while it waited."""
    return _progress_setting("pause", pause)


def follows_the_thread(dbapi_connection) -> None:  # a DB-API connection
    """Make a connection's long statements honour the running thread's ``interruptible`` and
    ``stepping_aside`` (the caseload's own connections do; so does the daily backup's check
    of its copy, a read of the whole file that would otherwise hold a core from the user)."""
    dbapi_connection.set_progress_handler(_should_interrupt, INTERRUPT_STEPS)


def use_cache(megabytes: int, steps: int = INTERRUPT_STEPS) -> None:
    """The page cache of the connections this thread uses from now on (a thread initializer
    of the app's writer and background lanes); other threads keep ``CACHE_MB``. ``steps``:
    how often its queries ask whether to stop or step aside (``BACKGROUND_STEPS``)."""
    _cache.kib = megabytes * 1024
    _cache.steps = steps


# How often a background lane's queries ask whether to step aside for the user. A step that
# reads cold pages of a 5 GB file takes tens of microseconds, so 10,000 of them held a core
# for 40-500 ms: the Due badge's count at 150,000 people ran through a worker's first
# keystrokes that way (issue 15).
BACKGROUND_STEPS = 500


def _size_cache(dbapi_connection, record) -> None:  # DB-API objects
    """On checkout: give the connection the cache (and the ``steps``) its thread asked for.
    Shrinking the
    cache_size frees the pages above it, so a connection a reader used gives them back."""
    wanted = getattr(_cache, "kib", CACHE_MB * 1024)
    if record.info.get("cache_kib") != wanted:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA cache_size=-{wanted}")
        cursor.close()
        record.info["cache_kib"] = wanted
    steps = getattr(_cache, "steps", INTERRUPT_STEPS)  # and how often its queries look up
    if record.info.get("steps", INTERRUPT_STEPS) != steps:
        dbapi_connection.set_progress_handler(_should_interrupt, steps)
        record.info["steps"] = steps


def _should_interrupt() -> int:
    pause = getattr(_interrupt, "pause", None)
    if pause is not None:
        pause()
    check = getattr(_interrupt, "check", None)
    return 1 if check is not None and check() else 0


@dataclass(frozen=True)
class SqliteMemory:
    """SQLite's memory in this process: in use now (None where the library does not say) and
    the soft cap every connection set (``SQLITE_HEAP_MB``)."""

    used: int | None
    soft_limit: int


def sqlite_memory(conn: Connection) -> SqliteMemory:
    """What SQLite holds in this process, read through any open connection (``bench``'s memory
    rows and the tests read it; ``sqlite3_memory_used`` has no pragma)."""
    limit = int(conn.exec_driver_sql("PRAGMA soft_heap_limit").scalar_one())
    return SqliteMemory(_memory_used(), limit)


def _memory_used() -> int | None:
    """``sqlite3_memory_used()`` from the SQLCipher library the driver carries, where its
    symbols are visible (Linux, macOS); None elsewhere."""
    import ctypes

    try:
        import sqlcipher3

        used = ctypes.CDLL(sqlcipher3._sqlite3.__file__).sqlite3_memory_used
    except (ImportError, OSError, AttributeError):
        return None
    used.restype = ctypes.c_int64
    return int(used())


def looks_damaged(exc: BaseException) -> bool:
    """Is this error SQLite/SQLCipher finding a damaged page (not a bug or a busy lock)?"""
    text = str(getattr(exc, "orig", None) or exc).lower()
    return isinstance(exc, DatabaseError | OperationalError) and any(
        sign in text for sign in ("file is not a database", "malformed", "disk image"))


def _engine_for(path: Path, key: bytes) -> Engine:
    url = URL.create("sqlite+pysqlcipher", password=f"x'{key.hex()}'", database=str(path))
    engine = create_engine(
        url,
        poolclass=QueuePool,
        hide_parameters=True,  # error messages must never carry personal data
        pool_size=4,
        max_overflow=4,
        # The connection used last is used next: its page cache holds what the last reads
        # read (FIFO handed each read the connection idle longest, so the coldest cache).
        pool_use_lifo=True,
        connect_args={"check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record) -> None:  # DB-API object
        cursor = dbapi_connection.cursor()
        for pragma in (
            "PRAGMA foreign_keys=ON",
            "PRAGMA journal_mode=WAL",
            "PRAGMA busy_timeout=10000",
            "PRAGMA synchronous=FULL",
            "PRAGMA temp_store=MEMORY",
            f"PRAGMA cache_size=-{CACHE_MB * 1024}",
            f"PRAGMA soft_heap_limit={SQLITE_HEAP_MB * 2**20}",
        ):
            cursor.execute(pragma)
        cursor.close()
        follows_the_thread(dbapi_connection)

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection, record, _proxy) -> None:  # DB-API objects
        _size_cache(dbapi_connection, record)

    return engine


def _check_key(engine: Engine, path: Path) -> None:
    """Touch the schema so a wrong key or a non-database file fails here, clearly."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT count(*) FROM sqlite_master")).scalar_one()
    except (DatabaseError, OperationalError) as exc:
        engine.dispose()
        raise CaseloadDamaged(
            f"{path} could not be read with its key: it is damaged, or it is not a LinkWorker "
            "caseload, or its key file belongs to another caseload. Restore the latest backup."
        ) from exc


def _check_first_pages(engine: Engine, path: Path, key: bytes) -> None:
    """The pages every screen reads first must be whole before anything reads them."""
    checker = PageChecker(path, key)
    if not checker.usable:
        return  # written with other SQLCipher settings: SQLite's own checks still apply
    damaged = checker.damaged_pages(1, OPEN_CHECK_PAGES)
    if damaged:
        engine.dispose()
        raise CaseloadDamaged(
            f"{path.name} is damaged (page {damaged[0]} does not match what was written). "
            "Restore the latest good backup; nothing has been changed."
        )


# A write that changes nothing: SQLite takes the write lock at the statement, not at a row.
TAKE_WRITE_LOCK = text("UPDATE alembic_version SET version_num = version_num WHERE 0")




@dataclass
class Caseload:
    """An open caseload file."""

    path: Path
    engine: Engine

    def __post_init__(self) -> None:
        self.reapplied = 0  # erasures applied again from the register at open (safeguards)

    @cached_property
    def _sessions(self) -> sessionmaker:
        """ORM sessions, made when first asked for: opening a caseload and the sign-in box's
        reads use ``rows`` (SQLAlchemy Core), so the ORM and the models can load on the warm
        thread while the user signs in (issue 15, stop 24)."""
        from sqlalchemy.orm import sessionmaker

        from linkworker.sync.changelog import TrackedSession

        # Every change is recorded for sync as it is made (listeners on the class, see there).
        return sessionmaker(self.engine, class_=TrackedSession, expire_on_commit=False)

    # --- opening --------------------------------------------------------------------------

    @classmethod
    def create(cls, path: Path | str, passphrase: str | None = None) -> Caseload:
        """Create a new, empty, encrypted caseload at ``path`` (which must not exist)."""
        path = Path(path).expanduser().resolve()
        passphrase = passphrase or keys.passphrase_from_env()
        from linkworker.storage.dbfiles import recover_interrupted_restore

        recover_interrupted_restore(path)  # never a new caseload where a restore was cut off
        if path.exists() or keys.key_file_path(path).exists():
            raise CaseloadError(f"{path} already exists; open it instead of creating it.")
        if not passphrase:
            raise keys.PassphraseRequired(
                "A new caseload needs a passphrase (or set LINKWORKER_PASSPHRASE)."
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        key = keys.create_key(path, passphrase)
        _make_owner_only(path)
        caseload = cls(path, _engine_for(path, key))
        from linkworker.storage import migrate

        migrate.upgrade_to_head(caseload.engine)
        return caseload

    @classmethod
    def open(
        cls, path: Path | str, passphrase: str | None = None, *, upgrade: bool = True,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> Caseload:
        """Open an existing caseload, upgrading its schema (after a backup) if it is older.

        ``progress(done, total, step)`` hears of an upgrade's backup, each step and each index
        a step builds (it can take minutes on a big caseload: the app shows them); ``step`` is
        an ``upgrade_steps.UpgradeStep`` (English words, with a kind and numbers a screen
        translates). It is never called when the caseload is up to date."""
        path = Path(path).expanduser().resolve()
        from linkworker.storage.dbfiles import recover_interrupted_restore

        recover_interrupted_restore(path)  # a crash mid-restore is undone before anything else
        if not path.exists():
            raise CaseloadNotFound(
                f"There is no caseload at {path}. Create one with 'linkworker --db {path} init' "
                "or a demo with 'linkworker --db PATH demo'."
            )
        if path.stat().st_size == 0:
            raise CaseloadDamaged(f"{path} is empty (0 bytes): it was truncated. Restore a backup.")
        key = keys.unlock_key(path, passphrase)
        _tighten(path)
        engine = _engine_for(path, key)
        _check_key(engine, path)
        _check_first_pages(engine, path, key)
        caseload = cls(path, engine)
        if upgrade:
            try:
                caseload._upgrade_if_needed(progress)
            except UpgradeRefused:
                engine.dispose()
                raise
            except (DatabaseError, OperationalError) as exc:
                if not looks_damaged(exc):
                    raise
                engine.dispose()
                raise CaseloadDamaged(f"{path.name} is damaged ({exc.orig}). Restore the "
                                      "latest good backup; nothing has been changed.") from exc
            for hook in OPEN_HOOKS:
                hook(caseload)
        return caseload

    @classmethod
    def open_or_create(cls, path: Path | str, passphrase: str | None = None) -> Caseload:
        path = Path(path).expanduser().resolve()
        if path.exists():
            return cls.open(path, passphrase)
        return cls.create(path, passphrase)

    def _upgrade_if_needed(self, progress: Callable[[int, int, str], None] | None = None,
                           ) -> None:
        from linkworker.storage import migrate

        if migrate.is_up_to_date(self.engine):
            return  # the everyday case, without importing Alembic
        current, head = migrate.current_revision(self.engine), migrate.head_revision()
        if current == head:
            return
        if current is not None and not migrate.is_known(current):
            raise CaseloadTooNew(
                f"{self.path.name} was written by a newer LinkWorker (schema {current}). "
                "Update LinkWorker to open it."
            )
        refuse_unfit_upgrade(self.engine, self.path.name)  # before the backup: no copy made
        report = progress or (lambda _done, _total, _text: None)
        target = self.upgrade_backup_path(current)
        with stepping_aside(_copy_progress(self.path.name, self._bytes_in_use(), target,
                                           report)):
            self.copy_to(target)
        migrate.upgrade_to_head(self.engine, report)

    def _bytes_in_use(self) -> int:
        """About the size of a ``VACUUM INTO`` copy: the file less its free pages."""
        with self.engine.connect() as conn:
            size, pages, free = (int(conn.exec_driver_sql(f"PRAGMA {name}").scalar_one())
                                 for name in ("page_size", "page_count", "freelist_count"))
        return size * (pages - free)

    def upgrade_backup_path(self, revision: str | None) -> Path:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        folder = self.path.parent / "backups"
        return folder / f"{self.path.stem}-before-upgrade-{revision or 'empty'}-{stamp}.db"

    # --- using ----------------------------------------------------------------------------

    @property
    def write_lock(self):
        """The statement that makes a transaction the one writer (see ``transaction``)."""
        return TAKE_WRITE_LOCK

    @contextlib.contextmanager
    def transaction(self, on: Connection | None = None) -> Iterator[Session]:
        """One unit of work: commits if the block succeeds, rolls back if anything raises.

        The write lock is taken first, before anything is read. Otherwise two writers (the app
        and a script) could both read the same newest audit hash, and the later one would fail
        with "database is locked" when it came to write; taking the lock up front makes it wait
        (``busy_timeout``) and then read what the first one committed.

        ``on``: a connection of this caseload's, not in a transaction, to work on instead of
        the pool's next (the first sync's, with its scratch file attached: ``replica``).
        """
        sessions = self._sessions(bind=on) if on is not None else self._sessions()
        with sessions as session, session.begin(), stepping_aside(None):
            session.execute(self.write_lock)
            yield session

    @contextlib.contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for queries only; nothing it does is committed."""
        with self._sessions() as session:
            try:
                yield session
            finally:
                session.rollback()

    @contextlib.contextmanager
    def rows(self) -> Iterator[Connection]:
        """A Core connection for reads only (nothing it does is committed): what opening the
        caseload and signing in read, without the ORM (see ``_sessions``)."""
        with self.engine.connect() as conn:
            try:
                yield conn
            finally:
                conn.rollback()

    def checkpoint(self) -> None:
        """Fold the WAL into the main file, so a file copy holds every committed change."""
        with self.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def copy_to(self, target: Path) -> Path:
        """A consistent copy of the encrypted file and its key file (same key, same passphrase)."""
        target.parent.mkdir(parents=True, exist_ok=True)
        self.checkpoint()
        with self.engine.connect() as conn:
            # VACUUM INTO writes a consistent, still-encrypted copy even while others read.
            conn.exec_driver_sql("VACUUM INTO ?", (str(target),))
            # The copy read every page through this connection's cache: give that memory back
            # (the next reader would only find pages of no use to it there).
            conn.exec_driver_sql("PRAGMA shrink_memory")
        shutil.copyfile(keys.key_file_path(self.path), keys.key_file_path(target))
        for copied in (target, keys.key_file_path(target)):
            copied.chmod(0o600)  # a copy holds the same data: its owner only, like the key file
        return target

    @property
    def key(self) -> bytes:
        """The raw key, as the engine was given it (never written anywhere)."""
        password = str(self.engine.url.password or "")
        return bytes.fromhex(password[2:-1])

    def page_checker(self) -> PageChecker:
        """Checks any range of this file's pages (background damage check, ``info``)."""
        return PageChecker(self.path, self.key)

    def integrity_problems(self, quick: bool = True) -> list[str]:
        """SQLite's own check: an empty list means the file is sound."""
        pragma = "PRAGMA quick_check" if quick else "PRAGMA integrity_check"
        with self.engine.connect() as conn:
            rows = [r[0] for r in conn.exec_driver_sql(pragma)]
        return [] if rows == ["ok"] else rows

    def close(self) -> None:
        for hook in CLOSE_HOOKS:
            hook(self)
        self.engine.dispose()

    def __enter__(self) -> Caseload:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _copy_progress(name: str, in_use: int, target: Path, report: Callable[[int, int, str], None],
                   every_s: float = 0.25) -> Callable[[], None]:
    """Reports a backup copy's bytes written so far (``VACUUM INTO`` is one statement, so
    SQLite's progress handler, which calls this from inside it, is the only way to look)."""
    total = max(in_use, 1)
    text = backing_up(name)
    last = 0.0

    def look() -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= every_s:
            last = now
            written = target.stat().st_size if target.exists() else 0
            report(min(written, total), total, text)

    report(0, total, text)
    return look


def _make_owner_only(path: Path) -> None:
    """Start the caseload as an empty file only its owner can read: SQLite makes the -wal and
    -shm files with the database's permissions, so all three stay owner-only (like the key
    file and every backup), whatever the umask. (An empty file is an empty database to SQLite.)"""
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def _tighten(path: Path) -> None:
    """A caseload made before files were owner-only is made so at its next open (its next
    -wal and -shm follow); a file this OS user does not own is left as it is. (On Windows the
    user's profile folder is what keeps it private: chmod there only sets read-only.)"""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        if path.stat().st_mode & 0o077 and path.stat().st_uid == os.getuid():
            path.chmod(0o600)
