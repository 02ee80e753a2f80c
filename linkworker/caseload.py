"""The caseload list: who is on it, in what order, and one page of rows at a time.

A worker's list must answer within a keystroke at 50,000 people, so it is built the way Anki
builds its browser: ONE indexed query returns the ordered ids that match the filter and the
search (``person_ids``), and the screen asks for the rows it is about to show a page at a time
(``rows_for``). Nothing here loads the whole table.

Search is "what a link worker types": a name prefix ("smi", "Smith, Ma", "Mar Smi"), the
preferred name, a reference prefix, an NHS number (exact, only when ten digits are typed) or a
postcode prefix. Every form maps onto prefix comparisons on indexed columns (the name columns
are NOCASE, so SQLite's LIKE optimisation turns ``LIKE 'smi%'`` into an index range); ``%`` and
``_`` are dropped from what was typed so a prefix can never become a scan.

Each person's row describes their *current* journey (``Person.current_episode_id``), using the
summaries ``linkworker.journey.refresh_summaries`` keeps (``next_review_due``,
``latest_change``), so sorting and filtering never compute anything per row.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, exists, false, func, not_, or_, select
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
from linkworker.validation import OUTWARD_CODE, age_on, format_nhs_number, nhs_digits

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

_OUTWARD = re.compile(OUTWARD_CODE)
_INWARD_PREFIX = re.compile(r"[0-9][A-Z]{0,2}")
_NHS_TYPED = re.compile(r"[0-9][0-9\s-]{8,}[0-9]")


def _prefix(text: str) -> str:
    """A LIKE prefix pattern; wildcards typed by the user are dropped, never interpreted."""
    return re.sub(r"[%_]", "", text) + "%"


def _name_starts(column, text: str) -> ColumnElement[bool]:  # a NOCASE column
    return column.like(_prefix(text))


def _first_name_starts(text: str) -> ColumnElement[bool]:
    return or_(_name_starts(Person.given_name, text), _name_starts(Person.preferred_name, text))


def postcode_prefixes(text: str) -> list[str]:
    """The stored forms a typed postcode fragment could begin ("ne14s" -> "NE1 4S", ...).

    Postcodes are stored normalised ("NE1 4ST"); people type them in any case, with or without
    the space. Where the space is missing every split that could be a real outward code is
    tried, so "NE14" finds both "NE1 4.." and "NE14 ..".
    """
    compact = re.sub(r"\s+", "", text).upper()
    if not compact or not compact.isalnum() or not compact[0].isalpha():
        return []
    found: list[str] = []
    if " " in text.strip():
        outward, _, inward = text.strip().upper().partition(" ")
        inward = inward.replace(" ", "")
        if _OUTWARD.fullmatch(outward) and (not inward or _INWARD_PREFIX.fullmatch(inward)):
            found.append(f"{outward} {inward}")
        return found
    if re.fullmatch(r"[A-Z]{1,2}[0-9]?", compact) or _OUTWARD.fullmatch(compact):
        found.append(compact)  # a bare area or district: "NE", "NE1", "NE14"
    for cut in range(2, min(len(compact), 4) + 1):
        outward, inward = compact[:cut], compact[cut:]
        if inward and _OUTWARD.fullmatch(outward) and _INWARD_PREFIX.fullmatch(inward):
            found.append(f"{outward} {inward}")
    return found


def _reference_starts(text: str) -> ColumnElement[bool] | None:
    """References are matched by GLOB (case-sensitive) so the unique index serves the prefix."""
    cleaned = re.sub(r"[*?\[\]]", "", text.strip())
    forms = [form for form in dict.fromkeys((cleaned.upper(), cleaned)) if form]
    return or_(*(Person.reference.op("GLOB")(form + "*") for form in forms)) if forms else None


def search_clause(text: str) -> ColumnElement[bool] | None:
    """The WHERE clause for what was typed in the search box; None for an empty box."""
    text = " ".join(text.split())
    if not text:
        return None
    if _NHS_TYPED.fullmatch(text):
        digits = nhs_digits(text)
        if len(digits) == 10:
            return Person.nhs_number == digits
    options: list[ColumnElement[bool]] = []
    if "," in text:  # "Family, Given"
        family, _, given = (part.strip() for part in text.partition(","))
        if family:
            clause = _name_starts(Person.family_name, family)
            options.append(and_(clause, _first_name_starts(given)) if given else clause)
    else:
        words = text.split(" ")
        options += [
            _name_starts(Person.family_name, text),
            _name_starts(Person.given_name, text),
            _name_starts(Person.preferred_name, text),
        ]
        if len(words) > 1:  # "Given Family" (first word a given or preferred name)
            rest = " ".join(words[1:])
            options += [
                and_(_name_starts(Person.given_name, words[0]),
                     _name_starts(Person.family_name, rest)),
                and_(_name_starts(Person.preferred_name, words[0]),
                     _name_starts(Person.family_name, rest)),
            ]
    reference = _reference_starts(text)
    if reference is not None and " " not in text:
        options.append(reference)
    options += [Person.postcode.like(p + "%") for p in postcode_prefixes(text)]
    return or_(*options) if options else false()


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
    query = ids_query(actor, filt, sort, descending)
    if limit is not None:
        query = query.limit(limit)
    with _reading(caseload) as session:
        return list(session.execute(query).scalars())


def first_page(
    caseload: Caseload | Session,
    actor: Actor,
    filt: CaseloadFilter,
    sort: str = "name",
    descending: bool = False,
) -> tuple[list[str], list[PersonRow]]:
    """The first ``PAGE_SIZE`` ids and their rows in one read: what the screen shows while the
    whole id list (``person_ids``) is still being gathered. With the sort's index the query
    stops after one page, so it answers in milliseconds at any caseload size."""
    with _reading(caseload) as session:
        ids = None
        if _window_may_fill(actor, filt, sort, descending):
            ids = _first_in_name_window(session, actor, filt)
        if ids is None:
            ids = person_ids(session, actor, filt, sort, descending, limit=PAGE_SIZE)
        return ids, rows_for(session, actor, ids, as_of=filt.as_of)


# How many people, in name order, a search's first screenful looks through before it falls
# back to gathering every match through the name indexes.
NAME_WINDOW = 5_000
SHORT_SEARCH = 3  # letters; longer searches match few enough for the indexes to be quicker


def _window_may_fill(actor: Actor, filt: CaseloadFilter, sort: str, descending: bool) -> bool:
    """A short search over everyone, in name order: the many-matches case. A worker's own
    caseload is a few hundred people scattered through the names, so it never fills."""
    return (0 < len(filt.text.strip()) <= SHORT_SEARCH and sort == "name" and not descending
            and filt.worker_id is None and sees_everyone(actor))


def _first_in_name_window(session: Session, actor: Actor, filt: CaseloadFilter) -> list[str] | None:
    """The first screenful of a search from the first ``NAME_WINDOW`` people in name order, or
    None if fewer than a screenful match there.

    A short search ("n", "r") matches thousands: gathering and sorting them all took seconds
    per keystroke at 50,000 people. Looking only at the first people in display order is
    bounded, and when a whole screenful matches there it is exactly the list's start (every
    person before the last of them has been looked at). A rare match falls back to the
    indexes, which are quick when there are few."""
    first = aliased(Person)
    window = (select(first.id)
              .order_by(first.family_name, first.given_name, first.id).limit(NAME_WINDOW))
    query = ids_query(actor, filt).where(Person.id.in_(window)).limit(PAGE_SIZE)
    ids = list(session.execute(query).scalars())
    return ids if len(ids) == PAGE_SIZE else None


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
    query = (
        select(Person, Current.stage, Current.next_review_due, Current.latest_change,
               User.display_name)
        .outerjoin(Current, Current.id == Person.current_episode_id)
        .outerjoin(User, User.id == Current.worker_id)
        .where(Person.id.in_(list(ids)), people_scope(actor), Person.deleted_at.is_(None))
    )
    with _reading(caseload) as session:
        found = {
            person.id: _row(person, stage, due, change, worker, today)
            for person, stage, due, change, worker in session.execute(query)
        }
    return [found[i] for i in ids if i in found]


def _row(person: Person, stage, due, change, worker, today: dt.date) -> PersonRow:
    return PersonRow(
        id=person.id,
        reference=person.reference,
        name=_name(person.family_name, person.given_name),
        display_name=person.display_name,
        preferred_name=person.preferred_name or "",
        age=age_on(person.date_of_birth, today),
        stage=stage,
        stage_label=STAGE_LABELS.get(stage, "") if stage else "No journey",
        worker_name=worker or ("Unassigned" if stage else ""),
        next_review_due=due,
        overdue=due is not None and is_overdue(due, today),
        latest_change=change,
        latest_change_label=CHANGE_LABELS.get(change, "") if change else "",
        nhs_number=format_nhs_number(person.nhs_number),
        postcode=person.postcode or "",
    )


def pages(ids: Sequence[str], size: int = PAGE_SIZE) -> list[Sequence[str]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


# --- filter choices -------------------------------------------------------------------------


def filter_options(caseload: Caseload | Session, actor: Actor, *,
                   own_count_only: bool = False) -> FilterOptions:
    """Workers (with the size of each one's caseload) and contracts, for the filter bar.

    Counting everyone's caseload joins every current journey to its person (seconds at
    150,000 people), so the first screen asks with ``own_count_only``: only the actor's own
    count (all ``default_worker`` needs), through the worker index, and the rest later."""
    switch = can(actor, "caseload.switch_worker")
    counts = (
        select(Episode.worker_id, func.count())
        .join(Person, Person.current_episode_id == Episode.id)
        .where(Episode.stage != "exited", Person.deleted_at.is_(None))
        .group_by(Episode.worker_id)
    )
    if own_count_only:
        counts = counts.where(Episode.worker_id == actor.user_id)
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
