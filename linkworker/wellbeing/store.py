"""Where wellbeing settings and organisation instruments live in the caseload.

Settings (licensed wording, admin-set change thresholds) are rows of the ``settings`` table,
keyed ``wording.<CODE>`` and ``wellbeing.<CODE>.threshold`` / ``...reliable_threshold``.
An organisation's own instruments are rows of the ``instruments`` table. Every function takes
the caller's session so it joins the caller's transaction.
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linkworker.models import InstrumentDefinition, Setting
from linkworker.storage.database import Caseload, unit_of_work
from linkworker.wellbeing import instruments
from linkworker.wellbeing.instruments import Instrument, InstrumentFileError


def get_setting(session: Session, key: str, default: Any = None) -> Any:
    row = session.get(Setting, key)
    return default if row is None else row.value


def put_setting(session: Session, key: str, value: Any) -> None:
    row = session.get(Setting, key)
    if value is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value


def threshold_keys(code: str) -> tuple[str, str]:
    return (f"wellbeing.{code}.threshold", f"wellbeing.{code}.reliable_threshold")


def usable_threshold(instrument: Instrument, value: Any) -> float | None:
    """``value`` as a threshold for ``instrument``, or None if it cannot be one.

    A stored override can go stale (an organisation's instrument replaced by one with a smaller
    range) or be damaged; reading then falls back to the file's value rather than failing.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    low, high = instrument.value_range
    return number if math.isfinite(number) and 0 < number <= high - low else None


def change_thresholds(session: Session, instrument: Instrument) -> tuple[float, float | None]:
    """The meaningful and reliable change thresholds in force (admin setting, else the file's;
    set them with ``linkworker.wellbeing.thresholds``)."""
    key, reliable_key = threshold_keys(instrument.code)
    meaningful = usable_threshold(instrument, get_setting(session, key))
    reliable = usable_threshold(instrument, get_setting(session, reliable_key))
    return (
        instrument.meaningful_change if meaningful is None else meaningful,
        instrument.reliable_change if reliable is None else reliable,
    )


def stored_definitions(session: Session) -> list[InstrumentDefinition]:
    return list(session.execute(select(InstrumentDefinition).order_by(InstrumentDefinition.code))
                .scalars())


def instrument_for(session: Session, code: str | Instrument) -> Instrument:
    """An instrument by code: built-in, or the organisation's own from this caseload."""
    if isinstance(code, Instrument):
        return code
    key = str(code).strip().upper()
    if key in instruments.builtin_instruments():
        return instruments.builtin_instruments()[key]
    row = session.execute(
        select(InstrumentDefinition).where(InstrumentDefinition.code == key)
    ).scalar_one_or_none()
    if row is None:
        return instruments.get_instrument(key)  # registered in-process, or a clear NotFound
    return instruments.parse_definition(row.definition, source=f"instrument {key}")


def register_stored_instruments(target: Caseload | Session) -> list[str]:
    """Make the caseload's own instruments scorable by code (``score("MYSTAR", ...)``).

    Call once after opening a caseload. Returns problems for any stored definition that no
    longer validates (it is skipped rather than stopping the app from opening).
    """
    problems = []
    with unit_of_work(target, write=False) as session:
        for row in stored_definitions(session):
            try:
                instruments.register(
                    instruments.parse_definition(row.definition, source=f"instrument {row.code}")
                )
            except InstrumentFileError as exc:
                problems.append(str(exc))
    return problems


def all_instruments(session: Session) -> tuple[Instrument, ...]:
    """Built-ins, then this caseload's own instruments (skipping any that no longer validate)."""
    found = list(instruments.builtin_instruments().values())
    for row in stored_definitions(session):
        try:
            found.append(instruments.parse_definition(row.definition, source=row.code))
        except InstrumentFileError:
            continue
    return tuple(found)
