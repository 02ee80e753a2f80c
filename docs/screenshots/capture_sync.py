"""Regenerate the sync screenshots: the status bar's sync corner and the conflict review.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/capture_sync.py

Two synthetic caseloads edit the same person's details, exchange their changes, and the second
laptop's window shows what is waiting and the review of the conflicting edit.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

import keyring  # noqa: E402
import keyring.backends.fail  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from linkworker import models  # noqa: E402
from linkworker.access import Actor  # noqa: E402
from linkworker.storage.database import Caseload  # noqa: E402
from linkworker.sync import merge  # noqa: E402
from linkworker.sync.changelog import CHANGES  # noqa: E402
from ui.operations import Runner  # noqa: E402
from ui.sync_view import SyncStatus  # noqa: E402


def _send(source: Caseload, target: Caseload) -> None:
    with source.engine.connect() as conn:
        changes = [dict(r._mapping) for r in conn.execute(CHANGES.select())]
    with target.engine.begin() as conn:
        merge.receive(conn, changes)


def _edit(caseload: Caseload, user_id: str, person_id: str, **values: object) -> None:
    with caseload.transaction() as s:
        s.info["sync_user"] = user_id
        person = s.get(models.Person, person_id)
        for key, value in values.items():
            setattr(person, key, value)


def settle(app: QApplication, runner: Runner, ms: int = 500) -> None:
    deadline = dt.datetime.now() + dt.timedelta(milliseconds=ms)
    while runner.is_busy() or dt.datetime.now() < deadline:
        app.processEvents()


def main() -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as folder:
        a = Caseload.create(Path(folder) / "a.db", "screenshots only")
        b = Caseload.create(Path(folder) / "b.db", "screenshots only")
        with a.transaction() as s:
            sam = models.User(username="sam", display_name="Sam Patel", role="link_worker")
            jo = models.User(username="jo", display_name="Jo Reid", role="link_worker")
            s.add_all([sam, jo])
            s.flush()
            person = models.Person(reference="LW-000412", given_name="Margaret",
                                   family_name="Hughes", date_of_birth=dt.date(1949, 6, 3))
            s.add(person)
            s.flush()
            s.add(models.Episode(person_id=person.id, referral_date=dt.date(2026, 11, 2),
                                 worker_id=jo.id))
            s.flush()
            ids = (sam.id, jo.id, person.id)
        _send(a, b)
        _edit(a, ids[0], ids[2], phone="01632 960123", town="Hebden Bridge")
        _edit(b, ids[1], ids[2], phone="07700 900456")
        _send(a, b)
        _edit(b, ids[1], ids[2], postcode="HX7 8AD")
        runner = Runner(b)
        widget = SyncStatus(runner, Actor(ids[1], "jo", "link_worker", "Jo Reid"))
        widget.resize(620, 40)
        widget.show()
        settle(app, runner)
        widget.grab().save(str(HERE / "sync-status.png"))
        review = widget.open_review()
        review.resize(640, 380)
        settle(app, runner)
        review.grab().save(str(HERE / "sync-conflicts.png"))
        runner.shutdown()
        a.close()
        b.close()
    print("wrote sync-status.png and sync-conflicts.png")


if __name__ == "__main__":
    main()
