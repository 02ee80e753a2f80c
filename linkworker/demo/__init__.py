"""A synthetic demo caseload: a Tyneside social-prescribing service over about five years.

::

    from linkworker.demo import generate
    summary = generate(caseload, people=2000, seed=1)

Reproducible (one ``random.Random(seed)``, dates relative to ``today``), realistic enough to
train on and to measure the app against (``bench/``), and entirely made up: see
``docs/demo.md`` for what it contains. Staff accounts all have the password ``demo``.
"""

from linkworker.demo.generator import (
    DEMO_SETTING,
    MAX_PEOPLE,
    DemoRefused,
    DemoSummary,
    generate,
)
from linkworker.demo.organisation import DEMO_PASSWORD, worker_count

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_SETTING",
    "MAX_PEOPLE",
    "DemoRefused",
    "DemoSummary",
    "generate",
    "worker_count",
]
