"""``linkworker init``: create a new, empty, encrypted caseload."""

from __future__ import annotations

import argparse

from linkworker.errors import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("init", help="create a new, empty, encrypted caseload")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, open_caseload) -> int:
    from linkworker.paths import default_caseload

    path = (args.db or default_caseload()).expanduser()
    if path.exists():
        raise UserError(f"{path} already exists; nothing was changed.")
    with open_caseload(create=True) as caseload:
        print(f"Created an encrypted caseload at {caseload.path}")
    return 0
