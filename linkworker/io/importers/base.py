"""What every kind of import shares: the plan, bulk look-ups, finding people and journeys.

Each kind (``people``, ``episodes``...) is one module with one ``Importer`` subclass saying how
a checked row becomes column values and how it is matched; ``plan`` matches and applies.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, or_, select
from sqlalchemy.orm import Session

from linkworker.io.validate import Problem, Record, show
from linkworker.models import Episode, Person, User
from linkworker.rules import Broken

BATCH = 1000
CHUNK = 500  # values per IN (...) query; SQLite allows 999 parameters by default

Progress = Callable[[int, int, str], None]


class RowProblem(Exception):
    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field_name
        self.reason = reason


def obey(broken: Iterable[Broken]) -> None:
    """A broken domain rule (the same ones the screens enforce) is a problem on the row."""
    for rule in broken:
        raise RowProblem(rule.field, rule.message)


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any

    def __str__(self) -> str:
        return f"{self.field} {_shown(self.old)} -> {_shown(self.new)}"


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "(blank)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value) or "(blank)"
    return repr(show(value)) if isinstance(value, str) else show(value)


@dataclass(frozen=True)
class RowChange:
    row: int
    target_id: str
    key: str  # what the user will recognise the record by (their reference, or LW-...)
    changes: tuple[FieldChange, ...] = ()

    def describe(self) -> str:
        what = "; ".join(str(c) for c in self.changes)
        return f"row {self.row} ({self.key}): {what}"


@dataclass
class Plan:
    """What an import will do, shown before anything is written."""

    kind: str
    creates: list[tuple[RowChange, dict[str, Any]]] = field(default_factory=list)
    updates: list[tuple[RowChange, dict[str, Any]]] = field(default_factory=list)
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    targets: dict[int, str] = field(default_factory=dict)  # row -> the record it makes or is

    @property
    def counts(self) -> dict[str, int]:
        return {"new": len(self.creates), "updated": len(self.updates),
                "unchanged": self.unchanged}

    def headline(self) -> str:
        updates = len(self.updates)
        return (f"{len(self.creates)} new, {updates} update{'s' if updates != 1 else ''}, "
                f"{self.unchanged} unchanged")

    def describe(self, limit: int = 50) -> list[str]:
        lines = [self.headline()]
        lines += [change.describe() for change, _ in self.updates[:limit]]
        if len(self.updates) > limit:
            lines.append(f"... and {len(self.updates) - limit} more updates")
        return lines


# --- lookups ----------------------------------------------------------------------------------


def chunks(values: Iterable[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    items = list(values)
    for start in range(0, len(items), size):
        yield items[start:start + size]


def rows_where(session: Session, table: Table, column, values: Iterable[Any]) -> list[dict]:
    found: list[dict] = []
    for chunk in chunks({v for v in values if v is not None}):
        found += [dict(r._mapping) for r in session.execute(
            select(table).where(column.in_(chunk)))]
    return found


class PeopleFinder:
    """Resolves the "person" cell of any row: id, LW reference, their reference or NHS number."""

    def __init__(self, session: Session, values: Iterable[str]) -> None:
        wanted = {v.strip() for v in values if v}
        self.found: dict[str, set[str]] = defaultdict(set)
        t = Person.__table__
        live = t.c.deleted_at.is_(None)
        upper = {v.upper() for v in wanted}
        digits = {v.replace(" ", "").replace("-", "") for v in wanted}
        for chunk in chunks(wanted | upper | digits):
            query = select(t.c.id, t.c.reference, t.c.external_ref, t.c.nhs_number).where(
                live, or_(t.c.id.in_(chunk), t.c.reference.in_(chunk),
                          t.c.external_ref.in_(chunk), t.c.nhs_number.in_(chunk)))
            for pid, reference, external, nhs in session.execute(query):
                for key in (pid, reference, external, nhs):
                    if key:
                        self.found[key.casefold()].add(pid)

    def find(self, value: str) -> str:
        for key in (value.strip(), value.replace(" ", "").replace("-", "")):
            ids = self.found.get(key.casefold())
            if ids and len(ids) == 1:
                return next(iter(ids))
            if ids:
                raise RowProblem("person", f"'{value}' matches more than one person; use their "
                                           "LinkWorker reference (LW-...) instead.")
        raise RowProblem("person", f"there is no person '{value}' in this caseload (import the "
                                   "people first, or check the reference).")


class EpisodeFinder:
    """Resolves a row's journey: its id or reference, else the person's journey by number,
    else the person's latest journey."""

    def __init__(self, session: Session, records: Sequence[Record]) -> None:
        self.people = PeopleFinder(session, [r.values.get("person") for r in records])
        t = Episode.__table__
        refs = {r.values.get("episode") for r in records} - {None}
        rows = rows_where(session, t, t.c.id, refs) + rows_where(session, t, t.c.external_ref,
                                                                  refs)
        person_ids = {pid for ids in self.people.found.values() for pid in ids}
        rows += rows_where(session, t, t.c.person_id, person_ids)
        self.by_ref: dict[str, set[str]] = defaultdict(set)
        self.by_person: dict[str, dict[int, dict]] = defaultdict(dict)
        self.rows: dict[str, dict] = {}
        for row in rows:
            self.rows[row["id"]] = row
            self.by_ref[row["id"]].add(row["id"])
            if row["external_ref"]:
                self.by_ref[row["external_ref"]].add(row["id"])
            self.by_person[row["person_id"]][row["number"]] = row

    def find(self, values: dict[str, Any]) -> dict:
        ref = values.get("episode")
        if ref:
            ids = self.by_ref.get(ref.strip(), set())
            if len(ids) != 1:
                why = ("matches more than one journey" if ids
                       else "is not a journey in this caseload")
                raise RowProblem("episode", f"'{ref}' {why}.")
            episode = self.rows[next(iter(ids))]
            if values.get("person") and self.people.find(values["person"]) != \
                    episode["person_id"]:
                raise RowProblem("person", "the journey belongs to someone else.")
            return episode
        if not values.get("person"):
            raise RowProblem("person", "the row names neither a person nor a journey.")
        journeys = self.by_person.get(self.people.find(values["person"]), {})
        number = values.get("episode_number")
        if number is not None:
            if number not in journeys:
                raise RowProblem("episode_number", f"the person has no journey number {number}.")
            return journeys[number]
        if not journeys:
            raise RowProblem("person", f"'{values['person']}' has no journey yet: import "
                                       "their journeys (episodes) first.")
        return journeys[max(journeys)]


def by_name(rows: Iterable[tuple[str, Iterable[str | None]]]) -> dict[str, set[str]]:
    table: dict[str, set[str]] = defaultdict(set)
    for row_id, names in rows:
        for name in names:
            if name:
                table[name.strip().casefold()].add(row_id)
    return table


def find_named(table: dict[str, set[str]], value: str, field_name: str, what: str) -> str:
    ids = table.get(value.strip().casefold(), set())
    if len(ids) == 1:
        return next(iter(ids))
    if ids:
        raise RowProblem(field_name, f"'{value}' matches more than one {what}.")
    raise RowProblem(field_name, f"there is no {what} '{value}' in this caseload.")


# --- the importers ----------------------------------------------------------------------------
class Importer:
    """One kind: how a record becomes column values, and how it is matched."""

    model: type
    kind: str
    key_label: str = "external_ref"
    shown_names: dict[str, str] = {}

    def __init__(self, session: Session, today: dt.date) -> None:
        self.session = session
        self.today = today
        self.table: Table = self.model.__table__
        self.natural: dict[tuple, list[dict]] = {}

    def prepare(self, records: Sequence[Record]) -> None:
        """Bulk look-ups for every row at once (one query per few hundred values)."""

    def columns(self, values: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def natural_key(self, cols: dict[str, Any]) -> tuple | None:
        return None

    def natural_candidates(self, all_cols: list[dict[str, Any]]) -> list[dict]:
        """Existing rows that might share a natural key with some row of the file."""
        return []

    def complete_rows(self, rows: list[dict]) -> None:
        """Add to existing rows what the comparison needs beyond their own columns."""

    def defaults(self, cols: dict[str, Any]) -> dict[str, Any]:
        """Values a new record gets when the file leaves them blank."""
        return {}

    def check_update(self, existing: dict[str, Any], changes: dict[str, Any]) -> None:
        """Rules a change to a stored record must obey (``RowProblem`` if it breaks one)."""

    def key_of(self, record: Record, cols: dict[str, Any]) -> str:
        values = record.values
        return str(values.get("external_ref") or values.get("lw_reference")
                   or values.get("person") or values.get("name") or values.get("id")
                   or f"row {record.row}")

    def after(self, created: list[dict[str, Any]], updated: list[tuple[str, dict]]) -> None:
        """Follow-on work in the same transaction (answers, journey summaries)."""


def common(values: dict[str, Any], *names: str) -> dict[str, Any]:
    return {n: values[n] for n in names if n in values}

class EpisodeChild(Importer):
    """Contacts, goals and signposts: rows that belong to a journey."""

    def prepare(self, records: Sequence[Record]) -> None:
        self.episodes = EpisodeFinder(self.session, records)
        self.workers = by_name((u.id, (u.username, u.display_name)) for u in
                                self.session.execute(select(User.id, User.username,
                                                            User.display_name)))

    def episode_of(self, values: dict[str, Any]) -> dict:
        return self.episodes.find(values)

    def natural_candidates(self, all_cols: list[dict[str, Any]]) -> list[dict]:
        t = self.table
        return rows_where(self.session, t, t.c.episode_id, [c["episode_id"] for c in all_cols])

    def keys_of_existing(self, row: dict) -> list[tuple]:
        key = self.natural_key(row)
        return [key] if key else []

    def key_of(self, record: Record, cols: dict[str, Any]) -> str:
        values = record.values
        return str(values.get("external_ref") or values.get("person") or values.get("episode")
                   or f"row {record.row}")

def refresh_journeys(session: Session, episode_ids: Iterable[str], today: dt.date) -> None:
    """Journey stage and the caseload list's summary columns, for every journey touched."""
    from linkworker.journey import refresh_stage

    session.flush()
    for episode_id in sorted(episode_ids):
        episode = session.get(Episode, episode_id)
        if episode is not None:
            refresh_stage(session, episode, today)
    session.flush()

