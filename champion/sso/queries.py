"""Reads for single sign-on."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from champion.departments.models import Department
from champion.extensions import db
from champion.sso.models import DepartmentMapping


def department_mappings() -> list[DepartmentMapping]:
    return list(db.session.scalars(
        select(DepartmentMapping).options(selectinload(DepartmentMapping.department))
        .order_by(DepartmentMapping.value)))


def departments() -> list[Department]:
    return list(db.session.scalars(select(Department).order_by(Department.name)))
