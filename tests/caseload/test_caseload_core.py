"""The caseload list's core: who is listed, in what order, what each row says, and scope."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select

from linkworker.access import PermissionDenied
from linkworker.caseload import (
    NO_CHANGE_YET,
    SORT_KEYS,
    UNASSIGNED,
    CaseloadFilter,
    filter_options,
    own_caseload,
    person_ids,
    person_summary,
    rows_for,
)
from linkworker.caseload_index import OTHER_COLUMNS, match_query
from linkworker.models import AuditEvent

from .conftest import TODAY


def names(world, ids):
    return [world.nick(i) for i in ids]


def listed(world, actor_nick, **filters):
    filt = CaseloadFilter(as_of=TODAY, **filters)
    return names(world, person_ids(world.caseload, world.actor(actor_nick), filt))


def test_own_caseload_is_the_workers_current_people_by_family_name(read_only_world):
    world = read_only_world
    filt = own_caseload(world.actor("ann"), as_of=TODAY)
    ids = person_ids(world.caseload, world.actor("ann"), filt)
    assert names(world, ids) == ["aisha", "margaret", "john"]  # Khan, Smith, Smithson


def test_exited_people_only_when_asked(read_only_world):
    world = read_only_world
    assert "old" not in listed(world, "ann")
    assert listed(world, "ann", include_exited=True) == ["old", "aisha", "margaret", "john"]
    assert listed(world, "ann", stage="exited") == ["old"]


def test_a_link_worker_never_sees_another_workers_people(read_only_world):
    world = read_only_world
    assert set(listed(world, "ann")) == {"aisha", "margaret", "john"}
    with pytest.raises(PermissionDenied):
        listed(world, "ann", worker_id=world.users["bob"].id)
    bob_person = world.people["mary"]
    rows = rows_for(world.caseload, world.actor("ann"), [bob_person, world.people["john"]])
    assert [r.id for r in rows] == [world.people["john"]]


def test_a_manager_sees_everyone_and_can_switch_worker(read_only_world):
    world = read_only_world
    assert set(listed(world, "meg")) == {"aisha", "margaret", "john", "mary", "tom", "nobody"}
    assert listed(world, "meg", worker_id=world.users["bob"].id) == ["tom", "mary"]
    assert listed(world, "meg", worker_id=UNASSIGNED) == ["nobody"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("smi", ["margaret", "tom", "john"]),
        ("SMITH", ["margaret", "tom", "john"]),
        ("Smith, Ma", ["margaret"]),
        ("smith,t", ["tom"]),
        ("Smith,", ["margaret", "tom", "john"]),  # still a prefix until a given name
        ("peggy", ["margaret"]),
        ("Tom Smi", ["tom"]),
        ("Mar Smith", ["margaret"]),
        ("van der", ["mary"]),
        ("Mary Ann", ["mary"]),
        ("LW-00005", ["mary"]),
        ("lw-0000", ["aisha", "margaret", "tom", "john", "nobody", "mary"]),
        ("943 476 5919", ["margaret"]),
        ("9434765919", ["margaret"]),
        ("943-476-5919", ["margaret"]),
        ("9434765918", []),  # ten digits: exact only, never a prefix
        ("ne1", ["margaret", "john"]),
        ("NE1 4", ["margaret"]),
        ("ne14", ["margaret", "john"]),
        ("ne14s", ["margaret"]),
        ("ne1 ", ["margaret"]),  # the space typed: NE1 whole, not NE14 (John's)
        ("NE1 4ST", ["margaret"]),
        ("ne1 4st", ["margaret"]),
        ("ne14st", ["margaret"]),
        ("Ne1 4s ", ["margaret"]),
        ("ne14 ", ["john"]),
        ("ne14 6", ["john"]),
        ("NE146AB", ["john"]),
        ("ne1 6", []),  # NE1 4ST and NE14 6AB: no NE1 6..
        ("ne1 4ab", []),
        ("sr27qt", ["aisha"]),
        ("dh1 3le", ["mary"]),
        ("100%", []),
        ("zzz", []),
        ("   ", ["aisha", "margaret", "tom", "john", "nobody", "mary"]),
    ],
)
def test_search_as_you_type(read_only_world, typed, expected):
    world = read_only_world
    assert listed(world, "meg", text=typed) == expected


@pytest.mark.parametrize("typed", ["ne1", "ne1 ", "NE1 4", "ne1 4st", "ne14st", "Sw1a 1", "e1 "])
def test_postcode_shaped_text_searches_postcodes_and_references_not_names(typed):
    assert match_query(typed).startswith(f"{OTHER_COLUMNS} : ")


@pytest.mark.parametrize("typed", ["smith", "mar smi", "Ann 2", "a 1", "ne1 4abc", "smith ne1",
                                   "Smith, Ma"])
def test_other_text_still_searches_names(typed):
    assert "family" in match_query(typed)


def test_search_respects_scope(read_only_world):
    world = read_only_world
    assert listed(world, "ann", text="smi") == ["margaret", "john"]  # not Bob's Tom


def test_filters(read_only_world):
    world = read_only_world
    assert listed(world, "meg", stage="referred") == ["aisha", "nobody"]
    assert listed(world, "meg", contract_id=world.contract_id) == ["margaret", "mary"]
    assert listed(world, "meg", overdue_only=True) == ["margaret"]
    assert listed(world, "meg", no_baseline=True) == ["margaret", "tom", "mary"]
    assert listed(world, "meg", latest_change="improved") == ["margaret"]
    assert listed(world, "meg", latest_change="no_change") == ["mary"]
    assert listed(world, "meg", latest_change=NO_CHANGE_YET) == ["aisha", "tom", "john", "nobody"]
    assert listed(world, "meg", text="smi", overdue_only=True) == ["margaret"]


def test_every_sort_key_works_both_ways(read_only_world):
    world = read_only_world
    for key in SORT_KEYS:
        up = person_ids(world.caseload, world.actor("meg"), CaseloadFilter(as_of=TODAY), key)
        down = person_ids(world.caseload, world.actor("meg"), CaseloadFilter(as_of=TODAY), key,
                          descending=True)
        assert sorted(up) == sorted(down) and len(up) == 6, key


def test_sort_by_next_review_keeps_people_without_one_last(read_only_world):
    world = read_only_world
    filt = CaseloadFilter(as_of=TODAY)
    meg = world.actor("meg")
    assert names(world, person_ids(world.caseload, meg, filt, "next_review")) == [
        "margaret", "mary", "tom", "john", "aisha", "nobody"]
    assert names(world, person_ids(world.caseload, meg, filt, "next_review", True)) == [
        "john", "tom", "mary", "margaret", "aisha", "nobody"]  # ties stay in name order
    assert names(world, person_ids(world.caseload, meg, filt, "age"))[0] == "john"  # youngest
    assert names(world, person_ids(world.caseload, meg, filt, "worker"))[:3] == [
        "aisha", "margaret", "john"]  # Ann Worker first


def test_rows_say_what_the_list_shows(read_only_world):
    world = read_only_world
    ann = world.actor("ann")
    ids = [world.people["margaret"], world.people["aisha"]]
    margaret, aisha = rows_for(world.caseload, ann, ids, as_of=TODAY)
    assert margaret.name == "Smith, Margaret"
    assert margaret.display_name == "Peggy Smith"
    assert margaret.preferred_name == "Peggy"
    assert margaret.reference == "LW-00001"
    assert margaret.age == 65
    assert margaret.stage_label == "Active"
    assert margaret.worker_name == "Ann Worker"
    assert margaret.next_review_due == TODAY - dt.timedelta(days=10)
    assert margaret.overdue is True
    assert margaret.latest_change_label == "Improved"
    assert margaret.nhs_number == "943 476 5919"
    assert margaret.postcode == "NE1 4ST"
    assert aisha.stage_label == "Referred" and aisha.age is None and aisha.overdue is False
    assert dataclasses.is_dataclass(margaret)
    with pytest.raises(dataclasses.FrozenInstanceError):
        margaret.name = "x"  # type: ignore[misc]


def test_summary_is_audited_as_a_record_view(world):
    ann = world.actor("ann")
    summary = person_summary(world.caseload, ann, world.people["margaret"], as_of=TODAY)
    assert summary.display_name == "Peggy Smith"
    assert summary.worker_name == "Ann Worker"
    assert summary.contract_name == "Ways to Wellbeing"
    assert summary.contacts == 1 and summary.next_appointment == TODAY
    assert summary.open_goals == 1 and summary.overdue
    with world.caseload.reading() as s:
        events = [(e.action, e.person_id, e.user_id)
                  for e in s.execute(select(AuditEvent)).scalars()]
    assert events == [
        ("view_person", world.people["margaret"], world.users["ann"].id)]


def test_summary_refused_outside_scope_and_not_audited(world):
    with pytest.raises(PermissionDenied):
        person_summary(world.caseload, world.actor("ann"), world.people["mary"])
    with world.caseload.reading() as s:
        assert s.execute(select(AuditEvent)).first() is None


def test_filter_options_offer_the_switcher_to_managers_only(read_only_world):
    world = read_only_world
    managers = filter_options(world.caseload, world.actor("meg"))
    assert managers.can_switch_worker
    counts = {w.name: w.people for w in managers.workers}
    assert counts["Ann Worker"] == 3 and counts["Bob Worker"] == 2
    assert [c.name for c in managers.contracts] == ["Ways to Wellbeing"]
    workers = filter_options(world.caseload, world.actor("ann"))
    assert not workers.can_switch_worker
    assert [w.name for w in workers.workers] == ["Ann Worker"]


def test_the_first_screen_counts_only_the_users_own_caseload(read_only_world):
    """``own_count_only`` (issue 15): the actor's own count is right, the others are not
    counted yet and the options say so; a worker's options are complete either way."""
    world = read_only_world
    quick = filter_options(world.caseload, world.actor("meg"), own_count_only=True)
    assert not quick.counted
    assert {w.name: w.people for w in quick.workers}["Ann Worker"] == 0
    assert [w.id for w in quick.workers] == [
        w.id for w in filter_options(world.caseload, world.actor("meg")).workers
        if w.active]
    own = filter_options(world.caseload, world.actor("ann"), own_count_only=True)
    assert own.counted and [(w.name, w.people) for w in own.workers] == [("Ann Worker", 3)]
