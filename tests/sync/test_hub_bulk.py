"""``hub init`` as a bulk load: what the migrations made comes back, and every link is checked."""

from __future__ import annotations

import pytest
import sqlalchemy
from sqlalchemy import func, select

from linkworker import models
from linkworker.hub.create import COPIED, create_hub
from linkworker.storage.database import Caseload
from linkworker.storage.server import ServerCaseload
from tests.conftest import TEST_PASSPHRASE
from tests.sync.conftest import add_person

DEFINITIONS = """
    SELECT 'constraint', t.relname, k.conname, pg_get_constraintdef(k.oid)
    FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid
    WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY (%(tables)s)
    UNION ALL
    SELECT 'index', t.relname, i.relname, pg_get_indexdef(x.indexrelid)
    FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid
    WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY (%(tables)s)
"""


def _definitions(hub: ServerCaseload) -> set[tuple]:
    with hub.engine.connect() as conn:
        return {tuple(r) for r in conn.exec_driver_sql(DEFINITIONS, {"tables": list(COPIED)})}


@pytest.fixture
def office(tmp_path):
    caseload = Caseload.create(tmp_path / "office.db", TEST_PASSPHRASE)
    person_id = add_person(caseload, "Ruth", "Smith")
    with caseload.transaction() as s:
        s.add(models.Condition(person_id=person_id, term="Asthma"))
    yield caseload
    caseload.close()


def test_hub_init_builds_again_exactly_the_keys_indexes_and_links_the_migrations_made(
        office, pg_url):
    hub = ServerCaseload.connect(pg_url)  # migrated, empty
    try:
        made = _definitions(hub)
        assert any(kind == "constraint" and "FOREIGN KEY" in d for kind, _t, _n, d in made)
        create_hub(office, pg_url)
        assert _definitions(hub) == made
        with hub.reading() as s:
            assert s.scalar(select(func.count()).select_from(models.Condition)) == 1
    finally:
        hub.close()


def test_a_record_whose_parent_is_missing_stops_hub_init_and_leaves_the_hub_as_it_was(
        office, pg_url):
    """The links are added back after the copy, so they still check every copied row."""
    with office.engine.connect() as conn:  # a caseload damaged outside the app
        conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
        conn.exec_driver_sql(
            "INSERT INTO conditions (id, person_id, term, created_at, updated_at) VALUES "
            "('orphan', 'no-such-person', 'x', '2026-11-02 10:00:00.000000', "
            "'2026-11-02 10:00:00.000000')")
        conn.commit()
    hub = ServerCaseload.connect(pg_url)
    try:
        made = _definitions(hub)
        with pytest.raises(sqlalchemy.exc.IntegrityError, match="conditions_person_id_fkey"):
            create_hub(office, pg_url)
        assert _definitions(hub) == made
        with hub.reading() as s:
            for model in (models.Person, models.Condition, models.SyncChange):
                assert s.scalar(select(func.count()).select_from(model)) == 0
    finally:
        hub.close()
