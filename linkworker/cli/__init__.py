"""The ``linkworker`` command: no arguments opens the app; subcommands script the core.

Each subcommand lives in its own module here with ``register(subparsers)``; the module adds a
parser and sets ``func=run`` where ``run(args, open_caseload) -> int``. ``open_caseload`` opens
(or, for commands that create, creates) the caseload named by ``--db`` with the passphrase from
``LINKWORKER_PASSPHRASE``, the OS keyring, or a prompt on a terminal.
"""

from __future__ import annotations

import argparse
import getpass
import importlib
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from linkworker import __version__, logs
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
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
            return Caseload.open(path, passphrase)
        except keys.PassphraseRequired:
            typed = _ask_passphrase(f"Passphrase for {path.name}: ")
            if not typed:
                raise
            return Caseload.open(path, typed)

    def open_caseload(*, create: bool = False) -> Caseload:
        caseload = unlock(create=create)
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
    log.info("command %s finished, exit code %d", args.command, code)
    return code


if __name__ == "__main__":
    sys.exit(main())
