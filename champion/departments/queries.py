"""Reading departments from a member's side."""

from __future__ import annotations

from sqlalchemy import select

from champion.departments.models import Department, department_members
from champion.extensions import db


def member_departments(user_id: int) -> list[Department]:
    """The departments ``user_id`` belongs to as a learner, by name."""
    return list(db.session.scalars(
        select(Department).join(department_members,
                                department_members.c.department_id == Department.id)
        .where(department_members.c.user_id == user_id).order_by(Department.name)))
