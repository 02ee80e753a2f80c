"""Taking everything out: every table a user may see, as CSV files and one XLSX workbook.

Decisions, so the files are both honest and useful:

* **CSV**: UTF-8 *with* a byte-order mark (Excel then shows £ and accents correctly; every
  other tool ignores it), comma-separated, one header row. **Dates ISO 8601** (2026-04-03),
  times HH:MM, yes/no for true/false, lists joined with "; ".
* **Columns are named as the importer's fields**, so importing a file back maps every column by
  itself. ``id`` is LinkWorker's own id: importing it into another caseload creates the record
  with the same id, so export -> import -> export gives the same files. References between
  tables use the person's LinkWorker reference (``person`` = LW-000123) and the journey's id.
* A text cell starting with = + - or @ is written with a leading apostrophe in CSV, so Excel
  shows it rather than running it as a formula (the importer removes the apostrophe again).
* One workbook ``linkworker-export.xlsx``: a README sheet documenting every table and column,
  then a sheet per table (dates as real dates). ``README.txt`` says the same beside the CSVs.
  A sheet holds 1,048,575 rows below its header; a longer table goes on over "contacts (2)",
  "contacts (3)"... (each with the header), and the README says so. The CSV is never split.
* Speed and memory (a 50,000-person caseload is 2.7 million rows): each table is one query
  over that table in stored (rowid) order: no sort, so SQLite reads its pages once, in order,
  and memory does not grow with the table. Who is in the export and what a row names by id
  (the person's reference, the journey's number, usernames, contract codes, service names)
  are read once by SQLite into in-memory temporary tables that the query joins by key
  (``_lookup_selects``, ``_temporary_lookups``; each worker builds its own, so none of them
  is ever a Python object or pickled). One query per table gives each row's CSV line and
  sheet row together (``_row_query``: the table is read once), with text as stored; Python
  checks a whole batch of lines at a time and quotes the few fields that need it, and rows
  whose sheet text needs escaping (& < >, control characters) are read again through the
  exact query (``_rows``). Formatting every cell that carefully in SQL, and reading each
  table twice, was most of the time. The tables, and rowid ranges of the big ones, are
  shared out among worker processes, one per core, on the same snapshot
  (``export_workers``: threads took turns at the GIL), biggest first; each writes its
  share's CSV lines and deflates its sheet rows into scratch files, and this process puts
  each table into the workbook's zip as it is done (``_Book``; docs/ARCHITECTURE.md says why
  not XlsxWriter's constant-memory mode). A small caseload is written in this process.
* Rows are in the order they were stored (for a caseload built by the app or an import: the
  order they were recorded or imported), the same on every export; importing an export into a
  fresh caseload and exporting again gives the same files.
* Only people within the actor's scope are exported (``people_scope``), never erased people.
  Everything is written into a hidden ``.NAME.*.part`` folder beside the target and moved into
  place only when complete (a new folder by one rename); a failed export leaves nothing. One
  audit event records the export and its counts.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import os
import shutil
import struct
import tempfile
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from linkworker import __version__, audit
from linkworker.access import Actor, check_actor, require
from linkworker.errors import UserError
from linkworker.io import export_rows
from linkworker.io.export_rows import (
    _BOLD,
    _LEVEL,
    _NS,
    _SHEET_END,
    _WRAP,
    IMPORT_ORDER,
    MEASURES,
    STYLES,
    TABLES,
    ExportTable,
    _answer_width,
    _flush,
    _headers,
    _markup_text,
    _Part,
    _Piece,
    _rare_escapes,
    _sheet_start,
    _sheet_zlib,
    _temporary_lookups,
    append_file,
)
from linkworker.storage.database import Caseload

Progress = Callable[[int, int, str], None]
WORKBOOK = "linkworker-export.xlsx"
README = "README.txt"


@dataclass(frozen=True)
class ExportResult:
    folder: Path
    files: tuple[Path, ...]
    counts: dict[str, int] = field(default_factory=dict)


_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_ZIP_LIMIT = 2**31 - 1  # no ZIP64 records: Excel is strict about them (see ``_Part.start``)
_DOS_DATE = (1 << 5) | 1  # 1 January 1980, what zipfile writes for a streamed entry


def _xml_text(text: str) -> str:
    """Text for an XML element, control characters as Excel's own _xHHHH_ escapes."""
    return _rare_escapes(_markup_text(text, limit=len(text)))


def _crc32_combine(first: int, second: int, length: int) -> int:
    """The CRC-32 of two pieces joined, from theirs: the second piece's bytes are never read
    again. ISA-L's own when it is there (Python's zlib does not offer zlib's)."""
    if hasattr(_sheet_zlib, "crc32_combine"):
        return _sheet_zlib.crc32_combine(first, second, length)
    return _python_crc32_combine(first, second, length)


def _python_crc32_combine(first: int, second: int, length: int) -> int:
    """zlib's crc32_combine, in Python."""

    def times(matrix: list[int], vector: int) -> int:
        total, n = 0, 0
        while vector:
            if vector & 1:
                total ^= matrix[n]
            vector >>= 1
            n += 1
        return total

    def square(matrix: list[int]) -> list[int]:
        return [times(matrix, matrix[n]) for n in range(32)]

    odd = [0xEDB88320] + [1 << n for n in range(31)]  # one zero bit
    even = square(odd)  # two zero bits
    odd = square(even)  # four
    while length:
        even = square(odd)
        if length & 1:
            first = times(even, first)
        length >>= 1
        if not length:
            break
        odd = square(even)
        if length & 1:
            first = times(odd, first)
        length >>= 1
    return first ^ second


class _Book:
    """The workbook's zip, written once every sheet is ready: each sheet's deflated rows are
    copied in behind its start. Written by hand (a few headers) because zipfile cannot take
    data already deflated."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle
        self.directory: list[bytes] = []
        self.sheets: list[str] = []

    def _entry(self, name: str, crc: int, size: int, chunks: Sequence[bytes | Path]) -> None:
        encoded = name.encode("ascii")
        packed = sum(c.stat().st_size if isinstance(c, Path) else len(c) for c in chunks)
        offset = self.handle.tell()
        self.handle.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, _DOS_DATE,
                                      crc, packed, size, len(encoded), 0) + encoded)
        for chunk in chunks:
            if isinstance(chunk, Path):
                append_file(chunk, self.handle)
            else:
                self.handle.write(chunk)
        self.directory.append(struct.pack(
            "<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, _DOS_DATE, crc, packed, size,
            len(encoded), 0, 0, 0, 0, 0, offset) + encoded)

    def add(self, name: str, text: str) -> None:
        data = text.encode("utf-8")
        deflate = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15)
        self._entry(name, zlib.crc32(data), len(data), [deflate.compress(data) + deflate.flush()])

    def add_sheet(self, part: _Part) -> None:
        """A whole sheet written by one ``_Part`` (closed: its end is in its own stream)."""
        self._sheet(part.name, part.start(), [_Piece(part.path, part.rows, part.size, part.crc)])

    def add_pieces(self, name: str, headers: Sequence[str], pieces: Sequence[_Piece]) -> None:
        """A sheet whose rows come in ``pieces`` (in order), each deflated by its worker."""
        self._sheet(name, _sheet_start(headers, sum(p.rows for p in pieces)), pieces, _SHEET_END)

    def _sheet(self, name: str, start_text: str, pieces: Sequence[_Piece],
               end_text: str = "") -> None:
        start, end = start_text.encode("utf-8"), end_text.encode("utf-8")
        size = len(start) + sum(p.size for p in pieces) + len(end)
        if size > _ZIP_LIMIT:
            raise UserError("A sheet of the workbook would be larger than 2 GB, more than "
                            "Excel can open; the CSV files hold every row.")
        deflate = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15)
        # A sync flush ends the start on a byte boundary without ending the stream, so the
        # rows' own deflate streams (each piece's ended the same way) can follow as they are.
        head = deflate.compress(start) + deflate.flush(zlib.Z_SYNC_FLUSH)
        crc = zlib.crc32(start)
        for piece in pieces:
            crc = _crc32_combine(crc, piece.crc, piece.size)
        tail = b""
        if end:
            crc = _crc32_combine(crc, zlib.crc32(end), len(end))
            last = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15)
            tail = last.compress(end) + last.flush()
        self.sheets.append(name)
        self._entry(f"xl/worksheets/sheet{len(self.sheets)}.xml", crc, size,
                    [head, *(p.path for p in pieces), tail])
        for piece in pieces:
            piece.path.unlink()

    def close(self) -> None:
        """The workbook's other parts (README listed first), then the zip's directory."""
        order = [self.sheets.index("README"), *(n for n, name in enumerate(self.sheets)
                                                if name != "README")]
        sheets = "".join(f'<sheet name="{_xml_text(self.sheets[n])}" sheetId="{n + 1}" '
                         f'r:id="rId{n + 1}"/>' for n in order)
        count = len(self.sheets)
        rels = "".join(f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" '
                       f'Target="worksheets/sheet{n}.xml"/>' for n in range(1, count + 1))
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for n in range(1, count + 1))
        head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        self.add("[Content_Types].xml", (
            f'{head}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            f'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>{overrides}</Types>'))
        self.add("_rels/.rels", (
            f'{head}<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
            f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        self.add("xl/workbook.xml", (
            f'{head}<workbook {_NS}><bookViews><workbookView activeTab="0"/></bookViews>'
            f"<sheets>{sheets}</sheets></workbook>"))
        self.add("xl/_rels/workbook.xml.rels", (
            f'{head}<Relationships xmlns="{_PKG_REL}">{rels}<Relationship '
            f'Id="rId{count + 1}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'))
        self.add("xl/styles.xml", STYLES)
        start = self.handle.tell()
        directory = b"".join(self.directory)
        self.handle.write(directory + struct.pack(
            "<4s4H2LH", b"PK\x05\x06", 0, 0, len(self.directory), len(self.directory),
            len(directory), start, 0))

    def write_readme(self, scratch: Path, lines: list[list[str]]) -> None:
        readme = _Part(scratch, "README", lines[0], widths=(22, 28, 90), frozen=False)
        for line in lines[1:]:
            readme.row(line, _BOLD if len(line) == 1 else _WRAP)
        readme.close()
        self.add_sheet(readme)


def sheet_names(table: str, rows: int) -> list[str]:
    """The sheets a table fills: Excel holds ``EXCEL_MAX_ROWS`` rows below the header, so a
    bigger table goes on over "contacts (2)", "contacts (3)"..."""
    sheets = max(1, -(-rows // export_rows.EXCEL_MAX_ROWS))
    return [table[:31]] + [f"{table[:26]} ({n})" for n in range(2, sheets + 1)]


def readme_lines(counts: dict[str, int], answers: int, today: dt.date) -> list[list[str]]:
    lines = [[f"LinkWorker export, {today.isoformat()} (LinkWorker {__version__})"],
             ["Files are UTF-8 CSV (with a byte-order mark), dates as YYYY-MM-DD, yes/no for "
              "true/false, lists separated by '; '."],
             ["To import into LinkWorker, import in this order: " + ", ".join(IMPORT_ORDER)
              + ". Every column maps back by itself."],
             []]
    lines.append(["table", "column", "meaning"])
    for table in TABLES:
        rows = counts.get(table.name, 0)
        doc = table.doc
        more = sheet_names(table.name, rows)[1:]
        if more:
            limit = export_rows.EXCEL_MAX_ROWS
            doc += (f" Longer than a sheet ({limit:,} rows): in the workbook it goes on "
                    f"over {'the sheet' if len(more) == 1 else 'the sheets'} "
                    f"{', '.join(more)} (the CSV has every row).")
        lines.append([table.name, f"{rows} rows", doc])
        for name, doc in table.describe_columns():
            lines.append(["", name, doc])
        if table is MEASURES and answers:
            lines.append(["", f"answer_1 ... answer_{answers}",
                          "Each answer in question order; blank if not answered."])
    return lines


class ExportStopped(UserError):
    """The export was stopped part way (its ``stop`` said so); nothing was written."""


def export_all(caseload: Caseload, actor: Actor, folder: Path | str,
               progress: Progress | None = None, today: dt.date | None = None,
               wait_s: float | None = None,
               stop: Callable[[], bool] | None = None) -> ExportResult:
    """Write every table as CSV and one workbook into ``folder``; audited. Returns the files.

    Everything is written into a hidden folder beside ``folder`` and moved into place only when
    every file is complete: a new folder appears whole; in an existing folder each file
    replaces its old copy whole. A failed export leaves nothing behind. While a sync or an
    import is saving, the export waits for it (saying so through ``progress``, which may cancel
    it) for up to ``wait_s`` seconds (``WAIT_FOR_SAVING_S``). ``stop`` is asked every few
    tenths of a second (a Cancel button): once it says True the export ends promptly with
    ``ExportStopped``, leaving nothing behind."""
    require(actor, "data.export")
    stopped = _stopper(stop)
    with caseload.reading() as session:
        check_actor(session, actor)  # a manager deactivated since signing in gets nothing
    folder = Path(folder).expanduser()
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{folder} is a file; choose a folder to export into.")
    folder.parent.mkdir(parents=True, exist_ok=True)
    today = today or dt.date.today()
    counts: dict[str, int] = {}
    names: list[str] = []
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".part", dir=folder.parent))
    try:
        answers = _write_tables(caseload, actor, staging, counts, names, progress,
                                WAIT_FOR_SAVING_S if wait_s is None else wait_s, stopped, today)
        readme = "\n".join("\t".join(line) for line in readme_lines(counts, answers, today))
        with (staging / README).open("w", encoding="utf-8") as text:
            text.write(readme + "\n")
            _flush(text)
        names += [WORKBOOK, README]
        _move_into_place(staging, folder, names)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    with caseload.transaction() as session:
        audit.record(session, actor, "export", entity="everything",
                     details={"tables": counts, "format": "csv+xlsx"})
    if progress:
        progress(len(TABLES), len(TABLES), "Export finished")
    return ExportResult(folder, tuple(folder / name for name in names), counts)


STOPPED = "The export was cancelled; nothing was written."


def _stopper(stop: Callable[[], bool] | None) -> Callable[[], None]:
    """``stop`` as a check that raises ``ExportStopped`` once it says True."""

    def stopped() -> None:
        if stop is not None and stop():
            raise ExportStopped(STOPPED)

    return stopped


BUSY = ("The caseload is busy saving other work (a sync or an import), so nothing was "
        "exported. Try again when it has finished.")
WAITING = "Waiting for other work (a sync or an import) to finish saving"
WAIT_FOR_SAVING_S = 600.0  # a sync or an import at 150,000 people can take minutes
ATTEMPT_MS = 1000  # each try for the write lock; progress is reported between tries


def _write_tables(caseload: Caseload, actor: Actor, staging: Path, counts: dict[str, int],
                  names: list[str], progress: Progress | None, wait_s: float,
                  stopped: Callable[[], None], today: dt.date) -> int:
    """Every table's CSV and the workbook into ``staging`` (``counts`` and ``names`` filled
    in), read on one snapshot by worker processes (``export_workers``: both cores), or in
    this process for a small caseload. Each table goes into the workbook as soon as it and
    every table before it are written, while the workers write the rest. Returns how many
    answer columns the measures have."""
    from linkworker.io import export_workers as ew

    scratch = staging / ".sheets"
    scratch.mkdir()
    with ew.Workers(_worker_count(caseload)) as workers, \
            (staging / WORKBOOK).open("wb") as handle:
        book = _Book(handle)
        with caseload.reading() as session:
            if workers.count:
                workers.start(caseload.path, caseload.key, stopped)
            _one_snapshot(caseload, session, workers, progress, wait_s, stopped)
            connection = session.connection()
            raw = connection.connection.dbapi_connection
            answers = _answer_width(session, actor)
            workers.setup(actor, answers, staging, scratch)  # they build their look-ups...

            def written(table: ExportTable, done: list[Any]) -> None:
                _add_table(book, staging, table, answers, done, counts)
                names.append(f"{table.name}.csv")

            with _temporary_lookups(connection, actor):
                # ... while this process counts the shares' rows.
                shares = ew.plan(raw, connection.dialect, answers, max(1, workers.count))
                told = _TablesDone(progress, shares, written)
                if not workers.count:
                    reader = ew.Reader(raw, connection.dialect, answers, staging, scratch)
                    ew.run_in_process(reader, shares, told.done, stopped)
            if workers.count:  # this process's look-ups are gone while the workers write
                workers.run(shares, told.done, stopped, told.moving)
        stopped()
        book.write_readme(scratch, readme_lines(counts, answers, today))
        book.close()
        for left in scratch.iterdir():  # an empty piece past a table's last sheet
            left.unlink()
        scratch.rmdir()
        _flush(handle)
    return answers


def _worker_count(caseload: Caseload) -> int:
    """No worker processes for a small caseload (see ``export_workers.IN_PROCESS_ROWS``)."""
    from linkworker.io import export_workers as ew

    with caseload.reading() as session:
        raw = session.connection().connection.dbapi_connection
        stored = sum(ew._highest_rowid(raw, table) for table in TABLES)
    return ew.worker_count() if stored >= ew.IN_PROCESS_ROWS else 0


def _add_table(book: _Book, staging: Path, table: ExportTable, answers: int,
               done: Sequence[Any], counts: dict[str, int]) -> None:
    """A table's CSV joined from its shares' (when it was cut) and its sheets into the book."""
    from linkworker.io import export_workers as ew

    mine = sorted(done, key=lambda d: d.share.index)
    counts[table.name] = rows = sum(d.rows for d in mine)
    if len(mine) > 1:
        ew.join_csv(mine, staging / f"{table.name}.csv")
    headers = _headers(table, answers)
    pieces = [(sheet, piece) for d in mine for sheet, piece in d.pieces]
    for n, name in enumerate(sheet_names(table.name, rows)):
        book.add_pieces(name, headers, [piece for sheet, piece in pieces if sheet == n])


class _TablesDone:
    """The tables as their shares are written, in the tables' order: each is passed to
    ``written`` once it and every table before it are whole (the workbook takes its sheets
    in that order), and the progress says "Exporting contacts" until the contacts are."""

    def __init__(self, progress: Progress | None, shares: Sequence[Any],
                 written: Callable[[ExportTable, list[Any]], None]) -> None:
        self.progress, self.written = progress, written
        self.left = collections.Counter(share.table for share in shares)
        self.done_shares: dict[str, list[Any]] = collections.defaultdict(list)
        self.index, self.told = 0, -1
        self.moving()

    def done(self, finished: Any) -> None:
        self.left[finished.share.table] -= 1
        self.done_shares[finished.share.table].append(finished)
        while self.index < len(TABLES) and not self.left[TABLES[self.index].name]:
            table = TABLES[self.index]
            self.written(table, self.done_shares.pop(table.name))
            self.index += 1
            self.moving()  # each table named in turn, even those finished long before

    def moving(self) -> None:
        """A worker is still writing: the table waited for is named (once each: the dialog
        and the command name each table once, in order)."""
        if self.progress and self.told < self.index < len(TABLES):
            self.told = self.index
            self.progress(self.index, len(TABLES), f"Exporting {TABLES[self.index].name}")


def _one_snapshot(caseload: Caseload, session: Session, workers: Any,
                  progress: Progress | None, wait_s: float, stopped: Callable[[], None]) -> None:
    """``session`` and every worker begin their reads on one snapshot: each begins its read
    while a momentary write lock stops anyone committing in between. No lock is held while
    the files are written (a minute at 50,000 people), so others can keep saving."""
    with caseload.engine.connect() as lock:
        _take_write_lock(lock, progress, wait_s, stopped)
        try:
            connection = session.connection()
            connection.exec_driver_sql("BEGIN")
            connection.exec_driver_sql("SELECT count(*) FROM sqlite_master").all()
            workers.begin(stopped)
        finally:
            lock.exec_driver_sql("ROLLBACK")


def _take_write_lock(lock: Any, progress: Progress | None, wait_s: float,
                     stopped: Callable[[], None] = lambda: None) -> None:
    """``BEGIN IMMEDIATE`` on ``lock``, waiting while a sync or an import holds the write lock:
    a try a second, each wait reported (a progress that raises, as a cancelled job's does,
    stops the wait), and ``BUSY`` once ``wait_s`` has passed. Any other error is not a wait."""
    started = time.monotonic()
    usual = lock.exec_driver_sql("PRAGMA busy_timeout").scalar()
    lock.exec_driver_sql(f"PRAGMA busy_timeout={ATTEMPT_MS}")
    try:
        while True:
            try:
                lock.exec_driver_sql("BEGIN IMMEDIATE")
                return
            except OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                waited = time.monotonic() - started
                stopped()
                if waited >= wait_s:
                    raise UserError(BUSY) from exc
                if progress:
                    progress(0, 0, f"{WAITING} ({int(waited)} s)")
    finally:
        lock.exec_driver_sql(f"PRAGMA busy_timeout={int(usual)}")


def _move_into_place(staging: Path, folder: Path, names: list[str]) -> None:
    """A new folder: the staging folder is renamed to it (one step). An existing one: each
    file replaces its old copy (``os.replace``: a reader sees the old file or the new)."""
    if not folder.exists():
        staging.rename(folder)
    else:
        for name in names:
            os.replace(staging / name, folder / name)
    with contextlib.suppress(OSError):  # make the renames durable (not possible on Windows)
        directory = os.open(folder.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
