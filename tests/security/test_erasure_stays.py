"""Erasure: every person can be erased, and an erased person stays erased (issue 13 items 2,
4, 10). Subject access files stay inside the chosen folder and are safe to open (item 9).

Promises (docs/security.md, "People's data rights"): erasure removes name, contact details,
NHS number, address, GP practice, venues, notes and everything in the person's own words;
any number of people can be erased; retention asks before it erases and never counts from a
future day; restoring an older backup never brings an erased person back; a subject access
request writes only inside the folder chosen, and its CSV cells cannot run as formulas.
"""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import TEST_PASSPHRASE, cli_sign_in
from sqlalchemy import select

from linkworker import backup, rights
from linkworker.cli import main
from linkworker.errors import UserError
from linkworker.models import AuditEvent, Contact, Episode, Person
from linkworker.storage.database import Caseload
from security.test_rights import make_person

D = dt.date


def test_many_people_can_be_erased_one_after_another(caseload, actor_admin):
    # Demo ids share their first 8 characters: the old ERASED-<8 characters> collided.
    ids = [f"d3m0d3m0-0000-4000-8000-{i:012d}" for i in range(3)]
    with caseload.transaction() as s:
        for i, person_id in enumerate(ids):
            s.add(Person(id=person_id, reference=f"LW-00000{i}", given_name="A", family_name="B"))
            s.add(Episode(person_id=person_id, referral_date=D(2009, 1, 1),
                          referral_source="gp", exit_date=D(2010, 1, 1), stage="exited"))
    done = rights.apply_retention(caseload, actor_admin, D(2026, 1, 1))
    assert len(done) == 3 and len({r.reference for r in done}) == 3
    with caseload.reading() as s:
        refs = set(s.execute(select(Person.reference).where(Person.id.in_(ids))).scalars())
    assert all(r.startswith("ERASED-") for r in refs) and len(refs) == 3


def test_erasure_scrubs_venue_and_gp_practice(caseload, margaret_with_venue, actor_admin):
    rights.anonymise(caseload, actor_admin, margaret_with_venue, "request")
    with caseload.reading() as s:
        assert s.get(Person, margaret_with_venue).gp_practice is None
        venues = s.execute(select(Contact.venue).join(Episode).where(
            Episode.person_id == margaret_with_venue)).scalars().all()
    assert venues and all(v is None for v in venues)


@pytest.fixture
def margaret_with_venue(caseload, actor_admin):
    with caseload.transaction() as s:
        person_id = make_person(s, actor_admin)
        s.get(Person, person_id).gp_practice = "Elswick Family Practice"
        for contact in s.execute(select(Contact)).scalars():
            contact.venue = "Margaret's kitchen, 4 Byker Lane"
    return person_id


def test_restoring_an_older_backup_does_not_bring_an_erased_person_back(
        caseload, caseload_path, tmp_path, actor_admin):
    with caseload.transaction() as s:
        person_id = make_person(s, actor_admin)
    older = backup.backup_to(caseload, tmp_path / "older.db").path
    rights.anonymise(caseload, actor_admin, person_id, "request by letter")
    caseload.close()
    report = backup.restore_from(older, caseload_path, TEST_PASSPHRASE)
    assert report.erasures_reapplied == 1
    with Caseload.open(caseload_path, TEST_PASSPHRASE) as db, db.reading() as s:
        person = s.get(Person, person_id)
        assert person.anonymised_at is not None and person.given_name == "Erased"
        erase = s.execute(select(AuditEvent.details).where(
            AuditEvent.action == "erase")).scalars().all()
    assert any("request by letter" in str(d) for d in erase)  # the erasure is in the trail again


def test_copying_an_old_file_back_by_hand_is_caught_at_open(caseload, caseload_path, tmp_path,
                                                            actor_admin):
    with caseload.transaction() as s:
        person_id = make_person(s, actor_admin)
    caseload.copy_to(tmp_path / "by-hand.db")
    rights.anonymise(caseload, actor_admin, person_id, "request")
    caseload.close()
    (tmp_path / "by-hand.db").replace(caseload_path)
    for side in ("-wal", "-shm"):
        (caseload_path.with_name(caseload_path.name + side)).unlink(missing_ok=True)
    with Caseload.open(caseload_path, TEST_PASSPHRASE) as db, db.reading() as s:
        assert s.get(Person, person_id).anonymised_at is not None


def test_retention_asks_first_and_refuses_a_future_day(caseload, caseload_path, actor_admin,
                                                       monkeypatch, capsys):
    with caseload.transaction() as s:
        make_person(s, actor_admin, exit_date=D(2010, 1, 1), referral=D(2009, 1, 1))
    caseload.close()
    cli_sign_in(monkeypatch, caseload_path, "admin")
    db = ["--db", str(caseload_path)]
    future = (dt.date.today() + dt.timedelta(days=400)).strftime("%d/%m/%Y")
    assert main([*db, "retention", "--apply", "--as-of", future]) == 2
    assert "in the future" in capsys.readouterr().err
    assert main([*db, "retention", "--apply"]) == 2  # no terminal, no --yes: nothing erased
    assert "--yes" in capsys.readouterr().err
    with Caseload.open(caseload_path, TEST_PASSPHRASE) as again, again.reading() as s:
        assert s.execute(select(Person.anonymised_at)).scalar() is None
    assert main([*db, "retention", "--apply", "--yes"]) == 0
    assert "Anonymised 1 people" in capsys.readouterr().out
    with Caseload.open(caseload_path, TEST_PASSPHRASE) as again, pytest.raises(UserError):
        rights.apply_retention(again, actor_admin, dt.date.today() + dt.timedelta(days=1))


def test_subject_access_stays_in_its_folder_and_defuses_formulas(caseload, actor_admin,
                                                                 tmp_path):
    with caseload.transaction() as s:
        person_id = make_person(s, actor_admin, ref="../../X")
        s.get(Person, person_id).given_name = "=HYPERLINK(\"http://evil\",\"click\")"
    out = tmp_path / "chosen" / "folder"
    files = rights.subject_access(caseload, actor_admin, person_id, out)
    written = [p for p in tmp_path.rglob("*") if p.is_file() and "caseload" not in p.name]
    assert written and all(out in p.parents for p in written)
    assert not (tmp_path / "X-record.json").exists()
    person_csv = next(p for p in files.csvs if p.name.endswith("-person.csv"))
    assert "'=HYPERLINK" in person_csv.read_text("utf-8-sig")
