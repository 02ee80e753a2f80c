"""A small caseload for the drop-in register's tests: one venue, its regulars and others.

* fred, enid, rita: seen at the venue 1, 7 and 14 days before DAY (the register, in that order);
  enid's journey has ended;
* olive: seen at the venue 40 weeks ago (found by a search, not on the day's list);
* eric: seen only at another venue (never on the register, never found by it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from linkworker.access import Actor
from linkworker.models import Contact, Episode, Person, User
from linkworker.storage.database import Caseload

VENUE, ELSEWHERE = "Elswick Community Centre", "Benwell Library"
DAY = dt.date(2026, 3, 2)
PEOPLE = (  # nick, given, family, venue, days before DAY, journey ended
    ("fred", "Fred", "Frequent", VENUE, 1, False),
    ("enid", "Enid", "Ended", VENUE, 7, True),
    ("rita", "Rita", "Regular", VENUE, 14, False),
    ("olive", "Olive", "Oldtimer", VENUE, 280, False),
    ("eric", "Eric", "Elsewhere", ELSEWHERE, 3, False),
)


@dataclass
class DropinWorld:
    caseload: Caseload
    coordinator: Actor
    worker: Actor
    people: dict[str, str]  # nick -> person id
    references: dict[str, str]

    def nick(self, person_id: str) -> str:
        return next(n for n, p in self.people.items() if p == person_id)


def _actor(user: User) -> Actor:
    return Actor(user.id, user.username, user.role, user.display_name, user.venue)


def build(caseload: Caseload) -> DropinWorld:
    """Fill ``caseload`` with the people above and return who is who."""
    with caseload.transaction() as s:
        coordinator = User(username="coordinator", display_name="Sam Okoye", role="coordinator",
                           venue=VENUE)
        worker = User(username="worker", display_name="Lee Worker", role="link_worker")
        s.add_all((coordinator, worker))
        s.flush()
        people, references = {}, {}
        for n, (nick, given, family, venue, days, ended) in enumerate(PEOPLE, start=1):
            person = Person(reference=f"LW-{n:06d}", given_name=given, family_name=family)
            s.add(person)
            s.flush()
            episode = Episode(person_id=person.id, number=1, referral_date=dt.date(2025, 1, 5),
                              worker_id=worker.id, stage="exited" if ended else "active",
                              exit_date=DAY - dt.timedelta(days=2) if ended else None)
            s.add(episode)
            s.flush()
            person.current_episode_id = episode.id
            s.add(Contact(episode_id=episode.id, worker_id=worker.id, venue=venue,
                          contact_date=DAY - dt.timedelta(days=days), status="attended",
                          mode="group", purpose="support"))
            people[nick], references[nick] = person.id, person.reference
        actors = _actor(coordinator), _actor(worker)
    return DropinWorld(caseload, *actors, people, references)
