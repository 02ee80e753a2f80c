"""Whom each role reaches, end to end: the caseload list, search, the record, the forms.

Every one of these goes through ``access.people_scope`` / ``access.require_person``; the tests
check they agree with each other for every role, and that the scope stays right when it is
embedded in a query that itself selects journeys (the correlated-EXISTS trap).

The people (family name "Example" for all but one):
* own    - a journey with the worker;
* other  - a journey with a colleague;
* given  - a colleague's journey, given to the worker;
* moved  - an ended journey with the worker, the current one with the colleague;
* venue  - a colleague's journey, seen at the coordinator's venue (family name "Venueson").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from linkworker.access import Actor, PermissionDenied, may_reach, people_scope
from linkworker.caseload import CaseloadFilter, person_ids, person_summary, rows_for
from linkworker.models import Contact, Episode, Person, PersonAccess, User
from linkworker.person import open_record
from linkworker.referral import ReferralDetails, save_referral
from linkworker.wellbeing.measures import person_measures, record_measure, recording_options

TODAY = dt.date(2026, 3, 11)
VENUE = "Elswick Library"
PEOPLE = ("own", "other", "given", "moved", "venue")

# role -> the people it sees (full records, lists, search)
SEES = {
    "link_worker": {"own", "given", "moved"},
    "coordinator": set(),
    "manager": set(PEOPLE),
    "admin": set(PEOPLE),
}
# role -> the people it may record a quick form for ("attend")
ATTENDS = {"link_worker": SEES["link_worker"], "coordinator": {"venue"},
           "manager": set(PEOPLE)}


@dataclass
class World:
    caseload: object
    actors: dict[str, Actor]
    people: dict[str, str]
    journeys: dict[str, list[str]]

    def nicks(self, ids) -> set[str]:
        by_id = {v: k for k, v in self.people.items()}
        return {by_id.get(i, i) for i in ids}


def _journey(s, person, number, worker, *, ended=False) -> Episode:
    episode = Episode(person_id=person.id, number=number, referral_date=dt.date(2025, number, 5),
                      worker_id=worker.id, stage="exited" if ended else "active",
                      exit_date=dt.date(2025, 6, 1) if ended else None)
    s.add(episode)
    s.flush()
    person.current_episode_id = episode.id
    return episode


@pytest.fixture
def world(caseload) -> World:
    with caseload.transaction() as s:
        users = {}
        for username, role in (("worker", "link_worker"), ("colleague", "link_worker"),
                               ("coordinator", "coordinator"), ("manager", "manager"),
                               ("admin", "admin")):
            users[username] = User(username=username, display_name=username.title(), role=role,
                                   venue=VENUE if role == "coordinator" else None)
            s.add(users[username])
        s.flush()
        people, journeys = {}, {}
        for n, nick in enumerate(PEOPLE, start=1):
            person = Person(reference=f"LW-{n:06d}", given_name=nick.title(),
                            family_name="Venueson" if nick == "venue" else "Example")
            s.add(person)
            s.flush()
            people[nick] = person.id
            if nick == "moved":
                first = _journey(s, person, 1, users["worker"], ended=True)
                journeys[nick] = [first.id]
            worker = users["worker"] if nick == "own" else users["colleague"]
            journeys.setdefault(nick, []).append(
                _journey(s, person, len(journeys.get(nick, [])) + 1, worker).id)
        s.add(Contact(episode_id=journeys["venue"][0], contact_date=dt.date(2026, 2, 2),
                      venue=VENUE, worker_id=users["colleague"].id))
        s.add(PersonAccess(person_id=people["given"], user_id=users["worker"].id,
                           granted_by_id=users["manager"].id))
        actors = {u.role if u.username != "colleague" else "colleague":
                  Actor(u.id, u.username, u.role, u.display_name, u.venue)
                  for u in users.values()}
    return World(caseload, actors, people, journeys)


def _everyone(text: str = "") -> CaseloadFilter:
    return CaseloadFilter(text=text, include_exited=True, as_of=TODAY)


@pytest.mark.parametrize("role", sorted(SEES))
def test_caseload_list_and_search_show_exactly_the_reachable_people(world, role):
    actor = world.actors[role]
    listed = person_ids(world.caseload, actor, _everyone())
    assert world.nicks(listed) == SEES[role]
    searched = person_ids(world.caseload, actor, _everyone("Exam"))
    assert world.nicks(searched) == SEES[role] - {"venue"}
    assert world.nicks(person_ids(world.caseload, actor, _everyone("Venues"))) == \
        SEES[role] & {"venue"}
    # rows for every id in the caseload: the ones out of reach are silently left out
    rows = rows_for(world.caseload, actor, list(world.people.values()), TODAY)
    assert world.nicks(r.id for r in rows) == SEES[role]


@pytest.mark.parametrize("role", sorted(SEES))
def test_record_summary_and_forms_agree_with_the_list(world, role):
    actor = world.actors[role]
    for nick, person_id in world.people.items():
        reads = (lambda p=person_id: open_record(world.caseload, actor, p, TODAY),
                 lambda p=person_id: person_summary(world.caseload, actor, p, TODAY),
                 lambda p=person_id: person_measures(world.caseload, actor, p))
        for read in reads:
            if nick in SEES[role]:
                read()
            else:
                with pytest.raises(PermissionDenied):
                    read()


@pytest.mark.parametrize("role", sorted(ATTENDS))
def test_quick_forms_reach_exactly_the_attend_scope(world, role):
    actor = world.actors[role]
    for nick, person_id in world.people.items():
        journey = world.journeys[nick][-1]

        def record(p=person_id, j=journey):
            recording_options(world.caseload, actor, p)
            return record_measure(world.caseload, actor, p, j, "SWEMWBS", "baseline", TODAY,
                                  "with_worker", [3] * 7, today=TODAY)

        if nick in ATTENDS[role]:
            record()
        else:
            with pytest.raises(PermissionDenied):
                record()


def test_scope_inside_a_query_over_journeys_still_means_any_journey(world):
    """Embedded in a SELECT over Episode, the EXISTS must not correlate to the outer journey:
    the worker sees every journey of "moved" (theirs, then the colleague's), not just theirs."""
    worker = world.actors["link_worker"]
    query = (select(Episode.id).join(Person, Person.id == Episode.person_id)
             .where(people_scope(worker)))
    with world.caseload.reading() as s:
        seen = set(s.execute(query).scalars())
    expected = {j for nick in SEES["link_worker"] for j in world.journeys[nick]}
    assert seen == expected
    assert len(world.journeys["moved"]) == 2


def test_scope_inside_a_query_over_contacts_for_a_coordinator(world):
    coordinator = world.actors["coordinator"]
    query = (select(Contact.id).join(Episode, Episode.id == Contact.episode_id)
             .join(Person, Person.id == Episode.person_id)
             .where(people_scope(coordinator, "attend")))
    with world.caseload.reading() as s:
        assert len(s.execute(query).all()) == 1
        assert s.execute(select(Person.id).where(people_scope(coordinator))).all() == []


def test_coordinator_self_referral_is_given_to_them_for_the_session(world):
    coordinator = world.actors["coordinator"]
    details = ReferralDetails(given_name="Dee", family_name="Dropin", referral_date=TODAY,
                              source="self", postcode="NE4 5AB", reasons=("loneliness",))
    saved = save_referral(world.caseload, coordinator, details, today=TODAY)
    with world.caseload.reading() as s:
        grant = s.execute(select(PersonAccess).where(
            PersonAccess.person_id == saved.person_id)).scalar_one()
        assert grant.user_id == coordinator.user_id
        assert may_reach(s, coordinator, saved.person_id, "view")
        assert not may_reach(s, world.actors["colleague"], saved.person_id, "view")
    assert person_ids(world.caseload, coordinator, _everyone()) == [saved.person_id]
    open_record(world.caseload, coordinator, saved.person_id, TODAY)
    record_measure(world.caseload, coordinator, saved.person_id, saved.episode_id, "SWEMWBS",
                   "baseline", TODAY, "self_completed", [4] * 7, today=TODAY)


def test_a_link_workers_referral_gives_nobody_anything(world):
    worker = world.actors["link_worker"]
    details = ReferralDetails(given_name="Lee", family_name="Newman", referral_date=TODAY,
                              source="gp", postcode="NE4 5AB", reasons=("loneliness",),
                              worker_id=worker.user_id)
    saved = save_referral(world.caseload, worker, details, today=TODAY)
    with world.caseload.reading() as s:
        assert s.execute(select(PersonAccess).where(
            PersonAccess.person_id == saved.person_id)).first() is None
        assert may_reach(s, worker, saved.person_id, "edit")
