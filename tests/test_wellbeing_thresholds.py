"""Admin-set change thresholds: set, refuse, audit, re-judge stored badges, CLI round trip."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from linkworker.access import SYSTEM, PermissionDenied
from linkworker.cli import main
from linkworker.errors import UserError
from linkworker.models import AuditEvent, Episode, Person, Setting, User
from linkworker.storage import keys
from linkworker.wellbeing.measures import latest_changes, record_measure
from linkworker.wellbeing.summaries import SummaryFilter, build_summary
from linkworker.wellbeing.thresholds import (
    clear_change_thresholds,
    list_thresholds,
    set_change_thresholds,
)

D = dt.date


@pytest.fixture
def pair(caseload, actor_manager):
    """One person whose WEMWBS went from 42 to 46 (+4: improved by the shipped threshold 3)."""
    with caseload.transaction() as s:
        worker = User(username="sam", display_name="Sam Worker", role="link_worker")
        person = Person(reference="P0001", given_name="Ada", family_name="Test")
        s.add_all([worker, person])
        s.flush()
        episode = Episode(person_id=person.id, number=1, referral_date=D(2025, 1, 6),
                          worker_id=worker.id, first_meeting_date=D(2025, 1, 13), stage="active")
        s.add(episode)
        s.flush()
        ids = {"person": person.id, "episode": episode.id}
    for on, point, answers in ((D(2025, 1, 13), "baseline", [3] * 14),
                               (D(2025, 4, 14), "review_3m", [3] * 10 + [4] * 4)):
        record_measure(caseload, actor_manager, ids["person"], ids["episode"], "WEMWBS", point,
                       on, "with_worker", answers)
    return ids


def _badge(caseload, ids):
    with caseload.reading() as s:
        episode = s.get(Episode, ids["episode"])
        return episode.latest_change, episode.updated_at


def _settings(caseload):
    with caseload.reading() as s:
        return {r.key: r.value for r in s.execute(select(Setting)).scalars()}


def _audits(caseload):
    with caseload.reading() as s:
        return s.execute(select(AuditEvent.username, AuditEvent.entity_id, AuditEvent.details)
                         .where(AuditEvent.action == "wellbeing.threshold_change")
                         .order_by(AuditEvent.seq)).all()


def test_override_rejudges_badge_person_change_and_summary(caseload, actor_admin, actor_manager,
                                                           pair):
    assert _badge(caseload, pair)[0] == "improved"
    stamp = _badge(caseload, pair)[1]
    now = set_change_thresholds(caseload, actor_admin, "wemwbs", 5, 9)
    assert (now.meaningful, now.reliable, now.overridden) == (5, 9, True)
    badge, updated = _badge(caseload, pair)
    assert badge == "no_change" and updated == stamp  # a derived summary, not an edit
    change = latest_changes(caseload, actor_manager, pair["person"])["WEMWBS"]
    assert change.direction == "no_change" and change.change.reliable is False
    summary = build_summary(caseload, actor_manager, SummaryFilter(instrument="WEMWBS"))
    assert (summary.threshold, summary.improved, summary.no_change) == (5, 0, 1)

    back = clear_change_thresholds(caseload, actor_admin, "WEMWBS")
    assert (back.meaningful, back.reliable, back.overridden) == (3, 8, False)
    assert _badge(caseload, pair)[0] == "improved"
    assert not any(k.startswith("wellbeing.") for k in _settings(caseload))


def test_audit_has_old_and_new_values(caseload, actor_admin, pair):
    set_change_thresholds(caseload, actor_admin, "WEMWBS", 5)
    set_change_thresholds(caseload, actor_admin, "WEMWBS", 5)  # no change: no second event
    [(username, code, details)] = _audits(caseload)
    assert (username, code) == (actor_admin.username, "WEMWBS")
    assert details["old"] == {"meaningful": 3, "reliable": 8}
    assert details["new"] == {"meaningful": 5, "reliable": 8}
    assert details["badges_rejudged"] == 1


@pytest.mark.parametrize(("meaningful", "reliable", "message"), [
    (0, None, "meaningful threshold for WEMWBS must be a number greater than 0 and at most 56"),
    (-2, None, "not -2"),
    (float("nan"), None, "not nan"),
    (57, None, "at most 56 \\(points on the WEMWBS score\\), not 57"),  # 14 to 70
    (3, 100, "reliable threshold for WEMWBS .* not 100"),
    ("three", None, "not 'three'"),
])
def test_bad_values_are_refused_and_nothing_changes(caseload, actor_admin, pair, meaningful,
                                                    reliable, message):
    set_change_thresholds(caseload, actor_admin, "WEMWBS", 4)
    before = (_settings(caseload), _badge(caseload, pair), len(_audits(caseload)))
    with pytest.raises(UserError, match=message):
        set_change_thresholds(caseload, actor_admin, "WEMWBS", meaningful, reliable)
    assert (_settings(caseload), _badge(caseload, pair), len(_audits(caseload))) == before


def test_unknown_instrument_and_non_admins_are_refused(caseload, actor_admin, actor_manager,
                                                       actor_coordinator, pair):
    with pytest.raises(UserError, match="Unknown instrument"):
        set_change_thresholds(caseload, actor_admin, "NOPE", 3)
    for actor in (actor_manager, actor_coordinator):
        with pytest.raises(PermissionDenied):
            set_change_thresholds(caseload, actor, "WEMWBS", 5)
        with pytest.raises(PermissionDenied):
            clear_change_thresholds(caseload, actor, "WEMWBS")
    assert not any(k.startswith("wellbeing.") for k in _settings(caseload))
    assert _badge(caseload, pair)[0] == "improved"


def test_listing_says_default_or_override_and_ons4_is_per_item(caseload, actor_admin):
    set_change_thresholds(caseload, actor_admin, "SWEMWBS", None, 3.5)
    set_change_thresholds(caseload, actor_admin, "ONS4", 2)
    rows = {t.code: t for t in list_thresholds(caseload)}
    assert set(rows) >= {"WEMWBS", "SWEMWBS", "ONS4"}
    assert not rows["WEMWBS"].overridden
    swemwbs = rows["SWEMWBS"]
    assert (swemwbs.meaningful, swemwbs.reliable) == (3, 3.5)
    assert swemwbs.reliable_overridden and not swemwbs.meaningful_overridden
    ons4 = rows["ONS4"]
    assert (ons4.meaningful, ons4.reliable, ons4.largest) == (2, None, 10)
    assert "each item" in ons4.unit
    with pytest.raises(UserError, match="at most 10 \\(points on each item \\(0 to 10\\)\\)"):
        set_change_thresholds(caseload, actor_admin, "ONS4", 11)
    # A value equal to the instrument's own is no override at all.
    assert not set_change_thresholds(caseload, actor_admin, "SWEMWBS", 3, 2.87).overridden


def test_damaged_or_stale_stored_values_fall_back_to_the_instruments(caseload):
    from linkworker.wellbeing.store import put_setting

    with caseload.transaction() as s:
        put_setting(s, "wellbeing.WEMWBS.threshold", "lots")
        put_setting(s, "wellbeing.WEMWBS.reliable_threshold", 500)  # beyond the 14-70 range
    [wemwbs] = [t for t in list_thresholds(caseload) if t.code == "WEMWBS"]
    assert (wemwbs.meaningful, wemwbs.reliable, wemwbs.overridden) == (3, 8, False)


def test_cli_lists_sets_and_refuses(caseload, caseload_path, pair, monkeypatch, capsys):
    monkeypatch.setenv(keys.PASSPHRASE_ENV, "correct horse battery")
    db = ["--db", str(caseload_path)]
    assert main([*db, "instrument", "threshold", "WEMWBS", "--meaningful", "5",
                 "--reliable", "9"]) == 0
    assert "set by an admin" in capsys.readouterr().out
    assert main([*db, "instrument", "thresholds"]) == 0
    out = capsys.readouterr().out
    assert "WEMWBS" in out and "ONS4" in out and "points on each item" in out
    assert _badge(caseload, pair)[0] == "no_change"
    for bad in (["WEMWBS", "--meaningful", "0"], ["WEMWBS", "--meaningful", "99"],
                ["WEMWBS", "--default", "--reliable", "9"], ["NOPE", "--meaningful", "3"]):
        assert main([*db, "instrument", "threshold", *bad]) == 2
        assert "Traceback" not in capsys.readouterr().err
    assert [t.meaningful for t in list_thresholds(caseload) if t.code == "WEMWBS"] == [5]
    with pytest.raises(SystemExit) as exited:
        main([*db, "instrument", "threshold", "WEMWBS", "--meaningful", "lots"])
    assert exited.value.code == 2
    assert main([*db, "instrument", "threshold", "wemwbs", "--default"]) == 0
    assert "instrument's own" in capsys.readouterr().out
    assert _badge(caseload, pair)[0] == "improved"
    assert SYSTEM.role == "system"


def test_settings_page_sets_and_resets_thresholds(qtbot, runner, caseload, actor_admin, pair):
    from PySide6.QtCore import Qt

    from ui.admin import SettingsView
    from ui.widgets import keyboard_problems

    view = SettingsView(runner, actor_admin)
    qtbot.addWidget(view)
    box = view.thresholds
    qtbot.waitUntil(lambda: {"WEMWBS", "SWEMWBS", "ONS4"} <= set(box.rows))
    assert keyboard_problems(view) == []
    row = box.rows["WEMWBS"]
    assert (row.meaningful.value(), row.reliable.value()) == (3, 8)
    assert not row.default_button.isEnabled()
    assert box.rows["ONS4"].reliable.text() == "Instrument's (none)"
    row.meaningful.setValue(5)
    qtbot.mouseClick(row.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Journey badges were updated" in box.status.text())
    assert [t.meaningful for t in list_thresholds(caseload) if t.code == "WEMWBS"] == [5]
    assert _badge(caseload, pair)[0] == "no_change"
    assert row.default_button.isEnabled() and "Set here" in row.source.text()
    box.status.clear()
    qtbot.mouseClick(row.default_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Journey badges were updated" in box.status.text())
    assert row.meaningful.value() == 3 and row.source.text() == "Instrument's own values"
    assert _badge(caseload, pair)[0] == "improved"
