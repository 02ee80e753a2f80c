"""A laptop's first sync at a big caseload, for its memory (issue 15: under 400 MB at 150,000
people): the hub is made from a copy of the caseload (``hub init``, in one child), then a new
laptop signs in as a demo user and makes its first replica (``sync_with_hub``: the bulk copy)
in a fresh child of its own, whose peak resident memory (``VmHWM``) is the figure.

    LINKWORKER_BENCH_PG_URL=... python -m bench --db COPY --people N --only memory \
        --pages first-sync

The users: ``coordinator`` (the people given to them and their venue's register),
``worker1`` (a link worker: their own caseload) and ``manager`` (every person: the largest
replica a laptop makes). The hub is left in the
database named by the URL (it must be empty before the first run; a second run reuses it).
"""

from __future__ import annotations

import gc
import os
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench.common import PASSPHRASE

PG_ENV = "LINKWORKER_BENCH_PG_URL"
USERS = ("coordinator", "worker1", "manager")
KEY_FILE = Path(__file__).parent / ".cache" / "first-sync-team-key.hex"  # the hub's, kept


CAP_GB = float(os.environ.get("BENCH_SYNC_CAP_GB", "4"))  # the machine is shared


def _cap_memory() -> None:
    """A first sync that would hold more than ``CAP_GB`` of address space stops with a
    MemoryError (reported as over the cap) instead of pushing a shared machine into swap or
    the OOM killer."""
    import resource

    cap = int(CAP_GB * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def vm_hwm_mb() -> float:
    """This process's peak resident memory so far (``VmHWM``), in MB."""
    with open("/proc/self/status") as status:
        line = next(x for x in status if x.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def make_hub(path: str, url: str) -> dict[str, Any]:
    """Runs in a child: ``hub init`` from a copy of the caseload (never the caseload itself),
    unless the hub already holds one; a login for each of ``USERS``; returns the team key and
    the logins' URLs."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from linkworker.hub import schema
    from linkworker.hub.create import create_hub
    from linkworker.storage.database import Caseload
    from linkworker.storage.server import ServerCaseload
    from linkworker.sync import teamkey

    out: dict[str, Any] = {"made": False}
    server = ServerCaseload.connect(url)
    with server.reading() as s:
        held = s.scalar(text("SELECT to_regclass('people') IS NOT NULL")) and \
            s.scalar(text("SELECT count(*) FROM people")) > 0
    if not held:
        KEY_FILE.parent.mkdir(exist_ok=True)
        with tempfile.TemporaryDirectory(dir=Path(path).parent) as folder:
            office = Path(folder) / "office.db"
            for suffix in ("", ".key"):
                subprocess.run(["cp", f"{path}{suffix}", f"{office}{suffix}"], check=True)
            began = time.perf_counter()
            with Caseload.open(office, PASSPHRASE) as caseload:
                create_hub(caseload, url)
                with caseload.engine.connect() as conn:
                    KEY_FILE.write_text(teamkey.require(conn).secret.hex())
            out["made"], out["hub_init_s"] = True, round(time.perf_counter() - began, 1)
    with server.reading() as s:
        users = dict(s.execute(text("SELECT username, id FROM users WHERE username = ANY(:u)"),
                               {"u": list(USERS)}).all())
    logins = {}
    for username, user_id in users.items():
        login = f"bench_{username}_{uuid.uuid4().hex[:6]}"
        with server.transaction() as s:
            schema.add_login(s.connection(), login, "bench", user_id)
        logins[username] = make_url(url).set(username=login, password="bench") \
            .render_as_string(hide_password=False)
    out["logins"] = logins
    server.close()
    out["hwm_mb"] = round(vm_hwm_mb())
    return out


def first_sync(login_url: str, folder: str) -> dict[str, Any]:
    """Runs in a fresh child: a new laptop (an empty caseload in ``folder``) with the team
    key, its first sync as the login's user; the process's peak memory is the figure."""
    from sqlalchemy import func, select

    from linkworker import models
    from linkworker.storage.database import Caseload
    from linkworker.sync import teamkey
    from linkworker.sync.online import sync_with_hub

    _cap_memory()
    before = vm_hwm_mb()
    path = Path(folder) / f"laptop-{uuid.uuid4().hex[:6]}.db"
    laptop = Caseload.create(path, PASSPHRASE)
    try:
        with laptop.transaction() as s:
            teamkey.install(s.connection(), teamkey.TeamKey(bytes.fromhex(KEY_FILE.read_text())))
        opened = vm_hwm_mb()
        began, cpu = time.perf_counter(), time.process_time()
        over = False
        try:
            sync_with_hub(laptop, login_url)
        except MemoryError:
            over = True  # handled outside the except: its traceback holds the snapshot
        if over:
            gc.collect()
            return {"hwm_mb": round(vm_hwm_mb()), "over_cap_gb": CAP_GB,
                    "load": round(os.getloadavg()[0], 1)}
        seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
        with laptop.reading() as s:
            people = s.scalar(select(func.count()).select_from(models.Person))
            contacts = s.scalar(select(func.count()).select_from(models.Contact))
    finally:
        laptop.close()
        for leftover in Path(folder).glob(f"{path.name}*"):
            leftover.unlink()
    return {"hwm_mb": round(vm_hwm_mb()), "before_mb": round(before),
            "opened_mb": round(opened), "s": round(seconds, 1), "cpu": round(cpu, 1),
            "people": people, "contacts": contacts, "load": round(os.getloadavg()[0], 1)}
