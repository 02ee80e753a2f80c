"""Files on disk: backups owner-only, no half backups left for ever, a restore killed between
its two renames recovered at the next open, a hostile key file refused clearly, a weak
passphrase refused (issue 13 item 10).

Promises (docs/security.md, "Backups" and "Keys and passphrase").
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest
from conftest import TEST_PASSPHRASE
from sqlalchemy import select

from linkworker import backup
from linkworker.models import Person
from linkworker.storage import keys
from linkworker.storage.database import Caseload, CaseloadError


def _mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_backups_and_their_key_files_are_owner_only(caseload, tmp_path):
    old = os.umask(0o022)
    try:
        saved = backup.backup_to(caseload, tmp_path / "usb" / "copy.db").path
        upgrade_copy = caseload.copy_to(tmp_path / "upgrade-copy.db")
    finally:
        os.umask(old)
    for path in (saved, keys.key_file_path(saved), upgrade_copy,
                 keys.key_file_path(upgrade_copy)):
        assert _mode(path) == 0o600, path


def test_a_new_caseload_and_its_wal_are_owner_only_whatever_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        path = tmp_path / "new.db"
        with Caseload.create(path, TEST_PASSPHRASE) as db, db.transaction() as s:
            s.add(Person(reference="LW-000001", given_name="Ann", family_name="Lee"))
            wal = path.with_name(path.name + "-wal")
            assert wal.exists()
            for made in (path, wal, path.with_name(path.name + "-shm"), keys.key_file_path(path)):
                assert _mode(made) == 0o600, made
        path.chmod(0o644)  # as a caseload made by an older version was
        Caseload.open(path, TEST_PASSPHRASE).close()
        assert _mode(path) == 0o600
    finally:
        os.umask(old)


def test_a_killed_backup_leaves_no_part_files_for_ever(caseload, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    pid = int(dead.stdout)  # a process that has ended, like a backup killed with -9
    stale = folder / f".copy.db.{pid}.20260101-120000.0123abcd.part"
    stale.write_bytes(b"half a backup")
    keys.key_file_path(stale).write_bytes(b"{}")
    mine = folder / f".other.db.{os.getpid()}.20260101-120000.0123abcd.part"
    mine.write_bytes(b"a backup this process is writing")
    backup.backup_to(caseload, folder / "copy.db")
    assert not stale.exists() and not keys.key_file_path(stale).exists()
    assert mine.exists()  # never another live process's work


def test_a_restore_killed_between_its_renames_is_undone_at_open(caseload, caseload_path,
                                                                tmp_path):
    with caseload.transaction() as s:
        s.add(Person(reference="LW-000001", given_name="Current", family_name="Caseload"))
    saved = backup.backup_to(caseload, tmp_path / "b.db").path
    caseload.close()

    def die_between_renames(staging, target):
        aside = target.with_name(f"{target.stem}.before-restore-x.db")
        (target.with_name(f".{target.name}.restore-journal")).write_text(json.dumps(
            {"staging": str(staging), "aside": str(aside)}))
        backup._move_db_files(target, aside)
        raise SystemExit("killed")  # the second rename never happens

    original = backup._swap_in
    backup._swap_in = die_between_renames
    try:
        with pytest.raises(SystemExit):
            backup.restore_from(saved, caseload_path, TEST_PASSPHRASE)
    finally:
        backup._swap_in = original
    assert not caseload_path.exists()  # the state a crash leaves behind
    with pytest.raises(CaseloadError):  # and no new, empty caseload may take its place
        Caseload.create(caseload_path, TEST_PASSPHRASE)
    with Caseload.open(caseload_path, TEST_PASSPHRASE) as again, again.reading() as s:
        assert s.execute(select(Person.given_name)).scalars().all() == ["Current"]
    assert not list(tmp_path.glob(".*restore-journal"))


def test_a_key_file_asking_for_huge_memory_is_refused_clearly(caseload, caseload_path):
    caseload.close()
    path = keys.key_file_path(caseload_path)
    doc = json.loads(path.read_text())
    doc["passphrase"]["memory_kib"] = 2 ** 40
    path.write_text(json.dumps(doc))
    with pytest.raises(keys.KeyError_, match="impossible unlocking cost"):
        Caseload.open(caseload_path, TEST_PASSPHRASE)


@pytest.mark.parametrize("weak", ["12345678", "password123", "qwertyuiop", "aaaaaaaaaaaa",
                                  "Password2026!", "caseload2026"])
def test_a_guessable_passphrase_is_refused(tmp_path, weak):
    with pytest.raises(keys.WeakPassphrase):
        Caseload.create(tmp_path / "c.db", weak)
    assert not (tmp_path / "c.db").exists()


def test_a_strong_passphrase_is_accepted(tmp_path):
    Caseload.create(tmp_path / "c.db", "plum kettle harbour lantern").close()
