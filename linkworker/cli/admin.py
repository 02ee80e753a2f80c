"""The data lead's commands: users, backup and restore, the audit trail, data rights.

Every command signs in as a user (see ``linkworker.cli``) and gets exactly that role's rights:
the passphrase opens the file, the account decides what may be done, and the audit trail names
the account.

    linkworker user add|list|reset|deactivate|reactivate|unlock ...
    linkworker backup PATH            linkworker restore PATH [--yes]
    linkworker audit verify           linkworker audit export PATH [filters]
    linkworker sar REFERENCE --out DIR
    linkworker erase REFERENCE --reason TEXT [--yes]
    linkworker retention [--apply] [--as-of DATE]
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
from pathlib import Path

from sqlalchemy import or_, select

from linkworker import accounts, audit, backup, rights
from linkworker.access import Actor, require
from linkworker.cli import signed_in
from linkworker.errors import NotFound, UserError
from linkworker.models import Person, User
from linkworker.paths import default_caseload
from linkworker.storage import keys
from linkworker.storage.database import CaseloadDamaged, CaseloadNotFound
from linkworker.validation import format_date, parse_date


def register(subparsers: argparse._SubParsersAction) -> None:
    _register_user(subparsers)
    p = subparsers.add_parser("backup", help="write a verified, encrypted backup to PATH")
    p.add_argument("path", type=Path)
    p.set_defaults(func=run_backup)
    p = subparsers.add_parser("restore", help="replace the caseload by a checked backup")
    p.add_argument("path", type=Path, nargs="?", help="backup file (default: latest good one)")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(func=run_restore)
    p = subparsers.add_parser("audit", help="verify or export the audit trail")
    audit_sub = p.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = audit_sub.add_parser("verify", help="check the hash chain")
    verify.set_defaults(func=run_audit_verify)
    export = audit_sub.add_parser("export", help="write the (filtered) trail as CSV")
    export.add_argument("path", type=Path)
    export.add_argument("--user", help="only this username")
    export.add_argument("--action", help="only this action (e.g. view_person)")
    export.add_argument("--person", metavar="REFERENCE", help="only events about this person")
    export.add_argument("--since", help="from this date (dd/mm/yyyy)")
    export.add_argument("--until", help="to this date, inclusive")
    export.set_defaults(func=run_audit_export)
    p = subparsers.add_parser("sar", help="subject access: write a person's whole record")
    p.add_argument("person", metavar="REFERENCE")
    p.add_argument("--out", type=Path, required=True, metavar="DIR")
    p.set_defaults(func=run_sar)
    p = subparsers.add_parser("erase", help="anonymise a person (right to erasure)")
    p.add_argument("person", metavar="REFERENCE")
    p.add_argument("--reason", required=True)
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(func=run_erase)
    p = subparsers.add_parser("retention", help="list (or --apply) people past retention")
    p.add_argument("--apply", action="store_true", help="anonymise them (asks to confirm)")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.add_argument("--as-of", help="the day to count from (default today)")
    p.set_defaults(func=run_retention)


def _register_user(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("user", help="add, list, reset or deactivate user accounts")
    sub = p.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="add an account")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="the person's name as colleagues know it")
    add.add_argument("--role", required=True, choices=list(accounts.ROLE_LABELS))
    add.add_argument("--venue", help="coordinators: the venue they run")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.set_defaults(func=run_user_add)
    sub.add_parser("list", help="list accounts").set_defaults(func=run_user_list)
    for name, helptext in (("reset", "set a temporary password"),
                           ("deactivate", "stop an account signing in"),
                           ("reactivate", "let a deactivated account sign in again"),
                           ("unlock", "lift a lock-out after failed sign-ins")):
        cmd = sub.add_parser(name, help=helptext)
        cmd.add_argument("username")
        if name == "reset":
            cmd.add_argument("--password-stdin", action="store_true")
        cmd.set_defaults(func=run_user_change, user_action=name)
    rename = sub.add_parser("rename", help="give an account a new username (it keeps the rest)")
    rename.add_argument("username")
    rename.add_argument("new_username")
    rename.set_defaults(func=run_user_rename)


# --- helpers --------------------------------------------------------------------------------


def _new_password(args: argparse.Namespace) -> str:
    if getattr(args, "password_stdin", False):
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise UserError("Give the password on a terminal, or pipe it with --password-stdin.")
    first = getpass.getpass("New password: ")
    if first != getpass.getpass("Repeat it: "):
        raise UserError("The two passwords differ; nothing was changed.")
    return first


def _confirm(args: argparse.Namespace, question: str) -> None:
    if getattr(args, "yes", False):
        return
    if not sys.stdin.isatty():
        raise UserError(f"{question} Add --yes to confirm when not on a terminal.")
    if input(f"{question} Type yes to go on: ").strip().lower() != "yes":
        raise UserError("Stopped; nothing was changed.")


def _user_id(caseload, username: str) -> str:
    with caseload.reading() as session:
        found = session.execute(
            select(User.id).where(User.username == username.strip().lower())).scalar()
    if found is None:
        raise NotFound(f"There is no account called {username!r}.")
    return found


def _person_id(caseload, reference: str) -> str:
    ref = reference.strip()
    with caseload.reading() as session:
        found = session.execute(select(Person.id).where(
            or_(Person.reference == ref.upper(), Person.id == ref))).scalar()
    if found is None:
        raise NotFound(f"No person with reference {ref!r} in this caseload.")
    return found


def _date(text: str | None):
    return parse_date(text) if text else None


# --- commands -------------------------------------------------------------------------------


def run_user_add(args: argparse.Namespace, open_caseload) -> int:
    password = _new_password(args)
    with open_caseload() as caseload:
        info = accounts.add_user(caseload, signed_in(args), args.username, args.name, args.role,
                                 password, venue=args.venue)
    print(f"Added {info.username} ({info.role_label}); they choose their own password at "
          "first sign-in.")
    return 0


def run_user_list(args: argparse.Namespace, open_caseload) -> int:
    with open_caseload() as caseload:
        users = accounts.list_users(caseload, signed_in(args))
    for u in users:
        state = "active" if u.active else "deactivated"
        if u.locked_until:
            state += ", locked"
        venue = f" at {u.venue}" if u.venue else ""
        print(f"{u.username:<20} {u.role_label:<12} {state:<18} {u.display_name}{venue}")
    return 0


def run_user_change(args: argparse.Namespace, open_caseload) -> int:
    password = _new_password(args) if args.user_action == "reset" else ""
    with open_caseload() as caseload:
        actor = signed_in(args)
        require(actor, "users.manage")  # before looking anyone up: names are not for everyone
        user_id = _user_id(caseload, args.username)
        if args.user_action == "reset":
            accounts.reset_password(caseload, actor, user_id, password)
        elif args.user_action == "deactivate":
            accounts.deactivate(caseload, actor, user_id)
        elif args.user_action == "reactivate":
            accounts.reactivate(caseload, actor, user_id)
        else:
            accounts.unlock_account(caseload, actor, user_id)
    print(f"{args.username}: {args.user_action} done.")
    return 0


def run_user_rename(args: argparse.Namespace, open_caseload) -> int:
    with open_caseload() as caseload:
        actor = signed_in(args)
        require(actor, "users.manage")
        accounts.rename(caseload, actor, _user_id(caseload, args.username), args.new_username)
    print(f"{args.username} is now {accounts.normalise_username(args.new_username)}; "
          "they sign in with the new name.")
    return 0


def run_backup(args: argparse.Namespace, open_caseload) -> int:
    with open_caseload() as caseload:
        check = backup.backup_to(caseload, args.path, signed_in(args))
    print(f"Backed up {check.people} people to {check.path} (and {check.path.name}.key); "
          "the backup was reopened and checked.")
    return 0


def _restoring_admin(args: argparse.Namespace, open_caseload, source: Path) -> Actor:
    """Sign in against the current caseload; if it is missing or damaged, against the backup's
    own accounts (read-only: the backup is not touched). The core then requires an admin."""
    try:
        with open_caseload():
            return signed_in(args)
    except (CaseloadNotFound, CaseloadDamaged):
        return accounts.sign_in_readonly(source, *_credentials_for(source))


def _credentials_for(source: Path) -> tuple[str, str, str | None]:
    from linkworker.cli import credentials

    return (*credentials(f"Sign in to restore {source.name}"), keys.passphrase_from_env())


def run_restore(args: argparse.Namespace, open_caseload) -> int:
    target = (args.db or default_caseload()).expanduser().resolve()
    passphrase = keys.passphrase_from_env()
    source = args.path
    if source is None:
        good = backup.latest_good_backup(target, passphrase)
        if good is None:
            raise UserError(f"No good backup was found beside {target.name}.")
        source = good.path
    else:
        check = backup.check_backup(source, passphrase)
        if not check.ok:
            raise UserError(f"{source} cannot be restored: {check.problems[0]}. "
                            "Nothing was changed.")
    actor = _restoring_admin(args, open_caseload, Path(source))
    require(actor, "backup.restore")
    _confirm(args, f"Replace {target} by the backup {source}? The current file is kept aside.")
    report = backup.restore_from(source, target, passphrase, actor)
    print(f"Restored {report.people} people from {report.restored_from}.")
    if report.set_aside:
        print(f"The caseload as it was is kept at {report.set_aside}.")
    if report.erasures_reapplied:
        print(f"{report.erasures_reapplied} erasures made since that backup were applied again.")
    return 0


def run_audit_verify(args: argparse.Namespace, open_caseload) -> int:
    with open_caseload() as caseload:
        report = audit.verify(caseload, signed_in(args))  # admins; checks the anchored head
    if report.ok:
        print(f"The audit trail is intact ({report.events} events).")
        return 0
    where = f" at event {report.first_bad_seq}" if report.first_bad_seq else ""
    print(f"The audit trail has been tampered with{where}: {report.reason}.", file=sys.stderr)
    return 1


def run_audit_export(args: argparse.Namespace, open_caseload) -> int:
    filters = audit.AuditFilter(username=args.user, action=args.action,
                                person_reference=args.person, since=_date(args.since),
                                until=_date(args.until))
    with open_caseload() as caseload:
        rows = audit.export_events(caseload, signed_in(args), args.path, filters)
    print(f"Wrote {rows} audit events to {args.path}.")
    return 0


def run_sar(args: argparse.Namespace, open_caseload) -> int:
    with open_caseload() as caseload:
        actor = signed_in(args)
        require(actor, "rights.sar")
        files = rights.subject_access(caseload, actor, _person_id(caseload, args.person),
                                      args.out)
    print(f"Wrote the record to {files.folder}: {files.pdf.name} for the person, "
          f"{files.json.name} and {len(files.csvs)} CSV files.")
    return 0


def run_erase(args: argparse.Namespace, open_caseload) -> int:
    with open_caseload() as caseload:
        actor = signed_in(args)
        require(actor, "rights.erase")
        person_id = _person_id(caseload, args.person)
        _confirm(args, f"Erase {args.person}? Their identity and own words cannot be restored "
                       "(not even from an older backup).")
        report = rights.anonymise(caseload, actor, person_id, args.reason)
    print(f"Erased: the record is now the anonymous {report.reference} "
          f"({report.rows_scrubbed} records scrubbed, {report.notes_deleted} notes deleted).")
    return 0


def _as_of(text: str | None) -> dt.date | None:
    """Retention counts back from a day; a future day would erase people too early."""
    day = _date(text)
    if day is not None and day > dt.date.today():
        raise UserError(f"--as-of {format_date(day)} is in the future; retention counts back "
                        "from today or an earlier day.")
    return day


def run_retention(args: argparse.Namespace, open_caseload) -> int:
    as_of = _as_of(args.as_of)
    with open_caseload() as caseload:
        actor = signed_in(args)
        due = rights.retention_due(caseload, actor, as_of)
        if args.apply and due:
            _confirm(args, f"Anonymise {len(due)} people past the retention period? This "
                           "cannot be undone.")
            done = rights.apply_retention(caseload, actor, as_of)
            print(f"Anonymised {len(done)} people past the retention period.")
            return 0
    for candidate in due:
        ended = format_date(candidate.last_activity)
        print(f"{candidate.reference:<14} last journey ended {ended}")
    print(f"{len(due)} people are past the retention period."
          + ("" if args.apply else " Run with --apply to anonymise."))
    return 0
