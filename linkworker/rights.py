"""People's data rights (UK GDPR): subject access, erasure, retention and consent checks.

* **Subject access** (``subject_access``): one call writes everything the caseload holds about
  a person into a folder the user chose: a plain-English PDF for the person, a complete JSON
  file and one CSV per section for anyone who needs to process it, including the audit events
  about them (who looked at or changed their record, and when).
* **Erasure** (``anonymise``): the person's identity and everything they said in their own
  words is removed; what remains is an anonymous record that still counts (sex, ethnic group,
  year of birth, area deprivation decile, dates, scores, goal categories) so past returns and
  totals still add up. Submitted returns regenerate from their frozen snapshot and their claims
  keep their pseudonymised ids. Audit events about the person keep who/when/what but lose their
  details (see ``linkworker.audit``). Erased people leave every list.
* **Erasures stay erased**: each erasure is also written to the *erasure register*, an
  encrypted file beside the key file (``NAME.db.erasures``, AES-GCM under a key derived from
  the caseload key). It lives outside the database, so restoring an older backup (or copying
  one back by hand) cannot bring an erased person back: ``reapply_erasures`` runs at every
  open and erases again anyone the register names who is not erased in the file.
* **Retention** (``retention_due``/``apply_retention``): people whose last journey ended more
  than ``retention.years`` ago (default 8) are anonymised the same way.
* **Consent** (``missing_consents``): which consents an action needs that the person has not
  validly given (given, not withdrawn, not expired) on a day.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import exists, func, inspect, select, update
from sqlalchemy.orm import Session

from linkworker import audit, codes, settings
from linkworker.access import Actor, check_actor, require
from linkworker.errors import NotFound, UserError
from linkworker.models import (
    Claim,
    Condition,
    Consent,
    Contact,
    Contract,
    Episode,
    ExternalResult,
    Goal,
    GoalReview,
    GoalStep,
    Measure,
    MeasureAnswer,
    Note,
    OutcomeReturn,
    Person,
    PersonAccess,
    Service,
    Signpost,
    UnmetNeed,
    User,
    utcnow,
)
from linkworker.storage import keys
from linkworker.storage.database import Caseload
from linkworker.storage.dbfiles import erasure_register_path
from linkworker.storage.files import atomic_write_bytes
from linkworker.validation import format_date

ERASED = "(erased)"

# --- consent --------------------------------------------------------------------------------

# Action -> the consent kinds (linkworker.codes.CONSENT_KINDS) it needs.
CONSENT_FOR: dict[str, tuple[str, ...]] = {
    "keep_record": ("data_processing",),
    "share_with_gp": ("share_with_gp",),
    "share_outcomes": ("share_with_commissioner",),
    "contact_by_text": ("contact_by_text",),
    "contact_by_email": ("contact_by_email",),
    "external_matching": ("external_matching",),
}


def consent_valid(consent: Consent, on: dt.date) -> bool:
    """Given, recorded by ``on``, not withdrawn by then, not expired."""
    return bool(
        consent.given
        and consent.recorded_on <= on
        and (consent.withdrawn_on is None or consent.withdrawn_on > on)
        and (consent.expires_on is None or consent.expires_on >= on)
    )


def missing_consents(
    session: Session, person_id: str, action: str, on: dt.date | None = None
) -> list[str]:
    """The consent kinds ``action`` needs that ``person_id`` has not validly given on ``on``."""
    try:
        needed = CONSENT_FOR[action]
    except KeyError:
        raise KeyError(f"unknown action {action!r}; known: {sorted(CONSENT_FOR)}") from None
    on = on or dt.date.today()
    held = session.execute(select(Consent).where(Consent.person_id == person_id)).scalars()
    valid = {c.kind for c in held if consent_valid(c, on)}
    return [kind for kind in needed if kind not in valid]


def consent_warning(session: Session, person_id: str, action: str,
                    on: dt.date | None = None) -> str:
    """A sentence for the screen, or "" when every needed consent is in place."""
    missing = missing_consents(session, person_id, action, on)
    if not missing:
        return ""
    names = "; ".join(f"“{codes.CONSENT_KINDS.get(k, k)}”" for k in missing)
    return (f"Consent is missing, withdrawn or expired for: {names}. "
            "Record the person's consent before doing this.")


# --- gathering a person's whole record ------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


def _row(obj: Any, skip: Iterable[str] = ()) -> dict[str, Any]:
    return {c.key: _plain(getattr(obj, c.key)) for c in inspect(type(obj)).columns
            if c.key not in skip}


def _all(session: Session, query) -> list[Any]:  # a select()
    return list(session.execute(query).scalars())


def gather(session: Session, person_id: str) -> dict[str, Any]:
    """Everything held about one person, as plain JSON-ready sections (rows of dicts)."""
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("That person is not in this caseload.")
    episodes = _all(session, select(Episode).where(Episode.person_id == person_id)
                    .order_by(Episode.number))
    episode_ids = [e.id for e in episodes]
    goals = _all(session, select(Goal).where(Goal.episode_id.in_(episode_ids))
                 .order_by(Goal.agreed_date))
    goal_ids = [g.id for g in goals]
    measures = _all(session, select(Measure).where(Measure.person_id == person_id)
                    .order_by(Measure.completed_on))
    names = dict(session.execute(select(User.id, User.display_name)).all())
    services = dict(session.execute(select(Service.id, Service.name)).all())
    contracts = dict(session.execute(select(Contract.id, Contract.name)).all())
    periods = dict(session.execute(select(OutcomeReturn.id, OutcomeReturn.period)).all())
    sections: dict[str, list[dict[str, Any]]] = {
        "person": [_row(person)],
        "conditions": [_row(c) for c in _all(session, select(Condition).where(
            Condition.person_id == person_id))],
        "consents": [_row(c) for c in _all(session, select(Consent).where(
            Consent.person_id == person_id).order_by(Consent.recorded_on))],
        "journeys": [_row(e) | {"worker": names.get(e.worker_id, ""),
                                "contract": contracts.get(e.contract_id, "")} for e in episodes],
        "contacts": [_row(c) | {"worker": names.get(c.worker_id, "")} for c in _all(
            session, select(Contact).where(Contact.episode_id.in_(episode_ids))
            .order_by(Contact.contact_date))],
        "goals": [_row(g) for g in goals],
        "goal_steps": [_row(s) for s in _all(session, select(GoalStep).where(
            GoalStep.goal_id.in_(goal_ids)).order_by(GoalStep.goal_id, GoalStep.position))],
        "goal_reviews": [_row(r) for r in _all(session, select(GoalReview).where(
            GoalReview.goal_id.in_(goal_ids)).order_by(GoalReview.review_date))],
        "signposts": [_row(s) | {"service": services.get(s.service_id, "")} for s in _all(
            session, select(Signpost).where(Signpost.episode_id.in_(episode_ids))
            .order_by(Signpost.signposted_on))],
        "unmet_needs": [_row(u) for u in _all(session, select(UnmetNeed).where(
            UnmetNeed.episode_id.in_(episode_ids)))],
        "notes": [_row(n) | {"author": names.get(n.author_id, "")} for n in _all(
            session, select(Note).where(Note.person_id == person_id).order_by(Note.written_on))],
        "measures": [_row(m) for m in measures],
        "measure_answers": [_row(a) for a in _all(session, select(MeasureAnswer).where(
            MeasureAnswer.measure_id.in_([m.id for m in measures])).order_by(
            MeasureAnswer.measure_id, MeasureAnswer.item))],
        "claims": [_row(c) | {"contract": contracts.get(c.contract_id, ""),
                              "period": periods.get(c.return_id, "")} for c in _all(
            session, select(Claim).where(Claim.person_id == person_id))],
        "external_results": [_row(r) for r in _all(session, select(ExternalResult).where(
            ExternalResult.person_id == person_id))],
        "given_to": [_row(g) | {"user": names.get(g.user_id, "")} for g in _all(
            session, select(PersonAccess).where(PersonAccess.person_id == person_id))],
        "audit_events": [
            {"seq": e.seq, "at": _plain(e.at), "by": e.username, "action": e.action,
             "entity": e.entity, "entity_id": e.entity_id,
             "details": json.loads(e.details) if e.details else None}
            for e in audit.person_events(session, person_id)
        ],
    }
    return sections


@dataclass(frozen=True)
class FoundPerson:
    person_id: str
    reference: str


def find_person(caseload: Caseload, actor: Actor, reference: str) -> FoundPerson:
    """The person with this reference (``LW-000123``), for the admin's data-rights forms."""
    require(actor, "rights.sar")
    ref = reference.strip().upper()
    with caseload.reading() as session:
        row = session.execute(select(Person.id, Person.reference).where(
            Person.reference == ref, Person.anonymised_at.is_(None))).first()
    if row is None:
        raise NotFound(f"No person with reference {ref!r} (erased people are not listed).")
    return FoundPerson(*row)


# --- subject access -------------------------------------------------------------------------


@dataclass(frozen=True)
class SubjectAccessFiles:
    folder: Path
    pdf: Path
    json: Path
    csvs: tuple[Path, ...]


def subject_access(
    caseload: Caseload,
    actor: Actor,
    person_id: str,
    folder: Path | str,
    *,
    made_on: dt.date | None = None,
) -> SubjectAccessFiles:
    """Write the person's whole record into a new folder inside ``folder``; audited."""
    require(actor, "rights.sar")
    made_on = made_on or dt.date.today()
    with caseload.transaction() as session:
        check_actor(session, actor)  # before any file is written, not only at the audit line
        sections = gather(session, person_id)
        person = sections["person"][0]
        ref = safe_file_part(person["reference"])
        base = Path(folder).expanduser().resolve()
        out = base / f"{ref}-subject-access-{made_on:%Y%m%d}"
        if out.parent != base:  # belt and braces: nothing is written outside the chosen folder
            raise UserError("That reference cannot be used in a file name; nothing was written.")
        document = {"format": "linkworker-subject-access", "version": 1,
                    "made_on": made_on.isoformat(), "sections": sections}
        json_path = out / f"{ref}-record.json"
        atomic_write_bytes(json_path, json.dumps(document, indent=2, ensure_ascii=False,
                                                 default=str).encode("utf-8"))
        csvs = tuple(_write_csv(out / f"{ref}-{name}.csv", rows)
                     for name, rows in sections.items() if rows)
        pdf_path = out / f"{ref}-record.pdf"
        atomic_write_bytes(pdf_path, _sar_pdf(sections, made_on))
        audit.record(session, actor, "subject_access", entity="person", entity_id=person_id,
                     person_id=person_id, details={"folder": str(out), "files": len(csvs) + 2})
    return SubjectAccessFiles(out, pdf_path, json_path, csvs)


def safe_file_part(text: str) -> str:
    """A reference as a file-name part: letters, digits and dashes only. References come from
    imports too, and ``../../X`` must not write outside the folder the user chose."""
    return re.sub(r"[^A-Za-z0-9-]", "_", str(text or ""))[:40].strip("_-") or "person"


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    columns: list[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns]
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    from linkworker.io.export_rows import csv_text  # the same formula-neutralising as ``export``

    for row in rows:
        writer.writerow({k: csv_text(json.dumps(v, default=str) if isinstance(v, dict | list)
                                     else v) for k, v in row.items()})
    atomic_write_bytes(path, buffer.getvalue().encode("utf-8-sig"))  # BOM: Excel reads UTF-8
    return path


# What each audit action means, in words for the person.
ACTION_WORDS = {
    "view_person": "looked at your record",
    "change": "changed your record",
    "export": "printed or saved part of your record",
    "subject_access": "made a copy of your record for you",
    "person_give": "gave a colleague access to your record",
    "person_take_back": "took back a colleague's access to your record",
    "return.submit": "included you in a report to the funder",
}


def _when(value: str | None) -> str:
    if not value:
        return ""
    try:
        return format_date(dt.date.fromisoformat(value[:10]))
    except ValueError:
        return value


# The person's own details, in the words the form uses and the order a person reads them;
# technical columns (ids, timestamps, derived codes) stay in the JSON and CSV copies.
ABOUT_YOU = (
    ("reference", "Your reference", None), ("given_name", "Given name", None),
    ("family_name", "Family name", None), ("preferred_name", "Preferred name", None),
    ("date_of_birth", "Date of birth", "date"), ("nhs_number", "NHS number", "nhs"),
    ("address_line1", "Address", None), ("address_line2", "Address (second line)", None),
    ("town", "Town", None), ("postcode", "Postcode", None), ("phone", "Phone", None),
    ("email", "Email", None), ("contact_preferences", "How you like to be contacted", "dict"),
    ("gender", "Gender", codes.GENDERS), ("gender_self_described", "Gender, in your words", None),
    ("ethnicity", "Ethnic group", None), ("disability", "Disability", codes.DISABILITY),
    ("carer_status", "Unpaid carer", codes.CARER_STATUS),
    ("living_circumstances", "Living circumstances", None),
    ("gp_practice", "GP practice", None), ("is_volunteer", "Volunteers with us", "yes_no"),
)


def _about_you(person: dict[str, Any]) -> list[list[str]]:
    rows = []
    for key, label, kind in ABOUT_YOU:
        value = person.get(key)
        if value in (None, "", {}, []) or (kind == "yes_no" and not value):
            continue
        rows.append([label, _in_words(value, kind)])
    return rows


def _in_words(value: Any, kind: Any) -> str:
    """A stored value as the person would write it: dates dd/mm/yyyy, codes as their labels,
    the NHS number spaced 3-3-4, a set of preferences as "Phone: yes; Post: no"."""
    if isinstance(kind, dict):
        return str(kind.get(value, value))
    if kind == "date":
        return _when(value)
    if kind == "nhs":
        digits = str(value)
        return f"{digits[:3]} {digits[3:6]} {digits[6:]}" if len(digits) == 10 else digits
    if kind == "yes_no":
        return "Yes" if value else "No"
    if kind == "dict" and isinstance(value, dict):
        return "; ".join(f"{str(k).replace('_', ' ').capitalize()}: "
                         f"{'yes' if v is True else 'no' if v is False else v}"
                         for k, v in value.items())
    return str(value)


def _sar_pdf(sections: dict[str, list[dict[str, Any]]], made_on: dt.date) -> bytes:
    """A readable copy for the person: each section as a short heading and a simple table.

    reportlab is imported here, not with the module: a sync registers received erasures
    through this module, and a laptop's first sync should not pay a second for a PDF library
    it does not use."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import LongTable, Paragraph, Spacer, TableStyle

    from linkworker import pdf

    styles = pdf.styles()
    body, heading = styles["BodyText"], styles["Heading2"]
    body.fontSize, body.leading = 11, 14
    person = sections["person"][0]
    story: list = [
        Paragraph("Your record with our social prescribing service", styles["Title"]),
        Paragraph(escape(f"This is a copy of everything we hold about you, made on "
                         f"{format_date(made_on)} in answer to your request. If anything is "
                         "wrong, tell us and we will correct it."), body),
        Spacer(1, 4 * mm),
    ]

    def table(title: str, headings: list[str], rows: list[list[Any]]) -> None:
        story.append(Paragraph(escape(title), heading))
        if not rows:
            story.append(Paragraph("Nothing recorded.", body))
            return
        cells = [[Paragraph(f"<b>{escape(h)}</b>", body) for h in headings]] + [
            [Paragraph(escape("" if v is None else str(v)), body) for v in row] for row in rows]
        grid = LongTable(cells, repeatRows=1, hAlign="LEFT")
        grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                                  ("FONTNAME", (0, 0), (-1, -1), pdf.FONT),
                                  ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story.append(grid)

    table("About you", ["What", "What we hold"], _about_you(person))
    table("Your health conditions", ["Condition", "In your words"],
          [[codes.LONG_TERM_CONDITIONS.get(c["code"], c["term"] or c["code"]), c["own_words"]]
           for c in sections["conditions"]])
    table("What you agreed to", ["Consent", "Given", "Recorded", "Expires", "Withdrawn"],
          [[codes.CONSENT_KINDS.get(c["kind"], c["kind"]), "Yes" if c["given"] else "No",
            _when(c["recorded_on"]), _when(c["expires_on"]), _when(c["withdrawn_on"])]
           for c in sections["consents"]])
    table("Your time with us", ["Referred", "By", "Link worker", "Ended", "What matters to you"],
          [[_when(e["referral_date"]),
            codes.REFERRAL_SOURCES.get(e["referral_source"] or "", e["referral_source"]),
            e["worker"], _when(e["exit_date"]), e["what_matters"]]
           for e in sections["journeys"]])
    table("Meetings and contacts", ["Date", "How", "Status", "Note"],
          [[_when(c["contact_date"]), codes.label(codes.CONTACT_MODE_LABELS, c["mode"]),
            codes.label(codes.CONTACT_STATUS_LABELS, c["status"]), c["note"]]
           for c in sections["contacts"]])
    table("Your goals", ["Agreed", "Goal in your words", "Status"],
          [[_when(g["agreed_date"]), g["own_words"],
            codes.label(codes.GOAL_STATUS_LABELS, g["status"])] for g in sections["goals"]])
    table("Services we connected you with", ["Date", "Service", "Took it up"],
          [[_when(s["signposted_on"]), s["service"],
            {True: "Yes", False: "No"}.get(s["taken_up"], "Not known")]
           for s in sections["signposts"]])
    table("Wellbeing questionnaires", ["Date", "Questionnaire", "Score"],
          [[_when(m["completed_on"]), m["instrument"], m["value"] if m["value"] is not None
            else m["raw"]] for m in sections["measures"]])
    table("Notes", ["Date", "Note"], [[_when(n["written_on"]), n["body"]]
                                      for n in sections["notes"]])
    table("Reports to our funder that included you", ["Period", "Outcome", "Reference used"],
          [[c["period"], c["outcome_id"], c["pseudonym"]] for c in sections["claims"]])
    table("Who looked at or changed your record", ["Date", "Who", "What they did"],
          [[_when(e["at"]), e["by"], ACTION_WORDS.get(e["action"], e["action"].replace("_", " "))]
           for e in sections["audit_events"]])
    buffer = io.BytesIO()
    pdf.document(buffer, title=f"Record {person['reference']}", author="LinkWorker",
                 leftMargin=15 * mm, rightMargin=15 * mm).build(story)
    return buffer.getvalue()


# --- erasure --------------------------------------------------------------------------------


def _birth_year_only(day: dt.date | None) -> dt.date | None:
    return None if day is None else dt.date(day.year, 1, 1)


# Per table: the free-text or identifying columns and what they become on erasure.
SCRUB: dict[type, dict[str, Callable[[Any], Any]]] = {
    Condition: {"own_words": lambda _v: None},
    Episode: {"referrer_name": lambda _v: None, "eligibility_notes": lambda _v: None,
              "what_matters": lambda _v: None, "crisis_plan": lambda _v: None,
              "external_ref": lambda _v: None},
    Contact: {"note": lambda _v: None, "external_ref": lambda _v: None,
              "venue": lambda _v: None},
    Goal: {"own_words": lambda _v: ERASED, "external_ref": lambda _v: None},
    GoalStep: {"description": lambda _v: ERASED, "who": lambda _v: None},
    GoalReview: {"note": lambda _v: None},
    Signpost: {"note": lambda _v: None, "external_ref": lambda _v: None},
    UnmetNeed: {"description": lambda _v: ERASED},
    Measure: {"external_ref": lambda _v: None},
}
PERSON_SCRUB: dict[str, Callable[[Any], Any]] = {
    "given_name": lambda _v: "Erased", "family_name": lambda _v: "person",
    "preferred_name": lambda _v: None, "date_of_birth": _birth_year_only,
    "nhs_number": lambda _v: None, "address_line1": lambda _v: None,
    "address_line2": lambda _v: None, "town": lambda _v: None, "postcode": lambda _v: None,
    "phone": lambda _v: None, "email": lambda _v: None, "contact_preferences": lambda _v: None,
    "gender_self_described": lambda _v: None, "living_circumstances": lambda _v: None,
    "external_ref": lambda _v: None, "gp_practice": lambda _v: None,
}


@dataclass(frozen=True)
class ErasureReport:
    person_id: str
    reference: str  # the new, anonymous reference
    rows_scrubbed: int
    notes_deleted: int
    audit_events_redacted: int


def _scrub(obj: Any, rules: dict[str, Callable[[Any], Any]]) -> None:
    for column, change in rules.items():
        setattr(obj, column, change(getattr(obj, column)))


def erase_in_session(
    session: Session, actor: Actor, person_id: str, reason: str, on: dt.date
) -> ErasureReport:
    """Anonymise one person inside the caller's transaction (see the module docstring)."""
    require(actor, "rights.erase")
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("That person is not in this caseload.")
    if person.anonymised_at is not None:
        raise UserError("This person was already erased.")
    # Freed space is overwritten with zeros: the old cells of their rows and of the search
    # index (whose FTS5 secure-delete takes their words out of the index itself).
    session.connection().exec_driver_sql("PRAGMA secure_delete = ON")
    _scrub(person, PERSON_SCRUB)
    person.reference = _erased_reference(session)
    person.anonymised_at = person.deleted_at = utcnow()
    scrubbed, notes = _scrub_records(session, person_id)
    session.flush()
    redacted = audit.redact_person(session, person_id, on)
    audit.record(session, actor, audit.ERASE_ACTION, entity="person", entity_id=person_id,
                 person_id=person_id, details={"reason": reason.strip(), "rows": scrubbed,
                                               "notes_deleted": notes})
    _register(session, {"person_id": person_id, "on": on.isoformat(), "by": actor.username,
                        "reason": reason.strip()})
    scrub_change_log(session, person_id, person.reference)
    return ErasureReport(person_id, person.reference, scrubbed, notes, redacted)


def _scrub_records(session: Session, person_id: str) -> tuple[int, int]:
    """Scrub the person's own records, delete their notes and grants: (rows scrubbed, notes
    deleted). Also what an erased person's records get again when a late edit arrives."""
    episode_ids = select(Episode.id).where(Episode.person_id == person_id)
    goal_ids = select(Goal.id).where(Goal.episode_id.in_(episode_ids))
    owned_by = {Condition: Condition.person_id == person_id,
                Episode: Episode.person_id == person_id,
                Contact: Contact.episode_id.in_(episode_ids),
                Goal: Goal.episode_id.in_(episode_ids),
                GoalStep: GoalStep.goal_id.in_(goal_ids),
                GoalReview: GoalReview.goal_id.in_(goal_ids),
                Signpost: Signpost.episode_id.in_(episode_ids),
                UnmetNeed: UnmetNeed.episode_id.in_(episode_ids),
                Measure: Measure.person_id == person_id}
    scrubbed = 1
    for model, where in owned_by.items():
        for obj in session.execute(select(model).where(where)).scalars():
            _scrub(obj, SCRUB[model])
            scrubbed += 1
    notes = _all(session, select(Note).where(Note.person_id == person_id))
    for note in notes:
        session.delete(note)
    for grant in _all(session, select(PersonAccess).where(PersonAccess.person_id == person_id)):
        session.delete(grant)
    return scrubbed, len(notes)


# --- the sync change log forgets an erased person too ----------------------------------------

_RULES_BY_TABLE: dict[str, dict[str, Callable[[Any], Any]]] = {
    model.__tablename__: rules for model, rules in SCRUB.items()}


def _scrub_values(table: str, data: dict[str, Any], reference: str) -> dict[str, Any]:
    """A recorded change's values as the erasure left the record: the log must not keep what
    the record no longer holds (a later pack, pull or new replica would carry it again)."""
    if table == "people":
        rules = PERSON_SCRUB
        if "reference" in data:
            data["reference"] = reference
    elif table == "notes":  # deleted by the erasure: keep only the keys that link the record
        return {k: (v if k == "id" or k.endswith("_id") or not isinstance(v, str) else ERASED)
                for k, v in data.items()}
    else:
        rules = _RULES_BY_TABLE.get(table, {})
    for column, change in rules.items():
        if column in data and data[column] is not None:
            value = data[column]
            if column == "date_of_birth" and isinstance(value, str):
                value = dt.date.fromisoformat(value[:10])
            value = change(value)
            data[column] = value.isoformat() if isinstance(value, dt.date) else value
    return data


def scrub_change_log(session: Session, person_id: str, reference: str) -> int:
    """Scrub every recorded sync change about ``person_id`` (their record, journeys, notes,
    audit events) as the erasure scrubbed the records; how many changed. Runs wherever an
    erasure is applied: the erasing laptop, each replica that receives it, the hub."""
    from linkworker.models import AuditEvent, SyncChange

    changed = 0
    rows = session.execute(select(SyncChange.seq, SyncChange.table_name, SyncChange.row_id,
                                  SyncChange.data).where(SyncChange.person_id == person_id)).all()
    for seq, table, row_id, data in rows:
        if not data:
            continue
        if table == "audit_events":
            details = session.scalar(select(AuditEvent.details).where(AuditEvent.id == row_id))
            new = dict(data, details=details) if audit.is_redacted(details) else data
        else:
            new = _scrub_values(table, dict(data), reference)
        if new != data:
            session.execute(update(SyncChange).where(SyncChange.seq == seq).values(data=new))
            changed += 1
    return changed


def _erased_reference(session: Session) -> str:
    """A new anonymous reference, unique however many people are erased (ids share prefixes,
    so a slice of the id is not enough)."""
    while True:
        reference = f"ERASED-{secrets.token_hex(6).upper()}"
        if session.execute(select(Person.id).where(Person.reference == reference)).first() is None:
            return reference


# --- the erasure register: erasures survive any restore -------------------------------------

REGISTER_INFO = b"linkworker erasure register v1"
# Who re-applies an erasure after a restore: the register itself, on behalf of whoever erased.
REGISTER_ACTOR = Actor(user_id=None, username="system:erasure-register", role="system",
                       display_name="LinkWorker (erasure register)")


def register_path(db_path: Path) -> Path:
    return erasure_register_path(db_path)


def _register_cipher(raw_key: bytes) -> AESGCM:
    return AESGCM(HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                       info=REGISTER_INFO).derive(raw_key))


def read_register(db_path: Path, raw_key: bytes) -> list[dict[str, Any]]:
    """The erasures recorded beside ``db_path``; [] if none. A register that does not decrypt
    is refused loudly: silently ignoring it would let erased people come back."""
    path = register_path(db_path)
    if not path.exists():
        return []
    try:
        doc = json.loads(path.read_text("utf-8"))
        plain = _register_cipher(raw_key).decrypt(bytes.fromhex(doc["nonce"]),
                                                  bytes.fromhex(doc["data"]), REGISTER_INFO)
        entries = json.loads(plain)
    except (OSError, ValueError, KeyError, TypeError, InvalidTag):
        raise UserError(f"The erasure register {path.name} is damaged or belongs to another "
                        "caseload; restore it from where you keep the key file.") from None
    return [e for e in entries if isinstance(e, dict) and isinstance(e.get("person_id"), str)]


def _write_register(db_path: Path, raw_key: bytes, entries: list[dict[str, Any]]) -> None:
    nonce = secrets.token_bytes(12)
    data = _register_cipher(raw_key).encrypt(nonce, json.dumps(entries).encode(), REGISTER_INFO)
    atomic_write_bytes(register_path(db_path), json.dumps(
        {"format": "linkworker-erasures", "nonce": nonce.hex(), "data": data.hex()}).encode())


def _register(session: Session, entry: dict[str, Any]) -> None:
    """Add an erasure to the register, before the transaction commits: an entry for an erasure
    that then failed to commit is applied at the next open, which is what was asked for."""
    bind = session.get_bind()
    raw_key, database = keys.engine_key(bind), getattr(bind, "engine", bind).url.database
    if raw_key is None or not database:
        return
    entries = read_register(Path(database), raw_key)
    if all(e["person_id"] != entry["person_id"] for e in entries):
        _write_register(Path(database), raw_key, [*entries, entry])


def reapply_erasures(caseload: Caseload) -> int:
    """Erase again anyone the register names who is back un-erased (a restored or copied-back
    older file); audited as the register, naming who erased them first and when."""
    raw_key = keys.engine_key(caseload.engine)
    entries = read_register(caseload.path, raw_key) if raw_key else []
    if not entries:
        return 0
    wanted = {e["person_id"]: e for e in entries}
    with caseload.transaction() as session:
        back = list(session.execute(select(Person.id).where(
            Person.id.in_(list(wanted)), Person.anonymised_at.is_(None))).scalars())
        for person_id in back:
            first = wanted[person_id]
            erase_in_session(session, REGISTER_ACTOR, person_id,
                             f"applied again after a restore (erased on {first.get('on')} by "
                             f"{first.get('by')}: {first.get('reason')})", dt.date.today())
    return len(back)


SYNC_ACTOR = Actor(user_id=None, username="system:sync", role="system",
                   display_name="LinkWorker (an erasure received by sync)")


def erased_in(changes: Iterable[dict[str, Any]]) -> list[str]:
    """The people a batch of received sync changes erases."""
    return sorted({c["row_id"] for c in changes if c.get("table_name") == "people"
                   and (c.get("data") or {}).get("anonymised_at")})


def forget_received(session: Session, person_id: str) -> None:
    """What an erasure made elsewhere must also do here, where the changes only scrubbed the
    records: this replica's own audit events about the person lose their details (audited as
    an erasure, so ``audit verify`` sees why) and its change log forgets the old values."""
    person = session.get(Person, person_id)
    if person is None or person.anonymised_at is None:
        return
    on = person.anonymised_at.date()
    if audit.redact_person(session, person_id, on):
        audit.record(session, SYNC_ACTOR, audit.ERASE_ACTION, entity="person",
                     entity_id=person_id, person_id=person_id,
                     details={"reason": f"erased on another replica on {on.isoformat()}"})
    scrub_change_log(session, person_id, person.reference)


def _late_edits(session: Session) -> list[str]:
    """Erased people with changes received since the last look: an edit made on another
    laptop before it heard of the erasure, arriving after it."""
    from linkworker.models import SyncChange
    from linkworker.sync import state

    conn = session.connection()
    mark = int(state.get(conn, "erasure_checked_seq", 0))
    newest = session.scalar(select(func.max(SyncChange.seq))) or 0
    if newest == mark:
        return []
    state.put(conn, "erasure_checked_seq", newest)
    arrived = exists().where(SyncChange.person_id == Person.id, SyncChange.seq > mark)
    return list(session.scalars(select(Person.id).where(  # per erased person, by the index
        Person.anonymised_at.is_not(None), arrived)))


def scrub_again(session: Session, person_id: str) -> None:
    """Put an erased person's records back as the erasure left them (a late edit from another
    laptop must not give them back a phone number or a note) and forget the late values."""
    person = session.get(Person, person_id)
    reference = person.reference
    _scrub(person, PERSON_SCRUB)
    _scrub_records(session, person_id)
    session.flush()
    scrub_change_log(session, person_id, reference)


def register_received_erasures(caseload: Caseload) -> int:
    """Treat every erasure that arrived by sync (a pack, a pull) as one made here: forget the
    person here too and add them to this laptop's erasure register, so restoring this laptop's
    older backup never brings them back. How many were new here."""
    raw_key = keys.engine_key(caseload.engine)
    if raw_key is None:
        return 0
    entries = read_register(caseload.path, raw_key)
    known = {e["person_id"] for e in entries}
    with caseload.transaction() as session:
        arrived = [(pid, at) for pid, at in session.execute(select(
            Person.id, Person.anonymised_at).where(Person.anonymised_at.is_not(None)))
            if pid not in known]
        for person_id, _at in arrived:
            forget_received(session, person_id)
        for person_id in _late_edits(session):
            scrub_again(session, person_id)
        if arrived:
            _write_register(caseload.path, raw_key, [*entries, *(
                {"person_id": pid, "on": at.date().isoformat(), "by": "another replica (sync)",
                 "reason": "erasure received by sync"} for pid, at in arrived)])
    return len(arrived)


def anonymise(
    caseload: Caseload, actor: Actor, person_id: str, reason: str, on: dt.date | None = None
) -> ErasureReport:
    """Erase a person on request (right to erasure), keeping the anonymous counts. Admin only."""
    require(actor, "rights.erase")
    if not reason or not reason.strip():
        raise UserError("Say why this person is being erased (e.g. 'request by letter "
                        "12/03/2026'); do not write their name.")
    with caseload.transaction() as session:
        return erase_in_session(session, actor, person_id, reason, on or dt.date.today())


# --- retention ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionCandidate:
    person_id: str
    reference: str
    last_activity: dt.date


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _due(session: Session, as_of: dt.date) -> list[RetentionCandidate]:
    years = settings.get(session, settings.RETENTION_YEARS)
    cutoff = _years_before(as_of, years)
    last_exit = (select(Episode.person_id, func.max(Episode.exit_date).label("last"),
                        func.count(Episode.id).label("journeys"),
                        func.count(Episode.exit_date).label("ended"))
                 .group_by(Episode.person_id).subquery())
    rows = session.execute(
        select(Person.id, Person.reference, Person.created_at, last_exit.c.last,
               last_exit.c.journeys, last_exit.c.ended)
        .outerjoin(last_exit, last_exit.c.person_id == Person.id)
        .where(Person.anonymised_at.is_(None))
        .order_by(Person.reference)
    ).all()
    due = []
    for person_id, reference, created, last, journeys, ended in rows:
        if journeys and journeys != ended:
            continue  # a journey is still open
        activity = last if journeys else created.date()
        if activity < cutoff:
            due.append(RetentionCandidate(person_id, reference, activity))
    return due


def retention_due(
    caseload: Caseload, actor: Actor, as_of: dt.date | None = None
) -> list[RetentionCandidate]:
    """People whose last journey ended more than the retention period before ``as_of``."""
    require(actor, "rights.erase")
    with caseload.reading() as session:
        return _due(session, as_of or dt.date.today())


def apply_retention(
    caseload: Caseload, actor: Actor, as_of: dt.date | None = None
) -> list[ErasureReport]:
    """Anonymise every person past the retention period, in one transaction."""
    require(actor, "rights.erase")
    as_of = as_of or dt.date.today()
    if as_of > dt.date.today():
        raise UserError(f"Retention counts back from today or an earlier day, not from "
                        f"{format_date(as_of)}: a future day would erase people too early.")
    with caseload.transaction() as session:
        years = settings.get(session, settings.RETENTION_YEARS)
        reason = f"retention period of {years} years ended"
        return [erase_in_session(session, actor, c.person_id, reason, as_of)
                for c in _due(session, as_of)]
