"""Issue 13's attacks again, through team sync: packs, the team key and the hub.

Promises (docs/security.md, "Team sync"): the team key and a hub made from a laptop are an
admin's to hand out, and every pack and team-key command is audited by name; a signed-in user's
sync commands show only their scope; an erasure received by sync is an erasure here too (the
change log forgets the old values, and restoring an older backup never brings the person back).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import TEST_PASSPHRASE, cli_sign_in
from sqlalchemy import select, text

from linkworker import audit, backup, rights
from linkworker.access import Actor
from linkworker.cli import main
from linkworker.models import AuditEvent, Person, SyncChange
from linkworker.storage.database import Caseload
from linkworker.sync import service, teamkey

TEAM_PASSPHRASE = "correct horse battery staple pony"


@pytest.fixture
def shared_laptop(tmp_path, monkeypatch):
    """One laptop everyone uses (the whole caseload), with a team key, signed in as worker1."""
    path = tmp_path / "office.db"
    with Caseload.create(path, TEST_PASSPHRASE) as db, db.transaction() as s:
        s.add(Person(reference="LW-000001", given_name="Margaret", family_name="Okonkwo",
                     nhs_number="9434765919", date_of_birth=dt.date(1950, 1, 1)))
        s.add(Person(reference="LW-000002", given_name="Margret", family_name="Okonkwo",
                     date_of_birth=dt.date(1950, 1, 1)))
        teamkey.create(s.connection())
    cli_sign_in(monkeypatch, path, "admin")
    cli_sign_in(monkeypatch, path, "link_worker", username="worker1")
    monkeypatch.setenv("LINKWORKER_TEAM_KEY_PASSPHRASE", TEAM_PASSPHRASE)
    return path


def _actions(path) -> list[tuple[str, str]]:
    with Caseload.open(path, TEST_PASSPHRASE) as db, db.reading() as s:
        return [tuple(r) for r in s.execute(select(AuditEvent.username, AuditEvent.action))]


@pytest.mark.parametrize("argv", [["team-key", "export", "{tmp}/team.key"],
                                  ["team-key", "import", "{tmp}/team.key"],
                                  ["team-key", "create"],
                                  ["hub", "init", "--url", "postgresql://eve@/x?host=/nowhere"]])
def test_a_link_worker_cannot_take_the_team_key_or_the_whole_caseload(
        argv, shared_laptop, tmp_path, capsys):
    """The attack: worker1 exports the team key (or copies everything into their own hub),
    makes a pack of every change, and opens it in a caseload of their own as its admin."""
    code = main(["--db", str(shared_laptop), *[a.format(tmp=tmp_path) for a in argv]])
    err = capsys.readouterr().err
    assert code == 2 and "may not do this" in err and err.count("\n") == 1, err
    assert not (tmp_path / "team.key").exists()


def test_team_key_and_pack_commands_are_audited_by_name(shared_laptop, tmp_path, monkeypatch):
    cli_sign_in(monkeypatch, shared_laptop, "admin")
    assert main(["--db", str(shared_laptop), "team-key", "export", str(tmp_path / "t.key")]) == 0
    assert (tmp_path / "t.key").stat().st_mode & 0o777 == 0o600
    assert main(["--db", str(shared_laptop), "sync", "export", str(tmp_path / "p.lwpack")]) == 0
    assert (tmp_path / "p.lwpack").stat().st_mode & 0o777 == 0o600
    assert main(["--db", str(shared_laptop), "sync", "import", str(tmp_path / "p.lwpack")]) == 0
    done = _actions(shared_laptop)
    for action in ("team_key.export", "sync.pack_export", "sync.pack_import"):
        assert ("admin", action) in done


def test_sync_lists_show_only_the_signed_in_users_scope(shared_laptop, capsys, monkeypatch):
    """``sync duplicates`` named people outside a link worker's caseload; the manager sees
    the pair."""
    assert main(["--db", str(shared_laptop), "sync", "duplicates"]) == 0
    assert "Okonkwo" not in capsys.readouterr().out
    cli_sign_in(monkeypatch, shared_laptop, "manager")
    assert main(["--db", str(shared_laptop), "sync", "duplicates"]) == 0
    assert "Okonkwo" in capsys.readouterr().out


def test_merge_people_signs_in_and_checks_the_role(shared_laptop, capsys, monkeypatch):
    """It crashed (an import of a function that no longer exists) for every user."""
    code = main(["--db", str(shared_laptop), "sync", "merge-people", "LW-000001", "LW-000002"])
    err = capsys.readouterr().err
    assert code == 2 and "unexpected" not in err, err
    cli_sign_in(monkeypatch, shared_laptop, "manager")
    assert main(["--db", str(shared_laptop), "sync", "merge-people", "LW-000001",
                 "LW-000002"]) == 0
    assert ("manager", "person.merge") in _actions(shared_laptop)


# --- erasure through sync -------------------------------------------------------------------

ADMIN = Actor(user_id=None, username="system", role="system")


@pytest.fixture
def two_laptops(tmp_path):
    """The office laptop and a second replica that has received everything by a pack."""
    office = Caseload.create(tmp_path / "office.db", TEST_PASSPHRASE)
    with office.transaction() as s:
        s.add(Person(id="p-ronald", reference="LW-000006", given_name="Ronald",
                     family_name="Taylor", nhs_number="9434765919", gp_practice="Bensham"))
        key = teamkey.create(s.connection())
    other = Caseload.create(tmp_path / "other.db", TEST_PASSPHRASE)
    with other.transaction() as s:
        teamkey.install(s.connection(), key)
    service.export_pack(office, tmp_path / "first.lwpack")
    service.import_pack(other, tmp_path / "first.lwpack")
    yield office, other
    office.close()
    other.close()


def _log_text(caseload) -> str:
    with caseload.reading() as s:
        return json.dumps([c.data for c in s.scalars(select(SyncChange))])


def test_an_erasure_leaves_nothing_in_the_change_log(two_laptops, tmp_path):
    """The change log kept every value ever recorded: the erased name and NHS number went on
    in every pack (``sync export --all``), pull and new replica."""
    office, _ = two_laptops
    rights.anonymise(office, ADMIN, "p-ronald", "request by letter")
    log = _log_text(office)
    assert "Ronald" not in log and "9434765919" not in log and "Bensham" not in log
    assert "LW-000006" not in log


def test_an_erasure_received_by_pack_survives_restoring_an_older_backup(two_laptops, tmp_path):
    office, other = two_laptops
    with other.transaction() as s:  # the other laptop's own event about Ronald
        audit.record(s, ADMIN, "person.view", person_id="p-ronald",
                     details={"name": "Ronald Taylor"})
    backup.backup_to(other, tmp_path / "bk" / "before.db")
    rights.anonymise(office, ADMIN, "p-ronald", "request by letter")
    service.export_pack(office, tmp_path / "erase.lwpack")
    service.import_pack(other, tmp_path / "erase.lwpack")
    assert "Ronald" not in _log_text(other) and "9434765919" not in _log_text(other)
    with other.reading() as s:
        assert "Ronald" not in json.dumps([e.details for e in s.scalars(select(AuditEvent))])
    path = other.path
    other.close()
    report = backup.restore_from(tmp_path / "bk" / "before.db", path, TEST_PASSPHRASE)
    assert report.erasures_reapplied == 1
    with Caseload.open(path, TEST_PASSPHRASE) as again, again.reading() as s:
        ronald = s.get(Person, "p-ronald")
        assert ronald.given_name == "Erased" and ronald.nhs_number is None


# --- the audit trail across replicas --------------------------------------------------------


def _verify(caseload):
    from linkworker.storage import keys

    with caseload.reading() as s:
        return audit.verify_chain(s, keys.read_anchor(caseload.path))


def test_a_replica_that_received_events_still_verifies_its_own_chain(two_laptops, tmp_path):
    """Events from another laptop are chained and keyed where they were written: the trail
    here read 'tampered with' after the first pack, so real tampering went unseen in noise."""
    office, other = two_laptops
    with office.transaction() as s:
        audit.record(s, ADMIN, "person.view", person_id="p-ronald", details={"n": 1})
    with other.transaction() as s:
        audit.record(s, ADMIN, "settings.change", details={"n": 2})
    service.export_pack(office, tmp_path / "more.lwpack")
    service.import_pack(other, tmp_path / "more.lwpack")
    with other.transaction() as s:
        audit.record(s, ADMIN, "settings.change", details={"n": 3})
    assert _verify(other).ok, _verify(other)
    with other.engine.begin() as conn:  # and an edit of this laptop's own event is still seen
        conn.execute(text("DROP TRIGGER audit_events_no_update"))
        conn.execute(text("UPDATE audit_events SET details = '{\"n\": 99}' "
                          "WHERE action = 'settings.change' AND details LIKE '%2}'"))
    report = _verify(other)
    assert not report.ok and "changed" in report.reason


def test_a_late_edit_from_another_laptop_does_not_undo_an_erasure(two_laptops, tmp_path):
    """The other laptop changed Ronald's phone number offline before it heard of the erasure;
    its pack arrives after. The erased record must not get the number back."""
    office, other = two_laptops
    with other.transaction() as s:
        s.get(Person, "p-ronald").phone = "07700 900123"
    rights.anonymise(office, ADMIN, "p-ronald", "request by letter")
    service.export_pack(other, tmp_path / "late.lwpack")
    service.import_pack(office, tmp_path / "late.lwpack")
    with office.reading() as s:
        assert s.get(Person, "p-ronald").phone is None
    assert "07700 900123" not in _log_text(office)
