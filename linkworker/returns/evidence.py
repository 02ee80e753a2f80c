"""Evidence in words: one line per claim naming the records that prove it (ids and dates)."""

from __future__ import annotations

from typing import Any

from linkworker.validation import format_date, parse_date


def _day(value: str | None) -> str:
    return format_date(parse_date(value)) if value else ""


def _score(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _form(name: str, form: dict[str, Any]) -> str:
    return f"{name} {_day(form['date'])} score {_score(form['score'])} [{form['id']}]"


def evidence_text(evidence: dict[str, Any]) -> str:
    """E.g. ``baseline 03/02/2026 score 40 [id]; follow-up 04/08/2026 score 45 [id]; change +5``."""
    parts: list[str] = []
    if start := evidence.get("start"):
        parts.append(f"{start['from'].replace('_', ' ')} {_day(start['date'])}")
    for c in evidence.get("contacts", ()):
        parts.append(f"contact {_day(c['date'])} [{c['id']}]")
    if "baseline" in evidence:
        parts.append(_form(f"{evidence['instrument']} baseline", evidence["baseline"]))
    if "follow_up" in evidence:
        parts.append(_form("follow-up", evidence["follow_up"]))
    if "change" in evidence:
        parts.append(f"change {evidence['change']:+g}")
    if "sustained" in evidence:
        parts.append(_form("sustained", evidence["sustained"]))
        parts.append(f"change {evidence['sustained_change']:+g}")
    for g in evidence.get("goals", ()):
        parts.append(f"goal {g['category']} {g['status']} {_day(g['date'])} [{g['id']}]")
    if exit_ := evidence.get("exit"):
        parts.append(f"exit {_day(exit_['date'])} ({exit_['reason']})")
    if ext := evidence.get("external"):
        value = "" if ext.get("value") is None else f" value {_score(ext['value'])}"
        parts.append(f"commissioner result {_day(ext['date'])}{value} [{ext['id']}]"
                     + (f" from {ext['source']}" if ext.get("source") else ""))
    return "; ".join(parts)
