"""Departments: the teams learners belong to and leads lead."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from champion.auth.models import User
from champion.database import UTCDateTime, utcnow
from champion.extensions import db

department_members = Table(
    "department_members",
    db.metadata,
    Column("department_id", ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
    Column("joined_at", UTCDateTime(), nullable=False, default=utcnow),
)

department_leads = Table(
    "department_leads",
    db.metadata,
    Column("department_id", ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Department(db.Model):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members: Mapped[list[User]] = relationship(secondary=department_members, lazy="select")
    leads: Mapped[list[User]] = relationship(secondary=department_leads, lazy="select")

    def __repr__(self) -> str:
        return f"<Department {self.slug}>"


def new_invite_code() -> str:
    # Unambiguous letters and digits, easy to read aloud or type from a slide.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


class DepartmentInvite(db.Model):
    """A code (and link) with which learners join a department.

    It works until it expires, is used ``max_uses`` times (when set) or a lead revokes it.
    """

    __tablename__ = "department_invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(20), unique=True, default=new_invite_code)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]  # None only for invites made before expiry existed
    max_uses: Mapped[int | None]  # None: any number of people
    uses: Mapped[int] = mapped_column(default=0)

    department: Mapped[Department] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= utcnow()

    @property
    def used_up(self) -> bool:
        return self.max_uses is not None and self.uses >= self.max_uses

    @property
    def active(self) -> bool:
        return self.revoked_at is None and not self.expired and not self.used_up


class MembershipRequest(db.Model):
    """A lead asked an existing account to join their department; only its owner decides.

    A lead's form or roster never changes an account it did not create: the person sees
    the request on their own signed-in page and accepts or declines it.
    """

    __tablename__ = "membership_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    accepted: Mapped[bool | None]

    department: Mapped[Department] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def pending(self) -> bool:
        return self.decided_at is None
