"""The ``linkworker`` command's front door (the console script, ``python -m linkworker`` and
the installer's executables all start here).

A user who opens the app waits for Argon2id to derive the caseload's key; it runs on its own
thread beside the imports, so it must begin before them (issue 15). The full command line
(``linkworker.cli``) imports argparse, SQLAlchemy, the models and every sub-command first, so
the forms that only open the app (no arguments, or just ``--db PATH``) go straight to
``launch_app``; everything else, ``--help`` and mistakes included, goes to ``linkworker.cli``
unchanged, which opens the app the same way for any other spelling of those forms.
"""

from __future__ import annotations

import sys
from pathlib import Path


def app_caseload(argv: list[str]) -> tuple[bool, Path | None]:
    """Whether ``argv`` only opens the app, and with which ``--db`` (None: the default file).

    Only the plain spellings are recognised here; an option's value that starts with ``-`` and
    anything else is left to argparse, so no command line means something new."""
    if not argv:
        return True, None
    if len(argv) == 1 and argv[0].startswith("--db=") and len(argv[0]) > len("--db="):
        return True, Path(argv[0][len("--db="):])
    if len(argv) == 2 and argv[0] == "--db" and argv[1] and not argv[1].startswith("-"):
        return True, Path(argv[1])
    return False, None


def main(argv: list[str] | None = None) -> int:
    """Open the app at once, or run a command through the full command line."""
    args = sys.argv[1:] if argv is None else list(argv)
    opens_app, db = app_caseload(args)
    if opens_app:
        from linkworker.launch import launch_app

        return launch_app(db)
    from linkworker.cli import main as command_line

    return command_line(args)


if __name__ == "__main__":
    sys.exit(main())
