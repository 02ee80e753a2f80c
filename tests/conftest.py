"""Shared fixtures: real encrypted caseloads in tmp_path, an in-memory keyring, offscreen Qt."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MPLBACKEND", "Agg")

from pathlib import Path

import keyring
import keyring.backend
import keyring.backends.fail
import pytest
from argon2 import PasswordHasher

from linkworker import accounts
from linkworker.access import Actor
from linkworker.storage import keys
from linkworker.storage.database import Caseload

TEST_PASSPHRASE = "correct horse battery"

# How long a GUI test waits for the background runner (ms) before it fails. The one place for
# it: waits return as soon as their condition holds, so a generous limit costs nothing on a
# quiet machine and stops tests flaking on a loaded one. Tests pass no timeouts of their own.
GUI_WAIT_MS = int(os.environ.get("LINKWORKER_TEST_WAIT_MS", "60000"))


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A real keyring backend that keeps secrets in a dict, standing in for the OS keyring."""

    priority = 10

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch, tmp_path_factory):
    """Every test: fast KDF, a fresh in-memory keyring, no passphrase or user dirs leaking in."""
    fast = keys.KdfParams(time_cost=1, memory_kib=8, parallelism=1)
    monkeypatch.setattr(keys, "DEFAULT_KDF", fast)
    # Account passwords too: still Argon2id, at a cost that keeps sign-in tests quick.
    monkeypatch.setattr(accounts, "_HASHER", PasswordHasher(time_cost=1, memory_cost=8,
                                                            parallelism=1))
    monkeypatch.setattr(accounts, "_DUMMY_HASH", None)
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    monkeypatch.delenv(keys.PASSPHRASE_ENV, raising=False)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("LINKWORKER_HOME", str(home))
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def memory_keyring(_isolated_environment) -> MemoryKeyring:
    return _isolated_environment


@pytest.fixture
def no_keyring():
    """As on these Linux machines and locked-down laptops: no keyring backend at all."""
    keyring.set_keyring(keyring.backends.fail.Keyring())


@pytest.fixture
def passphrase() -> str:
    return TEST_PASSPHRASE


@pytest.fixture
def caseload_path(tmp_path) -> Path:
    return tmp_path / "caseload.db"


@pytest.fixture
def caseload(caseload_path):
    """A new, empty, encrypted caseload at the newest schema."""
    db = Caseload.create(caseload_path, TEST_PASSPHRASE)
    yield db
    db.close()


def make_actor(role: str, username: str | None = None, user_id: str | None = None) -> Actor:
    return Actor(user_id=user_id, username=username or role, role=role, display_name=role.title())


@pytest.fixture
def actor_admin() -> Actor:
    return make_actor("admin")


@pytest.fixture
def actor_manager() -> Actor:
    return make_actor("manager")


@pytest.fixture
def actor_coordinator() -> Actor:
    return make_actor("coordinator")


@pytest.fixture
def runner(caseload, qtbot):
    """The GUI's background runner over the test's caseload, stopped after the test."""
    from ui.operations import Runner  # only GUI tests pay for importing Qt

    runner = Runner(caseload)
    yield runner
    runner.shutdown()


@pytest.fixture
def qtbot(qtbot, monkeypatch):
    """pytest-qt's ``qtbot`` whose waits use ``GUI_WAIT_MS`` unless a test asks for longer."""
    for name in ("waitUntil", "waitSignal", "waitSignals", "waitCallback"):
        wait = getattr(qtbot, name)

        def generous(*args, _wait=wait, timeout: int = GUI_WAIT_MS, **kwargs):
            return _wait(*args, timeout=max(timeout, GUI_WAIT_MS), **kwargs)

        monkeypatch.setattr(qtbot, name, generous)
    return qtbot


def pytest_collection_modifyitems(items) -> None:
    """Tests on the 50,000-person caseload are slow like the kill tests: ``make test`` leaves
    them out, ``make test-all`` (and CI) runs them. Mark other slow tests ``@pytest.mark.slow``.
    """
    for item in items:
        if "big_world" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


# --- the command line signs in as a user (docs/security.md) -----------------------------------

CLI_PASSWORD = "plum kettle harbour"


def cli_sign_in(monkeypatch, db_path, role: str = "admin", passphrase: str = TEST_PASSPHRASE,
                username: str | None = None) -> str:
    """Make ``db_path`` hold an account with ``role`` (if it has none by that name) and sign the
    CLI in as it through LINKWORKER_USER / LINKWORKER_PASSWORD; returns the username."""
    from sqlalchemy import select

    from linkworker.models import User

    username = username or role.replace("_", "")
    with Caseload.open(db_path, passphrase) as db, db.transaction() as session:
        if session.execute(select(User.id).where(User.username == username)).first() is None:
            session.add(User(username=username, display_name=username.title(), role=role,
                             password_hash=accounts.hash_password(CLI_PASSWORD),
                             must_change_password=False))
    monkeypatch.setenv("LINKWORKER_USER", username)
    monkeypatch.setenv("LINKWORKER_PASSWORD", CLI_PASSWORD)
    monkeypatch.setenv(keys.PASSPHRASE_ENV, passphrase)
    return username


def cli_as_first_admin(monkeypatch, username: str = "admin") -> None:
    """``linkworker init`` names its first admin from LINKWORKER_USER / LINKWORKER_PASSWORD;
    later commands then sign in as that admin."""
    monkeypatch.setenv("LINKWORKER_USER", username)
    monkeypatch.setenv("LINKWORKER_PASSWORD", CLI_PASSWORD)


def cli_sign_in_demo(monkeypatch, username: str = "admin") -> None:
    """Sign the CLI in as one of a demo caseload's accounts (every password is 'demo')."""
    monkeypatch.setenv("LINKWORKER_USER", username)
    monkeypatch.setenv("LINKWORKER_PASSWORD", "demo")


@pytest.fixture(autouse=True)
def _english_plurals(request):
    """Widget tests see what users see: "2 people", not Qt's source text "%Ln person(s)"."""
    if "qtbot" in request.fixturenames or "qapp" in request.fixturenames:
        from PySide6.QtCore import QLocale

        from ui import i18n

        if not i18n._installed:
            i18n.install(request.getfixturevalue("qapp"), QLocale("en_GB"))


@pytest.fixture(autouse=True)
def _collect_on_the_gui_thread(request):
    """Widget tests collect cycles as the app does (ui/collector.py): never on a runner's
    thread while the GUI thread is busy with the widgets such a cycle holds."""
    if "qtbot" not in request.fixturenames and "qapp" not in request.fixturenames:
        yield
        return
    import gc

    gc.disable()
    try:
        yield
    finally:
        gc.collect()
        gc.enable()


# --- new caseloads are a copy of one migrated template (the suite's time budget) -------------
#
# Every new caseload used to run the migrations from nothing (0.3-0.5 s of CPU and a dozen
# fsyncs each, hundreds of times a run). A brand-new file is now a copy of one empty caseload
# that the real migrations made at head once per test process, re-encrypted under the new
# file's own key (SQLCipher's rekey), so each caseload still has its own key and is the same
# schema, byte for byte in meaning. Files at an older revision, PostgreSQL hubs and tests
# marked ``real_migrations`` upgrade through Alembic as before (LINKWORKER_TEST_REAL_MIGRATIONS=1
# does so for every test); tests/test_template.py checks the copy against a caseload migrated
# from nothing.

_TEMPLATE: dict[str, object] = {}


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "real_migrations: new caseloads run every migration "
                            "from nothing instead of copying the migrated template")


def _migrated_template(folder: Path, migrate_to_head) -> tuple[Path, bytes]:
    """An empty caseload at head, made by the real migrations once per test process."""
    if "path" not in _TEMPLATE:
        import secrets

        from linkworker.storage import database

        folder.mkdir(parents=True, exist_ok=True)
        path, key = folder / "template.db", secrets.token_bytes(32)
        engine = database._engine_for(path, key)
        migrate_to_head(engine)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        _TEMPLATE.update(path=path, key=key)
    return _TEMPLATE["path"], _TEMPLATE["key"]  # type: ignore[return-value]


def _brand_new(path: Path) -> bool:
    wal = path.with_name(path.name + "-wal")
    return path.is_file() and path.stat().st_size == 0 and not (wal.exists() and
                                                                wal.stat().st_size)


def copy_template_into(engine, folder: Path, migrate_to_head) -> bool:
    """Make ``engine``'s brand-new, empty SQLCipher file the migrated template (made by
    ``migrate_to_head``) under the engine's own key; False (nothing done) for any other
    database."""
    import shutil

    from sqlcipher3 import dbapi2

    key = keys.engine_key(engine)
    path = Path(engine.url.database or "")
    if engine.url.drivername != "sqlite+pysqlcipher" or key is None or not _brand_new(path):
        return False
    template, template_key = _migrated_template(folder, migrate_to_head)
    engine.dispose()
    shutil.copyfile(template, path)  # into the existing owner-only file: its mode stays
    conn = dbapi2.connect(str(path))
    try:
        conn.execute(f"PRAGMA key = \"x'{template_key.hex()}'\"")
        conn.execute(f"PRAGMA rekey = \"x'{key.hex()}'\"")
    finally:
        conn.close()
    return True


@pytest.fixture(autouse=True)
def _new_caseloads_from_a_template(request, monkeypatch, tmp_path_factory):
    """The template in use (its path and key, once made), or None for ``real_migrations``."""
    if request.node.get_closest_marker("real_migrations") or os.environ.get(
            "LINKWORKER_TEST_REAL_MIGRATIONS") == "1":
        return None
    import functools

    from linkworker.storage import migrate

    real = migrate.upgrade_to_head
    folder = tmp_path_factory.getbasetemp()

    @functools.wraps(real)
    def upgrade_to_head(engine, progress=None) -> None:
        if not copy_template_into(engine, folder, real):
            real(engine, progress)

    monkeypatch.setattr(migrate, "upgrade_to_head", upgrade_to_head)
    return _TEMPLATE
