"""Developer tool: regenerate the initial migration from the models (pre-release only).

Until the first release, ``0001_initial`` is the whole schema, generated from
``linkworker.models`` so it can never drift from them. After a release this file is frozen
and every change gets a new revision. Run: ``python -m linkworker.storage.regen_initial``.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine

from linkworker.storage.migrate import MIGRATIONS, alembic_config

INITIAL = MIGRATIONS / "versions" / "0001_initial.py"


def main() -> None:
    INITIAL.unlink(missing_ok=True)
    versions = MIGRATIONS / "versions"
    with tempfile.TemporaryDirectory() as folder:
        # Hand-written later revisions (e.g. 0002's triggers) point at 0001: set them aside so
        # Alembic sees an empty history while 0001 is rebuilt, then put them back unchanged.
        aside = Path(folder) / "later"
        aside.mkdir()
        later = [p for p in versions.glob("[0-9]*.py") if not p.name.startswith("0001_")]
        for path in later:
            shutil.move(path, aside / path.name)
        try:
            engine = create_engine(f"sqlite:///{Path(folder) / 'empty.db'}")
            config = alembic_config(engine)
            command.revision(config, message="initial schema", autogenerate=True, rev_id="0001")
            engine.dispose()
        finally:
            for path in later:
                shutil.move(aside / path.name, path)
    generated = next((MIGRATIONS / "versions").glob("0001_*.py"))
    if generated != INITIAL:
        generated.rename(INITIAL)
    print(f"wrote {INITIAL}")


if __name__ == "__main__":
    main()
