"""Evidence in words: one line per claim naming the records that prove it (ids and dates)."""

from __future__ import annotations

from typing import Any

from linkworker.validation import format_date, parse_date


def _day(value: str | None) -> str:
    return format_date(parse_date(value)) if value else ""


def _score(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _form(name: str, form: dict[str, Any], ids: bool = True) -> str:
    return f"{name} {_day(form['date'])} score {_score(form['score'])}" + _ref(form, ids)


def _ref(record: dict[str, Any], ids: bool) -> str:
    return f" [{record['id']}]" if ids else ""


def _words(code: str | None) -> str:
    return (code or "").replace("_", " ")


def evidence_text(evidence: dict[str, Any], *, ids: bool = True) -> str:
    """E.g. ``baseline 03/02/2026 score 40 [id]; follow-up 04/08/2026 score 45 [id]; change +5``.

    Exports keep the record ids (the commissioner's audit trail); the screen leaves them out
    (``ids=False``) so a manager reads dates, scores and kinds, not cut-off identifiers."""
    parts: list[str] = []
    if start := evidence.get("start"):
        parts.append(f"{start['from'].replace('_', ' ')} {_day(start['date'])}")
    for c in evidence.get("contacts", ()):
        mode = f" ({_words(c.get('mode'))})" if not ids and c.get("mode") else ""
        parts.append(f"contact {_day(c['date'])}{mode}" + _ref(c, ids))
    if "baseline" in evidence:
        parts.append(_form(f"{evidence['instrument']} baseline", evidence["baseline"], ids))
    if "follow_up" in evidence:
        parts.append(_form("follow-up", evidence["follow_up"], ids))
    if "change" in evidence:
        parts.append(f"change {evidence['change']:+g}")
    if "sustained" in evidence:
        parts.append(_form("sustained", evidence["sustained"], ids))
        parts.append(f"change {evidence['sustained_change']:+g}")
    for g in evidence.get("goals", ()):
        parts.append(f"goal {_words(g['category'])} {g['status']} {_day(g['date'])}"
                     + _ref(g, ids))
    if exit_ := evidence.get("exit"):
        parts.append(f"exit {_day(exit_['date'])} ({_words(exit_['reason'])})")
    if ext := evidence.get("external"):
        value = "" if ext.get("value") is None else f" value {_score(ext['value'])}"
        parts.append(f"commissioner result {_day(ext['date'])}{value}" + _ref(ext, ids)
                     + (f" from {ext['source']}" if ext.get("source") else ""))
    return "; ".join(parts)
