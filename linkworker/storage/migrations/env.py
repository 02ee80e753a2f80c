"""Alembic environment: runs over the engine handed in by linkworker.storage.migrate."""

from alembic import context

from linkworker.models import Base

config = context.config
engine = config.attributes.get("engine")
if engine is None:
    raise RuntimeError("Run migrations through linkworker.storage.migrate, not the alembic CLI.")

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    context.run_migrations()
