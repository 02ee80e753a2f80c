"""Fixtures for the caseload list, Today, Due and the main window.

Two worlds: a small hand-built caseload (ORM inserts, fixed dates, every filter has a person
that should and one that should not match), and a 50,000-person caseload built once per
session with Core bulk inserts (minimal columns) for search at scale.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

import keyring
import keyring.backends.fail
import pytest
from sqlalchemy import insert, text

from linkworker.access import Actor
from linkworker.models import (
    Contact,
    Contract,
    Episode,
    Goal,
    GoalStep,
    Measure,
    Person,
    User,
    new_id,
)
from linkworker.storage import keys
from linkworker.storage.database import Caseload
from linkworker.validation import nhs_check_digit

TODAY = dt.date(2026, 3, 11)  # a Wednesday: the week runs Monday 09/03 to Sunday 15/03


def valid_nhs(seed: int) -> str:
    """A mod-11-valid NHS number derived from ``seed`` (deterministic)."""
    n = seed
    while True:
        first = f"{(400_000_000 + n * 7919) % 1_000_000_000:09d}"
        check = nhs_check_digit(first)
        if check is not None:
            return first + str(check)
        n += 1


def actor_for(user: User) -> Actor:
    return Actor(user.id, user.username, user.role, user.display_name)


# --- the small, hand-built world ------------------------------------------------------------


@dataclass
class SmallWorld:
    """Who is in the hand-built caseload, by nickname, for readable assertions."""

    caseload: Caseload
    users: dict[str, User] = field(default_factory=dict)
    people: dict[str, str] = field(default_factory=dict)  # nickname -> person id
    episodes: dict[str, str] = field(default_factory=dict)  # nickname -> current episode id
    contract_id: str = ""

    def actor(self, nickname: str) -> Actor:
        return actor_for(self.users[nickname])

    def nick(self, person_id: str) -> str:
        return {v: k for k, v in self.people.items()}[person_id]


def _user(session, username: str, name: str, role: str) -> User:
    user = User(username=username, display_name=name, role=role)
    session.add(user)
    session.flush()
    return user


def _person(world: SmallWorld, session, nick: str, *, given: str, family: str,
            worker: str | None, stage: str = "active", preferred: str | None = None,
            reference: str = "", nhs: str | None = None, postcode: str | None = None,
            dob: dt.date | None = dt.date(1960, 5, 1), first_meeting: dt.date | None = None,
            next_review: dt.date | None = None, change: str | None = None,
            contract: bool = False) -> Episode:
    person = Person(reference=reference or f"LW-{len(world.people) + 1:05d}", given_name=given,
                    family_name=family, preferred_name=preferred, nhs_number=nhs,
                    postcode=postcode, date_of_birth=dob)
    session.add(person)
    session.flush()
    episode = Episode(person_id=person.id, number=1, referral_date=TODAY - dt.timedelta(days=200),
                      worker_id=world.users[worker].id if worker else None, stage=stage,
                      first_meeting_date=first_meeting, next_review_due=next_review,
                      latest_change=change, contract_id=world.contract_id if contract else None,
                      exit_date=TODAY - dt.timedelta(days=10) if stage == "exited" else None)
    session.add(episode)
    session.flush()
    person.current_episode_id = episode.id
    world.people[nick] = person.id
    world.episodes[nick] = episode.id
    return episode


def build_small_world(caseload: Caseload) -> SmallWorld:
    """Eight people over two workers; Today/Due items on fixed dates around ``TODAY``."""
    world = SmallWorld(caseload)
    day = dt.timedelta(days=1)
    with caseload.transaction() as s:
        world.users["ann"] = _user(s, "ann", "Ann Worker", "link_worker")
        world.users["bob"] = _user(s, "bob", "Bob Worker", "link_worker")
        world.users["meg"] = _user(s, "meg", "Meg Manager", "manager")
        contract = Contract(code="wtw", name="Ways to Wellbeing", definition={},
                            pseudonym_key="00" * 32)
        s.add(contract)
        s.flush()
        world.contract_id = contract.id
        p = world.people
        # Ann's caseload
        _person(world, s, "margaret", given="Margaret", family="Smith", preferred="Peggy",
                worker="ann", reference="LW-00001", nhs="9434765919", postcode="NE1 4ST",
                first_meeting=TODAY - 100 * day, next_review=TODAY - 10 * day,
                change="improved", contract=True)
        _person(world, s, "john", given="John", family="Smithson", worker="ann",
                reference="LW-00002", postcode="NE14 6AB", first_meeting=TODAY - 20 * day,
                next_review=TODAY + 60 * day, dob=dt.date(1980, 1, 2))
        _person(world, s, "aisha", given="Aisha", family="Khan", worker="ann", stage="referred",
                reference="LW-00003", postcode="SR2 7QT", dob=None)
        _person(world, s, "old", given="Olive", family="Exited", worker="ann", stage="exited",
                reference="LW-00004", first_meeting=TODAY - 400 * day, change="deteriorated")
        # Bob's caseload
        _person(world, s, "mary", given="Mary Ann", family="Van Der Berg", worker="bob",
                reference="LW-00005", postcode="DH1 3LE", first_meeting=TODAY - 95 * day,
                next_review=TODAY + 2 * day, change="no_change", contract=True)
        _person(world, s, "tom", given="Thomas", family="Smith", preferred="Tom", worker="bob",
                reference="LW-00006", nhs="4010232137", first_meeting=TODAY - 30 * day,
                next_review=TODAY + 30 * day)
        # nobody's
        _person(world, s, "nobody", given="Nadia", family="Unassigned", worker=None,
                stage="referred", reference="LW-00007")
        # a baseline for John (so only Margaret lacks one among Ann's met people)
        s.add(Measure(person_id=p["john"], episode_id=world.episodes["john"],
                      instrument="SWEMWBS", timepoint="baseline", completed_on=TODAY - 20 * day,
                      value=20.0, raw=20, complete=True))
        # appointments and tasks for Ann
        ann = world.users["ann"].id
        for nick, when, hour, status in (
            ("margaret", TODAY, 14, "planned"),
            ("john", TODAY, 10, "planned"),
            ("aisha", TODAY + 2 * day, 9, "planned"),
            ("john", TODAY - 3 * day, 11, "planned"),  # not yet recorded: overdue
            ("margaret", TODAY - 7 * day, 10, "attended"),
            ("margaret", TODAY + 20 * day, 10, "planned"),  # next month: not this week
        ):
            s.add(Contact(episode_id=world.episodes[nick], worker_id=ann, contact_date=when,
                          start_time=dt.time(hour, 0), mode="face_to_face", status=status,
                          purpose="support"))
        s.add(Contact(episode_id=world.episodes["mary"], worker_id=world.users["bob"].id,
                      contact_date=TODAY, start_time=dt.time(9, 30), status="planned"))
        goal = Goal(episode_id=world.episodes["margaret"], own_words="Get out of the house",
                    category="social_connection", agreed_date=TODAY - 90 * day)
        goal.steps = [
            GoalStep(position=0, description="Ring the walking group", due_date=TODAY - day),
            GoalStep(position=1, description="Go to the first walk", due_date=TODAY + 30 * day),
            GoalStep(position=2, description="Find the leaflet", due_date=TODAY - 5 * day,
                     done_date=TODAY - 6 * day),
        ]
        s.add(goal)
    return world


@pytest.fixture
def world(caseload) -> SmallWorld:
    return build_small_world(caseload)


# --- Qt: a runner and widgets that are gone before it stops ---------------------------------


@pytest.fixture
def widgets(qtbot, runner):
    """Widgets to delete (timers and all) once their last queries are answered, *before* the
    runner stops, so no debounce timer fires into a stopped runner."""
    from PySide6.QtWidgets import QApplication

    made: list = []
    yield made
    qtbot.waitUntil(lambda: not runner.is_busy())
    for widget in made:
        for close in getattr(widget, "_test_cleanup", ()):
            close()
        widget.hide()
        widget.deleteLater()
    QApplication.processEvents()
    qtbot.waitUntil(lambda: not runner.is_busy())


# --- 50,000 people --------------------------------------------------------------------------

GIVEN = ("Margaret", "John", "Aisha", "David", "Susan", "Peter", "Olu", "Fatima", "Gareth",
         "Mary", "Ahmed", "Linda", "Kevin", "Joan", "Wei", "Priya", "Stuart", "Irene", "Tariq",
         "Helen", "Marek", "Bridget", "Connor", "Yusuf", "Ruth", "Dennis", "Grace", "Ian")
FAMILY = ("Smith", "Smithson", "Khan", "Jones", "Taylor", "Brown", "Wilson", "Patel", "Evans",
          "Thompson", "Robson", "Walker", "Hall", "Wright", "Green", "Hussain", "Clarke",
          "Lewis", "Robinson", "Bell", "Charlton", "Milburn", "Armstrong", "Nowak", "Okafor",
          "Ali", "Chen", "Dunn", "Forster", "Gray", "Heron", "Irving", "Kerr", "Lamb")
PREFERRED = ("Peggy", "Jack", "Sue", "Pete", "Nell", "Dave", "Gaz")
OUTWARD = ("NE1", "NE14", "NE2", "NE6", "DH1", "SR2", "NE15", "TS1")
STAGE_CYCLE = ("referred", "contacting", "active", "active", "active", "review", "exited")


@dataclass(frozen=True)
class BigWorld:
    caseload: Caseload
    people: tuple[dict, ...]  # the rows as inserted (plus "worker_id", "stage")
    workers: tuple[str, ...]
    manager: Actor
    worker_actors: tuple[Actor, ...]


def big_rows(n: int, workers: tuple[str, ...], seed: int = 7) -> tuple[list[dict], list[dict]]:
    rng = random.Random(seed)
    stamp = dt.datetime(2026, 1, 1)
    people, episodes = [], []
    for i in range(n):
        pid, eid = new_id(), new_id()
        stage = STAGE_CYCLE[i % len(STAGE_CYCLE)]
        letters = chr(65 + rng.randint(0, 25)) + chr(65 + rng.randint(0, 25))
        postcode = f"{OUTWARD[i % len(OUTWARD)]} {rng.randint(1, 9)}{letters}"
        people.append({
            "id": pid, "created_at": stamp, "updated_at": stamp,
            "reference": f"LW-{i + 1:06d}",
            "given_name": GIVEN[i % len(GIVEN)],
            "family_name": FAMILY[(i // len(GIVEN)) % len(FAMILY)],
            "preferred_name": PREFERRED[i % len(PREFERRED)] if i % 11 == 0 else None,
            "date_of_birth": dt.date(1940 + i % 60, 1 + i % 12, 1 + i % 28),
            "nhs_number": valid_nhs(i) if i % 3 == 0 else None,
            "postcode": postcode,
            "is_volunteer": False,
            "current_episode_id": eid,
        })
        episodes.append({
            "id": eid, "created_at": stamp, "updated_at": stamp, "person_id": pid,
            "number": 1, "referral_date": TODAY - dt.timedelta(days=i % 700),
            "worker_id": workers[i % len(workers)], "stage": stage,
            "next_review_due": TODAY + dt.timedelta(days=(i % 120) - 30)
            if stage in ("active", "review") else None,
        })
    return people, episodes


def build_big_world(caseload: Caseload, n: int) -> BigWorld:
    with caseload.transaction() as s:
        users = [User(username=f"worker{k}", display_name=f"Worker {k}", role="link_worker")
                 for k in range(1, 6)]
        manager = User(username="manager", display_name="The Manager", role="manager")
        s.add_all([*users, manager])
        s.flush()
        workers = tuple(u.id for u in users)
        people, episodes = big_rows(n, workers)
        conn = s.connection()
        conn.execute(text("PRAGMA defer_foreign_keys = ON"))
        # Core executemany: seconds, not minutes. Journeys first, so each person's caseload
        # entry and search words are made once, with their journey (0006's triggers), instead
        # of made and then remade when the journey arrives.
        conn.execute(insert(Episode.__table__), episodes)
        conn.execute(insert(Person.__table__), people)
        actors = tuple(actor_for(u) for u in users)
        manager_actor = actor_for(manager)
    for row, ep in zip(people, episodes, strict=True):
        row["worker_id"], row["stage"] = ep["worker_id"], ep["stage"]
        row["next_review_due"] = ep["next_review_due"]
    return BigWorld(caseload, tuple(people), workers, manager_actor, actors)


def shared_caseload(folder) -> Caseload:
    """A caseload for a module- or session-wide fixture (the per-test keyring and fast KDF
    are not in place yet when those are built)."""
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())  # never the real OS keyring
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(keys, "DEFAULT_KDF",
                       keys.KdfParams(time_cost=1, memory_kib=8, parallelism=1))
            return Caseload.create(folder / "caseload.db", "shared test caseload")
    finally:
        keyring.set_keyring(previous)


@pytest.fixture(scope="module")
def read_only_world(tmp_path_factory) -> SmallWorld:
    """The small world shared by a module's tests that only read it."""
    caseload = shared_caseload(tmp_path_factory.mktemp("small"))
    yield build_small_world(caseload)
    caseload.close()


@pytest.fixture(scope="session")
def big_world(tmp_path_factory) -> BigWorld:
    """50,000 people in a real encrypted caseload, built once for the whole session."""
    caseload = shared_caseload(tmp_path_factory.mktemp("big"))
    world = build_big_world(caseload, 50_000)
    yield world
    caseload.close()
