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


def test_xlsx_directory_with_title_row_imports(caseload, team, tmp_path):
    """The directory importer reads XLSX through the general reader: a title row above the
    header is skipped, Excel dates and numbers become the service's fields."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Our local services (updated January)"])
    sheet.append(["name", "category", "venue", "phone", "last_checked", "active"])
    sheet.append(["Heaton Walking Group", "Walking and physical activity", "Heaton Park",
                  1910000001, dt.datetime(2026, 1, 1), True])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["Money Matters", "debt_benefits", "Citizens Advice", None, None, False])
    path = tmp_path / "directory.xlsx"
    book.save(path)

    result = import_services_csv(caseload, team.worker, path, today=TODAY)
    assert (result.added, result.updated) == (2, 0)
    services = {s.name: s for s in search_services(caseload, include_inactive=True)}
    walk = services["Heaton Walking Group"]
    assert (walk.category, walk.phone, walk.last_checked, walk.active) == (
        "physical_activity", "1910000001", dt.date(2026, 1, 1), True)
    assert services["Money Matters"].active is False


def test_bad_xlsx_row_is_named_by_its_sheet_row_and_changes_nothing(caseload, team, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Directory"])
    sheet.append(["name", "category", "last_checked"])
    sheet.append(["Good", "food", None])
    sheet.append(["Future", "food", dt.datetime(2030, 1, 1)])
    path = tmp_path / "bad.xlsx"
    book.save(path)
    with pytest.raises(UserError, match="row 4: 'Last checked' 01/01/2030 is in the future"):
        import_services_csv(caseload, team.worker, path, today=TODAY)
    assert search_services(caseload) == ()


def test_export_protects_formula_text_and_round_trips(caseload, team, tmp_path):
    """Text that Excel would run as a formula is written with an apostrophe and read back
    without it (the general export and reader conventions)."""
    save_service(caseload, team.worker, {**WALK, "times": "=HYPERLINK(\"x\")"}, today=TODAY)
    out = tmp_path / "directory.csv"
    export_services_csv(caseload, team.worker, out)
    row = next(csv.DictReader(out.open(encoding="utf-8")))
    assert row["times"] == "'=HYPERLINK(\"x\")" and row["active"] == "yes"
    assert import_services_csv(caseload, team.worker, out, today=TODAY).updated == 1
    assert search_services(caseload)[0].times == "=HYPERLINK(\"x\")"


def test_windows_1252_semicolon_csv_imports(caseload, team, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("name;category;venue\nCaf\xe9 Chat;befriending;St Mary's\n".encode("cp1252"))
    assert import_services_csv(caseload, team.worker, path, today=TODAY).added == 1
    assert search_services(caseload)[0].name == "Caf\xe9 Chat"


def test_person_lists_check_access_and_keep_to_the_person(caseload, team, jane):
    """The shared "person's rows across journeys" query refuses a worker without access and
    never returns another person's rows."""
    from linkworker.access import PermissionDenied
    from linkworker.goals import list_goals

    other = save_referral_for(caseload, team)
    service = save_service(caseload, team.worker, WALK, today=TODAY)
    signpost(caseload, team.worker, other.episode_id, service, on=dt.date(2026, 2, 1),
             today=TODAY)
    record_unmet_need(caseload, team.worker, other.episode_id, "befriending", "None nearby")
    assert list_signposts(caseload, team.worker, jane.person_id) == ()
    assert list_unmet_needs(caseload, team.worker, jane.person_id) == ()
    assert len(list_signposts(caseload, team.worker, other.person_id)) == 1
    for listing in (list_signposts, list_unmet_needs, list_goals):
        with pytest.raises(PermissionDenied):
            listing(caseload, team.other_worker, jane.person_id)


def save_referral_for(caseload, team):
    from linkworker.referral import save_referral
    from tests.record.conftest import details

    return save_referral(caseload, team.worker, details(
        team, given_name="John", family_name="Smith", nhs_number="401 023 2137",
        date_of_birth=dt.date(1950, 1, 1)), today=TODAY)


def test_gone_rows_say_so_and_change_nothing(caseload, team, jane):
    """Rows that have gone since the screen showed them give a clear NotFound (shared
    ``must_get``) rather than a traceback."""
    from linkworker.directory import get_service
    from linkworker.errors import NotFound
    from linkworker.goals import StepInput, add_step

    with pytest.raises(NotFound, match="no longer in the directory"):
        get_service(caseload, "no-such-id")
    with pytest.raises(NotFound, match="no longer in the directory"):
        signpost(caseload, team.worker, jane.episode_id, "no-such-id", today=TODAY)
    with pytest.raises(NotFound, match="signposting is no longer on the record"):
        record_take_up(caseload, team.worker, "no-such-id", True, today=TODAY)
    with pytest.raises(NotFound, match="goal is no longer on the record"):
        add_step(caseload, team.worker, "no-such-id", StepInput("Phone the group"))
    assert list_signposts(caseload, team.worker, jane.person_id) == ()
