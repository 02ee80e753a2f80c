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


WITHDRAWN = "withdrawn"  # a contact or goal recorded in error: kept, marked, not counted


def changeable(session: Session, actor: Actor, model: type[Row], row_id: str, gone: str,
               permission: str, withdrawn: str) -> tuple[Row, Episode]:
    """A journey's row (a contact, a goal) the actor may change, with its journey; a withdrawn
    row stays exactly as it was (``UserError(withdrawn)``)."""
    from linkworker.errors import UserError
    from linkworker.person import episode_for

    row = must_get(session, model, row_id, gone)
    episode = episode_for(session, actor, row.episode_id, permission)  # type: ignore[attr-defined]
    if row.status == WITHDRAWN:  # type: ignore[attr-defined]
        raise UserError(withdrawn)
    return row, episode


def withdraw_reason(reason: str) -> str:
    """``reason`` if it is one of the fixed reasons for withdrawing a record, else a
    ``UserError`` listing them."""
    from linkworker import codes
    from linkworker.errors import UserError

    if reason not in codes.WITHDRAW_REASONS:
        raise UserError("Choose why it is withdrawn: "
                        f"{', '.join(codes.WITHDRAW_REASONS.values())}.")
    return reason


def must_get(session: Session, model: type[Row], row_id: str, gone: str) -> Row:
    """The row with ``row_id``, or ``NotFound(gone)`` if it no longer exists."""
    row = session.get(model, row_id)
    if row is None:
        raise NotFound(gone)
    return row
