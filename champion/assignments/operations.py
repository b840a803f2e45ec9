"""Making, editing and withdrawing assignments, and giving them to people who join.

Every change is written to the audit log in the same transaction. Callers commit.
A lead assigns only in the departments they lead, and only to members of them; the views
check the department (team/access.py) and these functions check it again, with the people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import exists, func, insert, literal, select, true, update

from champion.assignments.models import KINDS, AssignedLearner, Assignment, assignment_modules
from champion.audit.operations import record
from champion.auth.models import Role, User
from champion.catalog.live import live_catalog
from champion.database import utcnow
from champion.departments.models import Department, department_leads, department_members
from champion.errors import OperationError
from champion.extensions import db

MAX_NEW_MEMBER_DAYS = 365
MAX_CHOSEN = 500  # people named one by one; more is a whole department's work


class AssignmentError(OperationError):
    """The assignment can't be made or changed; the message says why."""


@dataclass(frozen=True)
class Target:
    """What is assigned, resolved against the live catalog."""

    kind: str
    slug: str | None
    title: str
    module_ids: tuple[int, ...]


def resolve_target(kind: str, slug: str | None, module_keys: list[str]) -> Target:
    """The live modules a series, a badge or a list of ``series/module`` keys names."""
    live = live_catalog()
    if kind == "series":
        series = next((s for s in live.series if s.slug == slug), None)
        if series is None:
            raise AssignmentError(f"there is no series '{slug}' in the catalog")
        # The series' required modules, as its completion counts them (all, if none is).
        modules = live.modules[series.id]
        ids = tuple(m.id for m in modules if m.version.required) or tuple(m.id for m in modules)
        return Target(kind, series.slug, series.title, ids)
    if kind == "badge":
        badge = next((b for b in live.badges if b.slug == slug), None)
        if badge is None:
            raise AssignmentError(f"there is no badge '{slug}'")
        return Target(kind, badge.slug, f"{badge.name} badge", tuple(sorted(badge.module_ids)))
    if kind == "modules":
        modules = []
        for key in module_keys:
            series_slug, _, module_slug = key.partition("/")
            module = live.by_path.get((series_slug, module_slug))
            if module is None:
                raise AssignmentError(f"there is no module '{key}' in the catalog")
            modules.append(module)
        if not modules:
            raise AssignmentError("choose at least one module")
        title = modules[0].version.title if len(modules) == 1 else f"{len(modules)} modules"
        return Target(kind, None, title, tuple(dict.fromkeys(m.id for m in modules)))
    raise AssignmentError(f"'{kind}' is not something that can be assigned: "
                          f"choose one of {', '.join(KINDS)}")


def may_assign(actor: User, department: Department) -> bool:
    """Admins assign in any department; leads in the ones they lead."""
    if actor.role == Role.ADMIN:
        return True
    return actor.role == Role.LEAD and db.session.scalar(select(exists().where(
        department_leads.c.department_id == department.id,
        department_leads.c.user_id == actor.id))) is True


def _require_scope(actor: User, department: Department) -> None:
    if not may_assign(actor, department):
        raise AssignmentError(f"you don't lead {department.name}")


def _check_dates(starts_on: date | None, due_on: date, today: date) -> None:
    if due_on < today:
        raise AssignmentError(f"the due date {due_on.isoformat()} has already passed")
    if starts_on is not None and starts_on > due_on:
        raise AssignmentError("the start date must be on or before the due date")


def chosen_members(department: Department, emails: list[str]) -> list[int]:
    """The ids of the members with these addresses; refuses anyone else, by line."""
    lines = [(number, line.strip().lower()) for number, line in enumerate(emails, 1)
             if line.strip()]
    if not lines:
        raise AssignmentError("name at least one member, or assign to everyone")
    if len(lines) > MAX_CHOSEN:
        raise AssignmentError(f"name at most {MAX_CHOSEN} members, or assign to everyone")
    found = dict(db.session.execute(
        select(func.lower(User.email), User.id)
        .join(department_members, department_members.c.user_id == User.id)
        .where(department_members.c.department_id == department.id,
               func.lower(User.email).in_([email for _n, email in lines]))
    ).tuples().all())
    for number, email in lines:
        if email not in found:
            raise AssignmentError(f"line {number}: {email} is not a member of {department.name}")
    return list(dict.fromkeys(found[email] for _n, email in lines))


def create_assignment(
    department: Department,
    actor: User,
    target: Target,
    *,
    due_on: date,
    starts_on: date | None = None,
    member_ids: list[int] | None = None,
    new_member_days: int | None = None,
    title: str | None = None,
    today: date | None = None,
) -> Assignment:
    """Assign ``target`` to every member (``member_ids`` None) or to the members named."""
    _require_scope(actor, department)
    _check_dates(starts_on, due_on, today or utcnow().date())
    if not target.module_ids:
        raise AssignmentError(f"{target.title} has no modules to assign")
    if new_member_days is not None and member_ids is not None:
        raise AssignmentError("a due date relative to joining is for assignments to everyone")
    if new_member_days is not None and not 1 <= new_member_days <= MAX_NEW_MEMBER_DAYS:
        raise AssignmentError(f"days after joining must be between 1 and {MAX_NEW_MEMBER_DAYS}")
    assignment = Assignment(
        department_id=department.id, title=(title or "").strip() or target.title,
        kind=target.kind, target=target.slug, everyone=member_ids is None,
        starts_on=starts_on, due_on=due_on, new_member_days=new_member_days,
        created_by_id=actor.id,
    )
    db.session.add(assignment)
    db.session.flush()
    db.session.execute(insert(assignment_modules), [
        {"assignment_id": assignment.id, "module_id": module_id}
        for module_id in target.module_ids])
    if member_ids is None:
        # Everyone in the department now: one INSERT ... SELECT, whatever its size.
        db.session.execute(insert(AssignedLearner).from_select(
            ["assignment_id", "user_id", "due_on", "relative", "assigned_at"],
            select(literal(assignment.id), department_members.c.user_id, literal(due_on),
                   literal(False), literal(utcnow(), AssignedLearner.assigned_at.type))
            .where(department_members.c.department_id == department.id)))
    else:
        db.session.execute(insert(AssignedLearner), [
            {"assignment_id": assignment.id, "user_id": user_id, "due_on": due_on,
             "relative": False} for user_id in member_ids])
    record(actor, "assignment.create", assignment,
           f"{assignment.title} assigned to {department.name} "
           f"({'everyone' if member_ids is None else f'{len(member_ids)} members'}), "
           f"due {due_on.isoformat()}",
           department_id=department.id, kind=target.kind, what=target.slug,
           modules=list(target.module_ids), members=member_ids,
           due_on=due_on.isoformat(), starts_on=starts_on.isoformat() if starts_on else None,
           new_member_days=new_member_days)
    return assignment


def edit_assignment(
    assignment: Assignment,
    actor: User,
    *,
    title: str,
    due_on: date,
    starts_on: date | None,
    new_member_days: int | None,
    today: date | None = None,
) -> dict[str, tuple]:
    """Change the title or the dates; returns what changed (old, new), as audited."""
    _require_scope(actor, assignment.department)
    if not assignment.open:
        raise AssignmentError(f"“{assignment.title}” was withdrawn and can't be changed")
    if due_on != assignment.due_on:
        _check_dates(starts_on, due_on, today or utcnow().date())
    elif starts_on is not None and starts_on > due_on:
        raise AssignmentError("the start date must be on or before the due date")
    if new_member_days is not None and not assignment.everyone:
        raise AssignmentError("a due date relative to joining is for assignments to everyone")
    if new_member_days is not None and not 1 <= new_member_days <= MAX_NEW_MEMBER_DAYS:
        raise AssignmentError(f"days after joining must be between 1 and {MAX_NEW_MEMBER_DAYS}")
    wanted = {"title": title.strip() or assignment.title, "due_on": due_on,
              "starts_on": starts_on, "new_member_days": new_member_days}
    changes = {key: (getattr(assignment, key), value) for key, value in wanted.items()
               if getattr(assignment, key) != value}
    if not changes:
        return {}
    for key, (_old, new) in changes.items():
        setattr(assignment, key, new)
    if "due_on" in changes:
        db.session.execute(update(AssignedLearner).where(
            AssignedLearner.assignment_id == assignment.id,
            AssignedLearner.relative.is_(False)).values(due_on=due_on))
    shown = {key: [_plain(old), _plain(new)] for key, (old, new) in changes.items()}
    record(actor, "assignment.edit", assignment,
           f"{assignment.title} changed: " + ", ".join(
               f"{key} {old} → {new}" for key, (old, new) in shown.items()),
           department_id=assignment.department_id, changes=shown)
    return changes


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, date | datetime) else value


def withdraw_assignment(assignment: Assignment, actor: User) -> None:
    _require_scope(actor, assignment.department)
    if not assignment.open:
        raise AssignmentError(f"“{assignment.title}” was already withdrawn")
    assignment.withdrawn_at = utcnow()
    record(actor, "assignment.withdraw", assignment, f"{assignment.title} withdrawn",
           department_id=assignment.department_id)


def assign_new_member(department_id: int, user_id: int, joined: datetime) -> int:
    """Give someone who just joined the department its open assignments to everyone;
    how many they got. Due ``new_member_days`` after joining when the lead chose that."""
    assignments = db.session.execute(
        select(Assignment.id, Assignment.due_on, Assignment.new_member_days)
        .where(Assignment.department_id == department_id, Assignment.everyone == true(),
               Assignment.withdrawn_at.is_(None),
               ~exists().where(AssignedLearner.assignment_id == Assignment.id,
                               AssignedLearner.user_id == user_id))
    ).all()
    rows = [{"assignment_id": a.id, "user_id": user_id,
             "due_on": (joined.date() + timedelta(days=a.new_member_days)
                        if a.new_member_days else a.due_on),
             "relative": a.new_member_days is not None}
            for a in assignments]
    if rows:
        db.session.execute(insert(AssignedLearner), rows)
    return len(rows)
