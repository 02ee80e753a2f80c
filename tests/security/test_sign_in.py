"""Who is acting: the command line signs in, roles hold there too, a changed account stops at
once, and sign-in failures say nothing about which usernames exist (issue 13 items 1, 10).

Promises (docs/security.md, "Accounts and roles" and "The command line").
"""

from __future__ import annotations

import pytest
from conftest import CLI_PASSWORD, TEST_PASSPHRASE, cli_sign_in
from sqlalchemy import select

from linkworker import accounts, rights
from linkworker.access import PermissionDenied
from linkworker.cli import main
from linkworker.io.export import export_all
from linkworker.models import AuditEvent, Person, User
from linkworker.storage.database import Caseload

GOOD = "plum kettle harbour"


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "caseload.db"
    with Caseload.create(path, TEST_PASSPHRASE) as caseload, caseload.transaction() as s:
        s.add(Person(reference="LW-000001", given_name="Margaret", family_name="Okonkwo"))
    return path


@pytest.mark.parametrize("argv", [
    ["user", "list"], ["export", "{tmp}/out"], ["erase", "LW-000001", "--reason", "x", "--yes"],
    ["sar", "LW-000001", "--out", "{tmp}/sar"], ["audit", "export", "{tmp}/a.csv"],
    ["restore", "--yes"], ["backup", "{tmp}/b.db"], ["retention"],
])
def test_a_link_worker_on_the_command_line_has_a_link_workers_rights(db, tmp_path, monkeypatch,
                                                                     capsys, argv):
    cli_sign_in(monkeypatch, db, "link_worker")
    assert main(["--db", str(db), *[a.format(tmp=tmp_path) for a in argv]]) == 2
    err = capsys.readouterr().err
    assert "may not" in err or "No good backup" in err, err


def test_commands_are_audited_by_the_signed_in_username(db, tmp_path, monkeypatch):
    cli_sign_in(monkeypatch, db, "manager", username="morgan")
    assert main(["--db", str(db), "export", str(tmp_path / "out")]) == 0
    with Caseload.open(db, TEST_PASSPHRASE) as caseload, caseload.reading() as s:
        who = dict(s.execute(select(AuditEvent.action, AuditEvent.username)).all())
    assert who["sign_in"] == "morgan" and who["export"] == "morgan"


def test_an_account_that_must_choose_its_password_cannot_script(db, monkeypatch, capsys):
    cli_sign_in(monkeypatch, db, "admin")
    with Caseload.open(db, TEST_PASSPHRASE) as caseload, caseload.transaction() as s:
        s.execute(User.__table__.update().values(must_change_password=True))
    assert main(["--db", str(db), "user", "list"]) == 2
    assert "choose your own" in capsys.readouterr().err


def test_a_deactivated_or_demoted_user_already_signed_in_can_do_nothing_more(db):
    with Caseload.open(db, TEST_PASSPHRASE) as caseload:
        admin = accounts.create_first_admin(caseload, "dana", "Dana", GOOD)
        info = accounts.add_user(caseload, admin, "asha", "Asha", "manager", GOOD)
        with caseload.transaction() as s:
            s.get(User, info.id).must_change_password = False
            person_id = s.execute(select(Person.id)).scalar_one()
        asha = accounts.sign_in(caseload, "asha", GOOD)
        accounts.set_role(caseload, admin, info.id, "link_worker")
        with pytest.raises(PermissionDenied, match="role was changed"):
            rights.subject_access(caseload, asha, person_id, db.parent / "sar")
        accounts.deactivate(caseload, admin, info.id)
        with pytest.raises(PermissionDenied, match="deactivated"):
            rights.subject_access(caseload, asha, person_id, db.parent / "sar")
        with pytest.raises(PermissionDenied, match="deactivated"):
            export_all(caseload, asha, db.parent / "everything")
    assert not (db.parent / "sar").exists() or not any((db.parent / "sar").rglob("*.json"))
    assert not (db.parent / "everything").exists()


def test_lock_out_says_nothing_about_which_usernames_exist(db):
    with Caseload.open(db, TEST_PASSPHRASE) as caseload:
        accounts.create_first_admin(caseload, "dana", "Dana", GOOD)
        answers = {}
        for name in ("dana", "nobody-here"):
            for _ in range(7):
                with pytest.raises(accounts.SignInFailed) as caught:
                    accounts.sign_in(caseload, name, "wrong guess here")
                answers.setdefault(name, set()).add(str(caught.value))
    assert answers["dana"] == answers["nobody-here"] == {accounts.SIGN_IN_FAILED}


def test_restore_over_a_lost_caseload_signs_in_against_the_backup(db, tmp_path, monkeypatch,
                                                                  capsys):
    cli_sign_in(monkeypatch, db, "admin")
    assert main(["--db", str(db), "backup", str(tmp_path / "b.db")]) == 0
    for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        path.unlink(missing_ok=True)  # the laptop's caseload is gone; the key file too
    db.with_name(db.name + ".key").unlink()
    monkeypatch.setenv("LINKWORKER_PASSWORD", "not the password")
    assert main(["--db", str(db), "restore", str(tmp_path / "b.db"), "--yes"]) == 2
    assert "do not match" in capsys.readouterr().err and not db.exists()
    monkeypatch.setenv("LINKWORKER_PASSWORD", CLI_PASSWORD)
    assert main(["--db", str(db), "restore", str(tmp_path / "b.db"), "--yes"]) == 0
    assert db.exists()


def test_a_password_reset_while_the_old_one_is_checked_decides_the_sign_in(caseload, monkeypatch):
    """The password is checked before the sign-in's write transaction (issue 15, stop 24); an
    admin's reset that lands in between is what counts: the old password, right a moment ago,
    is refused and counted as a failure, and the new one signs in."""
    admin = accounts.create_first_admin(caseload, "admin", "Ada Admin", "copper kettle lantern 42")
    user = accounts.add_user(caseload, admin, "asha", "Asha Patel", "link_worker",
                             "first pass phrase 19")
    real = accounts._checked_before

    def reset_meanwhile(*args):
        checked = real(*args)
        accounts.reset_password(caseload, admin, user.id, "second pass phrase 27")
        return checked

    monkeypatch.setattr(accounts, "_checked_before", reset_meanwhile)
    with pytest.raises(accounts.SignInFailed):
        accounts.sign_in(caseload, "asha", "first pass phrase 19")
    monkeypatch.setattr(accounts, "_checked_before", real)
    assert [u.username for u in accounts.list_users(caseload, admin)
            if u.id == user.id] == ["asha"]
    with caseload.reading() as session:
        assert session.get(User, user.id).failed_attempts == 1
    assert accounts.sign_in(caseload, "asha", "second pass phrase 27").username == "asha"
