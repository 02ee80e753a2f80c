"""The PostgreSQL hub from the command line.

    linkworker hub init --url postgresql://owner@host/db     the hub from this caseload
    linkworker hub add-user USERNAME --login NAME --url ...  a laptop login for one user
    linkworker hub apply --url ...                           apply what laptops pushed
    linkworker hub undo-merge ID --by USER --url ...         undo a merge of two people there
    linkworker hub merges --by USER --url ...                the merges there that USER may see
    linkworker hub apply --every 60 --url ...                the same, every minute, until stopped
    linkworker hub return --contract CODE --period 2026-Q3 --by MANAGER --url ... [--submit]
                                                             the team's outcome return, there
    linkworker sync [--hub URL]                              online: push, then pull this scope

Passwords never go on the command line: PostgreSQL's own ``PGPASSWORD`` or ``~/.pgpass`` supply
them, and ``LINKWORKER_HUB_LOGIN_PASSWORD`` the new login's password for ``add-user``.
``hub return`` acts for a named LinkWorker user and signs them in at the hub with their own
password (``LINKWORKER_PASSWORD``, or typed on a terminal): it puts money claims in their name.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from linkworker.access import Actor
from linkworker.cli import PASSWORD_ENV
from linkworker.cli.returns import add_return_arguments
from linkworker.errors import UserError
from linkworker.models import User
from linkworker.storage.database import CaseloadError
from linkworker.sync import merge

if TYPE_CHECKING:  # imported when a command runs: psycopg is not needed for --help
    from linkworker.storage.server import ServerCaseload

HUB_URL_ENV = "LINKWORKER_HUB_URL"
LOGIN_PASSWORD_ENV = "LINKWORKER_HUB_LOGIN_PASSWORD"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("hub", help="the charity's PostgreSQL hub")
    sub = parser.add_subparsers(dest="hub_command", metavar="ACTION", required=True)
    p = sub.add_parser("init", help="create the hub from this caseload (nothing is lost)")
    p.add_argument("--url", required=True, help="postgresql://owner@host/database")
    p.set_defaults(func=run_init)
    p = sub.add_parser("add-user", help="give a user's laptop a login to the hub")
    p.add_argument("username")
    p.add_argument("--login", required=True, help="the PostgreSQL login name for that laptop")
    p.add_argument("--url", help=f"the hub, as its owner (default: ${HUB_URL_ENV})")
    p.set_defaults(func=run_add_user)
    p = sub.add_parser("export-pack", help="a sync pack of one user's scope, for their laptop")
    p.add_argument("pack", type=Path)
    p.add_argument("--for", dest="username", required=True, help="the laptop's user")
    p.add_argument("--url", help=f"the hub, as its owner (default: ${HUB_URL_ENV})")
    p.set_defaults(func=run_export_pack)
    p = sub.add_parser("import-pack", help="apply a laptop's sync pack at the hub")
    p.add_argument("pack", type=Path)
    p.add_argument("--from", dest="username", required=True,
                   help="the user whose laptop made the pack (it may change only what they may)")
    p.add_argument("--url", help=f"the hub, as its owner (default: ${HUB_URL_ENV})")
    p.set_defaults(func=run_import_pack)
    p = sub.add_parser("undo-merge", help="undo a merge of two people at the hub")
    p.add_argument("merge_id")
    p.add_argument("--by", dest="username", required=True,
                   help="the hub user undoing it (a manager or link worker who may edit both)")
    p.add_argument("--url", help=f"the hub, as its owner (default: ${HUB_URL_ENV})")
    p.set_defaults(func=run_undo_merge)
    p = sub.add_parser("merges", help="list the merges of two people at the hub")
    p.add_argument("--by", dest="username", required=True,
                   help="the hub user asking (a link worker sees their own caseload's merges)")
    p.add_argument("--url", help=f"the hub, as its owner (default: ${HUB_URL_ENV})")
    p.set_defaults(func=run_merges)
    p = sub.add_parser(
        "return", help="build, export or submit an outcome return at the hub (managers)",
        description="The team's outcome return, built from the hub's data and submitted into "
                    "its claims ledger: the same options as 'linkworker return'.")
    add_return_arguments(p)
    p.add_argument("--by", dest="username", required=True,
                   help="the manager doing it (their LinkWorker password: "
                        f"{PASSWORD_ENV}, or typed)")
    p.add_argument("--url", help=f"the hub, as its owner (default: ${HUB_URL_ENV})")
    p.set_defaults(func=run_return)
    p = sub.add_parser("apply", help="check and apply the changes laptops have pushed")
    p.add_argument("--url", help=f"the hub, as its owner (default: ${HUB_URL_ENV})")
    p.add_argument("--every", type=_seconds, metavar="SECONDS",
                   help="keep running: apply again every SECONDS (10 to 86400) until stopped")
    p.set_defaults(func=run_apply)


def _hub_url(args: argparse.Namespace) -> str:
    url = getattr(args, "url", None) or getattr(args, "hub", None) or os.environ.get(HUB_URL_ENV)
    if not url:
        raise UserError(f"Give the hub's address with --url (or set {HUB_URL_ENV}).")
    return url


def run_init(args: argparse.Namespace, open_caseload) -> int:
    from linkworker import audit
    from linkworker.access import require
    from linkworker.cli import signed_in
    from linkworker.hub.create import create_hub
    from linkworker.storage.server import describe_url

    with open_caseload() as caseload:
        actor = signed_in(args)
        require(actor, "sync.hub_init")  # the whole caseload leaves this laptop
        with caseload.transaction() as session:
            audit.record(session, actor, "hub.init", details={"hub": describe_url(args.url)})
        made = create_hub(caseload, args.url)
    print(f"The hub now holds {made.people:,} people and {made.changes:,} changes. "
          f"Team key {made.key_id}: give it to each laptop with 'linkworker team-key export'.")
    return 0


def _connect(args: argparse.Namespace) -> ServerCaseload:
    """The hub at ``--url`` (or the configured one), opened for one command (use ``with``),
    migrated and with this version's door (functions laptops call) installed."""
    from linkworker.hub import schema
    from linkworker.storage.server import ServerCaseload

    hub = ServerCaseload.connect(_hub_url(args))
    try:
        with hub.transaction() as session:
            schema.refresh(session.connection())
    except BaseException:
        hub.close()
        raise
    return hub


def run_add_user(args: argparse.Namespace, open_caseload) -> int:
    from linkworker.hub import schema

    password = os.environ.get(LOGIN_PASSWORD_ENV)
    if not password:
        raise UserError(f"Set {LOGIN_PASSWORD_ENV} to the new login's password.")
    with _connect(args) as hub, hub.transaction() as session:
        user_id = session.scalar(select(User.id).where(User.username == args.username))
        if user_id is None:
            raise UserError(f"There is no user {args.username!r} at the hub.")
        schema.add_login(session.connection(), args.login, password, user_id)
    print(f"{args.login} can now sync as {args.username}.")
    return 0


def run_export_pack(args: argparse.Namespace, open_caseload) -> int:
    from linkworker.hub.exchange import pack_for_user

    with _connect(args) as hub:
        info = pack_for_user(hub, args.username, args.pack)
    print(f"Wrote {info.changes} changes for {args.username} to {info.path}")
    return 0


def run_import_pack(args: argparse.Namespace, open_caseload) -> int:
    from linkworker.hub.exchange import import_pack_from

    with _connect(args) as hub:
        report = import_pack_from(hub, args.username, args.pack)
    print(f"Applied {report.applied} changes at the hub ({report.new} new of "
          f"{report.received}).")
    return 0


def run_undo_merge(args: argparse.Namespace, open_caseload) -> int:
    """Undo a merge at the hub as a named hub user (audited as them); every laptop holding
    the people gets the undo at its next sync."""
    from linkworker.hub.inbox import actor_named
    from linkworker.sync import people

    with _connect(args) as hub:
        with hub.engine.connect() as conn:
            actor = actor_named(conn, args.username)
        people.undo_merge(hub, actor, args.merge_id)
    print("The merge was undone at the hub; laptops get it at their next sync.")
    return 0


def run_merges(args: argparse.Namespace, open_caseload) -> int:
    """The hub's merges that a named hub user may see (the ids ``hub undo-merge`` takes)."""
    from linkworker.cli.sync import print_merges
    from linkworker.hub.inbox import actor_named
    from linkworker.sync import people

    with _connect(args) as hub:
        with hub.engine.connect() as conn:
            actor = actor_named(conn, args.username)
        found = people.list_merges(hub, actor)
    print_merges(found, f"linkworker hub undo-merge ID --by {args.username} --url ...")
    return 0


def run_return(args: argparse.Namespace, open_caseload) -> int:
    """``linkworker return`` at the hub: built from the hub's data, submitted into its claims
    ledger, audited there as the named user, who signs in with their own password."""
    from linkworker.cli.returns import return_command

    with _connect(args) as hub:
        return return_command(hub, _sign_in_at(hub, args.username), args)


def _sign_in_at(hub: ServerCaseload, username: str) -> Actor:
    """The hub's user ``username``, signed in as the app signs in (lock-out, audit) with the
    password from ``LINKWORKER_PASSWORD`` or typed on a terminal."""
    from linkworker import accounts

    password = os.environ.get(PASSWORD_ENV)
    if not password and sys.stdin.isatty():
        password = getpass.getpass(f"Password for {username} at the hub: ")
    if not password:
        raise UserError(f"Set {PASSWORD_ENV} to {username}'s LinkWorker password, or run the "
                        "command on a terminal. Nothing was changed.")
    actor = accounts.sign_in(hub, username, password, purpose="command_line")
    if accounts.needs_new_password(hub, actor):
        raise UserError("Your password was set by an admin: sign in to the app once and choose "
                        "your own before using the command line.")
    return actor


def _seconds(text: str) -> int:
    """``--every``: whole seconds, at least 10 (the hub is not a busy loop), at most a day."""
    if not text.isdigit() or not 10 <= int(text) <= 86_400:
        raise argparse.ArgumentTypeError("give whole seconds from 10 to 86400, e.g. --every 60")
    return int(text)


def run_apply(args: argparse.Namespace, open_caseload) -> int:
    """Apply the inbox once, or every ``--every`` seconds."""
    if args.every is None:
        return _apply_once(args)
    return _apply_every(args, args.every)


def _apply_once(args: argparse.Namespace) -> int:
    from linkworker.hub.inbox import apply_inbox

    with _connect(args) as hub:
        report = apply_inbox(hub)
        with hub.engine.connect() as conn:
            clashes = merge.waiting_clashes(conn)
    print(f"Applied {report.applied} packs ({report.changes} new changes).", flush=True)
    for username in clashes:
        print(merge.clash_advice(username), file=sys.stderr, flush=True)
    for reason in report.refused:
        print(f"Refused {reason}", file=sys.stderr, flush=True)
    return 1 if report.refused else 0


def _apply_every(args: argparse.Namespace, seconds: int) -> int:
    """The hub's own timer, on any system (a service manager only has to keep it running).

    A round that fails (the hub restarting, the network down) is reported in one line and
    tried again next round: an unattended loop must not die of a passing fault. Ctrl+C or a
    service stop ends it between rounds with exit 0."""
    print(f"Applying what laptops push every {seconds} s; Ctrl+C stops.", flush=True)
    try:
        while True:
            try:
                _apply_once(args)
            except (UserError, CaseloadError, OperationalError) as exc:
                why = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
                print(f"linkworker: {why} (trying again in {seconds} s)", file=sys.stderr,
                      flush=True)
            time.sleep(seconds)
    except KeyboardInterrupt:
        print("Stopped.", flush=True)
        return 0


def run_sync(args: argparse.Namespace, open_caseload) -> int:
    from linkworker.cli import signed_in
    from linkworker.sync import service
    from linkworker.sync.online import sync_with_hub

    with open_caseload() as caseload:
        url = args.hub or os.environ.get(HUB_URL_ENV) or service.status(caseload).hub
        if not url:
            raise UserError("No hub is set for this caseload: give it with --hub "
                            "postgresql://login@server/database, or use sync packs "
                            "('linkworker sync export PACK').")
        result = sync_with_hub(caseload, url, _print_progress, actor=signed_in(args))
    print(f"Sent {result.pushed} changes; received {result.pulled} "
          f"({result.applied} applied). {result.conflicts} edits to review.")
    if result.removed or result.kept_unsent:
        print(f"{result.removed} people are no longer on this laptop's caseload and were "
              f"removed from it; {result.kept_unsent} stay until their changes are sent.")
    for username in result.clashes:
        print(merge.clash_advice(username))
    return 0


def _print_progress(done: int, total: int, text: str) -> None:
    print(f"{text}: {done}/{total}", file=sys.stderr)
