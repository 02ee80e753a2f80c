"""The audit trail cannot be trimmed or rewritten undetected (issue 13 item 5).

Promises (docs/security.md, "Audit trail"): the chain is keyed with a secret derived from the
caseload key; its head is anchored outside the database; ``verify`` catches a trimmed tail,
an edit with recomputed hashes, a forged redaction marker and dropped append-only triggers;
an old unkeyed chain is re-keyed once, audited.
"""

from __future__ import annotations

import hashlib
import json

from conftest import TEST_PASSPHRASE
from sqlalchemy import select, text

from linkworker import audit
from linkworker.models import AuditEvent
from linkworker.storage import keys
from linkworker.storage.database import Caseload


def _fill(caseload, actor, n=6):
    with caseload.transaction() as s:
        for i in range(n):
            audit.record(s, actor, "view_person", person_id=f"p{i % 2}",
                         details={"field": "postcode", "old": f"NE{i} 1AA"})


def _verify(path):
    with Caseload.open(path, TEST_PASSPHRASE) as db, db.reading() as s:
        return audit.verify_chain(s, keys.read_anchor(path))


def _sha(event):
    """The digest an attacker without the chain key would recompute (plain SHA-256)."""
    return audit._digest(event, None)


def test_hashes_are_keyed_by_the_caseload_key(caseload, actor_admin):
    _fill(caseload, actor_admin)
    with caseload.reading() as s:
        first = s.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars().first()
        assert first.hash != _sha(first)  # not a plain hash anyone could recompute
        assert first.hash == audit._digest(first, audit.session_chain_key(s))


def test_editing_and_recomputing_the_hashes_is_caught(caseload, caseload_path, actor_admin):
    _fill(caseload, actor_admin)
    caseload.close()
    with Caseload.open(caseload_path, TEST_PASSPHRASE) as db:
        db.close = db.engine.dispose
        with db.engine.begin() as conn:
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
        with db.reading() as s:
            events = list(s.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars())
            s.expunge_all()
        previous = audit.GENESIS
        with db.engine.begin() as conn:
            for event in events:  # rewrite event 3, then re-chain everything after it
                if event.seq == 3:
                    event.username = "someone else"
                event.prev_hash = previous
                previous = _sha(event)
                conn.execute(text("UPDATE audit_events SET username=:u, prev_hash=:p, hash=:h "
                                  "WHERE seq=:s"), {"u": event.username, "p": event.prev_hash,
                                                     "h": previous, "s": event.seq})
    report = _verify(caseload_path)
    assert not report.ok and report.first_bad_seq is not None


def test_trimming_the_tail_is_caught_by_the_anchor(caseload, caseload_path, actor_admin):
    _fill(caseload, actor_admin)
    caseload.close()  # anchors the head (event 6) in the key file
    assert keys.read_anchor(caseload_path)["seq"] == 6
    with Caseload.open(caseload_path, TEST_PASSPHRASE) as db:
        db.close = db.engine.dispose
        with db.engine.begin() as conn:
            conn.execute(text("DROP TRIGGER audit_events_no_delete"))
            conn.execute(text("DELETE FROM audit_events WHERE seq > 4"))
            conn.execute(text(audit_trigger("audit_events_no_delete")))
    report = _verify(caseload_path)
    assert not report.ok and "removed" in report.reason and "event 6" in report.reason
    # Opening and closing again does not move the anchor back over the evidence.
    Caseload.open(caseload_path, TEST_PASSPHRASE).close()
    assert keys.read_anchor(caseload_path)["seq"] == 6


def test_a_forged_redaction_marker_is_caught(caseload, caseload_path, actor_admin):
    _fill(caseload, actor_admin)
    with caseload.reading() as s:
        digest = audit.details_digest(s.execute(select(AuditEvent.details).where(
            AuditEvent.seq == 1)).scalar())
    # Allowed by the trigger (only details change, to something with "redacted"), but it
    # carries invented content beside the marker.
    forged = json.dumps({"redacted": "2026-01-01", "digest": digest, "note": "never happened"})
    with caseload.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET details=:d WHERE seq=1"), {"d": forged})
    with caseload.reading() as s:
        report = audit.verify_chain(s)
    assert not report.ok and report.first_bad_seq == 1 and "redaction" in report.reason


def test_dropped_triggers_are_reported_even_with_no_edit(caseload, actor_admin):
    _fill(caseload, actor_admin)
    with caseload.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_events_no_delete"))
    with caseload.reading() as s:
        report = audit.verify_chain(s)
    assert not report.ok and "audit_events_no_delete was removed" in report.reason


def test_a_legacy_chain_is_rekeyed_once_and_audited(caseload, caseload_path, actor_admin):
    _fill(caseload, actor_admin)
    # Make the trail look as an older LinkWorker wrote it: plain SHA-256 links.
    with caseload.reading() as s:
        events = list(s.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars())
        s.expunge_all()
    with caseload.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_events_no_update"))
        previous = audit.GENESIS
        for event in events:
            event.prev_hash = previous
            previous = _sha(event)
            conn.execute(text("UPDATE audit_events SET prev_hash=:p, hash=:h WHERE seq=:s"),
                         {"p": event.prev_hash, "h": previous, "s": event.seq})
        conn.execute(text(audit_trigger("audit_events_no_update")))
    caseload.engine.dispose()
    with Caseload.open(caseload_path, TEST_PASSPHRASE) as db, db.reading() as s:
        assert not audit.is_legacy(s)
        actions = list(s.execute(select(AuditEvent.action).order_by(AuditEvent.seq)).scalars())
        assert actions[-1] == audit.REKEY_ACTION and actions.count(audit.REKEY_ACTION) == 1
    assert _verify(caseload_path).ok


def test_the_anchor_cannot_be_edited_without_the_key(caseload, caseload_path, actor_admin):
    _fill(caseload, actor_admin)
    caseload.close()
    anchor = keys.read_anchor(caseload_path)
    keys.write_anchor(caseload_path, {**anchor, "seq": 3, "hash": "0" * 64})
    report = _verify(caseload_path)
    assert not report.ok and "altered" in report.reason


def audit_trigger(name: str) -> str:
    """The trigger SQL as migration 0002 made it (read back from a fresh caseload)."""
    import importlib

    module = importlib.import_module(
        "linkworker.storage.migrations.versions.0002_audit_append_only")
    sql = {"audit_events_no_delete": module.NO_DELETE, "audit_events_no_update": module.NO_UPDATE}
    return sql[name]


def test_the_trigger_fingerprints_match_migration_0002():
    for name, digest in audit.TRIGGERS.items():
        sql = audit_trigger(name).replace("IF NOT EXISTS ", "")
        assert hashlib.sha256(" ".join(sql.split()).encode()).hexdigest() == digest, name


def test_each_backup_carries_the_head_it_reaches(caseload, tmp_path, actor_admin):
    from linkworker import backup

    _fill(caseload, actor_admin)
    saved = backup.backup_to(caseload, tmp_path / "b.db").path
    anchor = keys.read_anchor(saved)
    assert anchor and anchor["seq"] >= 6
    with Caseload.open(saved, TEST_PASSPHRASE, upgrade=False) as copy, copy.reading() as s:
        assert audit.head_problem(s, anchor) == ""
