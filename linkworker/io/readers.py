"""Reading a charity's spreadsheet (CSV or XLSX) into one plain table of cells.

Real files are messy, so the reader is forgiving about everything that has one sensible
reading and strict about everything else:

* CSV: the encoding the user chose wins; else a UTF-8 or UTF-16 byte-order mark; else strict
  UTF-8; else Windows-1252 (what Excel on Windows writes for "CSV (Comma delimited)") when
  that reading looks like real text. When it does not (a Polish file in Windows-1250 read as
  Windows-1252 turns "Łukasz" into "£ukasz"), nothing is guessed silently: ``EncodingQuestion``
  lists the likely encodings (from ``charset-normalizer``) with a sample of each reading, and
  the user chooses (``--encoding``, or a choice in the wizard). The separator (, ; tab |) is
  sniffed from the first lines; Excel's ``sep=;`` first line is honoured.
* XLSX/XLSM: read-only and ``data_only`` (a formula gives the value Excel saved with it). A
  formula that has no saved value (a file written by a program, never opened in Excel) is
  kept as a ``MissingValue`` so validation reports it, rather than reading it as blank.
* The header is found, not assumed: title rows and merged group headings above it are skipped
  (the row that names most known columns wins). Cells are stripped; blank rows are skipped.
* Anything that is not a table (a picture, a Word file, an empty file, a 100 MB single cell)
  raises ``ImportFileError`` with a message that says what to do.

Row numbers are the ones the user sees in Excel (the first line or row of the file is 1), so a
report line "row 14" points at row 14 of their sheet.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from linkworker.io.errors import ImportFileError
from linkworker.validation import tidy_text

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_UNZIPPED_BYTES = 2 * 1024 * 1024 * 1024  # an XLSX that inflates beyond this is a zip bomb
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
MAX_ROWS = 1_048_576  # Excel's own limit for one sheet
MAX_COLUMNS = 1_000
HEADER_SCAN_ROWS = 30
SEPARATORS = (",", ";", "\t", "|")
SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}

Cell = Any  # None, str, int, float, bool, datetime.date/datetime/time, or MissingValue
HeaderScore = Callable[[list[str]], int]
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class MissingValue:
    """A formula cell whose result the file does not hold (validation reports it)."""

    formula: str

    def __str__(self) -> str:
        return self.formula


@dataclass(frozen=True)
class Row:
    number: int  # as the user sees it in the sheet
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Table:
    """A sheet after reading: its header and its non-blank rows below the header."""

    source: str  # the file's name (never its folder: paths can name people)
    sheet: str | None
    header_row: int
    headers: tuple[str, ...]
    rows: tuple[Row, ...]
    encoding: str | None = None
    separator: str | None = None

    def describe(self) -> str:
        where = f"sheet '{self.sheet}'" if self.sheet else (
            f"{SEPARATOR_NAMES.get(self.separator or ',', 'comma')}-separated, {self.encoding}")
        return (f"{self.source} ({where}): header on row {self.header_row}, "
                f"{len(self.rows)} rows of data")


# --- entry points -----------------------------------------------------------------------------


def sheet_names(path: Path | str) -> list[str]:
    """The worksheets of an XLSX file (empty for CSV), for the user to choose from."""
    path = _check_file(Path(path))
    if _kind_of(path) != "xlsx":
        return []
    workbook = _open_workbook(path, data_only=True)
    try:
        return [ws.title for ws in workbook.worksheets]
    finally:
        workbook.close()


def read_table(
    path: Path | str,
    sheet: str | None = None,
    header_score: HeaderScore | None = None,
    progress: Progress | None = None,
    encoding: str | None = None,
) -> Table:
    """Read ``path`` (CSV or XLSX; ``sheet`` by name, else the first with data; a CSV in
    ``encoding`` when given, else as ``decode_text`` works out)."""
    path = _check_file(Path(path))
    if _kind_of(path) == "xlsx":
        name, raw_rows = _xlsx_rows(path, sheet, header_score)
        encoding = separator = None
    else:
        if sheet:
            raise ImportFileError(f"{path.name} is a CSV file: it has no sheets to choose from.")
        name = None
        text, encoding = decode_text(path.read_bytes(), path.name, encoding)
        raw_rows, separator = _csv_rows(text, path.name)
    return _tabulate(path.name, name, raw_rows, header_score, progress, encoding, separator)


# --- the file as a whole --------------------------------------------------------------------

_MAGIC = (
    (b"\xd0\xcf\x11\xe0", "an old Excel 97-2003 (.xls) or Word file: open it in Excel and "
                          "save it as .xlsx or CSV"),
    (b"%PDF", "a PDF, not a spreadsheet"),
    (b"\x89PNG", "a picture (PNG), not a spreadsheet"),
    (b"\xff\xd8\xff", "a picture (JPEG), not a spreadsheet"),
    (b"GIF8", "a picture (GIF), not a spreadsheet"),
    (b"\x1f\x8b", "a compressed (gzip) file: unpack it first"),
    (b"SQLite format 3", "a database file, not a spreadsheet"),
)


def _check_file(path: Path) -> Path:
    if not path.exists():
        raise ImportFileError(f"There is no file at {path}.")
    if path.is_dir():
        raise ImportFileError(f"{path.name} is a folder; choose a CSV or XLSX file.")
    size = path.stat().st_size
    if size == 0:
        raise ImportFileError(f"{path.name} is empty (0 bytes): there is nothing to import.")
    if size > MAX_FILE_BYTES:
        raise ImportFileError(
            f"{path.name} is {size // (1024 * 1024)} MB; the most LinkWorker imports at once is "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MB. Split it into smaller files."
        )
    return path


def _kind_of(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(16)
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise ImportFileError(f"{path.name} is {what}.")
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    return "csv"


# --- text files -----------------------------------------------------------------------------


class EncodingQuestion(ImportFileError):
    """The file is not UTF-8 and the usual guess reads it as garbled text: the user chooses.

    ``choices`` are (encoding, label, sample) with the sample the lines that differ, as each
    encoding reads them, so the right one is the one whose names look right."""

    def __init__(self, name: str, choices: list[tuple[str, str, str]]) -> None:
        self.choices = choices
        listed = "; ".join(f"{label} (--encoding {codec}): {sample[:60]!r}"
                           for codec, label, sample in choices)
        super().__init__(
            f"{name} is not saved as UTF-8, and LinkWorker cannot tell which encoding it is: "
            f"read the usual way its names look garbled. Choose the encoding whose sample looks "
            f"right: {listed}. Or save the sheet from Excel as 'CSV UTF-8' and import that.")


_LABELS = {
    "cp1252": "Windows-1252 (Western European)", "cp1250": "Windows-1250 (Central European)",
    "cp1251": "Windows-1251 (Cyrillic)", "cp1253": "Windows-1253 (Greek)",
    "cp1254": "Windows-1254 (Turkish)", "cp1257": "Windows-1257 (Baltic)",
    "mac_roman": "Mac Roman (old Mac Excel)", "cp437": "DOS (code page 437)",
    "cp850": "DOS Western (code page 850)", "iso8859_2": "ISO 8859-2 (Central European)",
    "iso8859_15": "ISO 8859-15 (Western European)", "latin_1": "ISO 8859-1 (Latin-1)",
    "utf_16": "UTF-16", "utf_8": "UTF-8",
}
ENCODING_LABELS = {codecs.lookup(codec).name: label for codec, label in _LABELS.items()}
# Symbols the wrong code page puts where a letter was: "£ukasz" (Ł), "¯ó³towski" (Żół).
_GARBLE = re.compile(r"(?<=[^\W\d_])[\x80-\xbf\u0152\u0153\u0160\u0161\u0178\u017d\u017e"
                     r"\u0192\u02c6\u02dc\u2018\u201a-\u201e\u2020-\u2022\u2026\u2030"
                     r"\u2039\u203a\u2122\xd7\xf7]|[\x80-\xbf\u0152\u0153\u0160\u0161"
                     r"\u0178\u017d\u017e\u02c6\u02dc\u2030\u2039\u203a\u2122\xd7\xf7]"
                     r"(?=[^\W\d_])")


def decode_text(data: bytes, name: str, encoding: str | None = None) -> tuple[str, str]:
    """The file's text and the encoding used: the one chosen, else a BOM, else UTF-8, else
    Windows-1252 if that reads as real text, else ``EncodingQuestion``."""
    if encoding:
        return _decode_as(data, name, encoding)
    for bom, codec, label in (
        (codecs.BOM_UTF8, "utf-8", "UTF-8 with BOM"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
    ):
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(codec)
            except UnicodeDecodeError:
                raise ImportFileError(
                    f"{name} says it is {label} text but is not: it may be damaged. Save it "
                    "again from Excel as 'CSV UTF-8'.") from None
            return _check_text(text, name), label
    if b"\x00" in data[:65536]:
        raise ImportFileError(_NOT_TEXT.format(name=name))
    try:
        return _check_text(data.decode("utf-8"), name), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = None
    if text is not None and not _GARBLE.search(text):
        return _check_text(text, name), "Windows-1252"
    raise EncodingQuestion(name, _encoding_choices(data))


def _decode_as(data: bytes, name: str, encoding: str) -> tuple[str, str]:
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise ImportFileError(f"'{encoding}' is not an encoding LinkWorker knows (for example "
                              "utf-8, cp1252, cp1250, mac_roman).") from None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"{name} is not {ENCODING_LABELS.get(codec, codec)} text (byte "
                              f"{exc.start + 1:,} cannot be read that way): choose another "
                              "encoding.") from None
    return _check_text(text.removeprefix("\ufeff"), name), ENCODING_LABELS.get(codec, codec)


def _encoding_choices(data: bytes) -> list[tuple[str, str, str]]:
    """The likely encodings, best first, each with the lines it reads differently."""
    from charset_normalizer import from_bytes

    found = [codecs.lookup(m.encoding).name for m in from_bytes(data[:200_000])]
    codecs_tried: list[str] = []
    for codec in [*found[:4], "cp1252", "cp1250", "mac_roman"]:
        if codec not in codecs_tried and codec != "utf-8":
            codecs_tried.append(codec)
    readings = {}
    for codec in codecs_tried:
        try:
            readings[codec] = data.decode(codec)
        except UnicodeDecodeError:
            continue
    lines = [i for i, line in enumerate(next(iter(readings.values()), "").splitlines())
             if not line.isascii()][:3]
    choices = []
    for codec, text in readings.items():
        sample = " / ".join(text.splitlines()[i] for i in lines if i < len(text.splitlines()))
        choices.append((codec, ENCODING_LABELS.get(codec, codec), sample))
    return choices[:5]


_NOT_TEXT = ("{name} is not a spreadsheet LinkWorker can read: it is not text in a known "
             "encoding (it may be a program, a picture or a damaged file). Save the sheet from "
             "Excel as 'CSV UTF-8' or as an .xlsx workbook.")


def _check_text(text: str, name: str) -> str:
    sample = text[:65536]
    if not sample.strip():
        raise ImportFileError(f"{name} holds no data (only blank lines or spaces).")
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n\f")
    if "\x00" in text or controls > max(2, len(sample) // 100):
        raise ImportFileError(_NOT_TEXT.format(name=name))
    return text


def sniff_separator(text: str) -> str:
    """The separator whose split gives the most rows with the same number (> 1) of cells;
    a comma when none splits anything (a one-column file)."""
    sample = text[:65536]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    best, best_score = ",", (0, 0, 0)
    for separator in SEPARATORS:
        try:
            widths = [len(r) for r in csv.reader(io.StringIO(sample, newline=""),
                                                 delimiter=separator) if any(c.strip() for c in r)]
        except csv.Error:
            continue
        if not widths:
            continue
        mode = max(set(widths), key=widths.count)
        score = (1, widths.count(mode), mode)
        if mode > 1 and score > best_score:
            best, best_score = separator, score
    return best


def _csv_rows(text: str, name: str) -> tuple[Iterator[tuple[int, list[Cell]]], str]:
    first_line = text.split("\n", 1)[0].strip()
    skip = 0
    match = re.fullmatch(r'"?sep=(.)"?', first_line, flags=re.IGNORECASE)
    if match:
        separator, skip = match.group(1), 1
    else:
        separator = sniff_separator(text)

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
        number = 0
        try:
            for number, record in enumerate(reader, start=1):  # used after
                if number > skip:
                    yield number, [_unprotect(cell) for cell in record]
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise ImportFileError(_huge_cell(name, number + 1)) from None
            raise ImportFileError(
                f"{name} could not be read as CSV near row {number + 1} ({exc}). Check for an "
                "unclosed quote mark, or save the sheet again from Excel.") from None

    return rows(), separator


def _unprotect(cell: str) -> str:
    """Undo the apostrophe the export puts before = + - @ so Excel never runs text as a
    formula (Excel hides such an apostrophe too)."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in ("=", "+", "-", "@") else cell


def _huge_cell(name: str, row: int, column: str | None = None) -> str:
    where = f"row {row}" + (f", column {column}" if column else "")
    return (f"{name} has a cell at {where} longer than {MAX_CELL_CHARS:,} characters (the most "
            "a spreadsheet cell can hold). It is probably not a caseload sheet, or is damaged.")


# --- workbooks ------------------------------------------------------------------------------

_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _open_workbook(path: Path, data_only: bool):  # an openpyxl Workbook
    import openpyxl

    _check_zip(path)
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    except Exception as exc:  # any failure inside openpyxl means "not readable"
        raise ImportFileError(
            f"{path.name} could not be opened as an Excel workbook ({type(exc).__name__}). "
            "Open it in Excel and save it again as .xlsx, or save the sheet as CSV.") from None


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            total = sum(info.file_size for info in archive.infolist())
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
            damaged = _first_damaged(archive) if total <= MAX_UNZIPPED_BYTES else None
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, EOFError, zlib.error):
        damaged = ""
    if damaged is not None:
        raise ImportFileError(f"{path.name} looks like an Excel file but is damaged or "
                              "incomplete" + (f" ({damaged} fails its checksum)" if damaged
                                              else "") + ". Save it again from Excel.")
    if b"opendocument" in mimetype:
        raise ImportFileError(f"{path.name} is an OpenDocument (LibreOffice) file: save it as "
                              ".xlsx or CSV first.")
    if "xl/workbook.xml" not in names:
        raise ImportFileError(f"{path.name} is a zip file but not an Excel workbook (.xlsx).")
    if total > MAX_UNZIPPED_BYTES:
        raise ImportFileError(f"{path.name} unpacks to more than 2 GB: it is too large to import.")


def _first_damaged(archive: zipfile.ZipFile) -> str | None:
    """The first part whose data fails its CRC (read in chunks: a large sheet is fine)."""
    for info in archive.infolist():
        try:
            with archive.open(info) as stream:
                while stream.read(1 << 20):
                    pass
        except (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError):
            return info.filename
    return None


def _has_formulas(path: Path) -> bool:
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            with archive.open(name) as stream:
                tail = b""
                while chunk := stream.read(1 << 20):
                    if _FORMULA_TAG.search(tail + chunk):
                        return True
                    tail = chunk[-8:]
    return False


def _choose_sheet(workbook, wanted: str | None, name: str,
                  header_score: HeaderScore | None):
    """The sheet asked for; else the one whose first rows name most known columns; else the
    first sheet with any data (a "Read me" sheet before the list is common)."""
    sheets = workbook.worksheets
    if wanted:
        for ws in sheets:
            if ws.title.casefold() == wanted.strip().casefold():
                return ws
        titles = ", ".join(f"'{ws.title}'" for ws in sheets)
        raise ImportFileError(f"{name} has no sheet called '{wanted}'. Its sheets are: {titles}.")
    best, best_score = None, -1
    for ws in sheets:
        ws.reset_dimensions()
        score = -1
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            texts = [str(v).strip() for v in values if _clean(v) is not None]
            if texts:
                score = max(score, header_score(texts) if header_score else 0)
            if number >= HEADER_SCAN_ROWS:
                break
        if score > best_score:
            best, best_score = ws, score
    if best is None:
        raise ImportFileError(f"{name} has no data on any sheet.")
    return best


def _xlsx_rows(path: Path, wanted: str | None, header_score: HeaderScore | None,
               ) -> tuple[str, Iterator[tuple[int, list[Cell]]]]:
    workbook = _open_workbook(path, data_only=True)
    try:
        ws = _choose_sheet(workbook, wanted, path.name, header_score)
    except ImportFileError:
        workbook.close()
        raise
    except Exception as exc:  # a damaged sheet inside a valid zip
        workbook.close()
        raise ImportFileError(f"{path.name} could not be read ({type(exc).__name__}); save it "
                              "again from Excel.") from None
    title = ws.title
    formulas = None
    if _has_formulas(path):
        formula_book = _open_workbook(path, data_only=False)
        formulas = formula_book[title]
        formulas.reset_dimensions()

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        try:
            ws.reset_dimensions()
            values = ws.iter_rows(values_only=True)
            shadows = formulas.iter_rows(values_only=True) if formulas is not None else None
            for number, row in enumerate(values, start=1):
                shadow = next(shadows, ()) if shadows is not None else ()
                yield number, _with_missing_values(list(row), shadow)
        except ImportFileError:
            raise
        except Exception as exc:  # damaged XML inside the workbook
            raise ImportFileError(f"{path.name} is damaged inside ({type(exc).__name__}); "
                                  "save it again from Excel.") from None
        finally:
            workbook.close()
            if formulas is not None:
                formula_book.close()

    return title, rows()


def _with_missing_values(values: list[Cell], shadow: Iterable[Cell]) -> list[Cell]:
    for index, formula in enumerate(shadow):
        if index < len(values) and values[index] is None and isinstance(formula, str) \
                and formula.startswith("="):
            values[index] = MissingValue(formula)
    return values


# --- from rows to a table -------------------------------------------------------------------


def _clean(value: Cell) -> Cell:
    if isinstance(value, str):
        return tidy_text(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def _column_letter(index: int) -> str:
    """Excel's letters for a 0-based column (27 -> "AB"), as the export names them.
    XlsxWriter is imported here, when a file names a column, not by every screen that reads
    one (a record's signposting tab imports this module)."""
    from xlsxwriter.utility import xl_col_to_name

    return xl_col_to_name(index)


def _clean_row(name: str, number: int, raw: list[Cell]) -> tuple[Cell, ...]:
    if len(raw) > MAX_COLUMNS:
        if any(_clean(v) is not None for v in raw[MAX_COLUMNS:]):
            raise ImportFileError(f"{name} has more than {MAX_COLUMNS} columns on row {number}: "
                                  "it is probably not a caseload sheet.")
        raw = raw[:MAX_COLUMNS]
    cells = []
    for index, value in enumerate(raw):
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            raise ImportFileError(_huge_cell(name, number, _column_letter(index)))
        cells.append(_clean(value))
    while cells and cells[-1] is None:
        cells.pop()
    return tuple(cells)


def _generic_header_score(texts: list[str]) -> int:
    return len(texts)


def _find_header(head: list[Row], header_score: HeaderScore | None) -> int:
    """The index (in ``head``) of the header row.

    With a scorer (how many cells name a known field) the best-scoring row wins; otherwise, and
    when nothing scores, the first row of text cells at least half as wide as the widest row.
    """
    if header_score is not None:
        scores = [header_score([str(c) for c in row.cells if c is not None]) for row in head]
        if max(scores, default=0) > 0:
            return scores.index(max(scores))
    widest = max(sum(c is not None for c in row.cells) for row in head)
    for index, row in enumerate(head):
        filled = [c for c in row.cells if c is not None]
        if len(filled) >= max(1, (widest + 1) // 2) and all(isinstance(c, str) for c in filled):
            return index
    return 0


def _header_names(cells: tuple[Cell, ...], width: int) -> tuple[str, ...]:
    names: list[str] = []
    seen: dict[str, int] = {}
    for index in range(width):
        value = cells[index] if index < len(cells) else None
        if isinstance(value, dt.datetime | dt.date):
            value = value.isoformat()[:10]
        text = re.sub(r"\s+", " ", str(value)).strip() if value is not None else ""
        text = text or f"Column {_column_letter(index)}"
        key = text.casefold()
        seen[key] = seen.get(key, 0) + 1
        names.append(text if seen[key] == 1 else f"{text} ({seen[key]})")
    return tuple(names)


def _tabulate(
    name: str,
    sheet: str | None,
    raw_rows: Iterator[tuple[int, list[Cell]]],
    header_score: HeaderScore | None,
    progress: Progress | None,
    encoding: str | None,
    separator: str | None,
) -> Table:
    head: list[Row] = []
    body: list[Row] = []
    for number, raw in raw_rows:
        if number > MAX_ROWS:
            raise ImportFileError(f"{name} has more than {MAX_ROWS:,} rows; split it into "
                                  "smaller files.")
        cells = _clean_row(name, number, raw)
        if not cells:
            continue
        if len(head) < HEADER_SCAN_ROWS:
            head.append(Row(number, cells))
        else:
            body.append(Row(number, cells))
        if progress and number % 5000 == 0:
            progress(number, 0, "Reading the file")
    if not head:
        raise ImportFileError(f"{name} holds no data (every row is blank).")
    index = _find_header(head, header_score)
    header = head[index]
    rows = head[index + 1:] + body
    if not rows:
        raise ImportFileError(f"{name} has a header (row {header.number}) but no rows of data "
                              "below it: there is nothing to import.")
    width = max([len(header.cells)] + [len(r.cells) for r in rows])
    return Table(name, sheet, header.number, _header_names(header.cells, width), tuple(rows),
                 encoding, separator)
