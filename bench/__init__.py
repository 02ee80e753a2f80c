"""Benchmarks at the design point (50,000 people; docs/demo.md): ``python -m bench``.

A small registry: each measurement is a module ``bench/<name>.py`` with a function
``measure(bench: Bench) -> list[Row]``; list its name in ``MEASUREMENTS`` and it appears in
the table. Measurements that need a clean process (timings from cold, peak memory) run their
work in a child process with ``bench.common.in_child``. No timing is asserted anywhere: these
numbers are for people to read and compare, not for tests to pass or fail on.
"""

MEASUREMENTS = [
    "start",
    "demo",
    "caseload_query",
    "import",
    "today",
    "returns",
    "xlsx_writer",
    "sync",
    "export",
    "memory",
]
# Measured by another's run too, so not in the full run: ``--only search`` (start's search rows).
ONLY = ["search"]
ALIASES = {"return": "returns"}  # ``--only return``
