"""What the record screen reads: one work function gathering every tab's data.

It runs on the runner's thread and only calls core read functions (which return frozen
dataclasses), so the screen can redraw every tab from one consistent answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from linkworker.access import Actor
from linkworker.contacts import ContactItem, list_contacts
from linkworker.directory import SignpostItem, UnmetNeedItem, list_signposts, list_unmet_needs
from linkworker.goals import GoalItem, list_goals
from linkworker.journey import timeline
from linkworker.journey_clock import DEFAULT_REVIEW_MONTHS, TimelinePoint
from linkworker.person import NoteItem, PersonRecord, list_notes, open_record
from linkworker.storage.database import Caseload

# The change tags the record cares about (announced through Runner.changed).
RECORD_TAGS = frozenset({"people", "episodes", "contacts", "goals", "signposts", "notes",
                         "measures", "services"})


@dataclass(frozen=True)
class RecordBundle:
    record: PersonRecord
    contacts: tuple[ContactItem, ...]
    goals: tuple[GoalItem, ...]
    signposts: tuple[SignpostItem, ...]
    unmet_needs: tuple[UnmetNeedItem, ...]
    notes: tuple[NoteItem, ...]
    timeline: tuple[TimelinePoint, ...]

    @property
    def schedule_months(self) -> tuple[int, ...]:
        return tuple(p.point.months for p in self.timeline) or DEFAULT_REVIEW_MONTHS


def load_bundle(caseload: Caseload, actor: Actor, person_id: str, audited: bool) -> RecordBundle:
    """The whole record; ``audited`` is True the first time (opening is a "view_person")."""
    today = dt.date.today()
    record = open_record(caseload, actor, person_id, today, audit_view=audited)
    current = record.current
    return RecordBundle(
        record=record,
        contacts=list_contacts(caseload, actor, person_id),
        goals=list_goals(caseload, actor, person_id),
        signposts=list_signposts(caseload, actor, person_id),
        unmet_needs=list_unmet_needs(caseload, actor, person_id),
        notes=list_notes(caseload, actor, person_id),
        timeline=tuple(timeline(caseload, actor, current.id, today)) if current else (),
    )
