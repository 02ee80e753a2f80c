"""The Returns screen's steps as plain Python, and the operations it runs off the GUI thread.

Steps: choose the contract -> choose the period -> check data quality -> preview the claims ->
export and submit. ``ReturnFlow`` says which step is showing and whether the manager may move
on; the Qt screen only renders it. The operations take a caseload and return plain values
(the return is a frozen ``ReturnDocument``), never live database objects.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linkworker import audit
from linkworker.access import Actor, require
from linkworker.models import Person
from linkworker.outcomes.contract import read_contract_file
from linkworker.outcomes.store import (
    ContractSummary,
    find_contract,
    list_contracts,
    save_contract,
)
from linkworker.returns.build import Progress, build_return
from linkworker.returns.document import ReturnDocument
from linkworker.returns.export import export_return
from linkworker.returns.submit import add_adjustment, submit_return
from linkworker.storage.database import Caseload
from linkworker.storage.files import atomic_write_text

STEPS = ("Contract", "Period", "Data quality", "Preview", "Export and submit")


@dataclass
class ReturnFlow:
    """Where the manager is in the walk-through, and what they have chosen so far."""

    step: int = 0
    contract: str | None = None
    period: str = ""
    document: ReturnDocument | None = field(default=None, repr=False)

    def can_advance(self) -> bool:
        if self.step == 0:
            return self.contract is not None
        if self.step == 1:
            return bool(self.period.strip())
        return self.step < len(STEPS) - 1 and self.document is not None

    def advance(self) -> None:
        if self.can_advance():
            self.step += 1

    def back(self) -> None:
        self.step = max(0, self.step - 1)

    def choose_contract(self, code: str | None) -> None:
        if code != self.contract:
            self.contract, self.document = code, None

    def choose_period(self, period: str) -> None:
        if period != self.period:
            self.period, self.document = period, None

    @property
    def submitted(self) -> bool:
        return bool(self.document and self.document.is_submitted)


# --- operations (run by the Runner, off the GUI thread) -------------------------------------


def contracts(caseload: Caseload, actor: Actor) -> list[ContractSummary]:
    require(actor, "return.build")
    with caseload.reading() as session:
        return list_contracts(session)


def prepare(caseload: Caseload, actor: Actor, contract: str, period: str,
            progress: Progress | None = None,
            as_of: dt.date | None = None) -> ReturnDocument:
    """Build (or, if submitted, reload) the return; the build is audited."""
    with caseload.transaction() as session:
        row = find_contract(session, contract)
        doc = build_return(session, actor, row, period, as_of=as_of, progress=progress)
        audit.record(session, actor, "return.build", entity="contract", entity_id=row.id,
                     details={"period": doc.period.label, "status": doc.status,
                              "claims": doc.totals.claims})
        return name_issues(session, doc)


@dataclass(frozen=True)
class AtHub:
    """The commands that submit this return and adjust its claims at the team's hub, for a
    laptop that syncs with one (it may build a draft from its own copy, never write the
    claims ledger)."""

    submit: str
    adjust: str


def submitted_at_hub(caseload: Caseload, actor: Actor, contract: str, period: str
                     ) -> AtHub | None:
    """What to run at the team's hub when this laptop syncs with one; ``None`` where it may
    submit and adjust itself (no hub, or the hub itself)."""
    from linkworker.returns.period import parse_period
    from linkworker.sync.service import hub_return_command, returns_hub

    with caseload.reading() as session:
        hub = returns_hub(session)
    if hub is None:
        return None
    label = parse_period(period).label
    return AtHub(
        hub_return_command(hub, actor, f"--contract {contract} --period {label} --submit"),
        hub_return_command(hub, actor, f'--contract {contract} --adjust {label}:LINE '
                                       '--reason "..."'),
    )


def name_issues(session: Session, doc: ReturnDocument) -> ReturnDocument:
    """The document with each data-quality issue's person name (in its private link: never
    stored or exported) so the manager, who may see names, knows whose record to fix."""
    ids = sorted({q.link.person_id for q in doc.data_quality if q.link and q.link.person_id})
    names: dict[str, str] = {}
    for start in range(0, len(ids), 900):
        for pid, given, preferred, family in session.execute(
            select(Person.id, Person.given_name, Person.preferred_name, Person.family_name)
            .where(Person.id.in_(ids[start:start + 900]), Person.deleted_at.is_(None),
                   Person.anonymised_at.is_(None))
        ).all():
            names[pid] = f"{preferred or given} {family}".strip()
    return doc.with_names(names)


def adjust(caseload: Caseload, actor: Actor, contract: str, claim_ref: str, reason: str,
           amount: str | None) -> Decimal:
    """Record a correction to a submitted claim (a new adjustment row, never an edit);
    returns the adjustment's amount."""
    with caseload.transaction() as session:
        adj = add_adjustment(session, actor, contract, claim_ref, reason=reason,
                             amount=(amount or "").strip() or None)
        return adj.amount


def submit(caseload: Caseload, actor: Actor, contract: str, period: str,
           expected_hash: str | None, as_of: dt.date | None = None) -> ReturnDocument:
    """Submit and commit; only then may anything be written that says "submitted"."""
    with caseload.transaction() as session:
        doc = submit_return(session, actor, contract, period, as_of=as_of,
                            expected_hash=expected_hash)
        return name_issues(session, doc)


def export(caseload: Caseload, actor: Actor, doc: ReturnDocument, path: Path | str) -> Path:
    with caseload.transaction() as session:
        return export_return(session, actor, doc, path)


def load_document(caseload: Caseload, actor: Actor, contract: str) -> dict[str, Any]:
    """A stored contract's document, for the editor."""
    require(actor, "contract.edit")
    with caseload.reading() as session:
        return dict(find_contract(session, contract).definition)


def save_document(caseload: Caseload, actor: Actor, data: dict[str, Any]) -> str:
    """Check fully (instruments included) and save into the caseload; returns the code."""
    with caseload.transaction() as session:
        return save_contract(session, actor, data, source="the contract").code


def read_document(path: Path | str) -> dict[str, Any]:
    return read_contract_file(path)


def write_document(path: Path | str, data: dict[str, Any]) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
