"""Kill -9 during a pack import and during a sync: nothing half-applied, the next run finishes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import func, select, text

from linkworker import models
from linkworker.storage.database import Caseload
from linkworker.sync import service, teamkey
from tests.conftest import TEST_PASSPHRASE
from tests.sync.conftest import all_changes

# Runs the real import in a child; after 300 changes are applied (inside the one transaction)
# it says so and slows down, so the parent's SIGKILL lands mid-import.
CHILD = textwrap.dedent(
    """
    import sys, time
    from linkworker.storage.database import Caseload
    from linkworker.sync import merge, service
    real_apply, done = merge.Applier.apply, [0]
    def apply(self, change):
        real_apply(self, change)
        done[0] += 1
        if done[0] == 300:
            print("halfway", flush=True)
        if done[0] > 300:
            time.sleep(0.01)
    merge.Applier.apply = apply
    from linkworker.sync import replica
    real_write = replica._write_records
    def write_records(*args):  # a first replica copied in bulk: killed after its records
        written = real_write(*args)
        print("halfway", flush=True)
        time.sleep(60)
        return written
    replica._write_records = write_records
    target = Caseload.open(sys.argv[1], "correct horse battery")
    {action}
    print("finished", flush=True)
    """
)


def _people(source: Caseload, n: int) -> None:
    with source.transaction() as s:
        for i in range(n):
            s.add(models.Person(reference=f"LW-{i:06d}", given_name="Kill", family_name=f"T{i}"))


def _run_and_kill(action: str, db) -> None:
    env = dict(os.environ, LINKWORKER_PASSPHRASE=TEST_PASSPHRASE)
    child = subprocess.Popen([sys.executable, "-c", CHILD.format(action=action), str(db)],
                             stdout=subprocess.PIPE, text=True, env=env)
    assert child.stdout.readline().strip() == "halfway"
    child.kill()
    child.wait()


def _count(caseload: Caseload, model) -> int:
    with caseload.reading() as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.mark.slow
def test_killed_during_pack_import_applies_nothing_then_the_retry_applies_all(replicas,
                                                                              tmp_path):
    source, target, _ = replicas
    with source.transaction() as s:
        key = teamkey.create(s.connection())
    with target.transaction() as s:
        teamkey.install(s.connection(), key)
    _people(source, 600)
    pack = tmp_path / "big.lwpack"
    service.export_pack(source, pack)
    target_path = target.path
    target.close()
    _run_and_kill(f"service.import_pack(target, {str(pack)!r})", target_path)
    again = Caseload.open(target_path, TEST_PASSPHRASE)
    try:
        assert again.integrity_problems(quick=False) == []
        assert _count(again, models.Person) == 0 and all_changes(again) == []
        report = service.import_pack(again, pack)
        assert report.applied == len(all_changes(source)) == _count(again, models.SyncChange)
        assert _count(again, models.Person) == 600
    finally:
        again.close()


@pytest.mark.slow
@pytest.mark.parametrize("bulk", [True, False], ids=["bulk-copy", "replay"])
def test_killed_during_online_sync_resumes_and_finishes(tmp_path, pg_url, bulk):
    from linkworker.hub.create import create_hub
    from tests.sync.test_hub import _laptop_for
    from tests.sync.test_replica import _beside

    office = Caseload.create(tmp_path / "office.db", TEST_PASSPHRASE)
    with office.transaction() as s:
        manager = models.User(username="meg", display_name="Meg", role="manager")
        s.add(manager)
        s.flush()
        manager_id = manager.id
    _people(office, 2500)  # more than one pull batch
    create_hub(office, pg_url)
    laptop, login_url = _laptop_for(tmp_path, office, pg_url, "meg", manager_id)
    laptop_path = laptop.path
    laptop.close()
    _run_and_kill(f"from linkworker.sync.online import sync_with_hub\n"
                  f"sync_with_hub(target, {login_url!r}, bulk={bulk})", laptop_path)
    # The bulk copy's scratch file (the staged answer) is left, encrypted: personal data.
    left = [p.read_bytes()[:16] for p in _beside(laptop_path)]
    assert len(left) == bulk and not any(head.startswith(b"SQLite format 3") for head in left)
    laptop = Caseload.open(laptop_path, TEST_PASSPHRASE)
    try:
        assert laptop.integrity_problems(quick=False) == []
        from linkworker.sync.online import sync_with_hub

        assert _count(laptop, models.Person) == 0  # nothing half-applied
        sync_with_hub(laptop, login_url, bulk=bulk)
        assert _count(laptop, models.Person) == 2500
        assert _beside(laptop_path) == []  # the next first sync deleted it
        assert service.status(laptop).incoming_waiting == 0
    finally:
        laptop.close()
        office.close()


# In the child: the push stops for good right after the hub has taken a batch and before the
# laptop has moved its push mark (the widest window: the hub has it, the laptop does not know).
STOP_AFTER_THE_HUB_TOOK_A_BATCH = textwrap.dedent(
    """
    from linkworker.sync import state
    real_put = state.put
    def put(conn, key, value):
        if key == "hub_pushed_seq":
            print("halfway", flush=True)
            time.sleep(600)
        real_put(conn, key, value)
    state.put = put
    from linkworker.sync.online import sync_with_hub
    sync_with_hub(target, {url!r})
    """
)


@pytest.mark.slow
def test_killed_during_a_push_the_next_sync_sends_again_and_the_hub_applies_once(
        tmp_path, pg_url):
    from linkworker.hub.create import create_hub
    from linkworker.hub.inbox import apply_inbox
    from linkworker.storage.server import ServerCaseload
    from linkworker.sync.online import sync_with_hub
    from tests.sync.conftest import edit, read
    from tests.sync.test_hub import _laptop_for, _person, _user

    office = Caseload.create(tmp_path / "office.db", TEST_PASSPHRASE)
    with office.transaction() as s:
        sam = _user(s, "sam", "link_worker")
        ruth = _person(s, "Ruth", sam)
    create_hub(office, pg_url)
    laptop, login_url = _laptop_for(tmp_path, office, pg_url, "sam", sam)
    sync_with_hub(laptop, login_url)
    edit(laptop, models.Person, ruth, town="Wakefield", phone="0113 496 0000")
    laptop_path = laptop.path
    laptop.close()
    _run_and_kill(STOP_AFTER_THE_HUB_TOOK_A_BATCH.format(url=login_url), laptop_path)
    laptop = Caseload.open(laptop_path, TEST_PASSPHRASE)
    hub = ServerCaseload.connect(pg_url)
    try:
        assert service.status(laptop).changes_waiting > 0  # not known as sent: sent again
        again = sync_with_hub(laptop, login_url)
        assert again.pushed > 0 and service.status(laptop).changes_waiting == 0
        report = apply_inbox(hub)
        assert report.refused == []
        assert read(hub, models.Person, ruth, "town", "phone") == ("Wakefield", "0113 496 0000")
        assert _own_changes(hub, laptop) == _own_changes(laptop, laptop) > 0  # all, once
        with hub.engine.connect() as conn:  # the batch came twice; both copies were taken
            packs_in = conn.execute(text("SELECT count(*), count(applied_at) FROM hub_inbox")
                                    ).one()
        assert packs_in[0] == packs_in[1] >= 2
        assert sync_with_hub(laptop, login_url).applied == 0
    finally:
        hub.close()
        laptop.close()
        office.close()


def _own_changes(holder, laptop: Caseload) -> int:
    """How many of ``laptop``'s own changes ``holder`` (the laptop or the hub) has."""
    from linkworker.sync import state

    with laptop.engine.connect() as conn:
        device = state.device_id(conn)
    with holder.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(models.SyncChange)
                            .where(models.SyncChange.device_id == device)).scalar_one()
