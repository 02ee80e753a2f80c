"""The SQLite query plans of what a piece of code really asks: tests that an index is used
check the plans of the statements sent, each with its own parameters, not a copy of the SQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event


def select_plans(caseload: Any, run: Callable[[], Any], about: str = "") -> str:
    """The plans of the SELECTs ``run`` sends (those mentioning ``about``, if given)."""
    sent = []

    def keep(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if statement.lstrip().upper().startswith("SELECT") and about in statement:
            sent.append((statement, parameters))

    event.listen(caseload.engine, "before_cursor_execute", keep)
    try:
        run()
    finally:
        event.remove(caseload.engine, "before_cursor_execute", keep)
    assert sent, f"nothing{' about ' + about if about else ''} was asked"
    with caseload.engine.connect() as conn:
        return "\n".join(row[3] for statement, parameters in sent
                         for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}",
                                                         parameters))
