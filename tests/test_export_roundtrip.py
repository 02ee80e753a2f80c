"""Export everything, import it into a fresh caseload, export again: the same files."""

from __future__ import annotations

import csv
import datetime as dt
import filecmp

import openpyxl
import pytest
from conftest import cli_sign_in
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from linkworker.access import SYSTEM, Actor, PermissionDenied
from linkworker.cli import main
from linkworker.io import export_all, import_file
from linkworker.io.export_rows import IMPORT_ORDER, TABLES
from linkworker.journey import refresh_stage
from linkworker.models import (
    AuditEvent,
    Contact,
    Episode,
    Goal,
    Measure,
    MeasureAnswer,
    Person,
    Service,
    Signpost,
    User,
)
from linkworker.profile import CHECKS
from linkworker.storage.database import Caseload
from linkworker.validation import nhs_check_digit

TODAY = dt.date(2026, 3, 1)
D = dt.date


def build(caseload) -> None:
    """A small caseload that follows the app's own rules (what the screens would have saved)."""
    with caseload.transaction() as s:
        jo = User(username="jo", display_name="Jo Worker", role="link_worker")
        s.add(jo)
        walk = Service(name="Walk and Talk", category="physical_activity", venue="Leazes Park",
                       last_checked=D(2026, 1, 1), external_ref="S-1")
        s.add(walk)
        ann = Person(reference="LW-000001", given_name="Zoë", family_name="Ó Briain",
                     date_of_birth=D(1950, 2, 1), nhs_number="9434765919", postcode="NE1 4ST",
                     gender="2", ethnicity="Irish", ethnicity_nhs_code="B", phone="+44 7700 900001",
                     contact_preferences={"phone": True, "text": False}, external_ref="C1",
                     living_circumstances="=Lives alone, \"sheltered\"\nflat 3")
        bob = Person(reference="LW-000002", given_name="Bob", family_name="Hall",
                     ethnicity_nhs_code="99")
        s.add_all([ann, bob])
        s.flush()
        one = Episode(person_id=ann.id, number=1, referral_date=D(2025, 12, 1),
                      referral_source="gp", referral_reasons=["loneliness", "money"],
                      worker_id=jo.id, first_contact_date=D(2025, 12, 3),
                      first_meeting_date=D(2025, 12, 10), stage="active")
        two = Episode(person_id=bob.id, number=1, referral_date=D(2026, 1, 5), stage="referred",
                      external_ref="R-2")
        s.add_all([one, two])
        s.flush()
        s.add_all([
            Contact(episode_id=one.id, worker_id=jo.id, contact_date=D(2025, 12, 3),
                    mode="phone", purpose="attempt", status="attended", start_time=dt.time(9)),
            Contact(episode_id=one.id, worker_id=jo.id, contact_date=D(2025, 12, 10),
                    mode="face_to_face", purpose="first_meeting", status="attended",
                    duration_minutes=60, note="Met at the library; £2 bus fare"),
            Goal(episode_id=one.id, own_words="Walk to the shops", category="physical_health",
                 agreed_date=D(2025, 12, 10), status="achieved", status_date=D(2026, 2, 1)),
            Signpost(episode_id=one.id, service_id=walk.id, signposted_on=D(2025, 12, 11),
                     accompanied=True, taken_up=None),
        ])
        form = Measure(person_id=ann.id, episode_id=one.id, instrument="SWEMWBS",
                       timepoint="baseline", completed_on=D(2025, 12, 10), raw=21, value=19.25,
                       complete=True)
        s.add(form)
        s.flush()
        s.add_all([MeasureAnswer(measure_id=form.id, item=n, answer=3) for n in range(1, 8)])
        for episode in (one, two):
            refresh_stage(s, episode, TODAY)  # as every journey operation of the app does


def staff_like(source, target) -> None:
    with source.reading() as s:
        users = [(u.username, u.display_name, u.role) for u in s.scalars(select(User))]
    with target.transaction() as s:
        s.add_all([User(username=u, display_name=d, role=r) for u, d, r in users])


def test_export_import_export_gives_the_same_files(caseload, tmp_path, passphrase):
    build(caseload)
    first = export_all(caseload, SYSTEM, tmp_path / "one", today=TODAY)
    assert first.counts["people"] == 2 and first.counts["measures"] == 1
    fresh = Caseload.create(tmp_path / "fresh.db", passphrase)
    staff_like(caseload, fresh)
    for kind in IMPORT_ORDER:
        report = import_file(fresh, SYSTEM, tmp_path / "one" / f"{kind}.csv", kind, today=TODAY)
        assert report.applied and not report.problems, report.lines()
        unmapped = [h for h, f in report.mapping.columns.items() if not f]
        table = next(t for t in TABLES if t.name == kind)
        # Every column maps back by itself except those documented as "not imported".
        assert all("not imported" in doc.lower() for name, doc in table.describe_columns()
                   if name in unmapped), unmapped
    with fresh.reading() as s:
        zoe = s.execute(select(Person).where(Person.reference == "LW-000001")).scalar_one()
        assert zoe.phone == "+44 7700 900001"  # the CSV's protective apostrophe is removed
        assert zoe.living_circumstances == "=Lives alone, \"sheltered\"\nflat 3"
    export_all(fresh, SYSTEM, tmp_path / "two", today=TODAY)
    for kind in IMPORT_ORDER:
        name = f"{kind}.csv"
        assert filecmp.cmp(tmp_path / "one" / name, tmp_path / "two" / name, shallow=False), name
    # Importing the same export again changes nothing.
    for kind in IMPORT_ORDER:
        report = import_file(fresh, SYSTEM, tmp_path / "one" / f"{kind}.csv", kind, today=TODAY)
        assert report.plan.counts["new"] == report.plan.counts["updated"] == 0
    fresh.close()


def test_csv_conventions_and_the_workbook(caseload, tmp_path):
    build(caseload)
    result = export_all(caseload, SYSTEM, tmp_path / "out", today=TODAY)
    raw = (tmp_path / "out" / "people.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark, for Excel
    with (tmp_path / "out" / "people.csv").open(encoding="utf-8-sig", newline="") as handle:
        people = list(csv.DictReader(handle))
    zoe = people[0]
    assert zoe["given_name"] == "Zoë" and zoe["date_of_birth"] == "1950-02-01"
    assert zoe["phone"] == "'+44 7700 900001"  # never run as a formula by Excel
    assert zoe["living_circumstances"].startswith("'=Lives alone")
    assert zoe["contact_preferences"] == '{"phone": true, "text": false}'
    book = openpyxl.load_workbook(result.folder / "linkworker-export.xlsx", read_only=True)
    assert book.sheetnames[0] == "README" and "people" in book.sheetnames
    sheet = book["people"]
    header, first = list(sheet.iter_rows(min_row=1, max_row=2, values_only=True))
    row = dict(zip(header, first, strict=False))
    assert row["phone"] == "+44 7700 900001"  # the workbook holds text as text
    assert row["date_of_birth"] == dt.datetime(1950, 2, 1)  # and dates as dates
    readme = list(book["README"].iter_rows(values_only=True))
    assert any(r[0] == "measures" for r in readme)
    assert any(r[1] == "answer_1 ... answer_7" for r in readme)
    book.close()
    assert (tmp_path / "out" / "README.txt").read_text(encoding="utf-8").startswith(
        "LinkWorker export")
    assert not list((tmp_path / "out").glob("*.part"))  # no half-written files


def test_the_workbook_imports_back_too(caseload, tmp_path, passphrase):
    build(caseload)
    export_all(caseload, SYSTEM, tmp_path / "out", today=TODAY)
    fresh = Caseload.create(tmp_path / "fresh.db", passphrase)
    workbook = tmp_path / "out" / "linkworker-export.xlsx"
    report = import_file(fresh, SYSTEM, workbook, "people", sheet="people", today=TODAY)
    assert report.applied and report.plan.counts["new"] == 2
    with fresh.reading() as s:
        zoe = s.execute(select(Person).where(Person.reference == "LW-000001")).scalar_one()
        assert (zoe.phone, zoe.date_of_birth) == ("+44 7700 900001", D(1950, 2, 1))
    fresh.close()


def test_export_is_audited_and_needs_permission(caseload, tmp_path):
    build(caseload)
    with pytest.raises(PermissionDenied):
        export_all(caseload, Actor(None, "w", "link_worker"), tmp_path / "no")
    export_all(caseload, SYSTEM, tmp_path / "out")
    with caseload.reading() as s:
        action, details = s.execute(select(AuditEvent.action, AuditEvent.details)).one()
    assert action == "export" and details["tables"]["people"] == 2


def test_erased_people_are_not_exported(caseload, tmp_path):
    build(caseload)
    with caseload.transaction() as s:
        bob = s.execute(select(Person).where(Person.given_name == "Bob")).scalar_one()
        bob.deleted_at = dt.datetime(2026, 1, 1)
    result = export_all(caseload, SYSTEM, tmp_path / "out")
    assert result.counts["people"] == 1 and result.counts["episodes"] == 1


def test_cli_import_and_export(caseload, caseload_path, tmp_path, passphrase, monkeypatch,
                               capsys):
    caseload.close()
    cli_sign_in(monkeypatch, caseload_path, "manager", passphrase)
    good = tmp_path / "people.csv"
    good.write_text("Client ID,Surname,First name,DOB\nC1,Lee,Ann,01/02/1950\n"
                    "C2,Hall,Bob,31/02/1970\n", encoding="utf-8")
    db = ["--db", str(caseload_path)]
    assert main([*db, "import", str(good), "--kind", "people"]) == 2
    out = capsys.readouterr().out
    assert "row 3, column 'DOB': '31/02/1970' is not a real date." in out
    assert "Nothing was imported" in out
    assert main([*db, "import", str(good), "--kind", "people", "--dry-run"]) == 2
    mapping = tmp_path / "m.json"
    assert main([*db, "import", str(good), "--kind", "people", "--good-rows-only",
                 "--save-mapping", str(mapping)]) == 0
    out = capsys.readouterr().out
    assert "Done: 1 new" in out and (tmp_path / "people-to-fix.csv").exists()
    assert mapping.exists()
    assert main([*db, "import", str(tmp_path / "nothing.csv"), "--kind", "people"]) == 2
    assert "There is no file at" in capsys.readouterr().err
    assert main([*db, "export", str(tmp_path / "out")]) == 0
    assert "people.csv" in capsys.readouterr().out
    assert (tmp_path / "out" / "linkworker-export.xlsx").exists()


def test_a_table_longer_than_a_sheet_goes_on_over_more_sheets(caseload, tmp_path, monkeypatch):
    from linkworker.io import export_rows

    build(caseload)
    monkeypatch.setattr(export_rows, "EXCEL_MAX_ROWS", 1)  # the real limit is 1,048,575 rows
    result = export_all(caseload, SYSTEM, tmp_path / "out", today=TODAY)
    assert result.counts["contacts"] == 2 and result.counts["measures"] == 1
    book = openpyxl.load_workbook(result.folder / "linkworker-export.xlsx", read_only=True)
    names = book.sheetnames
    assert names[:3] == ["README", "people", "people (2)"]
    assert names.index("contacts (2)") == names.index("contacts") + 1
    assert "measures (2)" not in names and "goals (2)" not in names  # one row each
    with (result.folder / "contacts.csv").open(encoding="utf-8-sig", newline="") as handle:
        in_csv = [row["id"] for row in csv.DictReader(handle)]
    in_sheets = []
    for name in ("contacts", "contacts (2)"):
        header, *rows = book[name].iter_rows(values_only=True)
        assert header[0] == "id" and len(rows) == 1  # every sheet has the header row
        in_sheets += [row[0] for row in rows]
    assert in_sheets == in_csv  # the same rows in the same order, none lost or repeated
    readme = {r[0]: r[2] for r in book["README"].iter_rows(values_only=True) if r[0]}
    assert "contacts (2)" in readme["contacts"] and "(2)" not in readme["measures"]
    book.close()
    assert "over the sheet contacts (2) (the CSV" in (result.folder / "README.txt").read_text(
        encoding="utf-8")


def test_awkward_text_survives_the_workbook(caseload, tmp_path):
    build(caseload)
    awkward = "<b>Tom & Jerry</b> said \"hi\"\x01 and _x0041_\r\n  "
    with caseload.transaction() as s:
        contact = s.execute(select(Contact).where(Contact.note.is_not(None))).scalar_one()
        contact.note = awkward
        contact.venue = ""
        s.execute(select(Person)).scalars().first().address_line1 = "x" * 40_000
    result = export_all(caseload, SYSTEM, tmp_path / "out", today=TODAY)
    book = openpyxl.load_workbook(result.folder / "linkworker-export.xlsx")
    sheet = book["contacts"]
    header = [cell.value for cell in sheet[1]]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
    row = dict(zip(header, sheet[3], strict=True))
    assert row["note"].value == as_xlsxwriter_writes(awkward, tmp_path)  # as before, and valid
    assert row["venue"].value == ""
    assert row["duration_minutes"].value == 60 and row["contact_date"].is_date
    assert row["contact_date"].number_format == "yyyy-mm-dd"
    people = book["people"]
    header = [cell.value for cell in people[1]]
    addresses = [r[header.index("address_line1")].value for r in people.iter_rows(min_row=2)]
    assert max(len(a or "") for a in addresses) == 32_767  # Excel's limit for a cell
    assert "x" * 40_000 in (result.folder / "people.csv").read_text(encoding="utf-8")
    book.close()


def as_xlsxwriter_writes(text: str, tmp_path) -> str:
    """What openpyxl reads back from XlsxWriter's constant-memory workbook for ``text`` (the
    export wrote its workbook with XlsxWriter before it streamed the sheets itself)."""
    import xlsxwriter

    path = tmp_path / "reference.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    book.add_worksheet().write_string(0, 0, text)
    book.close()
    return openpyxl.load_workbook(path).active["A1"].value


def test_progress_names_each_table_and_finishes(caseload, tmp_path):
    build(caseload)
    seen = []
    export_all(caseload, SYSTEM, tmp_path / "out", today=TODAY,
               progress=lambda done, total, text: seen.append((done, total, text)))
    assert seen[0] == (0, len(TABLES), "Exporting people")
    assert [s[0] for s in seen] == list(range(len(TABLES) + 1))
    assert seen[-1] == (len(TABLES), len(TABLES), "Export finished")
    for table in TABLES:  # every CSV has its header, an empty table's too (notes here)
        with (tmp_path / "out" / f"{table.name}.csv").open(encoding="utf-8-sig") as text:
            assert next(csv.reader(text)) == [c.name for c in table.columns] + (
                [f"answer_{n}" for n in range(1, 8)] if table.name == "measures" else [])


@pytest.mark.parametrize("where", ["between tables", "inside a table"])
def test_a_failed_export_leaves_no_half_written_files(caseload, tmp_path, monkeypatch, where):
    from linkworker.io import export_rows

    build(caseload)
    earlier = tmp_path / "earlier"
    export_all(caseload, SYSTEM, earlier, today=TODAY)  # an existing export, to be replaced
    before = {p.name: p.read_bytes() for p in earlier.iterdir()}

    def fail_at_contacts(done, total, text):
        if text == "Exporting contacts" and where == "between tables":
            raise RuntimeError("disk full")

    def failing_rows(*args):
        for batch in rows(*args):
            if where == "inside a table" and "attempt" in batch[1]:
                raise RuntimeError("disk full")  # a contact: its sheet and CSV half written
            yield batch

    rows = export_rows._rows
    monkeypatch.setattr(export_rows, "_rows", failing_rows)
    with caseload.reading() as s:
        audited = len(s.execute(select(AuditEvent)).all())
    for target in (tmp_path / "out", earlier):
        with pytest.raises(RuntimeError):
            export_all(caseload, SYSTEM, target, today=TODAY, progress=fail_at_contacts)
    # Nothing of the failed exports: no new folder, no staging folder, the old files as they were.
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["earlier"]
    assert {p.name: p.read_bytes() for p in earlier.iterdir()} == before
    with caseload.reading() as s:
        assert len(s.execute(select(AuditEvent)).all()) == audited  # and no audit of them


def test_an_export_into_an_existing_folder_replaces_its_files_and_keeps_others(caseload,
                                                                             tmp_path):
    build(caseload)
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "mine.txt").write_text("kept")
    (folder / "people.csv").write_text("old")
    result = export_all(caseload, SYSTEM, folder, today=TODAY)
    assert (folder / "mine.txt").read_text() == "kept"
    assert (folder / "people.csv").read_text(encoding="utf-8-sig").startswith("id,")
    assert all(p.exists() for p in result.files)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


# --- property: any people and journeys the screens could save survive export -> import ------

_TEXT = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")),
                min_size=1, max_size=30).map(str.strip).filter(bool)
_NAME = st.one_of(_TEXT, st.sampled_from(["Zoë", "Ó Briain", "Anne\xa0Marie", "=SUM(A1)", "+44",
                                          "-x", "@me", "O’Brien", "Siân", "Łukasz", "李"]))


def _nhs(nine: str) -> str | None:
    check = nhs_check_digit(nine)
    return None if check is None else nine + str(check)


_PERSON = st.fixed_dictionaries({
    "given_name": _NAME, "family_name": _NAME,
    "date_of_birth": st.one_of(st.none(), st.dates(D(1910, 1, 1), D(2008, 1, 1))),
    "nhs_number": st.one_of(st.none(), st.from_regex(r"9[0-9]{8}", fullmatch=True).map(_nhs)),
    "living_circumstances": st.one_of(st.none(), _TEXT),
    "referral": st.one_of(st.none(), st.dates(D(2024, 1, 1), TODAY)),
})


@settings(max_examples=5, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(people=st.lists(_PERSON, min_size=1, max_size=6))
@example(people=[{"given_name": "Anne\xa0Marie", "family_name": "Ó\xa0Briain",  # pasted names
                  "date_of_birth": None, "nhs_number": None, "living_circumstances": None,
                  "referral": None}])
def test_any_people_and_journeys_round_trip(tmp_path_factory, passphrase, people):
    folder = tmp_path_factory.mktemp("roundtrip")
    source = Caseload.create(folder / "one.db", passphrase)
    seen_nhs: set[str] = set()
    with source.transaction() as s:
        for number, p in enumerate(people, start=1):
            nhs = p["nhs_number"] if p["nhs_number"] not in seen_nhs else None
            seen_nhs.add(nhs)
            saved = {field: CHECKS[field](p[field])  # as the screens' checks keep them
                     for field in ("given_name", "family_name", "living_circumstances")}
            person = Person(reference=f"LW-{number:06d}", date_of_birth=p["date_of_birth"],
                            nhs_number=nhs, **saved,
                            ethnicity_nhs_code="99")  # as the screens save "not stated"
            s.add(person)
            s.flush()
            if p["referral"]:
                episode = Episode(person_id=person.id, number=1, referral_date=p["referral"],
                                  stage="referred")
                s.add(episode)
                s.flush()
                refresh_stage(s, episode, TODAY)
    export_all(source, SYSTEM, folder / "one", today=TODAY)
    fresh = Caseload.create(folder / "two.db", passphrase)
    kinds = ["people"] + (["episodes"] if any(p["referral"] for p in people) else [])
    for kind in kinds:  # an empty table is a header-only file: "no rows", not an import
        report = import_file(fresh, SYSTEM, folder / "one" / f"{kind}.csv", kind, today=TODAY)
        assert not report.problems, report.lines()
    export_all(fresh, SYSTEM, folder / "two", today=TODAY)
    for name in (f"{kind}.csv" for kind in kinds):
        assert filecmp.cmp(folder / "one" / name, folder / "two" / name, shallow=False), name
    source.close()
    fresh.close()


def test_an_export_while_another_task_holds_the_write_lock_says_so_and_writes_nothing(
        caseload, tmp_path):
    """The export takes the write lock for a moment (one snapshot for both readers); a sync or
    import holding it past the export's patience gets a plain message, not "database is
    locked"; a wait stopped through its progress (as a cancelled job's progress raises) leaves
    nothing written either."""
    from linkworker.errors import UserError
    from linkworker.io.export import BUSY, WAITING

    class Stopped(Exception):
        pass

    def cancel(_done, _total, text):
        assert text.startswith(WAITING)
        raise Stopped

    build(caseload)
    exports = tmp_path / "exports"
    exports.mkdir()
    with caseload.engine.connect() as other:
        other.exec_driver_sql("PRAGMA busy_timeout=0")
        other.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            with pytest.raises(UserError) as refused:
                export_all(caseload, SYSTEM, exports / "out", today=TODAY, wait_s=0)
            with pytest.raises(Stopped):
                export_all(caseload, SYSTEM, exports / "out", progress=cancel, today=TODAY)
        finally:
            other.exec_driver_sql("ROLLBACK")
    assert str(refused.value) == BUSY
    assert list(exports.iterdir()) == []  # no folder, no staging folder left behind


def test_an_export_waits_for_a_sync_or_import_to_finish_saving_and_says_so(caseload, tmp_path):
    """Not a failure any more: while another task holds the write lock the export reports that
    it is waiting, and once that work is saved it exports the caseload as it then stands."""
    from linkworker.io.export import WAITING

    build(caseload)
    said: list[str] = []
    with caseload.engine.connect() as other:
        other.exec_driver_sql("PRAGMA busy_timeout=0")
        other.exec_driver_sql("BEGIN IMMEDIATE")
        other.exec_driver_sql("UPDATE people SET given_name = 'Saved-While-Waiting' "
                              "WHERE reference = (SELECT min(reference) FROM people)")

        def progress(_done, _total, text):
            said.append(text)
            if text.startswith(WAITING) and other.in_transaction():
                other.exec_driver_sql("COMMIT")  # the other task's work is saved

        result = export_all(caseload, SYSTEM, tmp_path / "out", progress=progress, today=TODAY)
    assert said[0].startswith(WAITING) and said[-1] == "Export finished"
    people = (result.folder / "people.csv").read_text(encoding="utf-8-sig")
    assert "Saved-While-Waiting" in people
