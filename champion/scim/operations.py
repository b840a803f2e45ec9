"""Every write SCIM makes: accounts and department memberships, each audited as "SCIM".

SCIM never creates an administrator, never sees one (``queries.visible_users``) and never
changes a role: accounts it creates are learners. Deleting a user deactivates it (history
and badges kept) and hides it from SCIM; deleting a group hides it and leaves the
department, its members and their records as they are.
"""

from __future__ import annotations

import re
from typing import Any

from scim2_models import Context
from sqlalchemy import select

from champion.audit.operations import record
from champion.auth.emails import lookup_key
from champion.auth.models import Role, User
from champion.auth.operations import AccountError, create_user, find_user
from champion.database import utcnow
from champion.departments.models import Department
from champion.departments.operations import add_member, remove_member
from champion.errors import OperationError
from champion.extensions import db
from champion.scim import queries
from champion.scim.models import ScimGroup, ScimUser
from champion.scim.resources import Group, ScimValueError, account_email, account_name
from champion.scim.resources import User as UserResource


class ScimError(OperationError):
    """A SCIM request refused: ``status`` and ``scim_type`` go into the error body."""

    def __init__(self, message: str, status: int = 400, scim_type: str | None = None):
        super().__init__(message)
        self.status = status
        self.scim_type = scim_type


def _attributes(resource: UserResource) -> dict[str, Any]:
    document = resource.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    for key in ("schemas", "id", "meta", "externalId"):
        document.pop(key, None)
    return document


def _derived(resource: UserResource) -> tuple[str, str]:
    if not (resource.user_name or "").strip():
        raise ScimError("userName: required", scim_type="invalidValue")
    # The columns' sizes: a longer value is refused here, not by the database (a 500).
    for field, value, most in (("userName", resource.user_name.strip(), 254),
                               ("externalId", resource.external_id, 255)):
        if value is not None and len(value) > most:
            raise ScimError(f"{field}: at most {most} characters", scim_type="invalidValue")
    try:
        email = account_email(resource)
    except ScimValueError as exc:
        raise ScimError(str(exc), scim_type="invalidValue") from exc
    return email, account_name(resource) or email.split("@")[0]


def create_account(resource: UserResource) -> tuple[User, ScimUser]:
    """A learner account for the user the provider sends (its address vouched for)."""
    email, name = _derived(resource)
    key = resource.user_name.strip().lower()
    if queries.user_name_taken(key) or find_user(email) is not None:
        raise ScimError(f"userName {resource.user_name} or email {email} is already in use",
                        status=409, scim_type="uniqueness")
    try:
        user = create_user(email, name, None, email_verified=True)
    except AccountError as exc:
        raise ScimError(str(exc), scim_type="invalidValue") from exc
    db.session.flush()
    scim = ScimUser(user=user, user_name_key=key, external_id=resource.external_id,
                    attributes=_attributes(resource))
    db.session.add(scim)
    record(None, "scim.user.create", user, f"SCIM created {email}", user_name=key)
    if resource.active is False:
        _set_active(user, False)
    return user, scim


def replace_account(user: User, scim: ScimUser | None, resource: UserResource) -> ScimUser:
    """Make the account what ``resource`` says: its name, address and active flag."""
    email, name = _derived(resource)
    key = resource.user_name.strip().lower()
    if queries.user_name_taken(key, except_user=user.id):
        raise ScimError(f"userName {resource.user_name} is already in use", status=409,
                        scim_type="uniqueness")
    other = find_user(email)
    if other is not None and other.id != user.id:
        raise ScimError(f"email {email} is already in use", status=409, scim_type="uniqueness")
    if scim is None:  # an account made here before SCIM: adopted now
        scim = ScimUser(user=user, user_name_key=key)
        db.session.add(scim)
        record(None, "scim.user.adopt", user, f"SCIM took over the provisioning of "
               f"{user.email} (userName {key})", user_name=key)
    changes = []
    if lookup_key(email) != user.email:
        if user.role != Role.LEARNER:
            # The address is where its password resets go: re-addressing a lead's or an
            # educator's account would hand the token holder that role's powers.
            raise ScimError(f"{user.email} is a {user.role}'s account: SCIM can't change its "
                            "address; if it really changed, an administrator makes the account "
                            "a learner first (/admin/people), then gives the role back",
                            status=403)
        changes.append(f"email {user.email} → {email}")
        user.email = lookup_key(email)
        user.email_verified_at = utcnow()  # the hospital vouches for its addresses
        user.invalidate_links()  # a reset link mailed to the old address dies
    if name != user.name:
        changes.append(f"name {user.name} → {name}")
        user.name = name
    scim.user_name_key, scim.external_id = key, resource.external_id
    scim.attributes, scim.updated_at = _attributes(resource), utcnow()
    if changes:
        record(None, "scim.user.update", user, f"SCIM updated {user.email}: "
               + "; ".join(changes))
    if resource.active is not None:
        _set_active(user, resource.active)
    return scim


def _set_active(user: User, active: bool) -> None:
    if user.active == active:
        return
    user.active = active
    if not active:
        user.end_sessions()  # sessions and remember cookies stop loading the account
    user.invalidate_links()  # reset and set-password links die
    record(None, "user.activate" if active else "user.deactivate", user,
           f"SCIM {'reactivated' if active else 'deactivated'} {user.email}")


def remove_account(user: User, scim: ScimUser | None) -> None:
    """DELETE: deactivated and hidden from SCIM; attempts, progress and badges stay."""
    if scim is None:
        scim = ScimUser(user=user, user_name_key=user.email, attributes={})
        db.session.add(scim)
    _set_active(user, False)
    scim.removed_at = scim.updated_at = utcnow()
    record(None, "scim.user.remove", user, f"SCIM removed {user.email} (deactivated, "
           "records kept)")


SLUG_CHARACTERS = re.compile(r"[^a-z0-9]+")


def _slug_for(name: str) -> str:
    base = SLUG_CHARACTERS.sub("-", name.lower()).strip("-")[:56] or "group"
    slug, number = base, 1
    while db.session.scalar(select(Department.id).where(Department.slug == slug)):
        number += 1
        slug = f"{base}-{number}"
    return slug


def _group_name(group: Group) -> str:
    name = (group.display_name or "").strip()
    if not name:
        raise ScimError("displayName: required", scim_type="invalidValue")
    return name[:200]


def _group_external_id(group: Group) -> str | None:
    if group.external_id is not None and len(group.external_id) > 255:
        raise ScimError("externalId: at most 255 characters", scim_type="invalidValue")
    return group.external_id


def create_department(group: Group) -> tuple[Department, ScimGroup]:
    name = _group_name(group)
    department = Department(slug=_slug_for(name), name=name)
    db.session.add(department)
    scim = ScimGroup(department=department, external_id=_group_external_id(group))
    db.session.add(scim)
    record(None, "department.create", department,
           f"SCIM created department {department.slug} ({name})")
    _set_members(department, group)
    return department, scim


def replace_department(department: Department, scim: ScimGroup | None,
                       group: Group) -> ScimGroup:
    """Rename the department and make its members those listed; only this department's
    memberships change, and only of accounts SCIM may see."""
    name = _group_name(group)
    if scim is None:
        scim = ScimGroup(department=department)
        db.session.add(scim)
    if name != department.name:
        record(None, "department.rename", department,
               f"SCIM renamed department {department.slug}: {department.name} → {name}",
               previous=department.name)
        department.name = name
    scim.external_id, scim.updated_at = _group_external_id(group), utcnow()
    _set_members(department, group)
    return scim


def _set_members(department: Department, group: Group) -> None:
    wanted: dict[int, User] = {}
    for member in group.members or []:
        found = queries.find_user(str(member.value or ""))
        if found is None:
            raise ScimError(f"members: no user with id {member.value}", scim_type="invalidValue")
        wanted[found[0].id] = found[0]
    current = set(queries.visible_members(department))
    for user_id in sorted(current - set(wanted)):
        remove_member(department, db.session.get(User, user_id), None)
    for user_id in sorted(set(wanted) - current):
        add_member(department, wanted[user_id], None, how="SCIM")


def remove_department(department: Department, scim: ScimGroup | None) -> None:
    if scim is None:
        scim = ScimGroup(department=department)
        db.session.add(scim)
    scim.removed_at = scim.updated_at = utcnow()
    record(None, "scim.group.remove", department,
           f"SCIM removed group {department.name} (department and records kept)")
