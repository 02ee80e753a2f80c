"""``python -m bench [--db PATH] [--people N] [--rebuild] [--only NAME ...] [--pages KEY ...]
[--rounds N]``: print the table.

Each figure is printed beside its target (the issue's floor) where it has one."""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

from bench import ALIASES, MEASUREMENTS, ONLY
from bench.common import Row, existing, prepare

DESIGN_POINT = 50_000


def table(rows: list[Row]) -> str:
    header = ("Measurement", "Result", "Target", "Peak RSS", "Notes")
    cells = [(r.name, r.value, r.target, f"{r.rss_mb:,.0f} MB" if r.rss_mb else "", r.note)
             for r in rows]
    widths = [max(len(c[i]) for c in [header, *cells]) for i in range(4)]
    lines = []
    for i, cell in enumerate([header, *cells]):
        lines.append(f"{cell[0]:<{widths[0]}}  {cell[1]:>{widths[1]}}  {cell[2]:<{widths[2]}}  "
                     f"{cell[3]:>{widths[3]}}  {cell[4]}".rstrip())
        if i == 0:
            lines.append("-" * (sum(widths) + 6 + max(len(c[4]) for c in [header, *cells]) + 2))
    return "\n".join(lines)


def memory_keys() -> tuple[str, ...]:
    from bench.memory import KEYS  # imports nothing of the app

    return KEYS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--people", type=int, default=DESIGN_POINT)
    parser.add_argument("--db", type=Path, help="measure this caseload instead of the cached "
                        "demo (LINKWORKER_PASSPHRASE unlocks it; staff passwords 'demo')")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached caseload")
    parser.add_argument("--only", nargs="+", choices=[*MEASUREMENTS, *ONLY, *ALIASES],
                        help="run only these")
    parser.add_argument("--pages", nargs="+", choices=memory_keys(), metavar="KEY",
                        help="memory: open only these pages and screens "
                             f"({', '.join(memory_keys())})")
    parser.add_argument("--rounds", type=int, help="memory: open each page N times (3)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    log = lambda text: print(text, file=sys.stderr)  # noqa: E731
    bench = existing(args.db, args.people) if args.db else prepare(args.people, args.rebuild, log)
    bench.meta.update(pages=args.pages, rounds=args.rounds)
    rows: list[Row] = []
    for name in [ALIASES.get(n, n) for n in args.only or MEASUREMENTS]:
        print(f"Measuring {name}...", file=sys.stderr)
        try:
            rows.extend(importlib.import_module(f"bench.{name}").measure(bench))
        except Exception as exc:  # one broken measurement must not hide the others
            rows.append(Row(name, "n/a", note=f"{type(exc).__name__}: {exc}"[:160]))
    print(f"LinkWorker benchmark: {args.people:,}-person demo caseload ({bench.path.name})")
    print(table(rows))
    print(f"({time.perf_counter() - started:.0f} s in all)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
