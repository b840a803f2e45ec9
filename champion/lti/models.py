"""LTI 1.3: the platforms (LMSs) an administrator registered, logins in flight, and the
scores owed to each platform's gradebook."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from champion.database import utcnow
from champion.extensions import db


class LtiPlatform(db.Model):
    """One registration of Champion in one LMS: who signs its launches and where to reach it."""

    __tablename__ = "lti_platforms"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    issuer: Mapped[str] = mapped_column(String(255))
    client_id: Mapped[str] = mapped_column(String(255))
    auth_login_url: Mapped[str] = mapped_column(String(500))
    token_url: Mapped[str] = mapped_column(String(500))
    jwks_url: Mapped[str] = mapped_column(String(500))
    # The deployments of this registration Champion accepts, one a line.
    deployment_ids: Mapped[str] = mapped_column(Text, default="")
    # Off unless an administrator turns it on: an LMS instructor is someone else's
    # decision, and Champion's educator role edits the curriculum for everyone.
    instructors_are_educators: Mapped[bool] = mapped_column(default=False)
    # Off unless an administrator turns it on: LTI has no email_verified, and an LMS that
    # lets its users change their address unconfirmed could otherwise claim any unlinked
    # Champion account by its address, or earn badges in someone else's name. Off, such a
    # launch is refused (nothing is made), and a new account's address waits for the
    # mailed link like a sign-up's.
    trust_emails: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def deployments(self) -> list[str]:
        return [line.strip() for line in self.deployment_ids.splitlines() if line.strip()]

    @property
    def identity_issuer(self) -> str:
        """What accounts are linked by (with the platform's ``sub``): one registration,
        so two registrations on one LMS (or a reused issuer) never share identities."""
        return f"{self.issuer}#{self.client_id}"

    def __repr__(self) -> str:
        return f"<LtiPlatform {self.issuer} {self.client_id}>"


class LtiLogin(db.Model):
    """A login initiated by a platform: its state and nonce, spent by one launch."""

    __tablename__ = "lti_logins"

    state: Mapped[str] = mapped_column(String(64), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    platform_id: Mapped[int] = mapped_column(
        ForeignKey("lti_platforms.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    used_at: Mapped[datetime | None]

    platform: Mapped[LtiPlatform] = relationship()


class LtiGradeTarget(db.Model):
    """A platform line item a learner was launched into for a module: where passes go."""

    __tablename__ = "lti_grade_targets"
    __table_args__ = (UniqueConstraint("user_id", "module_id", "lineitem_url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(
        ForeignKey("lti_platforms.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"))
    lineitem_url: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))  # the platform's user id (``sub``)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    platform: Mapped[LtiPlatform] = relationship()


class LtiScoreOutbox(db.Model):
    """A score owed to a platform, written in the transaction of the pass and delivered by
    ``champion lti deliver`` until the platform acknowledges it."""

    __tablename__ = "lti_score_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(
        ForeignKey("lti_grade_targets.id", ondelete="CASCADE"), index=True)
    score: Mapped[int]  # percent; posted out of 100, with created_at as its timestamp
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    delivered_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))

    target: Mapped[LtiGradeTarget] = relationship()
