"""Where contracts live in the caseload: install, update, find and list them.

A contract row keeps the manager's document as given (``definition``) and a random
per-contract key for pseudonymising person ids in returns. The key is made once, on install,
and never changes when the document is updated: a commissioner must see the same pseudonym for
the same person in every return of the contract.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from linkworker import audit
from linkworker.access import Actor, require
from linkworker.errors import NotFound
from linkworker.models import Claim, Contract, Episode, OutcomeReturn
from linkworker.outcomes.contract import ContractDef, parse_contract


def known_instruments(session: Session) -> frozenset[str]:
    """Instrument codes a contract may name: built in, or the organisation's own."""
    from linkworker.wellbeing.store import all_instruments

    return frozenset(inst.code for inst in all_instruments(session))


def check_document(session: Session, data: Any, source: str = "contract") -> ContractDef:
    return parse_contract(data, source=source, instruments=known_instruments(session))


def save_contract(
    session: Session, actor: Actor, data: Any, *, source: str = "contract"
) -> Contract:
    """Install a new contract or update the one with the same code (the key is kept)."""
    require(actor, "contract.edit")
    parsed = check_document(session, data, source)
    row = session.execute(select(Contract).where(Contract.code == parsed.code)).scalar_one_or_none()
    action = "contract.update"
    if row is None:
        row = Contract(code=parsed.code, pseudonym_key=secrets.token_hex(32))
        session.add(row)
        action = "contract.add"
    row.name = parsed.name
    row.definition = dict(data)
    session.flush()
    audit.record(session, actor, action, entity="contract", entity_id=row.id,
                 details={"code": parsed.code})
    return row


def find_contract(session: Session, code_or_id: str) -> Contract:
    """A contract by its code (any case) or id; ``NotFound`` names what exists."""
    wanted = code_or_id.strip()
    row = session.execute(
        select(Contract).where(
            or_(Contract.id == wanted, func.upper(Contract.code) == wanted.upper())
        )
    ).scalar_one_or_none()
    if row is None:
        codes = ", ".join(session.execute(select(Contract.code).order_by(Contract.code)).scalars())
        raise NotFound(
            f"No contract {wanted!r} in this caseload"
            + (f" (contracts: {codes})." if codes else "; add one with 'linkworker contract add'.")
        )
    return row


def definition_of(row: Contract) -> ContractDef:
    """The parsed contract of a stored row (stored documents were checked on save)."""
    return parse_contract(row.definition, source=row.code)


@dataclass(frozen=True)
class ContractSummary:
    id: str
    code: str
    name: str
    commissioner: str
    start: str
    end: str
    outcomes: int
    episodes: int
    returns_submitted: int
    claimed_amount: Decimal


def list_contracts(session: Session) -> list[ContractSummary]:
    episodes = dict(
        session.execute(
            select(Episode.contract_id, func.count()).group_by(Episode.contract_id)
        ).all()
    )
    returns = dict(
        session.execute(
            select(OutcomeReturn.contract_id, func.count())
            .where(OutcomeReturn.status == "submitted")
            .group_by(OutcomeReturn.contract_id)
        ).all()
    )
    claimed = dict(
        session.execute(
            select(Claim.contract_id, func.sum(Claim.amount))
            .where(Claim.return_id.is_not(None))
            .group_by(Claim.contract_id)
        ).all()
    )
    out = []
    for row in session.execute(select(Contract).order_by(Contract.code)).scalars():
        doc = row.definition or {}
        out.append(ContractSummary(
            row.id, row.code, row.name, str(doc.get("commissioner", "")),
            str(doc.get("start", "")), str(doc.get("end", "")), len(doc.get("outcomes") or []),
            episodes.get(row.id, 0), returns.get(row.id, 0),
            claimed.get(row.id) or Decimal("0.00"),
        ))
    return out
