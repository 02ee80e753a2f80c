"""What a sync imports: receiving changes (and registering the erasures among them) must not
load the PDF library, which only a subject access request needs (a laptop's first sync paid a
second or two for it). Checked in a fresh interpreter, by module name, not time."""

from __future__ import annotations

import json
import subprocess
import sys

from linkworker import rights
from linkworker.access import Actor
from linkworker.models import Person
from linkworker.storage.database import Caseload
from linkworker.storage.dbfiles import erasure_register_path
from linkworker.sync import service, teamkey
from tests.conftest import TEST_PASSPHRASE

SYSTEM = Actor(user_id=None, username="system", role="system")

IMPORT_IN_A_FRESH_INTERPRETER = """
import json, sys
from pathlib import Path
from linkworker.storage.database import Caseload
from linkworker.sync import service
with Caseload.open(Path(sys.argv[1])) as laptop:
    report = service.import_pack(laptop, Path(sys.argv[2]))
print(json.dumps({"applied": report.applied, "modules": sorted(sys.modules)}))
"""


def test_a_pack_with_an_erasure_is_received_without_loading_reportlab(tmp_path):
    with Caseload.create(tmp_path / "office.db", TEST_PASSPHRASE) as office:
        with office.transaction() as s:
            s.add(Person(id="p-ronald", reference="LW-000006", given_name="Ronald",
                         family_name="Taylor"))
            key = teamkey.create(s.connection())
        rights.anonymise(office, SYSTEM, "p-ronald", "request by letter")
        service.export_pack(office, tmp_path / "day.lwpack")
    laptop_path = tmp_path / "laptop.db"
    with Caseload.create(laptop_path, TEST_PASSPHRASE) as laptop, laptop.transaction() as s:
        teamkey.install(s.connection(), key)
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_IN_A_FRESH_INTERPRETER, str(laptop_path),
         str(tmp_path / "day.lwpack")], capture_output=True, text=True, check=True,
        env={"PATH": "", "HOME": str(tmp_path), "LINKWORKER_PASSPHRASE": TEST_PASSPHRASE})
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["applied"] > 0
    # the erasure was registered here (the register is the work that went through rights)
    assert erasure_register_path(laptop_path).exists()
    assert "linkworker.rights" in result["modules"]
    assert [m for m in result["modules"] if m.split(".")[0] == "reportlab"] == []
