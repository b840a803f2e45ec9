"""An account's authenticator secret and its recovery codes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from champion.auth.models import User
from champion.database import utcnow
from champion.extensions import db


class TwoFactor(db.Model):
    """The TOTP secret of an account; on only once a code from it was checked."""

    __tablename__ = "two_factor"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    secret: Mapped[str] = mapped_column(String(64))  # base32, as authenticator apps take it
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    enabled_at: Mapped[datetime | None]  # None: enrolment started, not yet confirmed
    # The 30-second step of the last code accepted: a code is good once, never replayed.
    last_step: Mapped[int | None]

    user: Mapped[User] = relationship()

    @property
    def enabled(self) -> bool:
        return self.enabled_at is not None


class RecoveryCode(db.Model):
    """A one-time code for when the authenticator is lost: stored hashed, used once."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]
