"""An organisation's own instruments, added by an admin from a file, without code.

A licensed "star" tool or a local questionnaire is described in the same JSON format as the
built-ins (``resources/instruments/README.md``), validated with every problem named, and stored
in the caseload's ``instruments`` table so it travels with the caseload's data. Replacing a
definition is allowed only while it keeps the shape of forms already recorded with it (same
number of items and answer range), so a stored form can never be re-read against the wrong
questions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linkworker import audit
from linkworker.access import Actor, require
from linkworker.errors import UserError
from linkworker.models import InstrumentDefinition, Measure
from linkworker.storage.database import Caseload, unit_of_work
from linkworker.wellbeing import instruments
from linkworker.wellbeing.instruments import Instrument, load_definition_file, parse_definition
from linkworker.wellbeing.store import instrument_for, stored_definitions


@dataclass(frozen=True)
class InstrumentSummary:
    code: str
    name: str
    items: int
    answers: str
    scoring: str
    builtin: bool
    forms_recorded: int


def check_instrument_file(path: Path) -> Instrument:
    """Validate a definition file without storing it (``linkworker instrument check``)."""
    instrument, _ = load_definition_file(path)
    if instrument.code in instruments.builtin_instruments():
        raise UserError(f"{path}: code {instrument.code} is a built-in instrument; choose another.")
    return instrument


def _forms_recorded(session: Session, code: str) -> int:
    return session.execute(
        select(func.count()).select_from(Measure).where(Measure.instrument == code)
    ).scalar_one()


def add_instrument(
    target: Caseload | Session,
    actor: Actor,
    definition: Path | Mapping[str, Any],
    *,
    replace: bool = False,
) -> Instrument:
    """Validate and store an organisation's instrument (admin only, audited)."""
    require(actor, "instrument.add")
    if isinstance(definition, Mapping):
        data = dict(definition)
        instrument = parse_definition(data, source="the definition")
    else:
        instrument, data = load_definition_file(Path(definition))
    if instrument.code in instruments.builtin_instruments():
        raise UserError(f"{instrument.code} is a built-in instrument; choose another code.")
    with unit_of_work(target) as session:
        row = session.execute(
            select(InstrumentDefinition).where(InstrumentDefinition.code == instrument.code)
        ).scalar_one_or_none()
        if row is not None and not replace:
            raise UserError(
                f"An instrument with code {instrument.code} already exists. "
                "Use replace (--replace) to update its definition."
            )
        if row is not None:
            _check_replacement(session, instrument_for(session, instrument.code), instrument)
            row.definition = data
        else:
            session.add(InstrumentDefinition(code=instrument.code, definition=data))
        audit.record(session, actor, "instrument.add", entity="instrument",
                     details={"instrument": instrument.code, "replaced": row is not None})
    instruments.register(instrument)
    return instrument


def _check_replacement(session: Session, old: Instrument, new: Instrument) -> None:
    used = _forms_recorded(session, old.code)
    if not used:
        return
    same_shape = (old.item_count, old.answer_min, old.answer_max) == (
        new.item_count, new.answer_min, new.answer_max)
    if not same_shape:
        raise UserError(
            f"{used} form(s) are recorded with {old.code}; the new definition must keep "
            f"{old.item_count} items answered {old.answer_min} to {old.answer_max}. "
            "Add it under a new code instead."
        )


def instrument_summaries(target: Caseload | Session) -> tuple[InstrumentSummary, ...]:
    """Every instrument this caseload knows, for the admin's list."""
    with unit_of_work(target, write=False) as session:
        found = list(instruments.builtin_instruments().values())
        for row in stored_definitions(session):
            found.append(parse_definition(row.definition, source=row.code))
        return tuple(
            InstrumentSummary(
                code=i.code, name=i.name, items=i.item_count,
                answers=f"{i.answer_min} to {i.answer_max}", scoring=i.scoring,
                builtin=i.builtin, forms_recorded=_forms_recorded(session, i.code),
            )
            for i in found
        )
