"""Submitting a return into the claims ledger, adjustments, and the list of past returns.

Submitting re-builds the return inside the same transaction that writes the ledger, so what
is locked is exactly what the data says at that moment; if the manager previewed a different
version (``expected_hash``) nothing is written and they are asked to look again. The frozen
document (``OutcomeReturn.snapshot``) is what every later export of that return is built from,
so it regenerates byte-for-byte after later edits or erasure. Nothing in the ledger is ever
edited: a correction is an adjustment row that goes into the next return.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from linkworker import audit
from linkworker.access import Actor, require
from linkworker.errors import NotFound, UserError
from linkworker.models import Claim, Contract, OutcomeReturn, utcnow
from linkworker.outcomes.store import find_contract
from linkworker.returns.build import build_return, submitted_return
from linkworker.returns.content_hash import verify
from linkworker.returns.document import ClaimLine, ReturnDocument
from linkworker.returns.money import ZERO, money
from linkworker.returns.period import Period, parse_period


def _contract(session: Session, contract: Contract | str) -> Contract:
    return contract if isinstance(contract, Contract) else find_contract(session, contract)


def submit_return(
    session: Session, actor: Actor, contract: Contract | str, period: Period | str, *,
    as_of: dt.date | None = None, expected_hash: str | None = None,
) -> ReturnDocument:
    """Lock the return for ``period`` into the ledger; return it as frozen (public)."""
    require(actor, "return.submit")
    from linkworker.sync.service import require_hub_for_returns

    period = period if isinstance(period, Period) else parse_period(period)
    # With a hub, returns are submitted there only (at the hub, its one-writer lock makes two
    # submissions take turns, so the second sees the first's claims).
    require_hub_for_returns(session, actor, f"--contract {_code(contract)} --period "
                            f"{period.label} --submit")
    row = _contract(session, contract)
    done = submitted_return(session, row.id, period.label)
    if done is not None:
        raise UserError(f"The {period.label} return was already submitted on "
                        f"{done.submitted_at:%d/%m/%Y}. Corrections go in a later return as "
                        "adjustments.")
    later = session.execute(
        select(OutcomeReturn.period).where(
            OutcomeReturn.contract_id == row.id, OutcomeReturn.status == "submitted",
            OutcomeReturn.period_start > period.start,
        )
    ).scalars().first()
    if later:
        raise UserError(f"The later {later} return is already submitted; returns are submitted "
                        "in order. Late outcomes can go in the next return as late claims.")
    data = build_return(session, actor, row, period, as_of=as_of)
    if expected_hash and data.content_hash != expected_hash:
        raise UserError("The caseload changed since this return was previewed. Preview it "
                        "again and check it before submitting.")
    ret = OutcomeReturn(
        contract_id=row.id, period=period.label, period_start=period.start,
        period_end=period.end, status="submitted", submitted_at=utcnow(),
        submitted_by_id=actor.user_id, total_amount=data.totals.net,
    )
    session.add(ret)
    session.flush()
    _write_ledger(session, row, ret, data.rows)
    frozen = data.as_submitted(as_of or dt.date.today(), actor.label)
    ret.snapshot = frozen.to_json()
    ret.content_hash = data.content_hash
    audit.record(session, actor, "return.submit", entity="return", entity_id=ret.id,
                 details={"contract": row.code, "period": period.label,
                          "claims": data.totals.claims,
                          "net": f"{data.totals.net:.2f}", "hash": data.content_hash})
    return frozen


def _write_ledger(session: Session, contract: Contract, ret: OutcomeReturn,
                  rows: tuple[ClaimLine, ...]) -> None:
    """The ledger rows of a submitted return: the only place a line's private link is used."""
    names = contract.code, ret.period  # read now: a refused flush expires the records
    for r in rows:
        link = r.link
        if not r.is_claim:
            adj = session.get(Claim, link.adjustment_id)
            adj.return_id, adj.line = ret.id, r.line
            continue
        session.add(Claim(
            return_id=ret.id, contract_id=contract.id, person_id=link.person_id,
            episode_id=link.episode_id, pseudonym=r.pseudonym, line=r.line,
            outcome_id=r.outcome_id, achievement_key=link.achievement_key, unit=r.unit,
            achieved_on=r.achieved_on, late=r.late, amount=r.amount, kind="claim",
            evidence=dict(r.evidence),
        ))
    try:
        session.flush()
    except IntegrityError as exc:
        if not claimed_twice(exc):
            raise
        raise UserError(_twice_message(*names, rows)) from None


def claimed_twice(exc: IntegrityError) -> bool:
    """Is this the database's own "never claimed twice" guard (migration 0012) refusing?

    PostgreSQL names the index; SQLite names its columns (the only unique index on them)."""
    said = str(exc.orig)
    return UNIQUE_CLAIM in said or "claims.contract_id, claims.achievement_key" in said


UNIQUE_CLAIM = "uq_claims_achievement_once"


def _twice_message(code: str, period: str, rows: tuple[ClaimLine, ...]) -> str:
    """What the manager is told when the database refuses a claim the ledger holds: which
    outcomes the return claims twice itself (found here), or else that the ledger changed."""
    claims = [r for r in rows if r.is_claim]
    times = Counter(r.link.achievement_key for r in claims)
    twice = sorted({r.outcome_id for r in claims if times[r.link.achievement_key] > 1})
    which = (f"it claims one achievement of outcome {', '.join(twice)} twice" if twice else
             "it claims an achievement the claims ledger already holds (another submission "
             "may have just finished)")
    return (f"The {period} return of {code} was not submitted: {which}, and an "
            "achievement is never claimed twice. Nothing was written. Build the return again "
            "and check it before submitting.")


def _code(contract: Contract | str) -> str:
    return _quoted(contract.code if isinstance(contract, Contract) else str(contract))


def _quoted(text: str) -> str:
    """A value as a shell word: as it is if plain, else in double quotes."""
    return text if re.fullmatch(r"[\w.:-]+", text) else '"' + text.replace('"', '\\"') + '"'


def find_claim(session: Session, contract: Contract, ref: str) -> Claim:
    """A submitted claim by id or by "PERIOD:LINE" as printed on a return (e.g. 2026-Q3:12)."""
    ref = ref.strip()
    if m := re.fullmatch(r"(.+):(\d+)", ref):
        period = parse_period(m[1]).label
        claim = session.execute(
            select(Claim).join(OutcomeReturn, OutcomeReturn.id == Claim.return_id).where(
                Claim.contract_id == contract.id, OutcomeReturn.period == period,
                Claim.line == int(m[2]),
            )
        ).scalar_one_or_none()
    else:
        claim = session.get(Claim, ref)
        if claim is not None and claim.contract_id != contract.id:
            claim = None
    if claim is None or claim.return_id is None:
        raise NotFound(f"No submitted claim {ref!r} in contract {contract.code}.")
    return claim


def add_adjustment(
    session: Session, actor: Actor, contract: Contract | str, claim_ref: str, *,
    reason: str, amount: Decimal | int | str | None = None,
) -> Claim:
    """Record a correction to a submitted claim; it goes into the next return submitted.

    ``amount`` is the change in money (negative to claw back); by default the whole claim,
    less earlier adjustments, is reversed. A claim can never be taken below zero.
    """
    require(actor, "return.submit")
    from linkworker.sync.service import require_hub_for_returns

    require_hub_for_returns(session, actor, f"--contract {_code(contract)} --adjust "
                            f"{_quoted(claim_ref)} --reason \"...\"")
    row = _contract(session, contract)
    original = find_claim(session, row, claim_ref)
    if original.kind != "claim":
        raise UserError("Adjust the original claim, not an adjustment.")
    if not (reason or "").strip():
        raise UserError("An adjustment needs a reason the commissioner can read.")
    earlier = sum(session.execute(
        select(Claim.amount).where(Claim.adjusts_claim_id == original.id)
    ).scalars(), ZERO)
    standing = original.amount + earlier
    try:
        change = -standing if amount is None else money(amount)
    except ValueError:
        raise UserError(f"{amount!r} is not an amount of money.") from None
    if amount is None and standing == 0:
        raise UserError("That claim has already been reversed in full (it stands at 0.00): "
                        "there is nothing left to reverse.")
    if change == 0:
        raise UserError("An adjustment of 0 changes nothing.")
    if standing + change < 0:
        raise UserError(f"That would take the claim below zero: it stands at {standing:,.2f}.")
    period = original.outcome_return.period if original.outcome_return else ""
    adj = Claim(
        return_id=None, contract_id=row.id, person_id=original.person_id,
        episode_id=original.episode_id, pseudonym=original.pseudonym,
        outcome_id=original.outcome_id, unit=original.unit, achieved_on=original.achieved_on,
        amount=change, kind="adjustment", adjusts_claim_id=original.id,
        reason=reason.strip(),
        evidence={"adjusts": f"{period}:{original.line}"},
    )
    session.add(adj)
    session.flush()
    audit.record(session, actor, "return.adjust", entity="claim", entity_id=original.id,
                 person_id=original.person_id,
                 details={"contract": row.code, "amount": f"{change:.2f}", "adjusts": f"{period}:"
                          f"{original.line}"})
    return adj


@dataclass(frozen=True)
class ReturnSummary:
    id: str
    period: str
    submitted_on: str
    submitted_by: str
    claims: int
    net: Decimal
    content_hash: str
    hash_checks: bool = False  # the snapshot gives its hash, and it is the one recorded


def _hash_checks(snapshot: dict[str, Any] | None, recorded: str | None) -> bool:
    """Whether a stored return is as it was submitted (``returns.content_hash``: by the rule it
    was hashed with, old returns included)."""
    try:
        verdict = verify(snapshot or {})
    except UserError:
        return False
    return verdict.ok and verdict.stored == recorded


_LISTED = (OutcomeReturn.id, OutcomeReturn.period,
           OutcomeReturn.snapshot["submitted"]["on"].as_string(),
           OutcomeReturn.snapshot["submitted"]["by"].as_string(),
           OutcomeReturn.snapshot["totals"]["claims"].as_integer(),
           OutcomeReturn.total_amount, OutcomeReturn.content_hash)


def list_returns(session: Session, contract: Contract | str) -> Iterator[ReturnSummary]:
    """The contract's submitted returns in period order, each checked against the hash recorded
    at submission, one at a time as they are checked.

    A charity keeps years of quarterly returns, each document megabytes at a big caseload: the
    list's facts are read in SQL (the document's own fields, no typed document is made), and
    each document is read, hashed and let go before the next, so memory stays that of one
    return however many there are, and the first line comes after one check, not all."""
    row = _contract(session, contract)
    listed = session.execute(select(*_LISTED).where(
        OutcomeReturn.contract_id == row.id, OutcomeReturn.status == "submitted")
        .order_by(OutcomeReturn.period_start, OutcomeReturn.period)).all()
    for ret_id, period, on, by, claims, net, content_hash in listed:
        snapshot = session.execute(select(OutcomeReturn.snapshot).where(
            OutcomeReturn.id == ret_id)).scalar_one()
        checks = _hash_checks(snapshot, content_hash)
        del snapshot  # the next return's document is not read beside this one
        yield ReturnSummary(ret_id, period, on or "", by or "", claims or 0, net or ZERO,
                            content_hash or "", checks)
