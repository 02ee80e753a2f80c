"""The drop-in register (``linkworker.dropin``) over a real encrypted caseload: who it lists,
whom it finds, and that marking attended writes one audited, synced contact."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import func, select

from linkworker.access import PermissionDenied
from linkworker.dropin import (
    NoOpenJourney,
    NoVenue,
    attended_count,
    mark_attended,
    register_count,
    register_page,
    unmark_attended,
)
from linkworker.errors import UserError
from linkworker.models import AuditEvent, Contact, Episode, SyncChange
from tests.dropin_world import DAY, VENUE, build


@pytest.fixture
def world(caseload):
    return build(caseload)


def _nicks(world, entries) -> list[str]:
    return [world.nick(e.person_id) for e in entries]


def _contacts(world, nick: str) -> list[tuple]:
    """The person's contacts, oldest first: (date, venue, status, mode, worker)."""
    with world.caseload.reading() as s:
        return list(s.execute(select(Contact.contact_date, Contact.venue, Contact.status,
                                     Contact.mode, Contact.worker_id).join(Episode).where(
            Episode.person_id == world.people[nick]).order_by(Contact.contact_date)).all())


def test_the_register_lists_the_venues_recent_people_last_seen_first(world):
    entries = register_page(world.caseload, world.coordinator, DAY)
    assert _nicks(world, entries) == ["fred", "enid", "rita"]  # not olive (long ago), not eric
    assert entries[0].last_seen_text == "01/03/2026"
    assert not any(e.attended for e in entries)
    assert register_count(world.caseload, world.coordinator, DAY) == 3


def test_a_search_finds_only_people_seen_at_the_venue(world):
    def found(text: str) -> list[str]:
        return _nicks(world, register_page(world.caseload, world.coordinator, DAY, text))

    assert found("olive") == ["olive"]  # seen here 40 weeks ago
    assert found(world.references["rita"]) == ["rita"]
    assert found("rita reg") == ["rita"]
    assert found("eric") == []  # on the caseload, never at this venue
    assert found("Elsewhere") == []
    assert register_count(world.caseload, world.coordinator, DAY, "e") == 4  # fred enid rita olive
    with pytest.raises(PermissionDenied):
        mark_attended(world.caseload, world.coordinator, world.people["eric"], DAY, today=DAY)
    assert len(_contacts(world, "eric")) == 1


def test_marking_twice_writes_one_audited_contact_that_syncs(world):
    first = mark_attended(world.caseload, world.coordinator, world.people["rita"], DAY, today=DAY)
    again = mark_attended(world.caseload, world.coordinator, world.people["rita"], DAY, today=DAY)
    assert (first.already, again.already) == (False, True)
    assert again.contact_id == first.contact_id
    assert "nothing was changed" in again.message
    visits = _contacts(world, "rita")
    assert len(visits) == 2  # the one before, and today's
    assert tuple(visits[-1]) == (DAY, VENUE, "attended", "group", world.coordinator.user_id)
    assert attended_count(world.caseload, world.coordinator, DAY) == 1
    entries = register_page(world.caseload, world.coordinator, DAY)
    assert [e.attended for e in entries] == [False, False, True]  # the order stays put
    with world.caseload.reading() as s:
        audits = s.execute(select(AuditEvent).where(AuditEvent.action == "contact.record")).all()
        assert len(audits) == 1
        event = audits[0][0]
        assert (event.username, event.entity_id, event.person_id) == \
            ("coordinator", first.contact_id, world.people["rita"])
        synced = s.execute(select(func.count()).select_from(SyncChange).where(
            SyncChange.table_name == "contacts", SyncChange.row_id == first.contact_id)).scalar()
        assert synced == 1


def test_a_mark_made_by_mistake_is_taken_back(world):
    mark_attended(world.caseload, world.coordinator, world.people["fred"], DAY, today=DAY)
    unmark_attended(world.caseload, world.coordinator, world.people["fred"], today=DAY)
    assert _contacts(world, "fred")[-1][2] == "withdrawn"
    assert attended_count(world.caseload, world.coordinator, DAY) == 0
    assert not register_page(world.caseload, world.coordinator, DAY)[0].attended
    with world.caseload.reading() as s:
        assert s.execute(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "contact.withdraw")).scalar() == 1
    with pytest.raises(UserError, match="not marked attended today"):
        unmark_attended(world.caseload, world.coordinator, world.people["fred"], today=DAY)
    assert not mark_attended(world.caseload, world.coordinator, world.people["fred"], DAY,
                             today=DAY).already  # marked again after the undo


def test_no_open_journey_is_refused_and_nothing_written(world):
    with pytest.raises(NoOpenJourney, match="no open journey"):
        mark_attended(world.caseload, world.coordinator, world.people["enid"], DAY, today=DAY)
    assert len(_contacts(world, "enid")) == 1
    assert attended_count(world.caseload, world.coordinator, DAY) == 0


def test_no_venue_says_who_sets_it(world):
    nowhere = dataclasses.replace(world.worker)
    with pytest.raises(NoVenue, match="admin sets your venue"):
        register_page(world.caseload, nowhere, DAY)
    with pytest.raises(NoVenue):
        mark_attended(world.caseload, nowhere, world.people["rita"], DAY, today=DAY)


def test_a_future_day_is_refused(world):
    with pytest.raises(UserError):
        mark_attended(world.caseload, world.coordinator, world.people["rita"],
                      DAY + dt.timedelta(days=1), today=DAY)
    assert len(_contacts(world, "rita")) == 1
