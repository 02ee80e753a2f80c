"""Encrypted backups, checked restores, and telling a damaged caseload from a sound one.

A backup is two files: ``NAME.db`` (a consistent SQLCipher copy made with ``VACUUM INTO``, still
encrypted with the caseload's own key) and ``NAME.db.key`` (the same passphrase-wrapped key
file). Nothing is ever decrypted to disk. A backup only counts once it has been reopened with
the key and passed SQLite's ``integrity_check``; until then it sits under a hidden temporary
name, so a crash or a full disk never leaves a half backup that looks whole.

Restoring never touches the current caseload until the backup has been proven: it is copied to
a staging file beside the target, unlocked (key file + keyring or passphrase), checked for
integrity and for a schema this version knows, and only then is the current file (with its WAL
and key file) moved aside as ``NAME.before-restore-STAMP.db`` and the staged copy moved in.
If anything fails after that, the aside copy is moved back. The aside copy is kept.

A restore writes a small journal (``.NAME.restore-journal``) before it swaps the files and
removes it once the restored caseload is open and audited. If the process dies between the two
renames, the next open (``storage.dbfiles.recover_interrupted_restore``, called by
``Caseload.open``) puts the caseload back as it was, so LinkWorker never finds "no caseload"
and offers to start afresh.
Backups and their key files are readable by their owner only (0600), like the caseload's key.
A backup killed half-way leaves a hidden ``.part`` file; the next backup to that folder removes
those whose process has gone. After a restore, erasures made since the backup are applied
again from the erasure register (``linkworker.rights.reapply_erasures``).

Automatic backups go to ``backups/`` beside the caseload: one file per day
(``STEM-daily-YYYYMMDD.db``), refreshed on exit and made at start if the day has none; the
newest ``backup.keep_daily`` are kept. Upgrade and before-restore copies are never rotated away.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import os
import re
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import URL, create_engine, event, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.pool import NullPool

from linkworker import audit, settings
from linkworker.access import SYSTEM, Actor, check_actor, require
from linkworker.errors import UserError
from linkworker.models import Person
from linkworker.paths import backup_dir
from linkworker.storage import keys
from linkworker.storage.database import Caseload, CaseloadDamaged, follows_the_thread
from linkworker.storage.dbfiles import move_db_files as _move_db_files
from linkworker.storage.dbfiles import put_back as _put_back
from linkworker.storage.dbfiles import remove_db_files as _remove_db_files
from linkworker.storage.dbfiles import swap_in as _swap_in

DAILY = "daily"


class BackupError(UserError):
    """A backup could not be made or restored; the message says why and what is unchanged."""


@dataclass(frozen=True)
class BackupCheck:
    path: Path
    ok: bool
    problems: tuple[str, ...] = ()
    revision: str | None = None
    people: int | None = None


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    kind: str  # daily, manual, before-upgrade, before-restore
    made_at: dt.datetime  # local time, from the file


@dataclass(frozen=True)
class RestoreReport:
    restored_from: Path
    caseload: Path
    set_aside: Path | None
    people: int
    erasures_reapplied: int = 0


# --- files ----------------------------------------------------------------------------------


def key_path(db: Path) -> Path:
    return keys.key_file_path(db)


def _stamp(now: dt.datetime | None = None) -> str:
    return (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")


OWNER_ONLY = 0o600
STALE_AFTER = 24 * 3600  # seconds: a .part older than a day is stale even if its pid is reused
_PART = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.\d{8}-\d{6}\.[0-9a-f]{8}\.part$")


def _owner_only(db: Path) -> None:
    """Backups hold the same data as the caseload: nobody else on the machine may read them."""
    for path in (db, key_path(db)):
        if path.exists():
            os.chmod(path, OWNER_ONLY)


def _process_gone(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OSError):
        return False
    return False


def remove_stale_parts(folder: Path) -> list[Path]:
    """Delete half-made backups (``.NAME.PID.STAMP.ID.part``) whose process is gone or that
    are over a day old: a backup killed mid-way must not leave copies behind for ever."""
    removed = []
    for path in folder.glob(".*.part"):
        match = _PART.match(path.name)
        if match is None:
            continue
        with contextlib.suppress(OSError):
            old = time.time() - path.stat().st_mtime > STALE_AFTER
            if old or _process_gone(int(match["pid"])):
                _remove_db_files(path)
                removed.append(path)
    return removed


def _hidden_temp(target: Path) -> Path:
    """A name no other backup can share: the start-up backup and an early exit's backup run
    in one process, often within the same second."""
    return target.with_name(f".{target.name}.{os.getpid()}.{_stamp()}.{uuid.uuid4().hex[:8]}.part")


# One backup of a caseload at a time in this process: two writing the same daily file would
# race to rename it and to rotate.
_BACKUP_LOCK = threading.Lock()


# --- checking a file ------------------------------------------------------------------------


def _reader(path: Path, key: bytes) -> Engine:
    """An engine that only reads ``path`` (no WAL switch, nothing written beside it)."""
    url = URL.create("sqlite+pysqlcipher", password=f"x'{key.hex()}'", database=str(path))
    engine = create_engine(url, poolclass=NullPool, hide_parameters=True)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record) -> None:  # DB-API object
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA cipher_log_level = NONE")  # damage is reported, not logged
        cursor.execute("PRAGMA query_only=ON")
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.close()
        follows_the_thread(dbapi_connection)  # the app's backup check steps aside, can stop

    return engine


def inspect_file(path: Path, key: bytes, *, quick: bool = False) -> BackupCheck:
    """Open ``path`` with ``key`` and check integrity and schema; never raises for bad files.

    ``quick`` uses SQLite's ``quick_check`` (every page read and decrypted, indexes not
    cross-checked): a few times faster, for the automatic backups made at every exit.
    """
    if not path.exists():
        return BackupCheck(path, False, ("the file does not exist",))
    if path.stat().st_size == 0:
        return BackupCheck(path, False, ("the file is empty (0 bytes)",))
    engine = _reader(path, key)
    try:
        with engine.connect() as conn:
            pragma = "PRAGMA quick_check" if quick else "PRAGMA integrity_check"
            rows = [r[0] for r in conn.exec_driver_sql(pragma)]
            if rows != ["ok"]:
                return BackupCheck(path, False, tuple(rows[:5]))
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            people = conn.execute(select(func.count()).select_from(Person)).scalar_one()
    except (DatabaseError, OperationalError) as exc:
        reason = str(exc.orig) if getattr(exc, "orig", None) else type(exc).__name__
        return BackupCheck(path, False, (f"it cannot be read with its key ({reason})",))
    finally:
        engine.dispose()
    from linkworker.storage import migrate  # Alembic: only when a backup is checked

    if revision is None or not migrate.is_known(revision):
        return BackupCheck(path, False, (f"its schema ({revision}) is unknown to this version",),
                           revision)
    return BackupCheck(path, True, (), revision, people)


def check_backup(path: Path | str, passphrase: str | None = None) -> BackupCheck:
    """Is this backup restorable? Unlocks its key (keyring or passphrase) and inspects it."""
    path = Path(path).expanduser().resolve()
    if not path.exists():
        return BackupCheck(path, False, ("the file does not exist",))
    key = keys.unlock_key(path, passphrase)  # raises KeyFileMissing / PassphraseRequired / Wrong
    return inspect_file(path, key)


def _live_key(caseload: Caseload) -> bytes:
    """The open caseload's raw key, as its engine was given it (never written anywhere)."""
    return keys.engine_key(caseload.engine) or b""


def health_problems(caseload: Caseload) -> list[str]:
    """SQLite's quick check of the open caseload; an empty list means sound."""
    try:
        return caseload.integrity_problems(quick=True)
    except (DatabaseError, OperationalError) as exc:
        return [f"the file cannot be read ({type(exc.orig or exc).__name__})"]


def ensure_sound(caseload: Caseload) -> None:
    """Raise ``CaseloadDamaged`` (and close the caseload) if the quick check finds damage."""
    problems = health_problems(caseload)
    if problems:
        caseload.close()
        raise CaseloadDamaged(
            f"{caseload.path.name} is damaged ({problems[0]}). "
            "Restore the latest good backup; nothing has been changed."
        )


# --- making backups -------------------------------------------------------------------------


def backup_to(
    caseload: Caseload,
    target: Path | str,
    actor: Actor = SYSTEM,
    *,
    reason: str = "manual",
) -> BackupCheck:
    """Write a verified, encrypted backup of ``caseload`` to ``target`` (+ its key file).

    The copy is made under a hidden name, reopened with the key and integrity-checked, and
    only then renamed to ``target``. Audited (file name and reason; the OS user for scripts).
    """
    require(actor, "backup.run")
    target = Path(target).expanduser().resolve()
    if target.suffix != ".db":
        target = target.with_name(target.name + ".db")
    if target == caseload.path:
        raise BackupError("A backup cannot overwrite the caseload itself; choose another name.")
    target.parent.mkdir(parents=True, exist_ok=True)
    with caseload.reading() as session:
        check_actor(session, actor)  # a deactivated account makes no copy of the data
    with _BACKUP_LOCK:
        remove_stale_parts(target.parent)
        check = _write_checked_copy(caseload, target, reason)
    with caseload.transaction() as session:
        audit.record(session, actor, "backup",
                     details=_who({"file": str(target), "reason": reason}, actor))
    return BackupCheck(target, True, (), check.revision, check.people)


def _write_checked_copy(caseload: Caseload, target: Path, reason: str) -> BackupCheck:
    temp = _hidden_temp(target)
    try:
        audit.anchor_head(caseload)  # the caseload's own key file first, so the copy has it
        with caseload.reading() as session:
            head = audit.chain_head(session)
        caseload.copy_to(temp)
        _owner_only(temp)
        if head is not None:  # the backup's trail reaches at least this head
            keys.write_anchor(temp, head)
        check = inspect_file(temp, _live_key(caseload), quick=reason in ("exit", "daily"))
        if not check.ok:
            raise BackupError(f"The backup failed its check ({check.problems[0]}); it was not "
                              "kept. The caseload itself is unchanged.")
        _move_db_files(temp, target)
    except OSError as exc:
        raise BackupError(f"Could not write the backup to {target.parent}: {exc.strerror}. "
                          "The caseload is unchanged.") from None
    finally:
        _remove_db_files(temp)
    return check


def _who(details: dict, actor: Actor) -> dict:
    """Scripts act as SYSTEM; the audit also names the operating-system account."""
    if actor.role == "system":
        with contextlib.suppress(Exception):
            details["os_user"] = getpass.getuser()
    return details


def daily_path(caseload_path: Path, day: dt.date) -> Path:
    return backup_dir(caseload_path) / f"{caseload_path.stem}-{DAILY}-{day:%Y%m%d}.db"


def daily_due(caseload: Caseload, today: dt.date | None = None) -> bool:
    return not daily_path(caseload.path, today or dt.date.today()).exists()


def auto_backup(
    caseload: Caseload, reason: str = "exit", today: dt.date | None = None
) -> Path | None:
    """Today's automatic backup (refreshed on exit, made at start if missing), then rotation.

    Returns the backup path, or None when the settings say not to (no backup on exit).
    """
    today = today or dt.date.today()
    with caseload.reading() as session:
        on_exit, keep = (settings.get(session, settings.BACKUP_ON_EXIT),
                         settings.get(session, settings.BACKUP_KEEP_DAILY))
    if reason == "exit" and not on_exit:
        return None
    target = daily_path(caseload.path, today)
    backup_to(caseload, target, reason=reason)
    rotate(caseload.path, keep)
    return target


def rotate(caseload_path: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` daily backups; the deleted paths."""
    dailies = sorted(backup_dir(caseload_path).glob(f"{caseload_path.stem}-{DAILY}-*.db"),
                     reverse=True)
    removed = dailies[max(keep, 1):]
    for path in removed:
        _remove_db_files(path)
    return removed


def list_backups(caseload_path: Path) -> list[BackupInfo]:
    """Every backup beside the caseload, newest first."""
    caseload_path = Path(caseload_path).expanduser().resolve()
    found: list[BackupInfo] = []
    folders = {backup_dir(caseload_path), caseload_path.parent}
    for folder in folders:
        if not folder.exists():
            continue
        for path in folder.glob(f"{caseload_path.stem}*.db"):
            if path == caseload_path or not key_path(path).exists():
                continue
            found.append(BackupInfo(path, _kind(path.name), made_at(path)))
    return sorted(found, key=lambda b: b.made_at, reverse=True)


def _kind(name: str) -> str:
    for kind in ("before-restore", "before-upgrade", DAILY):
        if kind in name:
            return kind
    return "manual"


def made_at(path: Path) -> dt.datetime:
    return dt.datetime.fromtimestamp(path.stat().st_mtime)


def latest_good_backup(
    caseload_path: Path, passphrase: str | None = None, limit: int = 10
) -> BackupCheck | None:
    """The newest backup that unlocks and passes its check (trying at most ``limit``)."""
    for info in list_backups(caseload_path)[:limit]:
        try:
            check = check_backup(info.path, passphrase)
        except keys.KeyError_:
            continue
        if check.ok:
            return check
    return None


# --- restoring ------------------------------------------------------------------------------


def restore_from(
    source: Path | str,
    target: Path | str,
    passphrase: str | None = None,
    actor: Actor = SYSTEM,
    *,
    after_swap: Callable[[Path], None] | None = None,
) -> RestoreReport:
    """Replace the (closed) caseload at ``target`` by the backup ``source``, safely.

    Raises ``BackupError`` or a key error with the current caseload untouched. ``after_swap``
    (tests) runs once the files are swapped, before the restored caseload is opened.
    """
    require(actor, "backup.restore")
    source = Path(source).expanduser().resolve()
    target = Path(target).expanduser().resolve()
    if source == target:
        raise BackupError("Choose a backup file, not the caseload itself.")
    if not source.exists():
        raise BackupError(f"There is no backup at {source}.")
    if not key_path(source).exists():
        raise BackupError(f"The key file {key_path(source).name} is missing beside the backup; "
                          "a backup cannot be opened without it. Nothing was changed.")
    staging = target.with_name(f".{target.name}.restoring-{_stamp()}.db")
    try:
        shutil.copyfile(source, staging)
        shutil.copyfile(key_path(source), key_path(staging))
        _owner_only(staging)
        key = keys.unlock_key(staging, passphrase)
        check = inspect_file(staging, key)
        if not check.ok:
            raise BackupError(f"That backup cannot be restored: {check.problems[0]}. "
                              "The current caseload was not touched.")
        aside = _swap_in(staging, target)
    except BaseException:
        _remove_db_files(staging)
        raise
    try:
        if after_swap is not None:
            after_swap(target)
        restored = Caseload.open(target, passphrase)
    except BaseException:
        _put_back(target, aside)
        raise
    from linkworker.rights import reapply_erasures

    with restored:
        with restored.transaction() as session:
            audit.record(session, actor, "restore", details=_who(
                {"from": str(source), "set_aside": str(aside) if aside else None,
                 "superseded_head": keys.read_anchor(aside) if aside else None}, actor))
        again = reapply_erasures(restored)  # Caseload.open did it; this counts for the report
    return RestoreReport(source, target, aside, check.people or 0, again or restored.reapplied)
