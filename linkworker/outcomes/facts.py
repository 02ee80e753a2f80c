"""Everything the rules of one contract need, loaded with a handful of set-based queries.

A return over 50,000 people must take seconds, so nothing here queries per person: each table
is read once (only the columns and rows the contract's rules use) and grouped into plain
dictionaries keyed by journey. The rules then work on these in memory.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import text
from sqlalchemy.orm import Session

from linkworker.outcomes.dialect import SqlWords, words_for
from linkworker.outcomes.kinds import Needs, kind_of

if TYPE_CHECKING:
    from linkworker.outcomes.contract import ContractDef, Outcome


class PersonRow(NamedTuple):
    id: str
    reference: str
    date_of_birth: dt.date | None
    gender: str | None
    ethnicity_code: str | None
    disability: str | None
    imd_decile: int | None
    postcode: str | None
    erased: bool  # deleted or anonymised
    deleted: bool = False


class EpisodeRow(NamedTuple):
    id: str
    person_id: str
    number: int
    referral_date: dt.date
    first_meeting_date: dt.date | None
    exit_date: dt.date | None
    exit_reason: str | None
    eligibility: str | None

    def start(self, anchor: str) -> dt.date | None:
        """The referral or recorded first meeting (``Facts.anchor`` adds first contact)."""
        return self.referral_date if anchor == "referral" else self.first_meeting_date


class ContactRow(NamedTuple):
    date: dt.date
    id: str
    mode: str
    purpose: str | None


class FormRow(NamedTuple):
    """A complete, scored form (or one answered item of an item-reported instrument)."""

    date: dt.date
    created: dt.datetime
    id: str
    value: float
    timepoint: str
    # False: recorded with no journey, and placed in the journey referred by its date
    on_journey: bool = True


class GoalRow(NamedTuple):
    date: dt.date | None
    id: str
    category: str
    status: str


class ConsentRow(NamedTuple):
    kind: str
    given: bool
    recorded_on: dt.date
    expires_on: dt.date | None
    withdrawn_on: dt.date | None

    def valid_on(self, day: dt.date) -> bool:
        return (
            self.given
            and self.recorded_on <= day
            and (self.withdrawn_on is None or self.withdrawn_on > day)
            and (self.expires_on is None or self.expires_on >= day)
        )


class ExternalRow(NamedTuple):
    id: str
    person_id: str
    achieved: bool
    achieved_on: dt.date | None
    value: float | None
    source: str | None


@dataclass
class Facts:
    """The loaded caseload slice of one contract."""

    people: dict[str, PersonRow] = field(default_factory=dict)
    episodes: dict[str, EpisodeRow] = field(default_factory=dict)
    contacts: dict[str, list[ContactRow]] = field(default_factory=dict)  # attended, by episode
    first_contact: dict[str, dt.date] = field(default_factory=dict)  # first attended, by episode
    future_contacts: list[tuple[str, dt.date]] = field(default_factory=list)
    forms: dict[tuple[str, str, str | None], list[FormRow]] = field(default_factory=dict)
    incomplete_forms: list[tuple[str, str, dt.date, str]] = field(default_factory=list)
    goals: dict[str, list[GoalRow]] = field(default_factory=dict)
    # person id -> recorded (code, term) pairs, for eligibility.conditions_check
    conditions: dict[str, set[tuple[str | None, str | None]]] = field(default_factory=dict)
    consents: dict[str, list[ConsentRow]] = field(default_factory=dict)
    external: dict[str, list[ExternalRow]] = field(default_factory=dict)  # by outcome id
    # outcome id -> achievements SQL found while loading (``load_facts(in_sql=True)``)
    found: dict[str, list[Any]] = field(default_factory=dict)
    # What rules of one kind share, worked out once per journey (``MeasureChange``: a change
    # and the same change sustained have one baseline and one first follow-up)
    shared: dict[Any, dict[str, Any]] = field(default_factory=dict)

    def anchor(self, episode: EpisodeRow, anchor: str) -> dt.date | None:
        """The date a rule's days count from. ``first_attended_contact`` is the earliest
        attended contact; ``first_meeting`` is the recorded first meeting, or the earliest
        attended contact where none is recorded."""
        if anchor == "referral":
            return episode.referral_date
        if anchor == "first_meeting" and episode.first_meeting_date is not None:
            return episode.first_meeting_date
        return self.first_contact.get(episode.id)

    def episodes_of(self, person_id: str) -> list[EpisodeRow]:
        return sorted(
            (e for e in self.episodes.values() if e.person_id == person_id),
            key=lambda e: e.number,
        )


def _rows(session: Session, sql: str, **params: Any) -> list[tuple]:
    """Plain tuples from the session's own connection (so its snapshot). On SQLite without
    SQLAlchemy's row processing: at 150,000 people a return reads ~110,000 contacts, and typed
    rows cost half as much again as reading them; dates arrive as ISO text there (``_day``).
    At a hub (PostgreSQL) the driver gives dates as dates, through the same ``text`` binds.
    Each statement names the covering index it is written for (migrations 0007, 0009): every
    column it reads is in that index, so no table row is read."""
    if session.get_bind().dialect.name != "sqlite":
        return [tuple(row) for row in session.execute(text(sql), params)]
    cursor = session.connection().connection.driver_connection.cursor()
    try:
        return cursor.execute(sql, params).fetchall()
    finally:
        cursor.close()


def _as_day(value: str | dt.date) -> dt.date:
    """A stored date: ISO text on SQLite, a date from PostgreSQL."""
    return dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value


def _days() -> Callable[[str | None], dt.date | None]:
    """ISO text -> date, each distinct day parsed once (a contract's rows fall on a few
    thousand days)."""
    seen: dict[str | None, dt.date | None] = {None: None}

    def day(text: str | None) -> dt.date | None:
        try:
            return seen[text]
        except KeyError:
            seen[text] = found = _as_day(text)  # type: ignore[arg-type]
            return found

    return day


def _moment(value: str | dt.datetime | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


def _in(name: str, values: Sequence[Any]) -> tuple[str, dict[str, Any]]:
    """``IN (:name0, :name1, ...)`` and its parameters."""
    params = {f"{name}{n}": value for n, value in enumerate(values)}
    return "(" + ", ".join(f":{key}" for key in params) + ")", params


# The contract's journeys (ix_episodes_contract_journeys) and their people, from
# ix_people_return (0009). Named: SQLite would take the unique index on ``id``, which is not
# covering, and read each person's row (a page each).
_EPISODES = """
    SELECT {w.journey_order}, e.id, e.person_id, e.number, e.referral_date,
           e.first_meeting_date, e.exit_date, e.exit_reason, e.eligibility, p.reference,
           p.date_of_birth, p.gender, p.ethnicity_nhs_code, p.disability, p.imd_decile,
           p.postcode, p.deleted_at, p.anonymised_at
    FROM episodes e JOIN people p {w.people_index} ON p.id = e.person_id
    WHERE e.contract_id = :contract"""

# A person of the contract (for tables keyed by person).
_PEOPLE = "SELECT person_id FROM episodes WHERE contract_id = :contract"


def _episodes(session: Session, contract_id: str, facts: Facts, words: SqlWords) -> None:
    """The journeys in stored order (``SqlWords.journey_order``): the order the rules meet
    them, which decides only ties the documented orders leave open (e.g. exclusions of one
    person's two journeys for one outcome on one day). Sorted here, not in SQL, so SQLite
    reads the covering index rather than every journey's row."""
    day = _days()
    for (_, episode_id, person_id, number, referral, first_meeting, exit_date, exit_reason,
         eligibility, reference, born, gender, ethnicity, disability, imd, postcode, deleted,
         anonymised) in sorted(_rows(session, _EPISODES.format(w=words), contract=contract_id)):
        facts.episodes[episode_id] = EpisodeRow(
            episode_id, person_id, number, day(referral), day(first_meeting), day(exit_date),
            exit_reason, eligibility)
        if person_id not in facts.people:
            facts.people[person_id] = PersonRow(
                person_id, reference, day(born), gender, ethnicity, disability, imd, postcode,
                deleted is not None or anonymised is not None, deleted is not None)


# Attended contacts of the contract's journeys, each journey's in date order, straight from
# ix_contacts_attended (partial: attended contacts only).
_CONTACTS = """
    SELECT c.episode_id, c.contact_date, c.id, c.mode, c.purpose
    FROM episodes e {w.cross_join} contacts c ON c.episode_id = e.id
    WHERE e.contract_id = :contract AND c.status = 'attended'"""


def _contacts(session: Session, contract_id: str, facts: Facts, today: dt.date,
              within: int | None, words: SqlWords) -> None:
    """Attended contacts, read once (each journey's from the covering index): each journey's
    first attended contact, those within the longest engagement window of any anchor
    (referral, first meeting, first attended contact), and those dated after today (for the
    data-quality list). With no engagement rule only the first contact (the first meeting's
    stand-in and an anchor) and future ones are kept."""
    attended: dict[str, list[ContactRow]] = defaultdict(list)
    rows = _rows(session, _CONTACTS.format(w=words), contract=contract_id)
    # Each distinct day parsed once, before the loop, so the loop only looks days up.
    days = {when: _as_day(when) for when in {row[1] for row in rows}}
    new = tuple.__new__  # ContactRow without its Python-level __new__: ~110,000 at 150k
    for episode_id, when, contact_id, mode, purpose in rows:
        attended[episode_id].append(new(ContactRow, (days[when], contact_id, mode, purpose)))
    span = None if within is None else dt.timedelta(days=within)
    grouped: dict[str, list[ContactRow]] = {}
    for episode_id, items in attended.items():
        items.sort()  # (date, id), as ContactRow's first two fields
        first = items[0].date
        facts.first_contact[episode_id] = first
        episode = facts.episodes[episode_id]
        last = first if span is None else max(
            start + span for start in (first, episode.referral_date, episode.first_meeting_date)
            if start is not None)
        kept = [c for c in items if c.date <= last or c.date > today]
        facts.future_contacts.extend((episode_id, c.date) for c in kept if c.date > today)
        grouped[episode_id] = kept
    facts.contacts = grouped


# Each journey of the contract with its first attended contact (an anchor), its attended
# contacts dated after today (data quality) and a column per outcome SQL evaluates, all from
# ix_contacts_attended, one journey after the other: a journey's index pages are read once
# for all of them (at 150,000 people they do not stay in the page cache from one statement to
# the next).
_IN_SQL = """
    SELECT e.id, (SELECT MIN(c.contact_date) FROM contacts c
                  WHERE c.episode_id = e.id AND c.status = 'attended'),
           (SELECT {w.join_texts}({day_text}, ',') FROM contacts c
            WHERE c.episode_id = e.id AND c.status = 'attended' AND c.contact_date > :today)
           {columns}
    FROM episodes e WHERE e.contract_id = :contract"""


def _in_sql(session: Session, contract_id: str, facts: Facts, today: dt.date,
            outcomes: list[Outcome], words: SqlWords) -> None:
    """What the return needs of contacts when their rules are evaluated in SQL (SQLite on a
    laptop, PostgreSQL at a hub): each journey's first attended contact, the attended contacts
    dated after today, and the outcomes' achievements (``RuleKind.sql_column`` / ``from_sql``)
    into ``Facts.found``."""
    columns, params = [], {}
    for n, outcome in enumerate(outcomes):
        sql, values = kind_of(outcome.rule.kind).sql_column(outcome, n, words)
        columns.append(sql)
        params.update(values)
    found: list[dict[str, Any]] = [{} for _ in outcomes]
    day, future = _days(), []
    for episode_id, first, later, *values in _rows(
            session, _IN_SQL.format(columns="".join(", " + c for c in columns), w=words,
                                    day_text=words.as_text("c.contact_date")),
            contract=contract_id, today=words.day(today), **params):
        if episode_id not in facts.episodes:
            continue
        if first is not None:
            facts.first_contact[episode_id] = day(first)
        if later:
            future.extend((episode_id, day(when)) for when in later.split(","))
        for mine, value in zip(found, values, strict=True):
            if value is not None:
                mine[episode_id] = value
    facts.future_contacts = sorted(future)
    for outcome, mine in zip(outcomes, found, strict=True):
        facts.found[outcome.id] = list(kind_of(outcome.rule.kind).from_sql(outcome, facts, mine))


def _episode_for(facts: Facts, by_person: dict[str, list[EpisodeRow]], person_id: str,
                 day: dt.date) -> str | None:
    """The contract journey a form with no journey belongs to: the latest referred by then."""
    best = None
    for episode in by_person.get(person_id, ()):
        if episode.referral_date <= day:
            best = episode.id
    return best


# Forms of the named instruments by anyone with a journey in the contract (a form with no
# journey is placed by its date). ix_measures_instrument_forms (0009): instrument first, so
# the contract's people are looked up inside its instruments' part of the index. It is partial
# on ``_EVERY_FORM`` (true of every form), so that only a statement saying so takes it.
_EVERY_FORM = "m.complete IN (false, true)"
_FORMS = """
    SELECT m.person_id, m.episode_id, m.instrument, m.completed_on, m.created_at, m.id,
           m.timepoint, m.complete, m.value
    FROM measures m
    WHERE m.person_id IN (""" + _PEOPLE + """) AND m.instrument IN {instruments}
      AND """ + _EVERY_FORM

# One item's answers on forms of an item-reported instrument (ONS4 "happy").
_ITEM_FORMS = """
    SELECT m.person_id, m.episode_id, m.instrument, m.completed_on, m.created_at, m.id,
           m.timepoint, m.complete, a.answer
    FROM measures m JOIN measure_answers a ON a.measure_id = m.id AND a.item = :item
    WHERE m.person_id IN (""" + _PEOPLE + """) AND m.instrument = :instrument
      AND a.answer IS NOT NULL AND """ + _EVERY_FORM


def _forms(session: Session, contract_id: str, facts: Facts, wanted: set[tuple[str, str | None]],
           instrument_items: dict[tuple[str, str | None], int | None]) -> None:
    """Complete forms of the instruments (and items) the rules name, grouped by journey."""
    by_person: dict[str, list[EpisodeRow]] = defaultdict(list)
    for episode in sorted(facts.episodes.values(), key=lambda e: e.referral_date):
        by_person[episode.person_id].append(episode)
    instruments = sorted({code for code, _ in wanted})
    if not instruments:
        return
    grouped: dict[tuple[str, str, str | None], list[FormRow]] = defaultdict(list)
    day = _days()

    def place(person_id: str, episode_id: str | None, completed: dt.date) -> str | None:
        if episode_id in facts.episodes:
            return episode_id
        if episode_id is None:
            return _episode_for(facts, by_person, person_id, completed)
        return None  # a form from a journey outside this contract

    listed, params = _in("instrument", instruments)
    for (person_id, recorded, code, when, created, form_id, timepoint, complete,
         value) in _rows(session, _FORMS.format(instruments=listed), contract=contract_id,
                         **params):
        completed = day(when)
        episode_id = place(person_id, recorded, completed)
        if episode_id is None:
            continue
        if not complete:
            facts.incomplete_forms.append((episode_id, form_id, completed, code))
            continue
        if (code, None) in wanted and value is not None:
            grouped[(episode_id, code, None)].append(FormRow(
                completed, _moment(created), form_id, float(value), timepoint,
                recorded is not None))
    for (code, item), number in instrument_items.items():
        if item is None or number is None:
            continue
        for (person_id, recorded, _code, when, created, form_id, timepoint, _complete,
             answer) in _rows(session, _ITEM_FORMS, contract=contract_id, item=number,
                              instrument=code):
            completed = day(when)
            episode_id = place(person_id, recorded, completed)
            if episode_id is not None:
                grouped[(episode_id, code, item)].append(FormRow(
                    completed, _moment(created), form_id, float(answer), timepoint,
                    recorded is not None))
    for items in grouped.values():
        items.sort(key=lambda f: (f.date, f.created, f.id))
    facts.forms = dict(grouped)


# Goals that reached a status (not open) on the contract's journeys. ix_goals_episode_done.
_GOALS = """
    SELECT g.episode_id, g.status_date, g.id, g.category, g.status
    FROM episodes e {w.cross_join} goals g ON g.episode_id = e.id
    WHERE e.contract_id = :contract AND g.status != 'open'"""


def _goals(session: Session, contract_id: str, facts: Facts, words: SqlWords) -> None:
    grouped: dict[str, list[GoalRow]] = defaultdict(list)
    day = _days()
    for episode_id, when, goal_id, category, status in _rows(
            session, _GOALS.format(w=words), contract=contract_id):
        grouped[episode_id].append(GoalRow(day(when), goal_id, category, status))
    for items in grouped.values():
        items.sort(key=lambda g: (g.date or dt.date.max, g.id))
    facts.goals = dict(grouped)


# ix_conditions_person_terms, and ix_consents_kind_person (0009: kind first, so the lookups
# stay inside the required kinds' part of the index: a few pages, not one per person).
_CONDITIONS = ("SELECT person_id, code, term FROM conditions WHERE person_id IN ("
               + _PEOPLE + ")")
_CONSENTS = """
    SELECT person_id, kind, given, recorded_on, expires_on, withdrawn_on FROM consents
    WHERE person_id IN (""" + _PEOPLE + """) AND kind IN {kinds}"""


def _people_details(session: Session, contract_id: str, facts: Facts, cdef: ContractDef) -> None:
    if cdef.eligibility.conditions:
        for person_id, code, term in _rows(session, _CONDITIONS, contract=contract_id):
            facts.conditions.setdefault(person_id, set()).add((code, term))
    if cdef.consent_required:
        day = _days()
        listed, params = _in("kind", list(cdef.consent_required))
        for person_id, kind, given, recorded, expires, withdrawn in _rows(
            session, _CONSENTS.format(kinds=listed), contract=contract_id, **params
        ):
            facts.consents.setdefault(person_id, []).append(
                ConsentRow(kind, bool(given), day(recorded), day(expires), day(withdrawn)))


_EXTERNAL = """
    SELECT outcome_id, id, person_id, achieved, achieved_on, value, source
    FROM external_results WHERE contract_id = :contract ORDER BY person_id, id"""


def _external(session: Session, contract_id: str, facts: Facts) -> None:
    grouped: dict[str, list[ExternalRow]] = defaultdict(list)
    day = _days()
    for outcome_id, result_id, person_id, achieved, achieved_on, value, source in _rows(
        session, _EXTERNAL, contract=contract_id
    ):
        grouped[outcome_id].append(ExternalRow(
            result_id, person_id, bool(achieved), day(achieved_on), value, source))
    facts.external = dict(grouped)



def needs_of(cdef: ContractDef) -> Needs:
    """What the contract's rule kinds read, together (``RuleKind.needs``)."""
    return Needs.combine(kind_of(o.rule.kind).needs(o.rule) for o in cdef.outcomes)


def load_facts(
    session: Session, contract_id: str, cdef: ContractDef, *, today: dt.date,
    item_numbers: dict[tuple[str, str | None], int | None] | None = None,
    in_sql: bool = False,
) -> Facts:
    """Load the slice of the caseload the contract's rules and quality checks read: journeys,
    people and attended contacts always (anchors, data quality), and forms, goals and
    commissioner results only when a rule kind of the contract needs them.

    ``in_sql``: outcomes whose kind can be evaluated in SQL (``RuleKind.in_sql``) are, here,
    into ``Facts.found``, and what only they read is not loaded (the return does this; the
    Python evaluation stays the reference it is tested against). The same statements run on
    a laptop's SQLite and a hub's PostgreSQL (``outcomes.dialect`` fills in the few words
    they spell differently)."""
    facts, words = Facts(), words_for(session)
    by_sql = [o for o in cdef.outcomes if in_sql and kind_of(o.rule.kind).in_sql]
    in_python = {o.id for o in cdef.outcomes} - {o.id for o in by_sql}
    needs = Needs.combine(kind_of(o.rule.kind).needs(o.rule) for o in cdef.outcomes
                          if o.id in in_python)
    _episodes(session, contract_id, facts, words)
    if by_sql:
        _in_sql(session, contract_id, facts, today, by_sql, words)
    if not by_sql or needs.contact_days is not None:
        _contacts(session, contract_id, facts, today, needs.contact_days, words)
    if needs.forms:
        _forms(session, contract_id, facts, set(needs.forms), item_numbers or {})
    if needs.goals:
        _goals(session, contract_id, facts, words)
    _people_details(session, contract_id, facts, cdef)
    if needs.external:
        _external(session, contract_id, facts)
    return facts
