"""A duplicate-person merge can be undone wherever it has arrived, and the undo travels.

A real PostgreSQL hub and two laptops: Sam (a link worker, who merges) and Meg (a manager,
with a full replica)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from linkworker import models
from linkworker.access import Actor
from linkworker.cli import main
from linkworker.errors import NotFound, UserError
from linkworker.hub.create import create_hub
from linkworker.hub.inbox import apply_inbox
from linkworker.storage.server import ServerCaseload
from linkworker.sync import people
from linkworker.sync.online import sync_with_hub
from tests.sync.test_hub import _laptop_for, _person, office  # noqa: F401 - a fixture


def _twice_referred(caseload, ids) -> None:
    """Sam's Ruth was referred again (same NHS number) with a phone number and a contact."""
    with caseload.transaction() as s:
        s.get(models.Person, ids["ruth"]).nhs_number = "9434765919"
        ids["ruth2"] = _person(s, "Ruth", ids["sam"])
        again = s.get(models.Person, ids["ruth2"])
        again.nhs_number, again.phone = "9434765919", "07700 900123"
        episode = s.scalar(select(models.Episode).where(
            models.Episode.person_id == ids["ruth2"]))
        s.add(models.Contact(episode_id=episode.id, contact_date=dt.date(2026, 11, 20),
                             note="Phoned about the walking group"))


def _state(caseload, ids) -> tuple:
    """What every replica must agree on about the two records."""
    with caseload.reading() as s:
        second = s.get(models.Person, ids["ruth2"])
        episodes = sorted((e.id, e.person_id, e.number) for e in s.scalars(
            select(models.Episode).where(models.Episode.person_id.in_(
                [ids["ruth"], ids["ruth2"]]))))
        contacts = sorted((c.note, e.person_id) for c, e in s.execute(
            select(models.Contact, models.Episode).join(models.Episode)
            .where(models.Episode.person_id.in_([ids["ruth"], ids["ruth2"]]))).all())
        return (second is not None and second.deleted_at is None,
                s.get(models.Person, ids["ruth"]).phone, episodes, contacts)


def _round(hub_url, *laptops_and_urls) -> None:
    """Everyone syncs, the hub applies, everyone syncs again."""
    for laptop, url in laptops_and_urls:
        sync_with_hub(laptop, url)
    with ServerCaseload.connect(hub_url) as hub:
        assert apply_inbox(hub).refused == []
    for laptop, url in laptops_and_urls:
        sync_with_hub(laptop, url)


@pytest.mark.slow
def test_a_merge_is_undone_on_a_managers_replica_and_at_the_hub_and_every_replica_agrees(
        office, pg_url, tmp_path, capsys):  # noqa: F811
    caseload, ids = office
    _twice_referred(caseload, ids)
    create_hub(caseload, pg_url)
    sam_laptop, sam_url = _laptop_for(tmp_path, caseload, pg_url, "sam", ids["sam"])
    meg_laptop, meg_url = _laptop_for(tmp_path, caseload, pg_url, "meg", ids["meg"])
    everyone = ((sam_laptop, sam_url), (meg_laptop, meg_url))
    _round(pg_url, *everyone)
    separate = _state(meg_laptop, ids)
    assert separate[0] and separate[1] is None and _state(sam_laptop, ids) == separate
    sam, meg = Actor(ids["sam"], "sam", "link_worker"), Actor(ids["meg"], "meg", "manager")

    first = people.merge_people(sam_laptop, sam, ids["ruth"], ids["ruth2"])
    _round(pg_url, *everyone)
    merged = _state(meg_laptop, ids)
    assert merged[0] is False and merged[1] == "07700 900123"
    assert {p for _, p in merged[3]} == {ids["ruth"]}  # both contacts under the kept record
    assert _state(sam_laptop, ids)[1:] == merged[1:]  # the contacts stayed on Sam's laptop
    with pytest.raises(UserError, match="not on this laptop.*at the hub"):
        people.undo_merge(sam_laptop, sam, first)  # the other record left Sam's caseload

    people.undo_merge(meg_laptop, meg, first)  # the manager's full replica
    _round(pg_url, *everyone)
    with ServerCaseload.connect(pg_url) as hub:
        assert _state(hub, ids) == separate
    assert _state(meg_laptop, ids) == _state(sam_laptop, ids) == separate  # back on Sam's too
    with pytest.raises(NotFound, match="already been undone"):
        people.undo_merge(meg_laptop, meg, first)

    second = people.merge_people(sam_laptop, sam, ids["ruth"], ids["ruth2"])
    _round(pg_url, *everyone)
    with ServerCaseload.connect(pg_url) as hub:
        assert _state(hub, ids)[0] is False
    assert main(["hub", "undo-merge", second, "--by", "meg", "--url", pg_url]) == 0  # at the hub
    assert "undone at the hub" in capsys.readouterr().out
    assert main(["hub", "merges", "--by", "sam", "--url", pg_url]) == 0  # Sam's caseload
    listed = [line for line in capsys.readouterr().out.splitlines()
              if line.startswith((first, second))]
    assert len(listed) == 2 and all(line.endswith("by meg") for line in listed)
    assert main(["hub", "merges", "--by", "lee", "--url", pg_url]) == 0  # not Lee's people
    assert "No merges" in capsys.readouterr().out
    _round(pg_url, *everyone)
    with ServerCaseload.connect(pg_url) as hub:
        assert _state(hub, ids) == separate
    assert _state(meg_laptop, ids) == _state(sam_laptop, ids) == separate
    sam_laptop.close()
    meg_laptop.close()
