"""Search at 50,000 people returning the right rows, through indexes (no timings here: see bench/).

The expected rows are worked out in plain Python from the rows as inserted, independently of
the SQL, then compared in full (order included).
"""

from __future__ import annotations

import pytest

from linkworker import caseload as listing
from linkworker.caseload import CaseloadFilter, first_page, ids_query, person_ids, rows_for

from .conftest import TODAY


def expected(world, keep, worker=None, include_exited=False):
    rows = [
        p for p in world.people
        if keep(p)
        and (include_exited or p["stage"] != "exited")
        and (worker is None or p["worker_id"] == worker)
    ]
    rows.sort(key=lambda p: (p["family_name"].lower(), p["given_name"].lower(), p["id"]))
    return [p["id"] for p in rows]


def starts(value, prefix):
    return value is not None and value.lower().startswith(prefix.lower())


def search(world, actor, text, **extra):
    return person_ids(world.caseload, actor, CaseloadFilter(text=text, as_of=TODAY, **extra))


def test_the_world_is_fifty_thousand_people(big_world):
    everyone = person_ids(big_world.caseload, big_world.manager,
                          CaseloadFilter(include_exited=True))
    assert len(everyone) == 50_000


@pytest.mark.parametrize("typed", ["smi", "Okaf", "gar", "nell", "SUE"])
def test_name_prefix(big_world, typed):
    def keep(p):
        return any(starts(p[k], typed) for k in ("given_name", "family_name", "preferred_name"))

    found = search(big_world, big_world.manager, typed)
    assert found == expected(big_world, keep)
    assert found  # every one of these names is in the world


def test_family_comma_given(big_world):
    def keep(p):
        return starts(p["family_name"], "Smith") and (
            starts(p["given_name"], "Ma") or starts(p["preferred_name"], "Ma"))

    found = search(big_world, big_world.manager, "Smith, Ma")
    assert found and found == expected(big_world, keep)


def test_given_then_family(big_world):
    def keep(p):
        both = (starts(p["given_name"], "Pri") or starts(p["preferred_name"], "Pri")) and starts(
            p["family_name"], "Ok")
        whole = any(starts(p[k], "Pri Ok") for k in ("given_name", "family_name",
                                                    "preferred_name"))
        return both or whole

    found = search(big_world, big_world.manager, "Pri Ok")
    assert found and found == expected(big_world, keep)


def test_reference_prefix(big_world):
    found = search(big_world, big_world.manager, "lw-01234", include_exited=True)
    assert found == expected(big_world, lambda p: p["reference"].startswith("LW-01234"),
                             include_exited=True)
    assert len(found) == 10


def test_nhs_number_exact(big_world):
    person = big_world.people[3 * 4021]
    spaced = f"{person['nhs_number'][:3]} {person['nhs_number'][3:6]} {person['nhs_number'][6:]}"
    found = search(big_world, big_world.manager, spaced, include_exited=True)
    assert found == [person["id"]]
    row, = rows_for(big_world.caseload, big_world.manager, found)
    assert row.nhs_number == spaced and row.reference == person["reference"]


@pytest.mark.parametrize("typed", ["s", "m", "ne", "r", "x", "gar", "zq", "Smith, Ma"])
@pytest.mark.parametrize("whose", ["manager", "worker"])
def test_a_searchs_first_screenful_is_the_start_of_its_whole_list(big_world, typed, whose):
    """``first_page`` walks the caseload index in name order when a search matches many
    ("s", "ne") and gathers the matches when few ("x", "zq"); either way it is the whole list's
    start, and both are what the full query (``ids_query``) says."""
    actor = big_world.manager if whose == "manager" else big_world.worker_actors[1]
    filt = CaseloadFilter(text=typed, as_of=TODAY,
                          worker_id=None if whose == "manager" else actor.user_id)
    whole = person_ids(big_world.caseload, actor, filt)
    with big_world.caseload.reading() as session:
        full = list(session.execute(ids_query(actor, filt)).scalars())
    ids, rows = first_page(big_world.caseload, actor, filt)
    assert ids == whole[:listing.PAGE_SIZE] == [row.id for row in rows]
    assert whole == full


@pytest.mark.parametrize("typed", ["ne14", "NE1 4", "dh1 2b", "ts1", "ne1 ", "Ne1 4", "ts1 1"])
def test_postcode_prefix(big_world, typed):
    compact = typed.replace(" ", "").upper()

    def keep(p):
        stored = p["postcode"]
        if " " in typed:
            return stored.startswith(typed.upper())
        outward = stored.split(" ")[0]
        # the typed run is either the start of the outward code or runs into the inward code
        return stored.replace(" ", "").startswith(compact) and (
            outward.startswith(compact) or len(compact) > len(outward))

    found = search(big_world, big_world.manager, typed)
    assert found and found == expected(big_world, keep)


def test_a_workers_search_stays_in_their_caseload(big_world):
    worker = big_world.worker_actors[2]
    found = search(big_world, worker, "ahm", worker_id=worker.user_id)
    assert found and found == expected(
        big_world, lambda p: any(starts(p[k], "ahm") for k in ("given_name", "family_name",
                                                               "preferred_name")),
        worker=worker.user_id)
    # the worker's scope alone (no worker filter) gives the same people
    assert search(big_world, worker, "ahm") == found


def test_overdue_filter_at_scale(big_world):
    found = person_ids(big_world.caseload, big_world.manager,
                       CaseloadFilter(overdue_only=True, as_of=TODAY), "next_review")
    due = {p["id"]: p["next_review_due"] for p in big_world.people}
    assert set(found) == {p["id"] for p in big_world.people if p["next_review_due"]
                          and p["next_review_due"] < TODAY and p["stage"] != "exited"}
    dates = [due[i] for i in found]
    assert found and dates == sorted(dates)


def plan_of(caseload, actor, filt, sort="name"):
    query = ids_query(actor, filt, sort)
    compiled = query.compile(dialect=caseload.engine.dialect)
    params = tuple(compiled.params[name] for name in compiled.positiontup)
    with caseload.engine.connect() as conn:
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled), params).all()
    return [row[-1] for row in rows]


@pytest.mark.parametrize("typed", ["smi", "Smith, Ma", "Pri Ok", "LW-0123", "9434765919",
                                   "ne14", "NE1 4S", "ne1 ", "ne14ab"])
def test_searches_use_indexes_not_scans(big_world, typed):
    plan = plan_of(big_world.caseload, big_world.manager, CaseloadFilter(text=typed))
    # the search index is an FTS5 virtual table: its "SCAN ... VIRTUAL TABLE" is a look-up
    assert not [step for step in plan if step.startswith("SCAN")
                and "VIRTUAL TABLE" not in step], plan


def test_a_workers_list_is_driven_by_the_worker_index(big_world):
    worker = big_world.worker_actors[0]
    plan = plan_of(big_world.caseload, worker, CaseloadFilter(worker_id=worker.user_id))
    assert not [step for step in plan if step.startswith("SCAN")], plan
    assert any("ix_episodes_person_worker" in step for step in plan), plan
