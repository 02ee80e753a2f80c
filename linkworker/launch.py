"""Start the desktop app without the core importing Qt at module level.

The core never imports PySide6; this function imports the ``ui`` package only when the user
actually asks for the window, so scripts and the CLI run on machines with no display.
"""

from __future__ import annotations

import importlib
from pathlib import Path


def launch_app(db: Path | None) -> int:
    app_module = importlib.import_module("ui.app")
    return int(app_module.run(db))
