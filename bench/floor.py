"""The floor under "start to first rows": what no LinkWorker code can avoid, timed the same way.

In a fresh process: import Qt and make the application, derive the passphrase key with the
key file's own Argon2id cost, check the user's password hash (Argon2id, as sign-in does), open
the file with ``sqlcipher3`` alone and run a hand-written SQL of the first screenful, then show
those rows in a plain table. No SQLAlchemy, no LinkWorker module. The machine the bench runs on
may be shared (the 2-core build machine runs several jobs at once), so the start figures are
also printed as a multiple of this floor, which rises and falls with the load.

The raw key reaches the child in its environment (``BENCH_RAW_KEY``), never on a command line;
the bench's caseloads are synthetic.
"""

from __future__ import annotations

import base64
import json
import os
import time
from pathlib import Path
from typing import Any

FIRST_SCREENFUL = """
SELECT p.id, p.family_name, p.given_name, e.stage
FROM people p LEFT JOIN episodes e ON e.id = p.current_episode_id
WHERE p.deleted_at IS NULL AND p.anonymised_at IS NULL
  AND (e.stage IS NULL OR e.stage != 'exited') {own}
ORDER BY p.family_name, p.given_name, p.id LIMIT 100
"""
OWN = "AND e.worker_id = (SELECT id FROM users WHERE username = :user)"


def run(path: str, username: str, own: bool) -> dict[str, Any]:
    """Runs in a child with ``BENCH_RAW_KEY`` set."""
    started = time.perf_counter()
    from PySide6.QtWidgets import QApplication, QTableWidget, QTableWidgetItem

    app = QApplication.instance() or QApplication([])
    import sqlcipher3
    from argon2 import PasswordHasher
    from argon2.low_level import Type, hash_secret_raw

    wrapping = json.loads(Path(path + ".key").read_text())["passphrase"]
    hash_secret_raw(os.environ["LINKWORKER_PASSPHRASE"].encode(),
                    base64.b64decode(wrapping["salt"]), time_cost=wrapping["time_cost"],
                    memory_cost=wrapping["memory_kib"], parallelism=wrapping["parallelism"],
                    hash_len=32, type=Type.ID)
    unlocked = time.perf_counter()
    conn = sqlcipher3.connect(path)
    conn.execute(f"PRAGMA key = \"x'{os.environ['BENCH_RAW_KEY']}'\"")
    stored = conn.execute("SELECT password_hash FROM users WHERE username = ?",
                          (username,)).fetchone()[0]
    PasswordHasher().verify(stored, "demo")
    rows = conn.execute(FIRST_SCREENFUL.format(own=OWN if own else ""),
                        {"user": username}).fetchall()
    table = QTableWidget(len(rows), 3)
    for r, row in enumerate(rows):
        for c, value in enumerate(row[1:]):
            table.setItem(r, c, QTableWidgetItem(str(value or "")))
    table.show()
    app.processEvents()
    conn.close()
    return {"floor_s": round(time.perf_counter() - started, 2),
            "kdf_s": round(unlocked - started, 2), "rows": len(rows)}


def raw_key(path: str) -> str:
    """The caseload's raw key (hex), unwrapped once by the bench itself."""
    from bench.common import passphrase
    from linkworker.storage import keys

    return keys.unwrap_key(keys.KeyFile.load(keys.key_file_path(Path(path))).wrapping,
                           passphrase()).hex()
