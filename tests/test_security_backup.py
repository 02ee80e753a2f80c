"""Backups and restores: verified, encrypted, rotated; a bad backup never replaces good data."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from conftest import TEST_PASSPHRASE, make_actor
from sqlalchemy import func, select

from linkworker import backup, settings
from linkworker.access import PermissionDenied
from linkworker.models import AuditEvent, Person
from linkworker.storage import keys
from linkworker.storage.database import Caseload, CaseloadDamaged


def _add_people(caseload, *names):
    with caseload.transaction() as s:
        start = s.execute(select(func.count()).select_from(Person)).scalar_one()
        for i, name in enumerate(names, start):
            s.add(Person(reference=f"LW-{i:06d}", given_name=name, family_name="Testperson"))


def _names(path):
    with Caseload.open(path, TEST_PASSPHRASE) as db, db.reading() as s:
        return sorted(s.execute(select(Person.given_name)).scalars())


def _damage(path, at=None):
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.seek(at if at is not None else size // 2)
        handle.write(os.urandom(512))


def test_backup_is_encrypted_verified_and_audited(caseload, tmp_path):
    _add_people(caseload, "Margaret")
    target = tmp_path / "usb" / "monday"
    check = backup.backup_to(caseload, target)
    assert check.ok and check.people == 1 and check.path.name == "monday.db"
    assert keys.key_file_path(check.path).exists()
    assert b"Margaret" not in check.path.read_bytes()  # encrypted at rest
    assert not [p for p in check.path.parent.iterdir() if p.name.startswith(".")]
    with caseload.reading() as s:
        event = s.execute(select(AuditEvent).where(AuditEvent.action == "backup")).scalar_one()
        assert event.details["file"] == str(check.path) and "os_user" in event.details
    with pytest.raises(PermissionDenied):
        backup.backup_to(caseload, tmp_path / "x.db", make_actor("link_worker"))


def test_backup_restore_round_trip_keeps_the_current_copy(caseload, caseload_path, tmp_path):
    _add_people(caseload, "Margaret", "Tom")
    saved = backup.backup_to(caseload, tmp_path / "saved.db").path
    _add_people(caseload, "Added After Backup")
    caseload.close()
    report = backup.restore_from(saved, caseload_path, TEST_PASSPHRASE)
    assert report.people == 2
    assert _names(caseload_path) == ["Margaret", "Tom"]
    # The caseload as it was before the restore is kept aside, whole and openable.
    assert report.set_aside is not None and "before-restore" in report.set_aside.name
    assert "Added After Backup" in _names(report.set_aside)
    with Caseload.open(caseload_path, TEST_PASSPHRASE) as db, db.reading() as s:
        actions = s.execute(select(AuditEvent.action)).scalars().all()
    assert actions[-1] == "restore"


@pytest.mark.parametrize("harm", ["corrupt", "truncate", "no_key", "wrong_passphrase"])
def test_bad_backup_is_refused_and_current_data_untouched(caseload, caseload_path, tmp_path,
                                                          memory_keyring, harm):
    _add_people(caseload, "Margaret")
    saved = backup.backup_to(caseload, tmp_path / "saved.db").path
    _add_people(caseload, "Current Only")
    caseload.close()
    before = caseload_path.read_bytes()
    passphrase = TEST_PASSPHRASE
    if harm == "corrupt":
        _damage(saved)
    elif harm == "truncate":
        with saved.open("r+b") as handle:
            handle.truncate(saved.stat().st_size // 2)
    elif harm == "no_key":
        keys.key_file_path(saved).unlink()
    else:
        memory_keyring.secrets.clear()
        passphrase = "not the passphrase at all"
    with pytest.raises((backup.BackupError, keys.KeyError_)):
        backup.restore_from(saved, caseload_path, passphrase)
    assert caseload_path.read_bytes() == before
    assert sorted(p.name for p in caseload_path.parent.iterdir() if "caseload" in p.name) == [
        "caseload.db", "caseload.db.key"]
    assert _names(caseload_path) == ["Current Only", "Margaret"]


def test_failure_after_the_swap_puts_the_current_caseload_back(caseload, caseload_path,
                                                               tmp_path):
    _add_people(caseload, "Margaret")
    saved = backup.backup_to(caseload, tmp_path / "saved.db").path
    _add_people(caseload, "Current Only")
    caseload.close()

    def power_cut(_target):
        raise OSError("disk removed")

    with pytest.raises(OSError):
        backup.restore_from(saved, caseload_path, TEST_PASSPHRASE, after_swap=power_cut)
    assert _names(caseload_path) == ["Current Only", "Margaret"]


def test_start_up_on_a_damaged_caseload_is_detected(caseload, caseload_path, tmp_path):
    _add_people(caseload, *[f"Person{i}" * 20 for i in range(300)])
    backup.auto_backup(caseload, "daily")
    caseload.close()
    _damage(caseload_path, at=caseload_path.stat().st_size - 8192)
    with pytest.raises(CaseloadDamaged):
        opened = Caseload.open(caseload_path, TEST_PASSPHRASE)
        backup.ensure_sound(opened)
    good = backup.latest_good_backup(caseload_path, TEST_PASSPHRASE)
    assert good is not None and good.people == 300
    backup.restore_from(good.path, caseload_path, TEST_PASSPHRASE)
    with Caseload.open(caseload_path, TEST_PASSPHRASE) as db:
        assert backup.health_problems(db) == []


def test_truncated_caseload_is_refused_at_open(caseload, caseload_path):
    _add_people(caseload, *[f"Person{i}" * 20 for i in range(300)])
    caseload.checkpoint()
    caseload.close()
    with caseload_path.open("r+b") as handle:
        handle.truncate(caseload_path.stat().st_size // 2)
    with pytest.raises(CaseloadDamaged, match="Restore"):
        backup.ensure_sound(Caseload.open(caseload_path, TEST_PASSPHRASE))


def test_daily_backups_rotate(caseload, caseload_path, actor_admin):
    settings.update(caseload, actor_admin, {settings.BACKUP_KEEP_DAILY: 2})
    start = dt.date(2026, 3, 1)
    for offset in range(4):
        backup.auto_backup(caseload, "daily", today=start + dt.timedelta(days=offset))
    kept = sorted(p.name for p in backup.backup_dir(caseload_path).glob("*.db"))
    assert kept == ["caseload-daily-20260303.db", "caseload-daily-20260304.db"]
    assert not backup.daily_due(caseload, start + dt.timedelta(days=3))
    assert backup.daily_due(caseload, start + dt.timedelta(days=4))
    settings.update(caseload, actor_admin, {settings.BACKUP_ON_EXIT: False})
    assert backup.auto_backup(caseload, "exit") is None
    assert [b.kind for b in backup.list_backups(caseload_path)] == ["daily", "daily"]


def test_two_backups_of_one_caseload_at_once_both_land_verified(caseload):
    """The start-up daily backup and an early exit's backup can overlap in one process."""
    import threading

    backups = backup
    errors: list[BaseException] = []

    def daily() -> None:
        try:
            backups.auto_backup(caseload, "daily")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=daily) for _ in range(3)]
    for thread in threads:
        thread.start()
    backups.auto_backup(caseload, "exit")
    for thread in threads:
        thread.join()
    assert errors == []
    folder = caseload.path.parent / "backups"
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []
    daily_file = backups.daily_path(caseload.path, dt.date.today())
    assert backups.inspect_file(daily_file, backups._live_key(caseload)).ok
