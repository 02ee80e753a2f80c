"""The badge count and the Due list, checked against a plain per-person reckoning.

``count_due`` and ``due_and_overdue`` answer from set-based queries and the journey summary
``Episode.next_review_due``. Here the same answers are worked out the slow, obvious way: person
by person, journey by journey, with ``journey.next_review`` and each journey's own forms and
meetings, over a varied demo caseload and hand-made edge cases (due today, overdue, exited,
no baseline, a review held without its form, planned contacts).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from linkworker import journey
from linkworker.access import SYSTEM, Actor
from linkworker.dates import add_months
from linkworker.demo import generate
from linkworker.models import Contact, Contract, Episode, Measure, Person, PersonAccess, User
from linkworker.today import count_due, due_and_overdue, due_first_keys, due_keys, week_of

TODAY = dt.date(2026, 11, 18)  # a Wednesday, inside the sample contract's dates
DAY = dt.timedelta(days=1)
AS_OF = (TODAY, TODAY - 45 * DAY, TODAY + 16 * DAY)
Due = tuple[str, str, dt.date]  # kind, person id, due date


def _in_scope(session, person: Person, worker: str | None) -> bool:
    if worker is None:
        return True
    episodes = session.scalars(select(Episode).where(Episode.person_id == person.id))
    given = session.scalars(select(PersonAccess).where(PersonAccess.person_id == person.id,
                                                       PersonAccess.user_id == worker))
    return any(e.worker_id == worker for e in episodes) or given.first() is not None


def _review_dues(session, episode: Episode, as_of: dt.date, sunday: dt.date) -> list[Due]:
    """The next review (if due by Sunday), and each review held without its form whose
    window is open, for one open journey."""
    dues = []
    point = journey.clock_for(session, episode).next_review()
    if point is not None and point.due <= sunday:
        dues.append(("review", episode.person_id, point.due))
    forms = set(session.scalars(select(Measure.timepoint).where(
        Measure.episode_id == episode.id, Measure.complete)))
    held = set(session.scalars(select(Contact.purpose).where(
        Contact.episode_id == episode.id, Contact.status == "attended",
        Contact.purpose.like("review_%"))))
    for p in journey.review_schedule(session, episode).points(episode.first_meeting_date):
        if p.timepoint in held - forms and p.opens <= sunday and as_of <= p.closes:
            dues.append(("measure", episode.person_id, p.due))
    return dues


def reference_items(caseload, worker: str | None, as_of: dt.date) -> list[Due]:
    """(kind, person, due) of every item due by Sunday or overdue, person by person."""
    sunday = week_of(as_of)[1]
    dues: list[Due] = []
    with caseload.reading() as s:
        for person in s.scalars(select(Person).order_by(Person.id)):
            if person.deleted_at is not None or not _in_scope(s, person, worker):
                continue
            current = s.get(Episode, person.current_episode_id)
            if (current is not None and person.anonymised_at is None
                    and current.exit_date is None and current.stage != "exited"
                    and current.first_meeting_date is not None
                    and worker in (None, current.worker_id)):
                dues += _review_dues(s, current, as_of, sunday)
            for episode in s.scalars(select(Episode).where(Episode.person_id == person.id)):
                for c in s.scalars(select(Contact).where(Contact.episode_id == episode.id)):
                    mine = worker is None or c.worker_id == worker or (
                        c.worker_id is None and episode.worker_id == worker)
                    if c.status == "planned" and c.contact_date <= sunday and mine:
                        dues.append(("contact", person.id, c.contact_date))
    return sorted(dues)


def _check_all(caseload, actors: list[tuple[Actor, str | None]]) -> None:
    for actor, worker in actors:
        for as_of in AS_OF:
            expected = reference_items(caseload, worker, as_of)
            listed = due_and_overdue(caseload, actor, worker, as_of)
            assert sorted((i.kind, i.person_id, i.due) for i in listed) == expected
            overdue = sum(1 for _kind, _person, due in expected if due < as_of)
            assert count_due(caseload, actor, worker, as_of) == (len(expected) - overdue,
                                                                 overdue), (worker, as_of)
        _check_first_pages(caseload, actor, worker, TODAY)


def _check_first_pages(caseload, actor: Actor, worker: str | None, as_of: dt.date) -> None:
    """The Due page's first screenful, cut in the database (``due_first_keys``), is the head
    of the whole list of each "Show" choice: at the lengths around the first form not
    recorded (forms are merged in only when one could be on the page), one row and all."""
    keys = due_keys(caseload, actor, worker, as_of)
    forms = [at for at, key in enumerate(keys) if key.kind == "measure"]
    lengths = {1, len(keys) + 1} | {at + step for at in forms[:1] for step in (0, 1, 2)}
    for kind in (None, "review", "measure", "contact"):
        shown = [key for key in keys if kind in (None, key.kind)]
        for limit in sorted(n for n in lengths if n) if kind is None else (max(len(shown), 1),):
            assert due_first_keys(caseload, actor, worker, as_of, kind, limit) == \
                shown[:limit], (worker, as_of, kind, limit)


def _actors(caseload, workers: int = 2) -> list[tuple[Actor, str | None]]:
    with caseload.reading() as s:
        users = s.scalars(select(User).where(User.role == "link_worker")
                          .order_by(User.username).limit(workers)).all()
        return [(SYSTEM, None)] + [(Actor(u.id, u.username, u.role), u.id) for u in users]


@pytest.fixture
def demo(caseload):
    generate(caseload, people=120, seed=5, today=TODAY)
    return caseload


def test_the_fast_count_matches_a_per_person_count_on_a_demo_caseload(demo):
    actors = _actors(demo)
    _check_all(demo, actors)
    assert sum(sum(count_due(demo, a, w, TODAY)) for a, w in actors) > 20  # not vacuous


def _journey(s, worker: User, n: int, *, first_meeting: dt.date | None,
             exited: bool = False) -> Episode:
    person = Person(reference=f"EDGE-{n}", given_name=f"Edge{n}", family_name="Case")
    s.add(person)
    s.flush()
    episode = Episode(person_id=person.id, number=1, referral_date=TODAY - 400 * DAY,
                      worker_id=worker.id, first_meeting_date=first_meeting,
                      stage="exited" if exited else "active",
                      exit_date=TODAY - 5 * DAY if exited else None,
                      exit_reason="goals_met" if exited else None)
    s.add(episode)
    s.flush()
    return episode


def _form(s, episode: Episode, timepoint: str, on: dt.date, complete: bool = True) -> None:
    s.add(Measure(person_id=episode.person_id, episode_id=episode.id, instrument="SWEMWBS",
                  timepoint=timepoint, completed_on=on, value=21.0, raw=21, complete=complete))


def _meeting(s, episode: Episode, on: dt.date, purpose: str, status: str = "attended") -> None:
    s.add(Contact(episode_id=episode.id, contact_date=on, status=status, purpose=purpose))


def test_edge_cases_count_the_same_both_ways(caseload):
    with caseload.transaction() as s:
        worker = User(username="edge", display_name="Edge Worker", role="link_worker")
        s.add(worker)
        s.flush()
        due_today = _journey(s, worker, 1, first_meeting=TODAY)  # baseline due today
        no_baseline = _journey(s, worker, 2, first_meeting=TODAY - 40 * DAY)
        overdue = _journey(s, worker, 3, first_meeting=TODAY - 120 * DAY)
        _form(s, overdue, "baseline", TODAY - 120 * DAY)  # 3-month review now overdue
        exited = _journey(s, worker, 4, first_meeting=TODAY - 200 * DAY, exited=True)
        held = _journey(s, worker, 5, first_meeting=TODAY - 95 * DAY)
        _form(s, held, "baseline", TODAY - 95 * DAY)
        _meeting(s, held, TODAY - 3 * DAY, "review_3m")  # the review, but no form
        _form(s, held, "review_3m", TODAY - 3 * DAY, complete=False)  # an incomplete one
        done = _journey(s, worker, 6, first_meeting=TODAY - 100 * DAY)
        _form(s, done, "baseline", TODAY - 100 * DAY)
        _form(s, done, "review_3m", TODAY - 8 * DAY)
        not_met = _journey(s, worker, 7, first_meeting=None)
        _meeting(s, not_met, TODAY + 2 * DAY, "first_meeting", "planned")
        _meeting(s, no_baseline, TODAY - 9 * DAY, "support", "planned")  # never recorded
        _meeting(s, exited, TODAY - 20 * DAY, "support", "planned")  # before the exit
        for episode in (due_today, no_baseline, overdue, exited, held, done, not_met):
            s.get(Person, episode.person_id).current_episode_id = episode.id
            journey.refresh_summaries(s, episode)
        actor = Actor(worker.id, worker.username, worker.role)
    _check_all(caseload, [(actor, actor.user_id), (SYSTEM, None)])
    # and the count is what a person would expect, by hand, on the day
    # due: baseline today, planned first meeting; overdue: no baseline, 3-month review,
    # the form missing from a held review, the two planned contacts never recorded
    assert count_due(caseload, actor, actor.user_id, TODAY) == (2, 5)
    items = due_and_overdue(caseload, actor, actor.user_id, TODAY)
    assert ("measure", "EDGE-5") in {(i.kind, i.reference) for i in items}
    assert "EDGE-6" not in {i.reference for i in items if i.kind == "review" and i.overdue}


def _first_meetings(months: int) -> list[dt.date]:
    """First meetings whose ``months`` review falls on either side of each edge of the
    windows (28 and 42 days) around each day ``_check_all`` asks about, and on every month's
    last day from ~13 weeks before ``TODAY`` to ~8 after it."""
    centre = add_months(TODAY, -months)
    offsets = {(as_of - TODAY).days + edge for as_of in AS_OF for window in (28, 42)
               for edge in (-window - 1, -window, window + 6, window + 7)}
    span = [centre + offset * DAY for offset in range(-95, 60)]
    month_ends = {d for d in span if (d + DAY).month != d.month}
    return sorted({centre + offset * DAY for offset in offsets} | month_ends)


def test_forms_missing_at_the_edges_of_their_windows_count_the_same_both_ways(caseload):
    """Due asks only the open journeys met a review's months before the week (a range of an
    index, per review point, for the widest window any schedule gives it): at the edges of
    the windows, on month ends (31/08 + 3 months = 30/11), for a contract with its own months
    and a wider window, and for a meeting a journey's schedule does not have (9 months by
    default, 3 for WIDE), the list must still be exactly the per-person reckoning."""
    with caseload.transaction() as s:
        worker = User(username="edges", display_name="Edge Worker", role="link_worker")
        wide = Contract(code="WIDE", name="Wide windows", pseudonym_key="00" * 32,
                        definition={"review_schedule": {"months": [0, 2, 9], "window_days": 42}})
        s.add_all([worker, wide])
        s.flush()
        n = 0
        for contract_id in (None, wide.id):
            for months in (3, 9):  # the default schedule's and WIDE's
                for first in _first_meetings(months):
                    n += 1
                    episode = _journey(s, worker, n, first_meeting=first)
                    episode.contract_id = contract_id
                    _form(s, episode, "baseline", first)
                    _meeting(s, episode, min(first + 80 * DAY * months // 3, TODAY),
                             f"review_{months}m")
                    s.get(Person, episode.person_id).current_episode_id = episode.id
                    journey.refresh_summaries(s, episode)
        actor = Actor(worker.id, worker.username, worker.role)
    _check_all(caseload, [(actor, actor.user_id), (SYSTEM, None)])
    measures = [i for i in due_and_overdue(caseload, actor, actor.user_id, TODAY)
                if i.kind == "measure"]
    assert len(measures) > 20  # not vacuous: forms missing on both schedules
    assert {i.window_closes - i.due for i in measures} == {28 * DAY, 42 * DAY}
