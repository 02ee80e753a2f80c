"""PDFs for people (My plan, subject access copy, a return's cover): every font embedded, the
language tagged en-GB, and the same input gives the same bytes. Parsed back with pypdf."""

from __future__ import annotations

import datetime as dt
import io
import json

from pypdf import PdfReader
from security.test_rights import make_person
from test_returns_caseload import AS_OF_Q3, build_caseload

from linkworker import pdf, rights
from linkworker.plan_pdf import PlanData, PlanGoal, PlanService, PlanStep, render_plan
from linkworker.returns.build import build_return
from linkworker.returns.report_pdf import to_pdf

WELSH = "Siân ap Ŵyn"  # ŵ is outside Latin-1: Helvetica (not embedded) cannot show it


def _fonts(reader: PdfReader) -> dict[str, bool]:
    """Each font used on any page, and whether its program is embedded in the file."""
    found: dict[str, bool] = {}
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            if font["/Subtype"] == "/Type0":
                font = font["/DescendantFonts"][0].get_object()
            descriptor = font.get("/FontDescriptor")
            embedded = descriptor is not None and any(
                key in descriptor.get_object() for key in ("/FontFile", "/FontFile2",
                                                           "/FontFile3"))
            found[str(font["/BaseFont"])] = embedded
    return found


def _check(data: bytes, again: bytes) -> PdfReader:
    assert data == again  # reproducible: same input, identical bytes
    reader = PdfReader(io.BytesIO(data))
    assert reader.trailer["/Root"]["/Lang"] == pdf.LANGUAGE
    fonts = _fonts(reader)
    assert fonts and all(fonts.values()), fonts
    assert all("DejaVuSans" in name for name in fonts), fonts
    return reader


def _plan() -> PlanData:
    return PlanData(
        name=WELSH, made_on=dt.date(2026, 3, 3), worker="Asha", what_matters="Getting out",
        goals=(PlanGoal("Walk to the park", (PlanStep("Me", "Walk on Tuesdays", "April"),),
                        "active"),),
        appointments=("Tuesday 10 March 2026, 10:00, library",),
        services=(PlanService("Walking group", "Tuesdays", "Park gates", "0191 000 0000",
                              "Step-free"),),
        crisis_plan="Call my sister", service_name="Tyne Links", service_contact="0191 111")


def test_my_plan_embeds_its_font_and_shows_welsh_letters():
    reader = _check(render_plan(_plan()), render_plan(_plan()))
    assert WELSH in reader.pages[0].extract_text()


def test_subject_access_copy_embeds_its_font(caseload, actor_admin, actor_manager, tmp_path):
    with caseload.transaction() as s:
        person_id = make_person(s, actor_admin)
    files = rights.subject_access(caseload, actor_manager, person_id, tmp_path,
                                  made_on=dt.date(2026, 3, 1))
    sections = json.loads(files.json.read_text("utf-8"))["sections"]
    made = rights._sar_pdf(sections, dt.date(2026, 3, 1))
    reader = _check(made, rights._sar_pdf(sections, dt.date(2026, 3, 1)))
    assert _fonts(PdfReader(files.pdf)) == _fonts(reader)
    assert "Okonkwo" in reader.pages[0].extract_text()


def test_return_cover_embeds_its_font(caseload, actor_manager):
    with caseload.transaction() as s:
        build_caseload(s, actor_manager)
        doc = build_return(s, actor_manager, "TEST-SIB", "2026-Q3", as_of=AS_OF_Q3)
    reader = _check(to_pdf(doc), to_pdf(doc))
    assert "Outcome return 2026-Q3" in reader.pages[0].extract_text()
