"""The directory: services, search, stale checks, signposting, unmet needs, CSV in and out."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from linkworker.directory import (
    export_services_csv,
    import_services_csv,
    list_signposts,
    list_unmet_needs,
    record_take_up,
    record_unmet_need,
    save_service,
    search_services,
    signpost,
)
from linkworker.errors import UserError
from tests.record.conftest import TODAY

WALK = {"name": "Heaton Walking Group", "category": "physical_activity", "venue": "Heaton Park",
        "times": "Tuesdays 10:00", "phone": "0191 000 0001", "last_checked": dt.date(2026, 1, 1),
        "accessibility": "Flat paths; step-free toilets"}


def test_search_by_word_prefix_category_and_stale(caseload, team):
    save_service(caseload, team.worker, WALK, today=TODAY)
    save_service(caseload, team.worker, {"name": "Money Matters", "category": "debt_benefits",
                                         "venue": "Citizens Advice", "last_checked": None})
    assert [s.name for s in search_services(caseload, "walk", today=TODAY)] == [WALK["name"]]
    assert [s.name for s in search_services(caseload, "HEATON", today=TODAY)] == [WALK["name"]]
    assert [s.name for s in search_services(caseload, "citizens")] == ["Money Matters"]
    assert [s.name for s in search_services(caseload, "debt")] == ["Money Matters"]  # category
    assert [s.name for s in search_services(caseload, "", stale_only=True, today=TODAY)] == [
        "Money Matters"]
    assert search_services(caseload, "100%") == ()
    with pytest.raises(UserError, match="category"):
        save_service(caseload, team.worker, {"name": "X", "category": "nope"})


def test_signpost_take_up_and_unmet_need(caseload, team, jane):
    service = save_service(caseload, team.worker, WALK, today=TODAY)
    sp = signpost(caseload, team.worker, jane.episode_id, service, on=dt.date(2026, 2, 1),
                  accompanied=True, today=TODAY)
    item = list_signposts(caseload, team.worker, jane.person_id)[0]
    assert (item.service_name, item.accompanied, item.take_up_label) == (
        WALK["name"], True, "Not known yet")
    with pytest.raises(UserError, match="between"):
        record_take_up(caseload, team.worker, sp, True, dt.date(2026, 1, 1), TODAY)
    record_take_up(caseload, team.worker, sp, True, dt.date(2026, 2, 10), TODAY)
    assert list_signposts(caseload, team.worker, jane.person_id)[0].take_up_label == (
        "Took it up 10/02/2026")
    record_unmet_need(caseload, team.worker, jane.episode_id, "befriending",
                      "No befriending service in Elswick")
    assert list_unmet_needs(caseload, team.worker, jane.person_id)[0].category_label == (
        "Befriending and company")


def test_csv_round_trip_is_idempotent(caseload, team, tmp_path):
    save_service(caseload, team.worker, WALK, today=TODAY)
    out = tmp_path / "directory.csv"
    assert export_services_csv(caseload, team.worker, out) == 1
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows[0]["last_checked"] == "2026-01-01" and rows[0]["category"] == "physical_activity"
    with out.open("a", encoding="utf-8", newline="") as f:
        csv.writer(f).writerow(["Knit and Natter", "Arts, crafts and music"] + [""] * 13)
    assert import_services_csv(caseload, team.worker, out, dry_run=True).added == 1
    first = import_services_csv(caseload, team.worker, out)
    assert (first.added, first.updated) == (1, 1)
    again = import_services_csv(caseload, team.worker, out)
    assert (again.added, again.updated) == (0, 2)
    assert len(search_services(caseload)) == 2


def test_bad_csv_changes_nothing(caseload, team, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,category,postcode\nA,food,NE1 4ST\nB,unknown,\nC,food,nowhere\n",
                   encoding="utf-8")
    with pytest.raises(UserError) as caught:
        import_services_csv(caseload, team.worker, bad)
    assert "row 3" in str(caught.value) and "row 4" in str(caught.value)
    assert search_services(caseload) == ()
