"""The record-keeping rules every way into the caseload obeys: the screens and the importer.

Each rule is a pure function of plain values (dates, codes, what is already stored) and returns
the rules it finds broken, as ``Broken(field, message)``, empty when all is well. Nothing here
opens a session: the screens' services look up what a rule needs and call ``enforce``; the
importer looks the same things up in bulk for a whole file and turns each ``Broken`` into a
problem on the row. So an import accepts exactly what the screens accept, and a rule changed
here changes both at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from linkworker.errors import UserError
from linkworker.validation import format_date


@dataclass(frozen=True)
class Broken:
    """One rule a value breaks: the field it is about and what to tell the user."""

    field: str
    message: str


def enforce(broken: Iterable[Broken]) -> None:
    """For the screens: refuse the save with the first broken rule's message."""
    for rule in broken:
        raise UserError(rule.message)


def _day(value: dt.date) -> str:
    return format_date(value)


def not_in_future(field: str, what: str, day: dt.date | None, today: dt.date) -> list[Broken]:
    """Things that have happened (a referral, a goal agreed, a form filled in) are not
    dated tomorrow."""
    if day is not None and day > today:
        return [Broken(field, f"The {what} date {_day(day)} is in the future.")]
    return []


def journey_dates(referral: dt.date | None, today: dt.date, *,
                  first_contact: dt.date | None = None, first_meeting: dt.date | None = None,
                  exit_date: dt.date | None = None,
                  exit_reason: str | None = None) -> list[Broken]:
    """A journey's own dates: referral first, nothing in the future, no reason without exit."""
    broken = not_in_future("referral_date", "referral", referral, today)
    for field, label, day in (("first_contact_date", "first contact", first_contact),
                              ("first_meeting_date", "first meeting", first_meeting),
                              ("exit_date", "exit", exit_date)):
        if day and referral and day < referral:
            broken.append(Broken(field, f"The {label} date {_day(day)} is before the referral "
                                        f"({_day(referral)})."))
        else:
            broken += not_in_future(field, label, day, today)
    if exit_reason and not exit_date:
        broken.append(Broken("exit_reason", "There is an exit reason but no exit date."))
    return broken


def contact_date(day: dt.date, status: str, today: dt.date, *,
                 referral: dt.date | None = None, exit_date: dt.date | None = None,
                 allow_past_plan: bool = True) -> list[Broken]:
    """A contact that happened is not in the future; a planned one (unless kept from the
    past) is not in the past; contacts fall inside the journey."""
    shown = _day(day)
    if status == "planned" and day < today and not allow_past_plan:
        return [Broken("contact_date", f"A planned appointment cannot be in the past ({shown}).")]
    if status not in ("planned", "cancelled") and day > today:
        return [Broken("contact_date", f"{shown} is in the future: record it as a planned "
                                       "appointment.")]
    if referral is not None and day < referral:
        return [Broken("contact_date", f"{shown} is before the referral ({_day(referral)}).")]
    if exit_date is not None and day > exit_date:
        return [Broken("contact_date", f"This journey has ended ({_day(exit_date)}); re-refer "
                                       "the person to record new contacts.")]
    return []


def goal_agreed(agreed: dt.date, today: dt.date, *, referral: dt.date | None = None,
                exit_date: dt.date | None = None) -> list[Broken]:
    """A goal is agreed during the journey, and not in the future."""
    broken = not_in_future("agreed_date", "agreed", agreed, today)
    if not broken and referral is not None and agreed < referral:
        broken.append(Broken("agreed_date", f"The agreed date {_day(agreed)} is before the "
                                            f"referral ({_day(referral)})."))
    if not broken and exit_date is not None and agreed > exit_date:
        broken.append(Broken("agreed_date", "This journey has ended; re-refer the person to "
                                            "agree new goals."))
    return broken


def form_date(completed_on: dt.date, today: dt.date,
              date_of_birth: dt.date | None = None) -> list[Broken]:
    """A wellbeing form is filled in during the person's life, not in the future."""
    if completed_on > today:
        return [Broken("completed_on", f"The form's date {_day(completed_on)} is in the "
                                       "future.")]
    if date_of_birth is not None and completed_on < date_of_birth:
        return [Broken("completed_on", f"The form's date {_day(completed_on)} is before their "
                                       "birth.")]
    return []


def one_complete_form(instrument: str, timepoint: str, timepoint_label: str,
                      existing_on: dt.date | None) -> list[Broken]:
    """One complete form per instrument and timepoint in a journey (``existing_on`` is the
    date of the one already kept, if any): a second baseline would be ambiguous evidence for a
    contract (which one did it pay on?). "other" may repeat."""
    if timepoint == "other" or existing_on is None:
        return []
    return [Broken("timepoint", f"This journey already has a complete {instrument} for "
                                f"{timepoint_label} (dated {_day(existing_on)}). Record this one "
                                "as 'other', or correct that form.")]


def nhs_number_free(nhs: str | None, holder: str | None) -> list[Broken]:
    """An NHS number belongs to one person: ``holder`` is whoever else already has it."""
    if nhs and holder:
        return [Broken("nhs_number", f"NHS number {nhs} already belongs to {holder}: is this "
                                     "the same person?")]
    return []
