"""The audit trail: append-only triggers, the hash chain catching edits, reading and export."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from linkworker import audit
from linkworker.access import PermissionDenied
from linkworker.errors import UserError


def _fill(caseload, actor, n=5):
    with caseload.transaction() as s:
        for i in range(n):
            audit.record(s, actor, "view_person", person_id=f"p{i % 2}",
                         details={"field": "postcode", "old": f"NE{i} 1AA", "new": "NE9 9ZZ"})


def _verify(caseload):
    with caseload.reading() as s:
        return audit.verify_chain(s)


def test_chain_verifies_and_triggers_refuse_raw_edits(caseload, actor_admin):
    _fill(caseload, actor_admin)
    assert _verify(caseload).ok and _verify(caseload).events == 5
    with caseload.engine.begin() as conn, pytest.raises(DatabaseError, match="append-only"):
        conn.execute(text("UPDATE audit_events SET action='nothing' WHERE seq=2"))
    with caseload.engine.begin() as conn, pytest.raises(DatabaseError, match="append-only"):
        conn.execute(text("DELETE FROM audit_events WHERE seq=2"))
    # Not even disguised as a redaction of an event with no person.
    with caseload.transaction() as s:
        audit.record(s, actor_admin, "sign_in", details={"purpose": "unlock"})
    with caseload.engine.begin() as conn, pytest.raises(DatabaseError, match="append-only"):
        conn.execute(text("""UPDATE audit_events SET details='{"redacted":"x"}' WHERE seq=6"""))
    assert _verify(caseload).ok


def test_chain_names_the_first_edited_event_when_triggers_are_dropped(caseload, actor_admin):
    _fill(caseload, actor_admin)
    with caseload.engine.begin() as conn:  # what an attacker holding the key would do
        conn.execute(text("DROP TRIGGER audit_events_no_update"))
        conn.execute(text("UPDATE audit_events SET username='someone else' WHERE seq=3"))
    report = _verify(caseload)
    assert (report.ok, report.first_bad_seq) == (False, 3)
    assert "changed after it was written" in report.reason


def test_chain_catches_a_deleted_event(caseload, actor_admin):
    _fill(caseload, actor_admin)
    with caseload.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_events_no_delete"))
        conn.execute(text("DELETE FROM audit_events WHERE seq=2"))
    report = _verify(caseload)
    assert (report.ok, report.first_bad_seq) == (False, 3)


def test_redaction_keeps_the_chain_but_needs_an_erasure(caseload, actor_admin):
    _fill(caseload, actor_admin)
    with caseload.transaction() as s:
        assert audit.redact_person(s, "p0", dt.date(2026, 1, 1)) == 3
    report = _verify(caseload)
    assert (report.ok, report.first_bad_seq) == (False, 1)
    assert "without an erasure" in report.reason
    with caseload.transaction() as s:
        audit.record(s, actor_admin, audit.ERASE_ACTION, person_id="p0")
    assert _verify(caseload).ok
    with caseload.reading() as s:
        rows = audit.person_events(s, "p0")
    assert "NE0 1AA" not in repr(rows) and '"redacted"' in rows[0].details


def test_events_are_admin_only_filtered_and_paged(caseload, actor_admin, actor_manager):
    _fill(caseload, actor_admin, n=7)
    with caseload.transaction() as s:
        audit.record(s, actor_manager, "export", details={"kind": "people"})
    with caseload.reading() as s:
        with pytest.raises(PermissionDenied):
            audit.events(s, actor_manager)
        newest = audit.events(s, actor_admin, limit=3)
        assert [r.seq for r in newest] == [8, 7, 6]
        assert [r.seq for r in audit.events(s, actor_admin, offset=3, limit=3)] == [5, 4, 3]
        only = audit.AuditFilter(username="manager")
        assert [r.action for r in audit.events(s, actor_admin, only)] == ["export"]
        person = audit.AuditFilter(person_id="p1", action="view_person")
        assert audit.count_events(s, actor_admin, person) == 3
        today = dt.datetime.now(dt.UTC).date()
        future = audit.AuditFilter(since=today + dt.timedelta(days=2))
        assert audit.count_events(s, actor_admin, future) == 0
        window = audit.AuditFilter(since=today - dt.timedelta(days=1),
                                   until=today + dt.timedelta(days=1))
        assert audit.count_events(s, actor_admin, window) == 8
        assert audit.actions(s) == ["export", "view_person"]


def test_export_is_atomic_csv_and_audited(caseload, actor_admin, actor_manager, tmp_path):
    _fill(caseload, actor_admin, n=3)
    target = tmp_path / "out" / "audit.csv"
    with pytest.raises(PermissionDenied):
        audit.export_events(caseload, actor_manager, target)
    with pytest.raises(UserError):
        audit.export_events(caseload, actor_admin, tmp_path / "audit.xlsx")
    assert audit.export_events(caseload, actor_admin, target) == 3
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert [r["seq"] for r in rows] == ["3", "2", "1"] and rows[0]["action"] == "view_person"
    assert not list(target.parent.glob(".*.part"))
    with caseload.reading() as s:
        latest = audit.events(s, actor_admin, limit=1)[0]
    assert latest.action == "audit_export" and '"rows":3' in latest.details
