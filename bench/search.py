"""``python -m bench --only search``: the search rows of ``bench.start`` alone (each keystroke
to its rows painted, as the manager and as worker1, beside the search's floor), without
Today and Due: the app's real start, then the typing. Each key's phases, from the app's own
trace (``ui.search_trace``), for one user: ``LINKWORKER_SEARCH_TRACE=1 python -m bench.child
bench.start:run '["DB", "worker1", false]'`` (they go to stderr)."""

from __future__ import annotations

from bench.common import Bench, Row, in_child


def measure(bench: Bench) -> list[Row]:
    from bench import floor, start

    start._compiled()
    key = {"BENCH_RAW_KEY": floor.raw_key(str(bench.path))}
    out = []
    for username, label in (("manager", "manager, everyone"), ("worker1", "worker1's own")):
        result = in_child("bench.start:run", str(bench.path), username, False)
        if "error" in result:
            out.append(Row(f"Search per keystroke, {label}", "n/a", note=result["error"]))
            continue
        out += start.search_rows(bench, username, label, result, key)
    return out
