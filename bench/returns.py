"""Benchmark: the outcome return over the bench caseload, beside a hand-written SQL floor.

    python -m bench.returns --db bench.db [--contract SAMPLE-SP-SIB] [--period 2026-Q3]

The floor is one rule (engagement: first attended contact within N days of referral) written
as a single SQL query: the least work any implementation must do. The full return evaluates
every rule of the contract, the ledger, caps, data quality and the equality and wellbeing
summaries, so it is expected to cost a small multiple of the floor, not orders of magnitude.
Both results are checked to agree on that rule's count. ``measure`` puts the build (the last
full quarter, as the manager's default), the one-rule comparison and the PDF/XLSX/CSV exports
in ``python -m bench``'s table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench.common import PASSPHRASE, Bench, Row, in_child, timed
from linkworker.access import SYSTEM
from linkworker.outcomes.facts import load_facts
from linkworker.outcomes.kinds import achievements
from linkworker.outcomes.rules import RuleContext
from linkworker.outcomes.store import definition_of, find_contract
from linkworker.returns.build import build_return
from linkworker.storage.database import Caseload

FLOOR_SQL = text("""
    SELECT e.id, MIN(c.contact_date)
    FROM episodes e JOIN contacts c ON c.episode_id = e.id
    WHERE e.contract_id = :contract AND c.status = 'attended'
      AND c.contact_date >= e.referral_date
      AND julianday(c.contact_date) - julianday(e.referral_date) <= :days
    GROUP BY e.id
""")


def _engagement_outcome(cdef):
    for outcome in cdef.outcomes:
        rule = outcome.rule
        if (rule.kind == "engagement" and rule.start == "referral" and rule.contacts == 1
                and not rule.modes and not rule.purposes):
            return outcome
    raise SystemExit("the contract has no simple engagement-from-referral outcome to compare")


def benchmarks(caseload: Caseload, contract: str = "SAMPLE-SP-SIB",
               period: str = "2026-Q3") -> dict[str, Callable[[], object]]:
    """Named work functions for the bench registry (each returns a count to check)."""
    with caseload.reading() as s:
        row = find_contract(s, contract)
        contract_id, cdef = row.id, definition_of(row)
    outcome = _engagement_outcome(cdef)

    def floor() -> int:
        with caseload.reading() as s:
            return len(s.execute(FLOOR_SQL, {"contract": contract_id,
                                             "days": outcome.rule.within_days}).all())

    def one_rule() -> int:
        with caseload.reading() as s:
            facts = load_facts(s, contract_id, cdef, today=dt.date.today())
        return len(achievements(outcome, facts, RuleContext({}, {})))

    def full_return() -> int:
        with caseload.reading() as s:
            return build_return(s, SYSTEM, contract, period)["totals"]["claims"]

    return {"returns.sql_floor_one_rule": floor, "returns.engine_one_rule": one_rule,
            "returns.full_return": full_return}


def run(path: str, contract: str = "SAMPLE-SP-SIB", period: str | None = None) -> dict[str, Any]:
    """Runs in a child: cold open, the SQL floor, the full return, and its three exports.

    Everything happens in a read-only session, so the export audit lines are rolled back and
    the cached caseload is left as it was."""
    from linkworker.returns.export import export_return
    from linkworker.returns.period import previous_quarter

    period = period or previous_quarter()
    with Caseload.open(Path(path), PASSPHRASE) as caseload:
        work = benchmarks(caseload, contract, period)
        seconds, results = {}, {}
        for name in ("returns.sql_floor_one_rule", "returns.engine_one_rule"):
            results[name], seconds[name] = timed(work[name])
        with caseload.reading() as s, tempfile.TemporaryDirectory() as folder:
            doc, seconds["build"] = timed(build_return, s, SYSTEM, contract, period)
            for ext in ("pdf", "xlsx", "csv"):
                out = Path(folder) / f"return.{ext}"
                _, seconds[ext] = timed(export_return, s, SYSTEM, doc, out)
    return {"s": {k: round(v, 2) for k, v in seconds.items()}, "totals": doc["totals"],
            "period": period,
            "agree": results["returns.sql_floor_one_rule"]
            == results["returns.engine_one_rule"], "people": len(doc["rows"])}


def measure(bench: Bench) -> list[Row]:
    result = in_child("bench.returns:run", str(bench.path))
    if "error" in result:
        return [Row("Outcome return", "n/a", note=result["error"])]
    s, totals = result["s"], result["totals"]
    agree = "agrees" if result["agree"] else "DISAGREES"
    return [
        Row(f"Return {result['period']}: build (all rules)", f"{s['build']:.2f} s",
            result["rss_mb"],
            f"{totals['claims']:,} claims for {totals['people']:,} people"),
        Row("Return: one rule, engine vs SQL floor",
            f"{s['returns.engine_one_rule']:.2f} s",
            note=f"floor {s['returns.sql_floor_one_rule']:.2f} s; {agree} on the count"),
        Row("Return export PDF / XLSX / CSV", f"{s['pdf'] + s['xlsx'] + s['csv']:.2f} s",
            note=f"{s['pdf']:.2f} / {s['xlsx']:.2f} / {s['csv']:.2f} s"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--contract", default="SAMPLE-SP-SIB")
    parser.add_argument("--period", default="2026-Q3")
    args = parser.parse_args(argv)
    with Caseload.open(args.db) as caseload:
        results = {}
        for name, work in benchmarks(caseload, args.contract, args.period).items():
            start = time.perf_counter()
            results[name] = work()
            print(f"{name:<32} {time.perf_counter() - start:8.2f} s   result {results[name]}")
    if results["returns.sql_floor_one_rule"] != results["returns.engine_one_rule"]:
        print("MISMATCH: the engine and the SQL floor disagree on the engagement rule")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
