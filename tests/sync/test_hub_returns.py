"""The outcome return at the team's hub (a real PostgreSQL): built from the hub's data with the
same statements as on a laptop, submitted into the hub's claims ledger, refused to anyone
whose role may not, and a laptop that syncs with the hub told the command that does it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from linkworker import accounts, models
from linkworker.access import Actor
from linkworker.cli import main
from linkworker.errors import UserError
from linkworker.hub.create import create_hub
from linkworker.returns import flow
from linkworker.returns.build import build_return
from linkworker.returns.document import ReturnDocument, canonical
from linkworker.returns.submit import add_adjustment, submit_return
from linkworker.storage.database import Caseload
from linkworker.storage.server import ServerCaseload
from tests.conftest import CLI_PASSWORD, TEST_PASSPHRASE
from tests.test_returns_caseload import build_caseload

AS_OF = {"2026-Q3": dt.date(2026, 10, 5), "2026-Q4": dt.date(2027, 1, 5)}


@pytest.fixture
def team(tmp_path, monkeypatch):
    """The charity's caseload before it had a hub: the returns test caseload (18 journeys
    of TEST-SIB), a manager and a link worker who sign in with passwords."""
    caseload = Caseload.create(tmp_path / "office.db", TEST_PASSPHRASE)
    with caseload.transaction() as s:
        ids = {}
        for username, role in (("meg", "manager"), ("sam", "link_worker")):
            user = models.User(username=username, display_name=username.title(), role=role,
                               password_hash=accounts.hash_password(CLI_PASSWORD),
                               must_change_password=False)
            s.add(user)
            s.flush()
            ids[username] = user.id
        build_caseload(s, Actor(ids["meg"], "meg", "manager"))
    monkeypatch.setenv("LINKWORKER_PASSWORD", CLI_PASSWORD)
    yield caseload, ids
    caseload.close()


def _manager(ids) -> Actor:
    return Actor(ids["meg"], "meg", "manager")


def _built(caseload: Caseload, actor: Actor, period: str, **kw) -> ReturnDocument:
    with caseload.reading() as s:
        return build_return(s, actor, "TEST-SIB", period, as_of=AS_OF[period], **kw)


def _claims(doc: ReturnDocument) -> list[tuple]:
    return [(r.pseudonym, r.outcome_id, r.achieved_on, r.amount, r.link.achievement_key)
            for r in doc.rows if r.is_claim]


def hub_return(pg_url: str, *args: str) -> int:
    return main(["hub", "return", "--contract", "TEST-SIB", "--url", pg_url, *args])


def test_the_same_caseload_gives_the_same_return_on_a_laptop_and_at_its_hub(team, pg_url):
    """Every rule kind of TEST-SIB, engagement in SQL included, built on the laptop's SQLite
    and at the hub made from it: the same document, byte for byte, so the same content hash
    and the same claims (and the hub's SQL equals the Python reference there too)."""
    laptop, ids = team
    meg = _manager(ids)
    before = {period: _built(laptop, meg, period) for period in AS_OF}
    assert len(_claims(before["2026-Q3"])) == 13  # the caseload's known answer
    create_hub(laptop, pg_url)
    with ServerCaseload.connect(pg_url) as hub:
        for period, on_laptop in before.items():
            at_hub = _built(hub, meg, period)
            assert canonical(at_hub.to_json()) == canonical(on_laptop.to_json()), period
            assert at_hub.content_hash == on_laptop.content_hash
            assert _claims(at_hub) == _claims(on_laptop)
            assert at_hub.data_quality == on_laptop.data_quality
            reference = _built(hub, meg, period, reference=True)
            assert reference.content_hash == at_hub.content_hash


def test_a_return_submitted_at_the_hub_locks_its_claims_for_the_whole_team(
        team, pg_url, tmp_path, capsys):
    laptop, ids = team
    q4_without_ledger = _claims(_built(laptop, _manager(ids), "2026-Q4"))
    create_hub(laptop, pg_url)
    document = tmp_path / "q3.document.json"
    assert hub_return(pg_url, "--period", "2026-Q3", "--as-of", "05/10/2026", "--by", "meg",
                      "--submit", "--out", str(document), "--out",
                      str(tmp_path / "q3.xlsx")) == 0
    out = capsys.readouterr().out
    assert "TEST-SIB 2026-Q3 (SUBMITTED): 13 claims for 9 people, net £2,060.00" in out
    assert main(["returns", "verify", str(document)]) == 0

    with ServerCaseload.connect(pg_url) as hub, hub.reading() as s:
        q3_keys = set(s.execute(select(models.Claim.achievement_key)).scalars())
        assert len(q3_keys) == 13
        submitted = s.execute(select(models.AuditEvent.action, models.AuditEvent.user_id)
                              .where(models.AuditEvent.action.like("return.%"))).all()
        assert ("return.submit", ids["meg"]) in submitted
        assert ("return.export", ids["meg"]) in submitted

    # The same period again, an earlier one, and the hub's own code path: all refused.
    assert hub_return(pg_url, "--period", "2026-Q3", "--by", "meg", "--submit") == 2
    assert "already submitted" in capsys.readouterr().err
    assert hub_return(pg_url, "--period", "2026-Q2", "--by", "meg", "--submit") == 2
    assert "returns are submitted in order" in capsys.readouterr().err

    # The next quarter claims nothing Q3 claimed: without the hub's ledger (the laptop had
    # none) Q3's outcomes came back as late claims.
    late = {key for *_, key in q4_without_ledger} & q3_keys
    assert late, "the caseload should have Q3 outcomes a Q4 return would claim late"
    with ServerCaseload.connect(pg_url) as hub:
        q4 = submit_return_at(hub, ids, "2026-Q4")
        assert not {key for *_, key in _claims(q4)} & q3_keys
        with hub.reading() as s:
            keys = s.execute(select(models.Claim.achievement_key)
                             .where(models.Claim.kind == "claim")).scalars().all()
        assert len(keys) == len(set(keys)) == 13 + len(_claims(q4))

    assert hub_return(pg_url, "--by", "meg", "--list") == 0
    listed = capsys.readouterr().out
    assert "2026-Q3" in listed and "2026-Q4" in listed and "DOES NOT CHECK" not in listed


def submit_return_at(hub: ServerCaseload, ids, period: str) -> ReturnDocument:
    return flow.submit(hub, _manager(ids), "TEST-SIB", period, None, as_of=AS_OF[period])


def test_only_a_user_whose_role_may_submit_returns_can_at_the_hub(team, pg_url, capsys,
                                                                   monkeypatch):
    laptop, _ = team
    create_hub(laptop, pg_url)
    assert hub_return(pg_url, "--period", "2026-Q3", "--by", "sam", "--submit") == 2
    assert "A link worker may not do this (return.submit)" in capsys.readouterr().err
    assert hub_return(pg_url, "--period", "2026-Q3", "--by", "sam") == 2  # not even a draft
    assert hub_return(pg_url, "--by", "sam", "--list") == 2
    assert hub_return(pg_url, "--by", "nobody", "--submit") == 2
    monkeypatch.setenv("LINKWORKER_PASSWORD", CLI_PASSWORD + "x")
    assert hub_return(pg_url, "--period", "2026-Q3", "--by", "meg", "--submit") == 2
    assert "username and password do not match" in capsys.readouterr().err
    with ServerCaseload.connect(pg_url) as hub, hub.reading() as s:
        assert s.scalar(select(func.count()).select_from(models.OutcomeReturn)) == 0
        assert s.scalar(select(func.count()).select_from(models.Claim)) == 0
        assert not s.execute(select(models.AuditEvent.id).where(
            models.AuditEvent.action.like("return.%"))).all()


def test_a_laptop_that_syncs_with_a_hub_is_told_the_command_that_submits_there(team, pg_url):
    laptop, ids = team
    create_hub(laptop, pg_url)
    meg = _manager(ids)
    with pytest.raises(UserError) as refused, laptop.transaction() as s:
        submit_return(s, meg, "TEST-SIB", "2026-Q3")
    said = str(refused.value)
    assert "submitted at the team's hub" in said
    assert re.search(r"At the hub, as its owner: linkworker hub return --contract TEST-SIB "
                     r"--period 2026-Q3 --submit --by meg --url postgresql\S*://OWNER@", said)
    with pytest.raises(UserError, match=r"hub return --contract TEST-SIB --adjust 2026-Q3:1 "
                                        r"--reason \"...\" --by meg --url"), \
            laptop.transaction() as s:
        add_adjustment(s, meg, "TEST-SIB", "2026-Q3:1", reason="wrong date")
    # A draft from the laptop's own copy still builds (the Returns screen's preview).
    assert len(_claims(_built(laptop, meg, "2026-Q3"))) == 13
