"""The caseload list: who is on it, in what order, and one page of rows at a time.

A worker's list must answer within a keystroke at 50,000 people, so it is built the way Anki
builds its browser: ONE indexed query returns the ordered ids that match the filter and the
search (``person_ids``), and the screen asks for the rows it is about to show a page at a time
(``rows_for``). Nothing here loads the whole table.

Search is "what a link worker types": the start of any of a person's names ("smi", "Smith, Ma",
"Mar Smi", "o'neill", "zoe" for Zoë), the start of their postcode ("ne1 4", "ne14s") or
reference, or their NHS number (digits, with or without spaces). Text shaped like a
postcode looks in postcodes (and references) only; with its space typed the outward code is
whole ("ne1 " is NE1, not NE15). It is answered by the search
index (``linkworker.caseload_index``: FTS5 inside the encrypted file); what was typed is never
read as SQL or FTS5 syntax.

The default list (everyone or one worker's people, not exited, in name order) and its search
come from the caseload index alone, without reading a person's row or joining their journey;
other filters and sorts use the full query (``ids_query``).

Each person's row describes their *current* journey (``Person.current_episode_id``), using the
summaries ``linkworker.journey.refresh_summaries`` keeps (``next_review_due``,
``latest_change``), so sorting and filtering never compute anything per row.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    case,
    exists,
    false,
    func,
    not_,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased

from linkworker import audit
from linkworker.access import (
    Actor,
    PermissionDenied,
    can,
    people_scope,
    require_person,
    sees_everyone,
)
from linkworker.caseload_index import (
    NEVER,
    all_matching,
    entries,
    first_matching,
    match_query,
    matching,
    plain_rows,
    within_list,
)
from linkworker.codes import GENDERS, STAGE_LABELS
from linkworker.errors import UserError
from linkworker.journey_clock import STAGES, is_overdue
from linkworker.models import (
    Contact,
    Contract,
    Episode,
    Goal,
    Measure,
    Person,
    User,
)
from linkworker.storage.database import Caseload, unit_of_work
from linkworker.validation import age_on, format_nhs_number

UNASSIGNED = "-"  # worker filter value: current journey has no worker
NO_CHANGE_YET = "none"  # latest-change filter value: no baseline/follow-up pair yet

CHANGE_LABELS = {
    "improved": "Improved",
    "no_change": "No meaningful change",
    "deteriorated": "Deteriorated",
    NO_CHANGE_YET: "No follow-up yet",
}


@dataclass(frozen=True)
class CaseloadFilter:
    """What the list shows. ``worker_id=None`` means every worker the actor may see."""

    text: str = ""
    stage: str | None = None
    worker_id: str | None = None
    contract_id: str | None = None
    overdue_only: bool = False
    no_baseline: bool = False
    latest_change: str | None = None
    include_exited: bool = False
    as_of: dt.date | None = None

    def today(self) -> dt.date:
        return self.as_of or dt.date.today()


def own_caseload(actor: Actor, as_of: dt.date | None = None) -> CaseloadFilter:
    """The default view: the signed-in worker's own caseload (everyone for a script)."""
    return CaseloadFilter(worker_id=actor.user_id, as_of=as_of)


@dataclass(frozen=True)
class PersonRow:
    """One line of the caseload list, ready to show (dates stay dates; the view formats)."""

    id: str
    reference: str
    name: str  # "Family, Given": the list sorts by family name
    display_name: str  # what the person is called: preferred or given name, then family name
    preferred_name: str
    age: int | None
    stage: str | None
    stage_label: str
    worker_name: str
    next_review_due: dt.date | None
    overdue: bool
    latest_change: str | None
    latest_change_label: str
    nhs_number: str  # formatted "943 476 5919"
    postcode: str


@dataclass(frozen=True)
class WorkerOption:
    id: str
    name: str
    role: str
    active: bool
    people: int  # people whose current, unexited journey is theirs


@dataclass(frozen=True)
class ContractOption:
    id: str
    name: str


@dataclass(frozen=True)
class FilterOptions:
    """Everything the filter bar offers, in one read."""

    workers: tuple[WorkerOption, ...]
    contracts: tuple[ContractOption, ...]
    can_switch_worker: bool
    counted: bool = True  # False: only the actor's own ``people`` is counted (others are 0)


@dataclass(frozen=True)
class PersonSummary:
    """The read-only summary shown on double-click until (and beside) the full record."""

    id: str
    reference: str
    display_name: str
    given_name: str
    family_name: str
    preferred_name: str
    date_of_birth: dt.date | None
    age: int | None
    nhs_number: str
    gender: str
    address: str
    postcode: str
    phone: str
    email: str
    gp_practice: str
    stage_label: str
    worker_name: str
    contract_name: str
    referral_date: dt.date | None
    first_meeting_date: dt.date | None
    exit_date: dt.date | None
    next_review_due: dt.date | None
    overdue: bool
    latest_change_label: str
    journeys: int
    contacts: int
    last_contact: dt.date | None
    next_appointment: dt.date | None
    open_goals: int


# --- search ---------------------------------------------------------------------------------


def search_clause(text: str) -> ColumnElement[bool] | None:
    """The WHERE clause over ``Person`` for what was typed in the search box (None for an empty
    box): the person's entry is among the search index's matches (``caseload_index``)."""
    query = match_query(text)
    if query is None:
        return None
    if query == NEVER:
        return false()
    return Person.id.in_(select(entries.c.person_id).where(entries.c.entry.in_(matching(query))))


# --- the ordered id list --------------------------------------------------------------------

# The person's current journey, under its own name so the SQL reads plainly
# (``people_scope`` aliases its own journeys, so it looks at *any* of the person's journeys).
Current = aliased(Episode, name="current_episode")

# Sort key -> the columns it orders by (each direction-aware; ties always broken by name, id).
SORT_KEYS: dict[str, str] = {
    "name": "Name (family name first)",
    "preferred_name": "Preferred name",
    "reference": "Reference",
    "age": "Age",
    "stage": "Stage",
    "worker": "Worker",
    "next_review": "Next review due",
    "latest_change": "Latest wellbeing change",
    "nhs_number": "NHS number",
    "postcode": "Postcode",
}

_STAGE_ORDER = case({s: i for i, s in enumerate(STAGES)}, value=Current.stage, else_=len(STAGES))
_CHANGE_ORDER = case(
    {"deteriorated": 0, "no_change": 1, "improved": 2}, value=Current.latest_change, else_=3
)


def _sort_columns(sort: str, descending: bool) -> list:
    def direction(col):
        return col.desc() if descending else col.asc()

    name = [Person.family_name, Person.given_name]
    if sort == "name":
        return [direction(c) for c in name]
    keys = {
        "preferred_name": [Person.preferred_name.is_(None), direction(Person.preferred_name)],
        "reference": [direction(Person.reference)],
        # youngest first when ascending by age: the later the birth date, the younger
        "age": [Person.date_of_birth.is_(None),
                Person.date_of_birth.asc() if descending else Person.date_of_birth.desc()],
        "stage": [direction(_STAGE_ORDER)],
        "worker": [User.display_name.is_(None), direction(User.display_name)],
        "next_review": [Current.next_review_due.is_(None), direction(Current.next_review_due)],
        "latest_change": [direction(_CHANGE_ORDER)],
        "nhs_number": [Person.nhs_number.is_(None), direction(Person.nhs_number)],
        "postcode": [Person.postcode.is_(None), direction(Person.postcode)],
    }
    if sort not in keys:
        raise UserError(f"Cannot sort the caseload by {sort!r}.")
    return keys[sort] + name


def _baseline_missing() -> ColumnElement[bool]:
    has_baseline = exists().where(
        Measure.episode_id == Current.id, Measure.timepoint == "baseline", Measure.complete
    )
    return and_(Current.first_meeting_date.is_not(None), not_(has_baseline))


def _filter_clauses(actor: Actor, filt: CaseloadFilter) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = [
        Person.deleted_at.is_(None),
        Person.anonymised_at.is_(None),
        people_scope(actor),
    ]
    if filt.worker_id == UNASSIGNED:
        clauses.append(and_(Current.id.is_not(None), Current.worker_id.is_(None)))
    elif filt.worker_id:
        clauses.append(Current.worker_id == filt.worker_id)
    if filt.stage:
        clauses.append(Current.stage == filt.stage)
    elif not filt.include_exited:
        clauses.append(or_(Current.stage.is_(None), Current.stage != "exited"))
    if filt.contract_id:
        clauses.append(Current.contract_id == filt.contract_id)
    if filt.overdue_only:  # journey_clock.is_overdue, in SQL
        clauses.append(Current.next_review_due < filt.today())
    if filt.no_baseline:
        clauses.append(_baseline_missing())
    if filt.latest_change == NO_CHANGE_YET:
        clauses.append(Current.latest_change.is_(None))
    elif filt.latest_change:
        clauses.append(Current.latest_change == filt.latest_change)
    found = search_clause(filt.text)
    if found is not None:
        clauses.append(found)
    return clauses


def _check_worker_filter(actor: Actor, filt: CaseloadFilter) -> None:
    """A link worker sees their own caseload; only managers and admins look at another's."""
    if filt.worker_id in (None, actor.user_id) or can(actor, "caseload.switch_worker"):
        return
    raise PermissionDenied("Only a manager can look at another worker's caseload.")


def ids_query(actor: Actor, filt: CaseloadFilter, sort: str = "name", descending: bool = False):
    """The one SELECT behind ``person_ids`` (exposed so tests can EXPLAIN it)."""
    _check_worker_filter(actor, filt)
    query = (
        select(Person.id)
        .select_from(Person)
        .outerjoin(Current, Current.id == Person.current_episode_id)
    )
    if sort == "worker":
        query = query.outerjoin(User, User.id == Current.worker_id)
    return query.where(*_filter_clauses(actor, filt)).order_by(
        *_sort_columns(sort, descending), Person.id
    )


def person_ids(
    caseload: Caseload | Session,
    actor: Actor,
    filt: CaseloadFilter,
    sort: str = "name",
    descending: bool = False,
    limit: int | None = None,
) -> list[str]:
    """The ids of every person matching ``filt`` that ``actor`` may see, in display order
    (only the first ``limit`` if given: the first screenful, before the whole list)."""
    _check_worker_filter(actor, filt)
    with _reading(caseload) as session:
        if _from_index(actor, filt, sort, descending):
            return _from_caseload_index(session, filt, limit)
        query = ids_query(actor, filt, sort, descending)
        if limit is not None:
            query = query.limit(limit)
        return list(session.execute(query).scalars())


def first_page(
    caseload: Caseload | Session,
    actor: Actor,
    filt: CaseloadFilter,
    sort: str = "name",
    descending: bool = False,
    shown: int | None = None,
) -> tuple[list[str], list[PersonRow]]:
    """The first ``PAGE_SIZE`` ids and the rows of the first ``shown`` of them in one read:
    what the screen shows while the whole id list (``person_ids``) is still being gathered.
    The default list and its search read the caseload index and stop after one page, in
    milliseconds at any size. A screen showing fewer rows than a page asks only for those
    (``shown``; None: the whole page):
    each row read at a new word's first key meets cold pages (the person, their journey, and
    for a link worker their scope), most of that key's read at 150,000 people (issue 15)."""
    with _reading(caseload) as session:
        ids = person_ids(session, actor, filt, sort, descending, limit=PAGE_SIZE)
        return ids, rows_for(session, actor, ids[:shown], as_of=filt.as_of)


# --- the default list and its search, from the caseload index --------------------------------

def _from_index(actor: Actor, filt: CaseloadFilter, sort: str, descending: bool) -> bool:
    """Is this list the caseload index's (``caseload_index``): name order, no filter but the
    worker, the search and "include exited", for someone who sees everyone or a link worker
    looking at their own caseload (whose current journeys are theirs, so in their scope)?"""
    if sort != "name" or descending or filt.worker_id == UNASSIGNED:
        return False
    if filt.stage or filt.contract_id or filt.overdue_only or filt.no_baseline \
            or filt.latest_change:
        return False
    own = actor.role == "link_worker" and filt.worker_id == actor.user_id
    return own or sees_everyone(actor)


def _from_caseload_index(session: Session, filt: CaseloadFilter, limit: int | None) -> list[str]:
    """The list from the caseload index alone: with no search, a walk of an index in name
    order; with one, FTS5's matches (see ``caseload_index.first_matching``). Neither reads a
    person's row or joins a journey."""
    found = match_query(filt.text)
    if found == NEVER:
        return []
    listed = select(entries.c.person_id)
    if filt.worker_id is not None:
        listed = listed.where(entries.c.worker_id == filt.worker_id)
    if not filt.include_exited:
        listed = listed.where(entries.c.open.is_(True))
    listed = listed.order_by(entries.c.family_name, entries.c.given_name, entries.c.person_id)
    if found is None:
        return list(session.execute(listed.limit(limit)).scalars())
    query = within_list(found, filt.worker_id, filt.include_exited)
    if limit is None:
        return all_matching(session, query, listed)
    return first_matching(session, query, limit)


# --- rows, a page at a time -----------------------------------------------------------------

PAGE_SIZE = 100


def _name(family: str, given: str) -> str:
    return f"{family}, {given}" if family and given else family or given


def rows_for(
    caseload: Caseload | Session, actor: Actor, ids: Sequence[str], as_of: dt.date | None = None
) -> list[PersonRow]:
    """The rows for ``ids`` (one page), in the same order; ids the actor may not see are left out.

    Pages are at most a few hundred ids, well inside SQLite's limit on bound parameters.
    """
    if not ids:
        return []
    today = as_of or dt.date.today()
    with _reading(caseload) as session:
        found = {row[0]: _row(row, today)
                 for row in plain_rows(session, _rows_query(actor), ids=list(ids))}
    return [found[i] for i in ids if i in found]


@functools.lru_cache(maxsize=8)
def _rows_query(actor: Actor):
    """``rows_for``'s SELECT for this actor, built once: building it (the scope's subqueries
    included) and finding its compiled form was a sixth of a keystroke's read (issue 15)."""
    return (
        select(*_ROW_COLUMNS, Current.stage, Current.next_review_due, Current.latest_change,
               User.display_name)
        .select_from(Person)
        .outerjoin(Current, Current.id == Person.current_episode_id)
        .outerjoin(User, User.id == Current.worker_id)
        .where(Person.id.in_(bindparam("ids", expanding=True)), people_scope(actor),
               Person.deleted_at.is_(None))
    )


# Only the columns a row shows: a whole Person (every column, JSON included) for each of a
# page's people cost more than the query.
_ROW_COLUMNS = (Person.id, Person.reference, Person.family_name, Person.given_name,
                Person.preferred_name, Person.date_of_birth, Person.nhs_number, Person.postcode)


def _row(row: tuple, today: dt.date) -> PersonRow:
    """A row of ``_rows_query`` as the driver returns it (``plain_rows``: dates as ISO text)."""
    (person_id, reference, family, given, preferred, born, nhs_number, postcode,
     stage, due, change, worker) = row
    born = _date(born)
    due = _date(due)
    first = preferred or given
    return PersonRow(
        id=person_id,
        reference=reference,
        name=_name(family, given),
        display_name=f"{first} {family}".strip(),
        preferred_name=preferred or "",
        age=age_on(born, today),
        stage=stage,
        stage_label=STAGE_LABELS.get(stage, "") if stage else "No journey",
        worker_name=worker or ("Unassigned" if stage else ""),
        next_review_due=due,
        overdue=due is not None and is_overdue(due, today),
        latest_change=change,
        latest_change_label=CHANGE_LABELS.get(change, "") if change else "",
        nhs_number=format_nhs_number(nhs_number),
        postcode=postcode or "",
    )


def _date(stored: str | dt.date | None) -> dt.date | None:
    """A date column as the driver returns it: ISO text in SQLite (SQLAlchemy's own format)."""
    if stored is None or isinstance(stored, dt.date):
        return stored
    return dt.date.fromisoformat(stored)


def pages(ids: Sequence[str], size: int = PAGE_SIZE) -> list[Sequence[str]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


# --- filter choices -------------------------------------------------------------------------


def filter_options(caseload: Caseload | Session, actor: Actor, *,
                   own_count_only: bool = False) -> FilterOptions:
    """Workers (with the size of each one's caseload) and contracts, for the filter bar.

    The counts walk the caseload index's worker index (open entries per worker), a few
    milliseconds at 150,000 people; the first screen still asks with ``own_count_only``
    (only the actor's own count, all ``default_worker`` needs) and the rest later."""
    switch = can(actor, "caseload.switch_worker")
    # the caseload index's worker walk: no journey joined to its person
    counts = (select(entries.c.worker_id, func.count()).where(entries.c.open.is_(True))
              .group_by(entries.c.worker_id))
    if own_count_only:
        counts = counts.where(entries.c.worker_id == actor.user_id)
    staff = select(User).where(User.role.in_(("link_worker", "manager", "coordinator")))
    if not switch:
        staff = staff.where(User.id == actor.user_id)
    with _reading(caseload) as session:
        per_worker: dict[str | None, int] = dict(session.execute(counts).all())
        workers = tuple(
            WorkerOption(u.id, u.display_name, u.role, u.active, per_worker.get(u.id, 0))
            for u in session.execute(staff.order_by(User.display_name)).scalars()
            if u.active or per_worker.get(u.id)
        )
        contracts = tuple(
            ContractOption(c.id, c.name)
            for c in session.execute(select(Contract).order_by(Contract.name)).scalars()
        )
    return FilterOptions(workers, contracts, switch, counted=not own_count_only or not switch)


# --- the read-only summary ------------------------------------------------------------------


def person_summary(
    caseload: Caseload | Session, actor: Actor, person_id: str, as_of: dt.date | None = None
) -> PersonSummary:
    """The person's summary; looking at it is recorded in the audit trail as a record view."""
    today = as_of or dt.date.today()
    with _writing(caseload) as session:
        person = require_person(session, actor, person_id, "view")
        episode = session.get(Episode, person.current_episode_id) if person.current_episode_id \
            else None
        summary = _summary(session, person, episode, today)
        audit.record(session, actor, "view_person", entity="person", entity_id=person.id,
                     person_id=person.id, details={"view": "summary"})
    return summary


def _summary(session: Session, person: Person, episode: Episode | None,
             today: dt.date) -> PersonSummary:
    episode_ids = select(Episode.id).where(Episode.person_id == person.id)
    contacts = session.execute(
        select(
            func.count().filter(Contact.status != "planned"),
            func.max(Contact.contact_date).filter(Contact.status != "planned"),
            func.min(Contact.contact_date).filter(Contact.status == "planned",
                                                  Contact.contact_date >= today),
        ).where(Contact.episode_id.in_(episode_ids))
    ).one()
    open_goals = session.execute(
        select(func.count()).where(Goal.episode_id.in_(episode_ids), Goal.status == "open")
    ).scalar_one()
    journeys = session.execute(select(func.count()).where(Episode.person_id == person.id))
    worker = session.get(User, episode.worker_id) if episode and episode.worker_id else None
    contract = session.get(Contract, episode.contract_id) if episode and episode.contract_id \
        else None
    due = episode.next_review_due if episode else None
    change = episode.latest_change if episode else None
    address = ", ".join(p for p in (person.address_line1, person.address_line2, person.town) if p)
    return PersonSummary(
        id=person.id,
        reference=person.reference,
        display_name=person.display_name,
        given_name=person.given_name,
        family_name=person.family_name,
        preferred_name=person.preferred_name or "",
        date_of_birth=person.date_of_birth,
        age=age_on(person.date_of_birth, today),
        nhs_number=format_nhs_number(person.nhs_number),
        gender=person.gender_self_described or GENDERS.get(person.gender or "", ""),
        address=address,
        postcode=person.postcode or "",
        phone=person.phone or "",
        email=person.email or "",
        gp_practice=person.gp_practice or "",
        stage_label=STAGE_LABELS.get(episode.stage, episode.stage) if episode else "No journey",
        worker_name=worker.display_name if worker else ("Unassigned" if episode else ""),
        contract_name=contract.name if contract else "",
        referral_date=episode.referral_date if episode else None,
        first_meeting_date=episode.first_meeting_date if episode else None,
        exit_date=episode.exit_date if episode else None,
        next_review_due=due,
        overdue=due is not None and is_overdue(due, today),
        latest_change_label=CHANGE_LABELS.get(change, "") if change else "No follow-up yet",
        journeys=journeys.scalar_one(),
        contacts=contacts[0] or 0,
        last_contact=contacts[1],
        next_appointment=contacts[2],
        open_goals=open_goals,
    )


# --- sessions -------------------------------------------------------------------------------


def _reading(target: Caseload | Session):  # a context manager
    return unit_of_work(target, write=False)


def _writing(target: Caseload | Session):  # a context manager
    return unit_of_work(target, write=True)
