"""Reads for SCIM: which accounts and departments it may see, as SCIM resources."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from scim2_models import Context, Meta, SearchRequest
from sqlalchemy import Select, and_, func, or_, select

from champion.auth.emails import lookup_key
from champion.auth.models import Role, User
from champion.departments.models import Department, department_members
from champion.extensions import db
from champion.scim.models import ScimGroup, ScimUser
from champion.scim.resources import Group, GroupMember
from champion.scim.resources import User as UserResource
from champion.urls import external_url


class UnsupportedFilter(ValueError):
    """A filter this server does not answer; the message lists the ones it does."""


def visible_users() -> Select:
    """Accounts SCIM may see: never an administrator's (SCIM can't change or lock out an
    admin), never an erased one; its own unless removed; and others only with a verified
    address, so a sign-up with someone else's unproved address can't be adopted."""
    return (select(User, ScimUser).outerjoin(ScimUser, ScimUser.user_id == User.id)
            .where(User.role != Role.ADMIN.value, User.deleted_at.is_(None),
                   or_(and_(ScimUser.user_id.is_not(None), ScimUser.removed_at.is_(None)),
                       and_(ScimUser.user_id.is_(None), User.email_verified_at.is_not(None)))))


def find_user(user_id: str) -> tuple[User, ScimUser | None] | None:
    if not user_id.isdigit():
        return None
    row = db.session.execute(visible_users().where(User.id == int(user_id))).first()
    return (row.User, row.ScimUser) if row else None


def visible_groups() -> Select:
    return (select(Department, ScimGroup)
            .outerjoin(ScimGroup, ScimGroup.department_id == Department.id)
            .where(ScimGroup.removed_at.is_(None)))


def find_group(group_id: str) -> tuple[Department, ScimGroup | None] | None:
    if not group_id.isdigit():
        return None
    row = db.session.execute(visible_groups().where(Department.id == int(group_id))).first()
    return (row.Department, row.ScimGroup) if row else None


def user_name_taken(key: str, except_user: int | None = None) -> bool:
    """Is ``key`` (lowercased) another visible-or-not account's userName?"""
    taken = select(ScimUser.user_id).where(ScimUser.user_name_key == key)
    unlinked = (select(User.id).outerjoin(ScimUser, ScimUser.user_id == User.id)
                .where(ScimUser.user_id.is_(None), User.email == key))
    ids = set(db.session.scalars(taken)) | set(db.session.scalars(unlinked))
    return bool(ids - {except_user})


def _equality(filter_text: str | None, fields: dict[str, Any]):
    """The SQL condition for ``attr eq "value"`` on one of ``fields``; None: no filter."""
    if not filter_text:
        return None
    try:
        node = SearchRequest(filter=filter_text).filter.ast  # scim2-models' filter grammar
    except ValueError as exc:  # pydantic's ValidationError is one
        raise UnsupportedFilter(f"filter: {exc}") from exc
    attr = getattr(getattr(node, "attr_path", None), "attr", None)
    sub = getattr(node.attr_path, "sub_attr", None) if attr else None
    name = f"{attr}.{sub}" if sub else attr
    op = getattr(getattr(node, "op", None), "value", None)
    by_name = {key.lower(): condition for key, condition in fields.items()}
    if op != "eq" or name is None or name.lower() not in by_name:
        raise UnsupportedFilter(
            "filter: only equality on " + ", ".join(fields) + " is supported, "
            'e.g. userName eq "someone@example.org"')
    return by_name[name.lower()](str(node.value))


USER_FILTERS = {
    "userName": lambda v: or_(ScimUser.user_name_key == v.lower(),
                              and_(ScimUser.user_id.is_(None), User.email == lookup_key(v))),
    "externalId": lambda v: ScimUser.external_id == v,
    "id": lambda v: User.id == (int(v) if v.isdigit() else -1),
    "emails.value": lambda v: User.email == lookup_key(v),
}
GROUP_FILTERS = {
    "displayName": lambda v: Department.name == v,
    "externalId": lambda v: ScimGroup.external_id == v,
    "id": lambda v: Department.id == (int(v) if v.isdigit() else -1),
}


def page(query: Select, order, filter_text: str | None, filters: dict, start: int,
         count: int) -> tuple[int, list]:
    """``(totalResults, rows)`` of one page (``start`` counts from 1, as in SCIM)."""
    condition = _equality(filter_text, filters)
    if condition is not None:
        query = query.where(condition)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.execute(query.order_by(order).offset(max(start, 1) - 1)
                              .limit(count)).all() if count else []
    return total, rows


def _version(document: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(document, sort_keys=True, default=str).encode())
    return f'W/"{digest.hexdigest()[:20]}"'


def user_resource(user: User, record: ScimUser | None) -> UserResource:
    """The account as SCIM shows it: what the provider sent, with the real active flag."""
    if record is not None:
        attributes = dict(record.attributes)
    else:
        attributes = {"userName": user.email, "name": {"formatted": user.name},
                      "emails": [{"value": user.email, "primary": True}]}
    if record is None or "active" in attributes:
        attributes["active"] = user.active
    resource = UserResource.model_validate(attributes)
    resource.id = str(user.id)
    resource.external_id = record.external_id if record else None
    resource.meta = Meta(
        resource_type="User", created=user.created_at,
        last_modified=record.updated_at if record else user.created_at,
        location=external_url("scim.user", user_id=user.id),
        version=_version({"id": user.id, "externalId": resource.external_id, **attributes}))
    return resource


def visible_members(department: Department) -> list[int]:
    """Ids of the department's members SCIM may see (its leads, and accounts hidden from
    SCIM, are not its to list or change)."""
    visible = visible_users().with_only_columns(User.id).subquery()
    return list(db.session.scalars(
        select(visible.c.id)
        .join(department_members, department_members.c.user_id == visible.c.id)
        .where(department_members.c.department_id == department.id)
        .order_by(visible.c.id)))


def group_resource(department: Department, record: ScimGroup | None) -> Group:
    members = [GroupMember(value=str(uid), ref=external_url("scim.user", user_id=uid),
                           type="User") for uid in visible_members(department)]
    group = Group(id=str(department.id), display_name=department.name,
                  external_id=record.external_id if record else None, members=members or None)
    document = group.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    group.meta = Meta(
        resource_type="Group", created=department.created_at,
        last_modified=record.updated_at if record else department.created_at,
        location=external_url("scim.group", group_id=department.id),
        version=_version(document))
    return group
