"""Migration 0008's partial indexes are the ones the queries take, on SQLite and PostgreSQL.

Not timings: the query plans. A partial index is only used when the planner can prove the
query's condition implies the index's, so each is checked against the statements the product
really sends (caught as they run), or, on the hub, the statement its scope function runs.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, text

from linkworker import models
from linkworker.access import Actor, people_scope
from linkworker.storage.server import ServerCaseload
from linkworker.sync import merge, service
from linkworker.sync.changelog import CHANGES, WAITING
from tests.query_plans import select_plans
from tests.sync.conftest import add_person, all_changes


def test_changes_waiting_to_be_applied_are_found_through_the_partial_index(replicas):
    first, second = replicas[:2]
    add_person(first)
    # a journey's change that arrives before its person's: it waits
    child = [c for c in all_changes(first) if c["table_name"] == "episodes"]

    def receive_and_count():
        with second.engine.begin() as conn:
            applied = merge.receive(conn, child)
            merge.waiting_clashes(conn)
        assert applied.applied == 0
        assert service.status(second).incoming_waiting == 1

    plans = select_plans(second, receive_and_count, "applied").splitlines()
    # the waiting list in the order tried, and the count; the users' clashes by table name
    assert [line for line in plans if "ix_sync_changes_waiting" in line] == [
        "SCAN sync_changes USING INDEX ix_sync_changes_waiting",
        "SCAN sync_changes USING COVERING INDEX ix_sync_changes_waiting"], plans
    assert all("USING" in line for line in plans), plans  # never the whole change log


def test_the_coordinators_register_reads_the_contacts_at_their_venue_by_index(caseload):
    person_id = add_person(caseload)
    with caseload.transaction() as s:
        journey = s.scalar(select(models.Episode.id).where(models.Episode.person_id == person_id))
        s.add(models.Contact(episode_id=journey, contact_date=dt.date(2026, 11, 9),
                             venue="Library"))
    cara = Actor("c0ffee", "cara", "coordinator", venue="Library")

    def register():
        with caseload.reading() as s:
            assert s.scalars(select(models.Person.id)
                             .where(people_scope(cara, "attend"))).all() == [person_id]

    plan = select_plans(caseload, register, "venue")
    assert "SEARCH contacts_1 USING COVERING INDEX ix_contacts_venue (venue=?)" in plan
    assert "SCAN contacts" not in plan


def test_the_hub_takes_the_partial_indexes_for_the_scope_and_the_waiting_changes(pg_url):
    """On a tiny table PostgreSQL would read it whole; with sequential scans off it shows
    whether the partial index can serve the statement at all."""
    waiting = select(CHANGES).where(WAITING).order_by(CHANGES.c.change_id)
    with ServerCaseload.connect(pg_url) as hub, hub.engine.connect() as conn:
        conn.execute(text("SET enable_seqscan = off"))
        scope = conn.execute(text(
            "EXPLAIN SELECT e.person_id FROM episodes e JOIN contacts k ON k.episode_id = e.id,"
            " (SELECT 'Library'::varchar AS venue) me"
            " WHERE k.venue = me.venue AND k.venue IS NOT NULL")).scalars().all()
        assert "ix_contacts_venue" in "\n".join(scope)
        plan = conn.execute(text(f"EXPLAIN {waiting.compile(conn)}")).scalars().all()
        assert "ix_sync_changes_waiting" in "\n".join(plan)
