"""Regenerate the sync screenshots: the status bar's sync corner and the conflict review.

    xvfb-run -a -s "-screen 0 1024x768x24" .venv/bin/python docs/screenshots/capture_sync.py

(needs xvfb and ImageMagick's ``import``: each window is shown at the screen's top left and the
screen is captured with ``import -window root``, cropped to the window; without a display,
``QT_QPA_PLATFORM=offscreen`` grabs the widgets instead.)

Two synthetic caseloads edit the same person's details, exchange their changes, and the second
laptop's window shows what is waiting and the review of the conflicting edit; the same person,
referred twice on that laptop, was merged and the merge undone, and a second pair merged, so
the review lists both merges.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

import keyring  # noqa: E402
import keyring.backends.fail  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from linkworker import models  # noqa: E402
from linkworker.access import Actor  # noqa: E402
from linkworker.storage.database import Caseload  # noqa: E402
from linkworker.sync import merge, people  # noqa: E402
from linkworker.sync.changelog import CHANGES  # noqa: E402
from ui import i18n  # noqa: E402
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


def _twice(caseload: Caseload, worker_id: str, given: str, family: str, ref: int) -> tuple:
    """One person referred twice (two records, two references): a pair to merge."""
    with caseload.transaction() as s:
        pair = [models.Person(reference=f"LW-{ref + i:06d}", given_name=given,
                              family_name=family, date_of_birth=dt.date(1958, 2, 14))
                for i in range(2)]
        s.add_all(pair)
        s.flush()
        s.add_all([models.Episode(person_id=p.id, referral_date=dt.date(2026, 11, 9),
                                  worker_id=worker_id) for p in pair])
        return tuple(p.id for p in pair)


def save(app: QApplication, widget, path: Path) -> None:
    """The widget as it is on screen: under X (xvfb-run) a capture of the screen's top left
    with ImageMagick's ``import -window root``; else the widget's own rendering."""
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen" or not shutil.which("import"):
        widget.grab().save(str(path))
        return
    widget.move(0, 0)
    for _ in range(20):
        app.processEvents()
    size = widget.frameGeometry()
    subprocess.run(["import", "-window", "root", "-crop",
                    f"{size.width()}x{size.height()}+0+0", "+repage", str(path)], check=True)


def settle(app: QApplication, runner: Runner, ms: int = 500) -> None:
    deadline = dt.datetime.now() + dt.timedelta(milliseconds=ms)
    while runner.is_busy() or dt.datetime.now() < deadline:
        app.processEvents()


def main() -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    app = QApplication.instance() or QApplication([])
    i18n.install(app)  # English plurals ("24 changes"), as the app loads them
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
        jo = Actor(ids[1], "jo", "link_worker", "Jo Reid")
        first = people.merge_people(b, jo, *_twice(b, ids[1], "Dennis", "Okoro", 520))
        people.undo_merge(b, jo, first)
        people.merge_people(b, jo, *_twice(b, ids[1], "Aisha", "Rahman", 530))
        runner = Runner(b)
        widget = SyncStatus(runner, jo)
        widget.resize(620, 40)
        widget.show()
        settle(app, runner)
        save(app, widget, HERE / "sync-status.png")
        widget.hide()
        review = widget.open_review()
        review.resize(760, 600)
        settle(app, runner)
        save(app, review, HERE / "sync-conflicts.png")
        runner.shutdown()
        a.close()
        b.close()
    print("wrote sync-status.png and sync-conflicts.png")


if __name__ == "__main__":
    main()
