"""The directory of community services, signposting people to them, and unmet needs.

The directory is shared knowledge, not personal data: anyone signed in may search it, and the
roles with ``directory.edit`` keep it current. Each service carries the date it was last
checked; one not checked for six months is flagged, because a walking group that stopped
meeting is worse than no suggestion. Signposting belongs to a journey: to which service, when,
accompanied or not, and (later) whether the person took it up. Unmet needs record what the
person needed that nothing local offered: commissioners ask for these.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from linkworker import audit, codes
from linkworker.access import Actor, require
from linkworker.errors import UserError
from linkworker.io.readers import MissingValue, read_table
from linkworker.models import Service, Signpost, UnmetNeed
from linkworker.person import episode_for
from linkworker.record_rows import must_get, person_rows
from linkworker.storage.database import Caseload, unit_of_work
from linkworker.storage.files import atomic_writer
from linkworker.validation import InvalidValue, format_date, normalise_postcode, parse_date

SERVICE_GONE = "That service is no longer in the directory."
STALE_AFTER_DAYS = 183  # "last checked over six months ago"


@dataclass(frozen=True)
class ServiceItem:
    id: str
    name: str
    category: str
    description: str | None = None
    venue: str | None = None
    address: str | None = None
    postcode: str | None = None
    times: str | None = None
    contact_name: str | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    accessibility: str | None = None
    last_checked: dt.date | None = None
    active: bool = True

    @property
    def category_label(self) -> str:
        return codes.label(codes.SERVICE_CATEGORIES, self.category)

    def is_stale(self, today: dt.date) -> bool:
        return self.last_checked is None or (today - self.last_checked).days > STALE_AFTER_DAYS

    @property
    def contact_text(self) -> str:
        return ", ".join(p for p in (self.contact_name, self.phone, self.email) if p)


SERVICE_FIELDS = tuple(f.name for f in fields(ServiceItem) if f.name != "id")


def _item(row: Service) -> ServiceItem:
    return ServiceItem(row.id, **{name: getattr(row, name) for name in SERVICE_FIELDS})


def check_service(values: Mapping[str, Any], today: dt.date | None = None) -> dict[str, Any]:
    """Checked, normalised service fields; ``UserError`` names the first thing wrong."""
    today = today or dt.date.today()
    unknown = set(values) - set(SERVICE_FIELDS)
    if unknown:
        raise UserError(f"Unknown service field(s): {', '.join(sorted(unknown))}.")
    clean: dict[str, Any] = {}
    for name, value in values.items():
        if name == "active":
            clean[name] = bool(value)
        elif name == "last_checked":
            day = parse_date(value, allow_serial=False)
            if day is not None and day > today:
                raise UserError(f"'Last checked' {format_date(day)} is in the future.")
            clean[name] = day
        elif name == "postcode":
            try:
                clean[name] = normalise_postcode(value)
            except InvalidValue as exc:
                raise UserError(f"Postcode: {exc}") from None
        else:
            clean[name] = (str(value).strip() if value is not None else "") or None
    if "name" in clean and not clean["name"]:
        raise UserError("A service needs a name.")
    if "category" in clean and clean["category"] not in codes.SERVICE_CATEGORIES:
        raise UserError(f"Unknown category {clean['category']!r}.")
    return clean


def save_service(
    target: Caseload | Session, actor: Actor, values: Mapping[str, Any],
    service_id: str | None = None, today: dt.date | None = None,
) -> str:
    """Add a service (no id) or change one; returns its id."""
    require(actor, "directory.edit")
    clean = check_service(values, today)
    with unit_of_work(target) as session:
        if service_id is None:
            if not clean.get("name") or not clean.get("category"):
                raise UserError("A new service needs a name and a category.")
            row = Service(**clean)
            session.add(row)
            action = "service.add"
        else:
            row = must_get(session, Service, service_id, SERVICE_GONE)
            for name, value in clean.items():
                setattr(row, name, value)
            action = "service.change"
        session.flush()
        audit.record(session, actor, action, entity="service", entity_id=row.id,
                     details={"fields": sorted(clean)})
        return row.id


def mark_checked(
    target: Caseload | Session, actor: Actor, service_id: str, on: dt.date | None = None
) -> None:
    """"I rang them today and it still runs": the quick way to keep the directory fresh."""
    save_service(target, actor, {"last_checked": on or dt.date.today()}, service_id)


def get_service(target: Caseload | Session, service_id: str) -> ServiceItem:
    with unit_of_work(target, write=False) as session:
        row = must_get(session, Service, service_id, SERVICE_GONE)
        return _item(row)


def search_services(
    target: Caseload | Session, text: str = "", *, category: str | None = None,
    include_inactive: bool = False, stale_only: bool = False, today: dt.date | None = None,
    limit: int = 500,
) -> tuple[ServiceItem, ...]:
    """Services whose name, venue or category starts with ``text`` (any word, any case)."""
    today = today or dt.date.today()
    words = text.strip()
    query = select(Service)
    if words:
        like = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        labels = [c for c, label in codes.SERVICE_CATEGORIES.items()
                  if any(w.lower().startswith(words.lower()) for w in label.split())]
        query = query.where(or_(
            Service.name.ilike(f"{like}%", escape="\\"),
            Service.name.ilike(f"% {like}%", escape="\\"),
            Service.venue.ilike(f"{like}%", escape="\\"),
            Service.venue.ilike(f"% {like}%", escape="\\"),
            Service.category.in_(labels),
        ))
    if category:
        query = query.where(Service.category == category)
    if not include_inactive:
        query = query.where(Service.active)
    if stale_only:
        cutoff = today - dt.timedelta(days=STALE_AFTER_DAYS)
        query = query.where(or_(Service.last_checked.is_(None), Service.last_checked < cutoff))
    with unit_of_work(target, write=False) as session:
        rows = session.execute(query.order_by(Service.name).limit(limit)).scalars().all()
        return tuple(_item(r) for r in rows)


# --- signposting ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignpostItem:
    id: str
    episode_id: str
    service: ServiceItem | None
    signposted_on: dt.date
    accompanied: bool
    taken_up: bool | None
    taken_up_on: dt.date | None
    note: str | None

    @property
    def service_name(self) -> str:
        return self.service.name if self.service else "(service removed)"

    @property
    def take_up_label(self) -> str:
        if self.taken_up is None:
            return "Not known yet"
        if self.taken_up:
            return f"Took it up {format_date(self.taken_up_on)}".strip()
        return "Did not take it up"


def signpost(
    target: Caseload | Session, actor: Actor, episode_id: str, service_id: str, *,
    on: dt.date | None = None, accompanied: bool = False, note: str | None = None,
    today: dt.date | None = None,
) -> str:
    """Connect the person to a service (an accompanied introduction, or not)."""
    today = today or dt.date.today()
    on = on or today
    if on > today:
        raise UserError(f"{format_date(on)} is in the future.")
    with unit_of_work(target) as session:
        episode = episode_for(session, actor, episode_id, "journey.edit")
        if episode.exit_date is not None:
            raise UserError("This journey has ended; re-refer the person to signpost them.")
        service = must_get(session, Service, service_id, SERVICE_GONE)
        row = Signpost(episode_id=episode.id, service_id=service.id, signposted_on=on,
                       accompanied=accompanied, note=(note or "").strip() or None)
        session.add(row)
        session.flush()
        audit.record(session, actor, "signpost.add", entity="signpost", entity_id=row.id,
                     person_id=episode.person_id,
                     details={"service": service.id, "accompanied": accompanied})
        return row.id


def record_take_up(
    target: Caseload | Session, actor: Actor, signpost_id: str, taken_up: bool | None,
    on: dt.date | None = None, today: dt.date | None = None,
) -> None:
    """Whether the person went (None: not known yet); the date they first went."""
    today = today or dt.date.today()
    with unit_of_work(target) as session:
        row = must_get(session, Signpost, signpost_id,
                       "That signposting is no longer on the record.")
        episode = episode_for(session, actor, row.episode_id, "journey.edit")
        if taken_up and on is not None and (on > today or on < row.signposted_on):
            raise UserError("The take-up date must be between the signposting and today.")
        row.taken_up = taken_up
        row.taken_up_on = (on or today) if taken_up else None
        audit.record(session, actor, "signpost.take_up", entity="signpost", entity_id=row.id,
                     person_id=episode.person_id, details={"taken_up": taken_up})


def list_signposts(
    target: Caseload | Session, actor: Actor, person_id: str
) -> tuple[SignpostItem, ...]:
    """The person's signpostings across their journeys, newest first."""
    with unit_of_work(target, write=False) as session:
        rows = session.execute(
            person_rows(session, actor, person_id, Signpost.episode_id, Signpost, Service)
            .outerjoin(Service, Service.id == Signpost.service_id)
            .order_by(Signpost.signposted_on.desc(), Signpost.created_at.desc())
        ).all()
        return tuple(
            SignpostItem(s.id, s.episode_id, _item(svc) if svc else None, s.signposted_on,
                         s.accompanied, s.taken_up, s.taken_up_on, s.note)
            for s, svc in rows
        )


# --- unmet needs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnmetNeedItem:
    id: str
    recorded_on: dt.date
    category: str
    description: str

    @property
    def category_label(self) -> str:
        return codes.label(codes.SERVICE_CATEGORIES, self.category)


def record_unmet_need(
    target: Caseload | Session, actor: Actor, episode_id: str, category: str, description: str,
    on: dt.date | None = None,
) -> str:
    text = (description or "").strip()
    if not text:
        raise UserError("Describe what the person needed that no local service offered.")
    if category not in codes.SERVICE_CATEGORIES:
        raise UserError(f"Unknown category {category!r}.")
    with unit_of_work(target) as session:
        episode = episode_for(session, actor, episode_id, "journey.edit")
        row = UnmetNeed(episode_id=episode.id, recorded_on=on or dt.date.today(),
                        category=category, description=text)
        session.add(row)
        session.flush()
        audit.record(session, actor, "unmet_need.add", entity="unmet_need", entity_id=row.id,
                     person_id=episode.person_id, details={"category": category})
        return row.id


def list_unmet_needs(
    target: Caseload | Session, actor: Actor, person_id: str
) -> tuple[UnmetNeedItem, ...]:
    with unit_of_work(target, write=False) as session:
        rows = session.execute(
            person_rows(session, actor, person_id, UnmetNeed.episode_id, UnmetNeed)
            .order_by(UnmetNeed.recorded_on.desc())
        ).scalars().all()
        return tuple(UnmetNeedItem(r.id, r.recorded_on, r.category, r.description) for r in rows)


# --- CSV in and out ---------------------------------------------------------------------------

CSV_COLUMNS = SERVICE_FIELDS


def export_services_csv(
    target: Caseload | Session, actor: Actor, path: Path | str
) -> int:
    """Write the whole directory (inactive services too) as CSV; returns the row count.

    Dates are ISO 8601 (files are for machines); categories are codes, as the importer reads.
    """
    with unit_of_work(target) as session:
        rows = session.execute(select(Service).order_by(Service.name)).scalars().all()
        with atomic_writer(path, "w") as handle:
            writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
            writer.writeheader()
            for row in rows:
                item = _item(row)
                writer.writerow({name: _csv_text(getattr(item, name)) for name in CSV_COLUMNS})
        audit.record(session, actor, "export", entity="services",
                     details={"rows": len(rows), "kind": "services"})
        return len(rows)


@dataclass(frozen=True)
class DirectoryImport:
    added: int
    updated: int


def import_services_csv(
    target: Caseload | Session, actor: Actor, path: Path | str, dry_run: bool = False,
    today: dt.date | None = None,
) -> DirectoryImport:
    """Read a directory CSV or XLSX (the export's columns; category as a code or its label).

    A service with the same name and venue as one already in the directory updates it, so
    importing the same file twice adds nothing. Any bad row stops the whole import (nothing
    changes) and every problem is listed with its row number.
    """
    require(actor, "directory.edit")
    records = _read_rows(Path(path), today)
    with unit_of_work(target) as session:
        existing = {
            ((r.name or "").casefold(), (r.venue or "").casefold()): r
            for r in session.execute(select(Service)).scalars()
        }
        added = updated = 0
        for values in records:
            key = (values["name"].casefold(), (values.get("venue") or "").casefold())
            row = existing.get(key)
            if row is None:
                added += 1
                if not dry_run:
                    existing[key] = Service(**values)
                    session.add(existing[key])
            else:
                updated += 1
                if not dry_run:
                    for name, value in values.items():
                        setattr(row, name, value)
        if not dry_run:
            session.flush()
            audit.record(session, actor, "import", entity="services",
                         details={"added": added, "updated": updated, "kind": "services"})
        return DirectoryImport(added, updated)


_LABEL_TO_CODE = {label.casefold(): code for code, label in codes.SERVICE_CATEGORIES.items()}


def _read_rows(path: Path, today: dt.date | None) -> list[dict[str, Any]]:
    """The file's services, checked; any bad row stops the import with every problem listed.

    The general reader does the file handling (CSV in any common encoding and separator, or
    XLSX; title rows above the header skipped; rows numbered as the user sees them).
    """
    table = read_table(path, header_score=_header_score)
    header = [h.strip().casefold() for h in table.headers]
    missing = {"name", "category"} - set(header)
    if missing:
        raise UserError(f"{table.source} has no {' or '.join(sorted(missing))} column.")
    problems: list[str] = []
    records: list[dict[str, Any]] = []
    for row in table.rows:
        values = {key: _cell_text(cell) for key, cell in zip(header, row.cells, strict=False)
                  if key in CSV_COLUMNS}
        if not any((v or "").strip() for v in values.values()):
            continue
        category = (values.get("category") or "").strip()
        values["category"] = _LABEL_TO_CODE.get(category.casefold(), category)
        if "active" in values:
            values["active"] = (values["active"] or "yes").strip().lower() in _YES
        try:
            if any(isinstance(cell, MissingValue) for cell in row.cells):
                raise UserError("a formula has no saved value: open the file in Excel, save it "
                                "and import it again.")
            records.append(check_service(values, today))
        except (UserError, InvalidValue) as exc:
            problems.append(f"row {row.number}: {exc}")
    if problems:
        raise UserError(f"Nothing imported; fix {table.source} first:\n" + "\n".join(problems))
    return records


def _header_score(texts: list[str]) -> int:
    """How many cells of a row name a directory column (finds the header under a title)."""
    return sum(text.strip().casefold() in CSV_COLUMNS for text in texts)


def _cell_text(cell: object) -> str | None:
    """A cell as the text the CSV would hold (an XLSX date becomes ISO, a number its digits)."""
    if cell is None or isinstance(cell, str):
        return cell
    return _csv_text(cell.date() if isinstance(cell, dt.datetime) else cell)


def _csv_text(value: object) -> str:
    """``export_rows.csv_text``, imported when a directory file is written or read: the
    export's module brings XlsxWriter and the importers, which a record opened (its
    signposting tab lists the directory) does not need."""
    from linkworker.io.export_rows import csv_text

    return csv_text(value)


_YES = ("yes", "y", "true", "1", "active")


def rows_preview(items: Sequence[ServiceItem]) -> list[list[str]]:
    """The directory table's cells (shared by the screen and tests)."""
    return [[s.name, s.category_label, s.venue or "", s.times or "", s.contact_text,
             format_date(s.last_checked)] for s in items]
