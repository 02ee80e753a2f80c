"""Goals and action plans: in the person's own words, with steps and progress reviews.

A goal belongs to a journey. Its steps say who does what by when; a review records progress
(0-10) and the goal's status at the time (achieved, partly, changed, dropped, or still being
worked on), and the latest review's status becomes the goal's status, so the outcome engine
("K goals achieved") reads one column. The crisis/back-up plan lives on the journey
(``Episode.crisis_plan``) because it belongs to the whole plan, not one goal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from linkworker import audit, codes
from linkworker.access import Actor
from linkworker.errors import UserError
from linkworker.models import GOAL_CATEGORIES, GOAL_STATUSES, Episode, Goal, GoalReview, GoalStep
from linkworker.person import episode_for, update_episode_text
from linkworker.record_rows import must_get, person_rows
from linkworker.storage.database import Caseload, unit_of_work
from linkworker.validation import format_date


@dataclass(frozen=True)
class StepInput:
    description: str
    who: str | None = None
    due_date: dt.date | None = None


@dataclass(frozen=True)
class StepItem:
    id: str
    position: int
    description: str
    who: str | None
    due_date: dt.date | None
    done_date: dt.date | None

    @property
    def text(self) -> str:
        who = f"{self.who}: " if self.who else ""
        by = f" (by {format_date(self.due_date)})" if self.due_date else ""
        done = f" - done {format_date(self.done_date)}" if self.done_date else ""
        return f"{who}{self.description}{by}{done}"


@dataclass(frozen=True)
class ReviewItem:
    id: str
    review_date: dt.date
    progress: int | None
    status: str
    note: str | None

    @property
    def status_label(self) -> str:
        return codes.label(codes.GOAL_STATUS_LABELS, self.status)


@dataclass(frozen=True)
class GoalItem:
    id: str
    episode_id: str
    episode_number: int
    own_words: str
    category: str
    agreed_date: dt.date
    status: str
    status_date: dt.date | None
    steps: tuple[StepItem, ...]
    reviews: tuple[ReviewItem, ...]

    @property
    def category_label(self) -> str:
        return codes.label(codes.GOAL_CATEGORY_LABELS, self.category)

    @property
    def status_label(self) -> str:
        return codes.label(codes.GOAL_STATUS_LABELS, self.status)

    @property
    def progress(self) -> int | None:
        scored = [r.progress for r in self.reviews if r.progress is not None]
        return scored[-1] if scored else None

    @property
    def next_steps(self) -> tuple[StepItem, ...]:
        return tuple(s for s in self.steps if s.done_date is None)


def _words(text: str | None, what: str, limit: int = 2000) -> str:
    clean = (text or "").strip()
    if not clean:
        raise UserError(f"The {what} is empty.")
    if len(clean) > limit:
        raise UserError(f"The {what} is too long (at most {limit} characters).")
    return clean


def _check_step(step: StepInput) -> None:
    """Steps may be due on any date: plans are often keyed in after the session."""
    _words(step.description, "step")
    if step.who is not None and len(step.who) > 100:
        raise UserError("'Who' is too long (at most 100 characters).")


def _goal(session: Session, actor: Actor, goal_id: str) -> tuple[Goal, Episode]:
    goal = must_get(session, Goal, goal_id, "That goal is no longer on the record.")
    return goal, episode_for(session, actor, goal.episode_id, "goal.edit")


def _steps(goal: Goal, steps: Sequence[StepInput]) -> None:
    start = len(goal.steps)
    for offset, step in enumerate(steps):
        goal.steps.append(GoalStep(position=start + offset, description=step.description.strip(),
                                   who=(step.who or "").strip() or None, due_date=step.due_date))


def add_goal(
    target: Caseload | Session, actor: Actor, episode_id: str, own_words: str, category: str,
    agreed_date: dt.date, steps: Sequence[StepInput] = (), today: dt.date | None = None,
) -> str:
    """A goal in the person's own words, optionally with its first steps; returns its id."""
    today = today or dt.date.today()
    words = _words(own_words, "goal")
    if category not in GOAL_CATEGORIES:
        raise UserError(f"Unknown goal category {category!r}.")
    if agreed_date > today:
        raise UserError(f"The agreed date {format_date(agreed_date)} is in the future.")
    for step in steps:
        _check_step(step)
    with unit_of_work(target) as session:
        episode = episode_for(session, actor, episode_id, "goal.edit")
        if episode.exit_date is not None:
            raise UserError("This journey has ended; re-refer the person to agree new goals.")
        if agreed_date < episode.referral_date:
            raise UserError("The agreed date is before the referral.")
        goal = Goal(episode_id=episode.id, own_words=words, category=category,
                    agreed_date=agreed_date, status="open")
        session.add(goal)
        _steps(goal, steps)
        session.flush()
        audit.record(session, actor, "goal.add", entity="goal", entity_id=goal.id,
                     person_id=episode.person_id,
                     details={"category": category, "steps": len(steps)})
        return goal.id


def update_goal(
    target: Caseload | Session, actor: Actor, goal_id: str, *, own_words: str | None = None,
    category: str | None = None,
) -> None:
    with unit_of_work(target) as session:
        goal, episode = _goal(session, actor, goal_id)
        fields = []
        if own_words is not None and own_words.strip() != goal.own_words:
            goal.own_words = _words(own_words, "goal")
            fields.append("own_words")
        if category is not None and category != goal.category:
            if category not in GOAL_CATEGORIES:
                raise UserError(f"Unknown goal category {category!r}.")
            goal.category = category
            fields.append("category")
        if fields:
            audit.record(session, actor, "goal.change", entity="goal", entity_id=goal.id,
                         person_id=episode.person_id, details={"fields": fields})


def add_step(target: Caseload | Session, actor: Actor, goal_id: str, step: StepInput) -> str:
    _check_step(step)
    with unit_of_work(target) as session:
        goal, episode = _goal(session, actor, goal_id)
        _steps(goal, [step])
        session.flush()
        audit.record(session, actor, "goal.step_add", entity="goal", entity_id=goal.id,
                     person_id=episode.person_id)
        return goal.steps[-1].id


def complete_step(
    target: Caseload | Session, actor: Actor, step_id: str, done_on: dt.date | None,
    today: dt.date | None = None,
) -> None:
    """Mark a step done on ``done_on`` (or not done, with None)."""
    today = today or dt.date.today()
    if done_on is not None and done_on > today:
        raise UserError(f"{format_date(done_on)} is in the future.")
    with unit_of_work(target) as session:
        step = must_get(session, GoalStep, step_id, "That step is no longer on the plan.")
        _, episode = _goal(session, actor, step.goal_id)
        step.done_date = done_on
        audit.record(session, actor, "goal.step_done", entity="goal", entity_id=step.goal_id,
                     person_id=episode.person_id, details={"done": done_on is not None})


def review_goal(
    target: Caseload | Session, actor: Actor, goal_id: str, *, review_date: dt.date,
    status: str, progress: int | None = None, note: str | None = None,
    today: dt.date | None = None,
) -> str:
    """Record progress and the goal's status; the goal takes the status of its latest review."""
    today = today or dt.date.today()
    if status not in GOAL_STATUSES:
        raise UserError(f"Unknown goal status {status!r}.")
    if progress is not None and not 0 <= progress <= 10:
        raise UserError("Progress is scored from 0 (not started) to 10 (fully there).")
    if review_date > today:
        raise UserError(f"The review date {format_date(review_date)} is in the future.")
    with unit_of_work(target) as session:
        goal, episode = _goal(session, actor, goal_id)
        if review_date < goal.agreed_date:
            raise UserError("A review cannot be dated before the goal was agreed.")
        review = GoalReview(review_date=review_date, progress=progress, status=status,
                            note=(note or "").strip() or None)
        goal.reviews.append(review)
        latest = max([*goal.reviews], key=lambda r: (r.review_date, r is review))
        if latest is review:
            goal.status, goal.status_date = status, review_date
        session.flush()
        audit.record(session, actor, "goal.review", entity="goal", entity_id=goal.id,
                     person_id=episode.person_id,
                     details={"status": status, "progress": progress})
        return review.id


def set_crisis_plan(
    target: Caseload | Session, actor: Actor, episode_id: str, text: str | None
) -> None:
    """The crisis/back-up plan: who to call and what to do if things go wrong."""
    update_episode_text(target, actor, episode_id, {"crisis_plan": text})


def list_goals(
    target: Caseload | Session, actor: Actor, person_id: str, episode_id: str | None = None
) -> tuple[GoalItem, ...]:
    """The person's goals (one journey's if given), oldest agreed first."""
    with unit_of_work(target, write=False) as session:
        query = (
            person_rows(session, actor, person_id, Goal.episode_id, Goal, Episode.number)
            .order_by(Episode.number, Goal.agreed_date, Goal.created_at)
        )
        if episode_id is not None:
            query = query.where(Goal.episode_id == episode_id)
        return tuple(_item(goal, number) for goal, number in session.execute(query).all())


def _item(goal: Goal, number: int) -> GoalItem:
    return GoalItem(
        id=goal.id, episode_id=goal.episode_id, episode_number=number, own_words=goal.own_words,
        category=goal.category, agreed_date=goal.agreed_date, status=goal.status,
        status_date=goal.status_date,
        steps=tuple(StepItem(s.id, s.position, s.description, s.who, s.due_date, s.done_date)
                    for s in goal.steps),
        reviews=tuple(ReviewItem(r.id, r.review_date, r.progress, r.status, r.note)
                      for r in goal.reviews),
    )
