"""Every write of single sign-on: signing in, the department mapping, used assertions.

Callers commit. A refusal leaves nothing behind but its audit entry (``record_refusal``,
written by the view after rolling back whatever the refused sign-in had begun).
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from champion.audit.operations import record
from champion.auth.models import User
from champion.auth.operations import sign_in_external
from champion.database import utcnow
from champion.departments.models import Department
from champion.departments.operations import add_member
from champion.errors import OperationError
from champion.extensions import db
from champion.sso.identity import Identity, SignInRefused
from champion.sso.models import DepartmentMapping, UsedAssertion


class MappingError(OperationError):
    """A department mapping can't be changed as asked."""


def sign_in_with(identity: Identity, ip: str | None) -> tuple[User, bool]:
    """Open (or create just in time) the account of a verified identity: ``(user, created)``,
    then join the departments its department claim maps to."""
    user, created = sign_in_external(
        kind=identity.kind, issuer=identity.issuer, subject=identity.subject,
        email=identity.email, name=identity.name, email_verified=identity.email_verified, ip=ip)
    join_mapped_departments(user, identity)
    return user, created


def join_mapped_departments(user: User, identity: Identity) -> list[Department]:
    """Add ``user`` to each department an admin mapped one of their claim values to.

    Only adds: leaving a department is a lead's or admin's decision, never a claim's absence
    (a provider that stops sending the claim must not empty the dashboards)."""
    if not identity.department_values:
        return []
    claim = current_app.config.get("CHAMPION_SSO_DEPARTMENT_CLAIM")
    joined = []
    for mapping in db.session.scalars(select(DepartmentMapping).where(
            DepartmentMapping.value.in_(identity.department_values))):
        how = f"{identity.kind} sign-in: {claim} is {mapping.value!r}"
        if add_member(mapping.department, user, None, how):
            joined.append(mapping.department)
    return joined


def record_refusal(kind: str, reason: str, ip: str | None, issuer: str | None) -> None:
    record(None, "sso.refused", None, f"{kind} sign-in refused: {reason}",
           kind=kind, issuer=issuer, ip=ip)


def use_assertion(issuer: str, assertion_id: str, expires_at: datetime) -> None:
    """Remember a SAML assertion until it expires; a second use of it is a replay."""
    db.session.execute(delete(UsedAssertion).where(UsedAssertion.expires_at < utcnow()))
    seen = db.session.scalar(select(UsedAssertion.id).where(
        UsedAssertion.issuer == issuer, UsedAssertion.assertion_id == assertion_id))
    if seen is not None:
        raise SignInRefused("this sign-in response has already been used once (a replay); "
                            "sign in again from the start")
    try:
        with db.session.begin_nested():
            db.session.add(UsedAssertion(issuer=issuer, assertion_id=assertion_id,
                                         expires_at=expires_at))
    except IntegrityError as exc:  # the same response, posted twice at once
        raise SignInRefused("this sign-in response has already been used once (a replay); "
                            "sign in again from the start") from exc


VALUE_MAX = 200


def add_mapping(value: str, department: Department, actor: User) -> DepartmentMapping:
    value = value.strip()
    if not value:
        raise MappingError("enter the claim value, exactly as the identity provider sends it")
    if len(value) > VALUE_MAX:
        raise MappingError(f"a claim value is at most {VALUE_MAX} characters")
    existing = db.session.scalar(select(DepartmentMapping).where(
        DepartmentMapping.value == value))
    if existing is not None:
        raise MappingError(f"{value!r} already maps to {existing.department.name}; remove "
                           "that mapping first")
    mapping = DepartmentMapping(value=value, department=department)
    db.session.add(mapping)
    record(actor, "sso.mapping_add", department,
           f"sign-ins with {value!r} now join {department.name}", value=value)
    return mapping


def remove_mapping(mapping: DepartmentMapping, actor: User) -> None:
    department = mapping.department
    db.session.delete(mapping)
    record(actor, "sso.mapping_remove", department,
           f"sign-ins with {mapping.value!r} no longer join {department.name} (members stay)",
           value=mapping.value)
