"""The ``linkworker`` command's foundation: init, info, errors to stderr with non-zero exit."""

from __future__ import annotations

import pytest

from linkworker.cli import main
from linkworker.storage import keys


@pytest.fixture
def env_passphrase(monkeypatch):
    monkeypatch.setenv(keys.PASSPHRASE_ENV, "correct horse battery")
    monkeypatch.setenv("LINKWORKER_USER", "dataperson")  # init names the first admin
    monkeypatch.setenv("LINKWORKER_PASSWORD", "plum kettle harbour")


def test_init_then_info(tmp_path, env_passphrase, capsys):
    db = tmp_path / "new.db"
    assert main(["--db", str(db), "init"]) == 0
    assert db.exists()
    assert main(["--db", str(db), "info"]) == 0
    out = capsys.readouterr().out
    assert "SQLCipher 4" in out
    assert "People" in out and "Schema version" in out


def test_init_refuses_existing(tmp_path, env_passphrase, capsys):
    db = tmp_path / "new.db"
    main(["--db", str(db), "init"])
    assert main(["--db", str(db), "init"]) == 2
    assert "already exists" in capsys.readouterr().err


def test_info_on_missing_caseload_is_an_error_not_a_traceback(tmp_path, env_passphrase, capsys):
    assert main(["--db", str(tmp_path / "none.db"), "info"]) == 2
    err = capsys.readouterr().err
    assert "There is no caseload" in err
    assert "Traceback" not in err
    assert not (tmp_path / "none.db").exists()


def test_wrong_passphrase_message(tmp_path, env_passphrase, monkeypatch, capsys, no_keyring):
    db = tmp_path / "c.db"
    main(["--db", str(db), "init"])
    monkeypatch.setenv(keys.PASSPHRASE_ENV, "not the passphrase")
    assert main(["--db", str(db), "info"]) == 2
    assert "does not unlock" in capsys.readouterr().err
