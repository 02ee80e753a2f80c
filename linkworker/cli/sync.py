"""Team sync from the command line: packs for venues with no Wi-Fi, the team key, status.

    linkworker sync export PACK [--all]     this laptop's changes since its last pack
    linkworker sync import PACK             apply a pack (all of it or none of it)
    linkworker sync status                  last synced, changes waiting, conflicts
    linkworker sync conflicts               the edits waiting for a person to choose
    linkworker sync repair [--dry-run]      log edits that were saved but never logged
    linkworker sync merges                  every merge of two people: id, when, who, undone?
    linkworker sync                         online: push and pull with the hub (see cli/hub.py)
    linkworker team-key create|export FILE|import FILE [--replace]
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from linkworker import audit
from linkworker.access import people_scope, require
from linkworker.cli import signed_in
from linkworker.errors import UserError
from linkworker.sync import conflicts, merge, people, service, teamkey

TEAM_KEY_PASSPHRASE_ENV = "LINKWORKER_TEAM_KEY_PASSPHRASE"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("sync", help="sync with the team: online, or by sync packs")
    parser.add_argument("--hub", metavar="URL", help="the hub's postgresql:// address")
    parser.set_defaults(func=run_online)
    sub = parser.add_subparsers(dest="sync_command", metavar="ACTION")
    p = sub.add_parser("export", help="write this laptop's changes since its last pack")
    p.add_argument("pack", type=Path)
    p.add_argument("--all", action="store_true", help="every change held, not just new ones")
    p.set_defaults(func=run_export)
    p = sub.add_parser("import", help="apply a sync pack from the hub or another laptop")
    p.add_argument("pack", type=Path)
    p.set_defaults(func=run_import)
    sub.add_parser("status", help="last synced, changes waiting, conflicts").set_defaults(
        func=run_status)
    sub.add_parser("conflicts", help="list edits waiting for a person to choose").set_defaults(
        func=run_conflicts)
    sub.add_parser("duplicates", help="people who are probably the same person"
                   ).set_defaults(func=run_duplicates)
    p = sub.add_parser("merge-people", help="merge OTHER into KEEP (references), undoably")
    p.add_argument("keep")
    p.add_argument("other")
    p.set_defaults(func=run_merge_people)
    p = sub.add_parser("undo-merge", help="undo a merge of two people")
    p.add_argument("merge_id")
    p.set_defaults(func=run_undo_merge)
    sub.add_parser("merges", help="list merges of two people (the ids undo-merge takes)"
                   ).set_defaults(func=run_merges)
    p = sub.add_parser("repair", help="log edits that were saved but never entered the "
                       "change log, so the next sync sends them")
    p.add_argument("--dry-run", action="store_true", help="only count them, per table")
    p.set_defaults(func=run_repair)
    _register_team_key(subparsers)


def _register_team_key(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("team-key", help="the team key that encrypts sync packs")
    sub = parser.add_subparsers(dest="team_key_command", metavar="ACTION", required=True)
    sub.add_parser("create", help="make this caseload's team key (once, on the hub)"
                   ).set_defaults(func=run_team_key_create)
    p = sub.add_parser("export", help="write the team key, wrapped by a passphrase, for a laptop")
    p.add_argument("file", type=Path)
    p.set_defaults(func=run_team_key_export)
    p = sub.add_parser("import", help="install the team key from a file made by 'export'")
    p.add_argument("file", type=Path)
    p.add_argument("--replace", action="store_true", help="replace a different team key")
    p.set_defaults(func=run_team_key_import)


def run_online(args: argparse.Namespace, open_caseload) -> int:
    from linkworker.cli.hub import run_sync

    return run_sync(args, open_caseload)


def run_export(args: argparse.Namespace, open_caseload) -> int:
    with open_caseload() as caseload:
        info = service.export_pack(caseload, args.pack, everything=args.all,
                                   actor=signed_in(args))
    print(f"Wrote {info.changes} changes to {info.path}")
    return 0


def run_import(args: argparse.Namespace, open_caseload) -> int:
    with open_caseload() as caseload:
        report = service.import_pack(caseload, args.pack, actor=signed_in(args))
    print(f"Applied {report.applied} changes ({report.new} new of {report.received} in the "
          f"pack; {report.received - report.new} already here).")
    if report.waiting:
        print(f"{report.waiting} changes wait for an earlier pack.")
    if report.conflicts:
        print(f"{len(report.conflicts)} edits need a person to choose: "
              "see 'linkworker sync conflicts'.")
    _print_duplicates(_visible(caseload, args, report.duplicates))
    for username in report.clashes:
        print(merge.clash_advice(username))
    return 0


def _print_duplicates(found) -> None:
    for pair in found:
        print(f"Probably the same person ({pair.reason}): {pair.first_label} and "
              f"{pair.second_label}. Merge with 'linkworker sync merge-people'.")


def run_duplicates(args: argparse.Namespace, open_caseload) -> int:
    with open_caseload() as caseload:
        found = _visible(caseload, args, people.all_duplicates(caseload))
    _print_duplicates(found)
    if not found:
        print("No probable duplicates.")
    return 0


def _visible(caseload, args: argparse.Namespace, found: list) -> list:
    """Only the pairs whose two people the signed-in user may see (names, dates of birth)."""
    from sqlalchemy import select

    from linkworker.models import Person

    ids = sorted({p for pair in found for p in (pair.first_id, pair.second_id)})
    with caseload.reading() as s:
        seen = set(s.scalars(select(Person.id).where(Person.id.in_(ids),
                                                     people_scope(signed_in(args), "view"))))
    return [pair for pair in found if {pair.first_id, pair.second_id} <= seen]


def _person_id(caseload, reference: str) -> str:
    from sqlalchemy import select

    from linkworker.models import Person

    with caseload.reading() as s:
        found = s.scalar(select(Person.id).where(Person.reference == reference))
    if found is None:
        raise UserError(f"There is no person with the reference {reference}.")
    return found


def run_merge_people(args: argparse.Namespace, open_caseload) -> int:
    with open_caseload() as caseload:
        merge_id = people.merge_people(caseload, signed_in(args),
                                       _person_id(caseload, args.keep),
                                       _person_id(caseload, args.other))
    print(f"Merged {args.other} into {args.keep}. To undo: linkworker sync undo-merge {merge_id}")
    return 0


def run_undo_merge(args: argparse.Namespace, open_caseload) -> int:
    with open_caseload() as caseload:
        people.undo_merge(caseload, signed_in(args), args.merge_id)
    print("The merge was undone; both records are as they were.")
    return 0


def run_merges(args: argparse.Namespace, open_caseload) -> int:
    with open_caseload() as caseload:
        found = people.list_merges(caseload, signed_in(args))
    print_merges(found, "linkworker sync undo-merge ID")
    return 0


def print_merges(found: list, undo: str) -> None:
    """One line per merge (references only: the list may be pasted into an email)."""
    if not found:
        print("No merges of two people recorded here (that you may see).")
        return
    print(f"{'Merge id':36}  {'When':16}  {'By':12}  {'Kept':12}  {'Merged':12}  Undone")
    for m in found:
        print(f"{m.merge_id:36}  {m.when_text:16}  {m.by:12}  {m.kept:12}  {m.merged:12}  "
              f"{m.undone_text}")
    print(f"To undo one that is not undone: {undo}")


def run_repair(args: argparse.Namespace, open_caseload) -> int:
    from linkworker.sync import repair

    with open_caseload() as caseload:
        report = repair.repair(caseload, signed_in(args), dry_run=args.dry_run)
    for table, count in sorted(report.records.items()):
        print(f"{table.replace('_', ' ')}: {count} records differ from the change log")
    if report.never_logged:
        print(f"{report.never_logged} records were never logged at all (the first sync or pack "
              "logs them)")
    if not report.total:
        print("Nothing to repair: every record matches its change log.")
    elif args.dry_run:
        print("Nothing was changed (a dry run); 'linkworker sync repair' records them.")
    else:
        print(f"Recorded {report.changes} changes; the next sync or pack sends them.")
    return 0


def run_status(args: argparse.Namespace, open_caseload) -> int:
    with open_caseload() as caseload:
        status = service.status(caseload)
    print(status.summary)
    if not status.has_team_key:
        print("No team key yet: packs cannot be made or read (see 'linkworker team-key').")
    return 0


def run_conflicts(args: argparse.Namespace, open_caseload) -> int:
    with open_caseload() as caseload:
        found = conflicts.open_conflicts(caseload, signed_in(args))
    if not found:
        print("No edits waiting for review.")
    for conflict in found:
        print(f"{conflict.record_label}: {conflict.field_label}")
        for option in conflict.options:
            print(f"    {option.value!r:40} by {option.who} at {option.when_text}")
    return 0


def _passphrase(prompt: str) -> str:
    value = os.environ.get(TEAM_KEY_PASSPHRASE_ENV)
    if value:
        return value
    if not sys.stdin.isatty():
        raise UserError(f"Give the team key file's passphrase (or set {TEAM_KEY_PASSPHRASE_ENV}).")
    return getpass.getpass(prompt)


def _team_key_audit(session, args: argparse.Namespace, action: str, **details) -> None:
    """Admins only (the team key opens every pack of the team), audited by name; checked
    before any passphrase is asked or any file read."""
    actor = signed_in(args)
    require(actor, "sync.team_key")
    audit.record(session, actor, action, details=details or None)


def run_team_key_create(args: argparse.Namespace, open_caseload) -> int:
    with open_caseload() as caseload, caseload.transaction() as session:
        _team_key_audit(session, args, "team_key.create")
        key = teamkey.create(session.connection())
    print(f"Made the team key {key.key_id}. Give it to each laptop with 'team-key export'.")
    return 0


def run_team_key_export(args: argparse.Namespace, open_caseload) -> int:
    with open_caseload() as caseload, caseload.transaction() as session:
        _team_key_audit(session, args, "team_key.export", file=str(args.file))
        key = teamkey.require(session.connection())
        teamkey.export_to(args.file, key,
                          _passphrase("Passphrase to protect the team key file: "))
    print(f"Wrote the team key {key.key_id} to {args.file}; give its passphrase separately.")
    return 0


def run_team_key_import(args: argparse.Namespace, open_caseload) -> int:
    with open_caseload() as caseload, caseload.transaction() as session:
        _team_key_audit(session, args, "team_key.import", file=str(args.file),
                        replace=args.replace)
        key = teamkey.import_from(args.file, _passphrase("Passphrase of the team key file: "))
        teamkey.install(session.connection(), key, replace=args.replace)
    print(f"Installed the team key {key.key_id}.")
    return 0
