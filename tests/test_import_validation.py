"""Every validation rule, as the report states it (row as seen in the sheet, column, reason)."""

from __future__ import annotations

import datetime as dt

import pytest

from linkworker.access import SYSTEM
from linkworker.errors import UserError
from linkworker.io import import_file
from linkworker.io.mapping import (
    ColumnMapping,
    guess_mapping,
    load_mapping,
    match_header,
    save_mapping,
)
from linkworker.io.readers import Row, Table
from linkworker.io.validate import check_table
from linkworker.io.vocab import ethnicity_vocabulary, timepoint

TODAY = dt.date(2026, 3, 1)


def check(kind: str, headers: list[str], *rows: list):
    """(records, problems) for an in-memory table; data rows are numbered from 2."""
    cells = [tuple(None if c == "" else c for c in r) for r in rows]  # as the reader gives
    table = Table("test.csv", None, 1, tuple(headers),
                  tuple(Row(n, r) for n, r in enumerate(cells, start=2)))
    mapping = guess_mapping(kind, headers)
    records, problems = [], []
    for record, found in check_table(table, mapping, TODAY):
        if record is not None:
            records.append(record)
        problems += found
    return records, problems


def one_value(kind: str, header: str, value, **others):
    headers = [header, *others]
    records, problems = check(kind, headers, [value, *others.values()])
    return records, problems


# --- headers --------------------------------------------------------------------------------


@pytest.mark.parametrize("header, field", [
    ("Surname", "family_name"), ("Last name", "family_name"), ("Family Name", "family_name"),
    ("DOB", "date_of_birth"), ("D.O.B.", "date_of_birth"), ("Date of Birth", "date_of_birth"),
    ("NHS No", "nhs_number"), ("NHS No.", "nhs_number"), ("Post Code", "postcode"),
    ("Postocde", "postcode"), ("Client ID", "external_ref"), ("Forename", "given_name"),
    ("Client First Name", "given_name"), ("E-mail", "email"), ("Ethnic group", "ethnicity"),
    ("Sex", "gender"), ("Nonsense column", None),
])
def test_people_headers_guessed(header, field):
    assert match_header("people", header) == field


def test_mapping_is_saved_corrected_and_reloaded(tmp_path):
    mapping = guess_mapping("people", ["Ref", "Name 1", "Name 2"])
    assert mapping.missing() == ["Given name or Full name", "Family name or Full name"]
    mapping.set("Name 1", "given_name")
    mapping.set("Name 2", "family_name")
    assert mapping.missing() == []
    path = save_mapping(mapping, tmp_path / "clients.mapping.json")
    again = load_mapping(path, "people")
    assert again.columns == mapping.columns
    assert guess_mapping("people", ["Ref", "Name 1", "Name 2"], again).columns == mapping.columns
    with pytest.raises(UserError, match="mapping for people, not contacts"):
        load_mapping(path, "contacts")
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(UserError, match="not a LinkWorker mapping file"):
        load_mapping(tmp_path / "bad.json")


def test_one_field_is_mapped_from_one_column_only():
    mapping = ColumnMapping("people", {"A": "family_name", "B": None})
    mapping.set("B", "family_name")
    assert mapping.columns == {"A": None, "B": "family_name"}
    with pytest.raises(UserError, match="not a field"):
        mapping.set("A", "shoe_size")


# --- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value, expected", [
    ("03/04/1960", dt.date(1960, 4, 3)),  # dd/mm/yyyy, never US order
    ("3/4/1960", dt.date(1960, 4, 3)),
    ("1960-04-03", dt.date(1960, 4, 3)),
    ("1960-04-03 00:00:00", dt.date(1960, 4, 3)),
    ("03-04-1960", dt.date(1960, 4, 3)),
    ("3 April 1960", dt.date(1960, 4, 3)),
    ("03/04/60", dt.date(1960, 4, 3)),
    (22009, dt.date(1960, 4, 3)),  # an Excel serial, from a real number cell
    (dt.datetime(1960, 4, 3), dt.date(1960, 4, 3)),
])
def test_dates_in_every_common_form(value, expected):
    records, problems = one_value("people", "DOB", value, Surname="Lee", Forename="Ann")
    assert problems == []
    assert records[0].values["date_of_birth"] == expected


@pytest.mark.parametrize("value, reason", [
    ("31/02/1970", "'31/02/1970' is not a real date."),
    ("yesterday", "'yesterday' is not a date: use dd/mm/yyyy"),
    ("01/01/2090", "The date of birth 01/01/2090 is in the future."),
    ("01/01/1890", "01/01/1890 is before 1900: check the year."),
])
def test_bad_dates_are_reported_with_row_column_and_reason(value, reason):
    _, problems = one_value("people", "DOB", value, Surname="Lee", Forename="Ann")
    assert len(problems) == 1
    assert str(problems[0]).startswith(f"row 2, column 'DOB': {reason}")


# --- NHS numbers, postcodes, email, codes ------------------------------------------------------


def test_nhs_number_mod_11():
    records, problems = one_value("people", "NHS No", "943 476 5919", Surname="A", Forename="B")
    assert records[0].values["nhs_number"] == "9434765919"
    _, problems = one_value("people", "NHS No", "9434765918", Surname="A", Forename="B")
    assert "fails the check digit" in problems[0].reason
    _, problems = one_value("people", "NHS No", "12345", Surname="A", Forename="B")
    assert "must be 10 digits" in problems[0].reason
    records, _ = one_value("people", "NHS No", 9434765919, Surname="A", Forename="B")
    assert records[0].values["nhs_number"] == "9434765919"  # a number cell


def test_postcodes_normalised_or_refused():
    records, _ = one_value("people", "Postcode", "ne14st", Surname="A", Forename="B")
    assert records[0].values["postcode"] == "NE1 4ST"
    _, problems = one_value("people", "Postcode", "12345", Surname="A", Forename="B")
    assert problems[0].reason == "'12345' is not a UK postcode (for example NE1 4ST)."


def test_email_checked():
    _, problems = one_value("people", "Email", "ann at home", Surname="A", Forename="B")
    assert "is not an email address" in problems[0].reason


@pytest.mark.parametrize("text, category", [
    ("White British", "English, Welsh, Scottish, Northern Irish or British"),
    ("british", "English, Welsh, Scottish, Northern Irish or British"),
    ("Pakistani", "Pakistani"),
    ("Asian or Asian British: Indian", "Indian"),
    ("Black Caribbean", "Caribbean"),
    ("prefer not to say", "Prefer not to say"),
    ("Not stated", "Prefer not to say"),
    ("A", "English, Welsh, Scottish, Northern Irish or British"),  # the NHS letter
    ("Mixed", "Any other Mixed or Multiple background"),
])
def test_ethnicity_from_common_text(text, category):
    assert ethnicity_vocabulary().code(text) == category


def test_unknown_ethnicity_and_gender_are_problems():
    _, problems = check("people", ["Surname", "Forename", "Ethnicity", "Gender"],
                        ["Lee", "Ann", "Martian", "Q"])
    assert [p.column for p in problems] == ["Ethnicity", "Gender"]
    assert "is not a known 2021 Census ethnic group" in problems[0].reason


@pytest.mark.parametrize("text, code", [("M", "1"), ("male", "1"), ("Female", "2"),
                                        ("f", "2"), ("2", "2"), ("Non-binary", "9"),
                                        ("unknown", "X")])
def test_gender_to_nhs_codes(text, code):
    records, _ = one_value("people", "Gender", text, Surname="A", Forename="B")
    assert records[0].values["gender"] == code


def test_full_name_is_split_when_there_are_no_separate_names():
    records, problems = check("people", ["Name", "DOB"], ["Mary Ann Robson", "01/01/1950"],
                              ["Cher", "01/01/1950"])
    assert records[0].values["given_name"] == "Mary Ann"
    assert records[0].values["family_name"] == "Robson"
    assert problems[0].row == 3 and "only one name" in problems[0].reason


def test_missing_names_are_reported():
    _, problems = check("people", ["Surname", "Forename"], ["Lee", ""])
    assert str(problems[0]) == ("row 2, column 'Forename': Given name is empty; every person "
                                "needs one.")


def test_excel_error_cells_are_reported():
    _, problems = one_value("people", "DOB", "#REF!", Surname="A", Forename="B")
    assert "shows the error #REF! in Excel" in problems[0].reason


def test_text_longer_than_the_field_holds():
    _, problems = one_value("people", "Surname", "x" * 101, Forename="B")
    assert "101 characters long; the most this field holds is 100" in problems[0].reason


# --- journeys, contacts, goals -------------------------------------------------------------


def test_episode_dates_must_follow_the_referral():
    _, problems = check("episodes", ["Client ID", "Referral date", "Exit date", "Exit reason"],
                        ["C1", "01/02/2025", "01/01/2025", "Moved away"],
                        ["C1", "01/02/2027", "", ""],
                        ["C1", "01/02/2025", "", "Moved away"])
    assert [(p.row, p.column) for p in problems] == [
        (2, "Exit date"), (3, "Referral date"), (4, "Exit reason")]
    assert "is before the referral" in problems[0].reason


def test_contact_codes_from_everyday_words():
    records, problems = check(
        "contacts", ["Client ID", "Date", "Type", "Attended", "Duration", "Time"],
        ["C1", "05/01/2026", "F2F", "DNA", "1:30", "2.30pm"],
        ["C1", "06/01/2026", "Telephone", "yes", "45 mins", "09:15"],
        ["C1", "07/01/2026", "Carrier pigeon", "maybe", "900", "25:00"])
    assert records[0].values | {} == records[0].values
    assert (records[0].values["mode"], records[0].values["status"]) == ("face_to_face",
                                                                        "did_not_attend")
    assert records[0].values["duration_minutes"] == 90
    assert records[0].values["start_time"] == dt.time(14, 30)
    assert records[1].values["mode"] == "phone"
    assert {p.column for p in problems if p.row == 4} == {"Type", "Attended", "Duration",
                                                          "Time"}


def test_future_contact_must_be_planned():
    _, problems = check("contacts", ["Client ID", "Date", "Status"],
                        ["C1", "05/05/2026", "Attended"], ["C1", "05/05/2026", "Booked"])
    assert [p.row for p in problems] == [2]


def test_goal_words_categories_and_status():
    records, problems = check("goals", ["Client ID", "Goal", "Area", "Date agreed", "Status"],
                              ["C1", "Walk to the shops", "Exercise", "01/02/2026", "Met"],
                              ["C1", "", "Housing", "01/02/2026", "open"])
    assert (records[0].values["category"], records[0].values["status"]) == (
        "physical_health", "achieved")
    assert problems[0].reason == "Goal (own words) is empty; every row needs one."


@pytest.mark.parametrize("text, code", [("Baseline", "baseline"), ("3 months", "review_3m"),
                                        ("6-month review", "review_6m"), ("review_12m",
                                                                          "review_12m"),
                                        ("Exit", "exit")])
def test_timepoints(text, code):
    assert timepoint(text) == code


# --- measures: answers checked against the instrument ---------------------------------------

WEMWBS = ["Client ID", "Measure", "Date", *(f"Q{n}" for n in range(1, 15))]


def test_measure_answers_in_range_and_scored():
    records, problems = check("measures", [*WEMWBS, "Total"],
                              ["C1", "WEMWBS", "01/02/2026", *([4] * 14), 56])
    assert problems == []
    assert records[0].values["_score"].value == 56


def test_every_bad_answer_is_reported_by_its_column():
    _, problems = check("measures", WEMWBS,
                        ["C1", "WEMWBS", "01/02/2026", 6, 3, 0, *([3] * 10), "lots"])
    assert [p.column for p in problems] == ["Q1", "Q3", "Q14"]
    assert "outside the allowed range 1 to 5" in problems[0].reason


def test_total_that_disagrees_with_the_answers():
    _, problems = check("measures", [*WEMWBS, "Total"],
                        ["C1", "WEMWBS", "01/02/2026", *([4] * 14), 50])
    assert problems[0].column == "Total" and "differs from the score" in problems[0].reason


def test_unknown_instrument_and_extra_answers():
    _, problems = check("measures", ["Client ID", "Measure", "Date", "Q1", "Q2", "Q8"],
                        ["C1", "Happiness-9000", "01/02/2026", 1, 1, None],
                        ["C1", "SWEMWBS", "01/02/2026", 1, 1, 3])
    assert "Unknown instrument 'Happiness-9000'" in problems[0].reason
    assert problems[1].column == "Q8" and "7 questions" in problems[1].reason


# --- the whole file: required columns --------------------------------------------------------


def test_file_without_a_required_column_says_which_and_lists_columns(caseload, tmp_path):
    path = tmp_path / "episodes.csv"
    path.write_text("Client ID,Source\nC1,GP\n", encoding="utf-8")
    with pytest.raises(UserError, match="no column was recognised for Referral date.*"
                                        "'Client ID', 'Source'"):
        import_file(caseload, SYSTEM, path, "episodes")
