"""Taking a quiz: drawing an attempt, grading it, recording it, completing the module and
awarding badges; and the retake policy that decides when an attempt may start."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select

from champion.auth.models import User
from champion.badges.models import BadgeAward
from champion.catalog.live import LiveVersion
from champion.catalog.models import ModuleVersion
from champion.database import utcnow
from champion.errors import OperationError
from champion.extensions import db
from champion.progress.operations import complete_module, lock_learner, progress_for
from champion.quizzes.drawing import Draw, draw
from champion.quizzes.grading import answer_key, grade_attempt
from champion.quizzes.models import Attempt, AttemptAnswer, QuizDraw
from champion.xapi.operations import record_attempt

# An attempt left open longer than this is drawn afresh (and its form no longer accepted).
DRAW_LIFETIME = timedelta(hours=24)
# ``max_attempts_per_day`` counts attempts started in this window.
DAY = timedelta(hours=24)


class QuizClosed(OperationError):
    """No attempt may start (or be submitted) now; ``opens_at`` says when one may."""

    def __init__(self, message: str, opens_at: datetime | None = None) -> None:
        super().__init__(message)
        self.opens_at = opens_at


def _at(moment: datetime) -> str:
    return moment.strftime("%-d %B %Y, %H:%M UTC")


def _retake_wait(user_id: int, version: ModuleVersion | LiveVersion, now: datetime) -> None:
    minutes = version.policy.retake_after_minutes
    if not minutes:
        return
    last = db.session.scalar(select(func.max(Attempt.submitted_at)).where(
        Attempt.user_id == user_id, Attempt.module_id == version.module_id))
    if last is not None and last + timedelta(minutes=minutes) > now:
        opens = last + timedelta(minutes=minutes)
        raise QuizClosed(f"this quiz can be taken again {minutes} minutes after your last "
                         f"attempt: from {_at(opens)}", opens)


def check_can_start(user_id: int, version: ModuleVersion | LiveVersion, now: datetime) -> None:
    """Raise QuizClosed, saying when, if the module's retake policy refuses a new attempt."""
    _retake_wait(user_id, version, now)
    most = version.policy.max_attempts_per_day
    if most:
        started = db.session.scalars(
            select(QuizDraw.drawn_at).where(
                QuizDraw.user_id == user_id, QuizDraw.module_id == version.module_id,
                QuizDraw.drawn_at > now - DAY)
            .order_by(QuizDraw.drawn_at)).all()
        if len(started) >= most:
            opens = started[len(started) - most] + DAY  # when the oldest counted ages out
            raise QuizClosed(f"you have started {len(started)} attempts at this quiz in the "
                             f"last 24 hours, the most it allows: the next opens "
                             f"{_at(opens)}", opens)


def _open_draw(user_id: int, version: ModuleVersion | LiveVersion,
               now: datetime) -> QuizDraw | None:
    return db.session.scalar(
        select(QuizDraw).where(
            QuizDraw.user_id == user_id, QuizDraw.module_version_id == version.id,
            QuizDraw.attempt_id.is_(None), QuizDraw.drawn_at > now - DRAW_LIFETIME)
        .order_by(QuizDraw.id.desc()).limit(1))


def current_draw(user: User, version: ModuleVersion | LiveVersion,
                 rng: random.Random | None = None) -> QuizDraw:
    """The learner's open attempt at ``version``, drawn now if there is none.

    Reloading the quiz page shows the same questions in the same order: drawing again
    would let a learner fish for easier questions. A new draw prefers the questions this
    learner has been shown least. The caller commits.
    """
    now = utcnow()
    open_draw = _open_draw(user.id, version, now)
    if open_draw is not None:
        return open_draw
    # Looked for again under the learner's lock: quiz pages opened at once (tabs, or a
    # script firing requests together) would otherwise each draw, showing several sets of
    # questions to choose from and starting more attempts than a daily limit allows.
    lock_learner(user.id, now)
    open_draw = _open_draw(user.id, version, now)
    if open_draw is not None:
        return open_draw
    check_can_start(user.id, version, now)
    seen = Counter(index for questions in db.session.scalars(
        select(QuizDraw.questions).where(QuizDraw.user_id == user.id,
                                         QuizDraw.module_version_id == version.id))
        for index in questions)
    quiz = version.quiz
    drawn = draw(quiz, version.policy.drawn(len(quiz["questions"])),
                 rng or random.SystemRandom(), seen)
    row = QuizDraw(user_id=user.id, module_id=version.module_id, module_version_id=version.id,
                   drawn_at=now, **drawn.columns())
    db.session.add(row)
    db.session.flush()
    return row


@dataclass(frozen=True)
class Submission:
    attempt: Attempt
    newly_completed: bool
    awards: list[BadgeAward]
    repeated: bool = False  # the same form submitted again (a double click): nothing new
    # Passed, but the module also asks for its presentation to be seen first.
    awaiting_view: bool = False


def submit_quiz(
    user: User,
    version: ModuleVersion | LiveVersion,
    selections: Mapping[int, Iterable[int]],
    submission_key: str | None = None,
    drawn: QuizDraw | None = None,
) -> Submission:
    """Record one graded attempt against the version answered; one transaction.

    ``selections`` maps question index (as written) to chosen choice indexes, already
    checked to belong to their question. ``drawn`` is the attempt the learner was shown:
    only its questions are graded, and the attempt keeps its order. ``submission_key``
    comes from the form: the same key twice returns the first attempt instead of
    recording another. A retake the policy doesn't allow yet raises QuizClosed and
    records nothing. The caller commits.
    """
    if not version.has_quiz:
        raise ValueError("this module has no quiz")
    now = utcnow()
    lock_learner(user.id, now)
    # Under the learner's lock, so a simultaneous double click sees the first one.
    if drawn is not None:
        # Read again now: loaded before the lock, it may since have been answered (the same
        # form posted from several tabs at once, say with every answer to a question), and
        # one draw is one attempt.
        db.session.refresh(drawn, ["attempt_id"])
    earlier = None
    if drawn is not None and drawn.attempt_id is not None:
        earlier = db.session.get(Attempt, drawn.attempt_id)
    elif submission_key:
        earlier = db.session.scalar(select(Attempt).where(
            Attempt.user_id == user.id, Attempt.submission_key == submission_key))
    if earlier is not None:
        return Submission(earlier, newly_completed=False, awards=[], repeated=True)
    _retake_wait(user.id, version, now)
    shown = Draw.stored(drawn.questions if drawn else None,
                        drawn.choice_orders if drawn else None, version.quiz)
    result = grade_attempt(answer_key(version.quiz), selections, version.pass_mark,
                           questions=shown.questions)
    attempt = Attempt(
        user_id=user.id,
        module_id=version.module_id,
        module_version_id=version.id,
        score=result.score,
        passed=result.passed,
        correct_count=result.correct_count,
        question_count=len(result.questions),
        pass_mark=version.pass_mark,
        submitted_at=now,
        submission_key=submission_key,
        **shown.columns(),
    )
    db.session.add(attempt)
    db.session.flush()  # the attempt's id, for its answers and the completion it may make
    if drawn is not None:
        drawn.attempt_id = attempt.id
    # One statement for all the answers: nothing reads them back in this transaction.
    db.session.execute(insert(AttemptAnswer), [
        {"attempt_id": attempt.id, "question_index": q.index, "selected": sorted(q.selected),
         "correct": q.correct}
        for q in result.questions
    ])
    record_attempt(user.id, version, result, now)
    progress = progress_for(user.id, version.module_id, now)
    progress.attempt_count = (progress.attempt_count or 0) + 1
    progress.best_score = max(progress.best_score or 0, result.score)
    progress.last_activity_at = now
    awards: list[BadgeAward] = []
    awaiting_view = (result.passed and progress.completed_at is None
                     and version.policy.needs_viewing and progress.viewed_at is None)
    newly_completed = result.passed and progress.completed_at is None and not awaiting_view
    if result.passed and not awaiting_view:  # complete_module flushes, in one statement
        awards = complete_module(
            user.id, version, via="quiz", now=now, progress=progress, attempt_id=attempt.id,
        )
    return Submission(attempt=attempt, newly_completed=newly_completed, awards=awards,
                      awaiting_view=awaiting_view)
