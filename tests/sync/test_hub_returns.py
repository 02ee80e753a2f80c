"""The outcome return at the team's hub (a real PostgreSQL): built from the hub's data with the
same statements as on a laptop, submitted into the hub's claims ledger, refused to anyone
whose role may not, and a laptop that syncs with the hub told the command that does it."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from linkworker import accounts, audit, models
from linkworker.access import Actor
from linkworker.cli import main
from linkworker.errors import UserError
from linkworker.hub.create import create_hub
from linkworker.returns import flow
from linkworker.returns.build import build_return
from linkworker.returns.document import ReturnDocument, canonical
from linkworker.returns.submit import add_adjustment, submit_return
from linkworker.storage.database import Caseload
from linkworker.storage.server import ServerCaseload, engine_for_url
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


# --- two managers at the hub at the same moment ---------------------------------------------


class Rendezvous:
    """Holds each racer after its build and ledger writes, before its commit, until every
    other racer has got as far, finished, or is waiting on a lock at the hub. Without the hub's
    writer lock the racers overlap every time (both build from the same ledger); with it the
    second waits for the first's commit, and nothing here depends on how long anything takes."""

    def __init__(self, pg_url: str, racers: int) -> None:
        self.racers, self.here, self.done = racers, 0, 0
        self.changed = threading.Condition()
        self.url, self.watch = pg_url, engine_for_url(pg_url)
        self.start = threading.Barrier(racers)

    def _waiting_on_a_lock(self) -> int:
        with self.watch.connect() as conn:
            return conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'")).scalar_one()

    def meet(self) -> None:
        with self.changed:
            self.here += 1
            self.changed.notify_all()
            while self.here + self.done < self.racers and not self._waiting_on_a_lock():
                self.changed.wait(0.05)

    def finished(self) -> None:
        with self.changed:
            self.done += 1
            self.changed.notify_all()

    def run(self, *work) -> list:
        """Each ``work(session)`` in its own thread and connection to the hub, all started
        at once; each one's answer, or the ``UserError`` (or other error) it raised."""
        results: list = [None] * len(work)

        hubs = [ServerCaseload.connect(self.url, upgrade=False) for _ in work]

        def race(i: int, job) -> None:
            hub = hubs[i]
            try:
                self.start.wait()
                with hub.transaction() as session:
                    results[i] = job(session)
                    self.meet()
            except Exception as exc:  # the test reads what each one raised
                results[i] = exc
            finally:
                self.finished()
                hub.close()

        threads = [threading.Thread(target=race, args=(i, job)) for i, job in enumerate(work)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.watch.dispose()
        return results


def _submitting(ids, period: str):
    return lambda session: submit_return(session, _manager(ids), "TEST-SIB", period,
                                         as_of=AS_OF[period])


def previewed(pg_url: str, ids) -> None:
    """The managers look at their drafts first (an audited build each), as they would."""
    with ServerCaseload.connect(pg_url) as hub:
        for period in AS_OF:
            flow.prepare(hub, _manager(ids), "TEST-SIB", period, as_of=AS_OF[period])


def _ledger(pg_url: str) -> tuple[list[str], list[tuple], bool]:
    """The hub's claimed achievement keys (one per claim), its returns, and whether its audit
    chain is whole."""
    with ServerCaseload.connect(pg_url) as hub, hub.reading() as s:
        keys = s.execute(select(models.Claim.achievement_key)
                         .where(models.Claim.kind == "claim")).scalars().all()
        returns = s.execute(select(models.OutcomeReturn.period, models.OutcomeReturn.id)
                            .order_by(models.OutcomeReturn.period)).all()
        return keys, returns, audit.verify_chain(s).ok


def test_two_submissions_of_the_same_period_at_once_one_wins_the_other_writes_nothing(
        team, pg_url):
    laptop, ids = team
    create_hub(laptop, pg_url)
    previewed(pg_url, ids)
    first, second = Rendezvous(pg_url, 2).run(_submitting(ids, "2026-Q3"),
                                              _submitting(ids, "2026-Q3"))
    won = [r for r in (first, second) if isinstance(r, ReturnDocument)]
    lost = [r for r in (first, second) if not isinstance(r, ReturnDocument)]
    assert len(won) == 1 and len(lost) == 1, (first, second)
    assert isinstance(lost[0], UserError), repr(lost[0])
    assert "The 2026-Q3 return was already submitted on" in str(lost[0])
    keys, returns, chain_ok = _ledger(pg_url)
    assert [period for period, _ in returns] == ["2026-Q3"]
    assert len(keys) == len(set(keys)) == won[0].totals.claims == 13
    assert chain_ok
    with ServerCaseload.connect(pg_url) as hub, hub.reading() as s:
        assert s.scalar(select(func.count()).select_from(models.AuditEvent).where(
            models.AuditEvent.action == "return.submit")) == 1


@pytest.mark.parametrize("isolation", [None, "repeatable read", "serializable"])
def test_q3_and_q4_submitted_at_once_never_claim_one_outcome_twice(team, pg_url, isolation):
    """Q4 claims Q3's outcomes late when it cannot see Q3's claims; submitted at the same
    moment, either Q3 goes first and Q4 sees its claims, or Q4 goes first and Q3 is refused
    (returns go in order). Also where the hub's database starts its transactions at a stricter
    isolation level (a DBA's ``default_transaction_isolation``), which would freeze what the
    second one reads before it had the lock."""
    laptop, ids = team
    create_hub(laptop, pg_url)
    previewed(pg_url, ids)
    if isolation:
        owner = engine_for_url(pg_url).execution_options(isolation_level="AUTOCOMMIT")
        with owner.connect() as conn:
            conn.execute(text(f"ALTER DATABASE {make_url(pg_url).database} "
                              f"SET default_transaction_isolation = '{isolation}'"))
        owner.engine.dispose()
    q3, q4 = Rendezvous(pg_url, 2).run(_submitting(ids, "2026-Q3"),
                                       _submitting(ids, "2026-Q4"))
    keys, returns, chain_ok = _ledger(pg_url)
    assert len(keys) == len(set(keys)), "an outcome was claimed twice"
    assert isinstance(q4, ReturnDocument), repr(q4)
    if isinstance(q3, ReturnDocument):
        assert [p for p, _ in returns] == ["2026-Q3", "2026-Q4"]
    else:
        assert isinstance(q3, UserError) and "returns are submitted in order" in str(q3)
        assert [p for p, _ in returns] == ["2026-Q4"]
    assert len(keys) == sum(d.totals.claims for d in (q3, q4) if isinstance(d, ReturnDocument))
    assert chain_ok


def test_an_adjustment_recorded_while_a_return_is_submitted_goes_into_one_return(team,
                                                                                 pg_url):
    """The adjustment is in the Q4 return (its row there, the ledger's link to it) or left for
    the next one (in neither), never half; and the audit trail stays one chain."""
    laptop, ids = team
    create_hub(laptop, pg_url)
    with ServerCaseload.connect(pg_url) as hub:
        submit_return_at(hub, ids, "2026-Q3")

    def adjusting(session):
        return add_adjustment(session, _manager(ids), "TEST-SIB", "2026-Q3:1",
                              reason="wrong date").id

    adjustment, q4 = Rendezvous(pg_url, 2).run(adjusting, _submitting(ids, "2026-Q4"))
    assert isinstance(adjustment, str) and isinstance(q4, ReturnDocument), (adjustment, q4)
    _, returns, chain_ok = _ledger(pg_url)
    with ServerCaseload.connect(pg_url) as hub, hub.reading() as s:
        in_return = s.get(models.Claim, adjustment).return_id
    rows = [r for r in q4.rows if not r.is_claim]
    assert in_return in (None, dict(returns)["2026-Q4"])
    assert len(rows) == (0 if in_return is None else 1)
    assert chain_ok


def test_two_adjustments_of_one_claim_at_once_never_take_it_below_zero(team, pg_url):
    """Each claws back the whole claim: the second must see the first's and be refused, not
    take the money back twice."""
    laptop, ids = team
    create_hub(laptop, pg_url)
    with ServerCaseload.connect(pg_url) as hub:
        submit_return_at(hub, ids, "2026-Q3")
        with hub.reading() as s:
            claimed = s.execute(select(models.Claim.amount).join(
                models.OutcomeReturn, models.OutcomeReturn.id == models.Claim.return_id).where(
                models.OutcomeReturn.period == "2026-Q3", models.Claim.line == 1)).scalar_one()

    def reversing(session):
        return add_adjustment(session, _manager(ids), "TEST-SIB", "2026-Q3:1",
                              reason="not eligible", amount=-claimed).amount

    results = Rendezvous(pg_url, 2).run(reversing, reversing)
    refused = [r for r in results if isinstance(r, UserError)]
    assert len(refused) == 1 and -claimed in results, results
    assert "That would take the claim below zero: it stands at 0.00" in str(refused[0])
    with ServerCaseload.connect(pg_url) as hub, hub.reading() as s:
        adjustments = s.execute(select(models.Claim.amount).where(
            models.Claim.kind == "adjustment")).scalars().all()
    assert adjustments == [-claimed]
