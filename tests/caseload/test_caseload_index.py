"""The caseload index (migration 0006) always equals the records it is derived from.

Whatever happens to people and journeys (a referral, an exit, a re-referral, a worker changed,
a merge and its undoing, an erasure, a rename, records arriving by sync through Core statements
in any order), ``caseload_entries`` must say exactly what a join of each person to their current
journey says, and ``person_search`` must hold exactly each listed person's words. Checked after
every step of random sequences (hypothesis), on a real SQLCipher file.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import re
import unicodedata
from itertools import count

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select, text, update

from linkworker import caseload as listing
from linkworker.caseload_index import DERIVED_TABLES, fold, worker_token
from linkworker.errors import UserError
from linkworker.journey import exit_episode, re_refer
from linkworker.models import Episode, Person, User, new_id
from linkworker.referral import ReferralDetails, save_referral
from linkworker.rights import anonymise
from linkworker.sync.people import merge_people, undo_merge

from .conftest import actor_for, shared_caseload

TODAY = dt.date(2026, 3, 11)
NAMES = ("O'Neill", "Zoë", "Smith-Jones", "van der Berg", "Ann", "Müller", "D’Arcy", "Ng")
POSTCODES = ("NE1 4ST", "NE14 6AB", None, "SR2 7QT")

TRUTH = """
SELECT p.id, p.family_name, p.given_name, e.worker_id, coalesce(e.stage, '') != 'exited'
FROM people p LEFT JOIN episodes e ON e.id = p.current_episode_id
WHERE p.deleted_at IS NULL AND p.anonymised_at IS NULL
"""
INDEXED = "SELECT person_id, family_name, given_name, worker_id, open FROM caseload_entries"
COLUMNS = ("family", "first", "postcode", "reference", "nhs", "list")


def words(*texts: str | None) -> list[str]:
    """What FTS5's unicode61 (remove_diacritics 2) makes of the index's text, in Python."""
    plain = unicodedata.normalize("NFKD", fold(" ".join(t or "" for t in texts)))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    return re.findall(r"[^\W_]+", plain)


def expected_words(person, worker_id: str | None, is_open: bool) -> set[tuple[str, str]]:
    postcode = person.postcode or ""
    state = ["open" if is_open else "exited", worker_token(worker_id) if worker_id
             else "unassigned"]
    by_column = (words(person.family_name), words(person.given_name, person.preferred_name),
                 words(postcode, postcode.replace(" ", "")), words(person.reference),
                 words(person.nhs_number), state)
    return {(column, w) for column, found in zip(COLUMNS, by_column, strict=True)
            for w in found}


def check_index(caseload) -> None:
    with caseload.engine.connect() as conn:
        assert sorted(conn.exec_driver_sql(INDEXED).all()) == sorted(
            tuple(r[:4]) + (bool(r[4]),) for r in conn.exec_driver_sql(TRUTH).all())
        conn.exec_driver_sql("CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_vocab "
                             "USING fts5vocab(main, person_search, instance)")
        held: dict[int, set[tuple[str, str]]] = {}
        for term, entry, column in conn.exec_driver_sql(
                "SELECT term, doc, col FROM temp.search_vocab"):
            held.setdefault(entry, set()).add((column, term))
        entry_of = {row[0]: row[1:] for row in conn.exec_driver_sql(
            "SELECT person_id, entry, worker_id, open FROM caseload_entries")}
        people = conn.execute(select(Person).where(Person.id.in_(list(entry_of)))).all()
        assert held == {entry_of[p.id][0]: expected_words(p, *entry_of[p.id][1:])
                        for p in people}
        # entries are numbered in list order, as far as their name keys go
        numbered = conn.exec_driver_sql(
            "SELECT entry >> 20 FROM caseload_entries ORDER BY family_name, given_name, "
            "person_id").scalars().all()
        assert numbered == sorted(numbered)


class Story:
    """A caseload and the people in it, for applying random steps."""

    def __init__(self, caseload):
        self.caseload = caseload
        self.born = count()
        self.merges: list[str] = []
        with caseload.transaction() as s:
            users = [User(username=f"w{k}{new_id()[:6]}", display_name=f"W {k}",
                          role="link_worker") for k in range(3)]
            boss = User(username=f"boss{new_id()[:6]}", display_name="Boss", role="manager")
            admin = User(username=f"adm{new_id()[:6]}", display_name="Admin", role="admin")
            s.add_all([*users, boss, admin])
            s.flush()
            self.workers = [u.id for u in users]
            self.manager, self.admin = actor_for(boss), actor_for(admin)

    def people(self) -> list[tuple[str, str | None, str | None]]:
        with self.caseload.reading() as s:
            return s.execute(
                select(Person.id, Person.current_episode_id, Episode.exit_date)
                .outerjoin(Episode, Episode.id == Person.current_episode_id)
                .where(Person.anonymised_at.is_(None), Person.deleted_at.is_(None))
                .order_by(Person.id)).all()

    def step(self, op: str, a: int, b: int) -> None:
        """One step; a step the core refuses (an erased person's merge undone, ...) changes
        nothing, and the index must still be right."""
        with contextlib.suppress(UserError):
            self._step(op, a, b)

    def _step(self, op: str, a: int, b: int) -> None:
        people = self.people()
        who = people[a % len(people)] if people else None
        worker = ([*self.workers, None])[b % 4]
        name = NAMES[b % len(NAMES)]
        if op == "refer" or who is None:
            n = next(self.born)
            save_referral(self.caseload, self.manager, ReferralDetails(
                given_name=NAMES[a % len(NAMES)], family_name=name,
                date_of_birth=dt.date(1950, 1, 1) + dt.timedelta(days=n),
                postcode=POSTCODES[n % len(POSTCODES)] or "",
                referral_date=TODAY - dt.timedelta(days=30), worker_id=worker,
                source="gp", reasons=("loneliness",)),
                allow_duplicates=True, today=TODAY)
        elif op == "exit" and who.current_episode_id and who.exit_date is None:
            exit_episode(self.caseload, self.manager, who.current_episode_id, "goals_met",
                         TODAY, today=TODAY)
        elif op == "re_refer" and who.exit_date is not None:
            re_refer(self.caseload, self.manager, who.id, referral_date=TODAY, worker_id=worker)
        elif op == "merge" and len(people) > 1:
            other = people[(a + 1 + b) % len(people)]
            if other.id != who.id:
                self.merges.append(merge_people(self.caseload, self.manager, who.id, other.id))
        elif op == "undo_merge" and self.merges:
            undo_merge(self.caseload, self.manager, self.merges.pop())
        elif op == "erase":
            anonymise(self.caseload, self.admin, who.id, "asked by letter", on=TODAY)
        else:
            self.synced(op, who, worker, name)

    def synced(self, op: str, who, worker: str | None, name: str) -> None:
        """Changes as a sync merge writes them: Core statements, no core service."""
        with self.caseload.transaction() as s:
            if op == "sync_worker" and who.current_episode_id:
                s.execute(update(Episode).where(Episode.id == who.current_episode_id)
                          .values(worker_id=worker))
            elif op == "sync_stage" and who.current_episode_id:
                s.execute(update(Episode).where(Episode.id == who.current_episode_id)
                          .values(stage="exited" if worker is None else "active"))
            elif op == "sync_rename":
                s.execute(update(Person).where(Person.id == who.id)
                          .values(family_name=name, preferred_name=name[::-1]))
            elif op == "sync_arrives":  # the person first, their journey after (deferred keys)
                s.execute(text("PRAGMA defer_foreign_keys = ON"))
                pid, eid = new_id(), new_id()
                stamp = dt.datetime(2026, 1, 1)
                s.execute(insert(Person).values(
                    id=pid, created_at=stamp, updated_at=stamp, reference=f"HUB-{pid[:8]}",
                    given_name="Sìne", family_name=name, nhs_number="9434765919",
                    is_volunteer=False, current_episode_id=eid))
                s.execute(insert(Episode).values(
                    id=eid, created_at=stamp, updated_at=stamp, person_id=pid, number=1,
                    referral_date=TODAY, worker_id=worker,
                    stage="exited" if worker is None else "referred"))


OPS = ("refer", "exit", "re_refer", "merge", "undo_merge", "erase", "sync_worker",
       "sync_stage", "sync_rename", "sync_arrives")


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    caseload = shared_caseload(tmp_path_factory.mktemp("index"))
    yield Story(caseload)
    caseload.close()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 40), st.integers(0, 40)),
                      min_size=1, max_size=8))
def test_the_index_always_equals_the_journeys_it_is_derived_from(story, steps):
    for op, a, b in steps:
        story.step(op, a, b)
        check_index(story.caseload)
    # and so the lists read from it are the full query's
    for actor, worker in ((story.manager, None), (story.manager, story.workers[0])):
        for include_exited in (False, True):
            filt = listing.CaseloadFilter(worker_id=worker, include_exited=include_exited)
            with story.caseload.reading() as s:
                full = list(s.execute(listing.ids_query(actor, filt)).scalars())
            assert listing.person_ids(story.caseload, actor, filt) == full


def test_a_new_caseload_has_the_index_and_its_triggers(caseload):
    with caseload.engine.connect() as conn:
        names = set(conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')").scalars())
    assert names >= DERIVED_TABLES
    assert {"caseload_person_added", "caseload_person_changed", "caseload_person_removed",
            "caseload_journey_added", "caseload_journey_changed",
            "caseload_journey_removed"} <= names


def test_an_erased_persons_words_leave_the_search_index(caseload):
    """Erasure (right to erasure) takes the person's words out of the FTS5 index itself (its
    secure-delete) with SQLite's secure_delete on: no term, no leaf of the index holding them,
    no list entry; they are no longer found."""
    story = Story(caseload)
    save_referral(caseload, story.manager, ReferralDetails(
        given_name="Quillon", family_name="Zebedee-Oakhart", date_of_birth=dt.date(1970, 1, 1),
        nhs_number="943 476 5919", postcode="NE1 4ST", referral_date=TODAY,
        source="gp", reasons=("loneliness",)), today=TODAY)
    everyone = listing.CaseloadFilter(include_exited=True)

    def found(text: str) -> list[str]:
        return listing.person_ids(caseload, story.manager, dataclasses.replace(everyone,
                                                                               text=text))

    assert len(found("zebedee")) == len(found("oakhart")) == len(found("9434765919")) == 1
    person_id = found("quillon")[0]
    anonymise(caseload, story.admin, person_id, "asked by letter", on=TODAY)
    assert found("zebedee") == found("quillon") == found("9434765919") == found("ne1 4") == []
    with caseload.engine.connect() as conn:
        conn.exec_driver_sql("CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_terms "
                             "USING fts5vocab(main, person_search, row)")
        terms = set(conn.exec_driver_sql("SELECT term FROM temp.search_terms").scalars())
        leaves = b"".join(conn.exec_driver_sql(
            "SELECT block FROM person_search_data").scalars())
        entries = conn.exec_driver_sql("SELECT count(*) FROM caseload_entries").scalar()
        copies = conn.exec_driver_sql("SELECT count(*) FROM person_search_content").scalar()
    assert not terms & {"zebedee", "oakhart", "quillon", "9434765919", "ne14st"}
    for word in (b"zebedee", b"oakhart", b"quillon", b"9434765919", b"ne14st"):
        assert word not in leaves
    assert entries == copies == 0
