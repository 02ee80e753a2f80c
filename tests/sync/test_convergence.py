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
        self.contacts: set[str] = set()  # every contact made, on any replica

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
# LINKWORKER_SYNC_EXAMPLES=200 runs more histories (about 5 minutes per 60 on a busy machine).
# Its old rare failure (a replica's own edits saved but missing from its change log) was the
# change tracking lost on a caseload opened after others were collected: see
# test_changelog.py::test_a_caseload_opened_again_in_the_same_process_records_its_changes.
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
        text = f"{value}{len(model.edits)}"
        edit(replicas[r], models.Person, person_id, **{field: text})
        change_id, data = _newest_change(replicas[r], "people")
        assert data == {field: text}  # the edit is in the change log, or no sync can send it
        model.edits[change_id] = (field, text, bases)
        model.known[r].add(change_id)
    elif kind == "contact":
        with replicas[op[1]].transaction() as s:
            episode_id = s.scalar(select(models.Episode.id))
            contact = models.Contact(episode_id=episode_id, contact_date=models.utcnow().date())
            s.add(contact)
        assert _newest_change(replicas[op[1]], "contacts")[1]["id"] == contact.id
        model.contacts.add(contact.id)
    else:
        _, a, b, seed = op
        if a != b:
            _deliver(replicas[a], replicas[b], seed)
            model.known[b] |= model.known[a]


def _newest_change(caseload: Caseload, table: str) -> tuple[str, dict]:
    with caseload.engine.connect() as conn:
        return tuple(conn.execute(select(CHANGES.c.change_id, CHANGES.c.data)
                                  .where(CHANGES.c.table_name == table)
                                  .order_by(CHANGES.c.seq.desc()).limit(1)).one())


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
        assert contacts == model.contacts  # every contact, from every replica
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
