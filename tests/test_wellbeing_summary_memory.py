"""The wellbeing summary holds a person's forms at a time, not the caseload's (issue 15: the
Reports page's summary, built in its own process at 150,000 people, peaked at 380 MB holding
every WEMWBS form of the caseload, names included, before pairing them).

Measured in bytes Python allocated (``tracemalloc``), never in seconds: the build's highest
allocation beyond what it returns stays a small part of what every form would take."""

from __future__ import annotations

import datetime as dt
import pickle
import pickletools
import tracemalloc

from linkworker.models import Episode, Measure, Person
from linkworker.wellbeing import summaries
from linkworker.wellbeing.summaries import SummaryFilter, build_summary

D = dt.date
PEOPLE, FORMS_EACH = 300, 4


def _caseload_with_forms(caseload) -> None:
    """PEOPLE people, one journey each, FORMS_EACH scored WEMWBS forms on it (a baseline and
    three reviews); every third person has the baseline only."""
    with caseload.transaction() as s:
        for n in range(PEOPLE):
            person = Person(reference=f"R{n:04d}", given_name="Given" * 4,
                            family_name=f"Family{n:04d}" * 3)
            s.add(person)
            s.flush()
            episode = Episode(person_id=person.id, number=1, referral_date=D(2024, 1, 1))
            s.add(episode)
            s.flush()
            count = 1 if n % 3 == 0 else FORMS_EACH
            s.add_all(Measure(person_id=person.id, episode_id=episode.id, instrument="WEMWBS",
                              timepoint="baseline" if k == 0 else f"review_{3 * k}m",
                              completed_on=D(2024, 2, 1) + dt.timedelta(days=90 * k),
                              raw=40 + k + n % 7, value=40.0 + k + n % 7, complete=True)
                      for k in range(count))


def _traced(work):
    """(result, highest bytes allocated while it ran beyond what was held before, bytes still
    held after it: the result)."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        result = work()
        after, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak - before, after - before


def test_the_summary_holds_a_persons_forms_at_a_time_not_every_form(caseload, actor_manager,
                                                                     monkeypatch):
    _caseload_with_forms(caseload)
    chosen = SummaryFilter("WEMWBS", as_of=D(2026, 1, 1))
    build_summary(caseload, actor_manager, chosen)  # imports and caches out of the count
    monkeypatch.setattr(summaries, "READ_BATCH", 25)
    summary, peak, kept = _traced(lambda: build_summary(caseload, actor_manager, chosen))
    assert (summary.with_baseline, summary.paired, summary.missing_follow_up) == (300, 200, 100)
    # Every form read and held at once (what the old build did) is ~1,000 rows of 12 values,
    # ~0.9 KB each; the result is 300 rows. The build may use a little more than its result.
    forms = PEOPLE * FORMS_EACH - PEOPLE // 3 * (FORMS_EACH - 1)
    assert peak - kept < forms * 300, (peak, kept)


def _memoized(pickled: bytes) -> int:
    """How many objects pickle's memo held while writing ``pickled``: each stays alive (with
    any small tuple made only to pickle it) until the whole result is written."""
    return sum(op.name in ("MEMOIZE", "PUT", "BINPUT", "LONG_BINPUT")
               for op, _arg, _pos in pickletools.genops(pickled))


def test_the_summary_goes_up_from_its_process_apart_as_columns_not_an_object_per_value(
        caseload, actor_manager):
    """Sent row by row, every row, its arguments and each of its dates (a tuple of its own)
    went into pickle's memo: +46 MB in the process apart at 150,000 people. As columns of
    plain values only the texts do, and the summary comes back equal."""
    _caseload_with_forms(caseload)
    summary = build_summary(caseload, actor_manager, SummaryFilter("WEMWBS", as_of=D(2026, 1, 1)))
    rows = len(summary.pairs) + len(summary.missing)
    pickled = pickle.dumps(summary, protocol=pickle.HIGHEST_PROTOCOL)
    assert pickle.loads(pickled) == summary
    assert [type(p.baseline_on) for p in pickle.loads(pickled).pairs[:1]] == [dt.date]
    # The texts of a row: person, reference and journey ids, and the direction or the name
    # (a value each, 1,268 for these 300 rows; row by row it was 3,367).
    assert _memoized(pickled) <= 5 * rows, (_memoized(pickled), rows)
