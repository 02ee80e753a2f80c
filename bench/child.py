"""``python -m bench.child module:function JSON_ARGS``: run one measurement in a fresh process
and print its result (plus this process's peak memory) as one JSON line."""

from __future__ import annotations

import importlib
import json
import sys

from bench.common import peak_rss_mb


def main() -> None:
    target, raw_args = sys.argv[1], sys.argv[2]
    module, name = target.split(":")
    result = getattr(importlib.import_module(module), name)(*json.loads(raw_args))
    print(json.dumps({**result, "rss_mb": round(peak_rss_mb(), 1)}, default=str))


if __name__ == "__main__":
    main()
