"""``linkworker info``: where the data lives, schema version, encryption and counts, and
whether every page of the file is as it was written (damage anywhere is reported, exit 2)."""

from __future__ import annotations

import argparse
import sys

from linkworker.cli import no_sign_in
from linkworker.storage.inspect import describe, page_damage


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("info", help="show where the caseload lives and what it holds")
    parser.set_defaults(func=run)


@no_sign_in  # file facts and counts only, never a person's data
def run(args: argparse.Namespace, open_caseload) -> int:
    with open_caseload() as caseload:
        for label, value in describe(caseload):
            print(f"{label:<22} {value}")
        label, value, damaged = page_damage(caseload)
        print(f"{label:<22} {value}")
    if damaged:
        print(f"linkworker: the caseload is damaged (page {damaged[0]}). Restore the latest good "
              "backup ('linkworker restore PATH').", file=sys.stderr)
        return 2
    return 0
