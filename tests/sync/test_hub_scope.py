"""The hub's edges on a real PostgreSQL: who a replica holds, records leaving a scope, the
same username made on two laptops, and ``hub apply`` on its own timer."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from linkworker import models
from linkworker.cli import main
from linkworker.hub.create import create_hub
from linkworker.hub.inbox import apply_inbox
from linkworker.storage.server import ServerCaseload
from linkworker.sync.online import sync_with_hub
from tests.conftest import TEST_PASSPHRASE
from tests.sync.conftest import edit, read
from tests.sync.test_hub import _laptop_for, _person, office  # noqa: F401 - a fixture


class _Stop(KeyboardInterrupt):
    """What a service stop (Ctrl+C) looks like to the loop."""


def _stop_after(monkeypatch, rounds: int) -> list[float]:
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) >= rounds:
            raise _Stop

    monkeypatch.setattr("linkworker.cli.hub.time.sleep", sleep)
    return slept


def test_hub_apply_every_applies_each_round_until_stopped(office, pg_url, tmp_path,  # noqa: F811
                                                         monkeypatch, capsys):
    caseload, ids = office
    create_hub(caseload, pg_url)
    laptop, login_url = _laptop_for(tmp_path, caseload, pg_url, "sam", ids["sam"])
    sync_with_hub(laptop, login_url)
    edit(laptop, models.Person, ids["ruth"], town="Wakefield")
    sync_with_hub(laptop, login_url)
    laptop.close()
    monkeypatch.setenv("LINKWORKER_PASSPHRASE", TEST_PASSPHRASE)
    slept = _stop_after(monkeypatch, 2)
    assert main(["hub", "apply", "--every", "30", "--url", pg_url]) == 0
    out = capsys.readouterr().out
    assert slept == [30, 30]
    assert "every 30 s" in out and "Stopped." in out
    assert "Applied 1 packs" in out and "Applied 0 packs" in out  # the second round: nothing new
    with ServerCaseload.connect(pg_url) as hub:
        assert read(hub, models.Person, ids["ruth"], "town") == ("Wakefield",)


def test_hub_apply_every_outlives_an_unreachable_hub(monkeypatch, capsys):
    monkeypatch.setenv("LINKWORKER_PASSPHRASE", TEST_PASSPHRASE)
    slept = _stop_after(monkeypatch, 2)
    url = "postgresql+psycopg://nobody@/x?host=/nonexistent"
    assert main(["hub", "apply", "--every", "10", "--url", url]) == 0
    err = capsys.readouterr().err
    assert slept == [10, 10]
    assert err.count("trying again in 10 s") == 2 and "Traceback" not in err


def _episode_of(caseload, person_id: str) -> str:
    with caseload.reading() as s:
        return s.scalar(select(models.Episode.id).where(models.Episode.person_id == person_id))


def _local_trace(laptop, person_id: str) -> dict[str, int]:
    """What the laptop still holds about one person: records, change log, field heads."""
    with laptop.reading() as s:
        episodes = s.scalars(select(models.Episode.id)
                             .where(models.Episode.person_id == person_id)).all()
        return {
            "person": int(s.get(models.Person, person_id) is not None),
            "episodes": len(episodes),
            "contacts": s.scalar(select(func.count()).select_from(models.Contact)
                                 .where(models.Contact.episode_id.in_(episodes or [""]))),
            "changes": s.scalar(select(func.count()).select_from(models.SyncChange)
                                .where(models.SyncChange.person_id == person_id,
                                       models.SyncChange.table_name != "audit_events")),
            "heads": s.scalar(select(func.count()).select_from(models.SyncRow)
                              .where(models.SyncRow.row_id == person_id)),
        }


def test_a_person_given_to_another_worker_leaves_the_laptop_after_its_edits_reach_the_hub(
        office, pg_url, tmp_path):  # noqa: F811
    caseload, ids = office
    create_hub(caseload, pg_url)
    laptop, login_url = _laptop_for(tmp_path, caseload, pg_url, "sam", ids["sam"])
    sync_with_hub(laptop, login_url)
    edit(laptop, models.Person, ids["ruth"], town="Wakefield")  # a visit's edit, not yet sent
    with ServerCaseload.connect(pg_url) as hub:  # meanwhile the manager gives Ruth to Lee
        edit(hub, models.Episode, _episode_of(hub, ids["ruth"]), worker_id=ids["lee"])
    report = sync_with_hub(laptop, login_url)
    assert report.pushed >= 1 and (report.removed, report.kept_unsent) == (1, 0)
    assert _local_trace(laptop, ids["ruth"]) == dict.fromkeys(
        ("person", "episodes", "contacts", "changes", "heads"), 0)
    with ServerCaseload.connect(pg_url) as hub:
        assert apply_inbox(hub).refused == []  # the edit made while Ruth was Sam's still lands
        assert read(hub, models.Person, ids["ruth"], "town") == ("Wakefield",)
        edit(hub, models.Episode, _episode_of(hub, ids["ruth"]), worker_id=ids["sam"])
    sync_with_hub(laptop, login_url)  # given back: she returns whole, with the latest edit
    assert read(laptop, models.Person, ids["ruth"], "town") == ("Wakefield",)
    assert _local_trace(laptop, ids["ruth"])["episodes"] == 1
    laptop.close()


def test_a_coordinators_replica_holds_given_people_and_only_the_venue_register(
        office, pg_url, tmp_path):  # noqa: F811
    from linkworker.access import Actor, people_scope

    caseload, ids = office
    with caseload.transaction() as s:
        cara = models.User(username="cara", display_name="Cara", role="coordinator",
                           venue="Library")
        s.add(cara)
        s.flush()
        given = _person(s, "Gita", ids["sam"])
        s.add(models.PersonAccess(person_id=given, user_id=cara.id))
        omar_journey = s.scalar(select(models.Episode.id)
                                .where(models.Episode.person_id == ids["omar"]))
        s.add_all([models.Contact(episode_id=omar_journey, contact_date=dt.date(2026, 11, 9),
                                  venue="Library"),
                   models.Contact(episode_id=omar_journey, contact_date=dt.date(2026, 11, 10),
                                  venue="Surgery", note="private: seen at the surgery")])
        s.add(models.Note(person_id=ids["omar"], written_on=dt.date(2026, 11, 9),
                               body="Lee's note, not for the venue"))
        cara_id = cara.id
    create_hub(caseload, pg_url)
    laptop, login_url = _laptop_for(tmp_path, caseload, pg_url, "cara", cara_id)
    sync_with_hub(laptop, login_url)
    with laptop.reading() as s:
        assert set(s.scalars(select(models.Person.given_name))) == {"Gita", "Omar"}
        assert set(s.scalars(select(models.Contact.venue))) == {"Library"}
        assert s.scalar(select(func.count()).select_from(models.Note)) == 0
        cara_actor = Actor(cara_id, "cara", "coordinator", venue="Library")
        assert set(s.scalars(select(models.Person.given_name)
                             .where(people_scope(cara_actor, "view")))) == {"Gita"}
        assert set(s.scalars(select(models.Person.given_name)
                             .where(people_scope(cara_actor, "attend")))) == {"Gita", "Omar"}
    with ServerCaseload.connect(pg_url) as hub, hub.transaction() as s:
        s.execute(models.Contact.__table__.update().where(models.Contact.venue == "Library")
                  .values(venue="Town hall"))  # Omar is no longer on the Library register
    report = sync_with_hub(laptop, login_url)
    assert report.removed == 1
    with laptop.reading() as s:
        assert set(s.scalars(select(models.Person.given_name))) == {"Gita"}
    laptop.close()


def test_a_person_with_unsent_changes_is_kept_until_they_are_pushed(caseload):
    from linkworker.sync import leaving, state
    from tests.sync.conftest import add_person

    person_id = add_person(caseload)
    with caseload.transaction() as s:
        left = leaving.remove_out_of_scope(s.connection(), set(), set())
    assert (left.removed, left.kept_unsent) == (0, 1)
    assert _local_trace(caseload, person_id)["person"] == 1
    with caseload.transaction() as s:
        conn = s.connection()
        state.put(conn, "hub_pushed_seq", 10**9)  # as if pushed
        left = leaving.remove_out_of_scope(conn, set(), set())
    assert (left.removed, left.kept_unsent) == (1, 0)
    assert _local_trace(caseload, person_id) == dict.fromkeys(
        ("person", "episodes", "contacts", "changes", "heads"), 0)


def test_a_hub_command_gives_an_older_hub_this_versions_door(office, pg_url,  # noqa: F811
                                                              tmp_path, monkeypatch, capsys):
    """A hub updated to a new LinkWorker gets the functions laptops call from its next
    ``hub apply``, not only when someone happens to add a login."""
    from sqlalchemy import text

    from linkworker.hub import schema

    caseload, _ids = office
    create_hub(caseload, pg_url)
    with ServerCaseload.connect(pg_url) as hub, hub.transaction() as s:
        assert schema.installed_door(s.connection()) == schema.DOOR
        s.execute(text("CREATE OR REPLACE FUNCTION linkworker_scope() "
                       "RETURNS TABLE (person_id varchar, whole boolean) "
                       "LANGUAGE sql AS $$ SELECT 'an older door'::varchar, true $$"))
        s.execute(text(f"COMMENT ON FUNCTION {schema.PULL} IS 'linkworker door 0ld'"))
    laptop, login_url = _laptop_for(tmp_path, caseload, pg_url, "sam", _ids["sam"])
    laptop.close()
    with ServerCaseload.connect(login_url, upgrade=False) as hub, hub.transaction() as s:
        assert not schema.refresh(s.connection())  # not the owner: left for the owner
    monkeypatch.setenv("LINKWORKER_PASSPHRASE", TEST_PASSPHRASE)
    assert main(["hub", "apply", "--url", pg_url]) == 0
    with ServerCaseload.connect(pg_url) as hub, hub.transaction() as s:
        conn = s.connection()
        assert schema.installed_door(conn) == schema.DOOR
        body = conn.execute(text("SELECT prosrc FROM pg_proc WHERE proname = 'linkworker_scope'"))
        assert "an older door" not in body.scalar_one()
    capsys.readouterr()
