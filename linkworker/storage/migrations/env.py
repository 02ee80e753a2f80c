"""Alembic environment: runs over the engine handed in by linkworker.storage.migrate."""

from alembic import context

from linkworker.models import Base

config = context.config
engine = config.attributes.get("engine")
if engine is None:
    raise RuntimeError("Run migrations through linkworker.storage.migrate, not the alembic CLI.")

with engine.begin() as connection:
    if connection.dialect.name == "postgresql":
        # The models name SQLite's NOCASE collation (fast case-insensitive prefix search on a
        # laptop). PostgreSQL has no such collation; a hub gets a plain one of that name so the
        # same migrations run unchanged. (A nondeterministic ICU collation would refuse LIKE.)
        connection.exec_driver_sql('CREATE COLLATION IF NOT EXISTS "NOCASE" FROM "C"')
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
        # migrate.upgrade_to_head's report of each step, when someone is watching
        on_version_apply=config.attributes.get("on_version_apply"),
    )
    context.run_migrations()
