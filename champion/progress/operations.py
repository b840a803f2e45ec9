"""Recording what learners do: starting modules, completing them, earning badges."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Row, bindparam, select, update

from champion.auth.models import User
from champion.badges.models import BadgeAward
from champion.badges.operations import award_earned_badges
from champion.catalog.live import LiveModule, LiveVersion
from champion.catalog.models import Module, ModuleVersion
from champion.database import utcnow
from champion.extensions import db
from champion.lti.outbox import queue_scores
from champion.progress.models import ModuleProgress
from champion.quizzes.models import Attempt
from champion.xapi.operations import record_completion, record_launch

# Reading a page updates "last activity" at most this often, so browsing costs no writes.
ACTIVITY_RESOLUTION = timedelta(minutes=10)


_USERS = User.__table__
# Built once: every submission and progress write starts with it.
_LOCK_LEARNER = (update(_USERS).where(_USERS.c.id == bindparam("user_id"))
                 .values(last_active_at=bindparam("now")))


def lock_learner(user_id: int, now: datetime) -> None:
    """Serialise one learner's writes: the first statement of every progress transaction.

    On PostgreSQL this takes the learner's row lock; on SQLite it takes the write lock.
    Two simultaneous submissions by the same learner then run one after the other, so
    the second sees the first's completion and badge and never awards a second badge.
    """
    db.session.execute(_LOCK_LEARNER, {"user_id": user_id, "now": now})


_PROGRESS_FOR = (
    select(ModuleProgress)
    .where(ModuleProgress.user_id == bindparam("user_id"),
           ModuleProgress.module_id == bindparam("module_id"))
    .execution_options(populate_existing=True)
)


def progress_for(user_id: int, module_id: int, now: datetime) -> ModuleProgress:
    progress = db.session.scalar(_PROGRESS_FOR, {"user_id": user_id, "module_id": module_id})
    if progress is None:
        progress = ModuleProgress(
            user_id=user_id, module_id=module_id, started_at=now, last_activity_at=now
        )
        db.session.add(progress)
    return progress


def note_module_opened(user: User, module_id: int, progress: Row | ModuleProgress | None) -> bool:
    """Mark a module in progress when a learner opens it; True if anything was written."""
    now = utcnow()
    if progress is not None and now - progress.last_activity_at < ACTIVITY_RESOLUTION:
        return False
    lock_learner(user.id, now)
    progress_for(user.id, module_id, now).last_activity_at = now
    record_launch(user.id, module_id, now)
    return True


def complete_module(
    user_id: int,
    version: ModuleVersion | LiveVersion,
    *,
    via: str,
    now: datetime,
    progress: ModuleProgress,
    attempt_id: int | None = None,
) -> list[BadgeAward]:
    """Record a completion and award any badge it earns.

    The first completion is kept for good; every later one only moves
    ``last_completed_at`` (what recertification counts). The caller has already called
    ``lock_learner`` in this transaction.
    """
    if progress.completed_at is None:
        progress.completed_at = now
        progress.completed_via = via
        progress.completed_version_id = version.id
        progress.completing_attempt_id = attempt_id
    progress.last_completed_at = now
    progress.last_activity_at = now
    record_completion(user_id, version, now)
    # Owed to the LMS gradebooks the learner came from (LTI), delivered later.
    queue_scores(user_id, version.module_id,
                 progress.best_score if progress.best_score is not None else 100, now)
    db.session.flush()
    return award_earned_badges(user_ids=[user_id])


def mark_complete(user: User, module: Module | LiveModule,
                  version: ModuleVersion | LiveVersion) -> list[BadgeAward]:
    """The learner's own "Mark as complete", for a module with no quiz."""
    if version.has_quiz:
        raise ValueError("a module with a quiz is completed by passing the quiz")
    now = utcnow()
    lock_learner(user.id, now)
    progress = progress_for(user.id, module.id, now)
    return complete_module(user.id, version, via="manual", now=now, progress=progress)


MAX_HEARTBEAT = 60  # seconds one report may add: a stuck or forged client can't inflate it


@dataclass(frozen=True)
class Activity:
    """What a heartbeat changed beyond the time: the module completed by being seen to its
    end after its quiz was passed, and the badges that earned."""

    completed: bool = False
    awards: list[BadgeAward] = field(default_factory=list)


def credited_seconds(claimed: int, previous: datetime | None, now: datetime) -> int:
    """What a heartbeat adds: what the client claims, but never more than the time that
    really passed since the module's previous activity (so 120 reports sent in one second
    add about a second, not two hours), nor more than ``MAX_HEARTBEAT``."""
    elapsed = int((now - previous).total_seconds()) if previous is not None else 0
    return max(0, min(claimed, MAX_HEARTBEAT, elapsed))


def record_activity(user: User, module_id: int, slide: int | None, seconds: int,
                    slide_count: int, reached_end: bool = False) -> Activity:
    """Where the learner is in presentation mode, how long the module was on screen, and
    whether they have reached the end of the presentation (its last slide, or the end of
    the reading view).

    Reaching the end is recorded once. A module that completes when "viewed and passed"
    and whose quiz was already passed completes now, on the passing attempt.
    """
    now = utcnow()
    lock_learner(user.id, now)
    progress = progress_for(user.id, module_id, now)
    if slide is not None and 0 <= slide < slide_count:
        progress.last_slide = slide
    # The learner's lock is held, so two simultaneous heartbeats can't both count one gap.
    previous = progress.last_activity_at if progress.id is not None else None
    progress.seconds_spent = (progress.seconds_spent or 0) + credited_seconds(
        seconds, previous, now)
    progress.last_activity_at = now
    if not (reached_end or (slide is not None and slide == slide_count - 1)):
        return Activity()
    if progress.viewed_at is not None:
        return Activity()
    progress.viewed_at = now
    if progress.completed_at is not None:
        return Activity()
    passed = db.session.scalar(
        select(Attempt).where(Attempt.user_id == user.id, Attempt.module_id == module_id,
                              Attempt.passed.is_(True))
        .order_by(Attempt.submitted_at.desc(), Attempt.id.desc()).limit(1))
    if passed is None:
        return Activity()
    awards = complete_module(user.id, passed.version, via="quiz", now=now, progress=progress,
                             attempt_id=passed.id)
    return Activity(completed=True, awards=awards)
