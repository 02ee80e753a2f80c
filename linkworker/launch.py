"""Start the desktop app without the core importing Qt at module level.

The core never imports PySide6; this function imports the ``ui`` package only when the user
actually asks for the window, so scripts and the CLI run on machines with no display.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from linkworker.storage.database import Caseload


def launch_app(db: Path | None) -> int:
    app_module = importlib.import_module("ui.app")
    return int(app_module.run(db))


@dataclass(frozen=True)
class Prepared:
    """What start-up housekeeping found: instruments that no longer load, journeys moved."""

    instrument_problems: tuple[str, ...]
    stages_moved: int


def register_instruments(caseload: Caseload) -> tuple[str, ...]:
    """Make the caseload's own instruments scoreable in this process (app and CLI alike)."""
    from linkworker.wellbeing.store import register_stored_instruments

    return tuple(register_stored_instruments(caseload))


def prepare_caseload(caseload: Caseload, today: dt.date | None = None) -> Prepared:
    """Once after sign-in: load custom instruments, then move journeys whose review window
    opened while the app was closed (stages follow the calendar, not only edits)."""
    from linkworker.journey import sweep_stages

    problems = register_instruments(caseload)
    with caseload.transaction() as session:
        moved = sweep_stages(session, today)
    return Prepared(problems, moved)
