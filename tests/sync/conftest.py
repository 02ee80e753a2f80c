"""Replicas for the sync tests: real encrypted caseloads, and a real PostgreSQL for the hub."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from linkworker import models
from linkworker.storage.database import Caseload
from linkworker.sync import merge
from linkworker.sync.changelog import CHANGES
from tests.conftest import TEST_PASSPHRASE

PG_ENV = "LINKWORKER_TEST_PG_URL"


@pytest.fixture
def replicas(tmp_path) -> Iterator[list[Caseload]]:
    """Three empty caseloads, as on three laptops."""
    made = [Caseload.create(tmp_path / f"laptop{i}.db", TEST_PASSPHRASE) for i in range(3)]
    yield made
    for caseload in made:
        caseload.close()


def all_changes(caseload: Caseload) -> list[dict]:
    with caseload.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(CHANGES).order_by(CHANGES.c.seq))]


def send(source: Caseload, target: Caseload) -> merge.Applied:
    """Every change ``source`` holds, applied at ``target`` (what a pack or a sync carries)."""
    changes = all_changes(source)
    with target.engine.begin() as conn:
        return merge.receive(conn, changes)


def add_person(caseload: Caseload, given: str = "Ann", family: str = "Lee", **extra) -> str:
    with caseload.transaction() as s:
        person = models.Person(reference=f"LW-{uuid.uuid4().hex[:6]}", given_name=given,
                               family_name=family, **extra)
        s.add(person)
        s.flush()
        episode = models.Episode(person_id=person.id, referral_date=dt.date(2026, 11, 2))
        s.add(episode)
        s.flush()
        person.current_episode_id = episode.id
        return person.id


def edit(caseload: Caseload, model: type, row_id: str, **values) -> None:
    with caseload.transaction() as s:
        row = s.get(model, row_id)
        for key, value in values.items():
            setattr(row, key, value)


def read(caseload: Caseload, model: type, row_id: str, *fields: str) -> tuple:
    with caseload.reading() as s:
        row = s.get(model, row_id)
        return tuple(getattr(row, f) for f in fields)


def open_conflicts(caseload: Caseload) -> list:
    table = models.SyncConflict.__table__
    with caseload.engine.connect() as conn:
        return conn.execute(select(table).where(table.c.resolved_at.is_(None))).all()


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} is not set: run the suite through .ci/run or "
                    "'bash .ci/postgres.sh make test' to test the hub against PostgreSQL")
    return url


@pytest.fixture
def pg_url(pg_server_url) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    yield from fresh_database(pg_server_url)


@pytest.fixture
def other_pg_url(pg_server_url) -> Iterator[str]:
    """A second one, for a test that builds two hubs to compare them."""
    yield from fresh_database(pg_server_url)


def fresh_database(server_url: str) -> Iterator[str]:
    name = f"lw_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
