"""Nothing leaks: after a whole journey with logging on, the log folder (including a crash
report) and the system temp folder hold none of the person's name, NHS number, postcode or
phone number."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from pathlib import Path

import pytest

from linkworker import accounts, backup, logs, rights
from linkworker.paths import log_dir
from linkworker.plan_pdf import export_plan
from linkworker.record import open_record, save_record_edits
from linkworker.referral import ReferralDetails, save_referral

TODAY = dt.date(2026, 3, 11)
NEEDLES = ("Margaret", "Okonkwo", "9434765919", "943 476 5919", "NE4 5AB", "NE45AB",
           "07700 900123", "07700900123", "m.okonkwo@example.org")


def _new_temp_entries(before: set[str]) -> list[Path]:
    root = Path(tempfile.gettempdir())
    fresh = [root / name for name in {p.name for p in root.iterdir()} - before
             if not name.startswith("pytest-of-")]  # pytest's own tmp_path tree
    files: list[Path] = []
    for entry in fresh:
        files += [p for p in entry.rglob("*") if p.is_file()] if entry.is_dir() else [entry]
    return files


def _hits(paths: list[Path]) -> list[str]:
    found = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        for needle in NEEDLES:
            if needle.encode() in data or needle.encode("utf-16-le") in data:
                found.append(f"{path.name}: {needle}")
    return found


def _fail_with(name: str) -> None:
    """Real code's shape: the data is in a variable, so only the message (left out) holds it."""
    message = f"could not save {name}, {NEEDLES[4]}"
    raise ValueError(message)


@pytest.fixture
def logging_on():
    path = logs.setup(logging.DEBUG)
    yield path
    logs.shutdown()


def test_full_journey_leaves_no_personal_data_in_logs_or_temp(caseload, tmp_path, logging_on):
    before = {p.name for p in Path(tempfile.gettempdir()).iterdir()}
    admin = accounts.create_first_admin(caseload, "dana", "Dana Admin", "plum kettle harbour")
    accounts.add_user(caseload, admin, "asha", "Asha Patel", "link_worker", "plum kettle harbour")
    worker = accounts.sign_in(caseload, "asha", "plum kettle harbour")
    with pytest.raises(accounts.SignInFailed):  # a name typed into the username box
        accounts.sign_in(caseload, "Margaret Okonkwo", "whatever")
    saved = save_referral(caseload, worker, ReferralDetails(
        given_name="Margaret", family_name="Okonkwo", date_of_birth=dt.date(1958, 6, 14),
        nhs_number="943 476 5919", postcode="ne4 5ab", phone="07700 900123",
        email="m.okonkwo@example.org", referral_date=TODAY, source="gp",
        reasons=("loneliness",), worker_id=worker.user_id), today=TODAY)
    record = open_record(caseload, worker, saved.person_id, TODAY)
    save_record_edits(caseload, worker, saved.person_id, person_changes={"town": "Newcastle"},
                      expected_updated_at=record.updated_at)
    export_plan(caseload, worker, saved.person_id, tmp_path / "chosen" / "plan.pdf", TODAY)
    rights.subject_access(caseload, admin, saved.person_id, tmp_path / "chosen")
    backup.backup_to(caseload, tmp_path / "chosen" / "backup.db", admin)
    # A slip in some future code, and a crash whose message carries data:
    logging.getLogger("linkworker.test").warning("postcode NE4 5AB nhs 9434765919 "
                                                 "phone 07700 900123 m.okonkwo@example.org")
    try:
        _fail_with(record.display_name if hasattr(record, "display_name") else NEEDLES[0])
    except ValueError as exc:
        report = logs.report_exception(exc)
    rights.anonymise(caseload, admin, saved.person_id, "request by letter")
    logs.shutdown()

    log_files = [p for p in log_dir().rglob("*") if p.is_file()]
    assert logging_on in log_files and report in log_files
    assert "ValueError" in report.read_text("utf-8")
    assert "<postcode>" in logging_on.read_text("utf-8")
    assert _hits(log_files) == []
    assert _hits(_new_temp_entries(before)) == []
    # The files the user chose are the only place the data went, and they were audited.
    assert (tmp_path / "chosen" / "plan.pdf").exists()
