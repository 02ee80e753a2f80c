"""The export's rows are formatted a column of a batch at a time (``_row_query``,
``_Column``): the same bytes as formatting each value in Python one at a time, the way the
export did at first, for any text, number, date or time."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import JSON
from xlsxwriter.utility import xl_col_to_name

from linkworker.access import SYSTEM
from linkworker.io import export, export_rows
from linkworker.io.export_rows import CONTACTS, csv_text
from linkworker.models import Contact, Episode, Person, User

# Characters that need care in CSV (quotes, separators, line breaks, formula starts) or XML
# (markup, control characters, text that looks like Excel's own _xHHHH_ escapes).
AWKWARD = list(',"\n\r&<>=+-@\t\x01\x1f\x7f_x0041aF ’é\ufffe\uffff')
TEXT = st.text(st.sampled_from(AWKWARD) | st.characters(blacklist_categories=("Cs",),
                                                        blacklist_characters="\x00"),
               max_size=24)
CONTACT = st.fixed_dictionaries({
    "contact_date": st.dates(), "start_time": st.none() | st.times(),
    "duration_minutes": st.none() | st.integers(-10**12, 10**12),
    "venue": st.none() | TEXT, "note": st.none() | TEXT, "external_ref": st.none() | TEXT,
})


def old_xml_text(text: str) -> str:
    """The export's escaping before SQLite did it: one regular expression pass per cell."""
    if not re.search(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_", text):
        return text
    text = re.sub(r"(_x[0-9a-fA-F]{4}_)", r"_x005F\1", text)
    text = re.sub(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]",
                  lambda found: f"_x{ord(found.group()):04X}_", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def python_csv_line(values: list) -> str:
    out = io.StringIO()
    csv.writer(out).writerow([csv_text(v) for v in values])
    return out.getvalue()


def python_sheet_row(number: int, values: list) -> str:
    cells = []
    for n, value in enumerate(values):
        ref = f'<c r="{xl_col_to_name(n)}{number}"'
        if value is None:
            continue
        if type(value) is int:
            cells.append(f"{ref}><v>{value!r}</v></c>")
        elif isinstance(value, dt.date):
            days = (value - dt.date(1899, 12, 31)).days
            cells.append(f'{ref} s="2"><v>{days + (days >= 60)}</v></c>')
        else:
            text = old_xml_text((value if type(value) is str else csv_text(value))[:32767])
            cells.append(f'{ref} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(contacts=st.lists(CONTACT, min_size=1, max_size=12), worker=TEXT.filter(bool))
@example(contacts=[{"contact_date": day, "start_time": time, "duration_minutes": number,
                    "venue": text, "note": text[::-1], "external_ref": None}
                   for day, time, number, text in zip(
                       [dt.date(1, 1, 1), dt.date(1900, 2, 28), dt.date(1900, 3, 1),
                        dt.date(9999, 12, 31), dt.date(2026, 4, 3)],
                       [dt.time(0, 0), dt.time(23, 59, 59, 999999), None, dt.time(9, 5), None],
                       [-5, 0, None, 10**15, 7],
                       ["a\rb", "=1+2", "_x0041_ & <b>", "\x01\t\ufffe", 'say "hi", ok\n'],
                       strict=True)],
         worker="-jo")
@example(contacts=[{"contact_date": dt.date(2026, 4, n + 1), "start_time": dt.time(9, n),
                    "duration_minutes": n * 15 or None, "venue": "Library" if n % 2 else None,
                    "note": f"Walk {n}, said \"yes\"" if n == 3 else "Plain", "external_ref": None}
                   for n in range(6)], worker="worker1")  # the fast path for every column
def test_each_batch_is_formatted_as_python_did_a_value_at_a_time(caseload, contacts, worker):
    with caseload.reading() as s:  # rolled back afterwards: nothing is kept between examples
        user = User(username=worker, display_name="W", role="link_worker")
        person = Person(reference="LW-000001", given_name="A", family_name="B")
        s.add_all([user, person])
        s.flush()
        episode = Episode(person_id=person.id, number=1, referral_date=dt.date(2026, 1, 1))
        s.add(episode)
        s.flush()
        rows = [Contact(episode_id=episode.id, worker_id=user.id, mode="phone",
                        status="attended", purpose="attempt", **fields) for fields in contacts]
        s.add_all(rows)
        s.flush()
        for row in rows:
            s.refresh(row)  # the values as stored and read back (dates, times)
        expected = [[row.id, row.external_ref, episode.id, "LW-000001", 1, row.contact_date,
                     row.start_time, row.mode, row.purpose, row.venue, row.duration_minutes,
                     row.status, row.note, worker] for row in rows]
        connection = s.connection()
        raw = connection.connection.dbapi_connection
        query = export_rows._row_query(CONTACTS, 0, connection.dialect)
        with export_rows._temporary_lookups(connection, SYSTEM):
            batches = list(export_rows._rows(raw, query))
            text = "".join(lines for _, lines, _, _ in batches)
            sheet = "".join(rows for _, _, rows, _ in batches)
    assert text == "".join(python_csv_line(values) for values in expected)
    assert sheet == "".join(python_sheet_row(n, values) for n, values in enumerate(expected, 2))


def test_each_table_is_read_once_in_stored_order_without_sorting(caseload):
    """No scratch B-tree (a sort of a million rows in memory) and no window function."""
    with caseload.reading() as s:
        connection = s.connection()
        raw = connection.connection.dbapi_connection
        with export_rows._temporary_lookups(connection, SYSTEM):
            for table in export_rows.TABLES:
                query = export_rows._row_query(table, 3, connection.dialect)
                plan = " / ".join(r[3] for r in raw.execute("EXPLAIN QUERY PLAN " + query.sql))
                assert "TEMP B-TREE" not in plan and "MATERIALIZE" not in plan, plan
                assert f"SCAN {table.source.__tablename__}" in plan, plan


REASONS = st.none() | st.lists(TEXT, max_size=3)
PREFERENCES = st.none() | st.dictionaries(TEXT, st.booleans() | TEXT, max_size=3)


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(journeys=st.lists(st.tuples(REASONS, PREFERENCES, st.none() | TEXT), min_size=1,
                         max_size=8))
@example(journeys=[(["loneliness", "money, debt"], {"phone": True, "text": False}, "=1"),
                   (None, None, None), (['say "hi"'], {"a\nb": "c,d"}, "plain")])
def test_lists_and_choices_are_quoted_as_python_did_a_value_at_a_time(caseload, journeys):
    """Lists and JSON choices are made once per distinct value and quoted there (stop 23):
    the same CSV lines and sheet rows as csv's writer and a cell at a time."""
    with caseload.reading() as s:
        people = [Person(reference=f"LW-{n:06d}", given_name="A", family_name="B",
                         contact_preferences=preferences, preferred_name=name)
                  for n, (_, preferences, name) in enumerate(journeys, 1)]
        s.add_all(people)
        s.flush()
        episodes = [Episode(person_id=person.id, number=1, referral_date=dt.date(2026, 1, 1),
                            referral_reasons=reasons)
                    for person, (reasons, _, _) in zip(people, journeys, strict=True)]
        s.add_all(episodes)
        s.flush()
        connection = s.connection()
        raw = connection.connection.dbapi_connection
        with export_rows._temporary_lookups(connection, SYSTEM):
            made = {table.name: list(export_rows._rows(raw, export_rows._row_query(
                table, 0, connection.dialect)))
                for table in (export_rows.PEOPLE, export_rows.EPISODES)}
        for table, records in ((export_rows.PEOPLE, people), (export_rows.EPISODES, episodes)):
            for record in records:
                s.refresh(record)
            expected = [[_value(s, record, column) for column in table.columns]
                        for record in records]
            text = "".join(lines for _, lines, _, _ in made[table.name])
            sheet = "".join(rows for _, _, rows, _ in made[table.name])
            assert text == "".join(python_csv_line(values) for values in expected)
            assert sheet == "".join(python_sheet_row(n, values)
                                    for n, values in enumerate(expected, 2))


def _value(session, record, column):
    """A column's value as the plain Python export read it (looked-up names by hand)."""
    if isinstance(column.expr, export_rows.Lookup):
        person = session.get(Person, record.person_id)
        return {"people": person.reference, "episode_people": person.reference}.get(
            column.expr.kind)
    value = getattr(record, column.expr.key)
    if value is None and isinstance(column.expr.type, JSON):
        return ""  # stored as JSON's null: an empty text cell, as the export always wrote
    return value


def test_a_row_in_scope_looks_up_what_its_scope_already_read_once():
    """The person's reference on a contact (or a form) is the scope's own look-up: one join
    of the in-scope table per row, not a second one for the same key (stop 23)."""
    from sqlalchemy.dialects import sqlite

    for table in export_rows.TABLES:
        sql = export_rows._row_query(table, 2, sqlite.dialect()).sql
        if table.scope is not None:
            assert sql.count(f"temp.lw_{table.scope[0]} ") == 1, sql


def test_the_sheets_rows_are_deflated_with_isa_l_and_the_workbook_checks(caseload, tmp_path):
    """The sheets' rows go through ISA-L's deflate (a quarter of zlib's CPU, stop 23) behind
    a start deflated by zlib: every part's CRC checks and the sheets read back."""
    import zipfile

    import openpyxl
    from isal import isal_zlib

    assert export_rows._sheet_zlib is isal_zlib
    with caseload.transaction() as s:
        person = Person(reference="LW-000001", given_name="Zoë", family_name="Ó Briain")
        s.add(person)
        s.flush()
        s.add(Episode(person_id=person.id, number=1, referral_date=dt.date(2026, 1, 1),
                      referral_reasons=["money, debt"]))
    result = export.export_all(caseload, SYSTEM, tmp_path / "out", today=dt.date(2026, 3, 1))
    book = result.folder / export.WORKBOOK
    with zipfile.ZipFile(book) as archive:
        assert archive.testzip() is None
    sheet = openpyxl.load_workbook(book, read_only=True)["episodes"]
    rows = list(sheet.values)
    assert rows[1][rows[0].index("referral_reasons")] == "money, debt"


def test_a_columns_text_is_searched_for_escapes_and_formulas_as_the_expressions_did():
    """The quick searches over a batch's joined text (``_needs_escaping``: control characters
    deleted from ASCII text's bytes; ``_formula_at_start``: six two-character searches) say
    what the regular expressions said, for every ASCII character and the awkward others,
    alone, inside text, after a line break, in ASCII and in non-ASCII text."""
    escapes = re.compile("[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x")
    formula = re.compile("\n[-=+@\t\r]")
    odd = [*map(chr, range(0x80)), "é", "’", "\ufffe", "\uffff", "\U0001f600", "_x", "_x0041_"]
    for character in odd:
        for text in (character, f"\nplain {character} text", f"\nplain\n{character}start",
                     f"\nZoë\n{character}", "\n" + "x" * 40_000 + character):
            assert export_rows._needs_escaping(text) == bool(escapes.search(text)), repr(text)
            assert export_rows._formula_at_start(text) == bool(formula.search(text)), repr(text)


def test_a_column_of_few_values_checks_new_ones_as_a_fresh_column_would():
    """``_Column.plain``: texts once found plain are not searched again, and any other text
    (a formula start, a comma, markup, a control character, a long one) still is."""
    from sqlalchemy.dialects import sqlite

    def column():
        return export_rows._row_query(CONTACTS, 0, sqlite.dialect()).columns[7]  # mode

    seen = column()
    plain = ("phone", "video", None, "home_visit") * 50
    assert seen.format(plain, ["2"] * 200) == column().format(plain, ["2"] * 200)
    assert seen.plain == {"phone", "video", "home_visit"}
    for odd in ("=1+2", "a, b", "<b>", "a\x01", "_x0041_", "x" * 40_000, "-5", "Zoë"):
        batch = (*plain, odd)
        assert seen.format(batch, ["2"] * 201) == column().format(batch, ["2"] * 201), odd
    assert seen.plain == {"phone", "video", "home_visit", "Zoë"}
