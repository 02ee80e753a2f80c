"""Money at rest: whole pennies in an integer column, ``Decimal`` pounds in Python.

Neither SQLite nor a float can hold 0.10 exactly; an integer count of pennies can, on SQLite and
PostgreSQL alike. ``Pence`` is the column type of every stored amount (``claims.amount``,
``returns.total_amount``; migration 0005): the rest of the code reads and writes ``Decimal``
pounds with two places and never sees the pennies. A float is refused on the way in (a
``TypeError`` names it), so one can never slip back into the ledger, and so is a fraction of a
penny: money is rounded where it is worked out (``linkworker.returns.money``), not silently here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, event
from sqlalchemy.types import TypeDecorator


def to_pence(amount: Decimal | int) -> int:
    """``amount`` pounds as whole pennies; refuses floats, non-numbers and fractions of a penny."""
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise TypeError(f"money is stored from a Decimal (or whole pounds as int), not "
                        f"{type(amount).__name__} {amount!r}")
    if isinstance(amount, int):
        return amount * 100
    if not amount.is_finite():
        raise ValueError(f"{amount!r} is not an amount of money")
    pence = amount.scaleb(2)
    if pence != pence.to_integral_value():
        raise ValueError(f"{amount} has a fraction of a penny; round it to the penny first")
    return int(pence)


def from_pence(pence: int | Decimal) -> Decimal:
    """Whole pennies as ``Decimal`` pounds with two places (12345 -> Decimal("123.45"))."""
    return Decimal(int(pence)).scaleb(-2)


class Pence(TypeDecorator[Decimal]):
    """An amount of money stored as a 64-bit count of pennies (up to 92 million million pounds:
    a 32-bit INTEGER on PostgreSQL would stop at 21 million, below a large contract's cap)."""

    impl = BigInteger
    cache_ok = True

    @property
    def python_type(self) -> type:
        return Decimal

    def process_bind_param(self, value: Any, dialect: Any) -> int | None:
        return None if value is None else to_pence(value)

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        # SUM() of a BIGINT is NUMERIC on PostgreSQL (a whole Decimal), an int on SQLite.
        return None if value is None else from_pence(value)


def refuse_floats(*attributes: Any) -> None:
    """Check amounts as they are set on a record, so a float fails at the line that assigned it
    with a plain ``TypeError`` (a Core insert still meets the same check in ``Pence``)."""
    for attribute in attributes:
        event.listen(attribute, "set", _checked, retval=True)


def _checked(_target: Any, value: Any, _old: Any, _initiator: Any) -> Any:
    if value is not None:
        to_pence(value)
    return value
