"""What start-up imports (issue 15): the path to the first caseload rows must not pay for
libraries only other screens use. Checked in a fresh interpreter, by module name, not time."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import TEST_PASSPHRASE

START_PATH = (
    "from PySide6.QtWidgets import QApplication\n"
    "from linkworker import accounts, backup\n"
    "from linkworker.storage.database import Caseload\n"
    "from ui.admin.recovery import StartupChecks\n"
    "from ui.main_window import MainWindow\n"
    "from ui.operations import Runner\n"
    "import ui.app\n"
)
NOT_AT_START = ("alembic", "reportlab", "jsonschema", "pandas", "matplotlib", "openpyxl",
                "xlsxwriter", "ui.admin.settings_view", "ui.admin.audit_view")


def test_start_up_imports_no_library_of_another_screen():
    probe = START_PATH + "import sys, json\nprint(json.dumps(sorted(sys.modules)))\n"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""})
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert [name for name in NOT_AT_START if name in loaded] == []


def test_an_admin_page_still_resolves_by_name():
    from ui.admin import SettingsView

    assert SettingsView.__name__ == "SettingsView"


def test_the_models_load_without_postgresql_yet_a_postgresql_schema_keeps_partial_indexes():
    """The partial indexes are declared once (``sqlite_where``); made on PostgreSQL (the hub)
    they keep their condition, and importing the models does not import PostgreSQL's dialect."""
    probe = ("import sys\nimport linkworker.models\n"
             "print('sqlalchemy.dialects.postgresql' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, env={"PATH": ""})
    assert done.stdout.strip().splitlines()[-1] == "False"

    from sqlalchemy import create_mock_engine

    from linkworker.models import Base

    made: list[str] = []
    engine = create_mock_engine("postgresql+psycopg://", lambda sql, *_a, **_k: made.append(
        str(sql.compile(dialect=engine.dialect)).strip()))
    Base.metadata.create_all(engine, checkfirst=False)
    partial = {line.removeprefix("CREATE UNIQUE ").removeprefix("CREATE ").split()[1]:
               line.split(" WHERE ", 1)[1] for line in made
               if line.startswith(("CREATE INDEX", "CREATE UNIQUE INDEX")) and " WHERE " in line}
    assert partial["ix_goals_open"] == "status = 'open'"
    assert partial["ix_goal_steps_open_due"] == "done_date IS NULL"
    assert partial["ix_episodes_open_ids"] == "exit_date IS NULL"  # unique as well
    assert len(partial) == sum(1 for table in Base.metadata.tables.values()
                               for index in table.indexes
                               if index.dialect_kwargs.get("sqlite_where") is not None)


def test_building_the_window_imports_nothing_the_warm_thread_did_not(caseload):
    """``launch.WINDOW_MODULES`` are imported on a thread while the user signs in; a module the
    window's build imports beyond them is Python on the GUI thread in front of the first rows
    (the idle lock and the sync corner were, at stop 21)."""
    from linkworker import accounts

    accounts.create_first_admin(caseload, "admin", "Ada Admin", "copper kettle lantern 42")
    path = caseload.path
    caseload.close()
    probe = (START_PATH + "import importlib, json, os, sys\nfrom pathlib import Path\n"
             "from linkworker.launch import WINDOW_MODULES\n"
             "app = QApplication([])\n"
             "for name in WINDOW_MODULES:\n    importlib.import_module(name)\n"
             f"caseload = Caseload.open(Path({str(path)!r}))\n"
             "actor = accounts.sign_in(caseload, 'admin', 'copper kettle lantern 42')\n"
             "before = set(sys.modules)\n"
             "window = MainWindow(Runner(caseload), actor)\n"
             "print(json.dumps(sorted(set(sys.modules) - before)))\n"
             "sys.stdout.flush()\nos._exit(0)\n")
    env = {"QT_QPA_PLATFORM": "offscreen", "PATH": "", "LINKWORKER_PASSPHRASE": TEST_PASSPHRASE,
           "HOME": str(path.parent)}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, env=env)
    imported = json.loads(done.stdout.strip().splitlines()[-1])
    assert [name for name in imported if name.startswith(("ui.", "linkworker."))] == []


ADMIN_PASSWORD = "copper kettle lantern 42"


def _start_in_a_fresh_interpreter(caseload, probe: str) -> dict:
    """Close ``caseload`` and run ``probe`` on it (the file, the admin's password) in a fresh
    interpreter, as the app starts (offscreen, no OS keyring); what it printed last."""
    path = caseload.path
    caseload.close()
    env = {"QT_QPA_PLATFORM": "offscreen", "PATH": "", "LINKWORKER_PASSPHRASE": TEST_PASSPHRASE,
           "HOME": str(path.parent), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    done = subprocess.run([sys.executable, "-c", probe, str(path), ADMIN_PASSWORD],
                          capture_output=True, text=True, check=True, env=env, timeout=120)
    return json.loads(done.stdout.strip().splitlines()[-1])


FIRST_ROWS_PROBE = """
import json, os, sys
from pathlib import Path
from linkworker import launch
launch.preload_core()  # the app's start: the first screen's core, then Qt (launch.begin)
from bench.start import _typist
from ui import app as gui
qt = gui.begin()
window, checks = gui.open_window(Path(sys.argv[1]), _typist("admin", sys.argv[2]))
view = window.page("caseload")
at_first_rows = []
view.first_rows.connect(lambda count: at_first_rows.append((count, sorted(sys.modules))))
while not (at_first_rows and window._started and window.sync_status is not None):
    qt.processEvents()
bar = window.statusBar()
print(json.dumps({"rows": at_first_rows[0][0], "loaded": at_first_rows[0][1],
                  "corner": window.sync_status.button.accessibleName(),
                  "between": window.progress.x() <= window.sync_status.x()
                  < window.signed_in.x()}))
sys.stdout.flush()
os._exit(0)
"""


def test_the_first_rows_come_before_todays_and_the_sync_corners_modules(caseload):
    """Today's core (contacts, journeys, wellbeing) and the sync corner (its view and the core's
    sync service) are about 0.15 s of imports the first screenful does not use (issue 15, stop
    23): the app's real start (sign-in box included), in a fresh interpreter, shows its first
    rows without them or any other screen's library (opening a caseload with no erasure
    register beside it leaves out the rights module and reportlab; this test replaced the one
    that opened a caseload alone), and the sync corner then joins the status bar between the
    progress bar and who signed in."""
    from linkworker import accounts
    from tests.test_storage import add_person

    accounts.create_first_admin(caseload, "admin", "Ada Admin", ADMIN_PASSWORD)
    add_person(caseload)
    seen = _start_in_a_fresh_interpreter(caseload, FIRST_ROWS_PROBE)
    assert seen["rows"] == 1
    later = ("linkworker.today", "linkworker.contacts", "linkworker.wellbeing",
             "linkworker.sync.service", "linkworker.sync.merge", "ui.sync_view", *NOT_AT_START,
             "linkworker.rights")  # opening runs the safeguards: no erasure register, no PDFs
    assert [name for name in later if name in seen["loaded"]] == []
    assert seen["corner"] == "Sync now" and seen["between"]


SIGN_IN_PROBE = """
import json, sys
from pathlib import Path
from linkworker import launch
launch.preload_core()  # the app's start before Qt (launch.begin), then the sign-in box's modules
import ui.app, ui.signin
from linkworker import accounts, settings
from linkworker.storage.database import Caseload
ORM = ("sqlalchemy.orm", "linkworker.models")
caseload = Caseload.open(Path(sys.argv[1]))  # the key, the schema and page checks, safeguards
looked = accounts.has_users(caseload), settings.read_all(caseload)[settings.DEMO]
at_box = [name for name in ORM if name in sys.modules]
checked = []
real = accounts.verify_password
def verify(stored, password):  # Argon2id: what loaded by then
    checked.append([name for name in ORM if name in sys.modules])
    return real(stored, password)
accounts.verify_password = verify
actor = accounts.sign_in(caseload, "admin", sys.argv[2])
must = accounts.needs_new_password(caseload, actor)
caseload.close()
print(json.dumps({"looked": looked, "at_box": at_box, "checked": checked,
                  "actor": actor.username, "must": must}))
"""


def test_the_sign_in_box_and_the_password_check_come_before_the_models(caseload):
    """The models, the ORM and their mapper configuration are about 0.4 s of Python (issue 15,
    stop 24): opening the caseload (its safeguards included), the sign-in box's first look and
    the sign-in's look-up are plain SQL, so the models load on the warm thread while the user
    types and while Argon2id checks the password (without the GIL). In a fresh interpreter
    with no warm thread: none of them is imported until the password has been checked, and
    the sign-in then completes (its write uses them)."""
    from linkworker import accounts

    accounts.create_first_admin(caseload, "admin", "Ada Admin", ADMIN_PASSWORD)
    seen = _start_in_a_fresh_interpreter(caseload, SIGN_IN_PROBE)
    assert seen["looked"] == [True, False]
    assert seen["at_box"] == [] and seen["checked"] == [[]]
    assert seen["actor"] == "admin" and seen["must"] is False


RECORD_PROBE = """
import json, os, sys
from pathlib import Path
from linkworker import launch
launch.preload_core()
from bench.memory import _idle
from bench.start import _typist
from ui import app as gui
qt = gui.begin()
window, checks = gui.open_window(Path(sys.argv[1]), _typist("admin", sys.argv[2]))
view = window.page("caseload")
while not (view.model.ids and window._started):
    qt.processEvents()
record = window.show_person(view.model.ids[0])
_idle(qt, window.runner)
for index in range(record.tabs.count()):  # every tab shown, as a user looking through it
    record.tabs.setCurrentIndex(index)
    _idle(qt, window.runner)
print(json.dumps({"tabs": record.tabs.count(), "loaded": sorted(sys.modules)}))
sys.stdout.flush()
os._exit(0)
"""


def test_opening_a_record_imports_no_pdf_or_workbook_writer(caseload):
    """ReportLab (7 MB: the printed plan) and XlsxWriter (5 MB: the export and a directory
    file's column names) are imported when a plan is printed or a sheet written, not when a
    record opens and each of its tabs is shown (stop 27: the record view imported the plan's
    module, and its signposting tab the export's through the directory)."""
    from linkworker import accounts
    from tests.test_storage import add_person

    accounts.create_first_admin(caseload, "admin", "Ada Admin", ADMIN_PASSWORD)
    add_person(caseload)
    seen = _start_in_a_fresh_interpreter(caseload, RECORD_PROBE)
    assert seen["tabs"] > 5 and "ui.record.signposting_tab" in seen["loaded"]
    assert [name for name in ("reportlab", "xlsxwriter") if name in seen["loaded"]] == []
