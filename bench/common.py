"""What the measurements share: the cached 50,000-person caseload, rows, and child processes.

The caseload is built once with ``linkworker demo`` and kept in ``bench/.cache/`` (gitignored)
with a ``meta.json`` saying how it was built. It is rebuilt when the schema, the demo
generator's code or data, or the requested size changes, so a cached file never misleads.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"
PASSPHRASE = "linkworker-bench"  # the data is synthetic; the passphrase need not be secret
SEED = 1


@dataclass(frozen=True)
class Row:
    """One line of the table."""

    name: str
    value: str
    rss_mb: float | None = None
    note: str = ""
    target: str = ""  # the floor, printed beside the figure


@dataclass
class Bench:
    people: int
    path: Path
    meta: dict[str, Any] = field(default_factory=dict)


def passphrase() -> str:
    """The bench's own caseloads use ``PASSPHRASE``; ``--db`` on another caseload takes
    ``LINKWORKER_PASSPHRASE``."""
    return os.environ.get("LINKWORKER_PASSPHRASE") or PASSPHRASE


def child_env() -> dict[str, str]:
    """Children unlock with the passphrase, sign in as the demo admin, and never touch the
    user's OS keyring."""
    env = dict(os.environ)
    env.update({
        "LINKWORKER_PASSPHRASE": passphrase(),
        # Commands sign in as a user; the demo's admin (every demo password is "demo").
        "LINKWORKER_USER": "admin",
        "LINKWORKER_PASSWORD": "demo",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "QT_QPA_PLATFORM": "offscreen",
        "MPLBACKEND": "Agg",
    })
    return env


def in_child(target: str, *args: Any, timeout: float = 1800,
             env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``module:function(*args)`` in a fresh Python (``env`` added to its environment);
    returns its JSON result and the child's peak RSS in MB under ``"rss_mb"``. A failure
    comes back as ``{"error": text}``."""
    command = [sys.executable, "-m", "bench.child", target, json.dumps(args)]
    try:
        done = subprocess.run(command, cwd=ROOT, env=child_env() | (env or {}),
                              capture_output=True,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f}s"}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": last[:160]}
    return json.loads(lines[-1])


def peak_rss_mb() -> float:
    """This process's peak resident memory (Linux and macOS report different units)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def fingerprint(people: int) -> dict[str, Any]:
    """What the cached caseload depends on."""
    from linkworker.storage.migrate import head_revision

    digest = hashlib.sha256()
    for folder in (ROOT / "linkworker" / "demo", ROOT / "resources" / "demo"):
        for path in sorted(folder.glob("*")):
            if path.is_file() and path.suffix in (".py", ".csv"):
                digest.update(path.name.encode() + path.read_bytes())
    return {"people": people, "seed": SEED, "schema": head_revision(),
            "schema_code": _schema_digest(), "demo_code": digest.hexdigest()[:16]}


def _schema_digest() -> str:
    """The migrations' text. Committed revisions are frozen (tests/test_migrations.py), so this
    only changes with a new revision; it also catches a revision edited in a working copy."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "linkworker" / "storage" / "migrations" / "versions").glob("*.py")):
        lines = path.read_text().splitlines()
        digest.update("\n".join(x for x in lines if not x.startswith("Create Date")).encode())
    return digest.hexdigest()[:16]


def existing(path: Path, people: int) -> Bench:
    """``--db PATH``: measure a caseload that is already there (built with ``linkworker demo``
    or this bench); nothing is rebuilt, and the demo-generation rows say so."""
    path = path.expanduser().resolve()
    if not path.exists():
        raise SystemExit(f"There is no caseload at {path}.")
    return Bench(people, path, {"cached": True, "external": True,
                                "size_mb": round(path.stat().st_size / 1e6)})


def prepare(people: int, rebuild: bool = False, log=print) -> Bench:
    """The cached caseload for ``people``, building it (timed, in a child) when needed."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"demo-{people}.db"
    meta_path = CACHE / f"demo-{people}.json"
    wanted = fingerprint(people)
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    if not rebuild and path.exists() and meta.get("fingerprint") == wanted:
        return Bench(people, path, meta | {"cached": True})
    for old in CACHE.glob(f"demo-{people}.db*"):
        old.unlink()
    log(f"Building a {people:,}-person demo caseload in {path} (a few minutes)...")
    built = in_child("bench.demo:build", str(path), people, SEED)
    if "error" in built:
        raise SystemExit(f"Could not build the demo caseload: {built['error']}")
    meta = {"fingerprint": wanted, "built_on": dt.date.today().isoformat(), **built}
    meta_path.write_text(json.dumps(meta, indent=2))
    return Bench(people, path, meta | {"cached": False})


def timed(func, *args, **kwargs) -> tuple[Any, float]:
    started = time.perf_counter()
    result = func(*args, **kwargs)
    return result, time.perf_counter() - started
