"""The tests' new caseloads are copies of one migrated template (tests/conftest.py): the copy
must be exactly what running every migration from nothing makes, under its own key."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from linkworker.storage import database, keys, migrate
from linkworker.storage.database import Caseload, CaseloadDamaged
from tests import conftest
from tests.conftest import TEST_PASSPHRASE


def _lines(sql: str | None) -> list[str]:
    """A statement's lines in any order: the migrations themselves write a rebuilt table's
    foreign keys in set order, which differs from one run to the next."""
    return sorted(line.strip().rstrip(",") for line in (sql or "").splitlines())


def _everything(caseload: Caseload) -> dict:
    """The schema (every table, index, trigger and view, as SQL), every row, and the pragmas
    that shape the file."""
    with caseload.engine.connect() as conn:
        schema = [(kind, name, table, _lines(sql)) for kind, name, table, sql in conn.execute(
            text("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"))]
        rows = {name: conn.execute(text(f'SELECT * FROM "{name}"')).all()
                for _type, name, _tbl, _sql in schema if _type == "table"}
        pragmas = {p: conn.execute(text(f"PRAGMA {p}")).scalar()
                   for p in ("user_version", "application_id", "page_size", "journal_mode",
                             "auto_vacuum", "encoding", "integrity_check")}
    return {"schema": schema, "rows": rows, "pragmas": pragmas}


@pytest.mark.real_migrations
def test_a_copied_template_is_what_the_migrations_make_under_its_own_key(tmp_path):
    Caseload.create(tmp_path / "migrated.db", TEST_PASSPHRASE).close()
    with Caseload.open(tmp_path / "migrated.db", TEST_PASSPHRASE) as migrated:  # as the copy
        expected = _everything(migrated)
    copy_path = tmp_path / "copied.db"
    key = keys.create_key(copy_path, TEST_PASSPHRASE)
    copy_path.touch(mode=0o600)
    engine = database._engine_for(copy_path, key)
    assert conftest.copy_template_into(engine, tmp_path / "template", migrate.upgrade_to_head)
    engine.dispose()
    with Caseload.open(copy_path, TEST_PASSPHRASE) as copied:
        assert _everything(copied) == expected
        assert expected["pragmas"]["integrity_check"] == "ok"
    # its own key: the template's key does not open it
    template_key = conftest._TEMPLATE["key"]
    assert template_key != key
    stranger = database._engine_for(copy_path, template_key)
    with pytest.raises(CaseloadDamaged):
        database._check_key(stranger, copy_path)
    # an older file, or one already written, is upgraded as before: never overwritten
    assert not conftest.copy_template_into(engine, tmp_path / "template",
                                           migrate.upgrade_to_head)


@pytest.mark.skipif(os.environ.get("LINKWORKER_TEST_REAL_MIGRATIONS") == "1",
                    reason="every test runs the migrations (LINKWORKER_TEST_REAL_MIGRATIONS)")
def test_new_caseloads_in_tests_are_copies_of_the_template(_new_caseloads_from_a_template,
                                                          caseload):
    assert _new_caseloads_from_a_template, "not a copy: every test pays for the migrations"
    assert migrate.current_revision(caseload.engine) == migrate.head_revision()
