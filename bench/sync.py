"""Sync at the design point: packs between laptops, a week of a team, a new laptop's replica.

Rows (targets from issue 14):

* first adoption: recording every record of the demo caseload in the change log (once);
* one day's work (200 changes) exported as a pack, and applied at a copy of the caseload
  (target: applied in under 1 s);
* a week of 10 laptops (10 packs of 200 changes each) merged at the caseload;
* ``hub init`` of the whole demo caseload into PostgreSQL (COPY), then an initial replica of
  the caseload of the link worker nearest 300 people, pulled from that hub (target: under
  10 s for 300 people at a 150,000-person hub). Needs an empty PostgreSQL database the bench
  may fill: set ``LINKWORKER_BENCH_PG_URL`` (``bash .ci/postgres.sh`` prints one); without it
  the row says so.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

from bench.common import PASSPHRASE, Bench, Row, in_child, timed

PG_ENV = "LINKWORKER_BENCH_PG_URL"
CASELOAD = 300  # people on the new laptop, as in the target


def _copy(source: Path, target: Path, new_device: bool) -> None:
    from linkworker.storage.database import Caseload
    from linkworker.sync import state

    shutil.copyfile(source, target)
    shutil.copyfile(f"{source}.key", f"{target}.key")
    if new_device:
        with Caseload.open(target, PASSPHRASE) as caseload, caseload.transaction() as s:
            state.put(s.connection(), "device_id", uuid.uuid4().hex)


def _a_days_work(caseload: Any, changes: int, tag: str) -> None:
    """``changes`` edits across worker1's people: notes on contacts, goals, journeys."""
    from sqlalchemy import select

    from linkworker import models

    with caseload.transaction() as s:
        contacts = s.scalars(select(models.Contact).limit(changes)).all()
        for i, contact in enumerate(contacts):
            contact.note = f"{tag} note {i}"


def run(path: str) -> dict[str, Any]:
    """Runs in a child: baseline, one pack of 200, ten packs of 200."""
    from linkworker.storage.database import Caseload
    from linkworker.sync import service, state, teamkey

    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(dir=Path(path).parent) as folder:
        laptop_path, hub_path = Path(folder) / "laptop.db", Path(folder) / "hub.db"
        shutil.copyfile(path, laptop_path)
        shutil.copyfile(f"{path}.key", f"{laptop_path}.key")
        with Caseload.open(laptop_path, PASSPHRASE) as laptop:
            with laptop.transaction() as s:
                teamkey.create(s.connection())
            first, out["baseline_s"] = timed(service.export_pack, laptop,
                                             Path(folder) / "first.lwpack")
            out["baseline_changes"] = first.changes
        _copy(laptop_path, hub_path, new_device=True)
        with Caseload.open(laptop_path, PASSPHRASE) as laptop, \
                Caseload.open(hub_path, PASSPHRASE) as hub:
            _a_days_work(laptop, 200, "monday")
            day = Path(folder) / "day.lwpack"
            info, out["export_s"] = timed(service.export_pack, laptop, day)
            applied, out["apply_s"] = timed(service.import_pack, hub, day)
            out["day_changes"], out["day_applied"] = info.changes, applied.applied
            week = []
            for n in range(10):  # ten laptops: each its own device id and its own edits
                with laptop.transaction() as s:
                    state.put(s.connection(), "device_id", uuid.uuid4().hex)
                _a_days_work(laptop, 200, f"laptop{n}")
                week.append(service.export_pack(laptop, Path(folder) / f"w{n}.lwpack").path)
            reports, out["week_s"] = timed(lambda: [service.import_pack(hub, p) for p in week])
            out["week_applied"] = sum(r.applied for r in reports)
    return out


def replica(path: str, url: str) -> dict[str, Any]:
    """Runs in a child: hub init from the demo caseload, then a link worker's new laptop
    (the caseload nearest ``CASELOAD`` people) pulls."""
    from sqlalchemy import func, select

    from linkworker import models
    from linkworker.hub import schema
    from linkworker.hub.create import create_hub
    from linkworker.storage.database import Caseload
    from linkworker.storage.server import ServerCaseload
    from linkworker.sync import teamkey
    from linkworker.sync.online import sync_with_hub

    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(dir=Path(path).parent) as folder:
        office_path = Path(folder) / "office.db"
        shutil.copyfile(path, office_path)
        shutil.copyfile(f"{path}.key", f"{office_path}.key")
        with Caseload.open(office_path, PASSPHRASE) as office:
            made, out["hub_init_s"] = timed(create_hub, office, url)
            out["hub_people"] = made.people
            with office.engine.connect() as conn:
                key = teamkey.require(conn)
        hub = ServerCaseload.connect(url)
        login = f"bench_{uuid.uuid4().hex[:8]}"
        with hub.transaction() as s:
            worker = _worker_near(s, CASELOAD)
            schema.add_login(s.connection(), login, "bench", worker)
        hub.close()
        from sqlalchemy.engine import make_url

        login_url = make_url(url).set(username=login, password="bench").render_as_string(
            hide_password=False)
        laptop = Caseload.create(Path(folder) / "new-laptop.db", PASSPHRASE)
        with laptop.transaction() as s:
            teamkey.install(s.connection(), key)
        _, out["replica_s"] = timed(sync_with_hub, laptop, login_url)
        with laptop.reading() as s:
            out["replica_people"] = s.scalar(select(func.count()).select_from(models.Person))
        laptop.close()
    return out


def _worker_near(session: Any, size: int) -> str:
    """The link worker whose caseload is nearest ``size`` people (the issue's design point is
    a 300-person caseload; a demo's worker1 may hold more or fewer)."""
    from sqlalchemy import func, select

    from linkworker import models

    episodes = models.Episode
    counts = session.execute(
        select(episodes.worker_id, func.count(func.distinct(episodes.person_id)))
        .where(episodes.worker_id.is_not(None)).group_by(episodes.worker_id)).all()
    return min(counts, key=lambda row: (abs(row[1] - size), row[0]))[0]


def measure(bench: Bench) -> list[Row]:
    rows = _pack_rows(in_child("bench.sync:run", str(bench.path)), bench.people)
    url = os.environ.get(PG_ENV)
    if not url:
        return [*rows, Row("Initial replica from the hub", "n/a",
                           note=f"set {PG_ENV} to a PostgreSQL the bench may fill")]
    result = in_child("bench.sync:replica", str(bench.path), url)
    if "error" in result:
        return [*rows, Row("Initial replica from the hub", "n/a", note=result["error"])]
    return [*rows,
            Row("Hub init from the caseload", f"{result['hub_init_s']:.1f} s",
                note=f"{result['hub_people']:,} people to PostgreSQL"),
            Row("Initial replica of a link worker's caseload", f"{result['replica_s']:.1f} s",
                result.get("rss_mb"), note=f"{result['replica_people']:,} people pulled; "
                "target < 10 s (300 of 150,000)")]


def _pack_rows(result: dict[str, Any], people: int) -> list[Row]:
    if "error" in result:
        return [Row("Sync packs", "n/a", note=result["error"])]
    return [
        Row("Change log for a caseload made before sync", f"{result['baseline_s']:.1f} s",
            result.get("rss_mb"), note=f"{result['baseline_changes']:,} records, once"),
        Row("Day's pack (200 changes) exported", f"{result['export_s'] * 1000:.0f} ms"),
        Row("Day's pack (200 changes) applied", f"{result['apply_s'] * 1000:.0f} ms",
            note=f"{result['day_applied']} applied at a {people:,}-person caseload; "
                 "target < 1 s"),
        Row("Week of 10 laptops (2,000 changes) merged", f"{result['week_s']:.1f} s",
            note=f"{result['week_applied']:,} applied"),
    ]
