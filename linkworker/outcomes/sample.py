"""The sample contract shipped in ``resources/contracts``: an 18-month social prescribing SIB.

The demo generator installs it so demo journeys belong to a contract and the Returns screen
has something real to work on. Installing is idempotent: a second call returns the same row.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from linkworker.access import SYSTEM
from linkworker.models import Contract
from linkworker.outcomes.contract import read_contract_file
from linkworker.outcomes.store import save_contract
from linkworker.resources import resource_path

SAMPLE_FILE = ("contracts", "sample-sib.json")


def sample_document() -> dict:
    return read_contract_file(resource_path(*SAMPLE_FILE))


def install_sample_contract(session: Session) -> Contract:
    """Install the sample contract if it is not there yet; return its row."""
    data = sample_document()
    existing = session.execute(
        select(Contract).where(Contract.code == data["code"])
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    return save_contract(session, SYSTEM, data, source="sample contract")
