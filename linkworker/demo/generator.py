"""``generate``: fill a caseload with a synthetic, reproducible demo organisation.

All in one transaction: if anything fails (or the user cancels through ``progress``) nothing
is kept. Demo people are never mixed into a real caseload: a caseload that already holds
people is refused unless it is itself a demo caseload (marked by the ``demo`` setting) and the
caller asked to add more.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linkworker import audit, models
from linkworker.access import SYSTEM
from linkworker.demo import data, forms, journeys, organisation, people, plans
from linkworker.demo.world import ContractInfo, World
from linkworker.demo.writer import BulkWriter, IdMaker, StampMaker, table
from linkworker.errors import UserError
from linkworker.journey_clock import DEFAULT_REVIEW_MONTHS, DEFAULT_WINDOW_DAYS
from linkworker.person import format_reference, next_reference_number
from linkworker.storage.database import Caseload

DEMO_SETTING = "demo"
PROGRESS_EVERY = 250
MAX_PEOPLE = 500_000
INELIGIBLE_NOTES = ("Outside the service's age range", "Lives outside the service area")

Progress = Callable[[int, int, str], None]


class DemoRefused(UserError):
    """The demo would be mixed into data it must not touch."""


@dataclass(frozen=True)
class DemoSummary:
    people: int
    seed: int
    today: dt.date
    rows: dict[str, int]  # table name -> rows written
    contract_id: str | None


def generate(
    caseload: Caseload,
    people: int = 2000,
    seed: int = 1,
    progress: Progress | None = None,
    *,
    today: dt.date | None = None,
    add: bool = False,
) -> DemoSummary:
    """Create ``people`` synthetic people (and, the first time, staff and a directory).

    ``today`` pins the calendar (tests); ``add`` allows adding more people to a caseload that
    is already a demo. ``progress(done, total, text)`` may raise to cancel (nothing is kept).
    """
    if not 1 <= people <= MAX_PEOPLE:
        raise UserError(f"--people must be between 1 and {MAX_PEOPLE:,}; got {people:,}.")
    today = today or dt.date.today()
    report = progress or (lambda *_: None)
    with caseload.transaction() as session:
        existing = _check_allowed(session, caseload, add)
        rng = random.Random(seed if not existing else f"{seed}+{existing}")
        world = World(rng, today, data.load(), IdMaker(rng), StampMaker(today))
        writer = BulkWriter(session)
        users, world.workers = organisation.user_rows(world, session, people)
        writer.add_many(table(models.User), users)
        services, world.services = organisation.service_rows(world, session)
        writer.add_many(table(models.Service), services)
        writer.flush()
        world.contract = _sample_contract(session)
        first_number = next_reference_number(session)
        for done, kind in enumerate(plans.final_kinds(world, people)):
            if done % PROGRESS_EVERY == 0:
                report(done, people, "Creating demo people")
            _draw_person(world, writer, first_number + done, kind)
            writer.maybe_flush()
        report(people, people, "Saving the demo caseload")
        writer.finish()
        _mark(session, seed, people, today, existing)
    report(people, people, "Demo caseload ready")
    return DemoSummary(people, seed, today, dict(writer.written),
                       world.contract.id if world.contract else None)


def _check_allowed(session: Session, caseload: Caseload, add: bool) -> int:
    existing = session.execute(select(func.count()).select_from(models.Person)).scalar_one()
    if not existing:
        return 0
    if session.get(models.Setting, DEMO_SETTING) is None:
        raise DemoRefused(
            f"{caseload.path.name} holds {existing:,} real people: demo people are never mixed "
            "into a real caseload. Nothing was changed. Create the demo in a new file with "
            "'linkworker --db NEW.db demo'."
        )
    if not add:
        raise DemoRefused(
            f"{caseload.path.name} is a demo caseload that already holds {existing:,} people. "
            "Nothing was changed. Use --force-add to add more, or a new file with --db."
        )
    return existing


def _mark(session: Session, seed: int, people: int, today: dt.date, existing: int) -> None:
    """Mark the caseload as a demo (the app can say so) and record the run in the audit trail."""
    previous = session.get(models.Setting, DEMO_SETTING)
    runs = list((previous.value or {}).get("runs", [])) if previous else []
    runs.append({"seed": seed, "people": people, "today": today.isoformat()})
    session.merge(models.Setting(key=DEMO_SETTING, value={"synthetic": True, "runs": runs}))
    audit.record(session, SYSTEM, "demo.generate", entity="caseload",
                 details={"people": people, "seed": seed, "already_held": existing})


def _sample_contract(session: Session) -> ContractInfo | None:
    """The outcomes module's sample contract, if that module is installed."""
    try:
        from linkworker.outcomes.sample import install_sample_contract
        from linkworker.outcomes.store import definition_of
    except ImportError:
        return None
    row = install_sample_contract(session)
    session.flush()
    cdef = definition_of(row)
    return ContractInfo(row.id, cdef.review_months, cdef.review_window_days, cdef.start,
                        cdef.end, cdef)


def _contract_for(
    world: World, plan: plans.EpisodePlan, person: dict, conditions: list[dict]
) -> ContractInfo | None:
    """The contract, if this journey meets its criteria (checked by the outcomes module's own
    eligibility rules, so the Returns screen agrees with the demo)."""
    contract = world.contract
    if contract is None or plan.first_meeting is None or not plan.eligible:
        return None
    if not contract.starts <= plan.referral <= contract.ends:
        return None
    from linkworker.outcomes.eligibility import ELIGIBLE, check_eligibility
    from linkworker.outcomes.facts import EpisodeRow, Facts, PersonRow

    who = PersonRow(person["id"], person["reference"], person["date_of_birth"], None, None,
                    None, None, person["postcode"], False)
    journey_row = EpisodeRow("new", who.id, plan.number, plan.referral, plan.first_meeting,
                             None, None, "eligible")
    held = {(c["code"], c["term"]) for c in conditions}
    facts = Facts(people={who.id: who}, conditions={who.id: held})
    verdict = check_eligibility(contract.definition, facts, journey_row)
    return contract if verdict.status == ELIGIBLE else None


def _eligibility(plan: plans.EpisodePlan) -> str:
    if plan.first_meeting is None:
        return "unchecked"
    return "eligible" if plan.eligible else "ineligible"


def _draw_person(world: World, writer: BulkWriter, number: int, final_kind: str) -> None:
    journeys_planned = plans.plan_person(world, final_kind)
    person_id = world.new_id()
    first = journeys_planned[0]
    person = people.person_row(world, person_id, format_reference(number), first.referral)
    locality = person["address_line2"]
    venues = (f"{locality} Library", f"{locality} Community Centre", person["gp_practice"],
              f"Café, {locality}")
    conditions = people.condition_rows(world, person_id, first.referral)
    worker = world.pick(world.workers)
    episodes = []
    for plan in journeys_planned:
        if plan.number > 1 and world.chance(0.5):
            worker = world.pick(world.workers)
        contract = _contract_for(world, plan, person, conditions)
        episodes.append(_draw_episode(world, writer, plan, person_id, worker, venues, contract))
    person["current_episode_id"] = episodes[-1]["id"]
    person["is_volunteer"] = any(e["exit_reason"] == "goals_met" for e in episodes) and \
        world.chance(0.15)
    writer.add(table(models.Person), person)
    writer.add_many(table(models.Condition), conditions)
    writer.add_many(table(models.Consent), people.consent_rows(
        world, person_id, first.referral, first.first_meeting, episodes[0]["worker_id"]))
    writer.add_many(table(models.Episode), episodes)


def _draw_episode(
    world: World,
    writer: BulkWriter,
    plan: plans.EpisodePlan,
    person_id: str,
    worker: str,
    venues: tuple[str, ...],
    contract: ContractInfo | None,
) -> dict:
    header = journeys.episode_header(world, plan)
    eligibility = _eligibility(plan)
    ctx = journeys.EpisodeContext(
        world=world, plan=plan, person_id=person_id, episode_id=world.new_id(),
        worker_id=worker, venues=venues, wellbeing=forms.wellbeing_for(world),
        months=contract.months if contract else DEFAULT_REVIEW_MONTHS,
        window_days=contract.window_days if contract else DEFAULT_WINDOW_DAYS,
        reasons=header["referral_reasons"],
    )
    values = journeys.draw_episode(ctx)
    clock = journeys.clock(ctx, values)
    next_review = clock.next_review()
    met = plan.first_meeting is not None and plan.eligible
    stamp = world.stamp(plan.referral)
    episode = {
        "id": ctx.episode_id, "created_at": stamp, "updated_at": world.stamp(
            plan.exit_date or world.today), "person_id": person_id, "number": plan.number,
        "referral_date": plan.referral, **header, "worker_id": worker,
        "contract_id": contract.id if contract else None, "eligibility": eligibility,
        "eligibility_notes": None if plan.eligible else world.pick(INELIGIBLE_NOTES),
        "stage": clock.stage(world.today), **values,
        "what_matters": world.pick(world.data.what_matters) if met and world.chance(0.85)
        else None,
        "crisis_plan": journeys.CRISIS_PLAN if met and world.chance(0.15) else None,
        "external_ref": None, "next_review_due": next_review.due if next_review else None,
        "latest_change": journeys.latest_change(ctx),
    }
    for name, rows in ctx.drawn.rows.items():
        if rows:
            writer.add_many(writer.tables[name], rows)
    return episode
