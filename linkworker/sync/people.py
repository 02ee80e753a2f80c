"""The same person referred on two laptops: found at sync, offered for merge, undoable.

Two records are *probably one person* when they share an NHS number, or share a date of birth
and have close names (same family name and a similar first name, allowing "Jon"/"John" and a
preferred name). ``duplicates_among`` checks the people a sync just brought in against everyone
here; ``merge_people`` keeps every journey, contact, form, goal, note, consent and condition of
both under the kept record (the other's journeys renumbered after the kept one's), fills the
kept record's empty fields from the other, hides the other (``deleted_at``) and records who
merged and exactly what moved, so ``undo_merge`` can put everything back (a detail typed over
since the merge stays as typed). All of it is ordinary edits, so the merge travels to the hub
and other laptops like any other change; what it moved travels in its audit event (ids and
field names only), so it can be undone wherever it has arrived with both people, and the undo
travels back the same way.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linkworker import audit
from linkworker.access import Actor, people_scope, require, require_person
from linkworker.errors import NotFound, UserError
from linkworker.models import (
    AuditEvent,
    Claim,
    Condition,
    Consent,
    Episode,
    ExternalResult,
    Measure,
    Note,
    Person,
    PersonAccess,
    SyncState,
    utcnow,
)
from linkworker.storage.database import Caseload
from linkworker.sync.changelog import ROWS, field_heads

NAME_SIMILARITY = 0.8
# Records that belong to a person directly; everything else hangs off their journeys.
OWNED = (Episode, Note, Measure, Condition, Consent, PersonAccess, Claim, ExternalResult)
FILLABLE = ("preferred_name", "date_of_birth", "nhs_number", "address_line1", "address_line2",
            "town", "postcode", "phone", "email", "gender", "ethnicity", "ethnicity_nhs_code",
            "disability", "carer_status", "living_circumstances", "gp_practice")


@dataclass(frozen=True)
class Duplicate:
    first_id: str
    second_id: str
    reason: str  # "same NHS number" or "close name and same date of birth"
    first_label: str
    second_label: str


def _label(person: Person) -> str:
    born = person.date_of_birth.strftime("%d/%m/%Y") if person.date_of_birth else "no DOB"
    return f"{person.given_name} {person.family_name} ({person.reference}, born {born})"


def _close(a: Person, b: Person) -> bool:
    if a.family_name.strip().lower() != b.family_name.strip().lower():
        return False
    firsts_a = {n.strip().lower() for n in (a.given_name, a.preferred_name) if n}
    firsts_b = {n.strip().lower() for n in (b.given_name, b.preferred_name) if n}
    return any(difflib.SequenceMatcher(None, x, y).ratio() >= NAME_SIMILARITY
               for x in firsts_a for y in firsts_b)


def duplicates_among(session: Session, person_ids: Iterable[str]) -> list[Duplicate]:
    """Probable duplicates of the given people among everyone here (each pair once).

    Three queries per 500 people (the people, everyone sharing one of their NHS numbers,
    everyone sharing one of their dates of birth), not two per person: a new laptop's first
    replica brings hundreds at once."""
    live = (Person.deleted_at.is_(None), Person.anonymised_at.is_(None))
    found: dict[tuple[str, str], Duplicate] = {}
    ids = list(person_ids)
    for start in range(0, len(ids), 500):
        chunk = session.scalars(select(Person).where(Person.id.in_(ids[start:start + 500]),
                                                     *live)).all()
        by_number = _grouped(session, Person.nhs_number,
                             {p.nhs_number for p in chunk if p.nhs_number}, live)
        by_birth = _grouped(session, Person.date_of_birth,
                            {p.date_of_birth for p in chunk if p.date_of_birth}, live)
        for person in chunk:
            same = [(o, "same NHS number") for o in by_number.get(person.nhs_number, [])
                    if o.id != person.id] if person.nhs_number else []
            if person.date_of_birth:
                same += [(o, "close name and same date of birth")
                         for o in by_birth.get(person.date_of_birth, [])
                         if o.id != person.id and _close(person, o)]
            for other, reason in same:
                pair = tuple(sorted((person.id, other.id)))
                if pair not in found:
                    first, second = sorted((person, other), key=lambda p: p.id)
                    found[pair] = Duplicate(first.id, second.id, reason, _label(first),
                                            _label(second))
    return list(found.values())


def _grouped(session: Session, column: Any, values: set[Any], live: tuple) -> dict[Any, list]:
    """Everyone here whose ``column`` is one of ``values``, by value."""
    out: dict[Any, list] = {}
    for person in session.scalars(select(Person).where(column.in_(sorted(values)), *live)
                                  .order_by(Person.id)) if values else []:
        out.setdefault(getattr(person, column.key), []).append(person)
    return out


def all_duplicates(caseload: Caseload) -> list[Duplicate]:
    with caseload.reading() as s:
        return duplicates_among(s, s.scalars(select(Person.id)).all())


def merge_people(caseload: Caseload, actor: Actor, keep_id: str, other_id: str) -> str:
    """Merge ``other_id`` into ``keep_id``; returns the merge's id (for ``undo_merge``)."""
    require(actor, "person.edit")
    if keep_id == other_id:
        raise UserError("Choose two different people to merge.")
    with caseload.transaction() as s:
        s.info["sync_user"] = actor.user_id
        keep = require_person(s, actor, keep_id, need="edit")
        other = require_person(s, actor, other_id, need="edit")
        record = {"id": str(uuid.uuid4()), "keep": keep.id, "other": other.id,
                  "by": actor.username, "at": utcnow().isoformat(timespec="seconds"),
                  "moved": [], "renumbered": {}, "filled": [], "filled_with": {}}
        top = s.scalar(select(func.max(Episode.number)).where(Episode.person_id == keep.id)) or 0
        for model in OWNED:
            for row in s.scalars(select(model).where(model.person_id == other.id)):
                record["moved"].append([model.__tablename__, row.id])
                if isinstance(row, Episode):
                    record["renumbered"][row.id] = row.number
                    top += 1
                    row.number = top
                row.person_id = keep.id
        for field in FILLABLE:
            if getattr(keep, field) in (None, "") and getattr(other, field) not in (None, ""):
                setattr(keep, field, getattr(other, field))
                record["filled"].append(field)
                record["filled_with"][field] = _as_stored(getattr(other, field))
        other.deleted_at = utcnow()
        s.flush()
        s.add(SyncState(key=f"person_merge:{record['id']}", value=_as_stored(record)))
        audit.record(s, actor, "person.merge", entity="people", entity_id=keep.id,
                     person_id=keep.id, details=_travelling(s, record, other.reference))
        return record["id"]


def _travelling(session: Session, record: dict[str, Any], reference: str) -> dict[str, Any]:
    """The merge as its audit event carries it to the hub and every replica that gets it:
    which records moved and what was filled in, by ids and field names, never a value. What
    was filled is named by the change that filled it, so an undo anywhere can tell whether it
    is still what the merge put there (the field's head is still that change)."""
    heads = session.connection().execute(select(ROWS.c.heads).where(
        ROWS.c.table_name == "people", ROWS.c.row_id == record["keep"])).scalar() or {}
    return {"merged": reference, "merge": record["id"], "keep": record["keep"],
            "other": record["other"], "moved": record["moved"],
            "renumbered": record["renumbered"],
            "filled_by": {f: field_heads(heads, f) for f in record["filled"]}}


def find_merge(session: Session, merge_id: str) -> tuple[dict[str, Any], SyncState | None]:
    """A merge made here (its full record) or that arrived here (its audit event)."""
    stored = session.get(SyncState, f"person_merge:{merge_id}")
    if stored is not None:
        return dict(stored.value), stored
    for details in session.scalars(select(AuditEvent.details).where(
            AuditEvent.action == "person.merge", AuditEvent.entity == "people")):
        if isinstance(details, dict) and details.get("merge") == merge_id \
                and "moved" in details:
            return dict(details), None
    raise NotFound("There is no such merge here to undo.")


def _undone_already(session: Session, merge_id: str, record: dict[str, Any],
                    other: Person) -> bool:
    if record.get("undone") or other.deleted_at is None:
        return True
    return any(isinstance(d, dict) and d.get("merge") == merge_id
               for d in session.scalars(select(AuditEvent.details).where(
                   AuditEvent.action == "person.unmerge")))


def _still_as_filled(session: Session, record: dict[str, Any], keep: Person) -> list[str]:
    """The details the merge filled in that nobody has changed since."""
    filled_with = record.get("filled_with")  # the merging replica's own record
    if filled_with is not None:
        return [f for f in record["filled"] if _as_stored(getattr(keep, f)) == filled_with[f]]
    filled_by = record.get("filled_by")  # an arrived merge: is the field's head still its?
    if filled_by is None:
        return list(record.get("filled", []))  # a merge recorded before either was kept
    heads = session.connection().execute(select(ROWS.c.heads).where(
        ROWS.c.table_name == "people", ROWS.c.row_id == keep.id)).scalar() or {}
    return [f for f, by in filled_by.items() if field_heads(heads, f) == by]


def _as_stored(value: object) -> object:
    """``value`` as the merge record holds it (JSON; dates as ISO text)."""
    return json.loads(json.dumps(value, default=str))


def undo_merge(caseload: Caseload, actor: Actor, merge_id: str) -> None:
    """Put back everything a merge moved, emptied or hid: on the replica that made it, or
    wherever it has arrived with both people (the hub, a manager's full replica, a laptop
    that received it by pack). The undo is ordinary edits, so it travels like the merge did,
    and two replicas undoing the same merge write the same values (no conflict)."""
    require(actor, "person.edit")
    with caseload.transaction() as s:
        s.info["sync_user"] = actor.user_id
        record, stored = find_merge(s, merge_id)
        keep = require_person(s, actor, record["keep"], need="edit")
        other = s.get(Person, record["other"])
        if other is None:
            raise UserError(
                f"{record.get('merged', 'The other record')} is not on this laptop: it left "
                "this caseload when the merge gave everything of theirs to the kept record. "
                "Undo the merge at the hub or on a manager's replica; it then comes back here "
                "at the next sync.")
        if _undone_already(s, merge_id, record, other):
            raise NotFound("That merge has already been undone.")
        models_by_table = {m.__tablename__: m for m in OWNED}
        for table, row_id in record["moved"]:
            row = s.get(models_by_table[table], row_id)
            if row is not None and row.person_id == keep.id:
                row.person_id = other.id
                if table == "episodes":
                    row.number = record["renumbered"][row_id]
        for field in _still_as_filled(s, record, keep):
            setattr(keep, field, None)  # the rest were typed over since the merge: they stay
        other.deleted_at = None
        if stored is not None:
            record["undone"] = {"by": actor.username,
                                "at": dt.datetime.now().isoformat(timespec="seconds")}
            stored.value = record
        audit.record(s, actor, "person.unmerge", entity="people", entity_id=keep.id,
                     person_id=keep.id, details={"merge": merge_id})


# --- the list of merges ---------------------------------------------------------------------


@dataclass(frozen=True)
class MergeEntry:
    """One merge as ``linkworker sync merges`` lists it: references only, never names."""

    merge_id: str
    at: dt.datetime  # UTC, as the audit event holds it
    by: str
    kept: str  # the kept person's LinkWorker reference
    merged: str  # the merged (hidden) person's reference
    undone_at: dt.datetime | None = None
    undone_by: str | None = None

    @property
    def when_text(self) -> str:
        return _local_text(self.at)

    @property
    def undone_when_text(self) -> str:
        return "" if self.undone_at is None else _local_text(self.undone_at)

    @property
    def undone_text(self) -> str:
        if self.undone_at is None:
            return "no"
        return f"yes, {_local_text(self.undone_at)} by {self.undone_by}"


def _local_text(at: dt.datetime) -> str:
    """dd/mm/yyyy HH:MM in this computer's time zone (audit times are stored in UTC)."""
    return at.replace(tzinfo=dt.UTC).astimezone().strftime("%d/%m/%Y %H:%M")


def list_merges(caseload: Caseload, actor: Actor) -> list[MergeEntry]:
    """Every merge recorded here (made here or arrived by sync), oldest first, that ``actor``
    may see: one of its two people is in their scope (a link worker sees the merges of their
    own caseload; managers and admins all of them). The merge's id is the one ``undo-merge``
    takes; erased people's merges (their events keep no ids) are not listed."""
    with caseload.reading() as s:
        merges = _merges_seen(s, actor)
        undone = {e.details["merge"]: e for e in _events(s, "person.unmerge")}
        ids = {e.details.get(k) for e in merges for k in ("keep", "other")} - {None}
        references = dict(s.execute(select(Person.id, Person.reference)
                                    .where(Person.id.in_(sorted(ids)))).all())
    found = []
    for event in merges:
        keep, other = event.details.get("keep"), event.details.get("other")
        undo = undone.get(event.details["merge"])
        found.append(MergeEntry(
            event.details["merge"], event.at, event.username or "unknown",
            references.get(keep, "(not here)"),
            references.get(other) or event.details.get("merged") or "(not here)",
            undo.at if undo is not None else None,
            (undo.username or "unknown") if undo is not None else None))
    return found


def count_merges(caseload: Caseload, actor: Actor) -> int:
    """How many merges ``list_merges`` lists, for the window's status bar: the merge events
    and one scope query (no undo events, no references)."""
    with caseload.reading() as s:
        return len(_merges_seen(s, actor))


def _events(session: Session, action: str) -> list[Any]:
    """The audit events of one merge action that name their merge, oldest first (the action
    is indexed: a caseload's whole trail is never read)."""
    events = session.execute(select(AuditEvent.at, AuditEvent.username, AuditEvent.details)
                             .where(AuditEvent.action == action)
                             .order_by(AuditEvent.seq)).all()
    return [e for e in events if isinstance(e.details, dict) and e.details.get("merge")]


def _merges_seen(session: Session, actor: Actor) -> list[Any]:
    """The merge events one of whose two people ``actor`` may see."""
    merges = _events(session, "person.merge")
    ids = {e.details.get(k) for e in merges for k in ("keep", "other")} - {None}
    seen = set(session.scalars(select(Person.id).where(Person.id.in_(sorted(ids)),
                                                       people_scope(actor, "view"))))
    return [e for e in merges if {e.details.get("keep"), e.details.get("other")} & seen]
