"""Property: random edits on three replicas, synced in any order, converge with nothing lost.

A model of each replica's knowledge (which edits it has seen, and what each edit overwrote)
predicts, independently of the database, each field's final heads; the test checks every
replica shows a value from those heads, every edit's value survives (as the value or as a
conflict option), and each true conflict is open exactly once on every replica.
"""

from __future__ import annotations

import os
import random
import shutil
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from linkworker import models
from linkworker.storage.database import Caseload
from linkworker.sync import merge
from linkworker.sync.changelog import CHANGES, STATE_TABLE
from tests.conftest import TEST_PASSPHRASE
from tests.sync.conftest import add_person, all_changes, edit, open_conflicts

FIELDS = ("town", "phone")
VALUES = ("a", "b", "c")


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("template")
    caseload = Caseload.create(folder / "t.db", TEST_PASSPHRASE)
    person_id = add_person(caseload)
    caseload.checkpoint()
    caseload.close()
    return folder / "t.db", person_id


def _clone(template_path, target) -> Caseload:
    shutil.copyfile(template_path, target)
    shutil.copyfile(f"{template_path}.key", f"{target}.key")
    caseload = Caseload.open(target, TEST_PASSPHRASE)
    with caseload.engine.begin() as conn:  # a laptop of its own, not a restored copy
        conn.execute(STATE_TABLE.update().where(STATE_TABLE.c.key == "device_id")
                     .values(value=uuid.uuid4().hex))
    return caseload


operation = st.one_of(
    st.tuples(st.just("edit"), st.integers(0, 2), st.sampled_from(FIELDS),
              st.sampled_from(VALUES)),
    st.tuples(st.just("contact"), st.integers(0, 2)),
    st.tuples(st.just("sync"), st.integers(0, 2), st.integers(0, 2), st.integers(0, 10_000)),
)


class Model:
    """What each replica has seen: edit id -> (field, value, bases)."""

    def __init__(self) -> None:
        self.edits: dict[str, tuple[str, str, frozenset[str]]] = {}
        self.known: list[set[str]] = [set(), set(), set()]

    def heads(self, ids: set[str], field: str) -> set[str]:
        touching = {i for i in ids if self.edits[i][0] == field}
        replaced = {b for i in touching for b in self.edits[i][2]}
        return touching - replaced


def _deliver(source: Caseload, target: Caseload, seed: int) -> None:
    """Some of the source's changes, shuffled, possibly twice: packs out of order."""
    changes = all_changes(source)
    rng = random.Random(seed)
    rng.shuffle(changes)
    cut = rng.randint(0, len(changes))
    for part in (changes[:cut], changes[cut:], changes[: cut // 2]):
        with target.engine.begin() as conn:
            merge.receive(conn, part)


@pytest.mark.slow  # a minute or more: runs in make test-all and CI
# Known defect (issue 14, left open): now and then one replica's final read lacks a record its
# own change log holds as applied (an edit or a contact; the shrunk cases read like the
# replica's state before the last ops, and pass when replayed alone). HLC ties were ruled out
# (a frozen clock passes). It runs on every test-all as XFAIL/XPASS until fixed; it must not
# be hidden. LINKWORKER_SYNC_EXAMPLES=300 runs more histories (about 5 minutes per 60).
@pytest.mark.xfail(strict=False, reason="issue 14: a replica sometimes reads a state older than "
                                        "its change log (see the comment)")
@settings(max_examples=int(os.environ.get("LINKWORKER_SYNC_EXAMPLES", "10")), deadline=None,
          database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=st.lists(operation, min_size=1, max_size=14))
def test_any_order_of_syncs_converges_with_no_lost_edits(ops, template, tmp_path_factory):
    template_path, person_id = template
    folder = tmp_path_factory.mktemp("run")
    replicas = [_clone(template_path, folder / f"r{i}.db") for i in range(3)]
    model = Model()
    try:
        for op in ops:
            _run(op, replicas, model, person_id)
        for _ in range(2):  # everyone meets everyone: the final, complete exchange
            for a in range(3):
                for b in range(3):
                    if a != b:
                        _deliver(replicas[a], replicas[b], seed=a * 3 + b)
        _check(replicas, model, person_id)
    finally:
        for replica in replicas:
            replica.close()


def _run(op, replicas, model, person_id) -> None:
    kind = op[0]
    if kind == "edit":
        _, r, field, value = op
        bases = frozenset(model.heads(model.known[r], field))
        edit(replicas[r], models.Person, person_id, **{field: f"{value}{len(model.edits)}"})
        change_id = _newest_change(replicas[r])
        model.edits[change_id] = (field, f"{value}{len(model.edits)}", bases)
        model.known[r].add(change_id)
    elif kind == "contact":
        with replicas[op[1]].transaction() as s:
            episode_id = s.scalar(select(models.Episode.id))
            s.add(models.Contact(episode_id=episode_id, contact_date=models.utcnow().date()))
    else:
        _, a, b, seed = op
        if a != b:
            _deliver(replicas[a], replicas[b], seed)
            model.known[b] |= model.known[a]


def _newest_change(caseload: Caseload) -> str:
    with caseload.engine.connect() as conn:
        return conn.execute(select(CHANGES.c.change_id).where(CHANGES.c.table_name == "people")
                            .order_by(CHANGES.c.seq.desc()).limit(1)).scalar_one()


def _check(replicas, model, person_id) -> None:
    everything = set(model.edits)
    states = []
    for replica in replicas:
        with replica.reading() as s:
            person = s.get(models.Person, person_id)
            shown = {f: getattr(person, f) for f in FIELDS}
            contacts = set(s.scalars(select(models.Contact.id)))
        conflicts = {c.field: set(c.heads) for c in open_conflicts(replica)}
        assert len(conflicts) == len(open_conflicts(replica))  # one per field, never twice
        states.append((shown, contacts, conflicts))
        for field in FIELDS:
            heads = model.heads(everything, field)
            head_values = {model.edits[h][1] for h in heads}
            if heads:
                assert shown[field] in head_values  # never a value someone overwrote
            if len(head_values) > 1:
                assert conflicts.get(field) == heads  # the true conflict, with every edit in it
            else:
                assert field not in conflicts
        with replica.engine.connect() as conn:
            waiting = conn.execute(select(CHANGES.c.change_id)
                                   .where(CHANGES.c.applied.is_(False))).all()
        assert waiting == []
    assert states[0] == states[1] == states[2]
