"""Finding the rows of a person's record, the same way in every part of the core.

* ``person_rows``: contacts, goals, signposting and unmet needs each hang off an episode
  (journey); the record lists them for the person across every journey. The access check
  (``person_for``) and the join to the person's episodes live here once, so a list cannot
  forget the check.
* ``must_get``: a row the screen showed may have gone since (another worker removed it); the
  user gets "That X is no longer on the record", never a traceback.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from linkworker.access import Actor
from linkworker.errors import NotFound
from linkworker.models import Episode
from linkworker.person import person_for

Row = TypeVar("Row")


def person_rows(
    session: Session, actor: Actor, person_id: str, episode_id: InstrumentedAttribute[str],
    *columns: Any,
) -> Select:
    """``SELECT columns`` joined to the person's journeys through ``episode_id`` (a row's
    episode foreign key), after checking that ``actor`` may see the person (raises if not).
    Callers add their own outer joins and ordering."""
    person_for(session, actor, person_id)
    return (select(*columns).join(Episode, Episode.id == episode_id)
            .where(Episode.person_id == person_id))


def must_get(session: Session, model: type[Row], row_id: str, gone: str) -> Row:
    """The row with ``row_id``, or ``NotFound(gone)`` if it no longer exists."""
    row = session.get(model, row_id)
    if row is None:
        raise NotFound(gone)
    return row
