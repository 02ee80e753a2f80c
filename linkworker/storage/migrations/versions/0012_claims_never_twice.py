"""claims: one achievement is claimed once per contract, held by the database too

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

Frozen SQL, not imported from the models (they declare the same index, so a new caseload and
an upgraded one match); the same statements on SQLite and on a PostgreSQL hub.

A submitted return's claims enter the ledger (``claims``) and an achievement is never claimed
again in that contract: ``returns.build`` screens out every ``achievement_key`` a claim of the
contract holds, and at a hub the one-writer lock makes submissions take turns. This index
holds the same rule inside the database, so a fault in that logic (or a writer without the
lock) is refused rather than paid twice. It is exactly the ledger's rule
(``returns.ledger.Ledger.record``):

* only ``kind = 'claim'`` rows: adjustments (reversals included) carry no achievement key and
  may be many per claim;
* a reversal does not free the achievement: the claim row stays, so its key stays taken (a
  later return never claims it again, reversed or not), and so does the index entry;
* a claim without a key (``achievement_key`` NULL: rows written outside the returns code)
  names no achievement, blocks none and may repeat; it is left out of the index.

A caseload whose ledger already claims an achievement twice is not upgraded: ``refusal`` says
which contract and outcome, how many and the claims' references (period and line, as the
return printed them; no personal data), and ``storage.migrate`` asks it of every pending
revision before the backup and before anything changes. ``upgrade`` asks again, so a direct
``upgrade_to`` refuses too (in words, not as the index's own error).
"""

from alembic import op
from sqlalchemy import text

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

INDEXES = {
    "uq_claims_achievement_once":
        "ON claims (contract_id, achievement_key) "
        "WHERE kind = 'claim' AND achievement_key IS NOT NULL",
}

# Each claim of an achievement claimed more than once, with what a manager can look up: the
# contract's code, the outcome, and the claim as printed on its return (period and line).
DUPLICATES = """
    SELECT k.code, c.outcome_id, c.achievement_key, r.period, c.line
    FROM claims c
    JOIN (SELECT contract_id, achievement_key FROM claims
          WHERE kind = 'claim' AND achievement_key IS NOT NULL
          GROUP BY contract_id, achievement_key HAVING count(*) > 1) d
      ON d.contract_id = c.contract_id AND d.achievement_key = c.achievement_key
    JOIN contracts k ON k.id = c.contract_id
    LEFT JOIN returns r ON r.id = c.return_id
    WHERE c.kind = 'claim'
    ORDER BY k.code, c.outcome_id, c.achievement_key, r.period, c.line
"""
SHOWN = 10  # claim references listed per outcome; the count says how many there are


def refusal(conn) -> str | None:
    """Why this caseload cannot take the index (its ledger claims an achievement twice), in
    words for the manager; None when it can."""
    found: dict[tuple[str, str], dict[str, list[str]]] = {}
    for code, outcome, key, period, line in conn.execute(text(DUPLICATES)):
        where = f"{period}:{line}" if period and line else "not in a submitted return"
        found.setdefault((code, outcome), {}).setdefault(key, []).append(where)
    if not found:
        return None
    parts = []
    for (code, outcome), by_key in found.items():
        refs = [ref for claims in by_key.values() for ref in claims]
        listed = ", ".join(refs[:SHOWN]) + (f" and {len(refs) - SHOWN} more"
                                             if len(refs) > SHOWN else "")
        parts.append(f"contract {code}, outcome {outcome}: {len(by_key)} achievement(s) "
                     f"claimed more than once ({len(refs)} claims: {listed})")
    return ("This caseload's claims ledger claims the same achievement more than once, so it "
            "cannot take this update's guard against claiming twice: " + "; ".join(parts)
            + ". Nothing has been changed: the caseload is as it was, and the LinkWorker "
            "version you used before still opens it. The commissioner may have paid twice "
            "for these: check the claims listed with them, and ask your data lead to send "
            "this message to LinkWorker support, who can correct the ledger so that this "
            "version opens it (no command edits a submitted claim).")


class DuplicateClaims(Exception):
    """The caseload's ledger already holds duplicates (``storage.migrate`` words it)."""


def upgrade() -> None:
    problem = refusal(op.get_bind())
    if problem:
        raise DuplicateClaims(problem)
    for name, definition in INDEXES.items():
        op.execute(f"CREATE UNIQUE INDEX IF NOT EXISTS {name} {definition}")


def downgrade() -> None:
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
