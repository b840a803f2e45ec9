"""Creating accounts: one function for the sign-up page and the command line."""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app
from sqlalchemy import select

from champion.audit.operations import record
from champion.auth.emails import EmailAddressError, email_address, lookup_key
from champion.auth.models import Role, User
from champion.auth.passwords import password_problem
from champion.database import utcnow
from champion.departments.models import Department
from champion.errors import OperationError
from champion.extensions import db


class AccountError(OperationError):
    """An account can't be created as asked; the message says why."""


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == lookup_key(email)))


def create_user(
    email: str,
    name: str,
    password: str | None,
    role: Role | str = Role.LEARNER,
    departments: Iterable[Department] = (),
    *,
    email_verified: bool = False,
    created_by_department: Department | None = None,
) -> User:
    """Create an account; learners join ``departments``, leads lead them. Caller commits.

    ``email_verified`` only where the address was proved some other way (a mailbox link
    already used, a trusted identity provider); otherwise it is verified by a link.
    """
    try:
        email = email_address(email)
    except EmailAddressError as exc:
        raise AccountError(str(exc)) from exc
    if find_user(email) is not None:
        raise AccountError(f"an account with the email {email} already exists")
    try:
        role = Role(role)
    except ValueError as exc:
        raise AccountError(
            f"unknown role {role!r}: choose one of {', '.join(r.value for r in Role)}"
        ) from exc
    user = User(email=email, name=name.strip(), role=role.value,
                email_verified_at=utcnow() if email_verified else None,
                created_by_department_id=created_by_department.id
                if created_by_department is not None else None)
    if password is not None:
        set_password(user, password)
    db.session.add(user)
    for department in departments:
        (department.leads if role == Role.LEAD else department.members).append(user)
    return user


def change_role(user: User, role: Role | str, actor: User) -> None:
    role = Role(role)
    if user.id == actor.id and role != Role.ADMIN:
        raise AccountError("you can't remove your own administrator role")
    if user.role == role:
        return
    previous = user.role
    user.role = role.value
    user.invalidate_links()  # a link handed out for a learner must not open a lead's account
    record(actor, "user.role", user, f"{user.email}: role {previous} → {role.value}",
           previous=previous, role=role.value)


NAME_MAX = 120


def rename_user(user: User, name: str, actor: User | None) -> None:
    """Change the name badges and certificates show: the one way a name changes, audited."""
    name = name.strip()
    if not name:
        raise AccountError("enter the person's name")
    if len(name) > NAME_MAX:
        raise AccountError(f"a name is at most {NAME_MAX} characters")
    if user.deleted_at is not None:
        raise AccountError("this account is deleted")
    if user.name == name:
        return
    previous, user.name = user.name, name
    record(actor, "user.rename", user, f"{user.email}: name {previous} → {name}",
           previous=previous, name=name)


def set_active(user: User, active: bool, actor: User) -> None:
    """Deactivate (sign-in refused, history kept) or reactivate an account."""
    if user.id == actor.id and not active:
        raise AccountError("you can't deactivate your own account")
    if user.active == active:
        return
    user.active = active
    user.invalidate_links()
    record(actor, "user.activate" if active else "user.deactivate", user,
           f"{user.email} {'reactivated' if active else 'deactivated'}")


def set_password(user: User, password: str) -> None:
    problem = password_problem(password, current_app.config["PASSWORD_MIN_LENGTH"], user.email)
    if problem:
        raise AccountError(problem)
    user.set_password(password, method=current_app.config["PASSWORD_HASH_METHOD"])
