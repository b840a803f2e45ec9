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
    png: Mapped[bytes | None] = mapped_column(LargeBinary)
    valid_for_days: Mapped[int | None]
    content_hash: Mapped[str] = mapped_column(String(64))
    retired_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def new_award_uid() -> str:
    return uuid.uuid4().hex


def new_salt() -> str:
    return secrets.token_hex(16)


class BadgeAward(db.Model):
    """A badge earned by a learner. Only an administrator revokes it.

    ``number`` counts a learner's awards of one badge: 1 when first earned, 2 when
    re-earned after the first expired, and so on. The unique constraint on
    (badge, user, number) is what stops two simultaneous completions awarding twice.
    """

    __tablename__ = "badge_awards"
    __table_args__ = (UniqueConstraint("badge_id", "user_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_award_uid)
    badge_id: Mapped[int] = mapped_column(ForeignKey("badges.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    awarded_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    # The criteria as they stood when earned: later edits to badges.yml don't rewrite history.
    narrative: Mapped[str] = mapped_column(Text)
    salt: Mapped[str] = mapped_column(String(32), default=new_salt)
    # The earner's address, salted and hashed, as it was when the badge was issued: the
    # identity every credential for this award names. A later change of address doesn't
    # rewrite it, so badges already downloaded or shared keep verifying.
    recipient_identity: Mapped[str] = mapped_column(String(80))
    revoked_at: Mapped[datetime | None]
    revocation_reason: Mapped[str | None] = mapped_column(Text)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # This award's bit in the issuer's Bitstring Status List (credentialStatus of its OB 3.0
    # credential). Stable once given; the award's own id, so concurrent awards can't share
    # one (see badges/status_list.py). Empty only between the insert and its flush.
    status_index: Mapped[int | None] = mapped_column(unique=True)

    badge: Mapped[Badge] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or utcnow())

    def valid(self, now: datetime | None = None) -> bool:
        return not self.revoked and not self.expired(now)


class ProgrammeEvaluation(db.Model):
    """The learner's evaluation of the programme, asked before the certificate is issued."""

    __tablename__ = "programme_evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("badge_awards.id"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    relevance: Mapped[int]  # 1 (not relevant) to 5 (highly relevant)
    balanced: Mapped[bool]  # fair, balanced and evidence-based
    free_of_commercial_bias: Mapped[bool]
    practice_change: Mapped[str] = mapped_column(Text)
    comments: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The outcomes accredited continuing education asks about (None: given before these
    # questions were asked): a change in competence and an intended change in performance.
    competence: Mapped[str | None] = mapped_column(String(10))  # COMPETENCE key
    performance: Mapped[str | None] = mapped_column(String(10))  # PERFORMANCE key
    # The learner asked to be emailed 60 days on about what changed; sent once.
    follow_up: Mapped[bool] = mapped_column(default=False, server_default="0")
    follow_up_sent_at: Mapped[datetime | None]

    award: Mapped[BadgeAward] = relationship()
