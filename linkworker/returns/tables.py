"""The return document as tables: the same rows and headings for XLSX, CSV, PDF and the screen.

Everything here reads only the public part of the document, so an export of a submitted
return depends on nothing but its frozen snapshot.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from linkworker.validation import format_date, format_money

CLAIM_COLUMNS = (
    "Line", "Kind", "Person", "Outcome id", "Outcome", "Unit", "Achieved on", "Late claim",
    "Price", "Amount", "Note", "Adjusts", "Reason", "Baseline date", "Baseline score",
    "Follow-up date", "Follow-up score", "Change", "Evidence",
)


def person_heading(doc: dict[str, Any]) -> str:
    if doc["contract"]["person_identifier"] == "reference":
        return "Person reference"
    return "Person ID (pseudonymised)"


def day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def claim_values(row: dict[str, Any]) -> list[Any]:
    """One claim row as typed values (dates as ``date``, money as float)."""
    ev = row.get("evidence") or {}
    base, follow = ev.get("baseline") or {}, ev.get("sustained") or ev.get("follow_up") or {}
    change = ev.get("sustained_change", ev.get("change"))
    return [
        row["line"], row["kind"], row["pseudonym"], row["outcome_id"], row["outcome"],
        row["unit"], day(row["achieved_on"]), "yes" if row["late"] else "", row["price"],
        row["amount"], row["note"], row["adjusts"], row["reason"], day(base.get("date")),
        base.get("score"), day(follow.get("date")), follow.get("score"), change,
        row["evidence_text"],
    ]


def summary_pairs(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """The headline facts of a return, as label/value text."""
    c, t, caps = doc["contract"], doc["totals"], doc["caps"]
    cur = c["currency"]
    submitted = doc.get("submitted") or {}
    pairs = [
        ("Contract", f"{c['name']} ({c['code']})"),
        ("Commissioner", c["commissioner"]),
        ("Provider(s)", ", ".join(c["providers"])),
        ("Investor", c.get("investor") or "None"),
        ("Contract dates", f"{format_date(day(c['start']))} to {format_date(day(c['end']))}"),
        ("Period", f"{doc['period']['label']}: {format_date(day(doc['period']['start']))} to "
                   f"{format_date(day(doc['period']['end']))}"),
        ("Status", "Submitted" if doc["status"] == "submitted" else "Draft (not submitted)"),
    ]
    if submitted:
        pairs.append(("Submitted", f"{format_date(day(submitted['on']))} by {submitted['by']}"))
    pairs += [
        ("Data as of", format_date(day(doc["as_of"]))),
        ("Claims", str(t["claims"])),
        ("People with claims", str(t["people"])),
        ("Late claims (achieved before the period)", str(t["late_claims"])),
        ("Amount claimed", format_money(t["claimed"], cur)),
        ("Adjustments", format_money(t["adjustments"], cur)),
        ("Net amount this return", format_money(t["net"], cur)),
        ("Claimed to date (after this return)", format_money(caps["claimed_after"], cur)),
    ]
    if caps.get("total_amount"):
        pairs.append(("Contract cap", format_money(caps["total_amount"], cur)))
    if caps.get("participants"):
        pairs.append(("Participant cap", f"{caps['participants_after']} of "
                                          f"{caps['participants']} people"))
    if caps.get("per_person_amount"):
        pairs.append(("Cap per person", format_money(caps["per_person_amount"], cur)))
    pairs.append(("Content hash (SHA-256)", doc["content_hash"]))
    return pairs


def outcome_rows(doc: dict[str, Any]) -> list[list[Any]]:
    return [
        [o["outcome_id"], o["name"], o["price"], o["claims"], o["amount"]]
        for o in doc["totals"]["by_outcome"]
    ]


def quality_rows(doc: dict[str, Any]) -> list[list[str]]:
    return [[q["pseudonym"], q["label"], q["severity"], q["message"]]
            for q in doc["data_quality"]]


def exclusion_rows(doc: dict[str, Any]) -> list[list[Any]]:
    return [[e["pseudonym"], e["outcome_id"], day(e["achieved_on"]), e["reason"]]
            for e in doc["exclusions"]]


def issue_counts(doc: dict[str, Any]) -> list[tuple[str, str, int]]:
    """(issue, severity, number of issues), most serious first."""
    counts: dict[tuple[str, str], int] = {}
    for q in doc["data_quality"]:
        counts[(q["label"], q["severity"])] = counts.get((q["label"], q["severity"]), 0) + 1
    return sorted(((k[0], k[1], n) for k, n in counts.items()),
                  key=lambda x: (x[1] != "blocks", x[0]))


def document_date(doc: dict[str, Any]) -> dt.date:
    """The one date an export's metadata carries: submission, else the data's date."""
    submitted = doc.get("submitted") or {}
    return dt.date.fromisoformat(submitted.get("on") or doc["as_of"])
