"""Small pieces of evidence text shared by the rule kinds (dates, scores, record ids)."""

from __future__ import annotations

import functools
from typing import Any

from linkworker.validation import format_date, parse_date


@functools.lru_cache(maxsize=4096)
def day_text(value: str | None) -> str:
    """dd/mm/yyyy from evidence's ISO date. Cached: a return words thousands of claims over
    a few hundred distinct days."""
    return format_date(parse_date(value)) if value else ""


def score(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def ref(record: dict[str, Any], ids: bool) -> str:
    """`` [id]`` in exports (the commissioner's audit trail); nothing on screen."""
    return f" [{record['id']}]" if ids else ""


def words(code: str | None) -> str:
    return (code or "").replace("_", " ")


def form_text(name: str, form: dict[str, Any], ids: bool) -> str:
    return f"{name} {day_text(form['date'])} score {score(form['score'])}" + ref(form, ids)
