"""A referral's duplicate check shows only what the role may see (issue 13 item 3).

Promise (docs/security.md, "Accounts and roles"): a match outside the user's scope says
"known to the service: ask a manager" with no name, reference, date of birth or id; starting
a new journey for someone known opens their history only to those allowed; the NHS-number
clash names nobody.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from record import conftest as record_fixtures
from record.conftest import TODAY, details

from linkworker import profile as person_core
from linkworker.access import PermissionDenied
from linkworker.errors import UserError
from linkworker.journey import exit_episode
from linkworker.referral import (
    OUT_OF_SCOPE,
    DuplicateFound,
    Intake,
    assess,
    refer_existing,
    save_referral,
)

team = record_fixtures.team  # the record tests' two link workers, a manager and a contract


@pytest.fixture
def former_client(caseload, team):
    """Jane Doe, worker1's client, whose journey has ended."""
    saved = save_referral(caseload, team.worker, details(team), today=TODAY)
    with caseload.transaction() as s:
        exit_episode(s, team.worker, saved.episode_id, "moved", dt.date(2026, 2, 1), TODAY)
    return saved


def test_a_match_outside_scope_says_nothing_identifying(caseload, team, former_client):
    found = assess(caseload, team.other_worker, details(team), TODAY).duplicates
    assert len(found) == 1
    [match] = found
    assert not match.in_scope and match.offer == OUT_OF_SCOPE
    shown = " ".join(str(v) for v in dataclasses.astuple(match))
    for secret in ("Jane", "Doe", former_client.reference, former_client.person_id, "1968"):
        assert secret not in shown
    with pytest.raises(DuplicateFound) as caught:
        save_referral(caseload, team.other_worker, details(team), today=TODAY)
    assert former_client.reference not in str(caught.value) and "Jane" not in str(caught.value)


def test_a_match_in_scope_is_named_for_those_allowed(caseload, team, former_client):
    for actor in (team.worker, team.manager):
        [match] = assess(caseload, actor, details(team), TODAY).duplicates
        assert match.in_scope and match.reference == former_client.reference


def test_a_new_journey_opens_history_only_to_those_allowed(caseload, team, former_client):
    intake = Intake()
    intake.edit(details(team))
    intake.assessed(assess(caseload, team.other_worker, intake.details, TODAY))
    with pytest.raises(UserError):
        intake.open_existing("")  # the out-of-scope match has no id to open
    with pytest.raises(PermissionDenied):
        refer_existing(caseload, team.other_worker, former_client.person_id,
                       details(team, referral_date=dt.date(2026, 3, 1)), today=TODAY)
    again = refer_existing(caseload, team.manager, former_client.person_id,
                           details(team, referral_date=dt.date(2026, 3, 1),
                                   worker_id=team.other_worker.user_id), today=TODAY)
    assert again.episode_number == 2


def test_the_nhs_number_clash_names_nobody(caseload, team, former_client):
    other = save_referral(caseload, team.manager, details(
        team, given_name="Someone", family_name="Else", nhs_number="", date_of_birth=None),
        allow_duplicates=True, today=TODAY)
    with caseload.transaction() as s, pytest.raises(person_core.FieldProblems) as caught:
        person_core._refuse_shared_nhs_number(s, other.person_id, "9434765919")
    message = str(caught.value.problems if hasattr(caught.value, "problems") else caught.value)
    assert former_client.reference not in message and "someone else" in message
