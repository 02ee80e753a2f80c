"""Claims and returns written as schema 0004 wrote them (money as REAL), for the 0005 upgrade
tests on SQLite and on PostgreSQL. Core statements on plain tables, not the models: the models
now describe 0005's columns."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

AT = dt.datetime(2026, 11, 30, 9, 0)
# Floats a REAL column may really hold, and the pennies the app always read them back as.
AWKWARD = {
    "c-sum": (0.1 + 0.2, Decimal("0.30")),  # 0.30000000000000004
    "c-half": (1234.565, Decimal("1234.57")),  # x 100 = 123456.5: PostgreSQL rounds to even
    "c-tiny": (1.005, Decimal("1.01")),  # x 100 = 100.4999...: SQL ROUND would give 1.00
    "c-big": (39000.0, Decimal("39000.00")),
    "c-back": (-50.1, Decimal("-50.10")),  # an adjustment clawing money back
}
TOTAL = (40234.865, Decimal("40234.87"))


def _table(name: str, *columns: str, json: tuple[str, ...] = ()) -> sa.TableClause:
    return sa.table(name, *(sa.column(c) for c in columns),
                    *(sa.column(c, sa.JSON) for c in json))


def write_0004_money(conn: Connection, *, change_log: bool = True) -> None:
    """A contract, two returns (one with no total) and claims holding awkward REAL amounts,
    with the change log entries a 0004 laptop wrote for them (amounts as JSON floats; before
    0004 there is no change log)."""
    conn.execute(_table("contracts", "id", "created_at", "updated_at", "code", "name",
                        "pseudonym_key", json=("definition",)).insert().values(
        id="k1", created_at=AT, updated_at=AT, code="OLD", name="Old contract",
        pseudonym_key="00" * 32, definition={"code": "OLD"}))
    returns = _table("returns", "id", "created_at", "updated_at", "contract_id", "period",
                     "status", "total_amount")
    conn.execute(returns.insert(), [
        {"id": "r1", "created_at": AT, "updated_at": AT, "contract_id": "k1",
         "period": "2026-Q3", "status": "submitted", "total_amount": TOTAL[0]},
        {"id": "r2", "created_at": AT, "updated_at": AT, "contract_id": "k1",
         "period": "2026-Q4", "status": "draft", "total_amount": None}])
    claims = _table("claims", "id", "created_at", "updated_at", "return_id", "contract_id",
                    "outcome_id", "unit", "achieved_on", "late", "amount", "kind",
                    "adjusts_claim_id")
    conn.execute(claims.insert(), [
        {"id": key, "created_at": AT, "updated_at": AT, "return_id": "r1", "contract_id": "k1",
         "outcome_id": "ENG1", "unit": 1, "achieved_on": dt.date(2026, 8, 1), "late": False,
         "amount": stored, "kind": "adjustment" if stored < 0 else "claim",
         "adjusts_claim_id": "c-big" if stored < 0 else None}  # a link the rebuild keeps
        for key, (stored, _) in AWKWARD.items()])
    if not change_log:
        return
    log = _table("sync_changes", "change_id", "device_id", "table_name", "row_id", "op",
                 "applied", json=("data",))
    conn.execute(log.insert(), [
        {"change_id": f"0000{n}", "device_id": "old-laptop", "table_name": table,
         "row_id": row_id, "op": "insert", "applied": True, "data": {field: value, "id": row_id}}
        for n, (table, row_id, field, value) in enumerate(
            [("claims", key, "amount", stored) for key, (stored, _) in AWKWARD.items()]
            + [("returns", "r1", "total_amount", TOTAL[0])])])


def stored_pennies(conn: Connection) -> dict[str, int]:
    """What the upgraded columns hold, read as plain SQL (no model types in between)."""
    rows = conn.execute(sa.text("SELECT id, amount FROM claims UNION ALL "
                                "SELECT id, total_amount FROM returns")).all()
    return dict(rows)


def logged_amounts(conn: Connection) -> dict[str, object]:
    log = _table("sync_changes", "table_name", "row_id", json=("data",))
    return {row_id: data.get("amount", data.get("total_amount"))
            for _, row_id, data in conn.execute(
                sa.select(log.c.table_name, log.c.row_id, log.c.data)
                .where(log.c.table_name.in_(["claims", "returns"])))}


EXPECTED_PENNIES = {**{key: int(exact * 100) for key, (_, exact) in AWKWARD.items()},
                    "r1": int(TOTAL[1] * 100), "r2": None}
EXPECTED_LOG = {**{key: f"{exact:.2f}" for key, (_, exact) in AWKWARD.items()},
                "r1": f"{TOTAL[1]:.2f}"}
