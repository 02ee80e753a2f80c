"""A return's content hash can be checked from its document alone, by the documented rule:
the golden snapshots (hashed by the older rule) check, and any altered figure does not."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from linkworker.errors import UserError
from linkworker.returns import content_hash
from linkworker.returns.document import HASH_RULE, ReturnDocument

ROOT = Path(__file__).parent.parent
GOLDEN = ROOT / "tests" / "fixtures" / "returns_golden"
UNALTERED = ("q3-draft", "q3-submitted", "q4-submitted")


def _stored(name: str) -> dict:
    return json.loads((GOLDEN / f"{name}.document.json").read_text(encoding="utf-8"))


def _documented_recipe() -> str:
    """The Python block docs/returns.md gives a data person, less its last three lines (which
    read a file and print)."""
    text = (ROOT / "docs" / "returns.md").read_text(encoding="utf-8")
    block = re.search(r"content-hash-recipe.*?```python\n(.*?)```", text, re.S).group(1)
    return block.rsplit("\ndoc = ", 1)[0]


@pytest.mark.parametrize("name", UNALTERED)
def test_each_golden_snapshot_checks_by_the_rule_it_was_made_with(name):
    """Made before ``hash_rule`` existed, with the contract's prices hashed as the file wrote
    them ("100.0"): rule 1, said as such, not passed silently."""
    verdict = content_hash.verify(_stored(name))
    assert verdict.ok and verdict.rule == 1 and not verdict.declared
    recipe: dict = {}
    exec(_documented_recipe(), recipe)  # the docs' few lines of Python agree
    assert recipe["content_hash"](_stored(name), 1) == _stored(name)["content_hash"]
    assert recipe["content_hash"](_stored(name), 2) != _stored(name)["content_hash"]


@pytest.mark.parametrize(("where", "value"), [
    (("rows", 0, "amount"), "100.01"),  # one claim's money
    (("totals", "net"), "2060.01"),
    (("rows", 0, "pseudonym"), "P-000000000000"),  # who a claim is about
    (("contract", "outcomes", 0, "price"), "100.000"),  # same value, other text: rule 1's trap
    (("equality",), {}),
])
def test_altering_one_figure_fails_the_check(where, value):
    doc = _stored("q3-submitted")
    target = doc
    for key in where[:-1]:
        target = target[key]
    assert target[where[-1]] != value
    target[where[-1]] = value
    assert not content_hash.verify(doc).ok


def test_the_hand_edited_golden_snapshot_is_found_out():
    """q3-suppressed's Gender cells were edited by hand after it was hashed (its README)."""
    assert not content_hash.verify(_stored("q3-suppressed")).ok


def test_a_new_return_names_its_rule_and_checks_only_by_it(caseload, actor_manager):
    from test_returns_caseload import AS_OF_Q3, build_caseload

    from linkworker.returns.build import build_return

    with caseload.transaction() as s:
        build_caseload(s, actor_manager)
        doc = build_return(s, actor_manager, "TEST-SIB", "2026-Q3", as_of=AS_OF_Q3)
    stored = json.loads(json.dumps(doc.to_json()))
    assert stored["hash_rule"] == HASH_RULE == 2
    verdict = content_hash.verify(stored)
    assert verdict.ok and verdict.declared and verdict.rule == 2
    assert ReturnDocument.from_json(stored).to_json() == stored
    # Submitting or not is not content; the rule's number is not either.
    assert content_hash.verify(dict(stored, status="submitted", hash_rule=2)).ok
    # A return naming rule 2 is not passed by rule 1 (nor the other way round).
    assert not content_hash.verify(dict(stored, hash_rule=1)).ok
    legacy = dict(_stored("q3-draft"), hash_rule=2)
    assert not content_hash.verify(legacy).ok


@pytest.mark.parametrize("bad", [[], {"rows": []}, dict(_stored("q3-draft"), content_hash="x"),
                                 dict(_stored("q3-draft"), hash_rule=99),
                                 dict(_stored("q3-draft"), hash_rule="2")])
def test_what_is_not_a_hashed_return_is_refused_in_words(bad):
    with pytest.raises(UserError):
        content_hash.verify(copy.deepcopy(bad))


def test_a_money_figure_out_of_shape_fails_rule_1_rather_than_crashing():
    doc = _stored("q3-draft")
    doc["rows"][0]["price"] = ["100.00"]
    assert content_hash.contract_figures_as_written(doc) is None
    assert not content_hash.verify(doc).ok
