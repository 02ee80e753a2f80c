"""A new laptop's first replica copied in bulk ends exactly where replaying the hub's log ends.

Two new laptops of one link worker: one copies its replica in bulk (``linkworker_replica_cursor()``,
``sync.replica``), the other replays the change log (``bulk=False``). The hub already holds a
conflict and a deleted record in the worker's scope. Both must hold the same records, field
heads, change log and open conflicts, and after edits on every side (the same field on both
new laptops: a true conflict) and rounds of sync, still the same.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import sqlalchemy
from sqlalchemy import event, func, select

from linkworker import models
from linkworker.demo import generate
from linkworker.hub.create import create_hub
from linkworker.hub.inbox import apply_inbox
from linkworker.storage.database import Caseload
from linkworker.storage.server import ServerCaseload
from linkworker.sync import replica, state
from linkworker.sync.changelog import CHANGES, ROWS
from linkworker.sync.online import sync_with_hub
from linkworker.sync.tables import RULES
from tests.conftest import TEST_PASSPHRASE
from tests.sync.conftest import edit, open_conflicts
from tests.sync.test_hub import _laptop_for


def _busiest_worker(caseload: Caseload) -> tuple[str, str, list[str]]:
    """The link worker with most people, and their people."""
    with caseload.reading() as s:
        worker_id, _ = s.execute(
            select(models.Episode.worker_id, func.count(func.distinct(models.Episode.person_id)))
            .join(models.User, models.User.id == models.Episode.worker_id)
            .where(models.User.role == "link_worker")
            .group_by(models.Episode.worker_id).order_by(func.count().desc())).first()
        name = s.get(models.User, worker_id).username
        people = sorted(s.scalars(select(models.Episode.person_id).distinct()
                                  .where(models.Episode.worker_id == worker_id)))
    return worker_id, name, people


def _state(caseload: Caseload) -> dict:
    """Everything sync decides, in a form two replicas can be compared by. Not ``updated_at``:
    applying an edit that does not carry it stamps the local time (on a replay, the laptop's;
    in a bulk copy, the hub's), as it always has."""
    out = {}
    with caseload.engine.connect() as conn:
        for name, rule in RULES.items():
            columns = [c for c in rule.table.columns
                       if c.key not in rule.skip and c.key != "updated_at"]
            rows = conn.execute(select(*columns)).all()
            out[name] = sorted(json.dumps([str(v) for v in r]) for r in rows)
        out["heads"] = sorted((r.table_name, r.row_id, json.dumps(r.heads, sort_keys=True),
                               r.deleted) for r in conn.execute(select(ROWS)))
        out["log"] = sorted((c.change_id, c.table_name, c.row_id, c.person_id, c.op,
                             json.dumps(c.data, sort_keys=True),
                             json.dumps(c.bases, sort_keys=True), c.applied)
                            for c in conn.execute(select(CHANGES)))
        out["late_links"] = sorted(map(tuple, state.get(conn, "late_links", [])))
    out["conflicts"] = sorted((c.id, json.dumps(c.heads), c.person_id)
                              for c in open_conflicts(caseload))
    return out


def _derived_and_schema(caseload: Caseload) -> dict:
    """What a replica derives for itself (the caseload list's entries and the search words,
    by person) and its schema: the bulk copy writes journeys before people and makes the
    change log's indexes again after the rows, and must end as a replay does. Not the
    entries' numbers: within a name's first five characters they follow the order people
    were written (a replay writes some twice), and only that order is promised."""
    with caseload.engine.connect() as conn:
        return {
            "entries": sorted(conn.exec_driver_sql(
                "SELECT person_id, family_name, given_name, worker_id, open "
                "FROM caseload_entries").all()),
            "words": sorted(conn.exec_driver_sql(
                "SELECT c.person_id, s.family, s.first, s.postcode, s.reference, s.nhs, s.list "
                "FROM person_search s JOIN caseload_entries c ON c.entry = s.rowid").all()),
            "found": sorted(conn.exec_driver_sql(
                "SELECT c.person_id FROM person_search s JOIN caseload_entries c "
                "ON c.entry = s.rowid WHERE person_search MATCH 'a*'").all()),
            "schema": sorted(conn.exec_driver_sql(
                "SELECT type, name, tbl_name, sql FROM sqlite_master").all()),
        }


def _sync_round(hub: ServerCaseload, laptops: list[tuple[Caseload, str]]) -> None:
    for laptop, url in laptops:
        sync_with_hub(laptop, url)
    apply_inbox(hub)
    for laptop, url in laptops:
        sync_with_hub(laptop, url)


def _first_note(caseload: Caseload, people: list[str], skip: int = 0) -> str:
    with caseload.reading() as s:
        return s.scalars(select(models.Contact.id).join(models.Episode)
                         .where(models.Episode.person_id.in_(people))
                         .order_by(models.Contact.id).offset(skip)).first()


def _generated_hub(tmp_path, pg_url) -> Caseload:
    """An office caseload of 24 generated people, made the hub's."""
    office = Caseload.create(tmp_path / "office.db", TEST_PASSPHRASE)
    generate(office, people=24, seed=5, today=dt.date(2026, 11, 20))
    create_hub(office, pg_url)
    return office


def _office_at_hub(tmp_path, pg_url) -> tuple[Caseload, str, str, list[str]]:
    """``_generated_hub`` and its busiest worker: (office, worker id, username, the worker's
    people)."""
    office = _generated_hub(tmp_path, pg_url)
    return (office, *_busiest_worker(office))


def test_a_replica_copied_in_bulk_equals_one_replayed_before_and_after_edits(
        pg_url, tmp_path, monkeypatch):
    copies = []  # the records of each batch the bulk copy wrote
    real_rows = replica._Shape.rows

    def rows(shape, records, *args):
        copies.append(len(records))
        return real_rows(shape, records, *args)

    monkeypatch.setattr(replica._Shape, "rows", rows)
    # The hub's answer is read a batch at a time (issue 15, memory): small batches here, so
    # the copy below is made of many and must still equal the replay.
    batches: list[int] = []
    real_answer = replica.answer

    def answer(hub_conn):
        for rows in real_answer(hub_conn):
            batches.append(len(rows))
            yield rows

    monkeypatch.setattr(replica, "FETCH_ROWS", 97)
    monkeypatch.setattr(replica, "answer", answer)
    office, worker_id, worker, people = _office_at_hub(tmp_path, pg_url)
    hub = ServerCaseload.connect(pg_url)
    try:
        # Two laptops of the worker make a conflict and a delete at the hub.
        for name in "abcd":
            (tmp_path / name).mkdir()
        a, a_url = _laptop_for(tmp_path / "a", office, pg_url, worker, worker_id)
        b, b_url = _laptop_for(tmp_path / "b", office, pg_url, worker, worker_id)
        _sync_round(hub, [(a, a_url), (b, b_url)])
        edit(a, models.Person, people[0], town="Leeds")
        edit(b, models.Person, people[0], town="Bradford")
        with a.transaction() as s:
            s.delete(s.get(models.Contact, _first_note(a, people, skip=1)))
        _sync_round(hub, [(a, a_url), (b, b_url)])
        assert open_conflicts(a)

        # Two new laptops: one copies in bulk, one replays.
        c, c_url = _laptop_for(tmp_path / "c", office, pg_url, worker, worker_id)
        d, d_url = _laptop_for(tmp_path / "d", office, pg_url, worker, worker_id)
        copies.clear()
        bulk = sync_with_hub(c, c_url)
        assert sum(copies) > 1000  # c copied its records in bulk
        assert len(batches) > 20 and max(batches) <= 97  # never the whole answer at once
        assert max(copies) <= 97  # nor a whole table's records at once (issue 15)
        copies.clear()
        replayed = sync_with_hub(d, d_url, bulk=False)
        assert copies == []  # d replayed the log
        assert bulk.pulled == replayed.pulled > 0
        assert bulk.conflicts == replayed.conflicts == 1
        first = _state(c)
        assert first == _state(d)
        derived = _derived_and_schema(c)
        assert derived == _derived_and_schema(d)
        assert len(derived["entries"]) == len(derived["words"]) == len(people)
        assert len(first["people"]) == len(people) and first["conflicts"]
        assert any(deleted for *_, deleted in first["heads"])

        # Edits on every side, the same field on both new laptops, then rounds of sync.
        note = _first_note(c, people)
        edit(c, models.Contact, note, note="seen at home (c)")
        edit(d, models.Contact, note, note="seen at home (d)")
        edit(c, models.Person, people[1], town="Halifax")
        edit(d, models.Person, people[2], phone="01234 567890")
        edit(a, models.Person, people[0], town="Leeds")  # settles a's conflict by editing
        everyone = [(a, a_url), (b, b_url), (c, c_url), (d, d_url)]
        _sync_round(hub, everyone)
        _sync_round(hub, everyone)
        last = _state(c)
        assert last == _state(d)
        conflicted = {row[0] for row in last["conflicts"]}
        assert conflicted == {f"contacts/{note}/note"}
        for laptop in (a, b, c, d):
            laptop.close()
    finally:
        hub.close()
        office.close()


def test_the_bulk_copy_stores_each_value_as_sqlalchemy_would(caseload):
    """The hub's JSON of a row, written through the driver, is byte for byte what a Core
    insert of the decoded value stores (so SQL comparisons and sorts see the same text)."""
    from decimal import Decimal

    people, contacts, claims = (models.Person.__table__, models.Contact.__table__,
                                models.Claim.__table__)
    dialect = caseload.engine.dialect
    cases = [
        (people.c.created_at, "2026-11-02T10:00:00", dt.datetime(2026, 11, 2, 10)),
        (people.c.created_at, "2026-11-02T10:00:00.5", dt.datetime(2026, 11, 2, 10, 0, 0, 500000)),
        (people.c.deleted_at, None, None),
        (contacts.c.start_time, "14:05:09.000007", dt.time(14, 5, 9, 7)),
        (contacts.c.start_time, "14:05:09", dt.time(14, 5, 9)),
        (contacts.c.contact_date, "2026-11-02", dt.date(2026, 11, 2)),
        (people.c.contact_preferences, {"a": [1, None]}, {"a": [1, None]}),
        (people.c.contact_preferences, None, None),
        (claims.c.amount, 12345, Decimal("123.45")),
        (claims.c.late, True, True),
    ]
    for column, from_hub, python in cases:
        to_storage = replica._storage_form(column, dialect)
        stored = from_hub if to_storage is None else to_storage(from_hub)
        process = column.type._cached_bind_processor(dialect)
        assert stored == (python if process is None else process(python)), column


def test_the_copys_bigger_page_cache_lasts_its_transaction_and_the_next_checkout_gives_it_back(
        tmp_path):
    """The app syncs on its writer lane (an 8 MB cache): the copy writes with more, and the
    connection is back to its thread's size when it is next used (no pool connection keeps
    64 MB)."""
    from linkworker.storage import database

    caseload = Caseload.create(tmp_path / "laptop.db", TEST_PASSPHRASE)
    try:
        database.use_cache(8)
        with caseload.engine.begin() as conn:
            replica._roomy_cache(conn)
            assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -replica.COPY_CACHE_KIB
        for _ in range(3):  # whichever pooled connection comes next
            with caseload.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -8 * 1024
    finally:
        database.use_cache(database.CACHE_MB)
        caseload.close()


def _held_in_memory(laptop: Caseload) -> tuple[list[tuple[str, int, int]], list[int]]:
    """What the copy has SQLite hold in memory (temp files would be plaintext, so they are
    kept there): every index it makes again, as it is made (its table, its columns and the
    rows its sort holds), and how many staged keys each UPDATE of them changes (an UPDATE
    lists the key of every row it changes first)."""
    made: list[tuple[str, int, int]] = []
    updated: list[int] = []

    def before(_conn, cursor, statement, *_args) -> None:
        if statement.startswith("CREATE INDEX"):
            table, columns = re.search(r" ON (\w+) \((.*?)\)", statement).groups()
            rows = cursor.connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            made.append((table, columns.count(",") + 1, rows))

    def after(_conn, cursor, statement, *_args) -> None:
        if statement.startswith(f"UPDATE {replica.STAGE_KEYS}"):
            updated.append(cursor.rowcount)

    event.listen(laptop.engine, "before_cursor_execute", before)
    event.listen(laptop.engine, "after_cursor_execute", after)
    return made, updated


@pytest.fixture
def new_laptop(pg_url, tmp_path):
    """A new laptop of the busiest worker of ``_office_at_hub``, before its first sync:
    (laptop, its hub URL, the worker's people)."""
    office, worker_id, worker, people = _office_at_hub(tmp_path, pg_url)
    laptop, url = _laptop_for(tmp_path, office, pg_url, worker, worker_id)
    yield laptop, url, people
    laptop.close()
    office.close()


def test_the_bulk_copy_holds_no_whole_table_in_sqlites_memory(new_laptop, monkeypatch):
    """Issue 15: an index made again after its rows is one sort, held whole in memory (the
    change log's took 34 MB at 5,000 people, ten times that at 50,000). Above a budget an
    index takes its rows as they come instead; below it, it is still made after them (the
    quicker way). And the staged keys are marked ``FETCH_ROWS`` at a time, never all in one
    UPDATE."""
    entry, column, budget = 48, 40, 40_000  # bytes: a sorter entry, a column, the budget
    for name, value in (("BIG_COPY", 20), ("SORT_ENTRY_BYTES", entry),
                        ("SORT_COLUMN_BYTES", column), ("SORT_BYTES", budget),
                        ("FETCH_ROWS", 97)):
        monkeypatch.setattr(replica, name, value, raising=False)
    laptop, url, people = new_laptop
    made, updated = _held_in_memory(laptop)
    sync_with_hub(laptop, url)
    with laptop.reading() as s:
        changes = s.scalar(select(func.count()).select_from(CHANGES))
    assert changes * (entry + column) > budget  # the change log's indexes are over it
    assert made  # smaller tables' indexes are still made after their rows
    assert all(rows * (entry + column * columns) <= budget for _t, columns, rows in made)
    assert sum(updated) > 97 and max(updated) <= 97  # every key marked, 97 at a time
    assert len(_state(laptop)["people"]) == len(people)


def _rewritten_bytes(laptop: Caseload) -> list[int]:
    """The bytes of staged rows each UPDATE of a staging table rewrites: the rows it changes
    times that table's mean row (every column's length)."""
    rewritten: list[int] = []

    def after(_conn, cursor, statement, *_args) -> None:
        table = re.match(r"UPDATE (replica_stage_\w+)", statement)
        if table and cursor.rowcount > 0:
            db = cursor.connection
            columns = [c[1] for c in db.execute(f"PRAGMA table_info({table[1]})")]
            width = db.execute("SELECT avg(" + " + ".join(
                f"coalesce(length({c}), 0)" for c in columns) + f") FROM {table[1]}").fetchone()[0]
            rewritten.append(round(cursor.rowcount * width))

    event.listen(laptop.engine, "after_cursor_execute", after)
    return rewritten


def test_the_bulk_copys_marks_rewrite_keys_not_the_staged_json(new_laptop):
    """Issue 15: at 50,000 people a manager's first sync was still staging after 45 minutes.
    The staged keys held each record's and heads' JSON, so each mark (an UPDATE of every
    key) rewrote the whole answer (17 GB written through a 3.6 GB WAL). The JSON is now
    appended to a table of its own and never updated: the marks rewrite keys only, a few
    dozen bytes a staged record."""
    laptop, url, people = new_laptop
    rewritten = _rewritten_bytes(laptop)
    sync_with_hub(laptop, url)
    with laptop.reading() as s:
        records = s.scalar(select(func.count()).select_from(ROWS))
    assert len(_state(laptop)["people"]) == len(people)
    assert rewritten and sum(rewritten) <= 100 * records  # bytes rewritten a record

def _manager(caseload: Caseload) -> tuple[str, str]:
    with caseload.reading() as s:
        user = s.scalars(select(models.User).where(models.User.role == "manager")).first()
        return user.id, user.username


def _changes_read(hub_conn) -> int:
    """The hub's change log's rows this hub session has read so far in its transaction."""
    return hub_conn.exec_driver_sql(
        "SELECT coalesce(sum(seq_tup_read + coalesce(idx_tup_fetch, 0)), 0) "
        "FROM pg_stat_xact_user_tables WHERE relname = 'sync_changes'").scalar()


def test_the_hubs_first_rows_leave_it_before_the_whole_answer_is_made(
        pg_url, tmp_path, monkeypatch):
    """Issue 15: the hub made a first replica's whole answer before sending a row (a
    set-returning function keeps its result, and the pull's sort by seq, in tuplestores: 9.5-14
    GB of temp files for one manager at 50,000 people). Now the first batch comes when the
    hub has read about a batch of its change log, not all of it."""
    monkeypatch.setattr(replica, "FETCH_ROWS", 97)
    read_first: list[int] = []
    real_stage, real_batch = replica.stage, replica._stage_batch

    def stage(conn, hub_conn):
        def batch(conn, rows):
            if not read_first:
                read_first.append(_changes_read(hub_conn))
            return real_batch(conn, rows)

        monkeypatch.setattr(replica, "_stage_batch", batch)
        return real_stage(conn, hub_conn)

    monkeypatch.setattr(replica, "stage", stage)
    office = _generated_hub(tmp_path, pg_url)
    manager_id, manager = _manager(office)
    try:
        laptop, url = _laptop_for(tmp_path, office, pg_url, manager, manager_id)
        report = sync_with_hub(laptop, url)
        assert report.pulled > 1000 and len(_state(laptop)["people"]) == 24
        assert read_first and read_first[0] <= 4 * 97  # not every change (old: all of them)
        laptop.close()
    finally:
        office.close()


def test_each_staged_key_is_written_once_and_the_staged_changes_have_no_index(
        pg_url, tmp_path, monkeypatch):
    """Issue 15: at 50,000 people the staging wrote 4.7 million entries of an index of the
    staged changes by (table, row, seq) and upserted each staged key three times (its first
    change, its heads, its record), all at random places in b-trees many times the copy's
    cache. Now a staged change goes into its table alone and each key is written once, with
    its first change's seq, heads and record (the hub sends them together)."""
    key_writes: list[int] = []
    change_indexes: list[int] = []
    real = replica.driver_executemany

    def executemany(conn, statement, rows):
        if statement.startswith(f"INSERT INTO {replica.STAGE_KEYS}"):
            key_writes.append(len(rows))
        if statement.startswith(f"INSERT INTO {replica.STAGE_CHANGES}") and not change_indexes:
            change_indexes.append(conn.exec_driver_sql(
                "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = ?",
                (replica.STAGE_CHANGES,)).scalar())
        return real(conn, statement, rows)

    monkeypatch.setattr(replica, "driver_executemany", executemany)
    office = _generated_hub(tmp_path, pg_url)
    manager_id, manager = _manager(office)
    try:
        laptop, url = _laptop_for(tmp_path, office, pg_url, manager, manager_id)
        sync_with_hub(laptop, url)
        with laptop.reading() as s:
            keys = s.scalar(select(func.count()).select_from(ROWS))
        assert keys > 1000 and sum(key_writes) == keys  # old: about three times
        assert change_indexes == [0]  # old: (table_name, row_id, seq)
        laptop.close()
    finally:
        office.close()


def test_the_first_replicas_cursor_gives_every_role_exactly_its_first_pull(pg_url, tmp_path):
    """The cursor states the first pull's scope again as one condition (the pull's own
    function would be made whole before its first row): for every user of the demo, each
    role and the coordinator's venue register among them, it sends exactly the changes
    ``linkworker_pull(0, '{}')`` sends, one key for each record they name, with its first
    change's seq, and nothing for a login whose account is not active."""
    office = _generated_hub(tmp_path, pg_url)
    with office.reading() as s:
        users = s.execute(select(models.User.id, models.User.username, models.User.role)).all()
    roles = set()
    try:
        for user_id, username, role in users:
            (tmp_path / username).mkdir()
            laptop, url = _laptop_for(tmp_path / username, office, pg_url, username, user_id)
            laptop.close()
            engine = sqlalchemy.create_engine(url)
            with engine.begin() as conn:
                pulled = conn.exec_driver_sql(
                    "SELECT seq, table_name, row_id FROM linkworker_pull(0, '{}')").all()
                sent = [row for rows in replica.answer(conn) for row in rows]
            engine.dispose()
            first: dict[tuple[str, str], int] = {}
            for seq, table, row_id in pulled:
                first[table, row_id] = min(first.get((table, row_id), seq), seq)
            assert sorted(r[1] for r in sent if r[0] == "change") == sorted(
                seq for seq, *_ in pulled), username
            assert sorted((r[2], r[3], r[1]) for r in sent if r[0] == "key") == sorted(
                (*key, seq) for key, seq in first.items()), username
            roles.add((role, bool(pulled)))
        hub = ServerCaseload.connect(pg_url)
        with hub.transaction() as s:  # an account made inactive at the hub: nothing at all
            s.execute(models.User.__table__.update().values(active=False))
        hub.close()
        engine = sqlalchemy.create_engine(url)
        with engine.begin() as conn:
            assert [row for rows in replica.answer(conn) for row in rows] == []
        engine.dispose()
    finally:
        office.close()
    assert {"manager", "coordinator", "link_worker"} <= {role for role, any_ in roles if any_}


def _temp_files_after(pg_url: str, login: str) -> tuple[int, int]:
    """The hub database's temp files and bytes so far, read once ``login``'s sessions have
    ended (a session's figures are counted when it ends)."""
    engine = sqlalchemy.create_engine(pg_url)
    try:
        for _ in range(200):
            with engine.connect() as conn:
                if not conn.exec_driver_sql("SELECT count(*) FROM pg_stat_activity "
                                            "WHERE usename = %s", (login,)).scalar():
                    break
        with engine.connect() as conn:
            return conn.exec_driver_sql(
                "SELECT temp_files, temp_bytes FROM pg_stat_database "
                "WHERE datname = current_database()").one()
    finally:
        engine.dispose()


def test_a_managers_first_replica_writes_no_temp_file_at_the_hub(pg_url, tmp_path):
    """Issue 15: a manager's first replica took 9.5-14 GB of PostgreSQL temp files at 50,000
    people (the set-returning function's result, the pull's, its sort) and 1.4 GB at 5,000.
    With a small ``work_mem`` for the login (so anything the hub held whole would spill),
    the cursor, its batches and the scope leave no temp file."""
    office = _generated_hub(tmp_path, pg_url)
    manager_id, manager = _manager(office)
    try:
        laptop, url = _laptop_for(tmp_path, office, pg_url, manager, manager_id)
        login = sqlalchemy.engine.make_url(url).username
        owner = sqlalchemy.create_engine(pg_url)
        with owner.begin() as conn:
            conn.exec_driver_sql(f"ALTER ROLE \"{login}\" SET work_mem = '64kB'")
        owner.dispose()
        before = _temp_files_after(pg_url, login)
        report = sync_with_hub(laptop, url)
        assert report.pulled > 1000 and len(_state(laptop)["people"]) == 24
        assert _temp_files_after(pg_url, login) == before  # old: a temp file
        laptop.close()
    finally:
        office.close()


def test_a_hub_with_the_set_returning_replica_gets_the_cursor_from_its_next_command(
        pg_url, tmp_path, monkeypatch, capsys):
    """A hub from before the cursor has ``linkworker_replica()`` (the whole answer made before
    its first row). Its next ``hub apply`` installs this version's door: the cursor, and the
    old function dropped, and a new laptop's first sync then copies in bulk through it."""
    from linkworker.cli import main
    from linkworker.hub import schema

    office, worker_id, worker, people = _office_at_hub(tmp_path, pg_url)
    try:
        with ServerCaseload.connect(pg_url) as hub, hub.transaction() as s:
            conn = s.connection()  # the door as an older LinkWorker left it
            conn.exec_driver_sql("DROP FUNCTION linkworker_replica_cursor()")
            conn.exec_driver_sql(
                "CREATE FUNCTION linkworker_replica() RETURNS TABLE (kind text) "
                "LANGUAGE sql AS $$ SELECT 'an older door' $$")
            conn.exec_driver_sql(f"COMMENT ON FUNCTION {schema.PULL} IS 'linkworker door 0ld'")
        monkeypatch.setenv("LINKWORKER_PASSPHRASE", TEST_PASSPHRASE)
        assert main(["hub", "apply", "--url", pg_url]) == 0
        capsys.readouterr()
        with ServerCaseload.connect(pg_url) as hub, hub.reading() as s:
            conn = s.connection()
            assert replica.available(conn)
            assert conn.exec_driver_sql(
                "SELECT to_regprocedure('linkworker_replica()')").scalar() is None
        laptop, url = _laptop_for(tmp_path, office, pg_url, worker, worker_id)
        copies: list[int] = []
        real_stage = replica.stage
        monkeypatch.setattr(replica, "stage",
                            lambda conn, hub_conn: copies.append(1) or real_stage(conn, hub_conn))
        sync_with_hub(laptop, url)
        assert copies and len(_state(laptop)["people"]) == len(people)
        laptop.close()
    finally:
        office.close()


def test_a_record_made_and_pushed_here_before_the_first_pull_is_received_not_copied(
        pg_url, tmp_path, monkeypatch):
    """A laptop whose first sync pushed a new person and then stopped before its pull (the
    pull is repeated): at its next sync the hub's answer has that person's changes (given to
    the worker at the hub meanwhile), which the laptop holds already. That record goes
    through ``merge.receive`` (held changes are known, so nothing is written twice), found by
    one scan of the staged changes now that they have no (table, row) index
    (``_unmark_held``); the rest is copied."""
    office, worker_id, worker, people = _office_at_hub(tmp_path, pg_url)
    laptop, url = _laptop_for(tmp_path, office, pg_url, worker, worker_id)
    with laptop.transaction() as s:
        hana = models.Person(reference="LW-HANA", given_name="Hana", family_name="Smith")
        s.add(hana)
        s.flush()
        held = hana.id
    real_copy = replica.copy

    def cut_short(conn, hub_conn):
        raise RuntimeError("the pull was cut short")

    monkeypatch.setattr(replica, "copy", cut_short)
    with pytest.raises(RuntimeError, match="cut short"):
        sync_with_hub(laptop, url)
    monkeypatch.setattr(replica, "copy", real_copy)
    hub = ServerCaseload.connect(pg_url)
    try:
        assert apply_inbox(hub).applied > 0  # the hub has Hana's changes now
        with hub.transaction() as s:
            s.add(models.PersonAccess(person_id=held, user_id=worker_id))
    finally:
        hub.close()
    unmarked: list[tuple[str, str]] = []
    real = replica.driver_executemany

    def executemany(conn, statement, rows):
        if statement.startswith(f"UPDATE {replica.STAGE_KEYS} SET copied = 0"):
            unmarked.extend(tuple(row) for row in rows)
        return real(conn, statement, rows)

    monkeypatch.setattr(replica, "driver_executemany", executemany)
    report = sync_with_hub(laptop, url)
    assert ("people", held) in unmarked and report.pulled > 1000
    with laptop.reading() as s:
        assert s.scalar(select(func.count()).select_from(models.Person)) == len(people) + 1
    laptop.close()
    office.close()


def _beside(path) -> list:
    """Files SQLite or the copy made beside a caseload, but its WAL, shared memory and key."""
    return sorted(p for p in path.parent.glob(f"{path.name}?*")
                  if not p.name.endswith(("-wal", "-shm", ".key")))


def test_a_first_sync_stages_the_answer_in_an_encrypted_scratch_file_not_the_caseloads_wal(
        pg_url, tmp_path, monkeypatch):
    """Issue 15: the hub's answer was staged in the caseload itself, in the copy's one
    transaction, so every staged page went through its WAL and was checkpointed (at 20,000
    people 12.1 GB written, the files at 7.2 GB, nearly all WAL). Now it is staged in a
    scratch file of its own, encrypted (personal data), gone after the sync: the WAL holds
    nothing after the staging, and at most about the replica itself. The caseload's cache is
    made small, as at 50,000 people (64 MB for gigabytes), so pages spill as they would
    there."""
    seen: dict = {}
    real_stage = replica.stage

    def stage(conn, hub_conn):
        conn.exec_driver_sql("PRAGMA main.cache_size = -256")
        before = wal.stat().st_size
        result = real_stage(conn, hub_conn)
        seen["staged_wal"] = wal.stat().st_size - before
        seen["scratch"] = [p.read_bytes()[:16] for p in _beside(laptop.path)]
        seen["others_may"] = [p.stat().st_mode & 0o077 for p in _beside(laptop.path)]
        return result

    real_shrink = getattr(replica, "shrink_wal", None)

    def shrink_wal(conn):
        seen["wal"] = wal.stat().st_size
        seen["beside_at_checkpoint"] = _beside(laptop.path)
        real_shrink(conn)

    monkeypatch.setattr(replica, "stage", stage)
    monkeypatch.setattr(replica, "shrink_wal", shrink_wal, raising=False)
    office = _generated_hub(tmp_path, pg_url)
    manager_id, manager = _manager(office)
    try:
        laptop, url = _laptop_for(tmp_path, office, pg_url, manager, manager_id)
        wal = laptop.path.with_name(laptop.path.name + "-wal")
        with laptop.engine.connect() as conn:  # the WAL from nothing: its size is what it got
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").all()
        report = sync_with_hub(laptop, url)
        assert report.pulled > 1000 and len(_state(laptop)["people"]) == 24
        peak_wal = seen.get("wal", wal.stat().st_size)  # old code: no shrink, the WAL as it is
        with laptop.engine.connect() as conn:  # the replica's pages (old: the staging's freed)
            replica_bytes = conn.exec_driver_sql(
                "SELECT (p.page_count - f.freelist_count) * s.page_size FROM pragma_page_count() "
                "p, pragma_freelist_count() f, pragma_page_size() s").scalar()
        assert len(seen["scratch"]) == 1 and not seen["scratch"][0].startswith(b"SQLite format 3")
        assert seen["others_may"] == [0]  # owner-only, as the caseload
        assert seen["staged_wal"] < 64 * 1024  # a few pages (old: the staging's spilled pages)
        assert peak_wal <= 1.2 * replica_bytes, (peak_wal, replica_bytes)
        assert _beside(laptop.path) == []  # the scratch file is gone
        assert seen["beside_at_checkpoint"] == []  # before the WAL went into the caseload
        laptop.close()
    finally:
        office.close()


def test_a_scratch_file_left_by_a_crash_is_removed_and_the_first_sync_succeeds(
        pg_url, tmp_path):
    """A first sync killed part way leaves its scratch file (no journal: it is thrown away,
    never repaired); the next first sync deletes it and starts afresh. Here it is not even a
    database."""
    office, worker_id, worker, people = _office_at_hub(tmp_path, pg_url)
    try:
        laptop, url = _laptop_for(tmp_path, office, pg_url, worker, worker_id)
        left = replica.scratch_path(laptop.path)
        left.write_bytes(b"left by a crash " * 512)
        sync_with_hub(laptop, url)
        assert len(_state(laptop)["people"]) == len(people)
        assert not left.exists() and _beside(laptop.path) == []
        laptop.close()
    finally:
        office.close()
