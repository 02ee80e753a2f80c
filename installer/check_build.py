"""The packaging check CI can afford only now and then: build, run the frozen app, try NSIS.

``python installer/check_build.py [--clean]`` (or ``make test-all``) from the repository root:

1. builds ``installer/linkworker.spec`` with PyInstaller into ``build/`` (about 10 minutes on a
   busy two-core machine from clean; a rebuild reuses PyInstaller's cache unless ``--clean``);
2. runs the frozen console executable offscreen in a throwaway home: ``--version`` (must be
   pyproject's), ``init``, a small demo caseload and a demo outcome return (PDF and XLSX);
3. starts the frozen windowed app offscreen and checks it is still up after a few seconds
   (Qt and its plugins load; it waits at the passphrase dialog);
4. runs ``makensis`` on ``installer/linkworker.nsi``: with no Windows build in ``dist/`` the
   script must refuse, naming what is missing (a Linux build must never be wrapped into a
   setup.exe). Skipped with a note when NSIS is not installed (Debian: ``apt-get install nsis``).

Prints how long each step took; exits non-zero on the first failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
BUNDLE = BUILD / "dist" / "LinkWorker"
CLI, APP = "linkworker-cli", "LinkWorker"
NSIS_REFUSAL = "No Windows build"


class CheckFailed(Exception):
    pass


def step(title: str):
    def wrap(function):
        def run(*args, **kwargs):
            started = time.monotonic()
            print(f"-- {title}...", flush=True)
            result = function(*args, **kwargs)
            print(f"   ok ({time.monotonic() - started:.0f} s)", flush=True)
            return result
        return run
    return wrap


def _run(command: list[str], env: dict[str, str] | None = None,
         timeout: float = 300) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT)
    if done.returncode != 0:
        raise CheckFailed(f"{' '.join(command)} exited {done.returncode}:\n"
                          f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return done


@step("PyInstaller build of installer/linkworker.spec")
def build(clean: bool) -> None:
    _run([sys.executable, "-m", "PyInstaller", "--noconfirm", *(["--clean"] if clean else []),
          "--distpath", str(BUILD / "dist"), "--workpath", str(BUILD / "pyinstaller"),
          str(ROOT / "installer" / "linkworker.spec")], timeout=1800)
    for name in (CLI, APP):
        if not (BUNDLE / name).exists():
            raise CheckFailed(f"the build has no {name} executable in {BUNDLE}")
    size = sum(p.stat().st_size for p in BUNDLE.rglob("*") if p.is_file() and not p.is_symlink())
    print(f"   bundle: {size / 1e6:.0f} MB in {BUNDLE.relative_to(ROOT)}")


def _frozen_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINKWORKER_")}
    env.update(HOME=str(home), LINKWORKER_HOME=str(home / "data"), QT_QPA_PLATFORM="offscreen",
               LINKWORKER_PASSPHRASE="frozen check passphrase", XDG_RUNTIME_DIR=str(home))
    return env


@step("frozen console app: --version, init, demo, a demo return")
def run_console(home: Path) -> None:
    env, exe, db = _frozen_env(home), str(BUNDLE / CLI), str(home / "caseload.db")
    version = _run([exe, "--version"], env).stdout.strip()
    if version != f"linkworker {metadata.version('linkworker')}":
        raise CheckFailed(f"--version said {version!r}")
    # Commands sign in: init names its first admin, the return is built as the demo's manager.
    first_admin = {**env, "LINKWORKER_USER": "admin", "LINKWORKER_PASSWORD": "plum kettle harbour"}
    _run([exe, "--db", str(home / "empty.db"), "init"], first_admin)
    _run([exe, "--db", db, "demo", "--people", "40", "--quiet"], env)
    manager = {**env, "LINKWORKER_USER": "manager", "LINKWORKER_PASSWORD": "demo"}
    _run([exe, "--db", db, "return", "--contract", "SAMPLE-SP-SIB", "--period", "2026-Q3",
          "--out", str(home / "return.pdf"), "--out", str(home / "return.xlsx")], manager)
    for name in ("return.pdf", "return.xlsx"):
        if (home / name).stat().st_size < 1000:
            raise CheckFailed(f"{name} is too small to be a return")


@step("frozen windowed app starts offscreen")
def run_window(home: Path, seconds: float = 8) -> None:
    env = _frozen_env(home)
    app = subprocess.Popen([str(BUNDLE / APP), "--db", str(home / "caseload.db")], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        code = app.wait(timeout=seconds)
    except subprocess.TimeoutExpired:  # still up: waiting at the sign-in dialog, as it should
        app.terminate()
        app.wait(timeout=30)
        return
    raise CheckFailed(f"the windowed app exited {code} at once:\n{app.stdout.read()[-2000:]}")


@step("NSIS refuses to wrap a build that is not a Windows build")
def check_nsis() -> None:
    makensis = shutil.which("makensis")
    if makensis is None:
        print("   skipped: makensis is not installed (Debian: apt-get install nsis)")
        return
    if (ROOT / "dist" / "LinkWorker" / f"{APP}.exe").exists():
        print("   a Windows build is in dist/: compiling the real installer")
        _run([makensis, f"-DVERSION={metadata.version('linkworker')}",
              str(ROOT / "installer" / "linkworker.nsi")])
        return
    done = subprocess.run([makensis, "-DVERSION=0.0.0", str(ROOT / "installer" / "linkworker.nsi")],
                          capture_output=True, text=True, cwd=ROOT)
    if done.returncode == 0 or NSIS_REFUSAL not in done.stdout + done.stderr:
        raise CheckFailed("makensis did not refuse a missing Windows build:\n"
                          f"{done.stdout[-2000:]}{done.stderr[-2000:]}")


def main() -> int:
    started = time.monotonic()
    try:
        build(clean="--clean" in sys.argv)
        with tempfile.TemporaryDirectory(prefix="linkworker-frozen-") as scratch:
            run_console(Path(scratch))
            run_window(Path(scratch))
        check_nsis()
    except CheckFailed as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    print(f"packaging check passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
