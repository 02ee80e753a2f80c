"""Sync at the design point: packs between laptops, a week of a team, a new laptop's replica.

Rows (targets from issue 14):

* first adoption: recording every record of the demo caseload in the change log (once);
* one day's work (200 changes) exported as a pack, and applied at a copy of the caseload
  (target: applied in under 1 s);
* a week of 10 laptops (10 packs of 200 changes each) merged at the caseload;
* at a PostgreSQL hub, when ``LINKWORKER_BENCH_PG_URL`` names an empty database the bench
  may fill (``bash .ci/postgres.sh`` prints one), instead of the three rows above:
  ``hub init`` of the whole caseload (target: minutes; it adopts the caseload, writing no
  change rows on the laptop: ``sync.adopted``), a new laptop's
  first replica of a 300-person caseload (target: under 10 s at a 150,000-person hub), a
  day's pack applied at the hub (under 1 s) and a week of ten laptops merged there.
  ``python -m bench --db /work/bench-data/c50k.db --people 50000 --only sync`` (a copy of
  the caseload is made: it is never written to).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
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


def _a_week_of_ten_laptops(laptop: Any, folder: Path) -> list[Path]:
    """Ten laptops' packs of a day's work each: one caseload posing as each in turn, with its
    own device id, so the hub sees ten devices' changes."""
    from linkworker.sync import service, state

    week = []
    for n in range(10):
        with laptop.transaction() as s:
            state.put(s.connection(), "device_id", uuid.uuid4().hex)
        _a_days_work(laptop, 200, f"laptop{n}")
        week.append(service.export_pack(laptop, folder / f"w{n}.lwpack").path)
    return week


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
    from linkworker.sync import service, teamkey

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
            week = _a_week_of_ten_laptops(laptop, Path(folder))
            reports, out["week_s"] = timed(lambda: [service.import_pack(hub, p) for p in week])
            out["week_applied"] = sum(r.applied for r in reports)
    return out


def hub(path: str, url: str) -> dict[str, Any]:
    """Runs in a child: the issue's rows at the hub (PostgreSQL at ``url``, empty).

    The caseload is copied; one link worker is given ``CASELOAD`` people (the demo's workers
    hold 40-2,500 each); its first change log and ``hub init`` are timed; then that worker's
    new laptop makes its first replica (bulk copy), a day's work of 200 changes goes to the
    hub as a pack, and a week of ten laptops' packs (2,000 changes) is merged there."""
    from sqlalchemy import func, select, text
    from sqlalchemy.engine import make_url

    from linkworker import models
    from linkworker.hub import schema
    from linkworker.hub.create import create_hub
    from linkworker.storage.database import Caseload
    from linkworker.storage.server import ServerCaseload, engine_for_url
    from linkworker.sync import service, teamkey
    from linkworker.sync.online import sync_with_hub
    from linkworker.sync.tables import RULES

    out: dict[str, Any] = {"load_before": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory(dir=Path(path).parent) as folder:
        office_path = Path(folder) / "office.db"
        for suffix in ("", ".key"):  # cp: a reflink where the file system has them
            subprocess.run(["cp", "--reflink=auto", f"{path}{suffix}", f"{office_path}{suffix}"],
                           check=True)
        with Caseload.open(office_path, PASSPHRASE) as office:
            worker = _give_caseload(office, CASELOAD)
            with office.engine.connect() as conn:  # what hub init adopts (no rows written)
                out["baseline_changes"] = sum(conn.execute(select(func.count()).select_from(
                    rule.table)).scalar_one() for rule in RULES.values())
            made = _timed(out, "hub_init", create_hub, office, url)
            with office.engine.connect() as conn:
                out["laptop_log"] = conn.execute(select(func.count()).select_from(
                    models.SyncChange)).scalar_one()
            out["hub_people"] = made.people
            out["hub_changes"] = made.changes
            with office.engine.connect() as conn:
                key = teamkey.require(conn)
        for leftover in Path(folder).glob("office.db*"):
            leftover.unlink()  # a 150,000-person copy is gigabytes: not kept for the rest
        server = ServerCaseload.connect(url)
        with server.reading() as s:  # the disk a hub of this size needs
            out["hub_bytes"] = s.scalar(text("SELECT pg_database_size(current_database())"))
        login = f"bench_{uuid.uuid4().hex[:8]}"
        with server.transaction() as s:
            schema.add_login(s.connection(), login, "bench", worker)
        login_url = make_url(url).set(username=login, password="bench").render_as_string(
            hide_password=False)
        with engine_for_url(login_url).connect() as conn, conn.begin():
            _timed(out, "replica_fetch", _answer_alone, conn, Path(folder))
        laptop = Caseload.create(Path(folder) / "new-laptop.db", PASSPHRASE)
        with laptop.transaction() as s:
            teamkey.install(s.connection(), key)
        _timed(out, "replica", sync_with_hub, laptop, login_url)
        with laptop.reading() as s:
            out["replica_people"] = s.scalar(select(func.count()).select_from(models.Person))
        service.export_pack(laptop, Path(folder) / "first.lwpack")  # what it received
        _a_days_work(laptop, 200, "monday")
        day = Path(folder) / "day.lwpack"
        info = _timed(out, "export", service.export_pack, laptop, day)
        applied = _timed(out, "apply", service.import_pack, server, day)
        out["day_changes"], out["day_applied"] = info.changes, applied.applied
        week = _a_week_of_ten_laptops(laptop, Path(folder))
        reports = _timed(out, "week", lambda: [service.import_pack(server, p) for p in week])
        out["week_applied"] = sum(r.applied for r in reports)
        laptop.close()
        server.close()
    out["load_after"] = os.getloadavg()[0]
    return out


def _answer_alone(hub_conn: Any, folder: Path) -> None:
    """The hub's answer read and staged on a throwaway laptop (``replica.stage``, in its scratch
    file), then rolled back: the copy's first half."""
    from linkworker.storage.database import Caseload
    from linkworker.sync import replica

    laptop = Caseload.create(folder / "answer-alone.db", PASSPHRASE)
    try:
        with replica.scratch(laptop.engine, laptop.path) as conn, conn.begin() as transaction:
            for statement in replica._STAGE:
                conn.exec_driver_sql(statement)
            replica.stage(conn, hub_conn)
            transaction.rollback()
    finally:
        laptop.close()


def _timed(out: dict[str, Any], name: str, func: Any, *args: Any) -> Any:
    """Run ``func``; its wall time and this process's CPU time go into ``out`` (on a shared
    machine the CPU time is the steadier figure; the hub's own work is not in it)."""
    cpu = time.process_time()
    result, out[f"{name}_s"] = timed(func, *args)
    out[f"{name}_cpu"] = time.process_time() - cpu
    return result


def _give_caseload(caseload: Any, size: int) -> str:
    """A link worker holding exactly ``size`` people (every journey of theirs), made through
    the ORM as a manager would reassign them; returns the worker's id."""
    from sqlalchemy import select

    from linkworker import models

    with caseload.transaction() as s:
        worker = models.User(username="bench-worker", display_name="Bench Worker",
                             role="link_worker")
        s.add(worker)
        s.flush()
        people = s.scalars(select(models.Person.id).order_by(models.Person.reference)
                           .limit(size)).all()
        for episode in s.scalars(select(models.Episode)
                                 .where(models.Episode.person_id.in_(people))):
            episode.worker_id = worker.id
        return worker.id


def measure(bench: Bench) -> list[Row]:
    url = os.environ.get(PG_ENV)
    if not url:
        rows = _pack_rows(in_child("bench.sync:run", str(bench.path)), bench.people)
        return [*rows, Row("Sync at the hub", "n/a",
                           note=f"set {PG_ENV} to an empty PostgreSQL the bench may fill")]
    result = in_child("bench.sync:hub", str(bench.path), url, timeout=4 * 3600)
    if "error" in result:
        return [Row("Sync at the hub", "n/a", note=result["error"])]
    return _hub_rows(result)


def _hub_rows(result: dict[str, Any]) -> list[Row]:
    load = (f"load average {result['load_before']:.1f} -> {result['load_after']:.1f} "
            f"on {os.cpu_count()} cores")
    size = f"{result['hub_people']:,}-person hub"

    def took(name: str, unit: str = "s") -> str:
        wall, cpu = result[f"{name}_s"], result[f"{name}_cpu"]
        if unit == "ms":
            return f"{wall * 1000:,.0f} ms (CPU {cpu * 1000:,.0f})"
        return f"{wall:,.1f} s (CPU {cpu:,.1f})"

    return [
        Row("Hub init (adopts the caseload; COPY to PostgreSQL)", took("hub_init"),
            target="minutes",
            note=f"{result['baseline_changes']:,} records adopted, "
                 f"{result['laptop_log']:,} change rows on the laptop after; "
                 f"{result['hub_people']:,} people, {result['hub_changes']:,} changes, "
                 f"{result['hub_bytes'] / 1e9:.1f} GB at the hub; {load}"),
        Row(f"Initial replica of a {CASELOAD}-person caseload", took("replica"),
            target="< 10 s", note=f"{result['replica_people']:,} people from a {size}; "
            f"the hub's answer read and staged {result['replica_fetch_s']:.1f} s"),
        Row("Day's pack (200 changes) exported", took("export", "ms")),
        Row("Day's pack (200 changes) applied at the hub", took("apply", "ms"),
            target="< 1 s", note=f"{result['day_applied']} applied at a {size}"),
        Row("Week of 10 laptops (2,000 changes) merged at the hub", took("week"),
            note=f"{result['week_applied']:,} applied"),
    ]


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
