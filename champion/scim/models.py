"""What SCIM said about an account or a department, beside Champion's own columns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from champion.auth.models import User
from champion.database import utcnow
from champion.departments.models import Department
from champion.extensions import db


class ScimUser(db.Model):
    """An account as the identity provider describes it.

    ``attributes`` is the SCIM representation last sent (userName, name, displayName,
    emails, active), returned as sent; the account's email, name and active flag are
    derived from it at each write. An account without a row (made here before SCIM) is
    shown with its email as userName until SCIM first writes to it.
    """

    __tablename__ = "scim_users"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    # userName is case-insensitive (RFC 7643 §4.1.1): kept lowercased for lookups.
    user_name_key: Mapped[str] = mapped_column(String(254), unique=True)
    external_id: Mapped[str | None] = mapped_column(String(255), index=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # DELETE deactivates the account and hides it from SCIM; its history stays.
    removed_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class ScimGroup(db.Model):
    """A department as the identity provider's group: its externalId and when it was
    removed (DELETE hides the group from SCIM; the department and its records stay)."""

    __tablename__ = "scim_groups"

    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(255), index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None]

    department: Mapped[Department] = relationship()
