"""A return's content hash: how a commissioner or auditor proves a return was not altered.

The hash is SHA-256 over the return document (what ``OutcomeReturn.snapshot`` stores and
``linkworker return --out NAME.document.json`` writes), so anyone holding that file can
recompute it with a few lines of Python (docs/returns.md, "Checking a return's content hash").
The document says which rule it was hashed by in ``hash_rule``:

- **rule 2, the document as stored**: the canonical JSON (keys sorted, no spaces, UTF-8) of the
  document without ``status``, ``submitted``, ``content_hash`` and ``hash_rule``, so the same
  figures hash the same whether submitted or not. Every return made since ``hash_rule`` exists
  says 2; so did the returns made before money became ``Decimal`` (1 December 2026, money as
  JSON numbers) and those made since the return became a typed document.
- **rule 1, contract figures as the contract file wrote them**: returns built on 1 December
  2026 between those two changes hashed the money figures that come from the contract (each
  outcome's price in ``contract.outcomes``, ``totals.by_outcome`` and the claim rows; the money
  caps in ``contract.caps`` and ``caps``) as Python wrote the number read from the contract
  file (``100.0``, ``12.5``), while the document stores them to the penny (``"100.00"``).

A document with no ``hash_rule`` was made before the field existed; rules 2 and 1 are both
tried and the verdict names the one that matched, so an old return is never passed silently.
A hash is a check against accidents and later edits only when it is compared with a copy kept
elsewhere: the commissioner's XLSX and PDF print it, and the audit trail records it at submit.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from linkworker.errors import UserError
from linkworker.returns.document import HASH_RULE, META_FIELDS

MAX_DOCUMENT_BYTES = 200 * 1024 * 1024  # a 150,000-person return's document is about 20 MB
_PENCE = re.compile(r"-?\d+\.\d\d")
_CAP_KEYS = ("total_amount", "per_person_amount")


def _body(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in META_FIELDS}


def _digest(body: Any) -> str:
    """The documented rule written out plainly (not the build's fast path, ``canonical``):
    a check made independently of the code that made the hash."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def as_stored(data: Mapping[str, Any]) -> str | None:
    """Rule 2: the document as stored, less its status, submission and hash."""
    return _digest(_body(data))


def _as_written(text: Any) -> str:
    """A stored "100.00" as rule 1 hashed it: the contract file's number read as a float and
    written back by Python ("100.0"). Only money to the penny qualifies, so no other text
    ("100.000", "1E+2") can stand in for a figure under this rule."""
    if not isinstance(text, str) or not _PENCE.fullmatch(text):
        raise ValueError(text)
    return str(Decimal(repr(float(text))))


def contract_figures_as_written(data: Mapping[str, Any]) -> str | None:
    """Rule 1: as stored, but with the contract's prices and money caps as the file wrote them;
    None when the document does not have the shape those returns had."""
    body = json.loads(json.dumps(_body(data)))  # a copy to rewrite
    try:
        contract, totals = body["contract"], body["totals"]
        priced = [*contract["outcomes"], *totals["by_outcome"],
                  *(r for r in body["rows"] if r["kind"] == "claim")]
        for item in priced:
            item["price"] = _as_written(item["price"])
        for caps in (contract["caps"], body["caps"]):
            for key in _CAP_KEYS:
                if caps[key] is not None:
                    caps[key] = _as_written(caps[key])
    except (KeyError, TypeError, ValueError):
        return None
    return _digest(body)


RULES: dict[int, tuple[str, Callable[[Mapping[str, Any]], str | None]]] = {
    2: ("the document as stored", as_stored),
    1: ("contract figures as the contract file wrote them", contract_figures_as_written),
}
assert HASH_RULE in RULES


@dataclass(frozen=True)
class Verdict:
    """Whether a document's stored hash is the one its content gives, and by which rule."""

    ok: bool
    stored: str
    rule: int | None  # the rule that matched, or the one the document names
    declared: bool  # the document names its rule (``hash_rule``)
    computed: str = ""

    @property
    def rule_name(self) -> str:
        return RULES[self.rule][0] if self.rule in RULES else "no known rule"


def verify(data: Mapping[str, Any]) -> Verdict:
    """Check ``data`` (a return document as stored or exported) against its ``content_hash``."""
    if not isinstance(data, Mapping) or "contract" not in data or "rows" not in data:
        raise UserError("This is not a LinkWorker return document (it has no contract or "
                        "rows); write one with 'linkworker return ... --out NAME.document.json'.")
    stored = data.get("content_hash")
    if not isinstance(stored, str) or not re.fullmatch(r"[0-9a-f]{64}", stored):
        raise UserError("The return document has no content hash to check (content_hash "
                        "should be 64 hexadecimal digits).")
    declared = data.get("hash_rule")
    if declared is not None:
        if type(declared) is not int or declared not in RULES:
            raise UserError(f"The return document names hash rule {str(declared)[:20]!r}, "
                            f"which this version does not know ({', '.join(map(str, RULES))}).")
        computed = RULES[declared][1](data) or ""
        return Verdict(computed == stored, stored, declared, True, computed)
    for rule, (_name, compute) in RULES.items():
        if compute(data) == stored:
            return Verdict(True, stored, rule, False, stored)
    return Verdict(False, stored, None, False, as_stored(data) or "")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a figure a return holds")


def read_document(path: Path | str) -> dict[str, Any]:
    """A return document file as data: one clear error for anything that is not one."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_DOCUMENT_BYTES:
            raise UserError(f"{path.name} is too big to be a return document.")
        text = path.read_text(encoding="utf-8-sig")
        data = json.loads(text, parse_constant=_no_constant)
    except FileNotFoundError:
        raise UserError(f"There is no file at {path}.") from None
    except IsADirectoryError:
        raise UserError(f"{path} is a folder; give a return document (NAME.document.json)."
                        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path.name} could not be read as text: {exc}") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"{path.name} is not valid JSON (line {exc.lineno}, column "
                        f"{exc.colno}: {exc.msg}).") from None
    except (ValueError, RecursionError) as exc:
        what = "nests too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise UserError(f"{path.name} is not a return document: {what}.") from None
    if not isinstance(data, dict):
        raise UserError(f"{path.name} is not a return document (a JSON object).")
    return data
