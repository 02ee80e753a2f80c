"""Evidence in words: one line per claim naming the records that prove it (ids and dates)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from linkworker.outcomes.evidence_words import day_text, words
from linkworker.outcomes.kinds import RuleKind, kinds

if TYPE_CHECKING:
    from linkworker.returns.document import ReturnDocument


def evidence_text(evidence: dict[str, Any], kind: str, *, ids: bool = True) -> str:
    """E.g. ``baseline 03/02/2026 score 40 [id]; follow-up 04/08/2026 score 45 [id]; change +5``.

    The rule's kind words its own evidence (``RuleKind.evidence_parts``). Exports keep the
    record ids (the commissioner's audit trail); the screen leaves them out (``ids=False``) so
    a manager reads dates, scores and kinds, not cut-off identifiers."""
    return evidence_in_words(evidence, kinds().get(kind), ids=ids)


def evidence_in_words(evidence: dict[str, Any], kind: RuleKind | None, *,
                      ids: bool = True) -> str:
    """``evidence_text`` with the kind already looked up: a return words every claim of an
    outcome with the same kind, so it looks the kind up once per outcome, not per claim."""
    if not evidence or kind is None:
        return ""
    parts: list[str] = []
    if start := evidence.get("start"):
        parts.append(f"{words(start['from'])} {day_text(start['date'])}")
    return "; ".join(parts + kind.evidence_parts(evidence, ids))


def on_screen(doc: ReturnDocument) -> tuple[str, ...]:
    """Each line's evidence as the Returns screen shows it (no record ids), in row order.

    Worked out once per line where the screen's build job runs (a worker thread), so showing
    a 3,000-claim return, or showing it again, words no evidence on the GUI thread; each
    outcome's kind is looked up once."""
    by_outcome = {o.id: kinds().get(o.kind) for o in doc.contract.outcomes}
    return tuple(evidence_in_words(r.evidence, by_outcome.get(r.outcome_id), ids=False)
                 for r in doc.rows)
