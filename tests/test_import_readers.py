"""Reading real, messy spreadsheets: encodings, separators, headers, workbooks, garbage."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkworker.io.errors import ImportFileError
from linkworker.io.mapping import guess_mapping, header_score
from linkworker.io.readers import MissingValue, read_table, sheet_names, sniff_separator
from linkworker.io.validate import check_table

FIXTURES = Path(__file__).parent / "fixtures" / "import"


def people_table(name: str, sheet: str | None = None):
    return read_table(FIXTURES / name, sheet, header_score("people"))


def test_windows_1252_csv_keeps_pounds_and_accents_and_skips_title_and_blank_rows():
    table = people_table("people_cp1252.csv")
    assert table.encoding == "Windows-1252"
    assert table.header_row == 3
    assert table.headers[:3] == ("Client ID", "First Name", "Surname")
    assert [r.number for r in table.rows] == [4, 5, 7, 8]  # row 6 is blank
    first = table.rows[0].cells
    assert first[1] == "Zoë"  # trailing space stripped
    assert first[2] == "Ó Briain"
    assert first[8] == "£5.00"
    assert table.rows[1].cells[2] == "Núñez"


def test_semicolon_csv_with_bom():
    table = people_table("people_semicolon_bom.csv")
    assert (table.separator, table.encoding) == (";", "UTF-8 with BOM")
    assert table.headers[0] == "Family name"  # the BOM is not part of the first header
    assert [r.cells[0] for r in table.rows] == ["Kowalska", "Øster", "Smith, Jr"]


def test_tab_separated_text():
    table = read_table(FIXTURES / "contacts_tab.txt", None, header_score("contacts"))
    assert table.separator == "\t"
    assert table.rows[0].cells[5] == "Met at the library"


@pytest.mark.parametrize("text, expected", [
    ("a,b,c\n1,2,3\n", ","),
    ("a;b;c\n1,5;2;3\n", ";"),
    ("a\tb\n1\t2\n", "\t"),
    ("a|b|c\nx|y|z\n", "|"),
    ('name,notes\n"Smith; J","a; b; c"\n', ","),
])
def test_separator_sniffing(text, expected):
    assert sniff_separator(text) == expected


def test_excel_sep_line_is_honoured(tmp_path):
    path = tmp_path / "sep.csv"
    path.write_text("sep=;\nSurname;First name\nLee;Ann, Jo\n", encoding="utf-8")
    table = read_table(path, None, header_score("people"))
    assert table.headers == ("Surname", "First name")
    assert table.rows[0].cells == ("Lee", "Ann, Jo")


def test_workbook_skips_readme_sheet_title_rows_and_merged_group_headings():
    assert sheet_names(FIXTURES / "people_messy.xlsx") == ["Read me", "Clients"]
    table = people_table("people_messy.xlsx")
    assert table.sheet == "Clients"
    assert table.header_row == 5  # below the title rows and the merged "Personal details"
    assert table.headers[3] == "Post code"  # trailing spaces in the header stripped
    assert [r.number for r in table.rows] == [6, 7, 9, 10]  # row 8 is blank
    assert table.rows[0].cells[1] == "Mary"
    assert table.rows[1].cells[2] == "Hall"


def test_workbook_dates_as_serials_real_dates_and_text_all_read():
    table = people_table("people_messy.xlsx")
    mapping = guess_mapping("people", table.headers)
    records = [record for record, problems in check_table(table, mapping, dt.date(2026, 1, 1))]
    born = [r.values["date_of_birth"] for r in records]
    assert born == [dt.date(1960, 4, 4), dt.date(1948, 7, 5), dt.date(1950, 4, 3),
                    dt.date(1966, 3, 1)]


def test_formula_cells_give_their_saved_result():
    table = people_table("people_messy.xlsx")
    assert all(row.cells[6] == 70 for row in table.rows)


def test_formula_without_saved_result_is_reported_not_read_as_blank():
    table = people_table("formula_no_saved_result.xlsx")
    assert isinstance(table.rows[1].cells[2], MissingValue)
    mapping = guess_mapping("people", table.headers)
    problems = [p for _, found in check_table(table, mapping) for p in found]
    assert len(problems) == 1
    assert problems[0].row == 3 and problems[0].column == "Surname"
    assert "no saved result" in problems[0].reason


def test_sheet_by_name_and_unknown_sheet():
    table = people_table("people_messy.xlsx", "clients")
    assert table.sheet == "Clients"
    with pytest.raises(ImportFileError, match="no sheet called 'Staff'.*'Read me', 'Clients'"):
        people_table("people_messy.xlsx", "Staff")
    with pytest.raises(ImportFileError, match="CSV file: it has no sheets"):
        people_table("people_cp1252.csv", "Sheet1")


@pytest.mark.parametrize("name, message", [
    ("binary.bin", "not a spreadsheet LinkWorker can read"),
    ("empty.csv", "empty \\(0 bytes\\)"),
    ("huge_cell.csv", "longer than 32,767 characters"),
    ("zip_not_workbook.xlsx", "not an Excel workbook"),
    ("truncated.xlsx", "damaged or incomplete"),
])
def test_garbage_gets_a_clear_error(name, message):
    with pytest.raises(ImportFileError, match=message):
        people_table(name)


def test_other_file_types_are_named(tmp_path):
    for data, message in ((b"%PDF-1.7\n...", "a PDF"), (b"\xd0\xcf\x11\xe0" + b"\0" * 60,
                                                        "old Excel 97-2003")):
        path = tmp_path / "file.xls"
        path.write_bytes(data)
        with pytest.raises(ImportFileError, match=message):
            people_table(path)
    with pytest.raises(ImportFileError, match="no file at"):
        people_table(tmp_path / "missing.csv")
    with pytest.raises(ImportFileError, match="holds no data"):
        (tmp_path / "blank.csv").write_text("\n , \n\n", encoding="utf-8")
        people_table(tmp_path / "blank.csv")


def test_duplicate_and_missing_headers_get_names(tmp_path):
    path = tmp_path / "dupes.csv"
    path.write_text("Surname,Phone,Phone,,First name\nLee,1,2,x,Ann,extra\n", encoding="utf-8")
    table = read_table(path)
    assert table.headers == ("Surname", "Phone", "Phone (2)", "Column D", "First name",
                             "Column F")


# --- fuzzing: nothing but a clear error, whatever the bytes ---------------------------------

FUZZ = settings(max_examples=80, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(data=st.binary(min_size=0, max_size=2000))
def test_arbitrary_bytes_never_crash(tmp_path, data):
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    _read_and_check(path)


@FUZZ
@given(rows=st.lists(st.lists(st.text(max_size=30), max_size=8), max_size=12),
       separator=st.sampled_from([",", ";", "\t", "|"]))
def test_arbitrary_text_tables_never_crash(tmp_path, rows, separator):
    path = tmp_path / "fuzz.csv"
    path.write_text("\n".join(separator.join(r) for r in rows), encoding="utf-8")
    for kind in ("people", "measures", "contacts"):
        _read_and_check(path, kind)


@FUZZ
@given(cells=st.lists(st.one_of(st.none(), st.integers(-10**6, 10**7), st.floats(
    allow_nan=False, allow_infinity=False), st.text(st.characters(
        blacklist_categories=("Cc", "Cs")), max_size=20), st.dates()), min_size=16,
    max_size=16))
def test_arbitrary_cells_in_every_field_never_crash(tmp_path, cells):
    book = openpyxl.Workbook()
    book.active.append(["Client ID", "Surname", "First name", "DOB", "NHS No", "Postcode",
                        "Ethnicity", "Gender", "Measure", "Date", "Q1", "Q2", "Timepoint",
                        "Duration", "Time", "Email"])
    book.active.append(cells)
    book.save(tmp_path / "fuzz.xlsx")
    for kind in ("people", "measures", "contacts"):
        _read_and_check(tmp_path / "fuzz.xlsx", kind)


def _read_and_check(path: Path, kind: str = "people") -> None:
    try:
        table = read_table(path, None, header_score(kind))
    except ImportFileError:
        return
    mapping = guess_mapping(kind, table.headers)
    for _record, problems in check_table(table, mapping):
        for problem in problems:
            assert str(problem).startswith(f"row {problem.row}")
