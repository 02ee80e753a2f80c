"""The claims ledger: what earlier submitted returns (and pending adjustments) already hold.

A person is identified in the ledger by their id while their record exists and by the
contract pseudonym stored on each claim once it has been erased, so caps and "never claim twice"
keep working after erasure.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linkworker.models import Claim, OutcomeReturn
from linkworker.returns.document import HistoryEntry
from linkworker.returns.money import ZERO


def who(person_id: str | None, pseudonym: str | None) -> str:
    return person_id or f"pseudonym:{pseudonym}"


@dataclass
class Ledger:
    keys: dict[str, str] = field(default_factory=dict)  # achievement key -> period claimed
    units: Counter = field(default_factory=Counter)  # (who, outcome id) -> units claimed
    person_amount: defaultdict = field(default_factory=lambda: defaultdict(lambda: ZERO))
    total: Decimal = ZERO
    people: set[str] = field(default_factory=set)
    history: list[HistoryEntry] = field(default_factory=list)  # per period and outcome
    submitted: dict[str, dt.date] = field(default_factory=dict)  # period label -> start
    covered_until: dt.date | None = None  # the end of the latest submitted return's period

    def record(self, person: str, outcome_id: str, key: str | None, amount: Decimal,
               kind: str = "claim", period: str = "") -> None:
        """Count one submitted claim (or adjustment) towards the caps and "never twice"."""
        self.person_amount[person] += amount
        self.total += amount
        if kind == "claim":
            self.keys[key or ""] = period
            self.units[(person, outcome_id)] += 1
            self.people.add(person)

    def reported(self, day: dt.date) -> bool:
        """Was ``day`` inside a period already submitted (its exclusions listed there)?"""
        return self.covered_until is not None and day <= self.covered_until


def load_ledger(session: Session, contract_id: str) -> Ledger:
    """Every submitted claim and adjustment of the contract, summed the ways caps need."""
    ledger = Ledger()
    rows = session.execute(
        select(Claim.person_id, Claim.pseudonym, Claim.outcome_id, Claim.achievement_key,
               Claim.amount, Claim.kind, OutcomeReturn.period, OutcomeReturn.period_start)
        .join(OutcomeReturn, OutcomeReturn.id == Claim.return_id)
        .where(Claim.contract_id == contract_id)
    ).all()
    per_period: dict[tuple[str, str], list] = defaultdict(lambda: [0, ZERO])
    for person_id, pseudo, outcome_id, key, amount, kind, period, start in rows:
        ledger.record(who(person_id, pseudo), outcome_id, key, amount, kind, period)
        ledger.submitted[period] = start
        cell = per_period[(period, outcome_id)]
        cell[1] += amount
        cell[0] += kind == "claim"
    ledger.history = [
        HistoryEntry(period, outcome_id, int(cell[0]), cell[1])
        for (period, outcome_id), cell in sorted(
            per_period.items(), key=lambda kv: (ledger.submitted[kv[0][0]], kv[0][1])
        )
    ]
    ledger.covered_until = session.execute(
        select(func.max(OutcomeReturn.period_end)).where(
            OutcomeReturn.contract_id == contract_id, OutcomeReturn.status == "submitted")
    ).scalar()
    return ledger


def pending_adjustments(session: Session, contract_id: str) -> list[Claim]:
    """Adjustments recorded since the last submitted return, waiting to go into the next."""
    return list(
        session.execute(
            select(Claim)
            .where(Claim.contract_id == contract_id, Claim.return_id.is_(None),
                   Claim.kind == "adjustment")
            .order_by(Claim.created_at, Claim.id)
        ).scalars()
    )
