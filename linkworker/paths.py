"""Where a user's caseload, backups and logs live by default (the platform's user folders)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "LinkWorker"


def data_dir(create: bool = True) -> Path:
    """``LINKWORKER_HOME`` if set (tests, portable installs), else the user data folder.

    ``create=False`` only names it: ``--help`` must leave no trace on a machine."""
    override = os.environ.get("LINKWORKER_HOME")
    base = Path(override) if override else Path(platformdirs.user_data_dir(APP, appauthor=False))
    if create:
        base.mkdir(parents=True, exist_ok=True)
    return base


def default_caseload(create: bool = True) -> Path:
    return data_dir(create) / "caseload.db"


def log_dir(create: bool = True) -> Path:
    """The platform's log folder, where an IT volunteer looks (``~/.local/state/LinkWorker/log``
    on Linux, ``LinkWorker/Logs`` under ``%LOCALAPPDATA%`` on Windows); under
    ``LINKWORKER_HOME`` when that is set, so a portable install or a test keeps it all together."""
    override = os.environ.get("LINKWORKER_HOME")
    folder = (Path(override) / "logs" if override
              else Path(platformdirs.user_log_dir(APP, appauthor=False)))
    if create:
        folder.mkdir(parents=True, exist_ok=True)
    return folder


def backup_dir(caseload: Path) -> Path:
    return caseload.parent / "backups"
