"""``linkworker demo``: create a synthetic demo caseload to try, train on, or measure against.

``linkworker --db PATH demo --people 2000 [--seed 1]`` creates PATH if it does not exist
(passphrase from LINKWORKER_PASSPHRASE or a prompt). It refuses a caseload that holds real
people, and a demo caseload that already holds people unless ``--force-add`` is given.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from linkworker.errors import UserError
from linkworker.validation import parse_date


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="create a synthetic demo caseload (made-up people; staff password 'demo')",
        description="Fill a new caseload with made-up people, staff and a directory. "
        "Every account's password is 'demo'. Never mixes demo people into a real caseload.",
    )
    parser.add_argument("--people", type=int, default=2000, help="how many people (default 2000)")
    parser.add_argument("--seed", type=int, default=1, help="same seed, same caseload (default 1)")
    parser.add_argument(
        "--today", metavar="DD/MM/YYYY", default=None,
        help="the day the demo treats as today (default: the real today)",
    )
    parser.add_argument(
        "--force-add", action="store_true",
        help="add more people to a caseload that is already a demo",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress line")
    parser.set_defaults(func=run)


def _progress_line(quiet: bool):  # a progress callback
    started = time.monotonic()

    def report(done: int, total: int, text: str) -> None:
        if quiet:
            return
        end = "\n" if done >= total and text.endswith("ready") else ""
        elapsed = time.monotonic() - started
        print(f"\r{text}: {done:,}/{total:,} ({elapsed:.0f}s)   ", end=end, file=sys.stderr,
              flush=True)

    return report


def run(args: argparse.Namespace, open_caseload) -> int:
    from linkworker.demo import DEMO_PASSWORD, MAX_PEOPLE, generate, worker_count
    from linkworker.paths import default_caseload

    if not 1 <= args.people <= MAX_PEOPLE:
        raise UserError(f"--people must be between 1 and {MAX_PEOPLE:,}; got {args.people:,}.")
    today = parse_date(args.today, allow_serial=False) if args.today else dt.date.today()
    path = (args.db or default_caseload()).expanduser()
    created = not path.exists()
    started = time.monotonic()
    caseload = open_caseload(create=True)
    try:
        summary = generate(
            caseload, people=args.people, seed=args.seed, today=today,
            progress=_progress_line(args.quiet), add=args.force_add,
        )
    except BaseException:
        caseload.close()
        if created:  # a file this command made and could not fill is not left behind
            _remove_new_caseload(caseload.path)
        raise
    caseload.close()
    rows = summary.rows
    print(
        f"Demo caseload at {caseload.path}: {summary.people:,} people, "
        f"{rows['episodes']:,} journeys, {rows['contacts']:,} contacts, "
        f"{rows['measures']:,} wellbeing forms, {rows['goals']:,} goals "
        f"({time.monotonic() - started:.1f}s, seed {summary.seed})."
    )
    if rows["users"]:
        print(
            f"Sign in as admin, manager, coordinator or worker1..worker"
            f"{worker_count(args.people)}; every password is '{DEMO_PASSWORD}'."
        )
    return 0


def _remove_new_caseload(path: Path) -> None:
    from linkworker.storage import keys

    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), keys.key_file_path(path)):
        leftover.unlink(missing_ok=True)
