"""A caseload is a set of files (the database, its key file, WAL/SHM): moving them together,
and the restore journal that lets the next open undo a restore cut off between its renames.

Here, in storage, because ``Caseload.open`` must recover before it looks for the file, and the
storage layer must not import the backup service that uses it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from pathlib import Path

from linkworker.storage import keys
from linkworker.storage.files import _fsync_dir, atomic_write_text

SIDECARS = ("-wal", "-shm", "-journal")


def _stamp() -> str:
    return dt.datetime.now().strftime("%Y%m%d-%H%M%S")


def erasure_register_path(db: Path) -> Path:
    """The erasure register beside a caseload (``linkworker.rights``). Here so opening can ask
    whether there is one without importing the rights module (and its PDFs: issue 15)."""
    return Path(db).with_name(Path(db).name + ".erasures")


def remove_db_files(db: Path) -> None:
    for path in (db, keys.key_file_path(db), *(db.with_name(db.name + s) for s in SIDECARS)):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def move_db_files(source: Path, target: Path) -> None:
    """Move a database with its key file and any WAL/SHM beside it (a stale WAL left behind
    would be replayed into whatever file takes the name next)."""
    os.replace(source, target)
    for suffix in (".key", *SIDECARS):
        side = source.with_name(source.name + suffix)
        if side.exists():
            os.replace(side, target.with_name(target.name + suffix))
    _fsync_dir(target.parent)


def journal_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.restore-journal")


def swap_in(staging: Path, target: Path) -> Path | None:
    aside = None
    if target.exists():
        aside = target.with_name(f"{target.stem}.before-restore-{_stamp()}.db")
    atomic_write_text(journal_path(target), json.dumps(
        {"staging": str(staging), "aside": str(aside) if aside else None}))
    if aside is not None:
        move_db_files(target, aside)
    move_db_files(staging, target)
    journal_path(target).unlink()  # both renames done: nothing left to recover
    return aside


def put_back(target: Path, aside: Path | None) -> None:
    remove_db_files(target)
    if aside is not None:
        move_db_files(aside, target)
    journal_path(target).unlink(missing_ok=True)


def recover_interrupted_restore(target: Path) -> str:
    """Undo a restore the process did not finish (see the module docstring); "" if none.

    With a caseload set aside, it goes back in place (the restore simply did not happen: run
    it again). With none (restoring onto an empty place), the checked staging copy goes in.
    """
    target = Path(target)
    journal = journal_path(target)
    if not journal.exists():
        return ""
    try:
        plan = json.loads(journal.read_text("utf-8"))
        staging = Path(plan["staging"])
        aside = Path(plan["aside"]) if plan.get("aside") else None
    except (OSError, ValueError, KeyError, TypeError):
        return ""  # not ours to act on; leave it for a person to look at
    if aside is not None and aside.exists():
        put_back(target, aside)
        remove_db_files(staging)
        done = "An interrupted restore was undone: the caseload is as it was before it."
    else:
        if staging.exists() and not target.exists():
            move_db_files(staging, target)
        journal.unlink(missing_ok=True)
        done = "An interrupted restore was completed."
    return done
