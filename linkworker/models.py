"""The caseload's data model (described in docs/ARCHITECTURE.md, "Data model").

Every record that may travel between laptops (sync packs, hub merge) has a UUID primary key,
so two laptops can create records offline without colliding. ``created_at``/``updated_at`` are
UTC and let sync decide what changed. Records that erasure rules may need to keep as anonymous
counts carry ``deleted_at``/``anonymised_at`` rather than being deleted.

A few columns are *summaries* the core maintains (``Person.current_episode_id``,
``Episode.next_review_due``, ``Episode.latest_change``): the caseload list sorts and filters on
them across 50,000 people, which a per-row computation could not do within a keystroke. Only
``linkworker.journey.refresh_summaries`` writes them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from linkworker.storage.pence import Pence, refuse_floats


def new_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Tracked:
    """UUID key and change timestamps shared by every synchronisable record."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


# --- people and staff -----------------------------------------------------------------------

ROLES = ("link_worker", "coordinator", "manager", "admin")


class User(Tracked, Base):
    """Someone who signs in: a link worker, coordinator, manager or admin."""

    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="link_worker")
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    venue: Mapped[str | None] = mapped_column(String(200))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)


class Person(Tracked, Base):
    """A person supported by the service (never "patient" or "case")."""

    __tablename__ = "people"

    reference: Mapped[str] = mapped_column(String(20), unique=True)
    given_name: Mapped[str] = mapped_column(String(100, collation="NOCASE"), index=True)
    family_name: Mapped[str] = mapped_column(String(100, collation="NOCASE"), index=True)
    preferred_name: Mapped[str | None] = mapped_column(String(100, collation="NOCASE"), index=True)
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date)
    nhs_number: Mapped[str | None] = mapped_column(String(10), index=True)
    address_line1: Mapped[str | None] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    town: Mapped[str | None] = mapped_column(String(100))
    postcode: Mapped[str | None] = mapped_column(String(8, collation="NOCASE"), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    contact_preferences: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    gender: Mapped[str | None] = mapped_column(String(2))  # NHS stated gender: 1, 2, 9, X
    gender_self_described: Mapped[str | None] = mapped_column(String(100))
    ethnicity: Mapped[str | None] = mapped_column(String(100))  # 2021 Census category
    ethnicity_nhs_code: Mapped[str | None] = mapped_column(String(2))  # derived, never typed
    disability: Mapped[str | None] = mapped_column(String(40))
    carer_status: Mapped[str | None] = mapped_column(String(40))
    living_circumstances: Mapped[str | None] = mapped_column(Text)
    gp_practice: Mapped[str | None] = mapped_column(String(200))
    imd_decile: Mapped[int | None] = mapped_column(Integer)
    imd_edition: Mapped[str | None] = mapped_column(String(10))
    is_volunteer: Mapped[bool] = mapped_column(Boolean, default=False)
    external_ref: Mapped[str | None] = mapped_column(String(100), index=True)
    current_episode_id: Mapped[str | None] = mapped_column(
        ForeignKey("episodes.id", use_alter=True, name="fk_people_current_episode"), index=True
    )
    anonymised_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    episodes: Mapped[list[Episode]] = relationship(
        back_populates="person", foreign_keys="Episode.person_id", order_by="Episode.number"
    )
    current_episode: Mapped[Episode | None] = relationship(
        foreign_keys=[current_episode_id], post_update=True
    )
    conditions: Mapped[list[Condition]] = relationship(
        back_populates="person", cascade="all, delete-orphan"
    )
    consents: Mapped[list[Consent]] = relationship(
        back_populates="person", cascade="all, delete-orphan"
    )

    __table_args__ = (
        Index("ix_people_name", "family_name", "given_name"),
        # The names Today and Due show and sort by, read from an index, not each person's row
        # (0007): by person (a contact's) and by current journey.
        Index("ix_people_names", "id", "deleted_at", "given_name", "preferred_name",
              "family_name", "reference"),
        Index("ix_people_current_names", "current_episode_id", "deleted_at", "anonymised_at",
              "given_name", "preferred_name", "family_name", "reference", "id"),
        # What the return reads of each person, without the person's row (0009).
        Index("ix_people_return", "id", "reference", "date_of_birth", "gender",
              "ethnicity_nhs_code", "disability", "imd_decile", "postcode", "deleted_at",
              "anonymised_at"),
    )

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.given_name
        return f"{first} {self.family_name}".strip()


class Condition(Tracked, Base):
    """A long-term condition: the coded term beside the person's own words ("bad chest")."""

    __tablename__ = "conditions"

    person_id: Mapped[str] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    code: Mapped[str | None] = mapped_column(String(40))
    term: Mapped[str | None] = mapped_column(String(200))
    own_words: Mapped[str | None] = mapped_column(String(400))

    person: Mapped[Person] = relationship(back_populates="conditions")

    __table_args__ = (  # the return reads these from the index alone (0007)
        Index("ix_conditions_person_terms", "person_id", "code", "term"),
    )


class Consent(Tracked, Base):
    """What the person agreed to, when, how it was recorded, and until when."""

    __tablename__ = "consents"

    person_id: Mapped[str] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(60))
    given: Mapped[bool] = mapped_column(Boolean, default=True)
    recorded_on: Mapped[dt.date] = mapped_column(Date)
    how: Mapped[str | None] = mapped_column(String(40))  # verbal, written, electronic
    expires_on: Mapped[dt.date | None] = mapped_column(Date)
    withdrawn_on: Mapped[dt.date | None] = mapped_column(Date)
    recorded_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))

    person: Mapped[Person] = relationship(back_populates="consents")

    __table_args__ = (  # the return reads these from the index alone (0007)
        Index("ix_consents_person_kind", "person_id", "kind", "given", "recorded_on",
              "expires_on", "withdrawn_on"),
        # ... by kind first: a contract's required kinds, in a few pages (0009)
        Index("ix_consents_kind_person", "kind", "person_id", "given", "recorded_on",
              "expires_on", "withdrawn_on"),
    )


class PersonAccess(Tracked, Base):
    """A person *given* to a user outside their own caseload (cover for leave, a coordinator's
    self-referral). ``linkworker.access`` reads it; only the people it names widen a scope."""

    __tablename__ = "person_access"

    person_id: Mapped[str] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    granted_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        UniqueConstraint("person_id", "user_id", name="uq_person_access"),
        # people_scope's EXISTS (user_id = ? AND person_id = ?) for a given user.
        Index("ix_person_access_user_person", "user_id", "person_id"),
    )


# --- the journey ----------------------------------------------------------------------------

class Episode(Tracked, Base):
    """One journey with the service, from referral to planned exit. Re-referral opens another."""

    __tablename__ = "episodes"

    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    number: Mapped[int] = mapped_column(Integer, default=1)
    referral_date: Mapped[dt.date] = mapped_column(Date, index=True)
    referral_source: Mapped[str | None] = mapped_column(String(40))
    referral_reasons: Mapped[list[Any] | None] = mapped_column(JSON)
    referrer_name: Mapped[str | None] = mapped_column(String(200))
    referrer_organisation: Mapped[str | None] = mapped_column(String(200))
    worker_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), index=True)
    contract_id: Mapped[str | None] = mapped_column(ForeignKey("contracts.id"), index=True)
    eligibility: Mapped[str | None] = mapped_column(String(20))  # eligible, ineligible, unchecked
    eligibility_notes: Mapped[str | None] = mapped_column(Text)
    stage: Mapped[str] = mapped_column(String(20), default="referred", index=True)
    first_contact_date: Mapped[dt.date | None] = mapped_column(Date)
    first_meeting_date: Mapped[dt.date | None] = mapped_column(Date)
    exit_date: Mapped[dt.date | None] = mapped_column(Date)
    exit_reason: Mapped[str | None] = mapped_column(String(40))
    what_matters: Mapped[str | None] = mapped_column(Text)
    crisis_plan: Mapped[str | None] = mapped_column(Text)
    external_ref: Mapped[str | None] = mapped_column(String(100), index=True)
    # Summaries maintained by linkworker.journey.refresh_summaries (see module docstring).
    next_review_due: Mapped[dt.date | None] = mapped_column(Date, index=True)
    latest_change: Mapped[str | None] = mapped_column(String(20), index=True)

    person: Mapped[Person] = relationship(back_populates="episodes", foreign_keys=[person_id])
    worker: Mapped[User | None] = relationship(foreign_keys=[worker_id])
    contacts: Mapped[list[Contact]] = relationship(
        back_populates="episode", order_by="Contact.contact_date"
    )
    goals: Mapped[list[Goal]] = relationship(back_populates="episode", order_by="Goal.agreed_date")
    signposts: Mapped[list[Signpost]] = relationship(back_populates="episode")
    unmet_needs: Mapped[list[UnmetNeed]] = relationship(back_populates="episode")

    __table_args__ = (
        UniqueConstraint("person_id", "number", name="uq_episode_number"),
        # people_scope's EXISTS (person_id = ? AND worker_id = ?) needs both in one index, or
        # SQLite may walk a worker's whole caseload once per person listed.
        Index("ix_episodes_person_worker", "person_id", "worker_id"),
        # Due's follow-up forms: open journeys by first meeting, read from the index alone
        # (migration 0007; exit_date is a column only so that the index covers the query).
        Index("ix_episodes_open_first_meeting", "first_meeting_date", "worker_id", "id",
              "exit_date", sqlite_where=text("exit_date IS NULL")),
        # A worker's open journeys with what Today's tasks and Due ask of them (0010).
        Index("ix_episodes_open_by_worker", "worker_id", "stage", "next_review_due",
              "first_meeting_date", "referral_date", "id", sqlite_where=text("exit_date IS NULL")),
        # Is this journey open? asked of an index by id, not the journey's row (a manager's
        # Today asks it of every open goal: 0011). Unique, and every column asked by equality,
        # so SQLite takes it over the id's own unique index (and then the journey's row).
        Index("ix_episodes_open_ids", "id", "exit_date", unique=True,
              sqlite_where=text("exit_date IS NULL")),
        # The return: a contract's journeys from the index alone (0007).
        Index("ix_episodes_contract_journeys", "contract_id", "id", "person_id", "number",
              "referral_date", "first_meeting_date", "exit_date", "exit_reason", "eligibility"),
    )


CONTACT_MODES = ("face_to_face", "phone", "video", "home_visit", "group", "text", "email")
CONTACT_STATUSES = ("planned", "attended", "did_not_attend", "cancelled", "no_answer")


class Contact(Tracked, Base):
    """A contact attempt, session, review or appointment (future ones are ``planned``)."""

    __tablename__ = "contacts"

    episode_id: Mapped[str] = mapped_column(ForeignKey("episodes.id"), index=True)
    worker_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    contact_date: Mapped[dt.date] = mapped_column(Date, index=True)
    start_time: Mapped[dt.time | None] = mapped_column(Time)
    mode: Mapped[str] = mapped_column(String(20), default="face_to_face")
    purpose: Mapped[str | None] = mapped_column(String(40))  # attempt, first_meeting, support...
    venue: Mapped[str | None] = mapped_column(String(200))
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="attended")
    note: Mapped[str | None] = mapped_column(Text)
    external_ref: Mapped[str | None] = mapped_column(String(100), index=True)

    episode: Mapped[Episode] = relationship(back_populates="contacts")

    __table_args__ = (
        Index("ix_contacts_worker_date", "worker_id", "contact_date"),
        # Due and overdue: planned contacts up to the end of the week, without scanning history.
        # Partial, so no plan can walk every attended contact through it (a full index on
        # status made SQLite read ~900,000 rows for one contract's or one worker's contacts).
        Index("ix_contacts_planned_date", "contact_date", sqlite_where=text("status = 'planned'")),
        # With the journey, worker and id, Due's keys read no contact row (0007).
        Index("ix_contacts_planned_due", "contact_date", "episode_id", "worker_id", "id",
              sqlite_where=text("status = 'planned'")),
        # A journey's attended contacts and review meetings (returns, Due, the summaries).
        Index("ix_contacts_episode_status", "episode_id", "status", "purpose"),
        # The return: a journey's attended contacts from the index alone (0007).
        Index("ix_contacts_attended", "episode_id", "contact_date", "mode", "purpose", "id",
              sqlite_where=text("status = 'attended'")),
        # A coordinator's register and the hub's scope: the contacts at a venue (0008).
        Index("ix_contacts_venue", "venue", "episode_id", sqlite_where=text("venue IS NOT NULL")),
        # Today: a day's contacts, and the planned ones later this week, with what a row shows,
        # read from the index alone (0010).
        Index("ix_contacts_day", "contact_date", "worker_id", "status", "start_time", "mode",
              "purpose", "venue", "episode_id", "id"),
        Index("ix_contacts_planned_day", "contact_date", "worker_id", "start_time", "mode",
              "purpose", "venue", "episode_id", "id", sqlite_where=text("status = 'planned'")),
    )


GOAL_CATEGORIES = (
    "activity",
    "social_connection",
    "mental_wellbeing",
    "physical_health",
    "money_debt",
    "housing",
    "employment_volunteering",
    "learning",
    "other",
)
GOAL_STATUSES = ("open", "achieved", "partly", "changed", "dropped")


class Goal(Tracked, Base):
    """A goal in the person's own words, with an action plan of steps and progress reviews."""

    __tablename__ = "goals"

    episode_id: Mapped[str] = mapped_column(ForeignKey("episodes.id"), index=True)
    own_words: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(40), default="other")
    agreed_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")
    status_date: Mapped[dt.date | None] = mapped_column(Date)
    external_ref: Mapped[str | None] = mapped_column(String(100), index=True)

    episode: Mapped[Episode] = relationship(back_populates="goals")
    steps: Mapped[list[GoalStep]] = relationship(
        back_populates="goal", cascade="all, delete-orphan", order_by="GoalStep.position"
    )
    reviews: Mapped[list[GoalReview]] = relationship(
        back_populates="goal", cascade="all, delete-orphan", order_by="GoalReview.review_date"
    )

    __table_args__ = (
        # Today: is a step's goal open? asked of this small index, not the goal (0007).
        Index("ix_goals_open", "id", "episode_id", sqlite_where=text("status = 'open'")),
        # The return: a journey's goals closed, from the index alone.
        Index("ix_goals_episode_done", "episode_id", "status_date", "id", "category", "status",
              sqlite_where=text("status != 'open'")),
    )


class GoalStep(Tracked, Base):
    """One step of an action plan: who does what by when."""

    __tablename__ = "goal_steps"

    goal_id: Mapped[str] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(Text)
    who: Mapped[str | None] = mapped_column(String(100))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    done_date: Mapped[dt.date | None] = mapped_column(Date)

    goal: Mapped[Goal] = relationship(back_populates="steps")

    __table_args__ = (
        # Today's tasks, most overdue first: the steps not done in due order (0007).
        Index("ix_goal_steps_open_due", "due_date", "goal_id",
              sqlite_where=text("done_date IS NULL")),
        # Today: each open goal's steps not done, by due date, with their ids: the earliest
        # due date of an open goal's step, where the first page's walk starts (0008), and a
        # manager's every task key, read goal by goal from the index alone (0011).
        Index("ix_goal_steps_open_by_goal_keys", "goal_id", "due_date", "id", "done_date",
              sqlite_where=text("done_date IS NULL")),
    )


class GoalReview(Tracked, Base):
    """A progress review of a goal (0-10 progress scale, status at the time)."""

    __tablename__ = "goal_reviews"

    goal_id: Mapped[str] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    review_date: Mapped[dt.date] = mapped_column(Date)
    progress: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="open")
    note: Mapped[str | None] = mapped_column(Text)

    goal: Mapped[Goal] = relationship(back_populates="reviews")


class Service(Tracked, Base):
    """A community service in the directory that people are signposted to."""

    __tablename__ = "services"

    name: Mapped[str] = mapped_column(String(200, collation="NOCASE"), index=True)
    category: Mapped[str] = mapped_column(String(60), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    venue: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    postcode: Mapped[str | None] = mapped_column(String(8))
    times: Mapped[str | None] = mapped_column(String(300))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    website: Mapped[str | None] = mapped_column(String(300))
    accessibility: Mapped[str | None] = mapped_column(Text)
    last_checked: Mapped[dt.date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    external_ref: Mapped[str | None] = mapped_column(String(100), index=True)


class Signpost(Tracked, Base):
    """A connection made to a service, accompanied or not, and whether the person took it up."""

    __tablename__ = "signposts"

    episode_id: Mapped[str] = mapped_column(ForeignKey("episodes.id"), index=True)
    service_id: Mapped[str | None] = mapped_column(ForeignKey("services.id"), index=True)
    signposted_on: Mapped[dt.date] = mapped_column(Date)
    accompanied: Mapped[bool] = mapped_column(Boolean, default=False)
    taken_up: Mapped[bool | None] = mapped_column(Boolean)  # None = not yet known
    taken_up_on: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    external_ref: Mapped[str | None] = mapped_column(String(100), index=True)

    episode: Mapped[Episode] = relationship(back_populates="signposts")
    service: Mapped[Service | None] = relationship()


class UnmetNeed(Tracked, Base):
    """Something the person needed that no local service offered (commissioners want these)."""

    __tablename__ = "unmet_needs"

    episode_id: Mapped[str] = mapped_column(ForeignKey("episodes.id"), index=True)
    recorded_on: Mapped[dt.date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text)

    episode: Mapped[Episode] = relationship(back_populates="unmet_needs")


class Note(Tracked, Base):
    """A free-text note or document reference on the person's record."""

    __tablename__ = "notes"

    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    episode_id: Mapped[str | None] = mapped_column(ForeignKey("episodes.id"))
    written_on: Mapped[dt.date] = mapped_column(Date)
    author_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)


# --- wellbeing measures ---------------------------------------------------------------------


class Measure(Tracked, Base):
    """One completed (or deliberately incomplete) wellbeing form.

    ``raw``/``value``/``complete`` are stored as scored at save time by
    ``linkworker.wellbeing.score`` so reports never re-derive them differently; ``value`` is
    ``None`` for incomplete forms and for instruments reported item by item (ONS4).
    """

    __tablename__ = "measures"

    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    episode_id: Mapped[str | None] = mapped_column(ForeignKey("episodes.id"), index=True)
    instrument: Mapped[str] = mapped_column(String(40))
    timepoint: Mapped[str] = mapped_column(String(20), default="baseline")
    completed_on: Mapped[dt.date] = mapped_column(Date)
    mode: Mapped[str] = mapped_column(String(20), default="with_worker")
    recorded_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    raw: Mapped[int | None] = mapped_column(Integer)
    value: Mapped[float | None] = mapped_column(Float)
    complete: Mapped[bool] = mapped_column(Boolean, default=True)
    external_ref: Mapped[str | None] = mapped_column(String(100), index=True)

    answers: Mapped[list[MeasureAnswer]] = relationship(
        back_populates="measure", cascade="all, delete-orphan", order_by="MeasureAnswer.item"
    )

    __table_args__ = (
        Index("ix_measures_person_instrument_date", "person_id", "instrument", "completed_on"),
        # Which review points of a journey have a complete form (Due, the journey summaries).
        Index("ix_measures_episode_timepoint", "episode_id", "timepoint", "complete"),
        # The return: its people's forms of an instrument from the index alone (0009). Every
        # form, but taken only by a statement that says so (the migration says why).
        Index("ix_measures_instrument_forms", "instrument", "person_id", "completed_on",
              "created_at", "id", "episode_id", "timepoint", "complete", "value",
              sqlite_where=text("complete IN (false, true)")),
    )


class MeasureAnswer(Base):
    """One answer on a form; ``answer`` is ``None`` when the item was left blank."""

    __tablename__ = "measure_answers"

    measure_id: Mapped[str] = mapped_column(
        ForeignKey("measures.id", ondelete="CASCADE"), primary_key=True
    )
    item: Mapped[int] = mapped_column(Integer, primary_key=True)  # 1-based item number
    answer: Mapped[int | None] = mapped_column(Integer)

    measure: Mapped[Measure] = relationship(back_populates="answers")


class InstrumentDefinition(Tracked, Base):
    """An organisation's own instrument, added by an admin as data (JSON definition)."""

    __tablename__ = "instruments"

    code: Mapped[str] = mapped_column(String(40), unique=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)


# --- contracts, returns and the claims ledger -----------------------------------------------


class Contract(Tracked, Base):
    """An outcome contract, kept as the manager's data document (see linkworker.outcomes)."""

    __tablename__ = "contracts"

    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    pseudonym_key: Mapped[str] = mapped_column(String(64))  # hex; per-contract keyed hash


class OutcomeReturn(Tracked, Base):
    """A return for one contract and period; once submitted its rows are the claims ledger."""

    __tablename__ = "returns"

    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), index=True)
    period: Mapped[str] = mapped_column(String(30))  # e.g. 2026-Q3
    period_start: Mapped[dt.date | None] = mapped_column(Date)
    period_end: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft, submitted
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    submitted_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    total_amount: Mapped[Decimal | None] = mapped_column(Pence)  # whole pennies at rest
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # frozen, for regeneration
    content_hash: Mapped[str | None] = mapped_column(String(64))

    claims: Mapped[list[Claim]] = relationship(back_populates="outcome_return")

    __table_args__ = (UniqueConstraint("contract_id", "period", name="uq_return_period"),)


CLAIMED_ONCE = "kind = 'claim' AND achievement_key IS NOT NULL"  # the rows "never twice" holds


class Claim(Tracked, Base):
    """One person-outcome claimed (or an adjustment to an earlier claim) in a submitted return.

    ``achievement_key`` names *what* was achieved (e.g. the outcome on one journey), so a later
    return never claims it again. An adjustment waiting for the next return has no
    ``return_id`` yet. ``pseudonym`` keeps the claim countable after the person is erased.
    """

    __tablename__ = "claims"

    return_id: Mapped[str | None] = mapped_column(ForeignKey("returns.id"), index=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), index=True)
    person_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"), index=True)
    episode_id: Mapped[str | None] = mapped_column(ForeignKey("episodes.id"))
    pseudonym: Mapped[str | None] = mapped_column(String(40))
    line: Mapped[int | None] = mapped_column(Integer)  # row number in its return
    outcome_id: Mapped[str] = mapped_column(String(60))
    achievement_key: Mapped[str | None] = mapped_column(String(200))
    unit: Mapped[int] = mapped_column(Integer, default=1)
    achieved_on: Mapped[dt.date] = mapped_column(Date)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    amount: Mapped[Decimal] = mapped_column(Pence)  # whole pennies at rest (migration 0005)
    kind: Mapped[str] = mapped_column(String(20), default="claim")  # claim, adjustment
    adjusts_claim_id: Mapped[str | None] = mapped_column(ForeignKey("claims.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    outcome_return: Mapped[OutcomeReturn | None] = relationship(back_populates="claims")

    __table_args__ = (
        Index("ix_claims_person_outcome", "contract_id", "person_id", "outcome_id"),
        Index("ix_claims_achievement", "contract_id", "achievement_key"),
        # Never claimed twice, held by the database too (0012): a claim's achievement once
        # per contract. Adjustments and claims without a key are not in it (docs/returns.md).
        Index("uq_claims_achievement_once", "contract_id", "achievement_key", unique=True,
              sqlite_where=text(CLAIMED_ONCE)),
    )


class ExternalResult(Tracked, Base):
    """A per-person result a commissioner supplied for an external outcome."""

    __tablename__ = "external_results"

    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), index=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    outcome_id: Mapped[str] = mapped_column(String(60))
    achieved: Mapped[bool] = mapped_column(Boolean)
    achieved_on: Mapped[dt.date | None] = mapped_column(Date)
    value: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str | None] = mapped_column(String(300))


refuse_floats(OutcomeReturn.total_amount, Claim.amount)  # money is Decimal, never float

# --- safety: settings and the audit trail ---------------------------------------------------


class Setting(Base):
    """Organisation settings and admin-loaded data (e.g. licensed scale wording), as JSON."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class AuditEvent(Base):
    """An append-only event; ``hash`` chains each event to the one before it."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True, default=new_id)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user_id: Mapped[str | None] = mapped_column(String(36), index=True)
    username: Mapped[str | None] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40), index=True)
    entity: Mapped[str | None] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(36))
    person_id: Mapped[str | None] = mapped_column(String(36), index=True)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


# --- sync: the change log, merge state and conflicts (linkworker.sync) ----------------------


class SyncChange(Base):
    """One recorded change to one record: which fields, their new values, and what it replaced.

    ``change_id`` is the change's hybrid-logical-clock stamp plus its device, so it is unique
    across laptops and sorts in causal order. ``bases`` names, per field, the changes this one
    overwrote (the field's heads when it was made): that is what tells a true conflict (two
    edits from the same base) from a later edit. ``seq`` is only this replica's arrival order
    ("changes since the last pack"). ``applied`` is false while a change waits for what it
    depends on (its record, its parent record, or an earlier change) to arrive.
    """

    __tablename__ = "sync_changes"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    change_id: Mapped[str] = mapped_column(String(80), unique=True)
    device_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str | None] = mapped_column(String(36))
    table_name: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[str] = mapped_column(String(80))
    person_id: Mapped[str | None] = mapped_column(String(36), index=True)
    op: Mapped[str] = mapped_column(String(8))  # insert, update, delete
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    bases: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    applied: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (
        Index("ix_sync_changes_row", "table_name", "row_id"),
        # Only the changes waiting to be applied, in the order they are tried (0008); queries
        # say ``changelog.WAITING``, this condition word for word.
        Index("ix_sync_changes_waiting", "change_id", sqlite_where=text("applied = false")),
    )


class SyncRow(Base):
    """Per synchronised record: each field's current *heads* (changes not yet overwritten).

    One head per field is the normal case; two or more means concurrent edits (a conflict, or
    for last-writer-wins fields a tie broken by the clock until the next edit merges them).
    """

    __tablename__ = "sync_rows"

    table_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    row_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    heads: Mapped[dict[str, Any]] = mapped_column(JSON)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class SyncState(Base):
    """This replica's sync bookkeeping: device id, clock, last pack, last sync (key -> JSON)."""

    __tablename__ = "sync_state"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=True)


class SyncConflict(Base):
    """The same field edited on two replicas: kept open until a person chooses the value."""

    __tablename__ = "sync_conflicts"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)  # table/row/field
    table_name: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[str] = mapped_column(String(80))
    field: Mapped[str] = mapped_column(String(60))
    person_id: Mapped[str | None] = mapped_column(String(36), index=True)
    heads: Mapped[list[Any]] = mapped_column(JSON)
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    resolved_by: Mapped[str | None] = mapped_column(String(80))
    resolution: Mapped[dict[str, Any] | None] = mapped_column(JSON)


@event.listens_for(Base.metadata, "before_create")
def _partial_on_postgresql(metadata, connection, **_kw) -> None:
    """A partial index has the same condition on PostgreSQL (the hub) as on SQLite: it is
    declared once, as ``sqlite_where``, and copied here when a schema is made on PostgreSQL.
    Declaring ``postgresql_where`` above would import SQLAlchemy's PostgreSQL dialect in every
    process that imports the models, the app's start among them (issue 15)."""
    if connection.dialect.name != "postgresql":
        return
    for table in metadata.tables.values():
        for index in table.indexes:
            where = index.dialect_kwargs.get("sqlite_where")
            if where is not None:
                index.dialect_kwargs["postgresql_where"] = where
