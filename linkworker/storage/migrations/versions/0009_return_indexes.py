"""indexes for the quarterly return: people, consents and forms read in fewer pages

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

Only indexes: no table changes, no data rewritten. Frozen SQL, not imported from the models
(they declare the same indexes, so a new caseload and an upgraded one match).

A return reads, for each of a contract's journeys, its person and that person's consents and
forms. The caseload is encrypted page by page, so what a return costs is mostly the pages it
decrypts: at 50,000 people 17,700 before this revision and 12,300 after (the bench's
hand-written SQL of the same rules reads 16,000). These indexes let it read fewer:

* ``ix_people_return``: the person's columns the return reads (reference, the eligibility and
  equality fields, whether deleted or erased), so no person's row (a page each: a row holds
  the whole record) is read. The index is a small fraction of the table.
* ``ix_consents_kind_person``: consents by kind first. The return asks for the contract's
  required kinds of its people: each person's lookup lands inside the kind's own range of
  the index, so the pages read are at most that range's (931 at 50,000 people), where 0007's
  ``ix_consents_person_kind`` (kept: the record reads a person's consents) costs a page per
  person (2,321).
* ``ix_measures_instrument_forms``: forms by instrument first, then person, with every column
  the return reads. For the same reason: a contract pays on one or two instruments, so its
  people's forms come from those instruments' ranges of the index instead of a page per
  person across every instrument. 0007's ``ix_measures_person_forms`` is dropped: the return
  was its only reader, and a person's forms by instrument are still
  ``ix_measures_person_instrument_date``'s.
  It holds every form (``complete`` is a boolean: false or true), but it is partial so that
  SQLite takes it only for a statement that says ``complete IN (false, true)``, as the
  return's do. Without stored statistics SQLite would otherwise take it for any statement
  that names an instrument, and where such a statement finds forms by journey it would scan
  the instrument's whole range once per journey: the bench's hand-written SQL of the sample
  contract went from 0.5 s to 139 s at 50,000 people.
"""

from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

INDEXES = {
    "ix_people_return":
        "ON people (id, reference, date_of_birth, gender, ethnicity_nhs_code, disability, "
        "imd_decile, postcode, deleted_at, anonymised_at)",
    "ix_consents_kind_person":
        "ON consents (kind, person_id, given, recorded_on, expires_on, withdrawn_on)",
    "ix_measures_instrument_forms":
        "ON measures (instrument, person_id, completed_on, created_at, id, episode_id, "
        "timepoint, complete, value) WHERE complete IN (false, true)",
}


def upgrade() -> None:
    for name, definition in INDEXES.items():
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} {definition}")
    op.execute("DROP INDEX IF EXISTS ix_measures_person_forms")


def downgrade() -> None:
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    op.execute("CREATE INDEX IF NOT EXISTS ix_measures_person_forms ON measures (person_id, "
               "instrument, completed_on, created_at, id, episode_id, timepoint, complete, "
               "value)")
