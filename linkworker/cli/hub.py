"""The PostgreSQL hub from the command line.

    linkworker hub init --url postgresql://...   make the hub from this laptop's caseload
    linkworker sync [--hub URL]                   online: push this laptop's changes, pull its scope
"""

from __future__ import annotations

import argparse

from linkworker.errors import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("hub", help="the charity's PostgreSQL hub")
    sub = parser.add_subparsers(dest="hub_command", metavar="ACTION", required=True)
    p = sub.add_parser("init", help="create the hub from this caseload (nothing is lost)")
    p.add_argument("--url", required=True, help="postgresql://user@host/database")
    p.set_defaults(func=run_init)


def run_init(args: argparse.Namespace, open_caseload) -> int:
    raise UserError("The hub is not available in this build yet.")


def run_sync(args: argparse.Namespace, open_caseload) -> int:
    raise UserError("No hub is set for this caseload: use sync packs ('linkworker sync export').")
