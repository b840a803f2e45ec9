"""What a lead assigned, to whom, due when."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, Index, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from champion.auth.models import User
from champion.database import utcnow
from champion.departments.models import Department
from champion.extensions import db

# The modules an assignment asks for, resolved when it is made (a series' or a badge's
# modules at that moment), so what a learner was asked to do never changes under them.
assignment_modules = Table(
    "assignment_modules",
    db.metadata,
    Column("assignment_id", ForeignKey("assignments.id", ondelete="CASCADE"), primary_key=True),
    Column("module_id", ForeignKey("modules.id", ondelete="CASCADE"), primary_key=True),
)

KINDS = {"series": "A series", "badge": "A badge's modules", "modules": "Chosen modules"}


class Assignment(db.Model):
    """Modules a department (everyone, or chosen members) is asked to complete by a date.

    ``everyone`` assignments also go to people who join later, due ``new_member_days``
    after they join when the lead chose that, else on ``due_on``.
    """

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))  # a key of KINDS
    target: Mapped[str | None] = mapped_column(String(200))  # series or badge slug
    everyone: Mapped[bool]
    starts_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    new_member_days: Mapped[int | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]

    department: Mapped[Department] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def open(self) -> bool:
        return self.withdrawn_at is None


class AssignedLearner(db.Model):
    """One person's copy of an assignment: their own due date (joining may set it)."""

    __tablename__ = "assigned_learners"
    __table_args__ = (Index("ix_assigned_learners_user_id", "user_id"),)

    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    due_on: Mapped[date] = mapped_column(Date)
    # Due a number of days after joining: an edit of the assignment's date leaves it alone.
    relative: Mapped[bool] = mapped_column(default=False)
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
