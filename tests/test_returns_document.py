"""The typed return document: exports unchanged from the dict it replaced, a lossless JSON
round trip, and nothing private in what is stored or exported."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import types
import typing
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_returns_caseload import AS_OF_Q3, build_caseload

from linkworker.returns import document as rd
from linkworker.returns.build import build_return
from linkworker.returns.document import ReturnDocument
from linkworker.returns.export import DOCUMENT_SUFFIX, FORMATS, render
from linkworker.returns.submit import submit_return

GOLDEN = Path(__file__).parent / "fixtures" / "returns_golden"
CASES = ("q3-draft", "q3-submitted", "q4-submitted", "q3-suppressed")


def _stored(name: str) -> dict:
    return json.loads((GOLDEN / f"{name}.document.json").read_text(encoding="utf-8"))


def _golden_file(name: str, suffix: str) -> Path:
    return GOLDEN / f"{name}{'.indigo.json' if suffix == '.json' else suffix}"


GOLDEN_EXPORTS = [(name, suffix) for name in CASES for suffix in sorted(FORMATS)
                  if suffix != DOCUMENT_SUFFIX and _golden_file(name, suffix).exists()]


def test_every_case_has_its_golden_exports():
    assert len(GOLDEN_EXPORTS) == 4 * len(CASES) - 1  # q3-suppressed has no CSV


@pytest.mark.parametrize(("name", "suffix"), GOLDEN_EXPORTS)
def test_exports_are_byte_for_byte_those_made_before_the_document_was_typed(name, suffix):
    """Snapshots stored by the dict version read back and export to exactly the same bytes."""
    expected = _golden_file(name, suffix)
    doc = ReturnDocument.from_json(_stored(name))
    assert render(doc, suffix) == expected.read_bytes()


@pytest.mark.parametrize("name", CASES)
def test_a_stored_snapshot_reads_back_to_the_same_json(name):
    stored = _stored(name)
    doc = ReturnDocument.from_json(stored)
    assert doc.to_json() == stored
    assert isinstance(doc.totals.net, Decimal) and isinstance(doc.as_of, dt.date)


def test_suppressed_cells_are_their_own_type():
    doc = ReturnDocument.from_json(_stored("q3-suppressed"))
    gender = next(b for b in doc.equality if b.name == "Gender")
    counts = [c.count for c in gender.cells]
    assert counts == [rd.SMALL, rd.SECONDARY, 0, 7]
    assert [c.shown for c in gender.cells] == ["<5", "suppressed", 0, 7]
    with pytest.raises(ValueError):
        rd.SuppressedCount("3")


def test_an_incomplete_snapshot_is_refused_in_words():
    stored = _stored("q3-submitted")
    del stored["totals"]
    with pytest.raises(ValueError, match="incomplete"):
        ReturnDocument.from_json(stored)


def test_private_links_never_reach_the_snapshot_or_an_export(caseload, actor_manager):
    with caseload.transaction() as s:
        _, builder = build_caseload(s, actor_manager)
        draft = build_return(s, actor_manager, "TEST-SIB", "2026-Q3", as_of=AS_OF_Q3)
        frozen = submit_return(s, actor_manager, "TEST-SIB", "2026-Q3", as_of=AS_OF_Q3)
    ids = set(builder.people.values())
    assert all(r.link and r.link.person_id in ids for r in draft.rows)
    assert all(q.link and q.link.reference for q in draft.data_quality)
    assert all(r.link is None for r in frozen.rows + frozen.exclusions + frozen.data_quality)
    stored = json.dumps(draft.to_json())
    assert not any(pid in stored for pid in ids)
    for suffix in FORMATS:
        data = render(draft, suffix)
        assert not any(pid.encode() in data for pid in ids), suffix
    # The hash is over the stored form, so anyone can check a snapshot against it.
    assert frozen.compute_hash() == frozen.content_hash == draft.content_hash
    # Same public content: equal documents (links are not compared), same exports.
    assert frozen == dataclasses.replace(draft, status="submitted", submitted=frozen.submitted)


def test_a_new_build_has_the_stored_shape(caseload, actor_manager):
    """A document built now stores the same keys, at every level, as main stored."""
    with caseload.transaction() as s:
        build_caseload(s, actor_manager)
        doc = build_return(s, actor_manager, "TEST-SIB", "2026-Q3", as_of=AS_OF_Q3)

    def shape(value):
        if isinstance(value, dict):
            return {k: shape(v) for k, v in value.items() if k not in ("document", "evidence")}
        if isinstance(value, list):
            return shape(value[0]) if value else []
        return type(value).__name__

    made = doc.to_json()
    assert made.pop("hash_rule") == 2  # the one key added since (returns.content_hash)
    assert shape(made) == shape(_stored("q3-draft"))


# --- round trip: any document survives to_json -> JSON text -> from_json ----------------------

money = st.decimals(min_value=Decimal("-1000000"), max_value=Decimal("1000000"), places=2)
text = st.text(max_size=12)
json_leaf = st.none() | st.booleans() | st.integers(-10**6, 10**6) | text
json_value = st.recursive(json_leaf, lambda inner: st.lists(inner, max_size=3)
                          | st.dictionaries(text, inner, max_size=3), max_leaves=6)
SPECIAL = {
    Decimal: money,
    dt.date: st.dates(dt.date(1990, 1, 1), dt.date(2999, 12, 31)),
    str: text,
    int: st.integers(0, 10**6),
    typing.Any: json_value,
    rd.PersonLink: st.none(),
    int | rd.SuppressedCount: st.integers(0, 500) | st.sampled_from([rd.SMALL, rd.SECONDARY]),
    tuple[rd.EqualityBreakdown, ...]: st.lists(
        st.builds(rd.EqualityBreakdown, text, st.lists(st.builds(
            rd.EqualityCell, text, st.integers(0, 500) | st.sampled_from(
                [rd.SMALL, rd.SECONDARY])), max_size=3).map(tuple)),
        max_size=3, unique_by=lambda b: b.name).map(tuple),
}


def strategy_for(hint) -> st.SearchStrategy:
    """A strategy for a field of the document, read from its type hints."""
    if hint in SPECIAL:
        return SPECIAL[hint]
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(st.none() if a is type(None) else strategy_for(a) for a in args))
    if origin is tuple:
        return st.lists(strategy_for(args[0]), max_size=3).map(tuple)
    if origin is not None and issubclass(origin, typing.Mapping):
        return st.dictionaries(text, json_value, max_size=3)
    if dataclasses.is_dataclass(hint):
        hints = typing.get_type_hints(hint)
        return st.builds(hint, **{f.name: strategy_for(hints[f.name])
                                  for f in dataclasses.fields(hint) if f.init})
    return st.from_type(hint)


@settings(max_examples=60, deadline=None)
@given(strategy_for(ReturnDocument))
def test_any_document_survives_the_json_round_trip(doc):
    again = ReturnDocument.from_json(json.loads(json.dumps(doc.to_json(), ensure_ascii=False)))
    assert again == doc
    assert again.to_json() == doc.to_json()
    assert again.compute_hash() == doc.compute_hash()
