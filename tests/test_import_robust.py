"""Files that used to give tracebacks, garbled names or false "Done"s (issue 12, import).

Each case goes through the real reader, checks and command line; none may raise anything but
a clear ``ImportFileError`` or a row problem, and none may write anything it should not.
"""

from __future__ import annotations

import csv
import os
import struct
import zipfile
from pathlib import Path

import pytest
from conftest import cli_sign_in
from sqlalchemy import func, select
from test_import_apply import run, write

from linkworker.cli import main
from linkworker.io.errors import ImportFileError
from linkworker.io.readers import EncodingQuestion, read_table
from linkworker.models import Person


def people(caseload) -> int:
    with caseload.reading() as s:
        return s.execute(select(func.count()).select_from(Person)).scalar_one()


def _workbook(path: Path, rows: list[list]) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("People")
    for number, row in enumerate(rows):
        sheet.write_row(number, 0, row)
    book.close()
    return path


def _break_crc(path: Path, member: str) -> Path:
    """Flip the stored CRC-32 of one part (local header and central directory): the data
    still inflates, but no longer matches its checksum, as in a half-copied file."""
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).getinfo(member)
    data[info.header_offset + 14] ^= 0xFF
    position = 0
    while (position := data.find(b"PK\x01\x02", position)) >= 0:
        length = struct.unpack("<H", data[position + 28:position + 30])[0]
        if bytes(data[position + 46:position + 46 + length]) == member.encode():
            data[position + 16] ^= 0xFF
        position += 4
    path.write_bytes(bytes(data))
    return path


def test_a_workbook_with_a_bad_crc_is_refused_clearly(tmp_path):
    book = _workbook(tmp_path / "people.xlsx", [["First name", "Surname"], ["Ann", "Lee"]])
    _break_crc(book, "xl/worksheets/sheet1.xml")
    with pytest.raises(ImportFileError, match="damaged or incomplete .*sheet1.xml fails its "
                                              "checksum"):
        read_table(book)


def test_huge_numbers_and_deep_or_huge_json_are_row_problems(caseload, tmp_path):
    book = _workbook(tmp_path / "people.xlsx", [
        ["First name", "Surname", "IMD decile", "Contact preferences"],
        ["Ann", "Lee", "9" * 5000, '{"phone": true}'],
        ["Bob", "Hall", 1e300, "[" * 1500 + "]" * 1500],
        ["Cal", "Reed", "1e999", '{"a": "' + "x" * 20000 + '"}'],
        ["Dee", "Bell", 3, '{"a":' * 600 + "1" + "}" * 600],
    ])
    report = run(caseload, book, "people")
    reasons = {(p.row, p.column): p.reason for p in report.problems}
    assert reasons[(2, "IMD decile")].endswith("is not a whole number.")
    assert reasons[(3, "IMD decile")].endswith("is not a decile (1 to 10).")
    assert len(reasons[(3, "IMD decile")]) < 120  # the number is cut short, not printed whole
    assert "nests more than 3 levels deep" in reasons[(3, "Contact preferences")]
    assert "contact preferences are at most 4,000" in reasons[(4, "Contact preferences")]
    assert "nests more than 3 levels deep" in reasons[(5, "Contact preferences")]
    assert not report.applied and people(caseload) == 0


POLISH = "Client ID,First name,Surname\nC1,Łukasz,Wójcik\nC2,Zofia,Śliwińska\nC3,Józef,Żółtowski\n"


def test_a_file_in_another_encoding_is_detected_and_the_user_asked(caseload, tmp_path):
    path = tmp_path / "polish.csv"
    path.write_bytes(POLISH.encode("cp1250"))
    with pytest.raises(EncodingQuestion) as asked:
        run(caseload, path, "people")
    choices = {codec: sample for codec, _label, sample in asked.value.choices}
    assert "Łukasz" in choices["cp1250"] and "£ukasz" in choices["cp1252"]
    assert "--encoding cp1250" in str(asked.value)
    assert people(caseload) == 0
    report = run(caseload, path, "people", encoding="cp1250")
    assert report.applied
    with caseload.reading() as s:
        assert sorted(s.execute(select(Person.given_name)).scalars()) == [
            "Józef", "Zofia", "Łukasz"]


def test_a_windows_excel_csv_still_imports_without_asking(tmp_path):
    path = tmp_path / "western.csv"
    path.write_bytes("First name,Surname,Fee\nZoë,Ó Briain,£5\nMary,O’Brien,£0\n"
                     .encode("cp1252"))
    table = read_table(path)
    assert table.encoding == "Windows-1252" and table.rows[0].cells[:2] == ("Zoë", "Ó Briain")


def test_a_number_typed_in_a_csv_date_column_is_not_an_excel_serial(caseload, tmp_path):
    path = write(tmp_path / "p.csv", "First name,Surname,DOB\nAnn,Lee,12345\n")
    report = run(caseload, path, "people")
    assert [str(p) for p in report.problems] == [
        "row 2, column 'DOB': '12345' is not a date: use dd/mm/yyyy, for example 03/04/2026."]
    book = _workbook(tmp_path / "p.xlsx", [["First name", "Surname", "DOB"],
                                           ["Ann", "Lee", 22009]])
    assert run(caseload, book, "people", dry_run=True).problems == ()  # a real number cell


@pytest.fixture
def cli_caseload(caseload_path, caseload, monkeypatch):
    caseload.close()
    cli_sign_in(monkeypatch, caseload_path, "manager")
    return caseload_path


def test_a_header_only_file_is_no_rows_and_exit_2(cli_caseload, tmp_path, capsys):
    path = write(tmp_path / "empty.csv", "Client ID,First name,Surname")
    assert main(["--db", str(cli_caseload), "import", str(path), "--kind", "people"]) == 2
    captured = capsys.readouterr()
    assert "has a header (row 1) but no rows of data" in captured.err
    assert "Done" not in captured.out


def test_cli_asks_for_the_encoding_and_takes_it(cli_caseload, tmp_path, capsys):
    path = tmp_path / "polish.csv"
    path.write_bytes(POLISH.encode("cp1250"))
    assert main(["--db", str(cli_caseload), "import", str(path), "--kind", "people"]) == 2
    assert "not saved as UTF-8" in capsys.readouterr().err
    assert main(["--db", str(cli_caseload), "import", str(path), "--kind", "people",
                 "--encoding", "cp1250"]) == 0
    assert "Done: 3 new" in capsys.readouterr().out


BAD = "Client ID,First name,Surname,DOB,Notes\nC1,Ann,Lee,01/02/1950,\nC2,Bob,Hall,31/02/1960,"


def test_rows_to_fix_keep_formulas_neutral_and_name_the_original_row(caseload, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(BAD + "'=HYPERLINK(\"http://x\")\nC3,Cal,Reed,03/04/1970,\n",
                    encoding="utf-8")
    report = run(caseload, path, "people", good_rows_only=True)
    assert report.applied and people(caseload) == 2
    with report.rejects_path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["Problems (remove this column once fixed)", "Row in original file",
                           "Client ID"]
    assert rows[1][1] == "3" and rows[1][-1] == "'=HYPERLINK(\"http://x\")"
    # The file of rows to fix imports again as it is once the date is fixed.
    rows[1][5] = "28/02/1960"
    with report.rejects_path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    again = run(caseload, report.rejects_path, "people")
    assert again.applied and not again.problems and people(caseload) == 3


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_rows_to_fix_that_cannot_be_written_mean_nothing_is_saved(caseload, tmp_path):
    path = write(tmp_path / "p.csv", BAD)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(ImportFileError, match="Nothing was imported: the rows to fix "
                                                  "could not be written"):
            run(caseload, path, "people", good_rows_only=True, rejects=locked / "fix.csv")
    finally:
        locked.chmod(0o700)
    assert people(caseload) == 0


def test_rows_to_fix_are_written_before_the_commit(caseload, tmp_path, monkeypatch):
    """Whatever stops the file of rows to fix (a full disk, a locked folder) stops the
    import: nothing is saved and the error is clear."""
    from linkworker.io import pipeline

    def disk_full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pipeline, "atomic_writer", disk_full)
    path = write(tmp_path / "p.csv", BAD)
    with pytest.raises(ImportFileError, match="No space left on device"):
        run(caseload, path, "people", good_rows_only=True)
    assert people(caseload) == 0


def test_dry_run_good_rows_only_says_honestly_what_would_happen(cli_caseload, tmp_path,
                                                                capsys):
    path = write(tmp_path / "p.csv", BAD)
    code = main(["--db", str(cli_caseload), "import", str(path), "--kind", "people",
                 "--dry-run", "--good-rows-only"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Rows to fix were written" not in out
    assert ("Dry run: nothing was written, and no file of rows to fix. Without --dry-run the "
            "1 good rows would be imported and the 1 rows with problems written to a file to "
            "fix.") in out
    assert not (tmp_path / "p-to-fix.csv").exists()
