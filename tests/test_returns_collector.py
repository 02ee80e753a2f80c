"""A return build hands what it keeps to the oldest generation of Python's cycle collector.

The build pauses the collector (``returns.build._cycle_collector_paused``). Every object it
allocated still counted towards the youngest generation, so on the command line or in a script
(collector on) the first allocation after the build set off a collection that walked the whole
document, then another when it reached the middle generation: 2-3 % of a 50,000-person build,
with nothing to find. Collections are counted here, never timed, in a fresh Python: a test
before this one in the same process may have frozen objects (``ui.collector``), and then the
build must leave them frozen rather than hurry its own.
"""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import TEST_PASSPHRASE
from test_returns_sql_rules import _contract, _save

from linkworker.access import SYSTEM
from linkworker.outcomes.store import save_contract
from linkworker.storage.database import Caseload

_BUILD = """
import gc, json, sys, datetime as dt
from pathlib import Path
from linkworker.access import SYSTEM
from linkworker.returns.build import build_return
from linkworker.storage.database import Caseload

walks = []
gc.callbacks.append(lambda phase, info: phase == "start" and walks.append(info["generation"]))
if sys.argv[3] == "frozen":
    gc.freeze()
frozen = gc.get_freeze_count()
with Caseload.open(Path(sys.argv[1]), sys.argv[4]) as caseload, caseload.reading() as s:
    gc.collect()
    before = len(walks)
    doc = build_return(s, SYSTEM, sys.argv[2], "2026-Q3", as_of=dt.date(2026, 10, 1))
    after = walks[before:]
    print(json.dumps({"rows": len(doc.rows), "walks": after, "enabled": gc.isenabled(),
                      "frozen_before": frozen, "frozen_after": gc.get_freeze_count()}))
"""


def _build_in_a_fresh_python(path, code: str, frozen: bool) -> dict:
    done = subprocess.run([sys.executable, "-c", _BUILD, str(path), code,
                           "frozen" if frozen else "none", TEST_PASSPHRASE],
                          capture_output=True, text=True, timeout=300, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_build_leaves_the_collector_no_young_objects_to_walk(tmp_path):
    path = tmp_path / "c.db"
    journeys = [{"referral": 95 + n % 40, "meeting": 3, "exit": None, "goals": [(20, "achieved")],
                 "forms": [(0, 40), (180, 50)], "same_person": False,
                 "contacts": [(d, "attended", "phone", "support") for d in (3, 10, 17, 30)]}
                for n in range(150)]
    with Caseload.create(path, TEST_PASSPHRASE) as caseload, caseload.transaction() as s:
        contract = save_contract(s, SYSTEM, _contract("GC1"))
        _save(s, contract.id, journeys)
    plain = _build_in_a_fresh_python(path, "GC1", frozen=False)
    assert plain["rows"] > 100  # a real build: far more than a young generation's 700 objects
    assert plain["walks"] == []  # no collection woke up to walk what the build kept
    assert plain["enabled"] and plain["frozen_after"] == 0
    # Something frozen before the build stays frozen: it is left to walk its own objects.
    frozen = _build_in_a_fresh_python(path, "GC1", frozen=True)
    assert frozen["frozen_before"] > 0
    assert frozen["frozen_after"] > frozen["frozen_before"] // 2  # not unfrozen (0); some freed
    assert frozen["enabled"] and frozen["rows"] == plain["rows"]

