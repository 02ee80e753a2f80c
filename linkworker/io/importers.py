"""From checked rows to a plan (what will be added and changed), and applying it.

Matching decides whether a row is new or an update, in this order:

1. ``id`` (LinkWorker's own id, from an export): that record; if it does not exist yet it is
   created *with that id*, so an export imported into a fresh caseload is the same data;
2. ``external_ref`` (the charity's own reference, "Client ID"): the record imported with it;
3. a natural key, so a file without references can still be imported twice without
   duplicates: a person's NHS number, then name and date of birth; a journey's person and
   number, then person and referral date; a contact's journey, date, time and mode; and so on.
   When two rows share a natural key they match two existing records in turn, never one twice.

Blank cells never clear a value that is already stored. The plan lists, for each update, the
fields that change with old and new value; nothing is written until ``apply_plan``, which runs
inside the caller's single transaction, bulk-inserting new rows with Core ``insert()`` in
batches (50,000 people in seconds) and refreshing the journey summaries it touched.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from linkworker import codes
from linkworker.io.validate import Problem, Record, show
from linkworker.models import (
    Contact,
    Contract,
    Episode,
    Goal,
    Measure,
    MeasureAnswer,
    Person,
    Service,
    Signpost,
    User,
    new_id,
    utcnow,
)

BATCH = 1000
CHUNK = 500  # values per IN (...) query; SQLite allows 999 parameters by default

Progress = Callable[[int, int, str], None]


class RowProblem(Exception):
    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field_name
        self.reason = reason


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


def _chunks(values: Iterable[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    items = list(values)
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _rows_where(session: Session, table: Table, column, values: Iterable[Any]) -> list[dict]:
    found: list[dict] = []
    for chunk in _chunks({v for v in values if v is not None}):
        found += [dict(r._mapping) for r in session.execute(
            select(table).where(column.in_(chunk)))]
    return found


class _PeopleFinder:
    """Resolves the "person" cell of any row: id, LW reference, their reference or NHS number."""

    def __init__(self, session: Session, values: Iterable[str]) -> None:
        wanted = {v.strip() for v in values if v}
        self.found: dict[str, set[str]] = defaultdict(set)
        t = Person.__table__
        live = t.c.deleted_at.is_(None)
        upper = {v.upper() for v in wanted}
        digits = {v.replace(" ", "").replace("-", "") for v in wanted}
        for chunk in _chunks(wanted | upper | digits):
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


class _EpisodeFinder:
    """Resolves a row's journey: its id or reference, else the person's journey by number,
    else the person's latest journey."""

    def __init__(self, session: Session, records: Sequence[Record]) -> None:
        self.people = _PeopleFinder(session, [r.values.get("person") for r in records])
        t = Episode.__table__
        refs = {r.values.get("episode") for r in records} - {None}
        rows = _rows_where(session, t, t.c.id, refs) + _rows_where(session, t, t.c.external_ref,
                                                                  refs)
        person_ids = {pid for ids in self.people.found.values() for pid in ids}
        rows += _rows_where(session, t, t.c.person_id, person_ids)
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


def _by_name(rows: Iterable[tuple[str, Iterable[str | None]]]) -> dict[str, set[str]]:
    table: dict[str, set[str]] = defaultdict(set)
    for row_id, names in rows:
        for name in names:
            if name:
                table[name.strip().casefold()].add(row_id)
    return table


def _find_named(table: dict[str, set[str]], value: str, field_name: str, what: str) -> str:
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

    def key_of(self, record: Record, cols: dict[str, Any]) -> str:
        values = record.values
        return str(values.get("external_ref") or values.get("lw_reference")
                   or values.get("person") or values.get("name") or values.get("id")
                   or f"row {record.row}")

    def after(self, created: list[dict[str, Any]], updated: list[tuple[str, dict]]) -> None:
        """Follow-on work in the same transaction (answers, journey summaries)."""


def _common(values: dict[str, Any], *names: str) -> dict[str, Any]:
    return {n: values[n] for n in names if n in values}


class PeopleImporter(Importer):
    model = Person
    kind = "people"
    shown_names = {"reference": "lw_reference"}
    FIELDS = ("id", "external_ref", "given_name", "family_name", "preferred_name",
              "date_of_birth", "nhs_number", "address_line1", "address_line2", "town",
              "postcode", "phone", "email", "gender", "gender_self_described", "ethnicity",
              "disability", "carer_status", "living_circumstances", "gp_practice",
              "is_volunteer", "contact_preferences", "imd_decile", "imd_edition")

    def prepare(self, records: Sequence[Record]) -> None:
        from linkworker.person import next_reference_number

        self.next_number = next_reference_number(self.session)
        t = self.table
        used = _rows_where(self.session, t, t.c.reference,
                           [r.values.get("lw_reference") for r in records])
        self.references = {row["reference"]: row["id"] for row in used}
        # references the file itself gives: never handed to a row without one
        self.claimed = {str(r.values["lw_reference"]) for r in records
                        if r.values.get("lw_reference")}
        self.new_nhs: set[str] = set()

    def columns(self, values: dict[str, Any]) -> dict[str, Any]:
        cols = _common(values, *self.FIELDS)
        if "lw_reference" in values:
            cols["reference"] = values["lw_reference"]
        if "ethnicity" in cols:
            cols["ethnicity_nhs_code"] = codes.nhs_ethnic_code(cols["ethnicity"])
        return cols

    def defaults(self, cols: dict[str, Any]) -> dict[str, Any]:
        nhs = cols.get("nhs_number")
        if nhs and (self.natural.get(("nhs", nhs)) or nhs in self.new_nhs):
            raise RowProblem("nhs_number", f"NHS number {nhs} already belongs to another person "
                                           "(with a different reference).")
        if nhs:
            self.new_nhs.add(nhs)
        derived = {"ethnicity_nhs_code": codes.nhs_ethnic_code(cols.get("ethnicity"))}
        reference = cols.get("reference")
        if reference and reference not in self.references:
            self.references[reference] = cols["id"]
            return derived
        if reference:
            raise RowProblem("lw_reference", f"{reference} already belongs to another person.")
        from linkworker.person import format_reference

        reference = format_reference(self.next_number)
        while reference in self.references or reference in self.claimed:
            self.next_number += 1
            reference = format_reference(self.next_number)
        self.next_number += 1
        self.references[reference] = cols["id"]
        return derived | {"reference": reference}

    def natural_key(self, cols: dict[str, Any]) -> tuple | None:
        if cols.get("nhs_number"):
            return ("nhs", cols["nhs_number"])
        if cols.get("date_of_birth") and cols.get("given_name") and cols.get("family_name"):
            return ("name", cols["given_name"].casefold(), cols["family_name"].casefold(),
                    cols["date_of_birth"])
        return None

    def natural_candidates(self, all_cols: list[dict[str, Any]]) -> list[dict]:
        t = self.table
        rows = _rows_where(self.session, t, t.c.nhs_number, [c.get("nhs_number") for c in all_cols])
        rows += _rows_where(self.session, t, t.c.date_of_birth,
                            [c.get("date_of_birth") for c in all_cols if not c.get("nhs_number")])
        return [r for r in rows if r["deleted_at"] is None]

    def keys_of_existing(self, row: dict) -> list[tuple]:
        keys = []
        if row["nhs_number"]:
            keys.append(("nhs", row["nhs_number"]))
        if row["date_of_birth"]:
            keys.append(("name", row["given_name"].casefold(), row["family_name"].casefold(),
                         row["date_of_birth"]))
        return keys

    def key_of(self, record: Record, cols: dict[str, Any]) -> str:
        return str(record.values.get("external_ref") or cols.get("reference")
                   or f"row {record.row}")


class _EpisodeChild(Importer):
    """Contacts, goals and signposts: rows that belong to a journey."""

    def prepare(self, records: Sequence[Record]) -> None:
        self.episodes = _EpisodeFinder(self.session, records)
        self.workers = _by_name((u.id, (u.username, u.display_name)) for u in
                                self.session.execute(select(User.id, User.username,
                                                            User.display_name)))

    def episode_of(self, values: dict[str, Any]) -> dict:
        return self.episodes.find(values)

    def natural_candidates(self, all_cols: list[dict[str, Any]]) -> list[dict]:
        t = self.table
        return _rows_where(self.session, t, t.c.episode_id, [c["episode_id"] for c in all_cols])

    def keys_of_existing(self, row: dict) -> list[tuple]:
        key = self.natural_key(row)
        return [key] if key else []

    def key_of(self, record: Record, cols: dict[str, Any]) -> str:
        values = record.values
        return str(values.get("external_ref") or values.get("person") or values.get("episode")
                   or f"row {record.row}")


class EpisodesImporter(_EpisodeChild):
    model = Episode
    kind = "episodes"
    shown_names = {"person_id": "person", "worker_id": "worker", "contract_id": "contract"}
    FIELDS = ("id", "external_ref", "number", "referral_date", "referral_source",
              "referral_reasons", "referrer_name", "referrer_organisation", "eligibility",
              "eligibility_notes", "first_contact_date", "first_meeting_date", "exit_date",
              "exit_reason", "what_matters", "crisis_plan")

    def prepare(self, records: Sequence[Record]) -> None:
        super().prepare(records)
        self.contracts = _by_name((c.id, (c.code, c.name)) for c in self.session.execute(
            select(Contract.id, Contract.code, Contract.name)))
        self.next_numbers: dict[str, int] = {}

    def columns(self, values: dict[str, Any]) -> dict[str, Any]:
        cols = _common(values, *self.FIELDS)
        cols["person_id"] = self.episodes.people.find(values["person"])
        if "worker" in values:
            cols["worker_id"] = _find_named(self.workers, values["worker"], "worker",
                                            "link worker")
        if "contract" in values:
            cols["contract_id"] = _find_named(self.contracts, values["contract"], "contract",
                                              "contract")
        return cols

    def defaults(self, cols: dict[str, Any]) -> dict[str, Any]:
        person = cols["person_id"]
        if person not in self.next_numbers:
            self.next_numbers[person] = max(self.episodes.by_person.get(person) or {0: 0}) + 1
        if cols.get("number") is not None:
            if cols["number"] in self.episodes.by_person.get(person, {}):
                raise RowProblem("number", f"the person already has a journey number "
                                           f"{cols['number']}.")
            self.next_numbers[person] = max(self.next_numbers[person], cols["number"] + 1)
            self.episodes.by_person[person][cols["number"]] = cols
            return {}
        number = self.next_numbers[person]
        self.next_numbers[person] += 1
        return {"number": number}

    def natural_key(self, cols: dict[str, Any]) -> tuple | None:
        if cols.get("number") is not None:
            return ("number", cols["person_id"], cols["number"])
        return ("referred", cols["person_id"], cols.get("referral_date"))

    def natural_candidates(self, all_cols: list[dict[str, Any]]) -> list[dict]:
        t = self.table
        return _rows_where(self.session, t, t.c.person_id, [c["person_id"] for c in all_cols])

    def keys_of_existing(self, row: dict) -> list[tuple]:
        return [("number", row["person_id"], row["number"]),
                ("referred", row["person_id"], row["referral_date"])]

    def after(self, created: list[dict[str, Any]], updated: list[tuple[str, dict]]) -> None:
        _refresh(self.session, {c["id"] for c in created} | {i for i, _ in updated}, self.today)


class ContactsImporter(_EpisodeChild):
    model = Contact
    kind = "contacts"
    shown_names = {"episode_id": "episode", "worker_id": "worker"}
    FIELDS = ("id", "external_ref", "contact_date", "start_time", "mode", "purpose", "venue",
              "duration_minutes", "status", "note")

    def columns(self, values: dict[str, Any]) -> dict[str, Any]:
        cols = _common(values, *self.FIELDS)
        episode = self.episode_of(values)
        cols["episode_id"] = episode["id"]
        if "worker" in values:
            cols["worker_id"] = _find_named(self.workers, values["worker"], "worker",
                                            "link worker")
        return cols

    def defaults(self, cols: dict[str, Any]) -> dict[str, Any]:
        episode = self.episodes.rows[cols["episode_id"]]
        return {"worker_id": cols.get("worker_id") or episode["worker_id"]}

    def natural_key(self, cols: dict[str, Any]) -> tuple | None:
        return (cols["episode_id"], cols.get("contact_date"), cols.get("start_time"),
                cols.get("mode") or "face_to_face")

    def after(self, created: list[dict[str, Any]], updated: list[tuple[str, dict]]) -> None:
        from linkworker.contacts import _apply_effects

        touched = {c["episode_id"] for c in created}
        for chunk in _chunks([i for i, _ in updated]):
            touched |= set(self.session.execute(select(Contact.episode_id).where(
                Contact.id.in_(chunk))).scalars())
        by_episode: dict[str, list[dict]] = defaultdict(list)
        for row in created:
            by_episode[row["episode_id"]].append(row)
        for episode_id in touched:
            # Contacts fill in a journey's first contact and first meeting when it has none;
            # dates the journey already holds (typed, or imported) are kept as they are.
            episode = self.session.get(Episode, episode_id)
            kept = (episode.first_contact_date, episode.first_meeting_date)
            for row in by_episode.get(episode_id, ()):
                _apply_effects(Contact(**{k: row.get(k) for k in ("contact_date", "status",
                                                                  "purpose")}), episode)
            episode.first_contact_date = kept[0] or episode.first_contact_date
            episode.first_meeting_date = kept[1] or episode.first_meeting_date
        _refresh(self.session, touched, self.today)


class GoalsImporter(_EpisodeChild):
    model = Goal
    kind = "goals"
    shown_names = {"episode_id": "episode"}
    FIELDS = ("id", "external_ref", "own_words", "category", "agreed_date", "status",
              "status_date")

    def columns(self, values: dict[str, Any]) -> dict[str, Any]:
        cols = _common(values, *self.FIELDS)
        cols["episode_id"] = self.episode_of(values)["id"]
        return cols

    def natural_key(self, cols: dict[str, Any]) -> tuple | None:
        return (cols["episode_id"], (cols.get("own_words") or "").casefold(),
                cols.get("agreed_date"))


class SignpostsImporter(_EpisodeChild):
    model = Signpost
    kind = "signposts"
    shown_names = {"episode_id": "episode", "service_id": "service"}
    FIELDS = ("id", "external_ref", "signposted_on", "accompanied", "taken_up", "taken_up_on",
              "note")

    def prepare(self, records: Sequence[Record]) -> None:
        super().prepare(records)
        self.services = _by_name((s.id, (s.id, s.external_ref, s.name)) for s in
                                 self.session.execute(select(Service.id, Service.external_ref,
                                                             Service.name)))

    def columns(self, values: dict[str, Any]) -> dict[str, Any]:
        cols = _common(values, *self.FIELDS)
        cols["episode_id"] = self.episode_of(values)["id"]
        try:
            cols["service_id"] = _find_named(self.services, values["service"], "service",
                                             "service")
        except RowProblem as exc:
            raise RowProblem("service", exc.reason.replace(
                "in this caseload.", "in the directory (import the directory first).")) from None
        return cols

    def natural_key(self, cols: dict[str, Any]) -> tuple | None:
        return (cols["episode_id"], cols.get("service_id"), cols.get("signposted_on"))


class MeasuresImporter(Importer):
    model = Measure
    kind = "measures"
    shown_names = {"person_id": "person", "episode_id": "episode"}
    FIELDS = ("id", "external_ref", "instrument", "timepoint", "completed_on", "mode")

    def prepare(self, records: Sequence[Record]) -> None:
        self.episodes = _EpisodeFinder(self.session, records)

    def columns(self, values: dict[str, Any]) -> dict[str, Any]:
        cols = _common(values, *self.FIELDS)
        if values.get("episode") or values.get("episode_number") is not None:
            episode = self.episodes.find(values)
            cols["person_id"], cols["episode_id"] = episode["person_id"], episode["id"]
        else:
            cols["person_id"] = self.episodes.people.find(values["person"])
            journeys = self.episodes.by_person.get(cols["person_id"], {})
            started = [n for n, e in journeys.items()
                       if e["referral_date"] <= values["completed_on"]]
            cols["episode_id"] = journeys[max(started)]["id"] if started else None
        result = values["_score"]
        cols.update(raw=result.raw, value=result.value, complete=result.complete,
                    answers=list(result.answers))
        return cols

    def defaults(self, cols: dict[str, Any]) -> dict[str, Any]:
        return {"timepoint": cols.get("timepoint") or "other"}

    def natural_key(self, cols: dict[str, Any]) -> tuple | None:
        return (cols["person_id"], cols.get("instrument"), cols.get("completed_on"),
                cols.get("timepoint") or "other")

    def natural_candidates(self, all_cols: list[dict[str, Any]]) -> list[dict]:
        t = self.table
        return _rows_where(self.session, t, t.c.person_id, [c["person_id"] for c in all_cols])

    def complete_rows(self, rows: list[dict]) -> None:
        answers: dict[str, dict[int, int | None]] = defaultdict(dict)
        for chunk in _chunks([r["id"] for r in rows]):
            for measure_id, item, answer in self.session.execute(select(
                    MeasureAnswer.measure_id, MeasureAnswer.item, MeasureAnswer.answer).where(
                    MeasureAnswer.measure_id.in_(chunk))):
                answers[measure_id][item] = answer
        for row in rows:
            got = answers.get(row["id"], {})
            row["answers"] = [got.get(n) for n in range(1, max(got, default=0) + 1)]

    def keys_of_existing(self, row: dict) -> list[tuple]:
        return [self.natural_key(row)]

    def after(self, created: list[dict[str, Any]], updated: list[tuple[str, dict]]) -> None:
        answers = [(c["id"], c["answers"]) for c in created]
        answers += [(i, ch["answers"]) for i, ch in updated if "answers" in ch]
        for chunk in _chunks([i for i, _ in answers]):
            self.session.execute(delete(MeasureAnswer).where(MeasureAnswer.measure_id.in_(chunk)))
        rows = [{"measure_id": i, "item": n, "answer": a}
                for i, items in answers for n, a in enumerate(items, start=1)]
        for chunk in _chunks(rows, BATCH * 10):
            self.session.execute(insert(MeasureAnswer), chunk)
        episodes = {c["episode_id"] for c in created} | {
            ch.get("episode_id") for _, ch in updated}
        _refresh(self.session, episodes - {None}, self.today)

    def key_of(self, record: Record, cols: dict[str, Any]) -> str:
        return str(record.values.get("external_ref") or record.values.get("person")
                   or f"row {record.row}")


class ServicesImporter(Importer):
    model = Service
    kind = "services"
    FIELDS = ("id", "external_ref", "name", "category", "description", "venue", "address",
              "postcode", "times", "contact_name", "phone", "email", "website", "accessibility",
              "last_checked", "active")

    def columns(self, values: dict[str, Any]) -> dict[str, Any]:
        return _common(values, *self.FIELDS)

    def defaults(self, cols: dict[str, Any]) -> dict[str, Any]:
        return {"category": cols.get("category") or "other"}

    def natural_key(self, cols: dict[str, Any]) -> tuple | None:
        return ((cols.get("name") or "").casefold(), (cols.get("venue") or "").casefold())

    def natural_candidates(self, all_cols: list[dict[str, Any]]) -> list[dict]:
        return [dict(r._mapping) for r in self.session.execute(select(self.table))]

    def keys_of_existing(self, row: dict) -> list[tuple]:
        return [self.natural_key(row)]


IMPORTERS: dict[str, type[Importer]] = {
    cls.kind: cls for cls in (PeopleImporter, EpisodesImporter, ContactsImporter,
                              GoalsImporter, SignpostsImporter, MeasuresImporter,
                              ServicesImporter)
}


def _refresh(session: Session, episode_ids: Iterable[str], today: dt.date) -> None:
    """Journey stage and the caseload list's summary columns, for every journey touched."""
    from linkworker.journey import refresh_stage

    session.flush()
    for episode_id in sorted(episode_ids):
        episode = session.get(Episode, episode_id)
        if episode is not None:
            refresh_stage(session, episode, today)
    session.flush()


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
    by_id = {r["id"]: r for r in _rows_where(session, table, table.c.id,
                                              [c.get("id") for _, c in resolved])}
    by_ref: dict[str, list[dict]] = defaultdict(list)
    for row in _rows_where(session, table, table.c.external_ref,
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
                change = RowChange(record.row, cols["id"], importer.key_of(record, cols))
                plan.creates.append((change, cols))
                continue
            claimed[existing["id"]] = record.row
            changes = {k: v for k, v in cols.items()
                       if k != "id" and k in existing and not _same(existing[k], v)}
            if not changes:
                plan.unchanged += 1
                continue
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
            if row["id"] not in claimed and row.get("external_ref") in (None, ref):
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
