"""the caseload index: a list entry per person (open flag, worker) and the search words (FTS5)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

Two local, derived structures let the caseload list and its search-as-you-type answer without
reading people's rows or joining each person's current journey (issue 15):

* ``caseload_entries``: one row per listed person (not deleted, not erased) with the list's
  sort key (family and given name, NOCASE, then the person id), the current journey's worker
  and ``open`` (no current journey, or one not exited: the default list). Its indexes cover
  the list's questions: everyone open in name order, everyone in name order, one worker's.
* ``person_search``: an FTS5 full-text index of the words a link worker types (family name,
  given and preferred names, postcode in both its spaced and compact forms, reference, NHS
  number) and the entry's own state (``list``: "open" or "exited", and the worker), its rowid
  the entry's, which follows the list's order (see ``KEY_CHARS``). It keeps its own copy of
  the words (inside the encrypted file, as the tables are), so that removing a person knows
  their words, and FTS5's ``secure-delete`` is on: the words leave the index itself at once,
  not at some later merge (a contentless table can only mark a row deleted).
  ``unicode61 remove_diacritics 2`` folds case and accents ("Zoë" is found by "zoe");
  apostrophes are taken out before indexing ("O'Neill" is the word "oneill"), hyphens split.

Both are kept exactly right by SQLite triggers on ``people`` and ``episodes``, whatever writes
them (the core, a sync merge, an import, a script), and are rebuilt here from the tables. They
are never synchronised: each replica derives its own. They live only inside the encrypted
caseload. A PostgreSQL hub has no caseload list: there this step changes nothing.

Frozen SQL, nothing imported from the models: ``linkworker.caseload_index`` reads these names.
A later migration that rebuilds ``people`` or ``episodes`` (batch mode) drops their triggers
and must create them again (``tests/caseload/test_caseload_index.py`` checks they exist).
"""

from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# Apostrophes are taken out of names before indexing (the core does the same to what is typed).
APOSTROPHES = ("'", "\u2019", "\u2018", "\u02bc")


def _fold(column: str) -> str:
    expression = f"coalesce({column}, '')"
    for mark in APOSTROPHES:
        expression = f"replace({expression}, '{mark * 2 if mark == chr(39) else mark}', '')"
    return expression


# An entry's number follows the list's order: the first five characters of the family name
# (as NOCASE compares them: ASCII folded, code points above 254 counted as 255 and the rest of
# the name then ignored) make the top 40 bits, a count within them the low 20. So a search can
# read FTS5's matches in rowid order and stop: whoever comes before a given entry's five
# characters comes before it in the list (``linkworker.caseload_index``).
KEY_CHARS, COUNT_BITS = 5, 20


def _bucket(family: str) -> str:
    """SQL: the top bits of an entry's number for family name ``family``."""
    chars = [f"min(coalesce(unicode(substr(lower({family}), {i}, 1)), 0), 255)"
             for i in range(1, KEY_CHARS + 1)]
    terms, stopped = [], []
    for i, char in enumerate(chars):
        value = f"(CASE WHEN {' OR '.join(stopped)} THEN 0 ELSE {char} END)" if stopped else char
        terms.append(f"({value} << {8 * (KEY_CHARS - 1 - i)})")
        stopped.append(f"{char} = 255")
    return "((" + " + ".join(terms) + f") << {COUNT_BITS})"


BUCKET = _bucket("NEW.family_name")
NEXT_ENTRY = (f"coalesce((SELECT max(entry) FROM caseload_entries WHERE entry >= {BUCKET} "
              f"AND entry < {BUCKET} + {1 << COUNT_BITS}), {BUCKET}) + 1")
ENTRY = (  # the entry of person NEW (none when they are deleted or erased)
    "INSERT INTO caseload_entries (entry, person_id, family_name, given_name, worker_id, open) "
    f"SELECT {NEXT_ENTRY}, NEW.id, NEW.family_name, NEW.given_name, e.worker_id, "
    "coalesce(e.stage, '') != 'exited' "
    "FROM (SELECT 1) LEFT JOIN episodes e ON e.id = NEW.current_episode_id "
    "WHERE NEW.deleted_at IS NULL AND NEW.anonymised_at IS NULL;"
)


def _words(p: str) -> str:
    """The search columns' values for person row ``p`` and entry row ``c``: the words, then the
    list's own ("open" or "exited"; the worker as "w" and their id without hyphens)."""
    return (f"{_fold(f'{p}.family_name')}, "
            f"{_fold(f'{p}.given_name')} || ' ' || {_fold(f'{p}.preferred_name')}, "
            f"coalesce({p}.postcode, '') || ' ' || replace(coalesce({p}.postcode, ''), ' ', ''), "
            f"coalesce({p}.reference, ''), coalesce({p}.nhs_number, ''), "
            "CASE WHEN c.open THEN 'open' ELSE 'exited' END || ' ' || "
            "coalesce('w' || replace(c.worker_id, '-', ''), 'unassigned')")


COLUMNS = "rowid, family, first, postcode, reference, nhs, list"
SEARCH = (f"INSERT INTO person_search ({COLUMNS}) SELECT c.entry, {_words('p')} "
          "FROM caseload_entries c JOIN people p ON p.id = c.person_id WHERE c.person_id {who};")
UNSEARCH = ("DELETE FROM person_search WHERE rowid IN "
            "(SELECT entry FROM caseload_entries WHERE person_id {who});")
WATCHED = ("family_name", "given_name", "preferred_name", "nhs_number", "postcode", "reference",
           "current_episode_id", "deleted_at", "anonymised_at")
CHANGED = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in WATCHED)
CURRENT_OF = "(SELECT id FROM people WHERE current_episode_id = {row}.id)"


def _journey(row: str, worker: str, is_open: str) -> str:
    """A journey changed: the entry (and search words) of whoever has it as current."""
    people = "IN " + CURRENT_OF.format(row=row)
    return (f"{UNSEARCH.format(who=people)} UPDATE caseload_entries SET worker_id = {worker}, "
            f"open = {is_open} WHERE person_id {people}; {SEARCH.format(who=people)}")


NEW_OPEN = "coalesce(NEW.stage, '') != 'exited'"
TRIGGERS = {
    "caseload_person_added": (
        f"AFTER INSERT ON people BEGIN {ENTRY} {SEARCH.format(who='= NEW.id')} END"),
    "caseload_person_changed": (
        f"AFTER UPDATE OF {', '.join(WATCHED)} ON people WHEN {CHANGED} BEGIN "
        f"{UNSEARCH.format(who='= OLD.id')} DELETE FROM caseload_entries WHERE person_id = OLD.id; "
        f"{ENTRY} {SEARCH.format(who='= NEW.id')} END"),
    "caseload_person_removed": (
        f"AFTER DELETE ON people BEGIN {UNSEARCH.format(who='= OLD.id')} "
        "DELETE FROM caseload_entries WHERE person_id = OLD.id; END"),
    "caseload_journey_added": (
        f"AFTER INSERT ON episodes BEGIN {_journey('NEW', 'NEW.worker_id', NEW_OPEN)} END"),
    "caseload_journey_changed": (
        "AFTER UPDATE OF stage, worker_id ON episodes WHEN OLD.stage IS NOT NEW.stage OR "
        f"OLD.worker_id IS NOT NEW.worker_id BEGIN "
        f"{_journey('NEW', 'NEW.worker_id', NEW_OPEN)} END"),
    "caseload_journey_removed": (
        f"AFTER DELETE ON episodes BEGIN {_journey('OLD', 'NULL', '1')} END"),
}

TABLE = (
    "CREATE TABLE caseload_entries ("
    "entry INTEGER PRIMARY KEY, "
    "person_id VARCHAR(36) NOT NULL UNIQUE, "
    "family_name VARCHAR(100) COLLATE NOCASE, "
    "given_name VARCHAR(100) COLLATE NOCASE, "
    "worker_id VARCHAR(36), "
    "open BOOLEAN NOT NULL)"
)
FTS = (
    "CREATE VIRTUAL TABLE person_search USING fts5("
    "family, first, postcode, reference, nhs, list, "
    "tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')"
)
INDEXES = (
    "CREATE INDEX ix_caseload_entries_open "
    "ON caseload_entries (open, family_name, given_name, person_id)",
    "CREATE INDEX ix_caseload_entries_name "
    "ON caseload_entries (family_name, given_name, person_id, open)",
    "CREATE INDEX ix_caseload_entries_worker "
    "ON caseload_entries (worker_id, open, family_name, given_name, person_id)",
)
FILL = (
    "INSERT INTO caseload_entries (entry, person_id, family_name, given_name, worker_id, open) "
    f"SELECT {_bucket('p.family_name')} + row_number() OVER (PARTITION BY "
    f"{_bucket('p.family_name')} ORDER BY p.family_name, p.given_name, p.id), "
    "p.id, p.family_name, p.given_name, e.worker_id, coalesce(e.stage, '') != 'exited' "
    "FROM people p LEFT JOIN episodes e ON e.id = p.current_episode_id "
    "WHERE p.deleted_at IS NULL AND p.anonymised_at IS NULL",
    f"INSERT INTO person_search ({COLUMNS}) SELECT c.entry, {_words('p')} "
    "FROM caseload_entries c JOIN people p ON p.id = c.person_id ORDER BY c.entry",
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # the hub lists no caseload (see the docstring)
    op.execute(TABLE)
    op.execute(FTS)
    op.execute("INSERT INTO person_search (person_search, rank) VALUES ('secure-delete', 1)")
    for statement in FILL:
        op.execute(statement)
    for statement in INDEXES:
        op.execute(statement)
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS person_search")
    op.execute("DROP TABLE IF EXISTS caseload_entries")
