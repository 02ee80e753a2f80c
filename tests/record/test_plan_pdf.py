"""The "My plan" PDF, parsed back for its content."""

from __future__ import annotations

import datetime as dt

from pypdf import PdfReader
from sqlalchemy import select

from linkworker.contacts import ContactInput, record_contact
from linkworker.directory import record_take_up, save_service, signpost
from linkworker.goals import StepInput, add_goal, set_crisis_plan
from linkworker.models import AuditEvent
from linkworker.person import update_episode_text, update_person
from linkworker.plan_pdf import export_plan
from tests.record.conftest import TODAY


def test_my_plan_has_goals_steps_services_appointments_and_crisis_plan(caseload, team, jane,
                                                                       tmp_path):
    w = team.worker
    update_person(caseload, w, jane.person_id, {"preferred_name": "Janey"}, None)
    record_contact(caseload, w, jane.episode_id, ContactInput(dt.date(2026, 1, 12)), TODAY)
    record_contact(caseload, w, jane.episode_id, ContactInput(
        dt.date(2026, 3, 10), start_time=dt.time(11, 0), status="planned",
        venue="Elswick Library"), TODAY)
    update_episode_text(caseload, w, jane.episode_id, {"what_matters": "Seeing my grandchildren"})
    add_goal(caseload, w, jane.episode_id, "Walk to the park without stopping", "activity",
             dt.date(2026, 1, 12), [StepInput("Join the walking group", "Janey",
                                              dt.date(2026, 3, 31))], TODAY)
    service = save_service(caseload, w, {"name": "Heaton Walking Group",
                                         "category": "physical_activity", "venue": "Heaton Park",
                                         "times": "Tuesdays 10:00", "phone": "0191 000 0001"})
    sp = signpost(caseload, w, jane.episode_id, service, on=dt.date(2026, 2, 1), today=TODAY)
    record_take_up(caseload, w, sp, True, dt.date(2026, 2, 3), TODAY)
    set_crisis_plan(caseload, w, jane.episode_id, "Ring my sister Ann on 07700 900456")
    target = tmp_path / "out" / "my-plan.pdf"
    export_plan(caseload, w, jane.person_id, target, TODAY)
    reader = PdfReader(str(target))
    text = " ".join(page.extract_text() for page in reader.pages)
    text = " ".join(text.split())
    for expected in ("My plan: Janey", "Made with Sam Patel", "Seeing my grandchildren",
                     "Walk to the park without stopping", "Janey: Join the walking group",
                     "by Tuesday 31 March 2026", "Tuesday 10 March 2026 at 11:00",
                     "Elswick Library", "Heaton Walking Group", "When: Tuesdays 10:00",
                     "0191 000 0001", "Ring my sister Ann", "call 999", "How to contact us"):
        assert expected in text, expected
    assert "Doe" not in text  # the plan uses the preferred name only
    sizes = {round(float(fs)) for fs in _font_sizes(reader)}
    assert min(sizes) >= 14
    assert not list(target.parent.glob(".*.part"))
    with caseload.reading() as s:
        exports = s.execute(select(AuditEvent.details).where(AuditEvent.action == "export"))
        assert [e[0] for e in exports] == [{"kind": "my_plan"}]


def _font_sizes(reader: PdfReader) -> list[float]:
    sizes: list[float] = []

    def visit(text, cm, tm, font_dict, font_size):  # pypdf's visitor signature
        if text.strip():
            sizes.append(font_size * tm[0])

    for page in reader.pages:
        page.extract_text(visitor_text=visit)
    return sizes
