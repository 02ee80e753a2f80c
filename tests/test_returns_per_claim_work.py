"""What a return build does once per outcome, not once per claim or per journey.

Counted with ``cProfile`` (Python function calls), never timed. Every claim line of an outcome
shares the outcome, its price to the penny and the kind that words its evidence: looked up once
per outcome, not rounded and looked up again for each of a 50,000-person return's ~2,800
claims. And a rule asks the loaded facts for its start date directly (``Facts.anchor``), not
through a wrapper frame called once per journey and rule (~15,000 calls at 50,000 people).
"""

from __future__ import annotations

import cProfile
import datetime as dt
import pstats

import pytest
from conftest import TEST_PASSPHRASE
from test_returns_sql_rules import _contract, _save

from linkworker.access import SYSTEM
from linkworker.outcomes.facts import Facts
from linkworker.outcomes.store import save_contract
from linkworker.returns import money as money_module
from linkworker.returns.build import build_return
from linkworker.storage.database import Caseload


def _calls_by_function(path) -> tuple[dict[str, int], dict[str, dict[str, int]], int]:
    """(calls per function, {function: {caller: calls}}, claims) of one build."""
    with Caseload.open(path, TEST_PASSPHRASE) as caseload, caseload.reading() as s:
        build_return(s, SYSTEM, "PC1", "2026-Q3", as_of=dt.date(2026, 10, 1))  # warm
        profile = cProfile.Profile()
        profile.enable()
        doc = build_return(s, SYSTEM, "PC1", "2026-Q3", as_of=dt.date(2026, 10, 1))
        profile.disable()
    calls: dict[str, int] = {}
    callers: dict[str, dict[str, int]] = {}
    for (file, _line, name), (_cc, count, _tt, _ct, by) in pstats.Stats(profile).stats.items():
        key = f"{file}:{name}"
        calls[key] = calls.get(key, 0) + count
        mine = callers.setdefault(key, {})
        for (f, _l, n), counts in by.items():
            mine[f"{f}:{n}"] = mine.get(f"{f}:{n}", 0) + counts[1]
    return calls, callers, doc.totals.claims


def _count(calls: dict[str, int], file_end: str, name: str) -> int:
    return sum(n for key, n in calls.items()
               if key.endswith(f"{file_end}:{name}"))


@pytest.fixture(scope="module")
def profiled(tmp_path_factory) -> tuple[dict[str, int], dict[str, dict[str, int]], int]:
    """One profiled build of a 60-journey return (built once for this module's tests)."""
    path = tmp_path_factory.mktemp("per_claim") / "c.db"
    journeys = [{"referral": 95 + n % 40, "meeting": 3, "exit": None,
                 "goals": [(20, "achieved")], "forms": [(0, 40), (180, 50)],
                 "same_person": False,
                 "contacts": [(d, "attended", "phone", "support") for d in (3, 10, 17, 30)]}
                for n in range(60)]
    with Caseload.create(path, TEST_PASSPHRASE) as caseload, caseload.transaction() as s:
        contract = save_contract(s, SYSTEM, _contract("PC1"))
        _save(s, contract.id, journeys)
    return _calls_by_function(path)


def test_claim_lines_share_their_outcomes_price_and_kind(profiled):
    calls, callers, claims = profiled
    assert claims > 60  # a real return: more claims than outcomes, several per journey
    outcomes = len(_contract("PC1")["outcomes"])
    # ``money``: once per admitted claim (the capped amount), once per outcome (its price, for
    # the claims and the totals each) and a few caps; no longer a second time per claim.
    assert _count(calls, money_module.__file__, "money") <= claims + 3 * outcomes + 4
    # The registry of rule kinds: once per outcome for the claims, not twice per claim's
    # evidence text.
    registry = next(v for k, v in callers.items() if k.endswith("kinds/__init__.py:kinds"))
    assert sum(n for caller, n in registry.items()
               if caller.endswith(("evidence.py:evidence_text", "build.py:_claim_line",
                                   "build.py:_claim_terms", "build.py:<dictcomp>"))) <= outcomes


def test_rules_ask_the_facts_for_their_start_without_a_wrapper(profiled):
    calls, callers, claims = profiled
    anchor = f"{Facts.anchor.__code__.co_filename}:anchor"
    assert calls[anchor] > claims  # asked per journey and rule
    assert all("/kinds/" in caller for caller in callers[anchor]), callers[anchor]
