"""Where each learner stands on each module."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from champion.catalog.models import Module
from champion.database import utcnow
from champion.extensions import db


class ModuleProgress(db.Model):
    """One row per learner and module: started, attempts, best score, completion.

    A module is complete for good once completed: later versions of the module don't
    undo it, so a learner's record never changes after the fact.
    """

    __tablename__ = "module_progress"
    __table_args__ = (
        UniqueConstraint("user_id", "module_id"),
        Index("ix_module_progress_module_completed", "module_id", "completed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempt_count: Mapped[int] = mapped_column(default=0)
    last_slide: Mapped[int | None]  # where presentation mode resumes (0-based)
    # When the learner first reached the end of the presentation (its last slide, or the
    # end of the reading view): what complete_when: viewed_and_passed asks for.
    viewed_at: Mapped[datetime | None]
    seconds_spent: Mapped[int] = mapped_column(default=0)  # time with the module on screen
    best_score: Mapped[int | None]
    completed_at: Mapped[datetime | None]
    # The latest pass (or "mark as complete"): what recertification counts.
    last_completed_at: Mapped[datetime | None]
    completed_via: Mapped[str | None] = mapped_column(String(10))  # "quiz" or "manual"
    completing_attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id"))
    completed_version_id: Mapped[int | None] = mapped_column(ForeignKey("module_versions.id"))

    module: Mapped[Module] = relationship()

    @property
    def status(self) -> str:
        return progress_status(self.completed_at)


def progress_status(completed_at: datetime | None) -> str:
    """A started module's status: complete for good once completed."""
    return "complete" if completed_at else "in_progress"


def awaiting_view(progress, version) -> bool:
    """Whether the learner passed the quiz but the module, completing when "viewed and
    passed", still waits for its presentation to be seen to the end. ``progress`` is the
    learner's progress (a row or the model; None if not started)."""
    return (progress is not None and progress.completed_at is None
            and progress.viewed_at is None and version.policy.needs_viewing
            and progress.best_score is not None and progress.best_score >= version.pass_mark)


# What each status is called, on every page and in every export.
STATUS_LABELS = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "complete": "Complete",
}
