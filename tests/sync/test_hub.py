"""The hub on a real PostgreSQL: made from a laptop, scoped replicas, roles held at the hub."""

from __future__ import annotations

import datetime as dt
import re
import threading
import uuid

import pytest
import sqlalchemy
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from linkworker import audit, models
from linkworker.access import Actor
from linkworker.hub import schema
from linkworker.hub.create import create_hub
from linkworker.hub.inbox import apply_inbox
from linkworker.storage.database import Caseload
from linkworker.storage.server import ServerCaseload
from linkworker.sync import packs, replica, teamkey
from linkworker.sync.online import sync_with_hub
from tests.conftest import TEST_PASSPHRASE
from tests.sync.conftest import edit, read


def _user(s, username: str, role: str) -> str:
    user = models.User(username=username, display_name=username.title(), role=role)
    s.add(user)
    s.flush()
    return user.id


def _person(s, given: str, worker_id: str) -> str:
    person = models.Person(reference=f"LW-{uuid.uuid4().hex[:6]}", given_name=given,
                           family_name="Smith", date_of_birth=dt.date(1960, 5, 1))
    s.add(person)
    s.flush()
    s.add(models.Episode(person_id=person.id, referral_date=dt.date(2026, 11, 2),
                         worker_id=worker_id))
    s.flush()
    return person.id


@pytest.fixture
def office(tmp_path):
    """The manager's existing single-laptop caseload: two workers, one person each."""
    caseload = Caseload.create(tmp_path / "office.db", TEST_PASSPHRASE)
    with caseload.transaction() as s:
        ids = {"sam": _user(s, "sam", "link_worker"), "lee": _user(s, "lee", "link_worker"),
               "meg": _user(s, "meg", "manager")}
        ids["ruth"] = _person(s, "Ruth", ids["sam"])
        ids["omar"] = _person(s, "Omar", ids["lee"])
        meg = Actor(ids["meg"], "meg", "manager")
        audit.record(s, meg, "person.view", person_id=ids["ruth"])
        audit.record(s, meg, "person.view", person_id=ids["omar"])
    yield caseload, ids
    caseload.close()


def _login_url(pg_url: str, login: str) -> str:
    return make_url(pg_url).set(username=login).render_as_string(hide_password=False)


def _laptop_for(tmp_path, office_caseload, pg_url, username, user_id):
    """A new laptop for ``username``: empty caseload, the team key, its own hub login."""
    login = f"lw_{username}_{uuid.uuid4().hex[:6]}"
    hub = ServerCaseload.connect(pg_url)
    with hub.transaction() as s:
        schema.add_login(s.connection(), login, "not-used-with-trust-auth", user_id)
    hub.close()
    laptop = Caseload.create(tmp_path / f"{username}.db", TEST_PASSPHRASE)
    with office_caseload.engine.connect() as conn:
        key = teamkey.require(conn)
    with laptop.transaction() as s:
        teamkey.install(s.connection(), key)
    return laptop, _login_url(pg_url, login)


def test_hub_init_takes_the_whole_caseload_and_keeps_the_audit_chain(office, pg_url):
    caseload, ids = office
    made = create_hub(caseload, pg_url)
    assert made.people == 2
    hub = ServerCaseload.connect(pg_url)
    try:
        with hub.reading() as s, caseload.reading() as local:
            for model in (models.Person, models.Episode, models.User, models.AuditEvent):
                count = select(func.count()).select_from(model)
                assert s.execute(count).scalar_one() == local.execute(count).scalar_one()
            chain = select(models.AuditEvent.seq, models.AuditEvent.prev_hash,
                           models.AuditEvent.hash).order_by(models.AuditEvent.seq)
            assert s.execute(chain).all() == local.execute(chain).all()
        with pytest.raises(sqlalchemy.exc.DBAPIError, match="append-only"), \
                hub.transaction() as s:
            s.execute(text("DELETE FROM audit_events"))
    finally:
        hub.close()
    with pytest.raises(Exception, match="already holds a caseload"):
        create_hub(caseload, pg_url)


def test_a_worker_laptop_holds_only_its_scope_and_its_edits_reach_the_hub(
        office, pg_url, tmp_path):
    caseload, ids = office
    create_hub(caseload, pg_url)
    laptop, login_url = _laptop_for(tmp_path, caseload, pg_url, "sam", ids["sam"])
    first = sync_with_hub(laptop, login_url)
    assert first.pulled > 0
    with laptop.reading() as s:
        assert set(s.scalars(select(models.Person.given_name))) == {"Ruth"}
        assert s.scalar(select(func.count()).select_from(models.User)) == 3
        assert s.scalar(select(func.count()).select_from(models.AuditEvent)) == 0
    edit(laptop, models.Person, ids["ruth"], town="Wakefield")
    second = sync_with_hub(laptop, login_url)
    assert second.pushed >= 1
    hub = ServerCaseload.connect(pg_url)
    try:
        report = apply_inbox(hub)
        assert report.applied >= 1 and report.refused == []
        assert read(hub, models.Person, ids["ruth"], "town") == ("Wakefield",)
    finally:
        hub.close()
    again = sync_with_hub(laptop, login_url)  # nothing new either way
    assert again.applied == 0
    laptop.close()


def _forged_town_edit(caseload, ids, *, claimed_person: str) -> bytes:
    """A pack, sealed with the real team key, of Sam changing Lee's client Omar's town."""
    with caseload.engine.connect() as conn:
        key = teamkey.require(conn)
    forged = [{"change_id": f"{9_999_999_999_999}.000000.{'e' * 32}", "device_id": "e" * 32,
               "user_id": ids["sam"], "table_name": "people", "row_id": ids["omar"],
               "person_id": claimed_person, "op": "update", "data": {"town": "Nowhere"},
               "bases": {"town": []}}]
    header = {"format": 1, "team_key": key.key_id, "schema": packs.migrate.head_revision()}
    return packs.seal(key, header, forged)


def test_a_modified_client_can_neither_read_nor_write_outside_its_scope(
        office, pg_url, tmp_path):
    caseload, ids = office
    create_hub(caseload, pg_url)
    laptop, login_url = _laptop_for(tmp_path, caseload, pg_url, "sam", ids["sam"])
    raw = sqlalchemy.create_engine(login_url)
    try:
        with raw.connect() as conn, pytest.raises(sqlalchemy.exc.ProgrammingError,
                                                  match="permission denied"):
            conn.execute(text("SELECT given_name FROM people"))
        with raw.connect() as conn:
            pulled = conn.execute(text("SELECT person_id FROM linkworker_pull(0, '{}')")).all()
        assert {p for (p,) in pulled if p} == {ids["ruth"]}
        with raw.begin() as conn:  # the bulk first replica: the same scope, no more
            copied = [row for rows in replica.answer(conn) for row in rows]
        records = {(t, r): body for kind, _s, t, r, *_, body in copied
                   if kind == "key" and body is not None}
        assert {r for t, r in records if t == "people"} == {ids["ruth"]}
        assert not {t for t, _ in records} & {"audit_events", "claims", "returns"}
        assert all("failed_attempts" not in b  # local-only columns stay at the hub
                   for (t, _), b in records.items() if t == "users")
        # A forged change to Lee's person (claiming to be Ruth's), pushed directly.
        with raw.begin() as conn:
            conn.execute(text("SELECT linkworker_push(:p)"),
                         {"p": _forged_town_edit(caseload, ids, claimed_person=ids["ruth"])})
    finally:
        raw.dispose()
    hub = ServerCaseload.connect(pg_url)
    try:
        report = apply_inbox(hub)
        assert report.applied == 0 and len(report.refused) == 1
        assert "outside" in report.refused[0]
        assert read(hub, models.Person, ids["omar"], "town") == (None,)
    finally:
        hub.close()
    laptop.close()


def test_a_new_person_added_on_a_laptop_reaches_the_hub(office, pg_url, tmp_path):
    caseload, ids = office
    create_hub(caseload, pg_url)
    laptop, login_url = _laptop_for(tmp_path, caseload, pg_url, "sam", ids["sam"])
    sync_with_hub(laptop, login_url)
    with laptop.transaction() as s:
        new_id = _person(s, "Nadia", ids["sam"])
    sync_with_hub(laptop, login_url)
    hub = ServerCaseload.connect(pg_url)
    try:
        assert apply_inbox(hub).refused == []
        assert read(hub, models.Person, new_id, "given_name") == ("Nadia",)
    finally:
        hub.close()
    laptop.close()


def test_packs_at_the_hub_carry_only_the_users_scope_and_come_back(office, pg_url, tmp_path,
                                                                   monkeypatch, capsys):
    from linkworker.cli import main
    from linkworker.hub.exchange import pack_for_user
    from linkworker.sync import service

    caseload, ids = office
    create_hub(caseload, pg_url)
    laptop, _ = _laptop_for(tmp_path, caseload, pg_url, "sam", ids["sam"])
    hub = ServerCaseload.connect(pg_url)
    try:
        info = pack_for_user(hub, "sam", tmp_path / "for-sam.lwpack")
        assert info.changes > 0
    finally:
        hub.close()
    service.import_pack(laptop, tmp_path / "for-sam.lwpack")
    with laptop.reading() as s:
        assert set(s.scalars(select(models.Person.given_name))) == {"Ruth"}
    edit(laptop, models.Person, ids["ruth"], phone="01632 960001")
    service.export_pack(laptop, tmp_path / "from-sam.lwpack")
    laptop.close()
    monkeypatch.setenv("LINKWORKER_PASSPHRASE", TEST_PASSPHRASE)
    pack = str(tmp_path / "from-sam.lwpack")
    assert main(["hub", "import-pack", pack, "--from", "sam", "--url", pg_url]) == 0
    assert "Applied" in capsys.readouterr().out
    hub = ServerCaseload.connect(pg_url)
    try:
        assert read(hub, models.Person, ids["ruth"], "phone") == ("01632 960001",)
    finally:
        hub.close()


def test_a_pack_carried_to_the_hub_is_held_to_its_makers_scope(office, pg_url, tmp_path,
                                                               monkeypatch, capsys):
    """The team key is the whole team's, so a worker's pack could hold a forged edit of
    someone else's client: ``hub import-pack --from`` refuses all of it, as ``hub apply`` does."""
    from linkworker.cli import main

    caseload, ids = office
    create_hub(caseload, pg_url)
    pack = tmp_path / "from-sam.lwpack"
    pack.write_bytes(_forged_town_edit(caseload, ids, claimed_person=ids["omar"]))
    monkeypatch.setenv("LINKWORKER_PASSPHRASE", TEST_PASSPHRASE)
    assert main(["hub", "import-pack", str(pack), "--from", "sam", "--url", pg_url]) == 2
    err = capsys.readouterr().err
    assert "outside" in err and err.count("\n") == 1
    assert main(["hub", "import-pack", str(pack), "--from", "nobody", "--url", pg_url]) == 2
    assert "not an active LinkWorker user" in capsys.readouterr().err
    hub = ServerCaseload.connect(pg_url)
    try:
        assert read(hub, models.Person, ids["omar"], "town") == (None,)
    finally:
        hub.close()
    # Lee may change Omar: the same pack, said to be Lee's, is applied.
    assert main(["hub", "import-pack", str(pack), "--from", "lee", "--url", pg_url]) == 0
    hub = ServerCaseload.connect(pg_url)
    try:
        assert read(hub, models.Person, ids["omar"], "town") == ("Nowhere",)
    finally:
        hub.close()


def test_a_laptop_that_syncs_with_a_hub_cannot_submit_returns(office, pg_url):
    from linkworker.access import SYSTEM
    from linkworker.returns.submit import submit_return

    caseload, _ = office
    create_hub(caseload, pg_url)
    with pytest.raises(Exception, match="submitted at the team's hub"), \
            caseload.transaction() as s:
        submit_return(s, SYSTEM, "ANY", "2026-Q3")


def test_an_old_laptop_is_told_to_update_and_nothing_is_sent(office, pg_url, tmp_path):
    from linkworker.errors import UserError
    from linkworker.sync import service

    caseload, ids = office
    create_hub(caseload, pg_url)
    laptop, login_url = _laptop_for(tmp_path, caseload, pg_url, "sam", ids["sam"])
    sync_with_hub(laptop, login_url)
    edit(laptop, models.Person, ids["ruth"], town="Halifax")
    waiting = service.status(laptop).changes_waiting
    hub = ServerCaseload.connect(pg_url, upgrade=False)
    try:
        with hub.engine.begin() as conn:  # as if the hub had been upgraded past this laptop
            conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    finally:
        hub.close()
    with pytest.raises(UserError, match="newer LinkWorker.*Update LinkWorker on this laptop"):
        sync_with_hub(laptop, login_url)
    assert service.status(laptop).changes_waiting == waiting
    laptop.close()



def _pulls_explained(pg_url: str, login: str, calls: list[tuple[int, list[str]]],
                     *settings: str) -> tuple[list[list[tuple]], list[str]]:
    """``linkworker_pull(after, known)`` for each call, as ``login``, with the plans of its
    statements as PostgreSQL ran them (auto_explain, shown as notices)."""
    admin = sqlalchemy.create_engine(pg_url)
    plans: list[str] = []
    try:
        with admin.connect() as conn:
            conn.connection.driver_connection.add_notice_handler(
                lambda notice: plans.append(notice.message_primary or ""))
            for setting in ("LOAD 'auto_explain'", "SET auto_explain.log_min_duration = 0",
                            "SET auto_explain.log_nested_statements = on", *settings,
                            f"SET SESSION AUTHORIZATION {login}",
                            "SET client_min_messages = log"):
                conn.exec_driver_sql(setting)
            pull = text("SELECT seq, person_id FROM linkworker_pull(:after, :known)")
            answers = [conn.execute(pull, {"after": after, "known": known}).all()
                       for after, known in calls]
            conn.exec_driver_sql("RESET SESSION AUTHORIZATION")
    finally:
        admin.dispose()
    return answers, plans


def test_the_pull_never_searches_the_known_people_change_by_change(office, pg_url, tmp_path):
    """A manager's laptop sends every person it has (150,000 at 150k) as ``known``: the hub
    takes the people new to it as one set difference, never ``person_id = ANY (known)`` on
    each change (a scan of the whole array per change: hours over 14 million). The plan of
    the pull's statement, as PostgreSQL ran it (auto_explain), and what it sends."""
    caseload, ids = office
    create_hub(caseload, pg_url)
    laptop, login_url = _laptop_for(tmp_path, caseload, pg_url, "sam", ids["sam"])
    laptop.close()
    answers, plans = _pulls_explained(pg_url, make_url(login_url).username,
                                      [(10**9, []), (10**9, [ids["ruth"]])])
    new, known = ({p for (_, p) in rows if p} for rows in answers)
    assert new == {ids["ruth"]} and known == set()  # a new person whole; a known one not again
    conditions = [line.strip() for plan in plans if "FROM sync_changes c" in plan
                  for line in plan.splitlines() if "Filter:" in line or "Cond:" in line]
    assert conditions  # the pull's statement was planned and shown
    # ``known`` is the function's text[] argument, a bare ``$n`` in the plan (the scope's
    # arrays are made by InitPlans, cast from varchar[]): no change is tested against it.
    per_change = re.compile(r"person_id\)::text (<> ALL|= ANY) \(\$\d+\)")
    assert not [line for line in conditions if per_change.search(line)], conditions


def _nodes_run(plan: str) -> list[tuple[str, str]]:
    """Each plan node PostgreSQL ran (not "never executed"), with its conditions."""
    nodes: list[tuple[str, list[str]]] = []
    for line in plan.splitlines():
        if ("Filter:" in line or "Cond:" in line) and "Rows Removed" not in line and nodes:
            nodes[-1][1].append(line.strip())
        elif "(actual" in line or "(never executed)" in line:
            nodes.append((line.strip(), []))
    return [(node, " ".join(conds)) for node, conds in nodes if "never executed" not in node]


def test_a_daily_pull_reads_the_new_changes_by_sequence(office, pg_url, tmp_path):
    """A manager's daily pull (everyone known, one change since ``after``) reads the changes
    after ``after`` by sequence and keeps the scope's by hash: through the person index it
    read every change of the scope (all 14 million at a 150,000-person hub) to send a few
    hundred. The plan of the pull's statement as PostgreSQL ran it (auto_explain, ANALYZE),
    with sequential scans off so that this tiny hub is read by index as a big one is."""
    caseload, ids = office
    create_hub(caseload, pg_url)
    laptop, login_url = _laptop_for(tmp_path, caseload, pg_url, "meg", ids["meg"])
    laptop.close()
    engine = sqlalchemy.create_engine(pg_url)
    with engine.connect() as conn:
        last = conn.execute(text("SELECT max(seq) FROM sync_changes")).scalar_one()
        everyone = sorted(set(conn.execute(text(
            "SELECT person_id FROM sync_changes WHERE person_id IS NOT NULL")).scalars()))
    engine.dispose()
    [sent], plans = _pulls_explained(
        pg_url, make_url(login_url).username, [(last - 1, everyone)],
        "SET auto_explain.log_analyze = on", "SET auto_explain.log_timing = off",
        "SET enable_seqscan = off", "SET enable_bitmapscan = off")
    assert [seq for seq, _ in sent] == [last] and len(everyone) == 2  # one new; nobody new
    ran = _nodes_run(next(plan for plan in plans if "FROM sync_changes c" in plan))
    by_seq = [conds for node, conds in ran if "using sync_changes_pkey on sync_changes c" in node
              and re.search(r"\(seq > \$1\) AND \(seq <= \$\d+\)", conds)]
    assert by_seq, ran  # the changes after ``after``, read by the sequence's index
    by_person = [(node, conds) for node, conds in ran if " on sync_changes" in node
                 and "seq > $1" in conds and "person_id)::text = ANY" in conds]
    assert not by_person  # no change of the scope read to test its sequence number


def test_two_hubs_installed_at_once_on_one_server_both_get_the_laptop_role(pg_url):
    """Roles are server-wide: an install that finds the role missing while another install's
    CREATE ROLE is not yet committed waits for it, then must take the role as there, not fail
    (two hubs' first installs at once on one server, as the test suite does on two workers)."""
    role = f"lw_race_{uuid.uuid4().hex[:8]}"
    [statement] = [s for s in schema.STATEMENTS if "CREATE ROLE linkworker_laptop" in s]
    statement = statement.replace("linkworker_laptop", role)
    engine = sqlalchemy.create_engine(pg_url)
    first, second = engine.connect(), engine.connect()
    try:
        first.execute(text(statement))  # made, not yet committed
        waiting = threading.Thread(target=lambda: _install_role(second, statement))
        waiting.start()
        _blocked_on_a_lock(engine, waiting)
        first.commit()
        waiting.join(30)
        assert not waiting.is_alive()
        assert second.info.get("failed") is None, second.info["failed"]
        assert first.execute(text("SELECT count(*) FROM pg_roles WHERE rolname = :r"),
                             {"r": role}).scalar() == 1
    finally:
        first.rollback()
        first.execute(text(f"DROP ROLE IF EXISTS {role}"))
        first.commit()
        first.close()
        second.close()
        engine.dispose()


def _install_role(conn, statement: str) -> None:
    try:
        conn.execute(text(statement))
        conn.commit()
    except sqlalchemy.exc.DBAPIError as error:
        conn.info["failed"] = type(error.orig).__name__
        conn.rollback()


def _blocked_on_a_lock(engine, waiting: threading.Thread) -> None:
    """Until the second install waits on the first's uncommitted role (no sleeps as timing:
    the server says when a backend is waiting on a lock)."""
    with engine.connect() as watcher:
        for _ in range(3000):
            if watcher.execute(text("SELECT count(*) FROM pg_stat_activity "
                                    "WHERE wait_event_type = 'Lock' "
                                    "AND datname = current_database()")).scalar():
                return
            if not waiting.is_alive():
                return
            watcher.rollback()
            threading.Event().wait(0.01)
    raise AssertionError("the second install never waited for the first")
