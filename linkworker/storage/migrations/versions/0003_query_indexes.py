"""indexes for Due, Today and returns at 50,000 people

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

Caseloads created before these indexes joined the models get them here; a new caseload already
has them from 0001, hence ``IF NOT EXISTS``. The full ``(status, contact_date)`` index is
dropped: with it SQLite walked every attended contact to find one worker's or one contract's
contacts (16 s for the Due badge at 50,000 people; 0.1 s with these).
Frozen SQL, not imported from the models, so this step never changes under a later release.
"""

from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

CREATE = (
    "CREATE INDEX IF NOT EXISTS ix_contacts_planned_date ON contacts (contact_date) "
    "WHERE status = 'planned'",
    "CREATE INDEX IF NOT EXISTS ix_contacts_episode_status "
    "ON contacts (episode_id, status, purpose)",
    "CREATE INDEX IF NOT EXISTS ix_measures_episode_timepoint "
    "ON measures (episode_id, timepoint, complete)",
)


def upgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_contacts_status_date")
    for statement in CREATE:
        op.execute(statement)


def downgrade() -> None:
    """Back to 0002's shape: the old index; the new ones are harmless but not 0002's."""
    for name in ("ix_contacts_planned_date", "ix_contacts_episode_status",
                 "ix_measures_episode_timepoint"):
        op.execute(f"DROP INDEX IF EXISTS {name}")
    op.execute("CREATE INDEX IF NOT EXISTS ix_contacts_status_date "
               "ON contacts (status, contact_date)")
