"""What single sign-on keeps: the admin's department mapping and the SAML assertions used."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from champion.database import utcnow
from champion.departments.models import Department
from champion.extensions import db


class DepartmentMapping(db.Model):
    """A value of the identity provider's department claim (``CHAMPION_SSO_DEPARTMENT_CLAIM``)
    and the department whose members its holders become at sign-in."""

    __tablename__ = "sso_department_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[str] = mapped_column(String(200), unique=True)
    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    department: Mapped[Department] = relationship()

    def __repr__(self) -> str:
        return f"<DepartmentMapping {self.value!r} → {self.department_id}>"


class UsedAssertion(db.Model):
    """A SAML assertion that has opened a session: the same one is refused until it expires
    (a replay), on every worker."""

    __tablename__ = "sso_used_assertions"
    __table_args__ = (UniqueConstraint("issuer", "assertion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(500))
    assertion_id: Mapped[str] = mapped_column(String(255))
    expires_at: Mapped[datetime] = mapped_column(index=True)
