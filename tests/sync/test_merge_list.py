"""Listing merges (``linkworker sync merges``): each merge's id, when, who, the two people's
references (never their names) and whether it was undone, within the asker's scope, on the
laptop that merged and wherever the merge arrived."""

from __future__ import annotations

import re

from sqlalchemy import select

from linkworker import models
from linkworker.access import SYSTEM, Actor
from linkworker.cli import main
from linkworker.storage.database import Caseload
from linkworker.sync import people, service
from tests.conftest import TEST_PASSPHRASE, cli_sign_in
from tests.sync.conftest import add_person
from tests.sync.test_hub import _person
from tests.sync.test_packs import give_team_key

WHEN = re.compile(r"\d\d/\d\d/\d{4} \d\d:\d\d")


def _reference(caseload, person_id: str) -> str:
    with caseload.reading() as s:
        return s.get(models.Person, person_id).reference


def _line(out: str, merge_id: str) -> str:
    (line,) = [row for row in out.splitlines() if row.startswith(merge_id)]
    return line


def test_each_user_lists_the_merges_of_their_own_scope_by_reference(tmp_path, monkeypatch,
                                                                    capsys):
    path = tmp_path / "office.db"
    Caseload.create(path, TEST_PASSPHRASE).close()
    for role, name in (("manager", "meg"), ("link_worker", "lee"), ("link_worker", "sam")):
        cli_sign_in(monkeypatch, path, role, username=name)
    with Caseload.open(path, TEST_PASSPHRASE) as db:
        with db.reading() as s:
            users = dict(s.execute(select(models.User.username, models.User.id)).all())
        with db.transaction() as s:
            ids = {nick: _person(s, nick.title(), users[worker]) for nick, worker in (
                ("ruth", "sam"), ("ruth2", "sam"), ("omar", "lee"), ("omar2", "lee"))}
        sam = Actor(users["sam"], "sam", "link_worker")
        meg = Actor(users["meg"], "meg", "manager")
        ruths = people.merge_people(db, sam, ids["ruth"], ids["ruth2"])
        omars = people.merge_people(db, meg, ids["omar"], ids["omar2"])
        people.undo_merge(db, meg, omars)
        refs = {nick: _reference(db, pid) for nick, pid in ids.items()}

    assert main(["--db", str(path), "sync", "merges"]) == 0  # signed in as sam
    out = capsys.readouterr().out
    line = _line(out, ruths)
    assert line.split()[3:7] == ["sam", refs["ruth"], refs["ruth2"], "no"]
    assert WHEN.search(line)
    assert omars not in out  # Lee's caseload: not Sam's to see
    assert "Ruth" not in out and "Smith" not in out  # references only, never names

    cli_sign_in(monkeypatch, path, "manager", username="meg")
    assert main(["--db", str(path), "sync", "merges"]) == 0
    out = capsys.readouterr().out
    assert _line(out, ruths).split()[-1] == "no"
    undone = _line(out, omars)
    assert undone.split()[3:7] == ["meg", refs["omar"], refs["omar2"], "yes,"]
    assert len(WHEN.findall(undone)) == 2 and undone.endswith("by meg")


def test_a_merge_that_arrived_by_pack_is_listed_there_and_its_undo_too(replicas, tmp_path):
    a, b, _ = replicas
    give_team_key(a, b)
    first = add_person(a, "Margaret", "Jones", nhs_number="9434765919")
    second = add_person(a, "Maggie", "Jones", nhs_number="9434765919")
    assert people.list_merges(a, SYSTEM) == []
    merge_id = people.merge_people(a, SYSTEM, first, second)
    service.export_pack(a, tmp_path / "merge.lwpack")
    service.import_pack(b, tmp_path / "merge.lwpack")
    (listed,) = people.list_merges(b, SYSTEM)
    assert (listed.merge_id, listed.by, listed.kept, listed.merged, listed.undone_at) == (
        merge_id, "system", _reference(a, first), _reference(a, second), None)
    people.undo_merge(b, SYSTEM, merge_id)
    service.export_pack(b, tmp_path / "undo.lwpack")
    service.import_pack(a, tmp_path / "undo.lwpack")
    for replica in (a, b):
        (listed,) = people.list_merges(replica, SYSTEM)
        assert listed.undone_by == "system" and listed.undone_text.startswith("yes, ")
