"""An import killed half-way leaves a sound caseload holding none of that import."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import cli_sign_in
from sqlalchemy import func, select

from linkworker.access import SYSTEM
from linkworker.io import import_file
from linkworker.models import AuditEvent, Person
from linkworker.storage.database import Caseload

ROWS = 20_000


@pytest.mark.slow
def test_killed_mid_import_keeps_nothing_of_it(caseload, caseload_path, passphrase, tmp_path,
                                              monkeypatch):
    before = tmp_path / "before.csv"
    before.write_text("Client ID,First name,Surname\nB1,Before,Crash\n", encoding="utf-8")
    import_file(caseload, SYSTEM, before, "people")
    caseload.close()
    big = tmp_path / "big.csv"
    lines = ["Client ID,First name,Surname,DOB,Postcode"]
    lines += [f"K{i},Kill{i},Test,01/01/1970,NE1 4ST" for i in range(ROWS)]
    big.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cli_sign_in(monkeypatch, caseload_path, "manager", passphrase)
    env = dict(os.environ)
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys; from linkworker.cli import main; sys.exit(main())",
         "--db", str(caseload_path), "import", str(big), "--kind", "people"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env)
    seen = []
    for line in child.stderr:
        seen.append(line)
        if line.startswith("progress: Writing") and "1,000/" in line:
            child.kill()  # SIGKILL: no clean-up code runs in the child
            break
    child.wait()
    assert any("Writing" in line for line in seen), seen
    with Caseload.open(caseload_path, passphrase) as again:
        assert again.integrity_problems(quick=False) == []
        with again.reading() as s:
            assert s.execute(select(func.count()).select_from(Person)).scalar_one() == 1
            assert s.execute(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.action != "sign_in")).scalar_one() == 1
        # And the same import, run again to the end, lands completely.
        report = import_file(again, SYSTEM, big, "people")
        assert report.plan.counts["new"] == ROWS
