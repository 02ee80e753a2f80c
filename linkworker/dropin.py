"""The drop-in register: a venue's people for one day, and who has come in.

A coordinator runs drop-ins and groups in venues with no Wi-Fi; the register is their day.
It lists the people with a contact at the actor's venue (``Actor.venue``, set by an admin in
Users), recent regulars first (seen here in the last ``RECENT_WEEKS`` weeks, by their last
visit before the day, so marking someone does not move the rows under the keyboard), plus the
people given to the actor lately (a coordinator's own self-referrals, who have not been seen
here yet). A search looks by name or reference among everyone ever seen at the venue or given
to the actor, never the whole caseload: every query is also limited by
``access.people_scope(actor, "attend")``.

Marking someone attended writes one contact through the contacts' own path
(``contacts.add_contact``: checked, audited, the journey's dates and stage moved on, and so
in the change log that syncs to the hub): mode "group", purpose "support", status "attended",
at the venue, on the person's open journey. A person whose last journey has ended (or who has
none) is refused with ``NoOpenJourney``. A second mark the same day writes nothing
(``Marked.already``); a mark made today by mistake is taken back with ``unmark_attended``
(the contact is withdrawn, as ``contacts.withdraw_contact`` does).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, literal, or_, select
from sqlalchemy.orm import Session

from linkworker.access import (
    Actor,
    PermissionDenied,
    check_actor,
    people_scope,
    require,
    require_person,
)
from linkworker.contacts import ContactInput, add_contact, take_back
from linkworker.errors import UserError
from linkworker.models import Contact, Episode, Person, PersonAccess
from linkworker.person import open_episode
from linkworker.storage.database import Caseload, unit_of_work
from linkworker.validation import format_date

RECENT_WEEKS = 12  # a regular: seen at the venue within this many weeks of the day
MODE, PURPOSE = "group", "support"  # a drop-in visit, as the demo's group sessions are
MAX_SEARCH = 200  # the characters of a search that are used


class NoVenue(UserError):
    """The actor has no venue: there is no register to show or mark."""


class NoOpenJourney(UserError):
    """The person has no open journey, so no contact can be written for them."""


@dataclass(frozen=True)
class RegisterEntry:
    """One person on the register."""

    person_id: str
    reference: str
    name: str
    last_seen: dt.date | None  # their last visit here before the register's day
    attended: bool  # marked attended here on the register's day

    @property
    def last_seen_text(self) -> str:
        return format_date(self.last_seen) if self.last_seen else ""


@dataclass(frozen=True)
class Marked:
    """What ``mark_attended`` did: ``already`` if the person was marked that day (nothing
    written); ``contact_id`` is the day's attended contact either way."""

    contact_id: str
    already: bool
    message: str


def venue_of(actor: Actor) -> str:
    """The actor's venue, or ``NoVenue`` saying who sets it."""
    venue = (actor.venue or "").strip()
    if not venue:
        raise NoVenue("You have no venue set, so there is no drop-in register to show. "
                      "An admin sets your venue in Settings > Users.")
    return venue


def _visits(venue: str):  # SQL
    """Attended contacts at ``venue``, with their person."""
    return (select(Episode.person_id, Contact.contact_date)
            .join(Contact, Contact.episode_id == Episode.id)
            .where(Contact.venue == venue, Contact.status == "attended"))


def _given(actor: Actor, since: dt.date | None = None):  # SQL
    """The people given to the actor (since ``since``, if given)."""
    query = select(PersonAccess.person_id).where(PersonAccess.user_id == actor.user_id)
    if since is not None:
        query = query.where(PersonAccess.created_at >= dt.datetime.combine(since, dt.time()))
    return query


def _match(text: str):  # SQL
    """People whose name or reference holds ``text`` (each word somewhere)."""
    words = text[:MAX_SEARCH].split()
    clauses = []
    for word in words:
        like = f"%{word.replace('%', '').replace('_', '')}%"
        clauses.append(or_(Person.given_name.ilike(like), Person.family_name.ilike(like),
                           Person.preferred_name.ilike(like), Person.reference.ilike(like)))
    return clauses


def _register_query(actor: Actor, day: dt.date, search: str):  # SQL
    venue = venue_of(actor)
    visits = _visits(venue)
    before = visits.where(Contact.contact_date < day).subquery()
    seen = (select(before.c.person_id, func.max(before.c.contact_date).label("last"))
            .group_by(before.c.person_id).subquery())
    today = select(visits.where(Contact.contact_date == day).subquery().c.person_id)
    name = func.trim(func.coalesce(func.nullif(Person.preferred_name, ""), Person.given_name)
                     + literal(" ") + Person.family_name)
    query = (select(Person.id, Person.reference, name, seen.c.last, Person.id.in_(today))
             .outerjoin(seen, seen.c.person_id == Person.id)
             .where(Person.deleted_at.is_(None), people_scope(actor, "attend")))
    if search.strip():
        anywhere = select(Episode.person_id).join(Contact, Contact.episode_id == Episode.id) \
            .where(Contact.venue == venue)
        query = query.where(or_(Person.id.in_(anywhere), Person.id.in_(_given(actor))),
                            *_match(search))
    else:
        since = day - dt.timedelta(weeks=RECENT_WEEKS)
        query = query.where(or_(seen.c.last >= since, Person.id.in_(today),
                                Person.id.in_(_given(actor, since))))
    return query.order_by(seen.c.last.desc().nulls_first(), Person.family_name,
                          Person.given_name, Person.id)


def _require_register(session: Session, actor: Actor) -> None:
    require(actor, "attendance.record")
    check_actor(session, actor)


def register_page(target: Caseload | Session, actor: Actor, day: dt.date, search: str = "",
                  offset: int = 0, limit: int = 200) -> list[RegisterEntry]:
    """One page of the venue's register for ``day`` (``search``: by name or reference, among
    everyone seen at the venue or given to the actor)."""
    with unit_of_work(target, write=False) as session:
        _require_register(session, actor)
        rows = session.execute(_register_query(actor, day, search).offset(offset).limit(limit))
        return [RegisterEntry(pid, ref, name, last, bool(here))
                for pid, ref, name, last, here in rows]


def register_count(target: Caseload | Session, actor: Actor, day: dt.date,
                   search: str = "") -> int:
    """How many people the register (or its search) lists."""
    with unit_of_work(target, write=False) as session:
        _require_register(session, actor)
        listed = _register_query(actor, day, search).order_by(None).subquery()
        return session.execute(select(func.count()).select_from(listed)).scalar_one()


def attended_count(target: Caseload | Session, actor: Actor, day: dt.date) -> int:
    """How many people (that the actor may reach) are marked attended at the venue on ``day``."""
    with unit_of_work(target, write=False) as session:
        _require_register(session, actor)
        here = _visits(venue_of(actor)).where(Contact.contact_date == day).subquery()
        return session.execute(
            select(func.count(func.distinct(Person.id)))
            .where(Person.id.in_(select(here.c.person_id)), Person.deleted_at.is_(None),
                   people_scope(actor, "attend"))
        ).scalar_one()


def _day_contact(session: Session, person_id: str, venue: str, day: dt.date) -> Contact | None:
    return session.execute(
        select(Contact).join(Episode, Episode.id == Contact.episode_id)
        .where(Episode.person_id == person_id, Contact.venue == venue,
               Contact.contact_date == day, Contact.status == "attended")
        .order_by(Contact.created_at)
    ).scalars().first()


def mark_attended(target: Caseload | Session, actor: Actor, person_id: str,
                  day: dt.date | None = None, today: dt.date | None = None) -> Marked:
    """Mark the person attended at the actor's venue on ``day`` (today unless given).

    One contact per person, venue and day: a second mark writes nothing. Refused with a
    specific message for a person outside the register's reach (``PermissionDenied``), with
    no open journey (``NoOpenJourney``) or a day the contact rules refuse (the future).
    """
    today = today or dt.date.today()
    day = day or today
    venue = venue_of(actor)
    with unit_of_work(target) as session:
        person = require_person(session, actor, person_id, "attend")
        existing = _day_contact(session, person.id, venue, day)
        if existing is not None:
            return Marked(existing.id, True, "Already marked attended on "
                          f"{format_date(day)}: nothing was changed.")
        episode = open_episode(session, person)
        if episode is None:
            raise NoOpenJourney(
                "This person has no open journey, so their attendance cannot be recorded. "
                "Take a new self-referral for them, or ask their link worker. "
                "Nothing was changed.")
        entry = ContactInput(contact_date=day, mode=MODE, status="attended", purpose=PURPOSE,
                             venue=venue)
        contact = add_contact(session, actor, episode, entry, today)
        return Marked(contact.id, False, "Marked attended.")


def unmark_attended(target: Caseload | Session, actor: Actor, person_id: str,
                    today: dt.date | None = None) -> str:
    """Take back today's mark made by mistake (the contact is withdrawn, audited); returns
    what was done. Only today's: an older visit is withdrawn from the record by a link
    worker."""
    today = today or dt.date.today()
    venue = venue_of(actor)
    with unit_of_work(target) as session:
        person = require_person(session, actor, person_id, "attend")
        contact = _day_contact(session, person.id, venue, today)
        if contact is None:
            raise UserError("This person is not marked attended today: nothing was changed.")
        if contact.worker_id != actor.user_id and actor.user_id is not None:
            raise PermissionDenied("Someone else recorded this visit: ask them or a link "
                                   "worker to withdraw it. Nothing was changed.")
        take_back(session, actor, contact, contact.episode, "mistake", today)
        return "Today's attendance was taken back."
