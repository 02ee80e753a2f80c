"""Reviewing conflicts: the same field edited on two replicas, waiting for a person to choose.

``open_conflicts`` lists them with every competing value, who wrote it and when (the data the
review screen shows); ``resolve`` writes the chosen value as an ordinary edit whose bases are
all the competing changes, so the choice travels to every other replica and closes the conflict
there too. Each conflict is one row per field, so it is listed once however many replicas saw it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import attributes

from linkworker import audit
from linkworker.access import Actor, require_person
from linkworker.errors import NotFound, UserError
from linkworker.models import Person, SyncChange, SyncConflict, User
from linkworker.storage.database import Caseload
from linkworker.sync import dataless
from linkworker.sync.clock import Stamp
from linkworker.sync.tables import RULES, decode

# What a link worker calls each kind of record.
KIND_NAMES = {"episodes": "journey", "contacts": "contact", "goals": "goal",
              "goal_steps": "goal step", "goal_reviews": "goal review", "measures": "form",
              "notes": "note", "consents": "consent", "conditions": "condition",
              "signposts": "signpost", "unmet_needs": "unmet need", "services": "directory entry"}


@dataclass(frozen=True)
class Option:
    change_id: str
    value: Any
    who: str
    when: dt.datetime

    @property
    def when_text(self) -> str:
        return self.when.strftime("%d/%m/%Y %H:%M")


@dataclass(frozen=True)
class Conflict:
    id: str
    table: str
    row_id: str
    field: str
    person_id: str | None
    record_label: str
    options: tuple[Option, ...]

    @property
    def field_label(self) -> str:
        return self.field.replace("_", " ").capitalize()


def open_conflicts(caseload: Caseload, actor: Actor | None = None) -> list[Conflict]:
    """Every unresolved conflict (only those about people ``actor`` may see, if given)."""
    with caseload.reading() as s:
        rows = s.scalars(select(SyncConflict).where(SyncConflict.resolved_at.is_(None))
                         .order_by(SyncConflict.opened_at)).all()
        found = []
        for row in rows:
            if actor is not None and row.person_id is not None:
                try:
                    require_person(s, actor, row.person_id, need="view")
                except UserError:
                    continue
            found.append(_describe(s, row))
        return found


def _describe(s: Any, row: SyncConflict) -> Conflict:
    changes = s.scalars(select(SyncChange).where(SyncChange.change_id.in_(row.heads))).all()
    data = {c["change_id"]: c["data"] for c in dataless.fill(s.connection(), [
        {"change_id": c.change_id, "table_name": c.table_name, "row_id": c.row_id,
         "op": c.op, "data": c.data} for c in changes])}
    names = dict(s.execute(select(User.id, User.display_name)).all())
    options = tuple(
        Option(c.change_id, (data[c.change_id] or {}).get(row.field),
               names.get(c.user_id, "a script or import") if c.user_id else "a script or import",
               dt.datetime.fromtimestamp(Stamp.parse(c.change_id).seconds))
        for c in sorted(changes, key=lambda c: c.change_id)
    )
    kind = KIND_NAMES.get(row.table_name, row.table_name.replace("_", " "))
    label = kind.capitalize()
    if row.person_id:
        person = s.get(Person, row.person_id)
        who = f"{person.display_name} ({person.reference})" if person else "a person"
        label = who if row.table_name == "people" else f"{who}, {kind}"
    return Conflict(row.id, row.table_name, row.row_id, row.field, row.person_id, label, options)


def resolve(caseload: Caseload, actor: Actor, conflict_id: str, value: Any) -> None:
    """Keep ``value`` (one of the options' values, or a new one typed by the person)."""
    with caseload.transaction() as s:
        row = s.get(SyncConflict, conflict_id)
        if row is None:
            raise NotFound("That conflict is no longer there (it may have been resolved).")
        if row.resolved_at is not None:
            raise UserError("That conflict has already been resolved.")
        if row.person_id is not None:
            require_person(s, actor, row.person_id, need="edit")
        s.info["sync_user"] = actor.user_id
        rule = RULES[row.table_name]
        model = _model_for(rule.table)
        record = s.get(model, _primary_key(rule, row.row_id))
        if record is None:
            raise NotFound("The record of that conflict is no longer there.")
        setattr(record, row.field, decode(rule.table.c[row.field], value))
        attributes.flag_modified(record, row.field)  # choosing the value already shown counts
        audit.record(s, actor, "sync.resolve", entity=row.table_name, entity_id=row.row_id,
                     person_id=row.person_id, details={"field": row.field})


def _model_for(table: Any) -> type:
    from linkworker.models import Base

    for mapper in Base.registry.mappers:
        if mapper.local_table is table:
            return mapper.class_
    raise KeyError(table.name)


def _primary_key(rule: Any, row_id: str) -> Any:
    values = rule.identity_values(row_id)
    keys = [c.key for c in rule.table.primary_key.columns]
    if rule.identity != tuple(keys):
        raise UserError("This kind of record cannot be edited from the conflict review.")
    return tuple(values[k] for k in keys) if len(keys) > 1 else values[keys[0]]
