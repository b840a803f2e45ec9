"""Accounts and roles."""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from champion.auth.passwords import hash_password, password_matches
from champion.database import utcnow
from champion.extensions import db


class Role(StrEnum):
    """Every account is a learner; the other roles add powers on top."""

    LEARNER = "learner"
    EDUCATOR = "educator"
    LEAD = "lead"
    ADMIN = "admin"


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role IN ('learner', 'educator', 'lead', 'admin')", name="role_is_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.LEARNER.value)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_active_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]  # personal data erased; records kept anonymous
    # Every session and remember cookie names the generation it was opened in: bumping it
    # (sign-out, a new password, deactivation, a role change) ends them all, even copies.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")


    # When the person proved they receive mail at ``email`` (None: not yet). Badges are
    # held and departments can't be joined until then.
    email_verified_at: Mapped[datetime | None]
    # The department whose lead (or roster) created the account, if one did: only that
    # department may hand out a set-password link for it.
    created_by_department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"))
    # Drawn anew when the role, departments or active flag change: every emailed or
    # handed-out link names the generation it was made in, so those changes kill it.
    link_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses sign-in to inactive accounts
        return self.active

    @property
    def password_fingerprint(self) -> str:
        """Changes whenever the password does; never reveals it."""
        return hashlib.sha256((self.password_hash or "unset").encode()).hexdigest()[:16]

    def get_id(self) -> str:
        # The session names the password and the generation it was opened with: a new
        # password, or a new generation, ends it.
        return f"{self.id}:{self.password_fingerprint}:{self.session_generation}"

    def end_sessions(self) -> None:
        """Every session and remember cookie issued so far stops loading this account."""
        self.session_generation = (self.session_generation or 0) + 1

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    def invalidate_links(self) -> None:
        """End every pending set-password, reset and verification link for this account."""
        self.link_generation = (self.link_generation or 0) + 1

    def has_role(self, *roles: Role | str) -> bool:
        """True if the user holds one of ``roles``; admins hold every role."""
        return self.role == Role.ADMIN or self.role in {str(r) for r in roles}

    def set_password(self, password: str, method: str | None = None) -> None:
        self.password_hash = hash_password(password, method)

    def check_password(self, password: str) -> bool:
        return self.password_hash is not None and \
            password_matches(self.password_hash, password, None)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class ExternalIdentity(db.Model):
    """A sign-in from outside (an OpenID provider, a SAML IdP, an LMS): who the issuer says.

    Accounts are found by ``(issuer, subject)``, the provider's stable identifier, never by
    email alone: an email changed at the hospital keeps its history, and a second provider
    can't take over an account by asserting its address.
    """

    __tablename__ = "external_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # oidc, saml, lti
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(254))  # as last asserted
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<ExternalIdentity {self.kind} {self.issuer} {self.subject}>"
