"""Developer tool: regenerate the initial migration from the models (pre-release only).

Until the first release, ``0001_initial`` is the whole schema, generated from
``linkworker.models`` so it can never drift from them. After a release this file is frozen
and every change gets a new revision. Run: ``python -m linkworker.storage.regen_initial``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine

from linkworker.storage.migrate import MIGRATIONS, alembic_config

INITIAL = MIGRATIONS / "versions" / "0001_initial.py"


def main() -> None:
    INITIAL.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite:///{Path(folder) / 'empty.db'}")
        config = alembic_config(engine)
        command.revision(config, message="initial schema", autogenerate=True, rev_id="0001")
        engine.dispose()
    generated = next((MIGRATIONS / "versions").glob("0001_*.py"))
    if generated != INITIAL:
        generated.rename(INITIAL)
    print(f"wrote {INITIAL}")


if __name__ == "__main__":
    main()
