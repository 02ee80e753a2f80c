"""The encrypted caseload store: keys, passphrases, safe writes and schema upgrades."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import func, select, text

from linkworker.models import AuditEvent, Person
from linkworker.storage import keys, migrate
from linkworker.storage.database import (
    Caseload,
    CaseloadDamaged,
    CaseloadError,
    CaseloadNotFound,
)


def add_person(caseload: Caseload, given: str = "Ada", family: str = "Lovelace") -> str:
    with caseload.transaction() as s:
        person = Person(
            reference=f"LW-{given[:3]}{family[:3]}", given_name=given, family_name=family
        )
        s.add(person)
        s.flush()
        return person.id


def count_people(caseload: Caseload) -> int:
    with caseload.reading() as s:
        return s.execute(select(func.count()).select_from(Person)).scalar_one()


def test_new_caseload_is_encrypted_and_at_head(caseload, caseload_path):
    add_person(caseload, "Zebedee", "Quixotic-Marchbanks")
    caseload.checkpoint()
    raw = caseload_path.read_bytes()
    assert not raw.startswith(b"SQLite format 3")
    assert b"Quixotic" not in raw
    assert migrate.current_revision(caseload.engine) == migrate.head_revision()
    with caseload.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA cipher_version").scalar().startswith("4.")


def test_key_file_holds_no_plain_key(caseload, caseload_path, memory_keyring):
    document = json.loads(keys.key_file_path(caseload_path).read_text())
    stored = next(iter(memory_keyring.secrets.values()))
    assert stored not in json.dumps(document)
    assert document["passphrase"]["kdf"] == "argon2id"


def test_reopens_from_keyring_without_passphrase(caseload, caseload_path):
    person_id = add_person(caseload)
    caseload.close()
    with Caseload.open(caseload_path) as again, again.reading() as s:
        assert s.get(Person, person_id).family_name == "Lovelace"


def test_no_keyring_needs_passphrase_and_env_supplies_it(no_keyring, caseload_path, monkeypatch):
    db = Caseload.create(caseload_path, "a long passphrase")
    add_person(db)
    db.close()
    assert json.loads(keys.key_file_path(caseload_path).read_text())["in_keyring"] is False
    with pytest.raises(keys.PassphraseRequired):
        Caseload.open(caseload_path)
    monkeypatch.setenv(keys.PASSPHRASE_ENV, "a long passphrase")
    with Caseload.open(caseload_path) as again:
        assert count_people(again) == 1


def test_wrong_passphrase_is_clear_and_creates_nothing(no_keyring, caseload_path, tmp_path):
    Caseload.create(caseload_path, "the right passphrase").close()
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(keys.WrongPassphrase, match="does not unlock"):
        Caseload.open(caseload_path, "the wrong passphrase")
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_missing_caseload_is_not_created_by_open(tmp_path):
    with pytest.raises(CaseloadNotFound):
        Caseload.open(tmp_path / "nothing.db", "whatever passphrase")
    assert list(tmp_path.iterdir()) == []


def test_create_refuses_to_overwrite(caseload, caseload_path):
    with pytest.raises(CaseloadError, match="already exists"):
        Caseload.create(caseload_path, "another passphrase")


def test_short_passphrase_refused(tmp_path):
    with pytest.raises(keys.WeakPassphrase):
        Caseload.create(tmp_path / "c.db", "short")
    assert list(tmp_path.iterdir()) == []


def test_missing_key_file_is_explained(caseload, caseload_path):
    caseload.close()
    keys.key_file_path(caseload_path).unlink()
    with pytest.raises(keys.KeyFileMissing, match="key file"):
        Caseload.open(caseload_path, "correct horse battery")


def test_key_file_of_another_caseload_is_damage_not_a_new_database(tmp_path, no_keyring):
    first = Caseload.create(tmp_path / "a.db", "passphrase one")
    add_person(first)
    first.close()
    Caseload.create(tmp_path / "b.db", "passphrase one").close()
    keys.key_file_path(tmp_path / "b.db").replace(keys.key_file_path(tmp_path / "a.db"))
    with pytest.raises(CaseloadDamaged, match="could not be read"):
        Caseload.open(tmp_path / "a.db", "passphrase one")


def test_truncated_file_is_reported(caseload, caseload_path):
    caseload.close()
    caseload_path.write_bytes(b"")
    with pytest.raises(CaseloadDamaged, match="truncated"):
        Caseload.open(caseload_path)


def test_change_passphrase_keeps_data(no_keyring, caseload_path):
    db = Caseload.create(caseload_path, "first passphrase")
    add_person(db)
    db.close()
    keys.change_passphrase(caseload_path, "first passphrase", "second passphrase")
    with pytest.raises(keys.WrongPassphrase):
        Caseload.open(caseload_path, "first passphrase")
    with Caseload.open(caseload_path, "second passphrase") as again:
        assert count_people(again) == 1


def test_transaction_is_all_or_nothing(caseload):
    with pytest.raises(RuntimeError), caseload.transaction() as s:
        s.add(Person(reference="LW-1", given_name="A", family_name="B"))
        s.flush()
        raise RuntimeError("crash in the middle of a user action")
    assert count_people(caseload) == 0


def test_copy_is_encrypted_and_opens_with_same_passphrase(caseload, tmp_path, no_keyring):
    add_person(caseload)
    copy = caseload.copy_to(tmp_path / "copies" / "copy.db")
    assert b"Lovelace" not in copy.read_bytes()
    with Caseload.open(copy, "correct horse battery") as again:
        assert count_people(again) == 1
        assert again.integrity_problems(quick=False) == []


def test_newer_schema_is_refused(caseload, caseload_path):
    with caseload.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'from_the_future'")
    caseload.close()
    with pytest.raises(CaseloadError, match="newer LinkWorker"):
        Caseload.open(caseload_path)


CRASH_WRITER = textwrap.dedent(
    """
    import sys
    from linkworker.models import Person
    from linkworker.storage.database import Caseload
    db = Caseload.open(sys.argv[1], "correct horse battery")
    with db.transaction() as s:
        for i in range(200_000):
            s.add(Person(reference=f"LW-{i:07d}", given_name="Crash", family_name=f"Test{i}"))
            if i % 2_000 == 0:
                s.flush()
            if i == 60_000:
                print("halfway", flush=True)
    print("committed", flush=True)
    """
)


@pytest.mark.slow
def test_killed_mid_write_leaves_sound_database_with_none_of_the_write(caseload, caseload_path):
    add_person(caseload, "Before", "Crash")
    caseload.close()
    env = dict(os.environ, LINKWORKER_PASSPHRASE="correct horse battery")
    child = subprocess.Popen(
        [sys.executable, "-c", CRASH_WRITER, str(caseload_path)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert child.stdout.readline().strip() == "halfway"
    child.kill()
    child.wait()
    with Caseload.open(caseload_path, "correct horse battery") as again:
        assert again.integrity_problems(quick=False) == []
        assert count_people(again) == 1


def test_dates_are_stored_as_iso_8601_and_read_back_as_dates(caseload):
    """Files hold ISO 8601 (a script reading the caseload with SQL sees 1960-02-29), and the
    core gets ``date`` objects back, a leap day included."""
    with caseload.transaction() as s:
        s.add(Person(
            reference="LW-D", given_name="D", family_name="O", date_of_birth=dt.date(1960, 2, 29)
        ))
    with caseload.reading() as s:
        assert s.execute(select(Person.date_of_birth)).scalar_one() == dt.date(1960, 2, 29)
        stored = s.execute(text("SELECT date_of_birth, typeof(date_of_birth) FROM people")).one()
        assert tuple(stored) == ("1960-02-29", "text")


def test_two_writers_at_once_wait_for_each_other_and_keep_the_audit_chain(caseload,
                                                                           caseload_path):
    """The app and a script writing at the same moment: the second waits, nothing forks."""
    import threading
    import time

    from linkworker import audit
    from linkworker.access import SYSTEM

    second = Caseload.open(caseload_path)
    first_holds_lock = threading.Event()
    errors: list[BaseException] = []

    def first_writer() -> None:
        try:
            with caseload.transaction() as s:
                audit.record(s, SYSTEM, "first")
                first_holds_lock.set()
                time.sleep(0.5)  # still uncommitted while the second one starts
        except BaseException as exc:  # reported below
            errors.append(exc)
            first_holds_lock.set()

    thread = threading.Thread(target=first_writer)
    thread.start()
    first_holds_lock.wait(5)
    with second.transaction() as s:
        audit.record(s, SYSTEM, "second")
    thread.join()
    assert errors == []
    with second.reading() as s:
        report = audit.verify_chain(s)
        actions = [e.action for e in s.execute(
            select(AuditEvent).order_by(AuditEvent.seq)).scalars()]
    second.close()
    assert report.ok, report.reason
    assert actions[-2:] == ["first", "second"]


def test_sqlite_memory_has_one_soft_cap_for_every_connection(caseload, tmp_path):
    """Eight pooled connections at ``CACHE_MB`` each could hold 320 MB beside the window at
    150,000 people (issue 15): every connection sets one process-wide soft cap, and this
    SQLCipher build keeps to it (a connection reuses its own oldest pages past it)."""
    from linkworker.storage.database import SQLITE_HEAP_MB, sqlite_memory

    cap = SQLITE_HEAP_MB * 2**20
    with caseload.engine.connect() as a, caseload.engine.connect() as b:
        seen = [sqlite_memory(conn) for conn in (a, b)]
        assert [m.soft_limit for m in seen] == [cap, cap]
        if seen[0].used is None:
            pytest.skip("this platform's SQLCipher does not say how much it holds")
        assert 0 < seen[0].used < cap
        _read_past(tmp_path / "scratch.db", lambda: sqlite_memory(a).used, cap)


def _read_past(path, used, cap: int) -> None:
    """Reads ~9 MB through a cache that would keep it all, under a cap 1 MB above what SQLite
    holds now: what it holds after stays near the cap."""
    import sqlcipher3.dbapi2 as sqlcipher

    scratch = sqlcipher.connect(str(path))
    try:
        scratch.execute("PRAGMA key = 'scratch'")
        scratch.execute("CREATE TABLE t (b BLOB)")
        scratch.executemany("INSERT INTO t VALUES (randomblob(3000))", [()] * 3000)
        scratch.commit()
        scratch.execute("PRAGMA cache_size = -100000")
        low = used() + 2**20
        scratch.execute(f"PRAGMA soft_heap_limit = {low}")
        scratch.execute("SELECT sum(length(b)) FROM t").fetchall()
        assert used() < low + 2**20  # without the cap: about 9 MB more
    finally:
        scratch.execute(f"PRAGMA soft_heap_limit = {cap}")
        scratch.close()
