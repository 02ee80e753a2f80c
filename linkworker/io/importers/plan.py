"""Planning (match every row, work out what changes) and applying the plan."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.orm import Session

from linkworker.io.importers.base import (
    BATCH,
    FieldChange,
    Importer,
    Plan,
    Progress,
    RowChange,
    RowProblem,
    rows_where,
)
from linkworker.io.importers.contacts import ContactsImporter
from linkworker.io.importers.episodes import EpisodesImporter
from linkworker.io.importers.goals import GoalsImporter
from linkworker.io.importers.measures import MeasuresImporter
from linkworker.io.importers.people import PeopleImporter
from linkworker.io.importers.services import ServicesImporter
from linkworker.io.importers.signposts import SignpostsImporter
from linkworker.io.validate import Problem, Record, show
from linkworker.models import new_id, utcnow

IMPORTERS: dict[str, type[Importer]] = {
    cls.kind: cls for cls in (PeopleImporter, EpisodesImporter, ContactsImporter,
                              GoalsImporter, SignpostsImporter, MeasuresImporter,
                              ServicesImporter)
}

# --- planning ---------------------------------------------------------------------------------


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, dt.datetime) and isinstance(new, dt.date):
        old = old.date()
    if isinstance(old, float) or isinstance(new, float):
        return old is not None and new is not None and abs(float(old) - float(new)) < 1e-9
    return old == new


def build_plan(session: Session, kind: str, records: Sequence[Record],
               today: dt.date) -> Plan:
    """Match every checked row and work out what it would add or change. Writes nothing."""
    importer = IMPORTERS[kind](session, today)
    importer.prepare(records)
    plan = Plan(kind)
    resolved: list[tuple[Record, dict[str, Any]]] = []
    for record in records:
        try:
            resolved.append((record, importer.columns(record.values)))
        except RowProblem as exc:
            plan.problems.append(_problem(record, exc))
    table = importer.table
    by_id = {r["id"]: r for r in rows_where(session, table, table.c.id,
                                              [c.get("id") for _, c in resolved])}
    by_ref: dict[str, list[dict]] = defaultdict(list)
    for row in rows_where(session, table, table.c.external_ref,
                           [c.get("external_ref") for _, c in resolved]):
        by_ref[row["external_ref"]].append(row)
    natural: dict[tuple, list[dict]] = defaultdict(list)
    for row in importer.natural_candidates([c for _, c in resolved]):
        row = by_id.setdefault(row["id"], row)
        for key in importer.keys_of_existing(row):
            natural[key].append(row)
    for rows in by_ref.values():
        rows[:] = [by_id.setdefault(r["id"], r) for r in rows]
    importer.complete_rows(list(by_id.values()))
    importer.natural = natural
    claimed: dict[str, int] = {}
    new_refs: dict[str, int] = {}
    for record, cols in resolved:
        try:
            existing = _match(record, cols, importer, by_id, by_ref, natural, claimed)
            if existing is None:
                cols.setdefault("id", new_id())
                if cols["id"] in claimed:
                    raise RowProblem("id", f"row {claimed[cols['id']]} is the same record.")
                ref = cols.get("external_ref")
                if ref and ref in new_refs:
                    raise RowProblem("external_ref", f"row {new_refs[ref]} is the same record.")
                if ref:
                    new_refs[ref] = record.row
                cols.update(importer.defaults(cols))
                claimed[cols["id"]] = record.row
                plan.targets[record.row] = cols["id"]
                change = RowChange(record.row, cols["id"], importer.key_of(record, cols))
                plan.creates.append((change, cols))
                continue
            claimed[existing["id"]] = record.row
            changes = {k: v for k, v in cols.items()
                       if k != "id" and k in existing and not _same(existing[k], v)}
            if not changes:
                plan.unchanged += 1
                plan.targets[record.row] = existing["id"]
                continue
            importer.check_update(existing, changes)
            plan.targets[record.row] = existing["id"]
            shown = tuple(FieldChange(importer.shown_names.get(k, k), existing[k], v)
                          for k, v in changes.items() if k != "ethnicity_nhs_code")
            change = RowChange(record.row, existing["id"], importer.key_of(record, existing),
                               shown)
            plan.updates.append((change, changes))
        except RowProblem as exc:
            plan.problems.append(_problem(record, exc))
    return plan


def _match(record: Record, cols: dict[str, Any], importer: Importer, by_id: dict[str, dict],
           by_ref: dict[str, list[dict]], natural: dict[tuple, list[dict]],
           claimed: dict[str, int]) -> dict | None:
    found = by_id.get(cols["id"]) if cols.get("id") else None
    ref = cols.get("external_ref")
    if ref and by_ref.get(ref):
        rows = [r for r in by_ref[ref] if r["id"] not in claimed]
        if found is None and len(by_ref[ref]) > 1:
            raise RowProblem("external_ref", f"'{ref}' is on more than one record already.")
        if found is not None and found["id"] not in {r["id"] for r in by_ref[ref]}:
            raise RowProblem("external_ref", f"'{ref}' belongs to another record than the id.")
        found = found or (rows[0] if rows else by_ref[ref][0])
    if found is None and not cols.get("id"):
        key = importer.natural_key(cols)
        for row in natural.get(key, []) if key else []:
            if row["id"] not in claimed and (ref is None or row.get("external_ref") in (None, ref)):
                return row
    if found is not None and found["id"] in claimed:
        raise RowProblem("external_ref" if ref else "id",
                         f"row {claimed[found['id']]} is the same record.")
    return found


def _problem(record: Record, exc: RowProblem) -> Problem:
    column = record.columns.get(exc.field, "")
    value = record.values.get(exc.field)
    return Problem(record.row, column, show(value) if value is not None else "", exc.reason)


# --- applying ---------------------------------------------------------------------------------


def _column_defaults(table: Table) -> dict[str, Any]:
    defaults: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        defaults[column.name] = default.arg if default is not None and default.is_scalar else None
    return defaults


def apply_plan(session: Session, plan: Plan, today: dt.date,
               progress: Progress | None = None) -> None:
    """Write the plan inside the caller's transaction (bulk inserts, then updates)."""
    importer = IMPORTERS[plan.kind](session, today)
    table = importer.table
    now = utcnow()
    base = _column_defaults(table) | {"created_at": now, "updated_at": now}
    total = len(plan.creates) + len(plan.updates)
    done = 0
    created: list[dict[str, Any]] = []
    for start in range(0, len(plan.creates), BATCH):
        batch = [cols for _, cols in plan.creates[start:start + BATCH]]
        session.execute(insert(table), [base | {k: v for k, v in c.items() if k in base}
                                        for c in batch])
        created += batch
        done += len(batch)
        if progress:
            progress(done, total, "Writing")
    updated: list[tuple[str, dict]] = []
    for change, values in plan.updates:
        stored = {k: v for k, v in values.items() if k in base}
        if stored:
            session.execute(update(table).where(table.c.id == change.target_id)
                            .values(**stored, updated_at=now))
        updated.append((change.target_id, values))
        done += 1
        if progress and done % BATCH == 0:
            progress(done, total, "Writing")
    importer.after(created, updated)
    if progress:
        progress(total, total, "Written")


def count_rows(session: Session, kind: str) -> int:
    model = IMPORTERS[kind].model
    return session.execute(select(func.count()).select_from(model)).scalar_one()
