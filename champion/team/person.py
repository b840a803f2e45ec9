"""One member as their lead sees them: each live module's standing, their quiz attempts,
their badges and when they joined. Read only for a member of a department in scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from champion.auth.models import User
from champion.badges.models import BadgeAward
from champion.departments.models import Department, department_members
from champion.extensions import db
from champion.progress.models import ModuleProgress
from champion.quizzes.models import Attempt
from champion.team.queries import NOT_STARTED, Cell, ModuleColumn, module_columns

ATTEMPTS_SHOWN = 50


@dataclass(frozen=True)
class ModuleStanding:
    module: ModuleColumn
    cell: Cell
    attempts: int
    completed_at: datetime | None
    last_activity: datetime | None


@dataclass(frozen=True)
class PersonReport:
    user: User
    joined_at: datetime
    modules: list[ModuleStanding]
    attempts: list[Attempt]  # newest first, at most ATTEMPTS_SHOWN
    awards: list[BadgeAward]

    @property
    def counted(self) -> list[ModuleStanding]:
        return [s for s in self.modules if s.module.counts]

    @property
    def counted_done(self) -> int:
        return sum(s.cell.status == "complete" for s in self.counted)


def member_report(department: Department, user_id: int) -> PersonReport | None:
    """``user_id``'s report, or None unless they are a member of ``department``."""
    found = db.session.execute(
        select(User, department_members.c.joined_at)
        .join(department_members, department_members.c.user_id == User.id)
        .where(department_members.c.department_id == department.id, User.id == user_id)
    ).first()
    if found is None:
        return None
    user, joined_at = found
    modules = module_columns()
    progress = {p.module_id: p for p in db.session.scalars(
        select(ModuleProgress).where(ModuleProgress.user_id == user.id))}
    standings = []
    for module in modules:
        row = progress.get(module.id)
        cell = NOT_STARTED if row is None else Cell(
            "complete" if row.completed_at else "in_progress", row.best_score)
        standings.append(ModuleStanding(
            module, cell, row.attempt_count if row else 0,
            row.completed_at if row else None, row.last_activity_at if row else None))
    attempts = list(db.session.scalars(
        select(Attempt).options(selectinload(Attempt.version))
        .where(Attempt.user_id == user.id)
        .order_by(Attempt.submitted_at.desc(), Attempt.id.desc()).limit(ATTEMPTS_SHOWN)))
    awards = list(db.session.scalars(
        select(BadgeAward).options(selectinload(BadgeAward.badge))
        .where(BadgeAward.user_id == user.id).order_by(BadgeAward.awarded_at)))
    return PersonReport(user, joined_at, standings, attempts, awards)
