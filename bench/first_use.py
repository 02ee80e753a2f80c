"""``python bench/first_use.py --demo DIR [--flow manager|worker]``: the two first-use flows
of issue 16 at a human pace on a real X display, timed; prints the step table.

Run it under a real X server with a window manager, for example::

    xvfb-run -s "-screen 0 1366x768x24" sh -c 'openbox & python bench/first_use.py --demo .demo'

Each flow starts the app on a fresh copy of the demo caseload (``DIR`` holds caseload.db and
its key file; `make run` builds it), and xdotool presses the keys a first-time user would
(the same path as tests/ux/test_first_use.py) at ``--key`` seconds a key, with ``--think``
seconds before each screen (reading it). A step waits until the screen is still, so slow
moments of the app count in the time as they would for a person. The clock runs from
starting the app to the last step; the result is checked afterwards in the caseload itself.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PASSPHRASE = "linkworker-demo"
Step = tuple[str, list[str]]  # (what the person does, actions: "key:..", "type:..", "wait:..")

MANAGER: list[Step] = [
    ("Sign in as manager", ["type:manager", "key:Tab", "type:demo", "key:Return"]),
    ("F1: the guide, its link to 'The quarterly return'",
     ["key:F1", "key:Tab", "key:Tab", "key:Tab", "key:Tab", "key:Return"]),
    ("Read it, close it (Esc)", ["key:Escape"]),
    ("Ctrl+5 Reports: Outcome returns", ["key:ctrl+5"]),
    ("Contract chosen: Next", ["key:alt+n"]),
    ("Period 2026-Q3, Next builds the return",
     ["key:alt+e", "type:2026-Q3", "key:alt+n"]),
    ("Data quality read: Next", ["key:alt+n"]),
    ("Preview read: Next", ["key:alt+n"]),
    ("Workbook: Alt+W, Enter in the file box", ["key:alt+w", "wait:2", "key:Return"]),
    ("Cover PDF: Alt+V, Enter in the file box", ["key:alt+v", "wait:2", "key:Return"]),
    ("Submit: Alt+S, then Alt+S in the question", ["key:alt+s", "wait:2", "key:alt+s"]),
]

WORKER: list[Step] = [
    ("Sign in as worker1", ["type:worker1", "key:Tab", "type:demo", "key:Return"]),
    ("F1: the guide, its link to 'A first meeting'",
     ["key:F1", "key:Tab", "key:Tab", "key:Return"]),
    ("Read it, close it (Esc)", ["key:Escape"]),
    ("Ctrl+F, the reference, Down, Enter",
     ["key:ctrl+f", "type:{reference}", "wait:2", "key:Down", "key:Return", "sleep:0.5",
      "until:500x30+210+115"]),  # the heading: "Opening the record..." -> the name
    ("Note: Ctrl+N, type, Ctrl+Enter",
     ["key:ctrl+n", "type:First meeting at home. Lonely since her husband died; keen on "
      "gardening.", "key:ctrl+Return"]),
    ("SWEMWBS: Ctrl+M, Alt+I S, Alt+A, seven answers, Ctrl+S",
     ["key:ctrl+m", "wait:2", "key:alt+i", "type:S", "wait:1", "key:alt+a", "type:4343434",
      "key:ctrl+s"]),
    ("Goal 1: Alt+4, Alt+W, words, Tab, category, Alt+A",
     ["key:alt+4", "key:alt+w", "type:Get back to my allotment", "key:Tab", "type:A",
      "key:alt+a"]),
    ("Goal 2: Alt+W, words, Tab, category, Alt+A",
     ["key:alt+w", "type:Sing in a choir again", "key:Tab", "type:S", "key:alt+a"]),
    ("Signposting: Alt+5, Alt+D, 'walk', Alt+S",
     ["key:alt+5", "key:alt+d", "type:walk", "wait:2", "key:alt+s"]),
]


def xdo(*args: str) -> None:
    subprocess.run(["xdotool", *args], check=True)


def screen_still(limit: float, tolerance: int = 400) -> float:
    """Wait until two screenshots 0.7 s apart differ by fewer than ``tolerance`` pixels (a
    blinking caret is about 20); the seconds waited."""
    start = time.monotonic()
    folder = Path(tempfile.mkdtemp())
    before = folder / "a.png"
    subprocess.run(["import", "-window", "root", str(before)], check=True)
    while time.monotonic() - start < limit:
        time.sleep(0.7)
        after = folder / "b.png"
        subprocess.run(["import", "-window", "root", str(after)], check=True)
        diff = subprocess.run(["compare", "-metric", "AE", str(before), str(after), "null:"],
                              capture_output=True, text=True)
        if float((diff.stderr or "0").split()[0]) < tolerance:
            break
        after.replace(before)
    shutil.rmtree(folder, ignore_errors=True)
    return time.monotonic() - start


def act(action: str, key: float, values: dict[str, str]) -> None:
    kind, _, what = action.partition(":")
    if kind == "key":
        time.sleep(key)
        xdo("key", what)
    elif kind == "type":
        xdo("type", "--delay", str(int(key * 1000)), what.format(**values))
    elif kind == "wait":
        time.sleep(float(what))
        screen_still(30)
    elif kind == "sleep":
        time.sleep(float(what))
    elif kind == "until":  # until this part of the screen changes (what the person waits for)
        region_changes(what)


def region_changes(geometry: str, limit: float = 90) -> float:
    """Wait until the screen inside ``geometry`` (WxH+X+Y) differs from now: a record's
    heading turning from "Opening the record..." to the person's name."""
    start = time.monotonic()
    folder = Path(tempfile.mkdtemp())
    first, now = folder / "a.png", folder / "b.png"
    subprocess.run(["import", "-window", "root", "-crop", geometry, str(first)], check=True)
    while time.monotonic() - start < limit:
        time.sleep(0.5)
        subprocess.run(["import", "-window", "root", "-crop", geometry, str(now)], check=True)
        diff = subprocess.run(["compare", "-metric", "AE", str(first), str(now), "null:"],
                              capture_output=True, text=True)
        if float((diff.stderr or "0").split()[0]) > 200:
            break
    shutil.rmtree(folder, ignore_errors=True)
    return time.monotonic() - start


def wait_for_window(name: str, limit: float = 120) -> None:
    start = time.monotonic()
    while time.monotonic() - start < limit:
        found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", name],
                               capture_output=True)
        if found.returncode == 0:
            return
        time.sleep(0.3)
    raise SystemExit(f"no window named {name!r} after {limit:.0f} s")


def run_flow(name: str, steps: list[Step], demo: Path, key: float, think: float,
             shots: Path | None, values: dict[str, str]) -> list[tuple[str, float, float]]:
    work = Path(tempfile.mkdtemp(prefix=f"first-use-{name}-"))
    for part in ("caseload.db", "caseload.db.key"):
        shutil.copy2(demo / part, work / part)
    env = dict(os.environ, LINKWORKER_PASSPHRASE=PASSPHRASE, HOME=str(work),
               LINKWORKER_HOME=str(work / "home"))
    start = time.monotonic()
    app = subprocess.Popen([sys.executable, "-m", "linkworker", "--db", str(work / "caseload.db")],
                           cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rows = []
    try:
        wait_for_window("Sign in")
        rows.append(("Start the app: the sign-in box", time.monotonic() - start, 0.0))
        for number, (what, actions) in enumerate(steps, start=1):
            began = time.monotonic()
            time.sleep(think)
            for action in actions:
                act(action, key, values)
            waited = screen_still(60)
            rows.append((what, time.monotonic() - start, waited))
            if shots:
                subprocess.run(["import", "-window", "root",
                                str(shots / f"{name}-{number:02d}.png")], check=True)
            del began
    finally:
        xdo("key", "ctrl+q")
        try:
            app.wait(60)
        except subprocess.TimeoutExpired:
            app.terminate()
    print(check(name, work, values))
    return rows


def check(name: str, work: Path, values: dict[str, str]) -> str:
    """What the caseload holds afterwards (read with the core, as a data person would)."""
    code = CHECKS[name].format(**values)
    env = dict(os.environ, LINKWORKER_PASSPHRASE=PASSPHRASE)
    done = subprocess.run([sys.executable, "-c", code, str(work / "caseload.db")], env=env,
                          capture_output=True, text=True)
    return (done.stdout + done.stderr).strip()


CHECKS = {
    "manager": (
        "import sys; from pathlib import Path; from sqlalchemy import select\n"
        "from linkworker.storage.database import Caseload; from linkworker import models\n"
        "db = Caseload.open(Path(sys.argv[1]))\n"
        "with db.reading() as s:\n"
        "    print('returns:', [(r.period, r.status) for r in s.scalars("
        "select(models.OutcomeReturn))])\n"
        "print('files:', sorted(p.name for p in Path(sys.argv[1]).parent.glob('SAMPLE*')))\n"
    ),
    "worker": (
        "import sys; from pathlib import Path; from sqlalchemy import select\n"
        "from linkworker.storage.database import Caseload; from linkworker import models as m\n"
        "db = Caseload.open(Path(sys.argv[1]))\n"
        "with db.reading() as s:\n"
        "    p = s.scalars(select(m.Person).where(m.Person.reference == '{reference}')).one()\n"
        "    e = s.scalars(select(m.Episode).where(m.Episode.person_id == p.id)).one().id\n"
        "    print('notes:', [c.status for c in s.scalars(select(m.Contact).where("
        "m.Contact.episode_id == e)) if 'gardening' in (c.note or '')])\n"
        "    print('forms:', [(f.instrument, f.timepoint, f.value) for f in s.scalars(select("
        "m.Measure).where(m.Measure.episode_id == e))])\n"
        "    print('goals:', [g.own_words for g in s.scalars(select(m.Goal).where("
        "m.Goal.episode_id == e))])\n"
        "    print('signposts:', len(s.scalars(select(m.Signpost).where("
        "m.Signpost.episode_id == e)).all()))\n"
    ),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--demo", type=Path, required=True, help="folder with caseload.db")
    parser.add_argument("--flow", choices=("manager", "worker"), nargs="+",
                        default=["manager", "worker"])
    parser.add_argument("--key", type=float, default=0.3, help="seconds per key")
    parser.add_argument("--think", type=float, default=4.0, help="seconds to read a screen")
    parser.add_argument("--reference", default="LW-000551",
                        help="worker1's person waiting for a first meeting")
    parser.add_argument("--shots", type=Path, help="save a screenshot after each step here")
    args = parser.parse_args(argv)
    if args.shots:
        args.shots.mkdir(parents=True, exist_ok=True)
    for name in args.flow:
        steps = MANAGER if name == "manager" else WORKER
        rows = run_flow(name, steps, args.demo, args.key, args.think, args.shots,
                        {"reference": args.reference})
        print(f"\n{name}: {rows[-1][1]:.0f} s from starting the app (key {args.key} s, "
              f"think {args.think} s a screen)")
        print(f"{'Step':<62} {'Clock':>7} {'Waiting':>8}")
        for what, clock, waited in rows:
            print(f"{what:<62} {clock:>6.1f}s {waited:>7.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
