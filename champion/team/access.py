"""A lead's scope: the departments they lead. The one place it is checked."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from champion.auth.access import role_required
from champion.auth.models import Role, User
from champion.departments.models import Department, department_leads
from champion.extensions import db


def departments_in_scope(user: User) -> list[Department]:
    """Every department for an admin; the ones they lead for a lead; none otherwise."""
    query = select(Department).order_by(Department.name)
    if user.role == Role.ADMIN:
        return list(db.session.scalars(query))
    if user.role != Role.LEAD:
        return []
    return list(db.session.scalars(
        query.join(department_leads, department_leads.c.department_id == Department.id)
        .where(department_leads.c.user_id == user.id)
    ))


def department_in_scope(user: User, slug: str) -> Department | None:
    query = select(Department).where(Department.slug == slug)
    if user.role != Role.ADMIN:
        query = query.join(
            department_leads, department_leads.c.department_id == Department.id
        ).where(department_leads.c.user_id == user.id)
    return db.session.scalar(query)


def lead_of_department(view: Callable) -> Callable:
    """For views under ``/team/<slug>/``: leads of that department and admins only.

    The view receives the ``department`` instead of its slug. Another department's
    pages answer 404, so a lead can't even learn which departments exist.
    """

    @role_required(Role.LEAD)
    @wraps(view)
    def wrapped(slug: str, *args: Any, **kwargs: Any):
        department = department_in_scope(current_user, slug)
        if department is None:
            abort(404)
        return view(department, *args, **kwargs)

    return wrapped
