"""A pack carries what its destination may not have: never what came from the hub."""

from __future__ import annotations

from linkworker import models
from linkworker.hub.create import create_hub
from linkworker.hub.exchange import import_pack_from, pack_for_user
from linkworker.storage.server import ServerCaseload
from linkworker.sync import packs, service, teamkey
from linkworker.sync.online import sync_with_hub
from linkworker.sync.state import device_id
from tests.sync.conftest import add_person, all_changes, edit, read
from tests.sync.test_hub import _laptop_for, office  # noqa: F401 (a fixture)
from tests.sync.test_packs import give_team_key


def _pack_changes(caseload, path) -> list[dict]:
    with caseload.engine.connect() as conn:
        key = teamkey.require(conn)
    return packs.unseal(key, path.read_bytes())[1]


def _device(caseload) -> str:
    with caseload.engine.begin() as conn:
        return device_id(conn)


def test_after_an_online_sync_the_first_pack_holds_only_the_new_local_changes(
        office, pg_url, tmp_path):  # noqa: F811
    caseload, ids = office
    create_hub(caseload, pg_url)
    laptop, login_url = _laptop_for(tmp_path, caseload, pg_url, "sam", ids["sam"])
    assert sync_with_hub(laptop, login_url).pulled > 0  # Sam's caseload, the users, ...
    assert service.status(laptop).changes_waiting == 0  # received is not waiting to go

    edit(laptop, models.Person, ids["ruth"], town="Wakefield")
    first = service.export_pack(laptop, tmp_path / "venue.lwpack")
    carried = _pack_changes(laptop, tmp_path / "venue.lwpack")
    assert first.changes == 1 and carried[0]["data"] == {"town": "Wakefield"}
    assert {c["device_id"] for c in carried} == {_device(laptop)}
    assert service.status(laptop).changes_waiting == 0

    hub = ServerCaseload.connect(pg_url)
    try:
        assert import_pack_from(hub, "sam", tmp_path / "venue.lwpack").new == 1
        assert read(hub, models.Person, ids["ruth"], "town") == ("Wakefield",)
        with hub.transaction() as s:  # the manager, at the hub, adds a phone number
            s.get(models.Person, ids["ruth"]).phone = "01632 960001"
        assert pack_for_user(hub, "sam", tmp_path / "for-sam.lwpack").changes >= 1
    finally:
        hub.close()
    service.import_pack(laptop, tmp_path / "for-sam.lwpack")
    assert read(laptop, models.Person, ids["ruth"], "phone") == ("01632 960001",)
    assert service.status(laptop).changes_waiting == 0
    assert service.export_pack(laptop, tmp_path / "again.lwpack").changes == 0  # none sent back

    edit(laptop, models.Person, ids["ruth"], postcode="WF1 1AA")
    online = sync_with_hub(laptop, login_url)
    # The edit carried in the pack (it may not have arrived) and the new one; never what the
    # hub sent, online or in its pack.
    assert online.pushed == 2
    assert sync_with_hub(laptop, login_url).pushed == 0
    laptop.close()


def test_a_pack_still_relays_another_laptops_work_onward(replicas, tmp_path):
    a, b, c = replicas
    give_team_key(a, b, c)
    person_id = add_person(a, given="Ruth")
    service.export_pack(a, tmp_path / "a.lwpack")
    service.import_pack(b, tmp_path / "a.lwpack")
    edit(b, models.Person, person_id, town="Leeds")
    relayed = service.export_pack(b, tmp_path / "b.lwpack")
    assert relayed.changes == len(all_changes(b))  # a's work and b's edit
    service.import_pack(c, tmp_path / "b.lwpack")
    assert read(c, models.Person, person_id, "given_name", "town") == ("Ruth", "Leeds")
    assert service.export_pack(b, tmp_path / "b2.lwpack").changes == 0
