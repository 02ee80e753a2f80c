"""audit trail append-only triggers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

Hand-written (autogenerate does not see triggers) and frozen: the SQL is copied here, not
imported, so this step does the same thing on every caseload whatever the code later becomes.
Past audit events may not be deleted, and may be updated only to *redact* an erased person's
details (every other column unchanged, the new details a ``{"redacted": ...}`` marker); the hash
chain in ``linkworker.audit`` detects anything that gets round these (e.g. by dropping them).
"""

from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

NO_DELETE = """
CREATE TRIGGER IF NOT EXISTS audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END
"""

NO_UPDATE = """
CREATE TRIGGER IF NOT EXISTS audit_events_no_update BEFORE UPDATE ON audit_events
WHEN NOT (
    NEW.seq IS OLD.seq AND NEW.id IS OLD.id AND NEW.at IS OLD.at
    AND NEW.user_id IS OLD.user_id AND NEW.username IS OLD.username
    AND NEW.action IS OLD.action AND NEW.entity IS OLD.entity
    AND NEW.entity_id IS OLD.entity_id AND NEW.person_id IS OLD.person_id
    AND NEW.prev_hash IS OLD.prev_hash AND NEW.hash IS OLD.hash
    AND OLD.person_id IS NOT NULL
    AND json_valid(NEW.details) AND json_extract(NEW.details, '$.redacted') IS NOT NULL
)
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # a PostgreSQL hub gets its own revoke-based rule (see docs/security.md)
    op.execute(NO_DELETE)
    op.execute(NO_UPDATE)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
    op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
