"""Argon2id begun at the very start of the app (issue 15): the same derivation, at the key
file's own cost, done once, beside the imports, and never a way round the passphrase."""

from __future__ import annotations

import threading

import pytest

from linkworker.launch import begin_unlock
from linkworker.storage import keys
from linkworker.storage.database import Caseload
from tests.conftest import TEST_PASSPHRASE


@pytest.fixture
def closed_caseload(tmp_path, no_keyring):
    """A real caseload whose key is in no keyring: only its passphrase unlocks it."""
    path = tmp_path / "caseload.db"
    Caseload.create(path, TEST_PASSPHRASE).close()
    return path


@pytest.fixture
def argon2_calls(monkeypatch) -> list[int]:
    """Every Argon2id run (argon2-cffi's, not ours), as its memory cost."""
    calls: list[int] = []
    real = keys.hash_secret_raw

    def counted(*args, **kwargs):
        calls.append(kwargs["memory_cost"])
        return real(*args, **kwargs)

    monkeypatch.setattr(keys, "hash_secret_raw", counted)
    return calls


def _unlock_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "linkworker-unlock"]


def test_argon2id_begun_at_start_is_the_one_unlocking_uses(closed_caseload, argon2_calls,
                                                          monkeypatch):
    monkeypatch.setenv(keys.PASSPHRASE_ENV, TEST_PASSPHRASE)
    record = keys.KeyFile.load(keys.key_file_path(closed_caseload)).wrapping
    begin_unlock(closed_caseload)
    for thread in _unlock_threads():
        thread.join()
    assert argon2_calls == [record["memory_kib"]]  # begun, at the key file's own cost
    Caseload.open(closed_caseload).close()
    assert len(argon2_calls) == 1  # opening took the begun result, did not derive again
    Caseload.open(closed_caseload).close()  # each result is used once: the next open derives
    assert len(argon2_calls) == 2


def test_a_begun_unlock_never_opens_with_another_passphrase(closed_caseload, monkeypatch):
    monkeypatch.setenv(keys.PASSPHRASE_ENV, TEST_PASSPHRASE)
    begin_unlock(closed_caseload)
    with pytest.raises(keys.WrongPassphrase):
        Caseload.open(closed_caseload, "not the passphrase at all")
    Caseload.open(closed_caseload, TEST_PASSPHRASE).close()


def test_a_key_file_changed_since_the_start_is_unlocked_as_it_now_is(closed_caseload,
                                                                     monkeypatch):
    """A new passphrase (a new salt) after the derivation began: the begun result is not
    the key to it, and the old passphrase no longer opens the file."""
    monkeypatch.setenv(keys.PASSPHRASE_ENV, TEST_PASSPHRASE)
    begin_unlock(closed_caseload)
    keys.change_passphrase(closed_caseload, TEST_PASSPHRASE, "a quite different passphrase")
    with pytest.raises(keys.WrongPassphrase):
        Caseload.open(closed_caseload)
    Caseload.open(closed_caseload, "a quite different passphrase").close()


def test_nothing_is_begun_without_a_passphrase_or_a_key_file(closed_caseload, tmp_path,
                                                             argon2_calls, monkeypatch):
    monkeypatch.delenv(keys.PASSPHRASE_ENV, raising=False)
    begin_unlock(closed_caseload)
    monkeypatch.setenv(keys.PASSPHRASE_ENV, TEST_PASSPHRASE)
    begin_unlock(tmp_path / "no-such-caseload.db")
    assert argon2_calls == [] and _unlock_threads() == []


def test_argon2id_begins_before_sqlalchemy_is_imported_and_opening_still_runs_the_safeguards(
        closed_caseload):
    """In a fresh interpreter, as the app starts: the key file's module (and the storage
    package that registers the safeguards) loads without SQLAlchemy or the models, so Argon2id
    is running before them; the caseload then opens with the safeguards' hooks in place."""
    import json
    import subprocess
    import sys

    probe = (
        "import sys, json\n"
        "from pathlib import Path\n"
        "from linkworker.launch import begin_unlock\n"
        f"begin_unlock(Path({str(closed_caseload)!r}))\n"
        "from linkworker.storage import keys\n"
        "begun = [type(d).__name__ for d in keys._begun.values()]\n"
        "early = [m for m in ('sqlalchemy', 'linkworker.models', 'importlib.metadata')\n"
        "         if m in sys.modules]\n"
        "from linkworker import safeguards\n"
        "from linkworker.storage.database import OPEN_HOOKS, CLOSE_HOOKS, Caseload\n"
        f"Caseload.open(Path({str(closed_caseload)!r})).close()\n"
        "hooks = [safeguards.after_open in OPEN_HOOKS, safeguards.before_close in CLOSE_HOOKS]\n"
        "print(json.dumps({'begun': begun, 'early': early, 'hooks': hooks}))\n"
    )
    env = {"PATH": "", "LINKWORKER_PASSPHRASE": TEST_PASSPHRASE,
           "HOME": str(closed_caseload.parent), "PYTHON_KEYRING_BACKEND":
           "keyring.backends.fail.Keyring"}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, env=env)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found == {"begun": ["_Derivation"], "early": [], "hooks": [True, True]}


def test_the_linkworker_command_begins_argon2id_before_the_command_line_is_imported(
        closed_caseload):
    """From the console script's own module (read from pyproject, as pip installs it), in a
    fresh interpreter: ``linkworker --db PATH`` reaches the unlock before SQLAlchemy, the models,
    argparse or any sub-command module; the window's start is stopped there (no display)."""
    import json
    import subprocess
    import sys
    import tomllib
    from pathlib import Path

    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    module, function = pyproject["project"]["scripts"]["linkworker"].split(":")
    probe = (
        "import sys, json, importlib\n"
        "from linkworker import launch\n"
        "def stop():  # what the app imports next; here the probe reports and ends\n"
        "    from linkworker.storage import keys\n"
        "    begun = [type(d).__name__ for d in keys._begun.values()]\n"
        "    early = [m for m in ('sqlalchemy', 'linkworker.models', 'argparse',\n"
        "             'linkworker.cli', 'linkworker.cli.admin') if m in sys.modules]\n"
        "    print(json.dumps({'begun': begun, 'early': early}))\n"
        "    raise SystemExit(0)\n"
        "launch.preload_core = stop\n"
        f"sys.argv = ['linkworker', '--db', {str(closed_caseload)!r}]\n"
        f"sys.exit(getattr(importlib.import_module({module!r}), {function!r})())\n"
    )
    env = {"PATH": "", "LINKWORKER_PASSPHRASE": TEST_PASSPHRASE, "QT_QPA_PLATFORM": "offscreen",
           "HOME": str(closed_caseload.parent), "PYTHON_KEYRING_BACKEND":
           "keyring.backends.fail.Keyring"}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, env=env)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found == {"begun": ["_Derivation"], "early": []}


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["info"], ["--db", "x.db", "info"],
                                  ["--db"], ["--db", "--version"], ["--db="], ["--bogus"]])
def test_only_the_plain_ways_to_open_the_app_skip_the_full_command_line(argv):
    """Every other command line, mistakes included, reaches ``linkworker.cli`` unchanged."""
    from linkworker.command import app_caseload

    assert app_caseload(argv) == (False, None)
    assert app_caseload([]) == (True, None)
    assert app_caseload(["--db", "a.db"])[1].name == app_caseload(["--db=a.db"])[1].name == "a.db"
