"""indexes for Today, Due and the quarterly return at 150,000 people

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01

Only indexes: no table changes, no data rewritten, the same statements on SQLite and on a
PostgreSQL hub (partial indexes are plain ``CREATE INDEX ... WHERE``). Frozen SQL, not imported
from the models (they declare the same indexes, so a new caseload and an upgraded one match).

* ``ix_goal_steps_open_due``: the steps not done, in due order. Today's task list (most
  overdue first) walks it and stops after its first page, instead of joining and sorting every
  step of every journey (95,000 tasks for a manager at 150,000 people).
* ``ix_goals_open``: the open goals' ids (and journeys). Most steps not done belong to goals
  long closed or dropped; Today tests a step's goal against this small index before reading
  the goal, so that walk is cheap, and counts the tasks without reading goals.
* ``ix_episodes_open_first_meeting``: the open journeys (no exit date) by first meeting, with
  their worker and id. Due's follow-up forms (a review meeting held, its form not recorded,
  the form's window open) only concern journeys whose first meeting lies a review's months
  before this week; the index hands those over without reading any journey. ``exit_date`` is
  a column too only so that SQLite reads the index alone (it is always NULL in it).
* ``ix_people_names`` (by person) and ``ix_people_current_names`` (by current journey): the
  names a list shows and sorts by, and what decides whether a person is listed (deleted,
  erased). Due reads 32,000 keys at 150,000 people, each with a name: from these small
  indexes, not one person's row (a page of the file to decrypt) each.
* ``ix_contacts_planned_due``: 0003's ``ix_contacts_planned_date`` (kept) with the journey,
  worker and id, so Due's keys and Today's counts read no contact.

The quarterly return reads a contract's journeys, their attended contacts, closed goals,
consents, conditions and forms; these covering indexes let it read them from the indexes
without the rows (the return's caseload reads at 150,000 people: 5.0 -> 2.7 s of CPU):
``ix_contacts_attended``, ``ix_goals_episode_done``, ``ix_consents_person_kind``,
``ix_conditions_person_terms``, ``ix_episodes_contract_journeys``, ``ix_measures_person_forms``.
Together they add about 600 MB to a 4.5 GB caseload of 150,000 people.
"""

from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

INDEXES = {
    "ix_goal_steps_open_due":
        "ON goal_steps (due_date, goal_id) WHERE done_date IS NULL",
    "ix_goals_open":
        "ON goals (id, episode_id) WHERE status = 'open'",
    "ix_episodes_open_first_meeting":
        "ON episodes (first_meeting_date, worker_id, id, exit_date) WHERE exit_date IS NULL",
    "ix_people_names":
        "ON people (id, deleted_at, given_name, preferred_name, family_name, reference)",
    "ix_people_current_names":
        "ON people (current_episode_id, deleted_at, anonymised_at, given_name, preferred_name, "
        "family_name, reference, id)",
    "ix_contacts_planned_due":
        "ON contacts (contact_date, episode_id, worker_id, id) WHERE status = 'planned'",
    "ix_contacts_attended":
        "ON contacts (episode_id, contact_date, mode, purpose, id) WHERE status = 'attended'",
    "ix_goals_episode_done":
        "ON goals (episode_id, status_date, id, category, status) WHERE status != 'open'",
    "ix_consents_person_kind":
        "ON consents (person_id, kind, given, recorded_on, expires_on, withdrawn_on)",
    "ix_conditions_person_terms":
        "ON conditions (person_id, code, term)",
    "ix_episodes_contract_journeys":
        "ON episodes (contract_id, id, person_id, number, referral_date, first_meeting_date, "
        "exit_date, exit_reason, eligibility)",
    "ix_measures_person_forms":
        "ON measures (person_id, instrument, completed_on, created_at, id, episode_id, "
        "timepoint, complete, value)",
}


def upgrade() -> None:
    for name, definition in INDEXES.items():
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} {definition}")


def downgrade() -> None:
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
