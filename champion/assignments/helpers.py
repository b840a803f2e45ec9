"""What templates ask about assignments, read once per request.

The catalog, /me and a module's page show the signed-in learner's assignments through
these template globals (the views stay as they are): the first call reads them in one
query and keeps them on ``g`` for the rest of the request.
"""

from __future__ import annotations

from flask import Flask, g
from flask_login import current_user

from champion.assignments.queries import (
    STATES,
    AssignmentSummary,
    LearnerAssignment,
    assigned_modules,
    assigned_to,
    board,
    module_link,
)
from champion.database import utcnow
from champion.departments.models import Department


def assigned_to_me() -> list[LearnerAssignment]:
    if not current_user.is_authenticated:
        return []
    if "my_assignments" not in g:
        g.my_assignments = assigned_to(current_user.id, utcnow().date())
    return g.my_assignments


def assignment_for_module(module_id: int) -> LearnerAssignment | None:
    return assigned_modules(assigned_to_me()).get(module_id)


def assignment_link(assignment: LearnerAssignment) -> tuple[str, str] | None:
    return module_link(assignment.module_ids)


def team_assignments(department: Department) -> list[AssignmentSummary]:
    return board(department.id, utcnow().date())


def init_app(app: Flask) -> None:
    app.add_template_global(assigned_to_me)
    app.add_template_global(assignment_for_module)
    app.add_template_global(assignment_link)
    app.add_template_global(team_assignments)
    app.add_template_global(STATES, "assignment_states")
