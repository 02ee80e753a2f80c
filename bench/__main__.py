"""``python -m bench [--people N] [--rebuild] [--only NAME ...]``: print the benchmark table."""

from __future__ import annotations

import argparse
import importlib
import sys
import time

from bench import MEASUREMENTS
from bench.common import Row, prepare

DESIGN_POINT = 50_000


def table(rows: list[Row]) -> str:
    header = ("Measurement", "Result", "Peak RSS", "Notes")
    cells = [(r.name, r.value, f"{r.rss_mb:,.0f} MB" if r.rss_mb else "", r.note) for r in rows]
    widths = [max(len(c[i]) for c in [header, *cells]) for i in range(3)]
    lines = []
    for i, cell in enumerate([header, *cells]):
        lines.append(f"{cell[0]:<{widths[0]}}  {cell[1]:>{widths[1]}}  {cell[2]:>{widths[2]}}  "
                     f"{cell[3]}".rstrip())
        if i == 0:
            lines.append("-" * (sum(widths) + 4 + max(len(c[3]) for c in [header, *cells]) + 2))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--people", type=int, default=DESIGN_POINT)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached caseload")
    parser.add_argument("--only", nargs="+", choices=MEASUREMENTS, help="run only these")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    bench = prepare(args.people, args.rebuild, log=lambda text: print(text, file=sys.stderr))
    rows: list[Row] = []
    for name in args.only or MEASUREMENTS:
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
