"""Exporting a return: XLSX, CSV, PDF cover report and INDIGO JSON, chosen by extension.

Each format is a pure function of the ``ReturnDocument`` (reading only its public fields:
nothing private can reach a file), and every piece of metadata
(workbook and PDF creation dates, PDF ids) is fixed from the document's own date, so exporting
the same submitted return twice gives the same bytes, whatever has changed in the caseload
since. Files are written atomically and every export is in the audit trail.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from linkworker import audit
from linkworker.access import Actor, require
from linkworker.errors import UserError
from linkworker.outcomes.kinds import kinds
from linkworker.returns.document import OutcomeTotal, ReturnDocument
from linkworker.returns.equality import MIN_CELL
from linkworker.returns.tables import (
    claim_headings,
    claim_values,
    exclusion_rows,
    outcome_rows,
    quality_rows,
    summary_cells,
)
from linkworker.storage.files import atomic_write_bytes

# --- XLSX -----------------------------------------------------------------------------------


def to_xlsx(doc: ReturnDocument) -> bytes:
    """The commissioner's working copy: summary, claims, equality, data quality, exclusions."""
    import xlsxwriter

    c = doc.contract
    buffer = io.BytesIO()
    created = dt.datetime.combine(doc.document_date, dt.time(12, 0))
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    book.set_properties({
        "title": f"Outcome return {doc.period.label}: {c.name}",
        "author": "LinkWorker", "company": ", ".join(c.providers),
        "created": created,
    })
    bold = book.add_format({"bold": True})
    date = book.add_format({"num_format": "dd/mm/yyyy"})
    money = book.add_format({"num_format": "£#,##0.00;-£#,##0.00"
                             if c.currency == "GBP" else "#,##0.00"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})

    sheet = book.add_worksheet("Summary")
    sheet.set_column(0, 0, 42)
    sheet.set_column(1, 1, 70)
    cells = summary_cells(doc)
    for r, (label, value) in enumerate(cells):
        sheet.write_string(r, 0, label, bold)
        _cell(sheet, r, 1, value, date, money if isinstance(value, Decimal) else None)
    top = len(cells) + 1
    sheet.write_row(top, 0, ["Outcome", "Name", "Price", "Claims", "Amount"], bold)
    for r, row in enumerate(outcome_rows(doc), start=top + 1):
        sheet.write_row(r, 0, row[:2])
        _cell(sheet, r, 2, row[2], date, money)
        _cell(sheet, r, 3, row[3], date, None)
        _cell(sheet, r, 4, row[4], date, money)

    sheet = book.add_worksheet("Claims")
    headings = claim_headings(doc)
    sheet.write_row(0, 0, headings, bold)
    sheet.freeze_panes(1, 0)
    sheet.set_column(0, 17, 13)
    sheet.set_column(18, 18, 90)
    for r, row in enumerate(doc.rows, start=1):
        for col, value in enumerate(claim_values(row)):
            _cell(sheet, r, col, value, date, money if col in (8, 9) else None)
    if doc.rows:
        sheet.autofilter(0, 0, len(doc.rows), len(headings) - 1)

    sheet = book.add_worksheet("Equality")
    sheet.set_column(0, 0, 28)
    r = 0
    for breakdown in doc.equality:
        sheet.write_row(r, 0, [breakdown.name, "People with claims"], bold)
        for cell in breakdown.cells:
            r += 1
            sheet.write_string(r, 0, cell.label)
            _cell(sheet, r, 1, cell.shown, date, None)
        r += 2
    sheet.write_string(r, 0, doc.equality_note, wrap)

    person = c.person_heading
    _table_sheet(book, "Data quality", [person, "Issue", "Effect", "Detail"],
                 quality_rows(doc), bold, date, widths=(24, 32, 10, 90))
    _table_sheet(book, "Not claimed", [person, "Outcome", "Achieved on", "Reason"],
                 exclusion_rows(doc), bold, date, widths=(24, 12, 12, 70))
    _table_sheet(book, "Outcomes", ["Id", "Name", "Definition", "Price", "Max per person",
                                    "Evidence", "Rule kind"],
                 [[o.id, o.name, o.definition, o.price, o.max_per_person, o.evidence, o.kind]
                  for o in c.outcomes],
                 bold, date, widths=(10, 30, 70, 10, 14, 50, 16))
    book.close()
    return buffer.getvalue()


def _cell(sheet, r: int, c: int, value: Any, date_format, number_format) -> None:
    if value is None or value == "":
        sheet.write_blank(r, c, None)
    elif isinstance(value, bool):
        sheet.write_boolean(r, c, value)
    elif isinstance(value, dt.date):
        sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
    elif isinstance(value, int | float | Decimal):
        sheet.write_number(r, c, float(value), number_format)
    else:
        sheet.write_string(r, c, str(value))


def _table_sheet(book, name: str, headings: list[str], rows: list[list[Any]], bold, date,
                 widths: tuple[int, ...]) -> None:
    sheet = book.add_worksheet(name)
    sheet.write_row(0, 0, headings, bold)
    sheet.freeze_panes(1, 0)
    for c, width in enumerate(widths):
        sheet.set_column(c, c, width)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            _cell(sheet, r, c, value, date, None)


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


# --- CSV ------------------------------------------------------------------------------------


def to_csv(doc: ReturnDocument) -> bytes:
    """One row per claim (and adjustment); ISO dates; UTF-8 with a BOM so Excel reads £."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Contract", "Period"] + claim_headings(doc))
    for row in doc.rows:
        values = [_csv_value(v) for v in claim_values(row)]
        writer.writerow([doc.contract.code, doc.period.label] + values)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# --- INDIGO ---------------------------------------------------------------------------------


def _v(value: Any) -> dict[str, Any]:
    """An INDIGO ``{"value": ...}`` object; money goes out as a JSON number whose text is the
    exact amount (a two-decimal ``Decimal`` converts to the float that prints as itself)."""
    return {"value": float(value) if isinstance(value, Decimal) else value}


def _result(t: OutcomeTotal, span: dict[str, Any]) -> dict[str, Any]:
    """One outcome's result. A count of 1 to 4 people is left out (INDIGO numbers cannot be
    null) and the text beside it gives no count either, so it cannot be worked back."""
    result = {"outcome_metric_id": _v(t.outcome_id), "result_level": _v("Outcome level"),
              "result_type": _v("Interim"), "period": span}
    if 0 < t.people < MIN_CELL:
        result["outcomes_achieved"] = _v(f"{t.name}: achieved by fewer than {MIN_CELL} people")
        result["notes"] = (f"The number of people is not shown: fewer than {MIN_CELL}, "
                           "suppressed to protect privacy.")
    else:
        result["outcomes_achieved"] = _v(f"{t.name}: {t.claims} outcome(s) claimed")
        result["number_with_positive_social_outcomes"] = _v(t.people)
    return result


def to_indigo(doc: ReturnDocument) -> bytes:
    """Project-level totals shaped like the INDIGO impact bond data standard (project schema
    4.1: outcome_metrics, outcome_pricings, results, outcome_payments). A draft says so and
    reports no payment for its period; only a submitted return lists its outcome payments."""
    c, period = doc.contract, doc.period
    cur, submitted = c.currency, doc.is_submitted
    span = {"start_date": _v(period.start.isoformat()), "end_date": _v(period.end.isoformat())}
    known = kinds()
    paid = doc.caps.claimed_after if submitted else doc.caps.claimed_before
    finance: dict[str, Any] = {
        "total_outcome_payments_made": {"currency": _v(cur), "amount": _v(paid)}}
    if c.caps.total_amount is not None:
        finance["maximum_potential_outcome_payment_v2"] = {
            "currency": _v(cur), "amount": _v(c.caps.total_amount)}
    project: dict[str, Any] = {
        "name": _v(c.name),
        "dates": {"start_date_of_service_provision": _v(c.start.isoformat()),
                  "anticipated_end_date_of_service_provision": _v(c.end.isoformat())},
        "overall_project_finance": finance,
        "outcome_metrics": [
            {"id": o.id, "definition": _v(o.definition),
             "unit_type_of_targeted_service_users_or_beneficiaries": _v("Individual"),
             "outcome_validation_method": _v(known[o.kind].indigo_validation
                                             if o.kind in known
                                             else "Simple ex-post verification"),
             "data_source_for_outcome_validation": _v(o.evidence),
             "policy_sector": _v("Health")}
            for o in c.outcomes
        ],
        "outcome_pricings": [
            {"outcome_metric_id": _v(o.id), "currency": _v(cur),
             "price_per_unit": {"amount": _v(o.price)},
             "price_description": _v(f"{o.name}: up to {o.max_per_person} per person")}
            for o in c.outcomes
        ],
        "results": [_result(t, span) for t in doc.totals.by_outcome],
        "outcome_payments": [
            {"outcome_metric_id": _v(t.outcome_id), "period": span, "type": _v("Actual"),
             "money": {"currency": _v(cur), "amount": _v(t.amount)}}
            for t in doc.totals.by_outcome
        ] if submitted else [],
    }
    if not submitted:
        project["notes"] = _v(f"DRAFT return for {period.label}, not submitted: its figures "
                              "are not payments, and payments made count submitted returns "
                              "only.")
    return (json.dumps(project, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


# --- dispatch -------------------------------------------------------------------------------


def _pdf(doc: ReturnDocument) -> bytes:
    from linkworker.returns.report_pdf import to_pdf

    return to_pdf(doc)


def to_document(doc: ReturnDocument) -> bytes:
    """The return document itself: what its content hash is taken over, so an auditor can
    check it (``linkworker returns verify``)."""
    return (json.dumps(doc.to_json(), indent=1, ensure_ascii=False) + "\n").encode("utf-8")


DOCUMENT_SUFFIX = ".document.json"
FORMATS: dict[str, tuple[str, Callable[[ReturnDocument], bytes]]] = {
    ".xlsx": ("XLSX workbook", to_xlsx),
    ".csv": ("CSV of claims", to_csv),
    ".pdf": ("PDF cover report", _pdf),
    ".json": ("INDIGO JSON", to_indigo),
    DOCUMENT_SUFFIX: ("return document (JSON, for checking its content hash)", to_document),
}


def format_of(path: Path | str) -> str:
    """The format a file name asks for: its extension, or the two of NAME.document.json."""
    path = Path(path)
    return DOCUMENT_SUFFIX if path.name.lower().endswith(DOCUMENT_SUFFIX) else path.suffix.lower()


def _stored_document(session: Session, doc: ReturnDocument) -> bytes:
    """A submitted return's document exactly as it was stored, so a return hashed by an older
    rule (or holding money as numbers, as the first ones did) still checks."""
    from linkworker.outcomes.store import find_contract
    from linkworker.returns.build import submitted_return

    ret = submitted_return(session, find_contract(session, doc.contract.code).id,
                           doc.period.label)
    if ret is None or not ret.snapshot:
        return to_document(doc)
    return (json.dumps(ret.snapshot, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def render(doc: ReturnDocument, suffix: str) -> bytes:
    suffix = suffix.lower()
    if suffix not in FORMATS:
        raise UserError(f"Returns export as {', '.join(FORMATS)}; {suffix or 'no extension'} "
                        "is not one of them.")
    return FORMATS[suffix][1](doc)


def export_return(session: Session, actor: Actor, doc: ReturnDocument, path: Path | str) -> Path:
    """Write ``doc`` to ``path`` in the format its extension names; audited."""
    require(actor, "return.build")
    path = Path(path)
    fmt = format_of(path)
    data = (_stored_document(session, doc) if fmt == DOCUMENT_SUFFIX and doc.is_submitted
            else render(doc, fmt))
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise UserError(f"Could not write {path}: {exc.strerror or exc}.") from None
    audit.record(session, actor, "return.export", entity="contract",
                 details={"contract": doc.contract.code, "period": doc.period.label,
                          "status": doc.status, "format": fmt,
                          "hash": doc.content_hash})
    return path

