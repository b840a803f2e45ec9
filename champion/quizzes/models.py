"""Quiz attempts: immutable records of what a learner answered on which version."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from champion.catalog.models import Module, ModuleVersion
from champion.database import utcnow
from champion.extensions import db


class Attempt(db.Model):
    __tablename__ = "attempts"
    __table_args__ = (
        Index("ix_attempts_user_module", "user_id", "module_id"),
        # The quiz form carries a one-time key: a double-clicked submit is one attempt.
        UniqueConstraint("user_id", "submission_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"))
    module_version_id: Mapped[int] = mapped_column(ForeignKey("module_versions.id"), index=True)
    score: Mapped[int]
    passed: Mapped[bool]
    correct_count: Mapped[int]
    question_count: Mapped[int]
    pass_mark: Mapped[int]
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    submission_key: Mapped[str | None] = mapped_column(String(32))
    # What the learner saw: the questions drawn (indexes into the version's quiz, in the
    # order shown) and each one's choices in the order shown. None on attempts made
    # before drawing existed: every question, in the stored order.
    questions: Mapped[list[int] | None] = mapped_column(JSON)
    choice_orders: Mapped[list[list[int]] | None] = mapped_column(JSON)

    module: Mapped[Module] = relationship()
    version: Mapped[ModuleVersion] = relationship()
    answers: Mapped[list[AttemptAnswer]] = relationship(
        back_populates="attempt", order_by="AttemptAnswer.question_index"
    )


class QuizDraw(db.Model):
    """An attempt started: the questions and choice orders drawn for one learner on one
    version when the quiz page was opened. It becomes an attempt when submitted, once;
    until then the quiz page shows the same draw again (a reload draws nothing new)."""

    __tablename__ = "quiz_draws"
    __table_args__ = (Index("ix_quiz_draws_user_module", "user_id", "module_id", "drawn_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"))
    module_version_id: Mapped[int] = mapped_column(ForeignKey("module_versions.id"))
    questions: Mapped[list[int]] = mapped_column(JSON)
    choice_orders: Mapped[list[list[int]]] = mapped_column(JSON)
    drawn_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id"), unique=True)


class AttemptAnswer(db.Model):
    """One question of an attempt: the choices picked and whether that was right."""

    __tablename__ = "attempt_answers"
    __table_args__ = (UniqueConstraint("attempt_id", "question_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"))
    question_index: Mapped[int]
    selected: Mapped[list[int]] = mapped_column(JSON)
    correct: Mapped[bool]

    attempt: Mapped[Attempt] = relationship(back_populates="answers")
