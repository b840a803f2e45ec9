"""Where each assigned person stands: grouped in SQL, the same rule on every page.

A person's state on an assignment is decided once, in ``_state``: done when every live
module it names is complete; else overdue after the due date; else due soon within
``SOON_DAYS`` of it; else on track. Only open assignments whose start date has come count,
and only for people still in the assignment's department.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, Row, Subquery, and_, case, func, or_, select

from champion.assignments.models import AssignedLearner, Assignment, assignment_modules
from champion.auth.models import User
from champion.catalog.live import live_catalog
from champion.catalog.models import Module
from champion.departments.models import department_members
from champion.extensions import db
from champion.progress.models import ModuleProgress

SOON_DAYS = 7
# In the order they matter: the worst first.
STATES = {"overdue": "Overdue", "due_soon": "Due soon", "on_track": "On track", "done": "Done"}


def _started(today: date) -> ColumnElement[bool]:
    return and_(Assignment.withdrawn_at.is_(None),
                or_(Assignment.starts_on.is_(None), Assignment.starts_on <= today))


def per_learner(today: date, *where: ColumnElement[bool]) -> Subquery:
    """One row per (assignment, person): modules total and done, when they finished, and
    their state. ``where`` narrows it (a department, a person, an assignment)."""
    done = func.count(ModuleProgress.completed_at)
    total = func.count(Module.id)
    state = case(
        (done >= total, "done"),
        (AssignedLearner.due_on < today, "overdue"),
        (AssignedLearner.due_on <= today + timedelta(days=SOON_DAYS), "due_soon"),
        else_="on_track")
    return (
        select(AssignedLearner.assignment_id.label("assignment_id"),
               AssignedLearner.user_id.label("user_id"),
               AssignedLearner.due_on.label("due_on"),
               Assignment.department_id.label("department_id"),
               total.label("total"), done.label("done"),
               func.max(ModuleProgress.completed_at).label("finished_at"),
               state.label("state"))
        .join(Assignment, Assignment.id == AssignedLearner.assignment_id)
        .join(department_members, and_(
            department_members.c.user_id == AssignedLearner.user_id,
            department_members.c.department_id == Assignment.department_id))
        .join(assignment_modules, assignment_modules.c.assignment_id == Assignment.id)
        .join(Module, and_(Module.id == assignment_modules.c.module_id,
                           Module.retired_at.is_(None)))
        .outerjoin(ModuleProgress, and_(ModuleProgress.user_id == AssignedLearner.user_id,
                                        ModuleProgress.module_id == Module.id))
        .where(_started(today), *where)
        .group_by(AssignedLearner.assignment_id, AssignedLearner.user_id,
                  AssignedLearner.due_on, Assignment.department_id)
        .subquery("assigned")
    )


def _rows(query) -> list[Row]:
    return db.session.connection().execute(query).all()


# --- What a learner sees ------------------------------------------------------------------


@dataclass
class LearnerAssignment:
    id: int
    title: str
    due_on: date
    state: str
    done: int
    total: int
    module_ids: list[int] = field(default_factory=list)

    @property
    def label(self) -> str:
        return STATES[self.state]


def assigned_to(user_id: int, today: date) -> list[LearnerAssignment]:
    """The person's started, open assignments, worst state first, then by due date: one
    query (their modules ride along, one row each)."""
    assigned = per_learner(today, AssignedLearner.user_id == user_id)
    found: dict[int, LearnerAssignment] = {}
    for row in _rows(
        select(assigned, Assignment.title, assignment_modules.c.module_id)
        .join(Assignment, Assignment.id == assigned.c.assignment_id)
        .join(assignment_modules, assignment_modules.c.assignment_id == Assignment.id)
    ):
        entry = found.setdefault(row.assignment_id, LearnerAssignment(
            row.assignment_id, row.title, row.due_on, row.state, row.done, row.total))
        entry.module_ids.append(row.module_id)
    order = list(STATES)
    return sorted(found.values(), key=lambda a: (order.index(a.state), a.due_on, a.title))


def assigned_modules(assignments: list[LearnerAssignment]) -> dict[int, LearnerAssignment]:
    """Module id -> the assignment (the one due first) that asks for it, not yet done."""
    by_module: dict[int, LearnerAssignment] = {}
    for assignment in sorted(assignments, key=lambda a: a.due_on):
        if assignment.state == "done":
            continue
        for module_id in assignment.module_ids:
            by_module.setdefault(module_id, assignment)
    return by_module


def module_link(module_ids: list[int]) -> tuple[str, str] | None:
    """(series slug, module slug) of the first of these modules in catalog order."""
    live = live_catalog()
    wanted = set(module_ids)
    for series in live.series:
        for module in live.modules[series.id]:
            if module.id in wanted:
                return series.slug, module.slug
    return None


# --- What a lead sees ---------------------------------------------------------------------


@dataclass
class AssignmentSummary:
    assignment: Assignment
    counts: dict[str, int]

    @property
    def people(self) -> int:
        return sum(self.counts.values())


def board(department_id: int, today: date) -> list[AssignmentSummary]:
    """The department's open assignments, soonest due first, each with how many people
    are in each state: one query (an assignment's row repeats once per state it has)."""
    assigned = per_learner(today, Assignment.department_id == department_id)
    counts = (select(assigned.c.assignment_id, assigned.c.state, func.count().label("people"))
              .group_by(assigned.c.assignment_id, assigned.c.state).subquery("counts"))
    found: dict[int, AssignmentSummary] = {}
    for assignment, state, count in db.session.execute(
        select(Assignment, counts.c.state, counts.c.people)
        .outerjoin(counts, counts.c.assignment_id == Assignment.id)
        .where(Assignment.department_id == department_id, Assignment.withdrawn_at.is_(None))
        .order_by(Assignment.due_on, Assignment.id.desc())
    ).tuples():
        summary = found.setdefault(assignment.id,
                                   AssignmentSummary(assignment, dict.fromkeys(STATES, 0)))
        if state is not None:
            summary.counts[state] = count
    return list(found.values())


@dataclass(frozen=True)
class AssignedPerson:
    user_id: int
    name: str
    email: str
    due_on: date
    done: int
    total: int
    state: str


def people(assignment: Assignment, today: date, state: str | None = None) -> list[AssignedPerson]:
    """The people given ``assignment`` (in one state, if named), by name."""
    assigned = per_learner(today, AssignedLearner.assignment_id == assignment.id)
    query = (select(assigned, User.name, User.email)
             .join(User, User.id == assigned.c.user_id))
    if state in STATES:
        query = query.where(assigned.c.state == state)
    rows = _rows(query)
    return sorted((AssignedPerson(r.user_id, r.name, r.email, r.due_on, r.done, r.total,
                                  r.state) for r in rows),
                  key=lambda p: (p.name.casefold(), p.user_id))


def counts_by_person(department_id: int, today: date) -> dict[int, dict[str, int]]:
    """Person id -> how many of their assignments are in each state (for the CSV)."""
    assigned = per_learner(today, Assignment.department_id == department_id)
    result: dict[int, dict[str, int]] = {}
    for user_id, state, count in _rows(
        select(assigned.c.user_id, assigned.c.state, func.count())
        .group_by(assigned.c.user_id, assigned.c.state)
    ):
        result.setdefault(user_id, dict.fromkeys(STATES, 0))[state] = count
    return result


def overdue_people(department_id: int, today: date) -> list[int]:
    """Ids of the members with at least one overdue assignment in the department."""
    assigned = per_learner(today, Assignment.department_id == department_id)
    return [row[0] for row in _rows(
        select(assigned.c.user_id).where(assigned.c.state == "overdue").distinct())]


def finished_since(row: Row, since: datetime) -> bool:
    return row.state == "done" and row.finished_at is not None and row.finished_at >= since
