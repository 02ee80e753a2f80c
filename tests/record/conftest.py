"""Fixtures for the person's record: a caseload with two link workers and the sample contract."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from linkworker.access import Actor
from linkworker.models import User
from linkworker.outcomes.sample import install_sample_contract
from linkworker.referral import ReferralDetails, save_referral

TODAY = dt.date(2026, 3, 2)


@dataclass(frozen=True)
class Team:
    worker: Actor
    other_worker: Actor
    manager: Actor
    contract_id: str


def _user(session, username: str, name: str, role: str) -> Actor:
    user = User(username=username, display_name=name, role=role)
    session.add(user)
    session.flush()
    return Actor(user.id, username, role, name)


@pytest.fixture
def team(caseload) -> Team:
    with caseload.transaction() as s:
        worker = _user(s, "worker1", "Sam Patel", "link_worker")
        other = _user(s, "worker2", "Alex Reid", "link_worker")
        manager = _user(s, "manager", "Morgan Lee", "manager")
        contract = install_sample_contract(s)
        return Team(worker, other, manager, contract.id)


def details(team: Team, **changes) -> ReferralDetails:
    base = ReferralDetails(
        given_name="Jane", family_name="Doe", date_of_birth=dt.date(1968, 5, 14),
        nhs_number="943 476 5919", postcode="ne4 5ab", phone="07700 900123",
        conditions=(("copd", "bad chest"),), referral_date=dt.date(2026, 1, 5), source="gp",
        reasons=("loneliness", "long_term_condition"), referrer_name="Dr Khan",
        referrer_organisation="Elswick Surgery", worker_id=team.worker.user_id,
        contract_id=team.contract_id,
    )
    return ReferralDetails(**{**base.__dict__, **changes})


@pytest.fixture
def jane(caseload, team):
    """Jane Doe, referred by her GP on 05/01/2026, on worker1's caseload."""
    return save_referral(caseload, team.worker, details(team), today=TODAY)
