"""indexes for Today: a day's contacts read from the index alone

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

Only indexes: no table changes, no data rewritten, the same statements on SQLite and on a
PostgreSQL hub. Frozen SQL, not imported from the models (they declare the same indexes, so a
new caseload and an upgraded one match).

Today lists every contact on the day (appointments) and the planned ones from tomorrow to
Sunday (later this week), sorted by time and name. It reads only what a row shows (day, time,
mode, venue, purpose, status, the worker, the journey and the id); these indexes hold exactly
those columns, so no contact's row (a page of the encrypted file each, holding its note) is
read:

* ``ix_contacts_day``: every contact by day, then worker. A worker's Today drops other
  workers' contacts inside the index before reading any journey. Pages read by Today's
  appointments at 50,000 people: manager 4,768 -> 2,948, worker1 2,711 -> 303.
* ``ix_contacts_planned_day``: the same for planned contacts only (partial), the later-this-
  week list: 4,692 -> 4,114 pages for a manager at 50,000 people.

A worker's own Today also reads their open journeys (tasks: plan steps and first contacts;
Due: forms not recorded). ``ix_episodes_worker_id`` hands over every journey they ever had
(2,690 at 150,000 people, 882 of them open), a row each; ``ix_episodes_open_by_worker``
(partial: open journeys only) holds what those statements ask of a journey, so worker1's
first page of tasks reads 1,434 pages instead of 2,242 at 50,000 people.

Together they add about 150 MB to a 1.8 GB caseload of 50,000 people.
"""

from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

INDEXES = {
    "ix_contacts_day":
        "ON contacts (contact_date, worker_id, status, start_time, mode, purpose, venue, "
        "episode_id, id)",
    "ix_contacts_planned_day":
        "ON contacts (contact_date, worker_id, start_time, mode, purpose, venue, episode_id, id) "
        "WHERE status = 'planned'",
    "ix_episodes_open_by_worker":
        "ON episodes (worker_id, stage, next_review_due, first_meeting_date, referral_date, id) "
        "WHERE exit_date IS NULL",
}


def upgrade() -> None:
    for name, definition in INDEXES.items():
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} {definition}")


def downgrade() -> None:
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
