"""The data lead's commands end to end: users, backup/restore, audit, SAR, erase, retention.

Promise: the command line signs in as a user and gets exactly that role's rights, audited by
the username (docs/security.md, "The command line").
"""

from __future__ import annotations

import io

import pytest
from conftest import cli_sign_in
from sqlalchemy import select

from linkworker.cli import main
from linkworker.models import AuditEvent, Person
from linkworker.storage.database import Caseload

PASS = "correct horse battery"


@pytest.fixture
def db(tmp_path, monkeypatch):
    """Margaret in a caseload, and the CLI signed in as its admin dana (which also sets the
    passphrase)."""
    path = tmp_path / "caseload.db"
    with Caseload.create(path, PASS) as caseload, caseload.transaction() as s:
        s.add(Person(reference="LW-000007", given_name="Margaret", family_name="Okonkwo"))
    cli_sign_in(monkeypatch, path, "admin", PASS, username="dana")
    return path


def _run(db, *argv, stdin=None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["--db", str(db), *argv])


def test_user_commands(db, monkeypatch, capsys):
    assert _run(db, "user", "add", "asha", "--name", "Asha Patel", "--role", "link_worker",
                "--password-stdin", stdin="plum kettle harbour\n", monkeypatch=monkeypatch) == 0
    assert _run(db, "user", "add", "bob", "--name", "Bob", "--role", "manager",
                "--password-stdin", stdin="short\n", monkeypatch=monkeypatch) == 2
    assert "at least" in capsys.readouterr().err
    assert _run(db, "user", "deactivate", "asha") == 0
    assert _run(db, "user", "list") == 0
    out = capsys.readouterr().out
    assert "asha" in out and "deactivated" in out and "bob" not in out
    assert _run(db, "user", "unlock", "nobody") == 2
    with Caseload.open(db) as caseload, caseload.reading() as s:
        names = set(s.execute(select(AuditEvent.username)).scalars())
    assert names == {"dana"}  # every event names the signed-in admin, none a bare "system"


def test_backup_restore_and_audit_commands(db, tmp_path, capsys):
    target = tmp_path / "usb" / "copy.db"
    assert _run(db, "backup", str(target)) == 0
    assert "checked" in capsys.readouterr().out
    assert _run(db, "restore", str(target), "--yes") == 0
    assert "kept at" in capsys.readouterr().out
    assert _run(db, "audit", "verify") == 0
    assert "intact" in capsys.readouterr().out
    assert _run(db, "audit", "export", str(tmp_path / "a.csv"), "--action", "restore") == 0
    assert "Wrote 1 audit events" in capsys.readouterr().out
    target.write_bytes(target.read_bytes()[:4096])
    assert _run(db, "restore", str(target), "--yes") == 2
    assert "cannot be restored" in capsys.readouterr().err


def test_sar_erase_and_retention_commands(db, tmp_path, capsys):
    assert _run(db, "sar", "lw-000007", "--out", str(tmp_path / "sar")) == 0
    assert "LW-000007-record.pdf" in capsys.readouterr().out
    assert _run(db, "erase", "LW-000009", "--reason", "request", "--yes") == 2
    assert _run(db, "erase", "LW-000007", "--reason", "request by letter", "--yes") == 0
    assert "anonymous ERASED-" in capsys.readouterr().out
    assert _run(db, "retention") == 0
    assert "0 people are past" in capsys.readouterr().out
