"""Exports read back: XLSX with openpyxl, PDF with pypdf, CSV and INDIGO JSON as parsed."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import re
from pathlib import Path

import jsonschema
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select
from test_returns_caseload import AS_OF_Q3, build_caseload

from linkworker.models import AuditEvent
from linkworker.returns.build import build_return
from linkworker.returns.content_hash import verify
from linkworker.returns.document import ReturnDocument
from linkworker.returns.export import DOCUMENT_SUFFIX, export_return, render
from linkworker.returns.submit import submit_return

GOLDEN = Path(__file__).parent / "fixtures" / "returns_golden"


@pytest.fixture
def submitted(caseload, actor_manager, tmp_path):
    with caseload.transaction() as s:
        build_caseload(s, actor_manager)
        doc = submit_return(s, actor_manager, "TEST-SIB", "2026-Q3", as_of=AS_OF_Q3)
        for suffix in (".xlsx", ".csv", ".pdf", ".json"):
            export_return(s, actor_manager, doc, tmp_path / f"return{suffix}")
    return doc, tmp_path


def test_xlsx_reads_back_with_every_sheet(submitted):
    doc, folder = submitted
    book = load_workbook(folder / "return.xlsx")
    assert book.sheetnames == ["Summary", "Claims", "Equality", "Data quality", "Not claimed",
                               "Outcomes"]
    claims = list(book["Claims"].iter_rows(values_only=True))
    assert claims[0][2] == "Person ID (pseudonymised)"
    assert len(claims) == 14
    assert sum(r[9] for r in claims[1:]) == 2060.0
    assert claims[1][6] == dt.datetime(2026, 5, 1) and claims[1][7] == "yes"
    summary = dict(r[:2] for r in book["Summary"].iter_rows(values_only=True) if r[0])
    assert summary["Status"] == "Submitted"
    # Summary figures are numbers and dates a commissioner can add up, not text.
    assert summary["Net amount this return"] == 2060
    assert summary["Claims"] == 13
    assert summary["Period start"] == dt.datetime(2026, 7, 1)
    assert summary["Submitted on"] == dt.datetime(2026, 10, 5)
    net_cell = next(r[1] for r in book["Summary"].iter_rows() if r[0].value == "Net amount "
                    "this return")
    assert net_cell.data_type == "n" and "£" in net_cell.number_format
    equality = [r for r in book["Equality"].iter_rows(values_only=True) if r[0] == "45-54"]
    assert equality == [("45-54", 9)]
    quality = list(book["Data quality"].iter_rows(values_only=True))
    assert ("Ineligible person" in {r[1] for r in quality})
    assert book.properties.created == dt.datetime(2026, 10, 5, 12, 0)
    # Nothing identifying: people appear only as pseudonyms, never by their references.
    cells = {v for ws in book for row in ws.iter_rows(values_only=True) for v in row}
    assert not cells & {f"P{n}" for n in range(1, 19)}
    assert all(r[2].startswith("P-") for r in claims[1:])


def test_pdf_cover_report_has_the_totals(submitted):
    _, folder = submitted
    reader = PdfReader(folder / "return.pdf")
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Outcome return 2026-Q3" in text
    assert "£2,060.00" in text
    assert "Equality" in text and "Paired wellbeing change" in text
    assert "DRAFT" not in text
    assert reader.metadata.title == "Outcome return 2026-Q3"


def test_csv_has_one_row_per_claim(submitted):
    _, folder = submitted
    text = (folder / "return.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 13
    assert rows[0]["Achieved on"] == "2026-05-01" and rows[0]["Late claim"] == "yes"
    assert {r["Period"] for r in rows} == {"2026-Q3"}


def test_indigo_json_shape(submitted):
    _, folder = submitted
    project = json.loads((folder / "return.json").read_text("utf-8"))
    assert set(project) >= {"name", "outcome_metrics", "outcome_pricings", "results",
                            "outcome_payments", "overall_project_finance"}
    assert project["outcome_metrics"][0]["id"] == "ENG"
    assert project["outcome_pricings"][2]["price_per_unit"]["amount"]["value"] == 300
    results = {r["outcome_metric_id"]["value"]: r for r in project["results"]}
    # 4 people: no count (INDIGO numbers cannot be null) and no count in the text beside it.
    assert "number_with_positive_social_outcomes" not in results["ENG"]
    assert not re.search(r"\d", results["ENG"]["outcomes_achieved"]["value"].replace("5", ""))
    assert "fewer than 5" in results["ENG"]["notes"]
    payments = {p["outcome_metric_id"]["value"]: p for p in project["outcome_payments"]}
    assert payments["EXT"]["money"]["amount"]["value"] == 500.0
    assert payments["EXT"]["type"]["value"] == "Actual"


def test_exports_are_audited(submitted, caseload):
    with caseload.reading() as s:
        events = s.execute(select(AuditEvent.details).where(
            AuditEvent.action == "return.export")).scalars().all()
    assert sorted(e["format"] for e in events) == [".csv", ".json", ".pdf", ".xlsx"]


def _pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_xlsx_and_pdf_print_the_hashs_rule_beside_it(submitted):
    """A commissioner holding only the XLSX or the PDF can tell which rule to check the hash
    by: the rule printed is the one the return's document checks by."""
    doc, folder = submitted
    verdict = verify(json.loads(render(doc, DOCUMENT_SUFFIX)))
    assert verdict.ok and verdict.rule == doc.hash_rule == 2
    rows = [r[:2] for r in load_workbook(folder / "return.xlsx")["Summary"].iter_rows(
        values_only=True) if r[0]]
    labels = [label for label, _ in rows]
    at = labels.index("Content hash (SHA-256)")
    assert rows[at][1] == doc.content_hash
    assert rows[at + 1][0] == "Content hash rule"
    assert rows[at + 1][1].startswith("Rule 2: the document as stored")
    text = " ".join(_pdf_text((folder / "return.pdf").read_bytes()).split())
    assert f"{doc.content_hash} Content hash rule Rule 2: the document as stored" in text


def test_a_return_made_before_rules_were_named_says_both_are_tried():
    """The golden returns carry no ``hash_rule``: their XLSX and PDF say the rule is not named
    and which to try, in the order ``returns verify`` tries them (q3 checks by rule 1)."""
    stored = json.loads((GOLDEN / "q3-submitted.document.json").read_text("utf-8"))
    assert "hash_rule" not in stored and verify(stored).rule == 1
    doc = ReturnDocument.from_json(stored)
    said = "Not named (made before rules were named): check by rule 2, then rule 1"
    summary = dict(r[:2] for r in load_workbook(io.BytesIO(render(doc, ".xlsx")))[
        "Summary"].iter_rows(values_only=True) if r[0])
    assert summary["Content hash rule"].startswith(said)
    assert said in " ".join(_pdf_text(render(doc, ".pdf")).split())


@pytest.mark.parametrize("content_hash", [None, "8" * 64], ids=["golden", "widest"])
def test_the_pdf_prints_the_hash_on_one_line(content_hash):
    """Copied from the PDF, the hash must come whole: golden q4's wrapped its last digit onto
    a second line at 8 points. "8" is as wide as any hexadecimal digit in DejaVu Sans."""
    doc = ReturnDocument.from_json(json.loads(
        (GOLDEN / "q4-submitted.document.json").read_text("utf-8")))
    if content_hash:
        doc = dataclasses.replace(doc, content_hash=content_hash)
    lines = _pdf_text(render(doc, ".pdf")).splitlines()
    assert any(doc.content_hash in line for line in lines)


def test_draft_pdf_says_draft(caseload, actor_manager, tmp_path):
    with caseload.transaction() as s:
        build_caseload(s, actor_manager)
        doc = build_return(s, actor_manager, "TEST-SIB", "2026-Q3", as_of=AS_OF_Q3)
        export_return(s, actor_manager, doc, tmp_path / "draft.pdf")
    text = PdfReader(tmp_path / "draft.pdf").pages[0].extract_text()
    assert "DRAFT" in text


INDIGO_CHECKS = json.loads((Path(__file__).parent / "indigo_project_4_1_checks.json")
                           .read_text("utf-8"))


def assert_indigo_valid(data: bytes) -> dict:
    """Every INDIGO export is checked against the INDIGO 4.1 project schema's rules."""
    project = json.loads(data)
    jsonschema.Draft7Validator(INDIGO_CHECKS).validate(project)
    return project


def test_submitted_indigo_export_is_valid(submitted):
    _, folder = submitted
    assert_indigo_valid((folder / "return.json").read_bytes())


def test_draft_indigo_is_valid_and_claims_no_payment(caseload, actor_manager):
    with caseload.transaction() as s:
        build_caseload(s, actor_manager)
        doc = build_return(s, actor_manager, "TEST-SIB", "2026-Q3", as_of=AS_OF_Q3)
    project = assert_indigo_valid(render(doc, ".json"))
    assert project["outcome_payments"] == []
    assert "DRAFT" in project["notes"]["value"]
    made = project["overall_project_finance"]["total_outcome_payments_made"]
    assert made["amount"]["value"] == 0  # nothing submitted yet, so nothing paid


def test_indigo_with_no_cap_and_no_claims_is_valid(caseload, actor_manager):
    from test_returns_caseload import contract_document

    from linkworker.outcomes.store import save_contract

    with caseload.transaction() as s:
        build_caseload(s, actor_manager)
        save_contract(s, actor_manager, contract_document(caps={}))
        doc = build_return(s, actor_manager, "TEST-SIB", "2026-Q1", as_of=AS_OF_Q3)
    project = assert_indigo_valid(render(doc, ".json"))
    assert "maximum_potential_outcome_payment_v2" not in project["overall_project_finance"]


def test_the_indigo_checks_catch_a_null_count():
    bad = {"results": [{"number_with_positive_social_outcomes": {"value": None}}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(INDIGO_CHECKS).validate(bad)
