"""The content hash's bytes: the fast encoder writes exactly what the reference encoder wrote,
so no stored return's hash changes (returns are submitted, signed and checked by it)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkworker.returns import document as rd
from linkworker.returns.document import ReturnDocument, canonical, canonical_reference

GOLDEN = Path(__file__).parent / "fixtures" / "returns_golden"

text = st.text(st.characters(codec="utf-8"), max_size=8)
number = (st.integers(-(2**70), 2**70)
          | st.floats(allow_nan=False, allow_infinity=False)
          | st.sampled_from([1e-5, -3.5e-7, 1e-4, 1e16, 1.5e300, 5e-324, 0.0, -0.0]))
leaf = (st.none() | st.booleans() | number | text
        | st.dates() | st.decimals(allow_nan=False, allow_infinity=False, places=2))
value = st.recursive(leaf, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(text, inner, max_size=4), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(value)
def test_the_fast_encoder_writes_the_reference_bytes(data):
    assert canonical(data) == canonical_reference(data)


@pytest.mark.parametrize("data", [
    {"score": 1e-05}, [0.00003, "x"], {"n": 2**64}, {1: "key not text"},
    {"note": ":0.00001 in words"},
], ids=["tiny-float", "tiny-in-list", "past-64-bits", "int-key", "text-like-a-float"])
def test_what_orjson_writes_differently_goes_to_the_reference(data):
    assert canonical(data) == canonical_reference(data)


@pytest.mark.parametrize("name", ["q3-draft", "q3-submitted", "q4-submitted", "q3-suppressed"])
def test_stored_returns_hash_the_same_bytes_on_the_fast_path(name):
    """Each stored snapshot's body is written by orjson itself (no fallback), byte for byte."""
    doc = ReturnDocument.from_json(json.loads(
        (GOLDEN / f"{name}.document.json").read_text(encoding="utf-8")))
    body = {k: v for k, v in doc.to_json().items() if k not in rd.META_FIELDS}
    fast = rd._orjson.dumps(body, option=rd._ORJSON_OPTIONS, default=str)
    assert rd._spelt_alike(fast)
    assert fast == canonical_reference(body) == canonical(body)


def test_a_date_and_money_inside_evidence_are_written_as_text():
    data = {"on": dt.date(2026, 9, 30), "amount": Decimal("400.00"), "when": dt.datetime(
        2026, 9, 30, 12, 5)}
    assert canonical(data) == canonical_reference(data) == (
        b'{"amount":"400.00","on":"2026-09-30","when":"2026-09-30 12:05:00"}')
