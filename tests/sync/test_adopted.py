"""Adopted records: ``hub init`` writes no change rows for the caseload it adopts.

The same small demo is made into a hub twice: the new way (adopted: no rows on the laptop, the
inserts made as they are copied) and the old way (``baseline.prepare`` first: a dataless insert
and field heads per record, filled as they are copied). The two hubs, a worker's first replica
from each, and both after the same edits on the office laptop, the worker's laptop and the hub,
must be the same but for the clock ids.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil

from sqlalchemy import event, func, select

from linkworker import models
from linkworker.demo import generate
from linkworker.hub import schema
from linkworker.hub.create import create_hub
from linkworker.hub.inbox import apply_inbox
from linkworker.storage.database import Caseload
from linkworker.storage.server import ServerCaseload
from linkworker.sync import adopted, baseline
from linkworker.sync.changelog import CHANGES, ROWS
from linkworker.sync.online import sync_with_hub
from linkworker.sync.tables import RULES
from tests.conftest import TEST_PASSPHRASE
from tests.sync.conftest import edit, open_conflicts
from tests.sync.test_hub import _laptop_for, _login_url
from tests.sync.test_replica import _busiest_worker

TODAY = dt.date(2026, 11, 20)


def _log_size(caseload: Caseload) -> tuple[int, int]:
    with caseload.engine.connect() as conn:
        return (conn.execute(select(func.count()).select_from(CHANGES)).scalar_one(),
                conn.execute(select(func.count()).select_from(ROWS)).scalar_one())


def _records(caseload) -> int:
    with caseload.engine.connect() as conn:
        return sum(conn.execute(select(func.count()).select_from(rule.table)).scalar_one()
                   for rule in RULES.values())


def _normalised(caseload) -> dict:
    """Records, change log, heads and open conflicts with every clock id replaced by what it
    names (the record, the kind of change and the data), so two histories made at different
    times compare."""
    out: dict = {}
    with caseload.engine.connect() as conn:
        for name, rule in RULES.items():
            columns = [c for c in rule.table.columns
                       if c.key not in rule.skip and c.key != "updated_at"]
            out[name] = sorted(json.dumps([str(v) for v in r])
                               for r in conn.execute(select(*columns)))
        changes = list(conn.execute(select(CHANGES)))
        data = {c.change_id: c.data for c in changes}
        name_of = {c.change_id: [c.table_name, c.row_id, c.op] for c in changes}
        out["log"] = sorted(json.dumps([name_of[c.change_id], c.person_id, c.data,
                                        {f: sorted(json.dumps(name_of.get(i, i)) for i in ids)
                                         for f, ids in (c.bases or {}).items()}],
                                       sort_keys=True) for c in changes)
        out["heads"] = sorted(json.dumps([r.table_name, r.row_id, r.deleted, {
            f: sorted(json.dumps([name_of.get(i, i), data.get(i)]) for i in ids)
            for f, ids in r.heads.items()}], sort_keys=True) for r in conn.execute(select(ROWS)))
    out["conflicts"] = sorted(c.id for c in open_conflicts(caseload))
    return out


def test_an_adopted_caseload_writes_no_change_rows_and_the_hub_gets_every_insert(
        pg_url, tmp_path):
    office = Caseload.create(tmp_path / "office.db", TEST_PASSPHRASE)
    generate(office, people=4, seed=5, today=TODAY)
    before, records = _log_size(office), _records(office)
    made = create_hub(office, pg_url)
    assert _log_size(office) == before  # not one row per record
    hub = ServerCaseload.connect(pg_url)
    try:
        assert made.changes == before[0] + records - before[1]  # every record has its insert
        with hub.reading() as s:
            assert s.scalar(select(func.count()).select_from(ROWS)) == records
        with hub.reading() as s, office.engine.connect() as conn:
            person = s.scalars(select(CHANGES.c.data).where(
                CHANGES.c.table_name == "people", CHANGES.c.op == "insert")).first()
            stored = conn.execute(select(models.Person).where(
                models.Person.id == person["id"])).first()
            assert person["family_name"] == stored.family_name
    finally:
        hub.close()
    with office.engine.connect() as conn:
        assert adopted.note(conn)["tables"]["people"][0] > 0
    office.close()


def _world(tmp_path, source, url, old_way: bool):
    """An office laptop (a copy of ``source``) made into the hub at ``url``."""
    tmp_path.mkdir()
    path = tmp_path / "office.db"
    shutil.copyfile(source, path)
    shutil.copyfile(f"{source}.key", f"{path}.key")
    office = Caseload.open(path, TEST_PASSPHRASE)
    if old_way:
        baseline.prepare(office)  # the first change log, as hub init wrote it before
    create_hub(office, url)
    return office


def _office_login(office, url) -> str:
    with office.reading() as s:
        manager = s.scalars(select(models.User.id).where(models.User.role == "manager")).first()
    hub = ServerCaseload.connect(url)
    with hub.transaction() as s:
        schema.add_login(s.connection(), "lw_office", "not-used-with-trust-auth", manager)
    hub.close()
    return _login_url(url, "lw_office")


def _edits_and_sync(office, url, tmp_path, people) -> tuple:
    """The worker's new laptop and the office edit one adopted person (the same field: a true
    conflict; and one field each), then everyone syncs twice."""
    worker_id, worker, _ = _busiest_worker(office)
    laptop, laptop_url = _laptop_for(tmp_path, office, url, worker, worker_id)
    sync_with_hub(laptop, laptop_url)
    first = _normalised(laptop)
    office_url = _office_login(office, url)
    edit(office, models.Person, people[0], town="Leeds", phone="0113 000 0000")
    edit(laptop, models.Person, people[0], town="Bradford")
    with office.transaction() as s:
        s.delete(s.scalars(select(models.Contact).join(models.Episode).where(
            models.Episode.person_id.in_(people)).order_by(models.Contact.id)).first())
    hub = ServerCaseload.connect(url)
    try:
        sync_with_hub(office, office_url)
        sync_with_hub(laptop, laptop_url)
        apply_inbox(hub)
        sync_with_hub(office, office_url)
        sync_with_hub(laptop, laptop_url)
        at_hub = _normalised(hub)
    finally:
        hub.close()
    at_office = _normalised(office)
    after = _normalised(laptop), {k: at_office[k] for k in ("people", "contacts", "conflicts")}, \
        at_hub  # (the office's own log differs: that is the point)
    laptop.close()
    return first, after


def test_a_hub_from_an_adopted_laptop_gives_the_replicas_and_merges_the_old_way_gave(
        pg_url, other_pg_url, tmp_path):
    source = tmp_path / "demo.db"
    demo = Caseload.create(source, TEST_PASSPHRASE)
    generate(demo, people=4, seed=5, today=TODAY)
    _, _, people = _busiest_worker(demo)
    demo.close()
    new = _world(tmp_path / "new", source, pg_url, old_way=False)
    old = _world(tmp_path / "old", source, other_pg_url, old_way=True)
    hubs = [ServerCaseload.connect(u) for u in (pg_url, other_pg_url)]
    try:
        assert _normalised(hubs[0]) == _normalised(hubs[1])
    finally:
        for hub in hubs:
            hub.close()
    new_first, new_after = _edits_and_sync(new, pg_url, tmp_path / "new", people)
    old_first, old_after = _edits_and_sync(old, other_pg_url, tmp_path / "old", people)
    assert new_first == old_first  # the worker's first replica
    assert new_after == old_after  # the worker's laptop, the office and the hub after edits
    laptop, office, _hub = new_after
    assert laptop["conflicts"] == office["conflicts"] == [f"people/{people[0]}/town"]
    with new.engine.connect() as conn:  # only what changed was written down
        written = conn.execute(select(CHANGES.c.table_name, CHANGES.c.row_id).where(
            CHANGES.c.op == "insert", CHANGES.c.table_name == "people")).all()
    assert {r for _, r in written} == {people[0]}
    new.close()
    old.close()


def test_a_flush_with_nothing_to_settle_runs_no_settle_statement(tmp_path):
    caseload = Caseload.create(tmp_path / "c.db", TEST_PASSPHRASE)
    generate(caseload, people=2, seed=5, today=TODAY)  # bulk inserts: no change rows yet
    seen: list[str] = []
    event.listen(caseload.engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_a: seen.append(statement))
    with caseload.transaction() as s:
        person = models.Person(reference="LW-1", given_name="Ann", family_name="Lee")
        s.add(person)
    seen.clear()
    edit(caseload, models.Person, person.id, town="Leeds")
    assert not [q for q in seen if q.startswith("UPDATE sync_changes")]
    assert not [q for q in seen if "INSERT INTO sync_changes" in q and "SELECT" in q]
    # A log with dataless inserts (``baseline`` of the bulk-inserted people) still settles.
    with caseload.transaction() as s:
        baseline.baseline(s.connection())
    with caseload.reading() as s:
        other = s.scalars(select(models.Person.id).where(models.Person.id != person.id)).first()
    seen.clear()
    edit(caseload, models.Person, other, town="York")
    assert [q for q in seen if q.startswith("UPDATE sync_changes")]
    caseload.close()
