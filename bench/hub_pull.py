"""The hub's pull (``linkworker_pull``) on a synthetic hub: main's function, the previous one
and this tree's, on the same database at the same load.

    bash .ci/postgres.sh .venv/bin/python -m bench.hub_pull      # BENCH_PULL_PEOPLE=150000

A small caseload is made into a hub, then grown by SQL to ``BENCH_PULL_PEOPLE`` people with
``BENCH_PULL_HISTORY`` changes each and ``BENCH_PULL_NEW`` new changes since the laptops' last
pull (``after``). Each case is run as the hub user's login, as a laptop calls it; the rows
must be the same for every version (a digest is compared), the time is the statement's wall
time and its server process's CPU, the plans go to ``bench/.cache/hub_pull_plans.txt``
(auto_explain, ANALYZE and BUFFERS). The floor: reading the new changes alone by sequence.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy
from sqlalchemy import text
from sqlalchemy.engine import make_url

PEOPLE = int(os.environ.get("BENCH_PULL_PEOPLE", "150000"))
HISTORY = int(os.environ.get("BENCH_PULL_HISTORY", "2"))
NEW = int(os.environ.get("BENCH_PULL_NEW", "300"))
TIMEOUT_S = int(os.environ.get("BENCH_PULL_TIMEOUT", "120"))
WORKER_PEOPLE = 300
PLANS = Path(__file__).parent / ".cache" / "hub_pull_plans.txt"


def _pull_statement(path: Path) -> str:
    spec = importlib.util.spec_from_file_location(f"schema_{uuid.uuid4().hex}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return next(s for s in module.STATEMENTS if "FUNCTION linkworker_pull(" in s)


def versions() -> dict[str, str]:
    """main's function, the previous commit's (a032f2d) and this tree's."""
    here = Path(__file__).resolve().parent.parent
    previous = subprocess.run(["git", "show", "a032f2d:linkworker/hub/schema.py"], cwd=here,
                              capture_output=True, text=True, check=True).stdout
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(previous)
    return {"main": _pull_statement(Path("/work/main/linkworker/hub/schema.py")),
            "a032f2d": _pull_statement(Path(f.name)),
            "this": _pull_statement(here / "linkworker" / "hub" / "schema.py")}


def build(url: str) -> dict[str, object]:
    """The hub: a real one from a small caseload, grown by SQL."""
    import datetime as dt

    from linkworker import models
    from linkworker.hub import schema
    from linkworker.hub.create import create_hub
    from linkworker.storage.database import Caseload

    folder = Path(tempfile.mkdtemp())
    caseload = Caseload.create(folder / "office.db", "bench-pull-passphrase")
    with caseload.transaction() as s:
        users = {name: models.User(username=name, display_name=name, role=role)
                 for name, role in (("sam", "link_worker"), ("meg", "manager"))}
        s.add_all(users.values())
        s.flush()
        person = models.Person(reference="LW-0", given_name="Ruth", family_name="Smith",
                               date_of_birth=dt.date(1960, 5, 1))
        s.add(person)
        s.flush()
        s.add(models.Episode(person_id=person.id, referral_date=dt.date(2026, 11, 2),
                             worker_id=users["sam"].id))
        ids = {name: u.id for name, u in users.items()}
    create_hub(caseload, url)
    caseload.close()
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as conn:
        # the people's search indexes only slow the synthetic rows down: the pull reads ids
        for (index,) in conn.execute(text(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'people' "
                "AND indexname LIKE 'ix_%'")):
            conn.exec_driver_sql(f'DROP INDEX "{index}"')
        grow = f"""
        INSERT INTO people SELECT (jsonb_populate_record(NULL::people, to_jsonb(p)
            || jsonb_build_object('id', 'p-' || i, 'reference', 'LW-' || i))).*
        FROM people p, generate_series(1, {PEOPLE - 1}) i;
        INSERT INTO episodes SELECT (jsonb_populate_record(NULL::episodes, to_jsonb(e)
            || jsonb_build_object('id', 'e-' || i, 'person_id', 'p-' || i))).*
        FROM episodes e, generate_series(1, {WORKER_PEOPLE - 1}) i;
        INSERT INTO sync_changes (change_id, device_id, user_id, table_name, row_id,
                                  person_id, op, data, bases, applied)
        SELECT 'h-' || i || '-' || k, 'bench', NULL, 'people', 'p-' || i, 'p-' || i,
               'update', '{{"given_name": "A"}}', '{{}}', true
        FROM generate_series(1, {PEOPLE - 1}) i, generate_series(1, {HISTORY}) k
        ORDER BY k, i;
        INSERT INTO sync_changes (change_id, device_id, user_id, table_name, row_id,
                                  person_id, op, data, bases, applied)
        SELECT 'n-' || i, 'bench', NULL, 'people', 'p-' || j, 'p-' || j, 'update',
               '{{"given_name": "B"}}', '{{}}', true
        FROM generate_series(1, {NEW}) i, LATERAL (SELECT mod(i * 7919, {PEOPLE - 1}) + 1 AS j) x;
        """
        conn.exec_driver_sql(grow)
        conn.exec_driver_sql("ANALYZE")
        top = conn.execute(text("SELECT max(seq) FROM sync_changes")).scalar_one()
        logins = {}
        for name in ("sam", "meg"):
            logins[name] = f"bench_{name}"
            schema.add_login(conn, logins[name], "unused", ids[name])
        everyone = [p for (p,) in conn.execute(text("SELECT id FROM people"))]
        theirs = [p for (p,) in conn.execute(text(
            "SELECT person_id FROM episodes WHERE worker_id = :w"), {"w": ids["sam"]})]
    engine.dispose()
    return {"after": top - NEW, "everyone": everyone, "theirs": theirs, "logins": logins,
            "changes": top}


def cases(hub: dict) -> list[tuple[str, str, int, list[str]]]:
    after, everyone = hub["after"], hub["everyone"]
    return [
        ("manager daily: all known", "meg", after, everyone),
        ("manager daily: 1,000 people new", "meg", after, everyone[1000:]),
        ("worker daily", "sam", after, hub["theirs"]),
        ("worker first replica", "sam", 0, []),
        ("manager first replica", "meg", 0, []),
    ]


def _cpu_ms(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def run_case(engine, login: str, after: int, known: list[str], plans: list[str]):
    """(rows, digest, wall ms, server CPU ms) or None on a timeout."""
    with engine.connect() as conn:
        conn.connection.driver_connection.add_notice_handler(
            lambda n: plans.append(n.message_primary or ""))
        for setting in ("LOAD 'auto_explain'", "SET auto_explain.log_min_duration = 0",
                        "SET auto_explain.log_nested_statements = on",
                        "SET auto_explain.log_analyze = on", "SET auto_explain.log_buffers = on",
                        "SET auto_explain.log_timing = off",
                        f"SET statement_timeout = '{TIMEOUT_S}s'",
                        f"SET SESSION AUTHORIZATION {login}", "SET client_min_messages = log"):
            conn.exec_driver_sql(setting)
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        cpu, wall = _cpu_ms(pid), time.perf_counter()
        try:
            rows = conn.execute(text("SELECT * FROM linkworker_pull(:a, :k)"),
                                {"a": after, "k": known}).all()
        except sqlalchemy.exc.OperationalError:
            return None
        wall, cpu = (time.perf_counter() - wall) * 1000, _cpu_ms(pid) - cpu
    digest = hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()[:12]
    return len(rows), digest, wall, cpu


def floor_ms(engine, after: int) -> float:
    with engine.connect() as conn:
        started = time.perf_counter()
        conn.execute(text("SELECT * FROM sync_changes WHERE seq > :a ORDER BY seq"),
                     {"a": after}).all()
        return (time.perf_counter() - started) * 1000


def main() -> int:
    server = os.environ["LINKWORKER_TEST_PG_URL"]
    name = f"lw_bench_pull_{uuid.uuid4().hex[:8]}"
    admin = sqlalchemy.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        started = time.perf_counter()
        hub = build(url)
        print(f"hub: {len(hub['everyone']):,} people, {hub['changes']:,} changes, "
              f"{NEW} since the last pull (built in {time.perf_counter() - started:.0f} s); "
              f"load {os.getloadavg()[0]:.1f}", flush=True)
        engine = sqlalchemy.create_engine(url)
        functions = versions()
        print(f"floor (the {NEW} new changes by sequence): {floor_ms(engine, hub['after']):.0f} ms")
        print(f"{'case':34} {'version':8} {'rows':>8} {'digest':12} {'wall ms':>9} {'CPU ms':>8}")
        PLANS.parent.mkdir(exist_ok=True)
        with PLANS.open("w") as out:
            for case, who, after, known in cases(hub):
                for version, statement in functions.items():
                    with engine.begin() as conn:
                        conn.exec_driver_sql(statement)
                    plans: list[str] = []
                    got = run_case(engine, hub["logins"][who], after, known, plans)
                    out.write(f"== {case} / {version}\n" + "\n".join(
                        p for p in plans if "sync_changes" in p) + "\n")
                    shown = ("-", "-", f">{TIMEOUT_S * 1000}", "-") if got is None else \
                        (f"{got[0]:,}", got[1], f"{got[2]:.0f}", f"{got[3]:.0f}")
                    print(f"{case:34} {version:8} {shown[0]:>8} {shown[1]:12} {shown[2]:>9} "
                          f"{shown[3]:>8}  load {os.getloadavg()[0]:.1f}", flush=True)
        engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
