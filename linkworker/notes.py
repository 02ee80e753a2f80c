"""Notes on a person's record."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from linkworker import audit
from linkworker.access import Actor
from linkworker.errors import UserError
from linkworker.models import Episode, Note
from linkworker.person import latest_episode, person_for, user_names
from linkworker.profile import checked_text
from linkworker.storage.database import Caseload, unit_of_work

# --- notes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoteItem:
    id: str
    written_on: dt.date
    author: str
    title: str | None
    body: str
    episode_number: int | None


def add_note(
    target: Caseload | Session, actor: Actor, person_id: str, body: str,
    title: str | None = None, written_on: dt.date | None = None,
) -> str:
    text = (body or "").strip()
    if not text:
        raise UserError("The note is empty.")
    with unit_of_work(target) as session:
        person = person_for(session, actor, person_id, "person.edit")
        current = latest_episode(session, person.id)
        row = Note(person_id=person.id, episode_id=current.id if current else None,
                   written_on=written_on or dt.date.today(), author_id=actor.user_id,
                   title=checked_text(200)(title), body=text)
        session.add(row)
        session.flush()
        audit.record(session, actor, "note.add", entity="note", entity_id=row.id,
                     person_id=person.id)
        return row.id


def list_notes(target: Caseload | Session, actor: Actor, person_id: str) -> tuple[NoteItem, ...]:
    """The person's notes, newest first."""
    with unit_of_work(target, write=False) as session:
        person_for(session, actor, person_id)
        rows = session.execute(
            select(Note, Episode.number)
            .outerjoin(Episode, Episode.id == Note.episode_id)
            .where(Note.person_id == person_id)
            .order_by(Note.written_on.desc(), Note.created_at.desc())
        ).all()
        authors = user_names(session, {n.author_id for n, _ in rows})
        return tuple(
            NoteItem(n.id, n.written_on, authors.get(n.author_id or "", ""), n.title, n.body, num)
            for n, num in rows
        )
