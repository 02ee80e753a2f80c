"""Property: real packs (export, import, relay) in any order converge, nothing lost.

``test_convergence`` delivers change lists directly; this one goes through what a user does:
``sync export`` on one laptop, ``sync import`` of any pack made so far on another, in any
order, twice or never until the end. Each pack carries only what its laptop has not put in a
pack before (``marks``), so this checks that relaying and the pack mark lose nothing.
"""

from __future__ import annotations

import os
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from linkworker import models
from linkworker.sync import service
from linkworker.sync.changelog import CHANGES
from tests.sync.conftest import edit
from tests.sync.test_convergence import _clone, template  # noqa: F401 - a fixture
from tests.sync.test_packs import give_team_key

FIELDS = ("town", "phone")

operation = st.one_of(
    st.tuples(st.just("edit"), st.integers(0, 2), st.sampled_from(FIELDS), st.integers(0, 9)),
    st.tuples(st.just("export"), st.integers(0, 2)),
    st.tuples(st.just("import"), st.integers(0, 30), st.integers(0, 2)),
)


def _state(replica, person_id) -> tuple:
    with replica.reading() as s:
        person = s.get(models.Person, person_id)
        shown = tuple(getattr(person, f) for f in FIELDS)
    with replica.engine.connect() as conn:
        ids = set(conn.execute(select(CHANGES.c.change_id)
                               .where(CHANGES.c.table_name == "people")).scalars())
        waiting = conn.execute(select(CHANGES.c.change_id)
                               .where(CHANGES.c.applied.is_(False))).all()
    assert waiting == []
    conflicts = {c.field for c in _open(replica)}
    return shown, ids, conflicts


def _open(replica):
    table = models.SyncConflict.__table__
    with replica.engine.connect() as conn:
        return conn.execute(select(table).where(table.c.resolved_at.is_(None))).all()


@pytest.mark.slow
@settings(max_examples=int(os.environ.get("LINKWORKER_SYNC_EXAMPLES", "10")), deadline=None,
          database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=st.lists(operation, min_size=1, max_size=12), seed=st.integers(0, 10_000))
def test_packs_in_any_order_converge_with_no_lost_edits(ops, seed, template,  # noqa: F811
                                                        tmp_path_factory):
    template_path, person_id = template
    folder = tmp_path_factory.mktemp("packs")
    replicas = [_clone(template_path, folder / f"r{i}.db") for i in range(3)]
    give_team_key(*replicas)
    made: list = []
    edits: set[str] = set()
    try:
        for op in ops:
            if op[0] == "edit":
                _, r, field, n = op
                value = f"{field}-{n}-{len(edits)}"
                edit(replicas[r], models.Person, person_id, **{field: value})
                edits.add(value)
            elif op[0] == "export":
                made.append(_export(replicas[op[1]], folder, len(made)))
            elif made:
                service.import_pack(replicas[op[2]], made[op[1] % len(made)])
        for replica in replicas:  # the end: every laptop's last pack, every pack everywhere
            made.append(_export(replica, folder, len(made)))
        rng = random.Random(seed)
        for replica in replicas:
            for _ in range(2):  # twice: a pack relays what the one before it brought
                for pack in rng.sample(made, len(made)):
                    service.import_pack(replica, pack)
                made.append(_export(replica, folder, len(made)))
        for replica in replicas:
            for pack in made:
                service.import_pack(replica, pack)
        states = [_state(r, person_id) for r in replicas]
        assert states[0] == states[1] == states[2]
        with replicas[0].engine.connect() as conn:
            logged = {d.get(f) for d in conn.execute(select(CHANGES.c.data).where(
                CHANGES.c.table_name == "people", CHANGES.c.op == "update")).scalars()
                for f in FIELDS if d and d.get(f)}
        assert logged == edits  # every edit, from every laptop, is held everywhere
    finally:
        for replica in replicas:
            replica.close()


def _export(replica, folder, n):
    path = folder / f"{n}.lwpack"
    service.export_pack(replica, path)
    return path
