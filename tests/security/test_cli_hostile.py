"""Every command, fed hostile input, prints one clear line and exits 2: never a traceback.

Promise (docs/security.md, "The command line"). The table names one hostile case per
command; ``test_every_command_has_a_hostile_case`` fails when a command is added without one.
"""

from __future__ import annotations

import argparse
import io
import json

import pytest
from conftest import CLI_PASSWORD, TEST_PASSPHRASE, cli_sign_in

from linkworker.cli import build_parser, main
from linkworker.models import Person, User
from linkworker.outcomes.sample import install_sample_contract, sample_document
from linkworker.storage import keys
from linkworker.storage.database import Caseload
from tests.sync.conftest import pg_server_url, pg_url  # noqa: F401 (fixtures: a real hub)
from tests.sync.test_hub_returns import team  # noqa: F401 (fixture: a caseload with TEST-SIB)

NESTED = "[" * 100_000 + "]" * 100_000  # deeply nested JSON: a RecursionError waiting to happen


def _leaf_commands(parser: argparse.ArgumentParser, prefix=()) -> set[tuple[str, ...]]:
    found = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found |= _leaf_commands(sub, (*prefix, name)) or {(*prefix, name)}
    return found


# (command words, then the rest of argv with {placeholders}, setup) -> must exit 2.
CASES = {
    ("info",): (["info"], "huge_kdf"),
    ("init",): (["init"], "weak_first_admin"),
    ("demo",): (["demo", "--people", "-5"], ""),
    ("instrument", "check"): (["instrument", "check", "{nested}"], ""),
    ("instrument", "add"): (["instrument", "add", "{nested}"], ""),
    ("instrument", "list"): (["instrument", "list"], "wrong_password"),
    ("instrument", "score"): (["instrument", "score", "WEMWBS", "9" * 400], ""),
    ("instrument", "thresholds"): (["instrument", "thresholds"], "passphrase_only"),
    ("instrument", "threshold"): (["instrument", "threshold", "WEMWBS", "--meaningful", "nan"],
                                  ""),
    ("wording", "load"): (["wording", "load", "--instrument", "../../x", "{binary}"], ""),
    ("wording", "status"): (["wording", "status"], "deactivated"),
    ("wording", "clear"): (["wording", "clear", "--instrument", "'; DROP TABLE users;--"], ""),
    ("return",): (["return", "--contract", "{contract}", "--period", "9999-Q4"], "manager"),
    ("contract", "check"): (["contract", "check", "{nested}"], ""),
    ("returns", "verify"): (["returns", "verify", "{nested}"], "passphrase_only"),
    ("contract", "add"): (["contract", "add", "{nested}"], "manager"),
    ("contract", "list"): (["contract", "list"], "passphrase_only"),
    ("cohort", "export"): (["cohort", "export", "--contract", "{contract}", "--out",
                            "{under_a_file}"], "manager"),
    ("cohort", "import"): (["cohort", "import", "--contract", "{contract}", "{binary}"],
                           "manager"),
    ("user", "add"): (["user", "add", "../../eve", "--name", "Eve", "--role", "admin",
                       "--password-stdin"], "stdin"),
    ("user", "list"): (["user", "list"], "link_worker"),
    ("user", "reset"): (["user", "reset", "nobody\x00", "--password-stdin"], "stdin"),
    ("user", "deactivate"): (["user", "deactivate", "admin"], ""),  # oneself
    ("user", "reactivate"): (["user", "reactivate", "x" * 5000], ""),
    ("user", "unlock"): (["user", "unlock", "admin"], "link_worker"),
    ("user", "rename"): (["user", "rename", "admin", "../../eve"], ""),
    ("backup",): (["backup", "{under_a_file}"], ""),
    ("restore",): (["restore", "{binary}", "--yes"], ""),
    ("audit", "verify"): (["audit", "verify"], "link_worker"),
    ("audit", "export"): (["audit", "export", "{out}/a.csv", "--since", "31/02/2026"], ""),
    ("sar",): (["sar", "../../LW-000001", "--out", "{out}"], ""),
    ("erase",): (["erase", "LW-000001", "--reason", "request"], ""),  # no --yes, no terminal
    ("retention",): (["retention", "--as-of", "0000-01-01"], ""),
    ("import",): (["import", "{binary}", "--kind", "people"], "manager"),
    ("export",): (["export", "{under_a_file}"], "manager"),
    ("sync", "export"): (["sync", "export", "{under_a_file}"], ""),  # no team key yet
    ("sync", "import"): (["sync", "import", "{binary}"], ""),
    ("sync", "status"): (["sync", "status"], "wrong_password"),
    ("sync", "conflicts"): (["sync", "conflicts"], "deactivated"),
    ("sync", "duplicates"): (["sync", "duplicates"], "passphrase_only"),
    ("sync", "merge-people"): (["sync", "merge-people", "../../x", "LW-000001"], ""),
    ("sync", "undo-merge"): (["sync", "undo-merge", "x" * 5000], ""),
    ("sync", "repair"): (["sync", "repair", "--dry-run"], "wrong_password"),
    ("sync", "merges"): (["sync", "merges"], "passphrase_only"),
    ("hub", "init"): (["hub", "init", "--url", "http://127.0.0.1:1/not-postgres"], ""),
    ("hub", "add-user"): (["hub", "add-user", "--login", "'; DROP ROLE x;--", "admin"], ""),
    ("hub", "export-pack"): (["hub", "export-pack", "--for", "nobody", "{under_a_file}"], ""),
    ("hub", "import-pack"): (["hub", "import-pack", "{binary}", "--from", "admin"], ""),
    ("hub", "apply"): (["hub", "apply", "--url", "postgresql://nobody@/x?host=/nonexistent"],
                       ""),
    ("hub", "undo-merge"): (["hub", "undo-merge", "x" * 5000, "--by", "'; DROP TABLE people;--",
                             "--url", "postgresql://nobody@/x?host=/nonexistent"], ""),
    ("hub", "merges"): (["hub", "merges", "--by", "'; DROP TABLE people;--", "--url",
                         "postgresql://nobody@/x?host=/nonexistent"], ""),
    ("hub", "return"): (["hub", "return", "--contract", "'; DROP TABLE claims;--", "--period",
                         "9999-Q4", "--by", "'; DROP TABLE users;--", "--submit", "--url",
                         "postgresql://nobody@/x?host=/nonexistent"], ""),
    ("team-key", "create"): (["team-key", "create"], "wrong_password"),
    ("team-key", "export"): (["team-key", "export", "{under_a_file}"], ""),
    ("team-key", "import"): (["team-key", "import", "{binary}"], ""),
}


def test_every_command_has_a_hostile_case():
    assert _leaf_commands(build_parser()) == set(CASES)


@pytest.fixture
def world(tmp_path, monkeypatch):
    path = tmp_path / "caseload.db"
    with Caseload.create(path, TEST_PASSPHRASE) as db, db.transaction() as s:
        s.add(Person(reference="LW-000001", given_name="Margaret", family_name="Okonkwo"))
        install_sample_contract(s)
    cli_sign_in(monkeypatch, path, "admin")
    (tmp_path / "nested.json").write_text(NESTED)
    (tmp_path / "binary.csv").write_bytes(bytes(range(256)) * 64)
    keys.key_file_path(tmp_path / "binary.csv").write_text(NESTED)
    (tmp_path / "a-file").write_text("not a folder")
    (tmp_path / "out").mkdir()
    return path


def _setup(kind, path, tmp_path, monkeypatch):
    if kind in ("manager", "link_worker"):
        cli_sign_in(monkeypatch, path, kind)
    elif kind == "wrong_password":
        monkeypatch.setenv("LINKWORKER_PASSWORD", CLI_PASSWORD + "x")
    elif kind == "passphrase_only":
        monkeypatch.delenv("LINKWORKER_USER")
        monkeypatch.delenv("LINKWORKER_PASSWORD")
    elif kind == "deactivated":
        with Caseload.open(path, TEST_PASSPHRASE) as db, db.transaction() as s:
            s.add(User(username="leaver", display_name="Leaver", role="admin", active=False,
                       password_hash=__import__("linkworker.accounts").accounts.hash_password(
                           CLI_PASSWORD)))
        monkeypatch.setenv("LINKWORKER_USER", "leaver")
    elif kind == "huge_kdf":
        key = keys.key_file_path(path)
        doc = json.loads(key.read_text())
        doc["passphrase"]["memory_kib"] = 2 ** 40
        key.write_text(json.dumps(doc))
    elif kind == "weak_first_admin":
        monkeypatch.setenv("LINKWORKER_PASSWORD", "12345678")
        return tmp_path / "new.db"
    elif kind == "stdin":
        monkeypatch.setattr("sys.stdin", io.StringIO("plum kettle harbour\n"))
    return path


@pytest.mark.parametrize("command", sorted(CASES), ids=" ".join)
def test_hostile_input_is_one_line_and_exit_2(command, world, tmp_path, monkeypatch, capsys):
    argv, setup = CASES[command]
    db = _setup(setup, world, tmp_path, monkeypatch)
    values = {"nested": tmp_path / "nested.json", "binary": tmp_path / "binary.csv",
              "under_a_file": tmp_path / "a-file" / "inside" / "x.db", "out": tmp_path / "out",
              "contract": sample_document()["code"]}
    argv = [part.format(**values) for part in argv]
    code = main(["--db", str(db), *argv])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("linkworker: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    # A refusal, not a crash dressed as one ('sync merge-people' passed here on an ImportError).
    assert "unexpected error" not in err, err


def test_the_passphrase_alone_grants_no_rights(world, monkeypatch, capsys):
    monkeypatch.delenv("LINKWORKER_USER")
    monkeypatch.delenv("LINKWORKER_PASSWORD")
    monkeypatch.setattr("sys.stdin", io.StringIO("plum kettle harbour\n"))
    assert main(["--db", str(world), "user", "add", "eve", "--name", "Eve", "--role", "admin",
                 "--password-stdin"]) == 2
    assert "Sign in" in capsys.readouterr().err
    with Caseload.open(world, TEST_PASSPHRASE) as db, db.reading() as s:
        assert s.query(User).filter_by(username="eve").first() is None


def test_a_refused_init_leaves_nothing_behind(tmp_path, monkeypatch, capsys):
    """A first admin's weak password left a 4 KB keyless file, and every later 'init' then
    said the key file was missing."""
    path = tmp_path / "new.db"
    monkeypatch.setenv(keys.PASSPHRASE_ENV, TEST_PASSPHRASE)
    monkeypatch.setenv("LINKWORKER_USER", "zed")
    monkeypatch.setenv("LINKWORKER_PASSWORD", "short")
    assert main(["--db", str(path), "init"]) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    monkeypatch.setenv("LINKWORKER_PASSWORD", CLI_PASSWORD)
    assert main(["--db", str(path), "init"]) == 0, capsys.readouterr().err


# Flags beyond the one-case-per-command table.
@pytest.mark.parametrize("every", ["5", "0", "-60", "nan", "1e9", "86401", "60s"])
def test_hub_apply_every_refuses_a_silly_interval(every, capsys):
    """``hub apply --every``: a loop that never sleeps, or sleeps for ever, is refused."""
    with pytest.raises(SystemExit) as stopped:
        main(["hub", "apply", "--every", every, "--url", "postgresql://x@/y"])
    assert stopped.value.code == 2
    assert "whole seconds from 10 to 86400" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["apply"], ["merges", "--by", "manager"],
                                     ["return", "--contract", "X", "--by", "manager"]],
                         ids=lambda c: c[0])
@pytest.mark.parametrize("url", ["notaurl", "://secret@", "postgresql://x:y@host:port/db"])
def test_a_hub_address_that_is_not_one_is_one_line_not_a_crash(command, url, capsys):
    """``--url`` anything typed: a clear refusal, exit 2, and the typed text (it may hold a
    password) is not repeated back."""
    code = main(["hub", *command, "--url", url])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "not a PostgreSQL address" in err and "unexpected" not in err
    assert url not in err


# ``hub return`` against a real hub (PostgreSQL): every hostile case is one line, exit 2, and
# leaves the hub's claims ledger, returns and accounts as they were.
HUB_RETURN_CASES = {
    "contract": ["--contract", "'; DROP TABLE claims;--", "--by", "meg", "--submit"],
    "period": ["--period", "9999-Q4", "--by", "meg", "--submit"],
    "by": ["--by", "'; DROP TABLE users;--", "--submit"],
    "link worker": ["--by", "sam", "--submit"],
    "out under a file": ["--by", "meg", "--submit", "--out", "{under_a_file}"],
    "out format": ["--by", "meg", "--submit", "--out", "{out}/q3.exe"],
    "adjust nothing": ["--by", "meg", "--adjust", "2026-Q3:999", "--reason", "r"],
    "adjust huge": ["--by", "meg", "--adjust", "x" * 5000, "--reason", "r"],
    "as of": ["--by", "meg", "--as-of", "31/02/2026", "--submit"],
    "no password": ["--by", "meg", "--submit"],
}


@pytest.mark.parametrize("case", sorted(HUB_RETURN_CASES))
def test_hub_return_refuses_hostile_input_at_a_real_hub(
        case, team, pg_url, tmp_path, monkeypatch, capsys):  # noqa: F811 (imported fixtures)
    from sqlalchemy import func, select

    from linkworker.hub.create import create_hub
    from linkworker.models import Claim, OutcomeReturn
    from linkworker.storage.server import ServerCaseload

    laptop, _ids = team
    create_hub(laptop, pg_url)
    (tmp_path / "a-file").write_text("not a folder")
    (tmp_path / "out").mkdir()
    if case == "no password":
        monkeypatch.delenv("LINKWORKER_PASSWORD")
        monkeypatch.setattr("sys.stdin", io.StringIO(""))
    values = {"under_a_file": tmp_path / "a-file" / "inside" / "q3.pdf", "out": tmp_path / "out"}
    argv = [part.format(**values) for part in HUB_RETURN_CASES[case]]
    for option, value in (("--contract", "TEST-SIB"), ("--period", "2026-Q3")):
        if option not in argv:
            argv += [option, value]
    code = main(["hub", "return", "--url", pg_url, *argv])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("linkworker: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and "unexpected error" not in err, err
    with ServerCaseload.connect(pg_url) as hub, hub.reading() as s:
        assert s.scalar(select(func.count()).select_from(OutcomeReturn)) == 0
        assert s.scalar(select(func.count()).select_from(Claim)) == 0
        assert s.scalar(select(func.count()).select_from(User)) == 2
