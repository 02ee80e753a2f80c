"""Caseload summaries against a fixture worked out by hand (see the comments for the sums)."""

from __future__ import annotations

import csv
import datetime as dt
import math

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from linkworker.access import Actor, PermissionDenied
from linkworker.errors import UserError
from linkworker.models import AuditEvent, Episode, Person, User
from linkworker.wellbeing.measures import record_measure
from linkworker.wellbeing.stats import mean_with_interval, t_quantile
from linkworker.wellbeing.summaries import (
    SummaryFilter,
    build_summary,
    export_summary,
    summary_lines,
)

D = dt.date

# person: worker, [(timepoint, date, total or None for incomplete)]
# Worker A, baselines in Q1 2025 unless stated:
FIXTURE = {
    "P1": ("A", [("baseline", D(2025, 1, 10), 40), ("review_3m", D(2025, 4, 10), 45)]),   # +5
    "P2": ("A", [("baseline", D(2025, 1, 15), 50), ("review_3m", D(2025, 4, 15), 50)]),   # 0
    "P3": ("A", [("baseline", D(2025, 2, 1), 45), ("review_3m", D(2025, 5, 1), 41)]),     # -4
    "P4": ("A", [("baseline", D(2025, 2, 3), 38), ("review_3m", D(2025, 5, 3), 40),
                 ("review_6m", D(2025, 8, 3), 47)]),                                        # +9
    "P5": ("A", [("baseline", D(2025, 3, 1), 52), ("review_3m", D(2025, 6, 1), 54)]),     # +2
    "P6": ("A", [("baseline", D(2025, 3, 5), 44)]),                                         # none
    "P7": ("A", [("baseline", D(2024, 12, 20), 30), ("review_3m", D(2025, 3, 20), 50)]),  # Dec
    "P8": ("B", [("baseline", D(2025, 1, 20), 30), ("review_3m", D(2025, 4, 20), 35)]),   # wkr B
    "P9": ("A", [("baseline", D(2025, 1, 22), None)]),                                      # blank
    "P10": ("A", [("other", D(2025, 2, 1), 42), ("review_3m", D(2025, 5, 1), 45)]),       # +3
}
# Worker A, Q1 2025: with a baseline P1-P6, P10 = 7; paired 6; missing 1 (P6).
# Changes 5, 0, -4, 9, 2, 3: mean 15/6 = 2.5; squared deviations 6.25+6.25+42.25+42.25+0.25
# +0.25 = 97.5; variance 97.5/5 = 19.5; SE = sqrt(19.5/6) = sqrt(3.25) = 1.8027756;
# t(0.975, 5) = 2.5705818 (printed tables: 2.571); half-width 4.6341830.
HALF = 2.5705818 * math.sqrt(3.25)


def answers_for(total: int | None) -> list[int | None]:
    if total is None:
        return [3] * 13 + [None]
    answers = [1] * 14
    extra = total - 14
    for i in range(14):
        step = min(4, extra)
        answers[i] += step
        extra -= step
    return answers


@pytest.fixture
def fixture_caseload(caseload, actor_manager):
    with caseload.transaction() as s:
        workers = {k: User(username=k.lower(), display_name=f"Worker {k}") for k in "AB"}
        s.add_all(workers.values())
        s.flush()
        worker_ids = {k: u.id for k, u in workers.items()}
        episodes = {}
        for ref, (worker, _) in FIXTURE.items():
            person = Person(reference=ref, given_name="Test", family_name=ref)
            s.add(person)
            s.flush()
            episode = Episode(person_id=person.id, number=1, referral_date=D(2024, 12, 1),
                              worker_id=worker_ids[worker])
            s.add(episode)
            s.flush()
            episodes[ref] = (person.id, episode.id)
    for ref, (_, forms) in FIXTURE.items():
        person_id, episode_id = episodes[ref]
        for timepoint, on, total in forms:
            record_measure(caseload, actor_manager, person_id, episode_id, "WEMWBS", timepoint,
                           on, "with_worker", answers_for(total), allow_incomplete=total is None)
    return caseload, worker_ids


Q1 = {"start": D(2025, 1, 1), "end": D(2025, 3, 31), "as_of": D(2025, 12, 31)}


def test_t_quantiles_match_printed_tables():
    for df, printed in [(1, 12.706), (5, 2.571), (9, 2.262), (30, 2.042), (120, 1.980)]:
        assert round(t_quantile(0.975, df), 3) == printed
    assert mean_with_interval([]).mean is None
    assert mean_with_interval([4.0]).low is None


def test_summary_matches_hand_calculation(fixture_caseload, actor_manager):
    caseload, workers = fixture_caseload
    s = build_summary(caseload, actor_manager,
                      SummaryFilter("WEMWBS", worker_id=workers["A"], **Q1))
    assert (s.with_baseline, s.paired, s.missing_follow_up) == (7, 6, 1)
    assert (s.improved, s.no_change, s.deteriorated) == (3, 2, 1)
    assert s.change.mean == pytest.approx(2.5)
    assert s.change.sd == pytest.approx(math.sqrt(19.5))
    assert s.change.low == pytest.approx(2.5 - HALF, abs=1e-6)
    assert s.change.high == pytest.approx(2.5 + HALF, abs=1e-6)
    assert s.mean_baseline == pytest.approx((40 + 50 + 45 + 38 + 52 + 42) / 6)
    assert s.mean_follow_up == pytest.approx((45 + 50 + 41 + 47 + 54 + 45) / 6)
    assert [m.reference for m in s.missing] == ["P6"]
    assert {p.reference: p.change for p in s.pairs} == {
        "P1": 5, "P2": 0, "P3": -4, "P4": 9, "P5": 2, "P10": 3}
    assert s.percent(s.improved) == 50.0


def test_all_workers_and_unbounded_period(fixture_caseload, actor_manager):
    caseload, _ = fixture_caseload
    s = build_summary(caseload, actor_manager, SummaryFilter("WEMWBS", as_of=D(2025, 12, 31)))
    # Adds P7 (+20, Dec baseline) and P8 (+5, worker B).
    assert (s.with_baseline, s.paired, s.improved) == (9, 8, 5)
    # Follow-ups after as_of are not yet known: P4's 6-month review (03/08/2025) drops out,
    # leaving its 3-month review (+2).
    early = build_summary(caseload, actor_manager,
                          SummaryFilter("WEMWBS", worker_id=None, start=D(2025, 1, 1),
                                        end=D(2025, 3, 31), as_of=D(2025, 6, 30)))
    assert {p.reference: p.change for p in early.pairs}["P4"] == 2


def test_link_worker_sees_only_their_own_caseload(fixture_caseload):
    caseload, workers = fixture_caseload
    worker_b = Actor(user_id=workers["B"], username="b", role="link_worker")
    s = build_summary(caseload, worker_b, SummaryFilter("WEMWBS", worker_id=workers["A"], **Q1))
    assert s.filter.worker_id == workers["B"] and s.with_baseline == 1
    with pytest.raises(PermissionDenied):
        build_summary(caseload, Actor(None, "c", "coordinator"), SummaryFilter("WEMWBS"))


def test_bad_filters(fixture_caseload, actor_manager):
    caseload, _ = fixture_caseload
    with pytest.raises(UserError, match="ends before it starts"):
        build_summary(caseload, actor_manager,
                      SummaryFilter("WEMWBS", start=D(2025, 3, 1), end=D(2025, 1, 1)))
    with pytest.raises(UserError, match="item by item"):
        build_summary(caseload, actor_manager, SummaryFilter("ONS4"))


def test_export_suppresses_small_cells_with_reasons(fixture_caseload, actor_manager, tmp_path):
    caseload, workers = fixture_caseload
    s = build_summary(caseload, actor_manager,
                      SummaryFilter("WEMWBS", worker_id=workers["A"], **Q1))
    shown = {x.key: x for x in summary_lines(s, suppress=False)}
    assert shown["missing_follow_up"].value == "1" and shown["mean_change"].value == "2.5"
    assert shown["ci95"].value == f"{2.5 - HALF:.1f} to {2.5 + HALF:.1f}"
    lines = {x.key: x for x in summary_lines(s)}
    # 1, 3, 2 and 1 people are primary-suppressed; the total 7 would give away the missing 1.
    for key in ("missing_follow_up", "improved", "no_change", "deteriorated", "improved_pct"):
        assert lines[key].value == "suppressed" and "fewer than 5" in lines[key].note
    assert lines["with_baseline"].value == "suppressed"
    assert "worked out" in lines["with_baseline"].note
    assert lines["paired"].value == "6" and lines["mean_change"].value == "2.5"
    csv_path = export_summary(caseload, actor_manager, s, tmp_path / "summary.csv")
    rows = list(csv.reader(csv_path.read_text(encoding="utf-8-sig").splitlines()))
    assert ["People with a paired follow-up", "6", ""] in rows
    assert not any(r[:2] == ["People still missing a follow-up", "1"] for r in rows)
    assert "P6" not in csv_path.read_text(encoding="utf-8-sig")
    xlsx = export_summary(caseload, actor_manager, s, tmp_path / "summary.xlsx")
    cells = [[c.value for c in row] for row in load_workbook(xlsx).active.iter_rows()]
    assert cells[-5][:2] == ["Improved, % of paired", "suppressed"]
    with caseload.reading() as session:
        actions = session.execute(select(AuditEvent.action)).scalars().all()
        assert actions.count("export.wellbeing_summary") == 2
    with pytest.raises(UserError, match="csv or .xlsx"):
        export_summary(caseload, actor_manager, s, tmp_path / "summary.pdf")


def test_under_five_paired_hides_means_and_secondary_cells(fixture_caseload, actor_manager):
    caseload, workers = fixture_caseload
    s = build_summary(caseload, actor_manager,
                      SummaryFilter("WEMWBS", worker_id=workers["B"], **Q1))
    assert (s.with_baseline, s.paired) == (1, 1)
    lines = {x.key: x for x in summary_lines(s)}
    assert lines["mean_change"].value == "suppressed"
    assert lines["ci95"].value == "suppressed"
    assert lines["no_change_pct"].value == "suppressed"
    assert lines["missing_follow_up"].value == "0"  # zero people is not disclosive here


def test_the_summarys_rows_keep_none_of_the_read_forms_own_values(fixture_caseload,
                                                                   actor_manager):
    """A summary at 150,000 people kept 12 MB of rows but 130 MB of Python's arenas: its rows
    held the read forms' own strings and dates, scattered over every arena the read filled
    (issue 15). Its rows now hold copies, so the forms' arenas go with the forms."""
    from linkworker.wellbeing.store import instrument_for
    from linkworker.wellbeing.summaries import _forms

    caseload, _ = fixture_caseload
    chosen = SummaryFilter("WEMWBS", as_of=D(2025, 12, 31))
    with caseload.reading() as session:
        forms = list(_forms(session, instrument_for(session, "WEMWBS"), chosen))
    read = {id(value) for form in forms for value in form}
    s = build_summary(caseload, actor_manager, chosen, forms=forms)
    assert s.pairs and s.missing
    kept = [value for row in (*s.pairs, *s.missing) for value in vars(row).values()
            if not isinstance(value, bool | type(None))]
    assert [v for v in kept if id(v) in read] == []
    assert {p.reference for p in s.pairs} >= {"P1", "P10"}  # and still equal to them
