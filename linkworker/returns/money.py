"""Money in returns: ``Decimal`` pounds and pence from the contract's prices to the exports.

Floats cannot hold 0.10 exactly, so a return summed in floats can be a penny out after a few
thousand claims. Every price, cap, claim and total is a ``Decimal`` rounded to the penny (half
up, as a person would round). Contract files and stored snapshots are JSON: a number in a
contract becomes the decimal it was written as (``Decimal(repr(float))``), and a submitted
return's snapshot holds money as text ("400.00", ``returns.document``) so it reads back to
exactly the same pence.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Any) -> Decimal:
    """``value`` (Decimal, int, float or text such as "12.50") as pounds to the penny."""
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, int | str) and not isinstance(value, bool):
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise ValueError(f"{value!r} is not an amount of money") from None
    else:
        raise ValueError(f"{value!r} is not an amount of money")
    if not number.is_finite():
        raise ValueError(f"{value!r} is not an amount of money")
    return number.quantize(PENNY, rounding=ROUND_HALF_UP)


def optional_money(value: Any) -> Decimal | None:
    return None if value is None else money(value)
