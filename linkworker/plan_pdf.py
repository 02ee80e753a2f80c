"""The "My plan" PDF: one plain-English, large-print page the person takes home.

Written for the person, not the service: their preferred name, what matters to them, their
goals in their own words with the next steps (who does what by when), their next appointments,
the groups and services they were connected to (with times, place and how to get in touch),
their crisis/back-up plan, and how to reach their link worker. Large print (14 pt body, 22 pt
title), black on white, left-aligned, no codes or jargon. The file is written atomically and
the export is audited, because it leaves the caseload.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph

from linkworker import audit, pdf
from linkworker.access import Actor
from linkworker.contacts import list_contacts
from linkworker.directory import list_signposts
from linkworker.goals import list_goals
from linkworker.person import read_record
from linkworker.storage.database import Caseload, unit_of_work
from linkworker.storage.files import atomic_write_bytes
from linkworker.wellbeing.store import get_setting

BODY_PT = 14
EMERGENCY = ("If you are in danger or it is an emergency, call 999. "
             "For urgent health advice, call NHS 111.")


@dataclass(frozen=True)
class PlanStep:
    who: str
    what: str
    by: str


@dataclass(frozen=True)
class PlanGoal:
    words: str
    steps: tuple[PlanStep, ...]
    status: str


@dataclass(frozen=True)
class PlanService:
    name: str
    when: str
    where: str
    contact: str
    access: str


@dataclass(frozen=True)
class PlanData:
    """What goes on the page, already in plain words."""

    name: str
    made_on: dt.date
    worker: str
    what_matters: str
    goals: tuple[PlanGoal, ...]
    appointments: tuple[str, ...]
    services: tuple[PlanService, ...]
    crisis_plan: str
    service_name: str
    service_contact: str


def _day(value: dt.date) -> str:
    """"Tuesday 3 March 2026": easier to read than 03/03/2026 for many people."""
    return f"{value.strftime('%A')} {value.day} {value.strftime('%B %Y')}"


def plan_data(
    target: Caseload, actor: Actor, person_id: str, today: dt.date | None = None
) -> PlanData:
    """Gather the plan from the current journey (one read)."""
    today = today or dt.date.today()
    with unit_of_work(target, write=False) as session:
        record = read_record(session, actor, person_id, today)
        current = record.current
        goals = list_goals(session, actor, person_id, current.id if current else None)
        contacts = list_contacts(session, actor, person_id)
        signposts = list_signposts(session, actor, person_id)
        org = get_setting(session, "organisation.name", "") or "your link worker service"
        org_contact = get_setting(session, "organisation.contact", "") or ""
    mine = [c for c in contacts if current and c.episode_id == current.id]
    upcoming = sorted((c for c in mine if c.status == "planned" and c.contact_date >= today),
                      key=lambda c: (c.contact_date, c.start_time or dt.time()))
    appointments = tuple(
        _day(c.contact_date)
        + (f" at {c.start_time.strftime('%H:%M')}" if c.start_time else "")
        + f": {c.mode_label.lower()}" + (f" at {c.venue}" if c.venue else "")
        for c in upcoming
    )
    services = tuple(
        PlanService(
            s.service.name,
            s.service.times or "",
            ", ".join(p for p in (s.service.venue, s.service.address, s.service.postcode) if p),
            s.service.contact_text,
            s.service.accessibility or "",
        )
        for s in signposts
        if s.service is not None and current and s.episode_id == current.id
        and s.taken_up is not False
    )
    live_goals = tuple(
        PlanGoal(
            g.own_words,
            tuple(PlanStep(st.who or "", st.description,
                           _day(st.due_date) if st.due_date else "") for st in g.next_steps),
            g.status_label,
        )
        for g in goals if g.status in ("open", "partly", "achieved")
    )
    return PlanData(
        name=record.profile.get("preferred_name") or record.profile.get("given_name") or "",
        made_on=today,
        worker=current.worker_name if current else "",
        what_matters=(current.what_matters if current else "") or "",
        goals=live_goals,
        appointments=appointments,
        services=services,
        crisis_plan=(current.crisis_plan if current else "") or "",
        service_name=org,
        service_contact=org_contact,
    )


def _styles() -> dict[str, ParagraphStyle]:
    pdf.register_fonts()
    base = ParagraphStyle("body", fontName=pdf.FONT, fontSize=BODY_PT, leading=BODY_PT * 1.4,
                          textColor=colors.black, alignment=TA_LEFT, spaceAfter=6,
                          bulletFontName=pdf.FONT)
    return {
        "title": ParagraphStyle("title", parent=base, fontName=pdf.BOLD, fontSize=24,
                                leading=30, spaceAfter=4),
        "sub": ParagraphStyle("sub", parent=base, fontSize=BODY_PT),
        "h": ParagraphStyle("h", parent=base, fontName=pdf.BOLD, fontSize=18,
                            leading=24, spaceBefore=12, spaceAfter=6),
        "goal": ParagraphStyle("goal", parent=base, fontName=pdf.BOLD),
        "body": base,
        "item": ParagraphStyle("item", parent=base, leftIndent=8 * mm, bulletIndent=2 * mm,
                               bulletFontSize=BODY_PT),
    }


def _p(text: str, style: ParagraphStyle, bullet: str | None = None) -> Paragraph:
    safe = escape(text).replace("\n", "<br/>")
    return Paragraph(safe, style, bulletText=bullet)


def render_plan(data: PlanData) -> bytes:
    """The PDF's bytes (no file is touched: the caller writes it atomically)."""
    st = _styles()
    story: list = [
        _p(f"My plan: {data.name}" if data.name else "My plan", st["title"]),
        _p(f"Made with {data.worker or 'my link worker'} on {_day(data.made_on)}", st["sub"]),
    ]
    if data.what_matters:
        story += [_p("What matters to me", st["h"]), _p(data.what_matters, st["body"])]
    story.append(_p("My goals", st["h"]))
    if not data.goals:
        story.append(_p("We have not written down any goals yet.", st["body"]))
    for goal in data.goals:
        block = [_p(goal.words, st["goal"])]
        for step in goal.steps:
            who = f"{step.who}: " if step.who else ""
            by = f" (by {step.by})" if step.by else ""
            block.append(_p(f"{who}{step.what}{by}", st["item"], bullet="•"))
        story.append(KeepTogether(block))
    if data.appointments:
        story.append(_p("Coming up", st["h"]))
        story += [_p(a, st["item"], bullet="•") for a in data.appointments]
    if data.services:
        story.append(_p("Groups and services for me", st["h"]))
        for svc in data.services:
            block = [_p(svc.name, st["goal"])]
            for label, value in (("When", svc.when), ("Where", svc.where),
                                 ("Contact", svc.contact), ("Access", svc.access)):
                if value:
                    block.append(_p(f"{label}: {value}", st["item"], bullet="•"))
            story.append(KeepTogether(block))
    story.append(_p("If things get difficult", st["h"]))
    if data.crisis_plan:
        story.append(_p(data.crisis_plan, st["body"]))
    story.append(_p(EMERGENCY, st["body"]))
    story.append(_p("How to contact us", st["h"]))
    contact = f"{data.worker}, {data.service_name}" if data.worker else data.service_name
    story.append(_p(contact, st["body"]))
    if data.service_contact:
        story.append(_p(data.service_contact, st["body"]))
    buffer = io.BytesIO()
    doc = pdf.document(
        buffer, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
        bottomMargin=18 * mm, title="My plan", author=data.service_name,
    )
    doc.build(story)
    return buffer.getvalue()


def export_plan(
    target: Caseload, actor: Actor, person_id: str, path: Path | str,
    today: dt.date | None = None,
) -> Path:
    """Write the person's plan to ``path`` (atomically) and audit the export."""
    data = plan_data(target, actor, person_id, today)
    atomic_write_bytes(path, render_plan(data))
    with unit_of_work(target) as session:
        audit.record(session, actor, "export", entity="person", entity_id=person_id,
                     person_id=person_id, details={"kind": "my_plan"})
    return Path(path)
