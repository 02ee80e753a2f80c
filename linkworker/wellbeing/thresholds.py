"""Admin-set change thresholds: what counts as a meaningful (and a reliable) change.

Each instrument file carries its own thresholds (``change.meaningful``/``change.reliable``).
An admin may override them per caseload; the overrides are the settings rows
``wellbeing.<CODE>.threshold`` and ``wellbeing.<CODE>.reliable_threshold`` that
``store.change_thresholds`` reads, so every place that judges stored data (the person's badge
and chart, the journey's ``latest_change``, the wellbeing summary, outcome rules without a
contract threshold of their own) uses the thresholds in force.

Rules:
- thresholds are on the reported score (WEMWBS total, SWEMWBS metric score); for instruments
  reported item by item (ONS4) one threshold applies to each item, in points on the item's own
  answer scale (anxiety: a fall is an improvement);
- a threshold must be greater than 0 and no larger than the instrument's whole range (a bigger
  one could never be reached); a value equal to the instrument's own is stored as "no override";
- a reliable threshold may be smaller than the meaningful one (SWEMWBS ships 2.87 and 3), so no
  order between them is enforced;
- an outcome contract's own ``min_change`` still wins for that contract: it is a payment rule.

Changing a threshold re-judges the stored ``Episode.latest_change`` of every journey with a
scored form of that instrument, in the same transaction, so the caseload list never shows a
badge judged by the old threshold. ``updated_at`` is left alone: the badge is a derived summary,
not an edit, and must not make an open record's save look like a conflict.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from linkworker import audit
from linkworker.access import Actor, require
from linkworker.errors import UserError
from linkworker.models import Episode, Measure
from linkworker.storage.database import Caseload
from linkworker.wellbeing.instruments import Instrument
from linkworker.wellbeing.pairing import episode_latest_change
from linkworker.wellbeing.store import (
    all_instruments,
    change_thresholds,
    get_setting,
    instrument_for,
    put_setting,
    threshold_keys,
    unit_of_work,
    usable_threshold,
)


@dataclass(frozen=True)
class ThresholdSetting:
    """One instrument's thresholds in force, its own, and whether an admin changed them."""

    code: str
    name: str
    unit: str  # what the numbers are points of ("WEMWBS score", "each item, 0 to 10")
    largest: float  # the biggest threshold allowed (the instrument's whole range)
    meaningful: float
    reliable: float | None
    default_meaningful: float
    default_reliable: float | None
    meaningful_overridden: bool
    reliable_overridden: bool
    basis: str

    @property
    def overridden(self) -> bool:
        return self.meaningful_overridden or self.reliable_overridden


def _span(inst: Instrument) -> float:
    low, high = inst.value_range
    return float(high - low)


def _unit(inst: Instrument) -> str:
    if inst.reports_total:
        return f"points on the {inst.score_name}"
    return f"points on each item ({inst.answer_min} to {inst.answer_max})"


def _setting(session: Session, inst: Instrument) -> ThresholdSetting:
    meaningful, reliable = change_thresholds(session, inst)
    key, reliable_key = threshold_keys(inst.code)
    return ThresholdSetting(
        code=inst.code, name=inst.name, unit=_unit(inst), largest=_span(inst),
        meaningful=meaningful, reliable=reliable,
        default_meaningful=inst.meaningful_change, default_reliable=inst.reliable_change,
        meaningful_overridden=usable_threshold(inst, get_setting(session, key)) is not None,
        reliable_overridden=usable_threshold(inst, get_setting(session, reliable_key)) is not None,
        basis=inst.change_basis,
    )


def list_thresholds(target: Caseload | Session) -> tuple[ThresholdSetting, ...]:
    """Every instrument's thresholds in force (no personal data: anyone may read them)."""
    with unit_of_work(target, write=False) as session:
        return tuple(_setting(session, inst) for inst in all_instruments(session))


def _checked(inst: Instrument, which: str, value: object) -> float | None:
    """``value`` as a float within the instrument's range, None for "the instrument's own"."""
    if value is None:
        return None
    number = usable_threshold(inst, value)
    if number is None:
        raise UserError(f"The {which} threshold for {inst.code} must be a number greater than 0 "
                        f"and at most {_span(inst):g} ({_unit(inst)}), not {value!r}.")
    return number


def set_change_thresholds(
    target: Caseload | Session, actor: Actor, code: str,
    meaningful: float | None, reliable: float | None = None,
) -> ThresholdSetting:
    """Set (admin) an instrument's thresholds; ``None`` means "the instrument's own value".

    All checked before anything is written; one transaction with the audit event and the
    re-judged journey badges. Returns the thresholds now in force.
    """
    require(actor, "settings.edit")
    with unit_of_work(target) as session:
        inst = instrument_for(session, code)
        new_meaningful = _checked(inst, "meaningful", meaningful)
        new_reliable = _checked(inst, "reliable", reliable)
        if new_meaningful == inst.meaningful_change:
            new_meaningful = None
        if new_reliable == inst.reliable_change:
            new_reliable = None
        before = _setting(session, inst)
        key, reliable_key = threshold_keys(inst.code)
        put_setting(session, key, new_meaningful)
        put_setting(session, reliable_key, new_reliable)
        session.flush()
        after = _setting(session, inst)
        if (before.meaningful, before.reliable, before.overridden) == (
                after.meaningful, after.reliable, after.overridden):
            return after
        rejudged = rejudge_latest_changes(session, inst.code)
        audit.record(session, actor, "wellbeing.threshold_change", entity="instrument",
                     entity_id=inst.code, details={
                         "instrument": inst.code,
                         "old": {"meaningful": before.meaningful, "reliable": before.reliable},
                         "new": {"meaningful": after.meaningful, "reliable": after.reliable},
                         "override": after.overridden, "badges_rejudged": rejudged})
        return after


def clear_change_thresholds(
    target: Caseload | Session, actor: Actor, code: str
) -> ThresholdSetting:
    """Go back to the instrument file's own thresholds (admin, audited)."""
    return set_change_thresholds(target, actor, code, None, None)


def rejudge_latest_changes(session: Session, code: str) -> int:
    """Recompute ``latest_change`` for journeys with a scored form of ``code``; how many changed.

    Uses the journey's own pairing rule (``pairing.episode_latest_change``), so the result is
    exactly what recording a form would have stored.
    """
    rows = session.execute(
        select(Episode.id, Episode.latest_change).where(Episode.id.in_(
            select(Measure.episode_id).where(Measure.instrument == code, Measure.complete,
                                             Measure.value.is_not(None))))
    ).all()
    changed = 0
    for episode_id, old in rows:
        new = episode_latest_change(session, episode_id)
        if new != old:
            session.execute(update(Episode).where(Episode.id == episode_id).values(
                latest_change=new, updated_at=Episode.updated_at))
            changed += 1
    return changed
