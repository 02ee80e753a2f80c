"""Sync packs: encrypted, signed, all-or-nothing, idempotent, refused when foreign or stale."""

from __future__ import annotations

import json
import os

import pytest
from conftest import cli_as_first_admin
from sqlalchemy import func, select

from linkworker import models
from linkworker.cli import main
from linkworker.sync import packs, service, teamkey
from tests.conftest import TEST_PASSPHRASE
from tests.sync.conftest import add_person, all_changes, edit, open_conflicts, read


def give_team_key(*replicas):
    with replicas[0].transaction() as s:
        key = teamkey.create(s.connection())
    for replica in replicas[1:]:
        with replica.transaction() as s:
            teamkey.install(s.connection(), key)
    return key


def test_a_pack_carries_a_day_of_work_to_another_laptop(replicas, tmp_path):
    a, b, _ = replicas
    give_team_key(a, b)
    person_id = add_person(a, given="Ruth")
    info = service.export_pack(a, tmp_path / "monday.lwpack")
    assert info.changes == len(all_changes(a))
    assert b"Ruth" not in (tmp_path / "monday.lwpack").read_bytes()  # encrypted
    report = service.import_pack(b, tmp_path / "monday.lwpack")
    assert report.applied == info.changes
    assert read(b, models.Person, person_id, "given_name") == ("Ruth",)


def test_applying_twice_or_out_of_order_changes_nothing_more(replicas, tmp_path):
    a, b, c = replicas
    give_team_key(a, b, c)
    person_id = add_person(a)
    service.export_pack(a, tmp_path / "1.lwpack")
    edit(a, models.Person, person_id, town="Leeds")
    second = service.export_pack(a, tmp_path / "2.lwpack")
    assert second.changes == 1  # only what is new since the last pack
    for order, target in (((1, 2, 2, 1), b), ((2, 1, 1, 2), c)):
        for n in order:
            service.import_pack(target, tmp_path / f"{n}.lwpack")
        assert read(target, models.Person, person_id, "town") == ("Leeds",)
        assert len(all_changes(target)) == len(all_changes(a))
    again = service.import_pack(b, tmp_path / "2.lwpack")
    assert again.new == 0 and again.applied == 0


def test_a_tampered_pack_is_refused_and_nothing_is_applied(replicas, tmp_path):
    a, b, _ = replicas
    give_team_key(a, b)
    add_person(a)
    path = tmp_path / "p.lwpack"
    service.export_pack(a, path)
    blob = bytearray(path.read_bytes())
    blob[-40] ^= 0x01
    path.write_bytes(bytes(blob))
    with pytest.raises(packs.PackRefused, match="altered or damaged"):
        service.import_pack(b, path)
    assert all_changes(b) == []


def test_a_pack_from_another_charity_is_refused_as_foreign(replicas, tmp_path):
    a, b, _ = replicas
    with a.transaction() as s:
        teamkey.create(s.connection())
    with b.transaction() as s:
        teamkey.create(s.connection())
    add_person(a)
    service.export_pack(a, tmp_path / "p.lwpack")
    with pytest.raises(packs.PackRefused, match="another team key"):
        service.import_pack(b, tmp_path / "p.lwpack")
    assert all_changes(b) == []


def test_a_pack_from_a_newer_linkworker_tells_this_one_to_update(replicas, tmp_path):
    a, b, _ = replicas
    key = give_team_key(a, b)
    header = {"format": 1, "team_key": key.key_id, "schema": "9999", "changes": 0}
    (tmp_path / "new.lwpack").write_bytes(packs.seal(key, header, []))
    with pytest.raises(packs.PackRefused, match="newer LinkWorker.*Update LinkWorker here"):
        service.import_pack(b, tmp_path / "new.lwpack")
    header["schema"] = "0003"
    (tmp_path / "old.lwpack").write_bytes(packs.seal(key, header, []))
    with pytest.raises(packs.PackRefused, match="older LinkWorker.*on that laptop"):
        service.import_pack(b, tmp_path / "old.lwpack")


def test_a_pack_is_all_or_nothing(replicas, tmp_path):
    a, b, _ = replicas
    key = give_team_key(a, b)
    add_person(a)
    changes = json.loads(json.dumps(all_changes(a), default=str))
    for change in changes:
        change.pop("seq"), change.pop("applied")
    bad = dict(changes[-1], change_id="9" * 13 + ".000000." + "f" * 32, table_name="nonsense")
    header = {"format": 1, "team_key": key.key_id, "schema": packs.migrate.head_revision()}
    (tmp_path / "bad.lwpack").write_bytes(packs.seal(key, header, [*changes, bad]))
    with pytest.raises(ValueError, match="unknown table"):
        service.import_pack(b, tmp_path / "bad.lwpack")
    assert all_changes(b) == []


def test_records_written_before_sync_travel_too(replicas, tmp_path):
    a, b, _ = replicas
    give_team_key(a, b)
    with a.engine.begin() as conn:  # as the importers and the demo do: Core, no ORM events
        conn.execute(models.Service.__table__.insert().values(
            id="svc-1", name="Men's shed", category="activity",
            created_at=models.utcnow(), updated_at=models.utcnow(), active=True))
    service.export_pack(a, tmp_path / "p.lwpack")
    service.import_pack(b, tmp_path / "p.lwpack")
    assert read(b, models.Service, "svc-1", "name") == ("Men's shed",)


def test_conflict_from_packs_is_resolved_by_a_person_and_travels(replicas, tmp_path):
    from linkworker.access import SYSTEM
    from linkworker.sync import conflicts

    a, b, _ = replicas
    give_team_key(a, b)
    person_id = add_person(a)
    service.export_pack(a, tmp_path / "0.lwpack")
    service.import_pack(b, tmp_path / "0.lwpack")
    edit(a, models.Person, person_id, given_name="Anne")
    edit(b, models.Person, person_id, given_name="Annie")
    service.export_pack(a, tmp_path / "a.lwpack")
    service.export_pack(b, tmp_path / "b.lwpack")
    service.import_pack(b, tmp_path / "a.lwpack")
    (found,) = conflicts.open_conflicts(b)
    assert sorted(o.value for o in found.options) == ["Anne", "Annie"]
    assert found.field_label == "Given name"
    conflicts.resolve(b, SYSTEM, found.id, "Anne")
    assert open_conflicts(b) == []
    service.import_pack(a, tmp_path / "b.lwpack")
    service.export_pack(b, tmp_path / "b2.lwpack")
    service.import_pack(a, tmp_path / "b2.lwpack")
    assert open_conflicts(a) == []
    assert read(a, models.Person, person_id, "given_name") == ("Anne",)


def test_cli_team_key_and_packs_from_end_to_end(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LINKWORKER_PASSPHRASE", TEST_PASSPHRASE)
    cli_as_first_admin(monkeypatch)
    monkeypatch.setenv("LINKWORKER_TEAM_KEY_PASSPHRASE", "team key passphrase")
    hub, laptop = str(tmp_path / "hub.db"), str(tmp_path / "laptop.db")
    assert main(["--db", hub, "init"]) == 0
    assert main(["--db", laptop, "init"]) == 0  # each set up on its own: two different 'admin's
    assert main(["--db", hub, "team-key", "create"]) == 0
    assert main(["--db", hub, "team-key", "export", str(tmp_path / "team.key")]) == 0
    assert main(["--db", laptop, "team-key", "import", str(tmp_path / "team.key")]) == 0
    from linkworker.storage.database import Caseload

    with Caseload.open(laptop, TEST_PASSPHRASE) as caseload:
        add_person(caseload, given="Priya")
    assert main(["--db", laptop, "sync", "export", str(tmp_path / "day.lwpack")]) == 0
    assert main(["--db", hub, "sync", "import", str(tmp_path / "day.lwpack")]) == 0
    out = capsys.readouterr().out
    assert "Applied" in out
    # The laptop's own admin is refused a name the hub's admin holds: it waits, with advice.
    assert "'admin' that arrived is a different account" in out
    assert "linkworker user rename admin NEW-NAME" in out
    with Caseload.open(hub, TEST_PASSPHRASE) as caseload, caseload.reading() as s:
        assert s.scalar(select(func.count()).select_from(models.User)) == 1
        assert s.scalar(select(models.Person.given_name)) == "Priya"  # the rest is applied
    assert main(["--db", laptop, "user", "rename", "admin", "priya-admin"]) == 0
    cli_as_first_admin(monkeypatch, "priya-admin")  # the laptop's admin signs in by the new name
    assert main(["--db", laptop, "sync", "export", str(tmp_path / "day2.lwpack")]) == 0
    cli_as_first_admin(monkeypatch)
    assert main(["--db", hub, "sync", "import", str(tmp_path / "day2.lwpack")]) == 0
    assert "different account" not in capsys.readouterr().out
    with Caseload.open(hub, TEST_PASSPHRASE) as caseload, caseload.reading() as s:
        assert set(s.scalars(select(models.User.username))) == {"admin", "priya-admin"}
    assert main(["--db", hub, "sync", "status"]) == 0
    out = capsys.readouterr().out
    assert "Last synced" in out
    os.remove(tmp_path / "team.key")
    assert main(["--db", hub, "sync", "import", str(tmp_path / "missing.lwpack")]) == 2
    assert "cannot be read" in capsys.readouterr().err


def test_cli_sync_without_a_hub_says_how_to_use_packs(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LINKWORKER_PASSPHRASE", TEST_PASSPHRASE)
    cli_as_first_admin(monkeypatch)
    monkeypatch.delenv("LINKWORKER_HUB_URL", raising=False)
    laptop = str(tmp_path / "laptop.db")
    assert main(["--db", laptop, "init"]) == 0
    assert main(["--db", laptop, "sync"]) == 2
    assert "sync packs" in capsys.readouterr().err
