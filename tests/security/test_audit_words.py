"""The audit trail says what happened in words ("Signed in", "Added a user"), for every event
code the app writes; the codes stay in the data, its chain and its CSV (stop 27)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from linkworker import accounts, audit
from ui.admin import AuditView
from ui.admin.audit_words import WORDS, action_words

GOOD = "plum kettle harbour"
ROOT = Path(__file__).resolve().parents[2]
WHAT = 3  # the "What" column

# Where the app names an event: audit.record(session, actor, "code"), the codes a function
# keeps in a variable first (action = "...", the team key's helper, a sign-out's reason, the
# lock's "why"), and the audit module's own (ERASE_ACTION, REKEY_ACTION).
WRITERS = (
    r'(?<![\w])(?:audit\.)?record\(\s*\w+,\s*\w+,\s*"([^"]+)"',
    r'\baction = "([^"]+)"',
    r'_team_key_audit\(session, args, "([^"]+)"',
    r'def sign_out\([^)]*reason: str = "([^"]+)"',
    r'why = self\.actor, "(\w+)" if signed_out else "(\w+)"',
    r'\b[A-Z]+_ACTION = "([^"]+)"',
)


def codes_written() -> set[str]:
    found: set[str] = set()
    for folder in ("linkworker", "ui"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for pattern in WRITERS:
                for match in re.finditer(pattern, text):
                    found.update(group for group in match.groups() if group)
    return found


def test_every_code_the_app_writes_has_words():
    written = codes_written()
    assert {"sign_in", "contact.record", "view_person", "lock", "erase", "audit_rekey",
            "audit_export", "service.add", "team_key.create"} <= written
    assert sorted(written - set(WORDS)) == []


def test_an_unknown_code_shows_as_itself():
    assert action_words("hub.something_newer") == "hub.something_newer"
    assert action_words("sign_in") == "Signed in"


@pytest.fixture
def admin(caseload):
    return accounts.create_first_admin(caseload, "dana", "Dana Admin", GOOD)


def test_the_what_column_and_the_filter_say_words_the_csv_keeps_codes(qtbot, runner, caseload,
                                                                     admin, tmp_path):
    accounts.add_user(caseload, admin, "asha", "Asha Patel", "link_worker", GOOD)
    accounts.sign_in(caseload, "asha", GOOD)
    view = AuditView(runner, admin)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.model.rowCount() >= 2 and view.action.count() > 2)
    rows = range(view.model.rowCount())
    shown = [view.model.index(row, WHAT).data() for row in rows]
    tips = [view.model.index(row, WHAT).data(Qt.ItemDataRole.ToolTipRole) for row in rows]
    assert shown[:2] == ["Signed in", "Added a user"]  # newest first
    assert tips[:2] == ["sign_in", "user_create"]  # the code, as the CSV has it
    choices = {view.action.itemText(i): view.action.itemData(i)
               for i in range(view.action.count())}
    assert choices["Signed in"] == "sign_in" and "sign_in" not in choices
    view.action.setCurrentIndex(view.action.findData("sign_in"))
    view.apply()
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    out = tmp_path / "trail.csv"
    audit.export_events(caseload, admin, out)
    with out.open(encoding="utf-8") as handle:
        actions = [row["action"] for row in csv.DictReader(handle)]
    assert actions[:2] == ["sign_in", "user_create"]
    assert audit.verify(caseload, admin).ok
