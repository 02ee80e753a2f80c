"""money in whole pennies: claims.amount and returns.total_amount as BIGINT pence

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

Until now the claims ledger kept money as REAL (a binary float), read back to the penny by
rounding. From here a claim's amount and a return's total are whole pennies in a 64-bit integer
(``linkworker.storage.pence.Pence`` turns them into ``Decimal`` pounds), so storage is exact.
The column names stay ``amount`` and ``total_amount``: they are also the field names in the sync
change log and in every pack already written, and one name in every layer keeps them agreeing.

Each stored float becomes pennies the way the app has always read it back: the float's shortest
text (``repr``) as a decimal, rounded half up to the penny (1234.565 -> 123457p). This is done
in Python, not SQL: SQL ``ROUND(amount * 100)`` rounds the binary double (1.005 * 100 is
100.4999..., so 100p where the app showed 1.01), and PostgreSQL rounds a double's halves to
even (1234.565 * 100 = 123456.5 -> 123456p). The change log's copies of these fields are
rewritten the same way, as decimal text ("1234.57"), so a pack never carries a float amount.

Runs on SQLite/SQLCipher and on PostgreSQL (the hub): a new column is added, filled, the old one
dropped and the new one renamed. ``claims.amount`` is NOT NULL, which SQLite can only add by
rebuilding the table (batch mode); only claims' own adjustments point at ``claims``, and those
links are set aside during the rebuild and put back after it. ``returns`` is referenced by claims, so it is never rebuilt: its
nullable column is swapped with plain ALTER TABLE statements (SQLite 3.35+ and PostgreSQL).
Frozen: the tables are named here, nothing is imported from the models.
"""

from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

PENNY = Decimal("0.01")
# (table, column, NOT NULL?)
MONEY = (("claims", "amount", True), ("returns", "total_amount", False))


def to_pence(value):
    """A stored float (or legacy text) as whole pennies, as the app read it: repr, half up."""
    if value is None:
        return None
    text = repr(value) if isinstance(value, float) else str(value)
    return int(Decimal(text).quantize(PENNY, rounding=ROUND_HALF_UP) * 100)


def pence_text(pence):
    return None if pence is None else f"{Decimal(pence).scaleb(-2):.2f}"


def to_pounds_float(value):
    """Downgrade: pennies (or decimal text in the change log) back to a float of pounds."""
    if value is None:
        return None
    if isinstance(value, str):
        return float(Decimal(value))
    return float(Decimal(value).scaleb(-2))


def _copy(table, source, target, convert):
    """Fill ``target`` from ``source`` row by row through ``convert`` (in Python)."""
    bind = op.get_bind()
    t = sa.table(table, sa.column("id", sa.String), sa.column(source), sa.column(target))
    rows = bind.execute(sa.select(t.c.id, t.c[source])).all()
    if rows:
        bind.execute(t.update().where(t.c.id == sa.bindparam("row_id"))
                     .values({target: sa.bindparam("value")}),
                     [{"row_id": i, "value": convert(v)} for i, v in rows])


def _swap(table, old, new, not_null):
    """Drop ``old`` and give ``new`` its name (and NOT NULL where the old one had it)."""
    if not_null:
        links = _unlink_adjustments(table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column(old)
            batch.alter_column(new, new_column_name=old, nullable=False)
        _relink_adjustments(table, links)
    else:
        op.execute(f"ALTER TABLE {table} DROP COLUMN {old}")
        op.execute(f"ALTER TABLE {table} RENAME COLUMN {new} TO {old}")


def _adjusts(table):
    return sa.table(table, sa.column("id", sa.String), sa.column("adjusts_claim_id", sa.String))


def _unlink_adjustments(table):
    """SQLite rebuilds the table by dropping the old one, which first deletes its rows with
    foreign keys checked: an adjustment pointing at the claim it adjusts would stop it (even
    with the check deferred). The links are set aside and put back after the rebuild."""
    claims = _adjusts(table)
    bind = op.get_bind()
    links = [{"row_id": i, "target": t} for i, t in bind.execute(
        sa.select(claims.c.id, claims.c.adjusts_claim_id)
        .where(claims.c.adjusts_claim_id.is_not(None)))]
    if links:
        bind.execute(claims.update().where(claims.c.adjusts_claim_id.is_not(None))
                     .values(adjusts_claim_id=None))
    return links


def _relink_adjustments(table, links):
    if links:
        claims = _adjusts(table)
        op.get_bind().execute(claims.update().where(claims.c.id == sa.bindparam("row_id"))
                              .values(adjusts_claim_id=sa.bindparam("target")), links)


def _rewrite_change_log(convert):
    """The change log's copies of the money fields, converted in place."""
    bind = op.get_bind()
    log = sa.table("sync_changes", sa.column("change_id", sa.String),
                   sa.column("table_name", sa.String), sa.column("data", sa.JSON))
    fields = {table: column for table, column, _ in MONEY}
    rows = bind.execute(sa.select(log.c.change_id, log.c.table_name, log.c.data).where(
        log.c.table_name.in_(list(fields)), log.c.data.is_not(None))).all()
    updates = []
    for change_id, table, data in rows:
        field = fields[table]
        if isinstance(data, dict) and data.get(field) is not None:
            updates.append({"cid": change_id, "data": {**data, field: convert(data[field])}})
    if updates:
        bind.execute(log.update().where(log.c.change_id == sa.bindparam("cid"))
                     .values(data=sa.bindparam("data")), updates)


def upgrade() -> None:
    for table, column, not_null in MONEY:
        op.add_column(table, sa.Column(f"{column}_pence", sa.BigInteger(), nullable=True))
        _copy(table, column, f"{column}_pence", to_pence)
        _swap(table, column, f"{column}_pence", not_null)
    _rewrite_change_log(lambda value: pence_text(to_pence(value)))


def downgrade() -> None:
    for table, column, not_null in MONEY:
        op.add_column(table, sa.Column(f"{column}_float", sa.Float(), nullable=True))
        _copy(table, column, f"{column}_float", to_pounds_float)
        _swap(table, column, f"{column}_float", not_null)
    _rewrite_change_log(to_pounds_float)
