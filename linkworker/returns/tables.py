"""The return document as tables: the same rows and headings for XLSX, CSV, PDF and the screen.

Everything here reads only public fields of the ``ReturnDocument``, so an export of a
submitted return depends on nothing but its frozen snapshot.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from linkworker.returns.content_hash import RULES
from linkworker.returns.document import ClaimLine, ReturnDocument
from linkworker.validation import format_date, format_money

CLAIM_COLUMNS = (
    "Line", "Kind", "Person", "Outcome id", "Outcome", "Unit", "Achieved on", "Late claim",
    "Price", "Amount", "Note", "Adjusts", "Reason", "Baseline date", "Baseline score",
    "Follow-up date", "Follow-up score", "Change", "Evidence",
)


def claim_headings(doc: ReturnDocument) -> list[str]:
    headings = list(CLAIM_COLUMNS)
    headings[2] = doc.contract.person_heading
    return headings


def day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def claim_values(row: ClaimLine) -> list[Any]:
    """One claim row as typed values (dates as ``date``, money as ``Decimal``)."""
    ev = row.evidence or {}
    base, follow = ev.get("baseline") or {}, ev.get("sustained") or ev.get("follow_up") or {}
    change = ev.get("sustained_change", ev.get("change"))
    return [
        row.line, row.kind, row.pseudonym, row.outcome_id, row.outcome, row.unit,
        row.achieved_on, "yes" if row.late else "", row.price, row.amount, row.note,
        row.adjusts, row.reason, day(base.get("date")), base.get("score"),
        day(follow.get("date")), follow.get("score"), change, row.evidence_text,
    ]


def summary_cells(doc: ReturnDocument) -> list[tuple[str, Any]]:
    """The headline facts of a return as typed values: dates as ``date``, money as
    ``Decimal``, counts as ``int`` (the workbook writes them as real numbers and dates)."""
    c, t, caps = doc.contract, doc.totals, doc.caps
    cells: list[tuple[str, Any]] = [
        ("Contract", f"{c.name} ({c.code})"),
        ("Commissioner", c.commissioner),
        ("Provider(s)", ", ".join(c.providers)),
        ("Investor", c.investor or "None"),
        ("Contract start", c.start),
        ("Contract end", c.end),
        ("Period", doc.period.label),
        ("Period start", doc.period.start),
        ("Period end", doc.period.end),
        ("Status", "Submitted" if doc.is_submitted else "Draft (not submitted, nothing paid)"),
    ]
    if doc.submitted:
        cells += [("Submitted on", doc.submitted.on), ("Submitted by", doc.submitted.by)]
    cells += [
        ("Data as of", doc.as_of),
        ("Claims", t.claims),
        ("People with claims", t.people),
        ("Late claims (achieved before the period)", t.late_claims),
        ("Amount claimed", t.claimed),
        ("Adjustments", t.adjustments),
        ("Net amount this return", t.net),
        ("Claimed to date (after this return)", caps.claimed_after),
    ]
    if caps.total_amount:
        cells.append(("Contract cap", caps.total_amount))
    if caps.participants:
        cells += [("Participant cap (people)", caps.participants),
                  ("People claimed for to date", caps.participants_after)]
    if caps.per_person_amount:
        cells.append(("Cap per person", caps.per_person_amount))
    cells += [(HASH_LABEL, doc.content_hash), ("Content hash rule", hash_rule_text(doc.hash_rule))]
    return cells


HASH_LABEL = "Content hash (SHA-256)"
HOW_TO_CHECK = "docs/returns.md, \"Checking a return's content hash\""


def hash_rule_text(rule: int | None) -> str:
    """The rule the hash was taken by, printed beside it: a hash whose rule the reader cannot
    know cannot be checked (``returns.content_hash``). A document made before rules were
    named says so, and that both are tried."""
    if rule in RULES:
        return f"Rule {rule}: {RULES[rule][0]} ({HOW_TO_CHECK})"
    tried = ", then rule ".join(map(str, RULES))
    return f"Not named (made before rules were named): check by rule {tried} ({HOW_TO_CHECK})"


def as_text(value: Any, currency: str = "GBP") -> str:
    """A summary value as a person reads it: dd/mm/yyyy, £1,234.50."""
    if isinstance(value, Decimal):
        return format_money(value, currency)
    if isinstance(value, dt.date):
        return format_date(value)
    return str(value)


def summary_pairs(doc: ReturnDocument) -> list[tuple[str, str]]:
    """The headline facts of a return, as label/value text (the PDF and the screen)."""
    return [(label, as_text(value, doc.contract.currency)) for label, value in summary_cells(doc)]


def outcome_rows(doc: ReturnDocument) -> list[list[Any]]:
    return [[o.outcome_id, o.name, o.price, o.claims, o.amount] for o in doc.totals.by_outcome]


def quality_rows(doc: ReturnDocument) -> list[list[str]]:
    return [[q.pseudonym, q.label, q.severity, q.message] for q in doc.data_quality]


def exclusion_rows(doc: ReturnDocument) -> list[list[Any]]:
    return [[e.pseudonym, e.outcome_id, e.achieved_on, e.reason] for e in doc.exclusions]


def issue_counts(doc: ReturnDocument) -> list[tuple[str, str, int]]:
    """(issue, severity, number of issues), most serious first."""
    counts: dict[tuple[str, str], int] = {}
    for q in doc.data_quality:
        counts[(q.label, q.severity)] = counts.get((q.label, q.severity), 0) + 1
    return sorted(((k[0], k[1], n) for k, n in counts.items()),
                  key=lambda x: (x[1] != "blocks", x[0]))
