"""External outcomes: the consented cohort out to the commissioner, their results back in.

Some outcomes are measured by the commissioner (e.g. secondary-care cost against a matched
comparison group). LinkWorker exports only the people who consented to that matching
(consent kind ``external_matching``, valid on the day), with the identifiers matching needs
and the contract pseudonym; the commissioner returns one row per person and outcome, keyed by
that pseudonym (or NHS number), which becomes the evidence for an ``external`` outcome.
An import is all or nothing: any bad row stops it, and every problem is listed by row number.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from linkworker import audit
from linkworker.access import Actor, require
from linkworker.errors import UserError
from linkworker.models import Consent, Contract, Episode, ExternalResult, Person
from linkworker.outcomes.eligibility import pseudonym
from linkworker.outcomes.store import definition_of
from linkworker.storage.files import atomic_write_bytes
from linkworker.validation import InvalidValue, nhs_digits, parse_date

MATCHING_CONSENT = "external_matching"
COHORT_COLUMNS = ("pseudonym", "nhs_number", "date_of_birth", "postcode", "gender",
                  "referral_date", "first_meeting_date", "exit_date")
TRUE_WORDS, FALSE_WORDS = {"yes", "y", "true", "1", "achieved"}, {"no", "n", "false", "0", ""}


def _consented(session: Session, person_ids: set[str], on: dt.date) -> set[str]:
    ok: set[str] = set()
    for person_id, given, recorded, expires, withdrawn in session.execute(
        select(Consent.person_id, Consent.given, Consent.recorded_on, Consent.expires_on,
               Consent.withdrawn_on).where(Consent.kind == MATCHING_CONSENT)
    ).all():
        if (person_id in person_ids and given and recorded <= on
                and (withdrawn is None or withdrawn > on) and (expires is None or expires >= on)):
            ok.add(person_id)
    return ok


def cohort_rows(session: Session, contract: Contract, on: dt.date) -> list[list[str]]:
    """One row per consented person on the contract (their most recent journey's dates)."""
    rows = session.execute(
        select(Person.id, Person.nhs_number, Person.date_of_birth, Person.postcode,
               Person.gender, Episode.referral_date, Episode.first_meeting_date,
               Episode.exit_date)
        .join(Episode, Episode.person_id == Person.id)
        .where(Episode.contract_id == contract.id, Person.deleted_at.is_(None),
               Person.anonymised_at.is_(None))
        .order_by(Person.id, Episode.referral_date)
    ).all()
    latest = {r[0]: r for r in rows}
    allowed = _consented(session, set(latest), on)

    def iso(value: dt.date | None) -> str:
        return value.isoformat() if value else ""

    out = [
        [pseudonym(contract.pseudonym_key, pid), r.nhs_number or "", iso(r.date_of_birth),
         r.postcode or "", r.gender or "", iso(r.referral_date), iso(r.first_meeting_date),
         iso(r.exit_date)]
        for pid, r in latest.items() if pid in allowed
    ]
    return sorted(out)


def export_cohort(session: Session, actor: Actor, contract: Contract, path: Path | str, *,
                  on: dt.date | None = None) -> int:
    """Write the consented cohort as CSV; returns how many people it holds."""
    require(actor, "data.export")
    rows = cohort_rows(session, contract, on or dt.date.today())
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COHORT_COLUMNS)
    writer.writerows(rows)
    try:
        atomic_write_bytes(path, out.getvalue().encode("utf-8"))
    except OSError as exc:
        raise UserError(f"Could not write {path}: {exc.strerror or exc}.") from None
    audit.record(session, actor, "cohort.export", entity="contract", entity_id=contract.id,
                 details={"contract": contract.code, "people": len(rows)})
    return len(rows)


@dataclass(frozen=True)
class ResultsImport:
    created: int
    updated: int


def _lookup(session: Session, contract: Contract) -> tuple[dict[str, str], dict[str, str]]:
    people = session.execute(
        select(Person.id, Person.nhs_number).join(Episode, Episode.person_id == Person.id)
        .where(Episode.contract_id == contract.id).distinct()
    ).all()
    by_pseudonym = {pseudonym(contract.pseudonym_key, pid): pid for pid, _ in people}
    by_nhs = {nhs: pid for pid, nhs in people if nhs}
    return by_pseudonym, by_nhs


def _parse_row(n: int, row: dict[str, str], outcome: str | None, outcomes: set[str],
               people: tuple[dict[str, str], dict[str, str]], problems: list[str]):
    where = f"row {n}"
    key = (row.get("pseudonym") or "").strip().upper()
    nhs = nhs_digits(row.get("nhs_number") or "")
    person = people[0].get(key) if key else people[1].get(nhs)
    if person is None:
        problems.append(f"{where}: no person on this contract with "
                        + (f"pseudonym {key}" if key else f"NHS number {nhs or '(blank)'}"))
    outcome_id = (row.get("outcome_id") or outcome or "").strip()
    if outcome_id not in outcomes:
        problems.append(f"{where}: outcome_id {outcome_id!r} is not an external outcome of this "
                        f"contract ({', '.join(sorted(outcomes)) or 'it has none'})")
    word = (row.get("achieved") or "").strip().lower()
    if word not in TRUE_WORDS | FALSE_WORDS:
        problems.append(f"{where}: achieved must be yes or no (got {word!r})")
    achieved = word in TRUE_WORDS
    try:
        achieved_on = parse_date(row.get("achieved_on"), allow_serial=False)
    except InvalidValue as exc:
        problems.append(f"{where}: achieved_on: {exc}")
        achieved_on = None
    if achieved and achieved_on is None:
        problems.append(f"{where}: achieved_on is needed when achieved is yes")
    value = None
    if (row.get("value") or "").strip():
        try:
            value = float(row["value"])
            if not math.isfinite(value):
                raise ValueError
        except ValueError:
            problems.append(f"{where}: value {row['value']!r} is not a number")
    return person, outcome_id, achieved, achieved_on, value


def import_results(session: Session, actor: Actor, contract: Contract, path: Path | str, *,
                   outcome: str | None = None) -> ResultsImport:
    """Load the commissioner's per-person results CSV (all rows or none)."""
    require(actor, "data.import")
    path = Path(path)
    cdef = definition_of(contract)
    outcomes = {o.id for o in cdef.outcomes if o.rule.kind == "external"}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path.name} could not be read: {exc}") from None
    reader = csv.DictReader(io.StringIO(text))
    headers = {h.strip().lower() for h in reader.fieldnames or []}
    if not headers & {"pseudonym", "nhs_number"} or "achieved" not in headers:
        raise UserError(f"{path.name} needs columns pseudonym (or nhs_number), achieved, "
                        "achieved_on, and optionally outcome_id and value.")
    people = _lookup(session, contract)
    problems: list[str] = []
    parsed = []
    for n, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "") for k, v in raw.items()}
        parsed.append(_parse_row(n, row, outcome, outcomes, people, problems))
    if problems:
        raise UserError(f"{path.name} was not imported ({len(problems)} problem(s)):\n"
                        + "\n".join(f"  - {p}" for p in problems[:50]))
    existing = {
        (r.person_id, r.outcome_id): r for r in session.execute(
            select(ExternalResult).where(ExternalResult.contract_id == contract.id)).scalars()
    }
    created = updated = 0
    for person, outcome_id, achieved, achieved_on, value in parsed:
        row = existing.get((person, outcome_id))
        if row is None:
            row = ExternalResult(contract_id=contract.id, person_id=person, outcome_id=outcome_id)
            session.add(row)
            existing[(person, outcome_id)] = row
            created += 1
        else:
            updated += 1
        row.achieved, row.achieved_on, row.value, row.source = (
            achieved, achieved_on, value, path.name)
    session.flush()
    audit.record(session, actor, "results.import", entity="contract", entity_id=contract.id,
                 details={"contract": contract.code, "created": created, "updated": updated})
    return ResultsImport(created, updated)
