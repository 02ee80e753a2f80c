"""``linkworker init``: create a new, empty, encrypted caseload and its first admin.

The first admin is the one account the passphrase alone may create, exactly as in the app's
first-run screen: a caseload with no accounts has nobody to ask. The admin's username and
password come from ``LINKWORKER_USER``/``LINKWORKER_PASSWORD`` or are typed on a terminal.
``init`` on an existing caseload that still has no accounts only adds the first admin.
"""

from __future__ import annotations

import argparse

from linkworker.cli import credentials, no_sign_in
from linkworker.errors import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("init", help="create a new, empty, encrypted caseload "
                                                "and its first admin")
    parser.add_argument("--name", help="the first admin's name as colleagues know it")
    parser.set_defaults(func=run)


@no_sign_in  # nobody has an account yet: this makes the first one
def run(args: argparse.Namespace, open_caseload) -> int:
    from linkworker import accounts
    from linkworker.cli.demo import _remove_new_caseload
    from linkworker.paths import default_caseload

    path = (args.db or default_caseload()).expanduser()
    username, password = credentials("Name the first admin", new=True)
    existed = path.exists()
    try:
        with open_caseload(create=True) as caseload:
            if existed and accounts.has_users(caseload):
                raise UserError(f"{path} already exists and has accounts; nothing was changed.")
            accounts.create_first_admin(caseload, username, args.name or username, password)
    except BaseException:
        # Removed only once closed: closing writes the file again (the audit anchor), and a
        # keyless file left behind refused every later 'init' ("key file missing").
        if not existed:  # a weak password must not leave a caseload nobody can sign in to
            _remove_new_caseload(path)
        raise
    print(f"{'Opened' if existed else 'Created'} an encrypted caseload at {path} "
          f"with the first admin {accounts.normalise_username(username)}.")
    return 0
