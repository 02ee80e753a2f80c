"""Regenerate the screenshot of the first start after an update ("Updating your caseload").

    .venv/bin/python docs/screenshots/capture_upgrade.py

The dialog is shown as ``ui.upgrade_progress`` shows it while the backup before the upgrade is
copied (a third of the way), and grabbed from the widget (no display needed).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from linkworker.storage.upgrade_steps import backing_up  # noqa: E402
from ui.app import application  # noqa: E402
from ui.upgrade_progress import UpgradeDialog  # noqa: E402


def main() -> None:
    app = application()
    dialog = UpgradeDialog()
    dialog.show_step(600_000_000, 1_780_000_000, backing_up("caseload.db"))
    dialog.adjustSize()
    app.processEvents()
    dialog.grab().save(str(HERE / "upgrade-progress.png"))
    dialog.done(0)


if __name__ == "__main__":
    main()
