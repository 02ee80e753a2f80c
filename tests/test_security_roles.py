"""Every role against every core operation: allowed ones work, forbidden ones raise
``PermissionDenied`` and change nothing (not even the audit trail).

The world (built once, copied per test): a link worker with their own person (who was seen at
the coordinator's venue), a colleague's person, and a colleague's person *given* to the link
worker; a coordinator at Elswick Library; a manager; an admin; the sample contract.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import text

from linkworker import accounts, audit, backup, rights, settings, sharing
from linkworker.access import Actor, PermissionDenied, require_person
from linkworker.contacts import ContactInput, record_contact
from linkworker.directory import save_service
from linkworker.goals import add_goal
from linkworker.io.export import export_all
from linkworker.models import Base, Contact, Episode, Person, PersonAccess, User
from linkworker.outcomes.sample import install_sample_contract
from linkworker.person import add_consent, add_note, open_record
from linkworker.plan_pdf import export_plan
from linkworker.referral import ReferralDetails, save_referral
from linkworker.returns.flow import prepare
from linkworker.storage import keys
from linkworker.storage.database import Caseload
from linkworker.wellbeing.measures import record_measure

PASS = "correct horse battery"
TODAY = dt.date(2026, 3, 11)
VENUE = "Elswick Library"
ROLES = ("link_worker", "coordinator", "manager", "admin")


@dataclass
class World:
    caseload: Caseload
    tmp: object
    actors: dict[str, Actor]
    people: dict[str, str]  # own, other, given -> person id
    episodes: dict[str, str]


def _build(path) -> tuple[dict, dict, dict]:
    with Caseload.create(path, PASS) as caseload, caseload.transaction() as s:
        users = {}
        for username, role in (("worker", "link_worker"), ("colleague", "link_worker"),
                               ("coordinator", "coordinator"), ("manager", "manager"),
                               ("admin", "admin")):
            user = User(username=username, display_name=username.title(), role=role,
                        venue=VENUE if role == "coordinator" else None)
            s.add(user)
            s.flush()
            users[username] = user
        install_sample_contract(s)
        people, episodes = {}, {}
        for nick, worker in (("own", "worker"), ("other", "colleague"), ("given", "colleague")):
            person = Person(reference=f"LW-{len(people) + 1:06d}", given_name=nick.title(),
                            family_name="Example")
            s.add(person)
            s.flush()
            episode = Episode(person_id=person.id, referral_date=dt.date(2026, 1, 5),
                              worker_id=users[worker].id, stage="active")
            s.add(episode)
            s.flush()
            people[nick], episodes[nick] = person.id, episode.id
        s.add(Contact(episode_id=episodes["own"], contact_date=dt.date(2026, 2, 2), venue=VENUE,
                      worker_id=users["worker"].id))
        s.add(PersonAccess(person_id=people["given"], user_id=users["worker"].id,
                           granted_by_id=users["manager"].id))
        actors = {u.role if u.username != "colleague" else "colleague":
                  Actor(u.id, u.username, u.role, u.display_name, u.venue)
                  for u in users.values()}
    return actors, people, episodes


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("roles-template")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(keys, "DEFAULT_KDF", keys.KdfParams(time_cost=1, memory_kib=8, parallelism=1))
        built = _build(folder / "caseload.db")
    return folder / "caseload.db", built


@pytest.fixture
def world(template, tmp_path):
    source, (actors, people, episodes) = template
    target = tmp_path / "caseload.db"
    shutil.copyfile(source, target)
    shutil.copyfile(keys.key_file_path(source), keys.key_file_path(target))
    caseload = Caseload.open(target, PASS)
    yield World(caseload, tmp_path, actors, people, episodes)
    caseload.close()


def fingerprint(caseload: Caseload) -> str:
    """A digest of every row of every table: equal means nothing at all was written."""
    digest = hashlib.sha256()
    with caseload.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(text(f"SELECT * FROM {table.name} ORDER BY 1")):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def _in_session(work: Callable) -> Callable[[World, Actor], object]:
    def run(w: World, actor: Actor) -> object:
        with w.caseload.transaction() as s:
            return work(w, actor, s)
    return run


def _restore(w: World, actor: Actor) -> None:
    # A BackupError means it got past the permission check, which is what this row tests.
    with contextlib.suppress(backup.BackupError):
        backup.restore_from(w.tmp / "no-such-backup.db", w.tmp / "elsewhere.db", PASS, actor)


def _referral(w: World, actor: Actor) -> object:
    details = ReferralDetails(given_name="New", family_name="Person", referral_date=TODAY,
                              source="self", postcode="NE4 5AB", reasons=("loneliness",))
    return save_referral(w.caseload, actor, details, today=TODAY)


W, C, M, A = "link_worker", "coordinator", "manager", "admin"
EVERYONE = {W, C, M, A}

# name -> (operation, roles allowed)
OPERATIONS: dict[str, tuple[Callable[[World, Actor], object], set[str]]] = {
    # the person's record and the journey
    "open own record": (lambda w, a: open_record(w.caseload, a, w.people["own"], TODAY),
                        {W, M, A}),
    "open a colleague's record": (lambda w, a: open_record(w.caseload, a, w.people["other"],
                                                           TODAY), {M, A}),
    "add a note": (lambda w, a: add_note(w.caseload, a, w.people["own"], "Rang back"), {W, M}),
    "record consent": (lambda w, a: add_consent(w.caseload, a, w.people["own"],
                                                "contact_by_text", today=TODAY), {W, M}),
    "record a contact": (lambda w, a: record_contact(
        w.caseload, a, w.episodes["own"], ContactInput(contact_date=TODAY), today=TODAY),
        {W, M}),
    "add a goal": (lambda w, a: add_goal(w.caseload, a, w.episodes["own"], "Walk more",
                                         "activity", TODAY, today=TODAY), {W, M}),
    "record a wellbeing form": (lambda w, a: record_measure(
        w.caseload, a, w.people["own"], w.episodes["own"], "SWEMWBS", "baseline", TODAY,
        "with_worker", [3] * 7, today=TODAY), {W, C, M}),
    "record a form for a colleague's person": (lambda w, a: record_measure(
        w.caseload, a, w.people["other"], w.episodes["other"], "SWEMWBS", "baseline", TODAY,
        "with_worker", [3] * 7, today=TODAY), {M}),
    "print my plan": (lambda w, a: export_plan(w.caseload, a, w.people["own"],
                                               w.tmp / "plan.pdf", TODAY), {W, M, A}),
    "take a referral": (_referral, {W, C, M}),
    "edit the directory": (lambda w, a: save_service(
        w.caseload, a, {"name": "Walking group", "category": "physical_activity"}, today=TODAY),
        EVERYONE),
    # data out, returns
    "export everything": (lambda w, a: export_all(w.caseload, a, w.tmp / "export", today=TODAY),
                          {M, A}),
    "build a return": (lambda w, a: prepare(w.caseload, a, "SAMPLE-SP-SIB", "2026-Q1",
                                            as_of=TODAY), {M}),
    # scope
    "view a person given to me": (_in_session(lambda w, a, s: require_person(
        s, a, w.people["given"], "view")), {W, M, A}),
    "register attendance at my venue": (_in_session(lambda w, a, s: require_person(
        s, a, w.people["own"], "attend")), {W, C, M}),
    "register attendance elsewhere": (_in_session(lambda w, a, s: require_person(
        s, a, w.people["other"], "attend")), {M}),
    "give a person to a colleague": (lambda w, a: sharing.give_person(
        w.caseload, a, w.people["own"], w.actors["colleague"].user_id, "leave cover"),
        {W, M, A}),
    # accounts, settings, audit, backups, rights
    "add a user": (lambda w, a: accounts.add_user(w.caseload, a, "newbie", "New Person",
                                                  "link_worker", "plum kettle harbour"), {A}),
    "list users": (lambda w, a: accounts.list_users(w.caseload, a), {A}),
    "change a role": (lambda w, a: accounts.set_role(w.caseload, a,
                                                     w.actors["colleague"].user_id, "manager"),
                      {A}),
    "reset a password": (lambda w, a: accounts.reset_password(
        w.caseload, a, w.actors["colleague"].user_id, "temporary pass word"), {A}),
    "change settings": (lambda w, a: settings.update(w.caseload, a,
                                                     {settings.IDLE_LOCK_MINUTES: 5}), {A}),
    "read the audit trail": (lambda w, a: audit.read_page(w.caseload, a), {A}),
    "export the audit trail": (lambda w, a: audit.export_events(w.caseload, a,
                                                                w.tmp / "audit.csv"), {A}),
    "back up": (lambda w, a: backup.backup_to(w.caseload, w.tmp / "b.db", a), {M, A}),
    "restore": (_restore, {A}),
    "subject access request": (lambda w, a: rights.subject_access(
        w.caseload, a, w.people["own"], w.tmp / "sar"), {M, A}),
    "erase a person": (lambda w, a: rights.anonymise(w.caseload, a, w.people["other"],
                                                     "request"), {A}),
    "list people past retention": (lambda w, a: rights.retention_due(w.caseload, a, TODAY),
                                   {A}),
}

def _cases():
    for name, (_op, allowed) in OPERATIONS.items():
        for role in ROLES:
            yield pytest.param(name, role, role in allowed, id=f"{role}-{name}")


@pytest.mark.parametrize(("name", "role", "allowed"), list(_cases()))
def test_role_against_operation(world, name, role, allowed):
    operation, _ = OPERATIONS[name]
    actor = world.actors[role]
    if allowed:
        operation(world, actor)
        return
    before = fingerprint(world.caseload)
    with pytest.raises(PermissionDenied):
        operation(world, actor)
    assert fingerprint(world.caseload) == before


def test_coordinator_at_another_venue_cannot_record_forms(world):
    """A coordinator's quick forms are for people seen at their own venue."""
    away = Actor(world.actors[C].user_id, "coordinator", C, "Coordinator", "Another Hall")
    before = fingerprint(world.caseload)
    with pytest.raises(PermissionDenied):
        OPERATIONS["record a wellbeing form"][0](world, away)
    assert fingerprint(world.caseload) == before


def test_scripts_hold_every_permission(world):
    from linkworker.access import PERMISSIONS, SYSTEM, can

    assert all(can(SYSTEM, permission) for permission in PERMISSIONS)
