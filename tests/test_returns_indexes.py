"""The return reads its people, consents and forms from migration 0009's covering indexes, and
the content hash stays the value stored with every golden return.

A return's cost is mostly the encrypted pages it reads: a person's row is a page of its own,
and a lookup per person in an index ordered by person first is a page per person. The plans
checked here are those of the statements ``outcomes.facts`` really sends (traced on the
connection: it reads through the DB-API cursor, not SQLAlchemy)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_returns_caseload import AS_OF_Q3, build_caseload

from linkworker.returns.build import build_return
from linkworker.returns.document import ReturnDocument

GOLDEN = Path(__file__).parent / "fixtures" / "returns_golden"


def _return_plans(caseload, actor) -> dict[str, str]:
    """{statement: its plan} for each statement a return build sends to SQLite."""
    sent: list[str] = []
    with caseload.transaction() as s:
        build_caseload(s, actor)
    with caseload.reading() as s:
        raw = s.connection().connection.driver_connection
        raw.set_trace_callback(sent.append)  # the statements as run, parameters bound
        try:
            build_return(s, actor, "TEST-SIB", "2026-Q3", as_of=AS_OF_Q3)
        finally:
            raw.set_trace_callback(None)
        cursor = raw.cursor()
        return {sql: "\n".join(row[3] for row in cursor.execute(f"EXPLAIN QUERY PLAN {sql}"))
                for sql in sent if sql.lstrip().upper().startswith("SELECT")}


def _plan_of(plans: dict[str, str], *words: str) -> str:
    found = [plan for sql, plan in plans.items() if all(w in sql for w in words)]
    assert len(found) == 1, f"{len(found)} statements with {words}"
    return found[0]


def test_the_return_reads_people_consents_and_forms_from_the_0009_indexes(caseload,
                                                                          actor_manager):
    plans = _return_plans(caseload, actor_manager)
    people = _plan_of(plans, "FROM episodes e JOIN people p")
    assert "USING COVERING INDEX ix_people_return" in people
    assert "sqlite_autoindex_people" not in people  # the unique index reads each row
    consents = _plan_of(plans, "FROM consents", "kind IN")
    assert "USING COVERING INDEX ix_consents_kind_person (kind=? AND person_id=?)" in consents
    forms = _plan_of(plans, "FROM measures m", "m.instrument IN")
    assert ("USING COVERING INDEX ix_measures_instrument_forms (instrument=? AND person_id=?)"
            in forms)


def test_a_statement_that_finds_forms_by_journey_does_not_take_the_return_index(caseload):
    """Without statistics SQLite would take any index that starts with the instrument for a
    statement naming one, even where it finds forms by journey, and then scan the
    instrument's range once per journey (139 s for the bench's SQL at 50,000 people). The
    return's index is partial, so only a statement saying ``complete IN (false, true)`` takes
    it."""
    with caseload.engine.connect() as conn:
        plan = "\n".join(row[3] for row in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT m.value FROM episodes e CROSS JOIN measures m "
            "ON m.episode_id = e.id WHERE e.contract_id = 'c' AND m.instrument = 'WEMWBS' "
            "AND m.complete"))
    assert "ix_measures_instrument_forms" not in plan
    assert "ix_measures_episode" in plan


# The hash of each golden snapshot as main computed it before the return's stop-23 changes.
# (Not the ``content_hash`` the snapshots carry: those were taken by the older rule 1, with the
# contract's prices as the file wrote them; tests/test_returns_content_hash.py checks them.)
MAINS_HASHES = {
    "q3-draft": "9b790ffbb8ee49a9867c77ed1191021bf3243896ae7f86900348450e50e990ad",
    "q3-suppressed": "7ded879ec3b4578f5fe47bb03e358678f850d4ff98d061fd55ec69265b2dbdd9",
    "q4-submitted": "0b9c1278c0c035048276d1df28bfe84ee8253c9945e66ce1968469434472e973",
}


@pytest.mark.parametrize("name", sorted(MAINS_HASHES))
def test_the_content_hash_of_each_golden_return_is_the_one_main_computed(name):
    """The hash stops an outcome being claimed twice and is printed on every export: the
    same return must hash to the same value whatever makes the JSON it is taken over."""
    stored = json.loads((GOLDEN / f"{name}.document.json").read_text(encoding="utf-8"))
    doc = ReturnDocument.from_json(stored)
    assert doc.compute_hash() == MAINS_HASHES[name]
    assert any(row.evidence for row in doc.rows)  # evidence dicts and money are hashed
