"""Membership: joining with invites, adding and removing people, importing rosters.

Every change is written to the audit log in the same transaction. Callers commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, exists, insert, select

from champion.audit.operations import record
from champion.auth.models import User
from champion.auth.operations import create_user, find_user
from champion.auth.tokens import set_password_token
from champion.content.loader import SLUG
from champion.database import utcnow
from champion.departments.models import (
    Department,
    DepartmentInvite,
    department_leads,
    department_members,
)
from champion.departments.roster import Roster
from champion.errors import OperationError
from champion.extensions import db
from champion.urls import external_url


class MembershipError(OperationError):
    """The change can't be made; the message says why."""


def is_member(department: Department, user: User) -> bool:
    return bool(db.session.scalar(select(exists().where(
        department_members.c.department_id == department.id,
        department_members.c.user_id == user.id,
    ))))


def leads(user: User, department: Department) -> bool:
    return bool(db.session.scalar(select(exists().where(
        department_leads.c.department_id == department.id,
        department_leads.c.user_id == user.id,
    ))))


def set_password_link(user: User) -> str:
    return external_url("auth.set_password", token=set_password_token(user))


def create_department(slug: str, name: str, actor: User | None) -> Department:
    if not SLUG.match(slug):
        raise MembershipError(
            f"'{slug}' is not a valid slug: use lowercase words joined by - (e.g. gyn-onc)"
        )
    if db.session.scalar(select(Department).where(Department.slug == slug)) is not None:
        raise MembershipError(f"a department '{slug}' already exists")
    department = Department(slug=slug, name=name.strip())
    db.session.add(department)
    record(actor, "department.create", department, f"department {slug} created ({name})")
    return department


def rename_department(department: Department, name: str, actor: User) -> None:
    previous, department.name = department.name, name.strip()
    if previous != department.name:
        record(actor, "department.rename", department,
               f"department {department.slug} renamed: {previous} → {department.name}",
               previous=previous)


def add_member(department: Department, user: User, actor: User | None, how: str) -> bool:
    """Add ``user`` to the department; False if they were already a member."""
    if is_member(department, user):
        return False
    db.session.execute(insert(department_members).values(
        department_id=department.id, user_id=user.id, joined_at=utcnow()))
    record(actor, "member.add", department, f"{user.email} joined {department.name} ({how})",
           user_id=user.id, how=how)
    return True


def remove_member(department: Department, user: User, actor: User) -> None:
    if not is_member(department, user):
        raise MembershipError(f"{user.email} is not a member of {department.name}")
    db.session.execute(delete(department_members).where(
        department_members.c.department_id == department.id,
        department_members.c.user_id == user.id,
    ))
    record(actor, "member.remove", department, f"{user.email} removed from {department.name}",
           user_id=user.id)


def add_lead(department: Department, user: User, actor: User) -> None:
    if leads(user, department):
        raise MembershipError(f"{user.email} already leads {department.name}")
    db.session.execute(insert(department_leads).values(
        department_id=department.id, user_id=user.id))
    record(actor, "lead.add", department, f"{user.email} now leads {department.name}",
           user_id=user.id)


def remove_lead(department: Department, user: User, actor: User) -> None:
    if not leads(user, department):
        raise MembershipError(f"{user.email} does not lead {department.name}")
    db.session.execute(delete(department_leads).where(
        department_leads.c.department_id == department.id,
        department_leads.c.user_id == user.id,
    ))
    record(actor, "lead.remove", department, f"{user.email} no longer leads {department.name}",
           user_id=user.id)


def create_invite(department: Department, actor: User) -> DepartmentInvite:
    invite = DepartmentInvite(department=department, created_by=actor)
    db.session.add(invite)
    record(actor, "invite.create", department, f"invite code created for {department.name}")
    return invite


def revoke_invite(invite: DepartmentInvite, actor: User) -> None:
    if invite.revoked_at is None:
        invite.revoked_at = utcnow()
        record(actor, "invite.revoke", invite.department,
               f"invite code {invite.code} revoked", invite_id=invite.id)


def find_invite(code: str) -> DepartmentInvite | None:
    return db.session.scalar(
        select(DepartmentInvite).where(DepartmentInvite.code == code.strip().upper())
    )


def join_with_invite(user: User, code: str) -> Department:
    invite = find_invite(code)
    if invite is None or not invite.active:
        raise MembershipError(
            "That invite code isn't valid any more. Ask your department lead for a new one."
        )
    if add_member(invite.department, user, user, how=f"invite {invite.code}"):
        invite.uses += 1
    return invite.department


@dataclass
class NewAccount:
    user: User
    link: str  # where the new learner sets their password


@dataclass
class ImportResult:
    created: list[NewAccount] = field(default_factory=list)
    updated: list[User] = field(default_factory=list)
    unchanged: list[User] = field(default_factory=list)
    joined: int = 0


def add_person(
    department: Department, email: str, name: str, actor: User | None, result: ImportResult
) -> User:
    """Create the learner if new (with a set-password link), or update their name; add them."""
    user = find_user(email)
    if user is None:
        user = create_user(email, name, password=None)
        db.session.flush()
        result.created.append(NewAccount(user, set_password_link(user)))
        record(actor, "user.create", user, f"account created for {user.email} (roster)")
    elif user.name != name:
        user.name = name
        result.updated.append(user)
    else:
        result.unchanged.append(user)
    if add_member(department, user, actor, how="roster"):
        result.joined += 1
    return user


def import_roster(department: Department, roster: Roster, actor: User | None) -> ImportResult:
    """Bulk-create or update learners; a roster with any error is refused whole."""
    if roster.errors:
        raise MembershipError("; ".join(roster.errors))
    result = ImportResult()
    for row in roster.rows:
        add_person(department, row.email, row.name, actor, result)
    record(actor, "roster.import", department,
           f"roster imported into {department.name}: {len(result.created)} created, "
           f"{len(result.updated)} updated, {result.joined} joined")
    return result
