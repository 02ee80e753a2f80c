"""``linkworker info``: where the data lives, schema version, encryption and counts."""

from __future__ import annotations

import argparse

from linkworker.cli import no_sign_in
from linkworker.storage.inspect import describe


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("info", help="show where the caseload lives and what it holds")
    parser.set_defaults(func=run)


@no_sign_in  # file facts and counts only, never a person's data
def run(args: argparse.Namespace, open_caseload) -> int:
    with open_caseload() as caseload:
        for label, value in describe(caseload):
            print(f"{label:<22} {value}")
    return 0
