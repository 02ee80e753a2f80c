"""Migrations after 0001: a caseload left at 0001 is backed up, then upgraded to carry the audit
trail's append-only triggers (0002); one at 0002 gets the query indexes (0003)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from linkworker import audit
from linkworker.access import SYSTEM
from linkworker.storage import keys, migrate
from linkworker.storage.database import Caseload, _engine_for

PASS = "correct horse battery"


def _triggers(engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type='trigger'")).scalars())


def test_caseload_at_0001_is_backed_up_then_gets_the_triggers(caseload_path):
    key = keys.create_key(caseload_path, PASS)
    engine = _engine_for(caseload_path, key)
    migrate.upgrade_to(engine, "0001")
    with engine.begin() as conn:  # an old caseload whose audit events could still be edited
        conn.execute(text("INSERT INTO audit_events (id, at, action, hash) "
                          "VALUES ('e1', '2026-01-01 00:00:00', 'sign_in', 'x')"))
        conn.execute(text("UPDATE audit_events SET action='changed' WHERE id='e1'"))
    assert _triggers(engine) == set()
    engine.dispose()

    with Caseload.open(caseload_path, PASS) as caseload:
        assert migrate.current_revision(caseload.engine) == migrate.head_revision()
        assert {"audit_events_no_update", "audit_events_no_delete"} <= _triggers(caseload.engine)
        with caseload.engine.begin() as conn, pytest.raises(DatabaseError):
            conn.execute(text("DELETE FROM audit_events"))
        with caseload.transaction() as s:
            audit.record(s, SYSTEM, "sign_in")
    backups = list((caseload_path.parent / "backups").glob("*before-upgrade-0001*.db"))
    assert len(backups) == 1
    assert keys.key_file_path(backups[0]).exists()


def test_downgrade_removes_the_triggers(caseload):
    migrate.upgrade_to(caseload.engine, "0002")
    from alembic import command

    command.downgrade(migrate.alembic_config(caseload.engine), "0001")
    assert not {"audit_events_no_update", "audit_events_no_delete"} & _triggers(caseload.engine)


def _indexes(engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type='index'")).scalars())


NEW_INDEXES = {"ix_contacts_planned_date", "ix_contacts_episode_status",
               "ix_measures_episode_timepoint"}


def test_caseload_at_0002_gets_the_query_indexes_and_loses_the_slow_one(caseload_path):
    key = keys.create_key(caseload_path, PASS)
    engine = _engine_for(caseload_path, key)
    migrate.upgrade_to(engine, "0002")
    with engine.begin() as conn:  # the shape an older build left: its index, none of the new
        for name in NEW_INDEXES:
            conn.execute(text(f"DROP INDEX {name}"))
        conn.execute(text(
            "CREATE INDEX ix_contacts_status_date ON contacts (status, contact_date)"))
    engine.dispose()

    with Caseload.open(caseload_path, PASS) as caseload:
        assert migrate.current_revision(caseload.engine) == migrate.head_revision()
        indexes = _indexes(caseload.engine)
    assert indexes >= NEW_INDEXES
    assert "ix_contacts_status_date" not in indexes
