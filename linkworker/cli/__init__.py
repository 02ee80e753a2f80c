"""The ``linkworker`` command: no arguments opens the app; subcommands script the core.

Each subcommand lives in its own module here with ``register(subparsers)``; the module adds a
parser and sets ``func=run`` where ``run(args, open_caseload) -> int``. ``open_caseload`` opens
(or, for commands that create, creates) the caseload named by ``--db`` with the passphrase from
``LINKWORKER_PASSPHRASE``, the OS keyring, or a prompt on a terminal.

**The passphrase opens the file; it does not grant rights.** Every command that opens an
existing caseload also signs in as a user (``LINKWORKER_USER`` and ``LINKWORKER_PASSWORD`` for
scripts, else a prompt on a terminal) and acts as ``args.actor`` with exactly that role's rights,
audited by username. That is the default for every command, including ones added later; a
command that reads no personal data opts out with ``@no_sign_in`` (``info``, ``instrument
check``/``score``). Creating a new caseload (``init``, ``demo`` on a new file) needs no
sign-in: nobody has an account yet.
"""

from __future__ import annotations

import argparse
import functools
import getpass
import importlib
import logging
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

from linkworker import __version__, logs
from linkworker.access import Actor
from linkworker.errors import UserError
from linkworker.launch import register_instruments
from linkworker.paths import default_caseload
from linkworker.storage import keys
from linkworker.storage.database import Caseload, CaseloadError

# One line per command module; each adds its own subcommand(s).
COMMAND_MODULES = [
    "info",
    "init",
    "demo",
    "wellbeing",
    "returns",
    "admin",
    "importing",
    "sync",
    "hub",
]

OpenCaseload = Callable[..., Caseload]
Command = Callable[[argparse.Namespace, OpenCaseload], int]

USER_ENV = "LINKWORKER_USER"
PASSWORD_ENV = "LINKWORKER_PASSWORD"


def no_sign_in(command: Command) -> Command:
    """Mark a command that reads no personal data: the passphrase alone is enough."""
    command.no_sign_in = True  # type: ignore[attr-defined]
    return command


def signed_in(args: argparse.Namespace) -> Actor:
    """The user this command signed in as (set when it first opened the caseload)."""
    actor = getattr(args, "actor", None)
    if actor is None:
        raise UserError("Sign in first: this command acts as a user.")
    return actor


def credentials(what: str, *, new: bool = False) -> tuple[str, str]:
    """Username and password from the environment (scripts) or typed on a terminal; ``new``
    (the first admin's) is typed twice."""
    username, password = os.environ.get(USER_ENV), os.environ.get(PASSWORD_ENV)
    if username and password:
        return username, password
    if not sys.stdin.isatty():
        raise UserError(f"{what}: set {USER_ENV} and {PASSWORD_ENV} for a script, or run the "
                        "command on a terminal. Nothing was changed.")
    username = username or input("Username: ")
    password = getpass.getpass(f"Password for {username}: ")
    if new and password != getpass.getpass("Repeat it: "):
        raise UserError("The two passwords differ; nothing was changed.")
    return username, password


def sign_in_user(caseload: Caseload) -> Actor:
    """Sign in through the same ``accounts.sign_in`` as the app (lock-out, audit and all)."""
    from linkworker import accounts

    if not accounts.has_users(caseload):
        raise UserError(f"{caseload.path.name} has no accounts yet: create the first admin with "
                        f"'linkworker --db {caseload.path} init' (it asks for one).")
    username, password = credentials(f"Sign in to use {caseload.path.name}")
    actor = accounts.sign_in(caseload, username, password, purpose="command_line")
    if accounts.needs_new_password(caseload, actor):
        raise UserError("Your password was set by an admin: sign in to the app once and choose "
                        "your own before using the command line.")
    return actor


def _signing_in(open_caseload: OpenCaseload, args: argparse.Namespace) -> OpenCaseload:
    """``open_caseload`` that also signs in (once) when it opens an existing caseload."""

    @functools.wraps(open_caseload)
    def opener(*, create: bool = False) -> Caseload:
        path = (args.db or default_caseload()).expanduser()
        new = create and not path.exists()
        caseload = open_caseload(create=create)
        if new or getattr(args, "actor", None) is not None:
            return caseload
        try:
            args.actor = sign_in_user(caseload)
        except BaseException:
            caseload.close()
            raise
        return caseload

    return opener


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake on the command line is one line (and exit 2), not a usage dump."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"linkworker: {message} (see '{self.prog} --help').\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="linkworker",
        description="LinkWorker: offline case management and outcome returns for link workers.",
    )
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        metavar="PATH",
        help=f"caseload file (default: {default_caseload(create=False)})",
    )
    parser.add_argument("--version", action="version", version=f"linkworker {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"linkworker.cli.{name}").register(subparsers)
    return parser


def _ask_passphrase(prompt: str) -> str | None:
    if not sys.stdin.isatty():
        return None
    return getpass.getpass(prompt)


def _upgrade_steps() -> Callable[[int, int, str], None]:
    """An upgrade's steps on stderr, each once (the first run after an update can take
    minutes on a big caseload: it must not look hung)."""
    said: set[str] = set()

    def say(_done: int, _total: int, text: str) -> None:
        if text not in said:
            said.add(text)
            print(f"linkworker: {text}", file=sys.stderr, flush=True)

    return say


def caseload_opener(db: Path | None) -> OpenCaseload:
    """A function that opens ``db`` on demand, asking for the passphrase only if needed."""
    path = (db or default_caseload()).expanduser()

    def unlock(*, create: bool) -> Caseload:
        passphrase = keys.passphrase_from_env()
        if create and not path.exists():
            if passphrase is None:
                passphrase = _ask_passphrase("Choose a passphrase for the new caseload: ")
            return Caseload.create(path, passphrase)
        try:
            return Caseload.open(path, passphrase, progress=_upgrade_steps())
        except keys.PassphraseRequired:
            typed = _ask_passphrase(f"Passphrase for {path.name}: ")
            if not typed:
                raise
            return Caseload.open(path, typed, progress=_upgrade_steps())

    def open_caseload(*, create: bool = False) -> Caseload:
        caseload = unlock(create=create)
        logging.getLogger("linkworker.cli").info("caseload opened")
        for problem in register_instruments(caseload):  # custom instruments score here too
            print(f"linkworker: {problem}", file=sys.stderr)
        return caseload

    return open_caseload


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    opener = caseload_opener(args.db)
    if args.command is None:
        from linkworker.launch import launch_app

        return launch_app(args.db)
    logs.setup(program=f"command {args.command}")
    if not getattr(args.func, "no_sign_in", False):
        opener = _signing_in(opener, args)
    return _dispatch(args, opener)


def _dispatch(args: argparse.Namespace, opener: OpenCaseload) -> int:
    """Run the command; every failure is one clear line on stderr and exit 2, never a trace."""
    log = logging.getLogger("linkworker.cli")
    try:
        code = int(args.func(args, opener) or 0)
    except (UserError, CaseloadError, keys.KeyError_) as exc:
        # The message may name a person: the log keeps only what kind of refusal it was.
        log.warning("command %s refused: %s", args.command, type(exc).__name__)
        print(f"linkworker: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        log.warning("command %s interrupted", args.command)
        print("linkworker: interrupted; nothing half-written was kept.", file=sys.stderr)
        return 130
    except OSError as exc:
        log.warning("command %s refused: %s", args.command, type(exc).__name__)
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"linkworker: could not use a file{where}: {exc.strerror or type(exc).__name__}. "
              "Nothing half-written was kept.", file=sys.stderr)
        return 2
    except (ValueError, RecursionError, OverflowError, MemoryError) as exc:
        log.warning("command %s refused: %s", args.command, type(exc).__name__)
        print(f"linkworker: that input cannot be used ({_where(exc)}). Nothing was changed.",
              file=sys.stderr)
        return 2
    except Exception as exc:  # a bug: one line and a crash report, no trace
        report = logs.report_exception(exc)
        print(f"linkworker: stopped on an unexpected error ({_where(exc)}); the crash report "
              f"{report} says where, without any personal data.", file=sys.stderr)
        return 2
    log.info("command %s finished, exit code %d", args.command, code)
    return code


def _where(exc: BaseException) -> str:
    """The error's kind and the innermost line of ours it came from: never its values."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "linkworker" in f.filename]
    place = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    return f"{type(exc).__name__}{place}"


if __name__ == "__main__":
    sys.exit(main())
