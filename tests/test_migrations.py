"""The migrations are frozen history: checked against stored checksums, upgraded from a real
caseload of every schema version, and ending at exactly the models' schema."""

from __future__ import annotations

import hashlib
import json
import shutil
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, insert, select, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import IntegrityError

from linkworker import caseload as listing
from linkworker.access import SYSTEM
from linkworker.audit import verify_chain
from linkworker.caseload_index import DERIVED_TABLES
from linkworker.models import Base, Claim, Measure, Note, OutcomeReturn, Person
from linkworker.storage import migrate
from linkworker.storage.database import Caseload, UpgradeRefused
from tests.money_rows import EXPECTED_PENNIES, stored_pennies, write_0004_money

FIXTURES = Path(__file__).parent / "fixtures"
CHECKSUMS = FIXTURES / "migrations" / "checksums.json"
CASELOADS = FIXTURES / "caseloads"
FIXTURE_PASSPHRASE = "fixture caseload passphrase"  # as in caseloads/make_caseload.py
VERSIONS = migrate.MIGRATIONS / "versions"

HOW_TO_ADD = (
    "A migration is frozen once it is committed: a caseload upgraded by the old text would "
    "differ from one upgraded by the new. Change the schema with a NEW revision instead. "
    "Adding one: write linkworker/storage/migrations/versions/NNNN_what.py, then add this line "
    "to tests/fixtures/migrations/checksums.json:\n    {line}\n"
    "and, while it is the newest revision, make its frozen caseload with "
    "`.venv/bin/python -m tests.fixtures.caseloads.make_caseload NNNN`."
)


def _checksum(path: Path) -> str:
    return hashlib.sha256(path.read_bytes().replace(b"\r\n", b"\n")).hexdigest()


def _derived(name, type_, _parents) -> bool:
    """The caseload index (0006) is derived and local, not in the models: left out."""
    return not (type_ == "table" and name.startswith(tuple(DERIVED_TABLES)))


def _schema_differences(engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "include_name": _derived})
        return compare_metadata(context, Base.metadata)


def test_every_migration_matches_its_stored_checksum():
    stored = json.loads(CHECKSUMS.read_text())
    files = {p.name: p for p in sorted(VERSIONS.glob("[0-9]*.py"))}
    for name, path in files.items():
        line = f'"{name}": "{_checksum(path)}"'
        assert name in stored, f"{name} has no stored checksum. " + HOW_TO_ADD.format(line=line)
        assert stored[name] == _checksum(path), (
            f"{name} was edited after it was frozen. " + HOW_TO_ADD.format(line=line))
    assert set(stored) <= set(files), f"migrations removed: {sorted(set(stored) - set(files))}"


def test_no_tool_regenerates_the_initial_migration():
    assert not (migrate.MIGRATIONS.parent / "regen_initial.py").exists()


def test_upgrade_head_gives_exactly_the_models_schema(caseload):
    assert _schema_differences(caseload.engine) == []
    # The comparison sees drift: without one of the models' indexes it reports it.
    with caseload.engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_measures_episode_timepoint"))
    assert [d[0] for d in _schema_differences(caseload.engine)] == ["add_index"]


FROZEN = sorted(p.parent.name for p in CASELOADS.glob("*/caseload.db"))


def test_there_is_a_frozen_caseload_for_each_schema_version_up_to_0012():
    revisions = {r.revision for r in
                 ScriptDirectory.from_config(migrate.alembic_config()).walk_revisions()}
    assert {f"{n:04}" for n in range(1, 13)} <= set(FROZEN) <= revisions


@pytest.mark.parametrize("revision", FROZEN)
def test_a_frozen_caseload_upgrades_to_head_with_its_data(revision, tmp_path, no_keyring):
    path = tmp_path / "caseload.db"
    for name in ("caseload.db", "caseload.db.key"):
        shutil.copyfile(CASELOADS / revision / name, tmp_path / name)
    with Caseload.open(path, FIXTURE_PASSPHRASE, upgrade=False) as old:
        assert migrate.current_revision(old.engine) == revision
        if revision < "0005":  # money was REAL: add awkward amounts the upgrade must keep
            with old.engine.begin() as conn:
                write_0004_money(conn, change_log=revision >= "0004")
    with Caseload.open(path, FIXTURE_PASSPHRASE) as caseload:
        assert migrate.current_revision(caseload.engine) == migrate.head_revision()
        assert _schema_differences(caseload.engine) == []
        with caseload.reading() as s:
            person = s.execute(select(Person)).scalar_one()
            assert (person.given_name, person.nhs_number, person.postcode) == (
                "Jane", "9434765919", "NE4 5AB")
            assert s.execute(select(Measure.timepoint).order_by(Measure.completed_on)
                             ).scalars().all() == ["baseline", "review_3m"]
            assert s.execute(select(Note.body)).scalar_one() == "Likes the walking group."
            assert verify_chain(s).ok
            _check_money(s, revision)
            person_id = person.id
        # the caseload index (0006) holds them: listed, and found by any of their words
        for typed in ("", "doe", "Doe, J", "943 476", "9434765919", "ne4 5", "NE45AB"):
            assert listing.person_ids(caseload, SYSTEM, listing.CaseloadFilter(text=typed)) == [
                person_id], typed
    if revision != migrate.head_revision():
        assert list((tmp_path / "backups").glob(f"*before-upgrade-{revision}*.db"))


def _check_money(s, revision: str) -> None:
    """Money reads back to the penny: the REAL amounts added to an older caseload as the pennies
    the app showed, and from 0005 on the caseload's own return (1,234.57 less a 0.10
    adjustment)."""
    if revision < "0005":
        assert stored_pennies(s.connection()) == EXPECTED_PENNIES
        return
    amounts = s.execute(select(Claim.kind, Claim.amount).order_by(Claim.amount)).all()
    assert amounts == [("adjustment", Decimal("-0.10")), ("claim", Decimal("1234.57"))]
    assert s.execute(select(OutcomeReturn.total_amount)).scalar_one() == Decimal("1234.57")


def test_the_start_up_head_check_agrees_with_alembic(caseload):
    """Opening asks "up to date?" without Alembic (issue 15): the scripts' revision lines
    must name the same head as Alembic, and a caseload at head must say so."""
    assert migrate.head_from_scripts() == migrate.head_revision()
    assert migrate.is_up_to_date(caseload.engine)
    with caseload.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    assert not migrate.is_up_to_date(caseload.engine)


def _indexes(engine, like: str = "ix_%") -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE :like"),
            {"like": like}).scalars())


def test_0011_builds_todays_key_indexes_saying_so_and_drops_the_one_it_replaces(
        tmp_path, no_keyring):
    """Upgrading a 0010 caseload builds 0011's two indexes, each reported as it starts (a
    minute's work at 150,000 people must not look hung: the app's dialog shows these steps),
    and drops 0008's ``ix_goal_steps_open_by_goal``, whose columns the first one begins with;
    a downgrade puts it back."""
    path = tmp_path / "caseload.db"
    for name in ("caseload.db", "caseload.db.key"):
        shutil.copyfile(CASELOADS / "0010" / name, tmp_path / name)
    heard: list[str] = []
    with Caseload.open(path, FIXTURE_PASSPHRASE, progress=lambda *a: heard.append(a[2])) as c:
        assert migrate.current_revision(c.engine) == migrate.head_revision()
        made = _indexes(c.engine)
        assert {"ix_goal_steps_open_by_goal_keys", "ix_episodes_open_ids"} <= made
        assert "ix_goal_steps_open_by_goal" not in made
    assert migrate.index_names("0011") == ["ix_goal_steps_open_by_goal_keys",
                                           "ix_episodes_open_ids"]
    built = [(step.part, step.parts) for step in heard if step.kind == "index" and step.step == 1]
    assert built == [(1, 2), (2, 2)]  # 0011 is the first step
    with Caseload.open(path, FIXTURE_PASSPHRASE) as c:
        from alembic import command

        command.downgrade(migrate.alembic_config(c.engine), "0010")
        made = _indexes(c.engine)
        assert "ix_goal_steps_open_by_goal" in made
        assert not {"ix_goal_steps_open_by_goal_keys", "ix_episodes_open_ids"} & made


def _frozen_copy(revision: str, tmp_path: Path) -> Path:
    for name in ("caseload.db", "caseload.db.key"):
        shutil.copyfile(CASELOADS / revision / name, tmp_path / name)
    return tmp_path / "caseload.db"


def _copy_claim(conn, **changed) -> None:
    """The fixture's claim (FIXTURE-PENCE, ENG1: line 1 of 2026-Q1) again, with ``changed``
    columns, written into the table as a fault in the returns code could have left it."""
    columns = [c["name"] for c in sa_inspect(conn).get_columns("claims")]
    row = dict(conn.execute(select(Claim.__table__).where(Claim.kind == "claim")
                            .order_by(Claim.created_at)).mappings().first())
    conn.execute(insert(Claim.__table__).values(
        {c: row[c] for c in columns} | {"id": str(uuid.uuid4())} | changed))


def test_0012_refuses_a_caseload_that_claims_an_achievement_twice_and_changes_nothing(
        tmp_path, no_keyring):
    """A 0011 caseload whose ledger claims the fixture's one achievement twice: the upgrade
    names the contract, the outcome, how many and the claims as printed on the return (no
    person, no key), says what to do, and leaves the file byte for byte as it was, with no
    backup made; the version before still opens it."""
    path = _frozen_copy("0011", tmp_path)
    with Caseload.open(path, FIXTURE_PASSPHRASE, upgrade=False) as old, \
            old.engine.begin() as conn:
        _copy_claim(conn, line=2)
        _copy_claim(conn, achievement_key=None, line=3)  # no key: never a duplicate
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    heard: list[str] = []
    with pytest.raises(UpgradeRefused) as refused:
        Caseload.open(path, FIXTURE_PASSPHRASE, progress=lambda *a: heard.append(a[2]))
    said = str(refused.value)
    assert said.startswith("caseload.db was not updated. This caseload's claims ledger claims "
                           "the same achievement more than once")
    assert ("contract FIXTURE-PENCE, outcome ENG1: 1 achievement(s) claimed more than once "
            "(2 claims: 2026-Q1:1, 2026-Q1:2)") in said
    assert "Nothing has been changed" in said and "LinkWorker support" in said
    with Caseload.open(path, FIXTURE_PASSPHRASE, upgrade=False) as old, old.reading() as s:
        key = s.execute(select(Claim.achievement_key).where(Claim.line == 1)).scalar_one()
        assert migrate.current_revision(old.engine) == "0011"
    assert not {"Jane", "Doe", "9434765919", key} & set(said.replace(",", " ").split())
    assert heard == [] and not (tmp_path / "backups").exists()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    # Run directly (not through an open), the revision refuses in the same words itself.
    with Caseload.open(path, FIXTURE_PASSPHRASE, upgrade=False) as old:
        with pytest.raises(Exception, match="contract FIXTURE-PENCE, outcome ENG1: 1 "):
            migrate.upgrade_to(old.engine, "0012")
        assert migrate.current_revision(old.engine) == "0011"
        assert "uq_claims_achievement_once" not in _indexes(old.engine, "uq_%")


def test_0012_builds_the_guard_saying_so_and_the_database_refuses_a_second_claim(
        tmp_path, no_keyring):
    """From 0011 with claims that name no achievement (two alike) and an adjustment: the
    upgrade builds the unique index, reported as it starts, and keeps every row; then the
    database itself refuses a second claim of the achievement and still takes adjustments
    and keyless claims. A downgrade takes the index away."""
    path = _frozen_copy("0011", tmp_path)
    with Caseload.open(path, FIXTURE_PASSPHRASE, upgrade=False) as old, \
            old.engine.begin() as conn:
        _copy_claim(conn, achievement_key=None, line=2)
        _copy_claim(conn, achievement_key=None, line=3)
    heard: list[str] = []
    with Caseload.open(path, FIXTURE_PASSPHRASE, progress=lambda *a: heard.append(a[2])) as c:
        assert migrate.current_revision(c.engine) == "0012"
        assert "uq_claims_achievement_once" in _indexes(c.engine, "uq_%")
        with c.reading() as s:
            assert s.scalar(select(func.count()).select_from(Claim)) == 4
        with pytest.raises(IntegrityError), c.engine.begin() as conn:
            _copy_claim(conn, line=4)
        with c.engine.begin() as conn:
            _copy_claim(conn, kind="adjustment", line=None, return_id=None)
            _copy_claim(conn, achievement_key=None, line=5)
    assert migrate.index_names("0012") == ["uq_claims_achievement_once"]
    assert [(step.part, step.parts) for step in heard if step.kind == "index"] == [(1, 1)]
    assert list((tmp_path / "backups").glob("*before-upgrade-0011*.db"))
    with Caseload.open(path, FIXTURE_PASSPHRASE) as c:
        from alembic import command

        command.downgrade(migrate.alembic_config(c.engine), "0011")
        assert "uq_claims_achievement_once" not in _indexes(c.engine, "uq_%")
