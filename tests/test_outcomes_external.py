"""External outcomes: only consented people leave; results come back all-or-nothing."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from sqlalchemy import select
from test_returns_caseload import AS_OF_Q3, build_caseload

from linkworker.errors import UserError
from linkworker.models import Consent, ExternalResult
from linkworker.outcomes.eligibility import pseudonym
from linkworker.outcomes.external import export_cohort, import_results
from linkworker.outcomes.store import find_contract
from linkworker.returns.build import build_return

D = dt.date


@pytest.fixture
def world(caseload, actor_manager):
    with caseload.transaction() as s:
        _, b = build_caseload(s, actor_manager)
        for ref, withdrawn in (("P1", None), ("P2", D(2026, 6, 1)), ("P4", None)):
            s.add(Consent(person_id=b.people[ref], kind="external_matching", given=True,
                          recorded_on=D(2026, 1, 1), withdrawn_on=withdrawn))
    return caseload, b


def test_cohort_holds_only_people_with_valid_matching_consent(world, actor_manager, tmp_path):
    caseload, b = world
    with caseload.transaction() as s:
        contract = find_contract(s, "TEST-SIB")
        count = export_cohort(s, actor_manager, contract, tmp_path / "c.csv", on=D(2026, 10, 1))
        key = contract.pseudonym_key
    rows = list(csv.DictReader((tmp_path / "c.csv").open(encoding="utf-8")))
    assert count == 2
    assert {r["pseudonym"] for r in rows} == {pseudonym(key, b.people["P1"]),
                                              pseudonym(key, b.people["P4"])}
    assert rows[0]["date_of_birth"] == "1976-03-15"


def test_results_import_is_all_or_nothing_and_names_rows(world, actor_manager, tmp_path):
    caseload, b = world
    with caseload.transaction() as s:
        contract = find_contract(s, "TEST-SIB")
        p1 = pseudonym(contract.pseudonym_key, b.people["P1"])
    bad = tmp_path / "bad.csv"
    bad.write_text("pseudonym,outcome_id,achieved,achieved_on\n"
                   f"{p1},EXT,yes,01/09/2026\nP-000000000000,EXT,yes,01/09/2026\n"
                   f"{p1},ENG,maybe,\n", encoding="utf-8")
    with caseload.transaction() as s, pytest.raises(UserError) as info:
        import_results(s, actor_manager, find_contract(s, "TEST-SIB"), bad)
    message = str(info.value)
    assert "row 3: no person on this contract" in message
    assert "row 4: outcome_id 'ENG' is not an external outcome" in message
    assert "row 4: achieved must be yes or no" in message
    with caseload.reading() as s:
        assert len(s.execute(select(ExternalResult)).scalars().all()) == 2  # fixture's own

    good = tmp_path / "good.csv"
    good.write_text(f"pseudonym,outcome_id,achieved,achieved_on,value\n"
                    f"{p1},EXT,yes,2026-09-01,-950.5\n", encoding="utf-8")
    with caseload.transaction() as s:
        result = import_results(s, actor_manager, find_contract(s, "TEST-SIB"), good)
    assert (result.created, result.updated) == (1, 0)
    with caseload.transaction() as s:
        doc = build_return(s, actor_manager, "TEST-SIB", "2026-Q3", as_of=AS_OF_Q3)
    ext = [r for r in doc.rows if r.outcome_id == "EXT"]
    assert len(ext) == 2
    assert any(r.evidence["external"]["value"] == -950.5 and r.achieved_on == dt.date(2026, 9, 1)
               for r in ext)
    with caseload.transaction() as s:  # the same file again updates, never duplicates
        assert import_results(s, actor_manager, find_contract(s, "TEST-SIB"), good).updated == 1


def test_non_finite_values_and_an_unwritable_cohort_are_clear_errors(caseload, actor_manager,
                                                                     tmp_path):
    from linkworker.errors import UserError
    from linkworker.outcomes.external import export_cohort, import_results
    from linkworker.outcomes.store import find_contract

    results = tmp_path / "r.csv"
    results.write_text("pseudonym,outcome_id,achieved,achieved_on,value\n"
                       "P-1,EXT,yes,2026-08-01,NaN\n", "utf-8")
    with caseload.transaction() as s:
        build_caseload(s, actor_manager)
        contract = find_contract(s, "TEST-SIB")
        with pytest.raises(UserError, match="is not a number"):
            import_results(s, actor_manager, contract, results)
        blocker = tmp_path / "file"
        blocker.write_text("x")
        with pytest.raises(UserError, match="Could not write"):
            export_cohort(s, actor_manager, contract, blocker / "cohort.csv")
