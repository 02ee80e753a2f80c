"""``python -m bench.child module:function JSON_ARGS``: run one measurement in a fresh process
and print its result (plus this process's peak memory) as one JSON line."""

from __future__ import annotations

import importlib
import json
import sys
import traceback

from bench.common import peak_rss_mb


def main() -> None:
    target, raw_args = sys.argv[1], sys.argv[2]
    module, name = target.split(":")
    try:
        result = getattr(importlib.import_module(module), name)(*json.loads(raw_args))
    except Exception:
        # The app's crash handler (installed by the start, bench/start.py) keeps only a
        # data-free report in the log folder: the bench's own (synthetic) error goes to stderr.
        traceback.print_exc()
        raise SystemExit(1) from None
    print(json.dumps({**result, "rss_mb": round(peak_rss_mb(), 1)}, default=str))


if __name__ == "__main__":
    main()
