"""Badges and the awards that learners earn."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from champion.auth.models import User
from champion.database import utcnow
from champion.extensions import db


class Badge(db.Model):
    __tablename__ = "badges"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    narrative: Mapped[str] = mapped_column(Text)
    criteria_series: Mapped[list[str]] = mapped_column(JSON, default=list)
    criteria_modules: Mapped[list[str]] = mapped_column(JSON, default=list)
    image_path: Mapped[str] = mapped_column(String(500))
    image: Mapped[bytes] = mapped_column(LargeBinary)
    image_media_type: Mapped[str] = mapped_column(String(50))
    content_hash: Mapped[str] = mapped_column(String(64))
    retired_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def new_award_uid() -> str:
    return uuid.uuid4().hex


def new_salt() -> str:
    return secrets.token_hex(16)


class BadgeAward(db.Model):
    """A badge earned by a learner. Awarded once; only an administrator revokes it."""

    __tablename__ = "badge_awards"
    __table_args__ = (UniqueConstraint("badge_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_award_uid)
    badge_id: Mapped[int] = mapped_column(ForeignKey("badges.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    awarded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The criteria as they stood when earned: later edits to badges.yml don't rewrite history.
    narrative: Mapped[str] = mapped_column(Text)
    salt: Mapped[str] = mapped_column(String(32), default=new_salt)
    revoked_at: Mapped[datetime | None]
    revocation_reason: Mapped[str | None] = mapped_column(Text)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    badge: Mapped[Badge] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
