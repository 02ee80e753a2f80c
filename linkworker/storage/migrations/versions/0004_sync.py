"""sync: change log, field heads, sync state, conflicts; audit append-only on PostgreSQL

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

Hand-written and frozen (the tables are spelled out here, not imported from the models).
Idempotent like 0003: a caseload made from a newer 0001 never needs it, so each table is
created only if it is missing. On PostgreSQL (the hub) the audit trail gets the same
append-only rule 0002 gives SQLite, as a trigger function.
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

PG_AUDIT_FUNCTION = """
CREATE OR REPLACE FUNCTION linkworker_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.seq IS NOT DISTINCT FROM OLD.seq AND NEW.id IS NOT DISTINCT FROM OLD.id
       AND NEW.at IS NOT DISTINCT FROM OLD.at AND NEW.user_id IS NOT DISTINCT FROM OLD.user_id
       AND NEW.username IS NOT DISTINCT FROM OLD.username
       AND NEW.action IS NOT DISTINCT FROM OLD.action
       AND NEW.entity IS NOT DISTINCT FROM OLD.entity
       AND NEW.entity_id IS NOT DISTINCT FROM OLD.entity_id
       AND NEW.person_id IS NOT DISTINCT FROM OLD.person_id
       AND NEW.prev_hash IS NOT DISTINCT FROM OLD.prev_hash
       AND NEW.hash IS NOT DISTINCT FROM OLD.hash
       AND OLD.person_id IS NOT NULL
       AND (NEW.details::jsonb ? 'redacted') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events are append-only';
END
$$ LANGUAGE plpgsql
"""


def _missing(name: str) -> bool:
    return not sa.inspect(op.get_bind()).has_table(name)


def upgrade() -> None:
    if _missing("sync_changes"):
        op.create_table(
            "sync_changes",
            sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("change_id", sa.String(length=80), nullable=False),
            sa.Column("device_id", sa.String(length=32), nullable=False),
            sa.Column("user_id", sa.String(length=36), nullable=True),
            sa.Column("table_name", sa.String(length=40), nullable=False),
            sa.Column("row_id", sa.String(length=80), nullable=False),
            sa.Column("person_id", sa.String(length=36), nullable=True),
            sa.Column("op", sa.String(length=8), nullable=False),
            sa.Column("data", sa.JSON(), nullable=True),
            sa.Column("bases", sa.JSON(), nullable=True),
            sa.Column("applied", sa.Boolean(), nullable=False),
            sa.PrimaryKeyConstraint("seq"),
            sa.UniqueConstraint("change_id"),
        )
        op.create_index("ix_sync_changes_person_id", "sync_changes", ["person_id"])
        op.create_index("ix_sync_changes_applied", "sync_changes", ["applied"])
        op.create_index("ix_sync_changes_row", "sync_changes", ["table_name", "row_id"])
    if _missing("sync_rows"):
        op.create_table(
            "sync_rows",
            sa.Column("table_name", sa.String(length=40), nullable=False),
            sa.Column("row_id", sa.String(length=80), nullable=False),
            sa.Column("heads", sa.JSON(), nullable=False),
            sa.Column("deleted", sa.Boolean(), nullable=False),
            sa.PrimaryKeyConstraint("table_name", "row_id"),
        )
    if _missing("sync_state"):
        op.create_table(
            "sync_state",
            sa.Column("key", sa.String(length=100), nullable=False),
            sa.Column("value", sa.JSON(), nullable=True),
            sa.PrimaryKeyConstraint("key"),
        )
    if _missing("sync_conflicts"):
        op.create_table(
            "sync_conflicts",
            sa.Column("id", sa.String(length=80), nullable=False),
            sa.Column("table_name", sa.String(length=40), nullable=False),
            sa.Column("row_id", sa.String(length=80), nullable=False),
            sa.Column("field", sa.String(length=60), nullable=False),
            sa.Column("person_id", sa.String(length=36), nullable=True),
            sa.Column("heads", sa.JSON(), nullable=False),
            sa.Column("opened_at", sa.DateTime(), nullable=False),
            sa.Column("resolved_at", sa.DateTime(), nullable=True),
            sa.Column("resolved_by", sa.String(length=80), nullable=True),
            sa.Column("resolution", sa.JSON(), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_sync_conflicts_person_id", "sync_conflicts", ["person_id"])
        op.create_index("ix_sync_conflicts_resolved_at", "sync_conflicts", ["resolved_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_AUDIT_FUNCTION)
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        op.execute("CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE "
                   "ON audit_events FOR EACH ROW EXECUTE FUNCTION linkworker_audit_append_only()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS linkworker_audit_append_only()")
    for name in ("sync_conflicts", "sync_state", "sync_rows", "sync_changes"):
        op.drop_table(name)
