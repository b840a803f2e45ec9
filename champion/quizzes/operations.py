"""Submitting a quiz: grade, record the attempt, complete the module, award badges."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import insert, select

from champion.auth.models import User
from champion.badges.models import BadgeAward
from champion.catalog.live import LiveVersion
from champion.catalog.models import ModuleVersion
from champion.database import utcnow
from champion.extensions import db
from champion.progress.operations import complete_module, lock_learner, progress_for
from champion.quizzes.grading import answer_key, grade_attempt
from champion.quizzes.models import Attempt, AttemptAnswer


@dataclass(frozen=True)
class Submission:
    attempt: Attempt
    newly_completed: bool
    awards: list[BadgeAward]
    repeated: bool = False  # the same form submitted again (a double click): nothing new


def submit_quiz(
    user: User,
    version: ModuleVersion | LiveVersion,
    selections: Mapping[int, Iterable[int]],
    submission_key: str | None = None,
) -> Submission:
    """Record one graded attempt against the version answered; one transaction.

    ``selections`` maps question index to chosen choice indexes, already checked to
    belong to their question. ``submission_key`` comes from the form: the same key twice
    returns the first attempt instead of recording another. The caller commits.
    """
    if not version.has_quiz:
        raise ValueError("this module has no quiz")
    now = utcnow()
    lock_learner(user.id, now)
    if submission_key:
        # Under the learner's lock, so a simultaneous double click sees the first one.
        earlier = db.session.scalar(select(Attempt).where(
            Attempt.user_id == user.id, Attempt.submission_key == submission_key))
        if earlier is not None:
            return Submission(earlier, newly_completed=False, awards=[], repeated=True)
    result = grade_attempt(answer_key(version.quiz), selections, version.pass_mark)
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
    )
    db.session.add(attempt)
    db.session.flush()  # the attempt's id, for its answers and the completion it may make
    # One statement for all the answers: nothing reads them back in this transaction.
    db.session.execute(insert(AttemptAnswer), [
        {"attempt_id": attempt.id, "question_index": i, "selected": sorted(q.selected),
         "correct": q.correct}
        for i, q in enumerate(result.questions)
    ])
    progress = progress_for(user.id, version.module_id, now)
    progress.attempt_count = (progress.attempt_count or 0) + 1
    progress.best_score = max(progress.best_score or 0, result.score)
    progress.last_activity_at = now
    awards: list[BadgeAward] = []
    newly_completed = result.passed and progress.completed_at is None
    if result.passed:  # complete_module flushes the progress, in one statement
        awards = complete_module(
            user.id, version, via="quiz", now=now, progress=progress, attempt_id=attempt.id,
        )
    return Submission(attempt=attempt, newly_completed=newly_completed, awards=awards)
