"""The demo caseload: encrypted, reproducible, realistic, and consistent with the core's rules.

One 300-person demo is built per module (about a second) and read by most tests; tests that
change a caseload build their own small one.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest
from conftest import cli_sign_in_demo
from sqlalchemy import func, select

from linkworker import codes, journey, models
from linkworker.accounts import verify_password
from linkworker.cli import main
from linkworker.demo import DEMO_PASSWORD, DemoRefused, generate, worker_count
from linkworker.demo.writer import IdMaker
from linkworker.journey_clock import STAGES, stage_of
from linkworker.storage import keys
from linkworker.storage.database import Caseload
from linkworker.validation import is_valid_nhs_number, normalise_postcode
from linkworker.wellbeing import score

TODAY = dt.date(2026, 11, 20)  # a Friday, inside the sample contract's dates
PEOPLE = 300
PASSPHRASE = "demo test passphrase"


def _build(path: Path, people: int, seed: int = 7, today: dt.date = TODAY) -> Caseload:
    caseload = Caseload.create(path, PASSPHRASE)
    generate(caseload, people=people, seed=seed, today=today)
    return caseload


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory) -> Path:
    """A 300-person demo, passphrase only (no keyring), built once for the module."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(keys, "DEFAULT_KDF", keys.KdfParams(time_cost=1, memory_kib=8, parallelism=1))
        previous = keyring.get_keyring()
        keyring.set_keyring(keyring.backends.fail.Keyring())
        try:
            path = tmp_path_factory.mktemp("demo") / "demo.db"
            _build(path, PEOPLE).close()
        finally:
            keyring.set_keyring(previous)
    return path


@pytest.fixture
def demo(demo_path):
    caseload = Caseload.open(demo_path, PASSPHRASE)
    yield caseload
    caseload.close()


def _count(session, model) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


# --- privacy --------------------------------------------------------------------------------


def test_no_names_postcodes_or_nhs_numbers_in_plain_bytes(tmp_path):
    caseload = _build(tmp_path / "plain.db", 80)
    try:
        with caseload.reading() as s:
            people = s.execute(select(models.Person).limit(10)).scalars().all()
            needles = {p.family_name for p in people} | {p.given_name for p in people}
            needles |= {p.postcode for p in people} | {p.nhs_number for p in people if p.nhs_number}
            needles |= {c.own_words for c in s.execute(select(models.Condition)).scalars()}
        files = [tmp_path / "plain.db", tmp_path / "plain.db-wal"]
        assert (tmp_path / "plain.db-wal").exists()  # still open: recent pages are in the WAL
        blob = b"".join(f.read_bytes() for f in files if f.exists())
        assert len(blob) > 100_000
        assert b"SQLite format 3" not in blob
        # Six bytes at least: ciphertext is random, and a few megabytes of it hold a given
        # 4-byte run by chance; with a handful of short names, about one run in a hundred fails
        # (a name like "Anne" did). Unencrypted pages would still show every postcode, NHS
        # number and longer name here.
        for needle in sorted(n for n in needles if n and len(n.encode("utf-8")) >= 6):
            for encoded in (needle.encode("utf-8"), needle.encode("utf-16-le")):
                assert encoded not in blob, f"{needle!r} is readable in the caseload file"
    finally:
        caseload.close()


# --- reproducibility ------------------------------------------------------------------------


def _snapshot(caseload: Caseload) -> list[tuple]:
    with caseload.reading() as s:
        people = s.execute(
            select(models.Person.id, models.Person.given_name, models.Person.family_name,
                   models.Person.date_of_birth, models.Person.postcode, models.Person.nhs_number)
            .order_by(models.Person.reference)
        ).all()
        contacts = s.execute(
            select(models.Contact.id, models.Contact.contact_date, models.Contact.status)
            .order_by(models.Contact.id)
        ).all()
        measures = s.execute(
            select(models.Measure.id, models.Measure.raw, models.Measure.value)
            .order_by(models.Measure.id)
        ).all()
    return [tuple(r) for r in (*people, *contacts, *measures)]


def test_same_seed_same_caseload_other_seed_other_people(tmp_path):
    first = _build(tmp_path / "a.db", 40, seed=3)
    second = _build(tmp_path / "b.db", 40, seed=3)
    other = _build(tmp_path / "c.db", 40, seed=4)
    try:
        assert _snapshot(first) == _snapshot(second)
        assert _snapshot(first)[:40] != _snapshot(other)[:40]
    finally:
        for c in (first, second, other):
            c.close()


def test_ids_are_uuid_shaped_unique_and_ascending():
    make = IdMaker(random.Random(1))
    ids = [make() for _ in range(5000)]
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)
    assert all(len(i) == 36 and i[14] == "4" and i[19] in "89ab" for i in ids)
    assert IdMaker(random.Random(2))()[:8] != ids[0][:8]


# --- realism --------------------------------------------------------------------------------


def test_every_stage_and_re_referred_people_present(demo):
    with demo.reading() as s:
        stages = Counter(s.execute(select(models.Episode.stage)).scalars())
        assert set(stages) == set(STAGES)
        assert stages["exited"] > stages["active"] > stages["referred"]
        repeat = s.execute(
            select(models.Episode.person_id).group_by(models.Episode.person_id)
            .having(func.count() >= 2)
        ).scalars().all()
        assert len(repeat) >= PEOPLE * 0.04
        for person_id in repeat[:10]:
            episodes = s.execute(
                select(models.Episode).where(models.Episode.person_id == person_id)
                .order_by(models.Episode.number)
            ).scalars().all()
            assert episodes[0].stage == "exited" and episodes[0].exit_reason
            assert episodes[0].exit_date < episodes[1].referral_date


def test_people_look_real_but_are_synthetic(demo):
    with demo.reading() as s:
        people = s.execute(select(models.Person)).scalars().all()
        for person in people:
            assert normalise_postcode(person.postcode) == person.postcode
            assert person.postcode.startswith("NE")
            if person.nhs_number:
                assert person.nhs_number.startswith("999")
                assert is_valid_nhs_number(person.nhs_number)
            assert person.ethnicity_nhs_code == codes.nhs_ethnic_code(person.ethnicity)
            assert person.gender in codes.GENDERS
        assert len({p.nhs_number for p in people if p.nhs_number}) == sum(
            1 for p in people if p.nhs_number)
        ages = [TODAY.year - p.date_of_birth.year for p in people]
        assert sum(40 <= a <= 80 for a in ages) / len(ages) > 0.7
        assert len({p.ethnicity for p in people}) >= 8
        conditions = s.execute(select(models.Condition)).scalars().all()
        assert all(c.own_words and c.term == codes.LONG_TERM_CONDITIONS[c.code]
                   for c in conditions)
        consents = Counter(s.execute(select(models.Consent.kind)).scalars())
        assert consents["data_processing"] == len(people)
        assert consents["share_with_commissioner"] > 0
        assert _count(s, models.Service) == 100


def test_journeys_have_contacts_goals_signposting_and_appointments_this_week(demo):
    week = TODAY + dt.timedelta(days=7)
    with demo.reading() as s:
        purposes = Counter(s.execute(select(models.Contact.purpose)).scalars())
        for purpose in ("attempt", "first_meeting", "support", "review_3m", "review_6m", "exit"):
            assert purposes[purpose] > 0, purpose
        statuses = Counter(s.execute(select(models.Contact.status)).scalars())
        assert statuses["did_not_attend"] > 0 and statuses["no_answer"] > 0
        upcoming = s.execute(
            select(func.count()).select_from(models.Contact).join(models.Episode)
            .where(models.Contact.status == "planned", models.Contact.contact_date >= TODAY,
                   models.Contact.contact_date <= week,
                   models.Episode.stage.in_(("active", "review")))
        ).scalar_one()
        assert upcoming >= 20
        assert s.execute(select(func.count()).select_from(models.Contact).where(
            models.Contact.status == "planned", models.Contact.contact_date < TODAY)
        ).scalar_one() == 0
        goals = s.execute(select(models.Goal)).scalars().all()
        assert {g.category for g in goals} >= {"social_connection", "money_debt", "activity"}
        assert {g.status for g in goals} == set(models.GOAL_STATUSES)
        assert _count(s, models.GoalStep) > len(goals)
        who = set(s.execute(select(models.GoalStep.who)).scalars())
        assert "GP practice nurse" in who and "Gp practice nurse" not in who  # as the file says
        assert {"Me", "Link worker", "Debt adviser"} <= who
        assert _count(s, models.GoalReview) > 0
        signposts = s.execute(select(models.Signpost)).scalars().all()
        assert any(p.accompanied for p in signposts)
        assert {p.taken_up for p in signposts} == {True, False, None}
        assert _count(s, models.UnmetNeed) > 0


def test_staff_accounts_sign_in_with_demo_password(demo):
    with demo.reading() as s:
        users = dict(s.execute(select(models.User.username, models.User.role)).all())
        stored_hash = s.execute(
            select(models.User.password_hash).where(models.User.username == "worker1")
        ).scalar_one()
    workers = worker_count(PEOPLE)
    expected = {"admin", "manager", "coordinator", *(f"worker{n}" for n in range(1, workers + 1))}
    assert set(users) == expected
    assert users["worker1"] == "link_worker" and users["admin"] == "admin"
    assert verify_password(stored_hash, DEMO_PASSWORD)
    assert not verify_password(stored_hash, "Demo")
    assert worker_count(10) == 3 and worker_count(50_000) == 60


# --- consistency with the core's rules ------------------------------------------------------


def test_every_form_is_scored_as_the_app_scores_it(demo):
    with demo.reading() as s:
        answers: dict[str, list[tuple[int, int | None]]] = {}
        for measure_id, item, answer in s.execute(
            select(models.MeasureAnswer.measure_id, models.MeasureAnswer.item,
                   models.MeasureAnswer.answer)
        ):
            answers.setdefault(measure_id, []).append((item, answer))
        measures = s.execute(
            select(models.Measure.id, models.Measure.instrument, models.Measure.raw,
                   models.Measure.value, models.Measure.complete)
        ).all()
    assert {m.instrument for m in measures} == {"WEMWBS", "SWEMWBS", "ONS4"}
    assert any(not m.complete for m in measures)
    for m in measures:
        result = score(m.instrument, [a for _, a in sorted(answers[m.id])])
        assert (m.raw, m.value, m.complete) == (result.raw, result.value, result.complete)


def test_follow_ups_are_realistically_missing(demo):
    with demo.reading() as s:
        reviews = s.execute(
            select(models.Contact.episode_id, models.Contact.purpose)
            .where(models.Contact.status == "attended", models.Contact.purpose.like("review%"))
        ).all()
        forms = set(s.execute(
            select(models.Measure.episode_id, models.Measure.timepoint)
            .where(models.Measure.complete)
        ).all())
    with_form = sum((e, p) in forms for e, p in reviews)
    assert 0.55 < with_form / len(reviews) < 0.85


def test_summaries_match_journey_refresh_summaries(demo):
    with demo.reading() as s:
        episodes = s.execute(select(models.Episode).order_by(models.Episode.id)).scalars().all()
        sample = random.Random(1).sample(episodes, 80)
        sample += [e for e in episodes if e.latest_change][:20]
        stored = {e.id: (e.next_review_due, e.latest_change, e.person.current_episode_id)
                  for e in sample}
        for episode in sample:
            journey.refresh_summaries(s, episode)
            after = (episode.next_review_due, episode.latest_change,
                     episode.person.current_episode_id)
            assert after == stored[episode.id], episode.id
        assert any(v[0] for v in stored.values()) and any(v[1] for v in stored.values())


def test_stage_follows_the_review_schedule(demo):
    with demo.reading() as s:
        schedules = journey.review_schedules(s)
        for e in s.execute(select(models.Episode)).scalars():
            assert e.stage == stage_of(
                exit_date=e.exit_date, first_meeting=e.first_meeting_date,
                first_contact=e.first_contact_date, next_due=e.next_review_due,
                window_days=schedules[e.contract_id].window_days, today=TODAY), e.id
            if e.stage == "exited":
                assert e.exit_date and e.exit_date < TODAY and e.next_review_due is None
            elif e.stage == "review":
                assert e.next_review_due - dt.timedelta(days=28) <= TODAY


def test_eligible_journeys_join_the_sample_contract(demo):
    pytest.importorskip("linkworker.outcomes.sample")
    with demo.reading() as s:
        rows = s.execute(
            select(models.Episode.referral_date, models.Episode.eligibility)
            .where(models.Episode.contract_id.is_not(None))
        ).all()
    assert rows
    assert all(e == "eligible" and r >= dt.date(2026, 1, 1) for r, e in rows)


# --- refusing to mix demo and real people ---------------------------------------------------


def test_refuses_real_caseload_and_repeat_runs_changing_nothing(caseload):
    with caseload.transaction() as s:
        s.add(models.Person(reference="R1", given_name="Real", family_name="Person"))
    with pytest.raises(DemoRefused, match="real people"):
        generate(caseload, people=5, add=True)
    with caseload.reading() as s:
        assert _count(s, models.Person) == 1 and _count(s, models.User) == 0


def test_adds_more_to_a_demo_only_when_asked(tmp_path):
    caseload = _build(tmp_path / "d.db", 20)
    try:
        with pytest.raises(DemoRefused, match="--force-add"):
            generate(caseload, people=5, today=TODAY)
        summary = generate(caseload, people=5, seed=7, today=TODAY, add=True)
        assert summary.rows["users"] == 0 and summary.rows["services"] == 0
        with caseload.reading() as s:
            assert _count(s, models.Person) == 25
            assert _count(s, models.User) == 3 + worker_count(20)
    finally:
        caseload.close()


def test_cli_creates_refuses_and_cleans_up(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(keys.PASSPHRASE_ENV, PASSPHRASE)
    db = tmp_path / "cli.db"
    assert main(["--db", str(db), "demo", "--people", "25", "--today", "20/11/2026"]) == 0
    out = capsys.readouterr()
    assert "25 people" in out.out and "password is 'demo'" in out.out
    assert "Creating demo people" in out.err
    cli_sign_in_demo(monkeypatch)  # an existing caseload: the command signs in first
    assert main(["--db", str(db), "demo", "--people", "5", "--quiet"]) == 2
    assert "already holds 25 people" in capsys.readouterr().err
    missing = tmp_path / "none.db"
    assert main(["--db", str(missing), "demo", "--people", "0"]) == 2
    assert "between 1 and" in capsys.readouterr().err
    assert not missing.exists()


def test_the_coordinator_has_a_register_at_their_venue(demo):
    """``make run`` as the coordinator shows a real drop-in register: people seen at their
    venue lately, some of them still on a journey so they can be marked attended."""
    from linkworker.access import Actor
    from linkworker.dropin import register_page

    with demo.reading() as s:
        user = s.execute(select(models.User).where(
            models.User.username == "coordinator")).scalar_one()
        coordinator = Actor(user.id, user.username, user.role, user.display_name, user.venue)
        open_people = set(s.execute(select(models.Episode.person_id).where(
            models.Episode.exit_date.is_(None))).scalars())
    listed = register_page(demo, coordinator, TODAY)
    assert len(listed) >= 5
    assert len({e.person_id for e in listed} & open_people) >= 3
