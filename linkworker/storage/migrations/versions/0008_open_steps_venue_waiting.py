"""indexes: open steps by goal, contacts by venue, sync changes waiting to be applied

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01

Only indexes: no table changes, no data rewritten. Frozen SQL, not imported from the models
(they declare the same indexes, so a new caseload and an upgraded one match).

* ``ix_goal_steps_open_by_goal``: each goal's steps not done, by due date. Today's tasks walk
  the steps not done in due order (0007's ``ix_goal_steps_open_due``); at 150,000 people the
  first 240,000 of them belong to goals long closed. From the open goals (``ix_goals_open``)
  this index gives the earliest due date of any open goal's step, read from the index alone,
  and the walk starts there. ``done_date`` is a column only so that SQLite reads the index
  alone (it is always NULL in it).
* ``ix_contacts_venue``: the contacts at a venue with their journey: a coordinator's drop-in
  register ("anyone with a contact at my venue", ``access.people_scope`` "attend") and the
  hub's ``linkworker_scope()`` for a coordinator, without reading every contact. Partial
  (about half of the contacts have a venue); both asks compare ``venue`` with a value, which
  SQLite and PostgreSQL take as "not NULL" (the hub's function says so too).
* ``ix_sync_changes_waiting`` replaces 0004's ``ix_sync_changes_applied``: only the changes
  waiting for what they depend on (``applied`` false) are indexed, in the order they are
  tried. Nearly every change is applied, so the full index held one entry per change for
  nothing. The condition is "applied = false", which both databases read, and the queries
  say it word for word (``sync.changelog.WAITING``): a partial index is only taken when the
  planner sees the query's condition is the index's.
"""

from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

INDEXES = {
    "ix_goal_steps_open_by_goal":
        "ON goal_steps (goal_id, due_date, done_date) WHERE done_date IS NULL",
    "ix_contacts_venue":
        "ON contacts (venue, episode_id) WHERE venue IS NOT NULL",
    "ix_sync_changes_waiting":
        "ON sync_changes (change_id) WHERE applied = false",
}


def upgrade() -> None:
    for name, definition in INDEXES.items():
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} {definition}")
    op.execute("DROP INDEX IF EXISTS ix_sync_changes_applied")


def downgrade() -> None:
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    op.execute("CREATE INDEX IF NOT EXISTS ix_sync_changes_applied ON sync_changes (applied)")
