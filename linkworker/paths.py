"""Where a user's caseload, backups and logs live by default (the platform's user folders)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "LinkWorker"


def data_dir() -> Path:
    """``LINKWORKER_HOME`` if set (tests, portable installs), else the user data folder."""
    override = os.environ.get("LINKWORKER_HOME")
    base = Path(override) if override else Path(platformdirs.user_data_dir(APP, appauthor=False))
    base.mkdir(parents=True, exist_ok=True)
    return base


def default_caseload() -> Path:
    return data_dir() / "caseload.db"


def log_dir() -> Path:
    folder = data_dir() / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def backup_dir(caseload: Path) -> Path:
    return caseload.parent / "backups"
