"""indexes for Today: a manager's every task key read from indexes alone

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

Only indexes: no table changes, no data rewritten, the same statements on SQLite and on a
PostgreSQL hub. Frozen SQL, not imported from the models (they declare the same indexes, so a
new caseload and an upgraded one match).

A manager's Today lists every plan step not done, due by the day, of an open goal of an open
journey, most overdue first, then by name (98,909 at 150,000 people). Its keys (each task's
rowid in list order, ``today.today_keys``) were read by walking the steps not done in due
order and reading, for each, three rows of the encrypted file: the step's (its id is the last
tie-break), its goal's (whose journey?) and its journey's (open?). Those rows hold free text,
so each was a page read and decrypted for a few bytes: 4.5-6.2 s of CPU at 150,000 people,
on every refresh while Today is on screen. Now the keys are read goal by goal from the open
goals (0007's ``ix_goals_open``), and nothing but indexes is read:

* ``ix_goal_steps_open_by_goal_keys``: each goal's steps not done, by due date, with their
  id (``done_date`` is a column only so that SQLite reads the index alone; it is always NULL
  in it). It replaces 0008's ``ix_goal_steps_open_by_goal`` (goal, due date, done date),
  whose first columns it keeps, so the first page still finds its earliest step there.
* ``ix_episodes_open_ids``: the open journeys by id (``exit_date`` as above). Unique, and
  every column asked by equality, so SQLite takes it over the journeys' own unique id index
  (and then the journey's row).

At 50,000 people they take about 2 s to build and add 15 MB to a 2 GB caseload.
"""

from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

INDEXES = {
    "ix_goal_steps_open_by_goal_keys":
        "ON goal_steps (goal_id, due_date, id, done_date) WHERE done_date IS NULL",
    "ix_episodes_open_ids":
        "ON episodes (id, exit_date) WHERE exit_date IS NULL",
}
UNIQUE = ("ix_episodes_open_ids",)
REPLACED = {
    "ix_goal_steps_open_by_goal":
        "ON goal_steps (goal_id, due_date, done_date) WHERE done_date IS NULL",
}


def upgrade() -> None:
    for name, definition in INDEXES.items():
        kind = "UNIQUE INDEX" if name in UNIQUE else "INDEX"
        op.execute(f"CREATE {kind} IF NOT EXISTS {name} {definition}")
    for name in REPLACED:
        op.execute(f"DROP INDEX IF EXISTS {name}")


def downgrade() -> None:
    for name, definition in REPLACED.items():
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} {definition}")
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
