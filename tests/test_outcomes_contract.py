"""The contract format: the shipped sample, every rule kind, and errors that name the field."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from test_returns_caseload import CONTRACT, contract_document

from linkworker.errors import UserError
from linkworker.models import Contract
from linkworker.outcomes.contract import (
    RULE_KINDS,
    ContractFileError,
    contract_problems,
    load_contract_file,
    parse_contract,
)
from linkworker.outcomes.eligibility import pseudonym
from linkworker.outcomes.sample import install_sample_contract
from linkworker.outcomes.store import find_contract, list_contracts, save_contract
from linkworker.resources import resource_path
from linkworker.returns.period import parse_period, previous_quarter


def test_the_shipped_sample_is_valid_and_uses_every_rule_kind():
    sample = load_contract_file(resource_path("contracts", "sample-sib.json"),
                                instruments=frozenset({"WEMWBS", "SWEMWBS", "ONS4"}))
    assert sample.currency == "GBP" and sample.investor
    assert (sample.end - sample.start).days > 540  # an 18-month programme
    assert {o.rule.kind for o in sample.outcomes} == set(RULE_KINDS)
    assert any(getattr(o.rule, "sustained", None) for o in sample.outcomes)


def test_install_sample_is_idempotent_and_keeps_its_key(caseload):
    with caseload.transaction() as s:
        first = install_sample_contract(s)
        key = first.pseudonym_key
    with caseload.transaction() as s:
        again = install_sample_contract(s)
        assert again.id == first.id and again.pseudonym_key == key
        assert s.query(Contract).count() == 1
        assert len(key) == 64


def test_test_contract_parses_every_rule_kind():
    parsed = parse_contract(CONTRACT)
    rules = {o.id: o.rule for o in parsed.outcomes}
    assert rules["ENG3"].contacts == 3 and rules["ENG3"].start == "first_meeting"
    assert rules["WBS"].sustained.min == 300 and rules["WB"].min_change == 3
    assert rules["LVL"].at_least == 50
    assert rules["GOALS"].count == 2 and parsed.outcome("GOALS").max_per_person == 2
    assert rules["EXIT"].exit_reasons == ("goals_met", "stepped_down", "referred_on")


def test_every_problem_is_reported_with_its_field_path():
    doc = contract_document(
        start="01/01/2026", currency="pounds", colour="blue",
        eligibility={"age_min": 40, "age_max": 30},
        caps={"total_amount": -5},
    )
    doc["outcomes"][0]["price"] = "100"
    doc["outcomes"][0]["rule"]["within_days"] = 2.5
    doc["outcomes"][2]["rule"]["follow_up"] = {"min": 120, "max": 60}
    doc["outcomes"][3]["rule"]["kind"] = "vibes"
    doc["outcomes"][4]["rule"]["at_most"] = 10
    doc["outcomes"][5]["id"] = "ENG"
    del doc["outcomes"][6]["rule"]
    with pytest.raises(ContractFileError) as info:
        parse_contract(doc, source="bad.json")
    problems = info.value.problems
    expected = [
        "start: must be a date written YYYY-MM-DD",
        "currency: must be a three-letter code",
        "colour: is not a field this format knows",
        "eligibility.age_max: must not be less than age_min",
        "caps.total_amount: must be more than 0",
        "outcomes[0].price: must be a number",
        "outcomes[0].rule.within_days: must be a whole number",
        "outcomes[2].rule.follow_up.max: must not be less than min",
        "outcomes[3].rule.kind: must be one of engagement",
        "outcomes[4].rule.at_least: give exactly one of at_least or at_most",
        "outcomes[5].id: 'ENG' is used twice",
        "outcomes[6].rule: is required",
    ]
    for fragment in expected:
        assert any(p.startswith(fragment) for p in problems), (fragment, problems)
    assert "bad.json has" in str(info.value)


def test_missing_fields_and_unknown_instrument():
    problems = contract_problems({"outcomes": []})
    assert "code: is required" in problems and "outcomes: must be a list of at least one "\
        "outcome" in problems
    doc = contract_document()
    doc["outcomes"][2]["rule"]["instrument"] = "NOPE"
    assert any(p.startswith("outcomes[2].rule.instrument:") for p in
               contract_problems(doc, instruments=frozenset({"WEMWBS"})))


def test_a_file_that_is_not_json_says_where(tmp_path):
    bad = tmp_path / "c.json"
    bad.write_text('{"code": "X",\n  "name": }', encoding="utf-8")
    with pytest.raises(ContractFileError, match="line 2"):
        load_contract_file(bad)
    with pytest.raises(UserError, match="no contract file"):
        load_contract_file(tmp_path / "missing.json")


def test_save_update_find_and_list(caseload, actor_manager, actor_coordinator):
    with caseload.transaction() as s:
        row = save_contract(s, actor_manager, CONTRACT)
        key = row.pseudonym_key
    with caseload.transaction() as s:
        save_contract(s, actor_manager, contract_document(name="Renamed"))
        assert find_contract(s, "test-sib").name == "Renamed"
        assert find_contract(s, "test-sib").pseudonym_key == key
        assert [c.code for c in list_contracts(s)] == ["TEST-SIB"]
        with pytest.raises(UserError, match="TEST-SIB"):
            find_contract(s, "other")
    with caseload.transaction() as s, pytest.raises(UserError):
        save_contract(s, actor_coordinator, CONTRACT)


def test_pseudonyms_are_stable_per_contract_and_differ_between_contracts():
    person = "7f1d3c2a-0000-4000-8000-000000000001"
    a, b = "11" * 32, "22" * 32
    assert pseudonym(a, person) == pseudonym(a, person)
    assert pseudonym(a, person) != pseudonym(b, person)
    assert pseudonym(a, person).startswith("P-") and len(pseudonym(a, person)) == 14


@pytest.mark.parametrize("text,start,end", [
    ("2026-Q3", dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
    ("2026q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
    ("2026-02", dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
    ("2026-07-15..2026-08-14", dt.date(2026, 7, 15), dt.date(2026, 8, 14)),
])
def test_periods(text, start, end):
    period = parse_period(text)
    assert (period.start, period.end) == (start, end)


def test_bad_periods_and_the_default():
    for text in ("2026-Q5", "Q3", "2026-13", "2026-09-30..2026-07-01"):
        with pytest.raises(UserError):
            parse_period(text)
    assert previous_quarter(dt.date(2026, 10, 5)) == "2026-Q3"
    assert previous_quarter(dt.date(2026, 1, 1)) == "2025-Q4"


def test_format_doc_examples_are_valid():
    """Every JSON example in FORMAT.md parses (so the documentation cannot drift)."""
    text = resource_path("contracts", "FORMAT.md").read_text("utf-8")
    blocks = [b.split("```", 1)[0] for b in text.split("```json\n")[1:]]
    assert len(blocks) >= 6
    for block in blocks:
        data = json.loads(block)
        if "outcomes" in data:
            parse_contract(data)
        else:  # an outcome on its own: wrap it in the minimal contract
            parse_contract(contract_document(outcomes=[data]))


# --- the published JSON Schema ---------------------------------------------------------------


def _schema():
    import json

    from linkworker.resources import resource_path

    return json.loads(resource_path("contracts", "contract.schema.json").read_text("utf-8"))


def test_the_sample_contract_is_valid_against_the_published_schema():
    import json

    import jsonschema

    from linkworker.outcomes.contract import schema_problems
    from linkworker.resources import resource_path

    jsonschema.Draft202012Validator.check_schema(_schema())
    sample = json.loads(resource_path("contracts", "sample-sib.json").read_text("utf-8"))
    assert schema_problems(sample) == []


def test_the_schema_and_the_checker_agree_on_bad_documents():
    """Each bad document is refused by the hand checks *and* by the schema, so a charity that
    validates with the schema in another tool sees the same verdict."""
    import copy
    import json

    from linkworker.outcomes.contract import contract_problems, schema_problems
    from linkworker.resources import resource_path

    good = json.loads(resource_path("contracts", "sample-sib.json").read_text("utf-8"))
    breakages = [
        lambda d: d.pop("code"),
        lambda d: d.update(currency="pounds"),
        lambda d: d.update(colour="blue"),
        lambda d: d["outcomes"][0].update(price=-1),
        # (an unknown rule kind is LinkWorker's to refuse: the schema lets new kinds through)
        lambda d: d["outcomes"][0]["rule"].update(within_days="soon"),
        lambda d: d["outcomes"][0]["rule"].update(baseline={"min": 0, "max": 3}),
        lambda d: d["caps"].update(over_cap="sometimes"),
        lambda d: d["consent_required"].append("telepathy"),
        lambda d: d.update(outcomes=[]),
    ]
    for i, breakage in enumerate(breakages):
        doc = copy.deepcopy(good)
        breakage(doc)
        assert contract_problems(doc), i
        assert schema_problems(doc), i


def test_schema_enums_match_the_code():
    from linkworker.codes import CONSENT_KINDS
    from linkworker.outcomes.contract import ANCHORS, OVER_CAP, RULE_KINDS

    schema = _schema()
    rule = schema["$defs"]["rule"]
    described = [c["if"]["properties"]["kind"]["const"] for c in rule["allOf"]]
    assert described == list(RULE_KINDS)  # describe a new kind's settings in the schema too
    assert schema["properties"]["caps"]["properties"]["over_cap"]["enum"] == list(OVER_CAP)
    assert schema["properties"]["consent_required"]["items"]["enum"] == list(CONSENT_KINDS)
    anchors = rule["allOf"][0]["then"]["properties"]["from"]["enum"]
    assert anchors == list(ANCHORS)


def test_a_new_rule_kind_is_one_module(caseload, actor_manager):
    """Registering one RuleKind object is all it takes: the contract accepts it, the return
    loads what it needs, evaluates it, words its evidence and lists its data-quality issues."""
    from collections.abc import Iterator
    from dataclasses import dataclass

    from test_returns_caseload import AS_OF_Q3, build_caseload

    from linkworker.outcomes import kinds as registry
    from linkworker.outcomes.kinds import Needs, Rule, RuleKind, register
    from linkworker.outcomes.rules import Achievement
    from linkworker.outcomes.store import save_contract
    from linkworker.returns.build import build_return

    @dataclass(frozen=True)
    class ReferredRule(Rule):
        by_day: int = 0

    class Referred(RuleKind):
        name, order = "referred_early", 50
        issue_labels = {"late_referral": "Referred late in the month"}

        def parse(self, f, start, instruments):
            return ReferredRule(self.name, start, by_day=f.whole("by_day", required=True))

        def needs(self, rule):
            return Needs()

        def evaluate(self, outcome, facts, ctx) -> Iterator[Achievement]:
            for e in facts.episodes.values():
                if e.referral_date.day <= outcome.rule.by_day:
                    yield Achievement(outcome.id, e.person_id, e.id, f"{outcome.id}:{e.id}",
                                      e.referral_date, {"referred": e.referral_date.isoformat()})

        def check(self, issues, outcome, episode, as_of):
            if episode.referral_date.day > 28:
                issues.add("late_referral", "weakens", episode, "Referred after the 28th.")

        def evidence_parts(self, evidence, ids):
            return [f"referred {evidence['referred']}"]

    register(Referred)
    try:
        doc = contract_document()
        doc["outcomes"].append({"id": "REF", "definition": "Referred early", "price": 1,
                                "evidence": "Referral", "rule": {"kind": "referred_early",
                                                                 "by_day": 10}})
        with caseload.transaction() as s:
            build_caseload(s, actor_manager)
            save_contract(s, actor_manager, doc)
            ret = build_return(s, actor_manager, "TEST-SIB", "2026-Q3", as_of=AS_OF_Q3)
        rows = [r for r in ret.rows if r.outcome_id == "REF"]
        assert rows and all(r.evidence_text.startswith("referred 2026-") for r in rows)
    finally:
        registry.unregister("referred_early")


def test_pseudonyms_are_the_hmac_of_the_person_id_under_the_contract_key():
    """The label commissioners match across returns: HMAC-SHA256 (the one-shot form the
    return uses must give the same as the streaming one)."""
    import hashlib
    import hmac

    person, key = "7f1d3c2a-0000-4000-8000-000000000001", "3a" * 32
    expected = hmac.new(bytes.fromhex(key), person.encode("ascii"), hashlib.sha256)
    assert pseudonym(key, person) == "P-" + expected.hexdigest()[:12].upper()


@pytest.mark.parametrize("cap, said", [
    ("1,500,000", "caps.total_amount: must be a number, e.g. 1500 or 1500.50, written without "
                  "quotes, £ or commas (not '1,500,000')"),
    (float("nan"), "caps.total_amount: must be a number, e.g. 1500 or 1500.50 (not NaN or "
                   "Infinity)"),
    (True, "caps.total_amount: must be a number, e.g. 1500 or 1500.50"),
])
def test_a_cap_that_is_not_a_number_is_named_in_a_persons_words(cap, said):
    """It said "must be a number (NaN and Infinity are not allowed)" for "1,500,000"."""
    doc = contract_document()
    doc["caps"] = {"total_amount": cap}
    assert said in contract_problems(doc)
    doc["caps"] = {"total_amount": 1500000}  # what a file takes is unchanged
    assert not [p for p in contract_problems(doc) if p.startswith("caps.")]
