"""My plan's contact line: the organisation's name and phone are set in Settings (issue 16)."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from linkworker import settings
from linkworker.errors import UserError
from linkworker.plan_pdf import export_plan
from tests.record.conftest import TODAY
from tests.ux.conftest import settle
from ui.admin import SettingsView


def test_the_organisation_line_is_set_in_settings_and_printed_on_my_plan(
        qtbot, runner, caseload, team, jane, actor_admin, tmp_path):
    view = SettingsView(runner, actor_admin)
    qtbot.addWidget(view)
    settle(qtbot, runner)
    name = view.fields[settings.ORGANISATION_NAME]
    contact = view.fields[settings.ORGANISATION_CONTACT]
    name.setText("Elswick Link Service")
    contact.setText("0191 496 0000")
    view.save()
    qtbot.waitUntil(lambda: "saved" in view.status.text().lower(), timeout=5000)
    assert settings.read_all(caseload)[settings.ORGANISATION_NAME] == "Elswick Link Service"
    target = tmp_path / "plan.pdf"
    export_plan(caseload, team.worker, jane.person_id, target, TODAY)
    text = " ".join(page.extract_text() for page in PdfReader(str(target)).pages)
    assert "Elswick Link Service" in text and "0191 496 0000" in text


def test_an_organisation_name_too_long_is_refused(caseload, actor_admin):
    with pytest.raises(UserError, match="at most 200"):
        settings.update(caseload, actor_admin, {settings.ORGANISATION_NAME: "x" * 201})
