"""The audit log: who changed what, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from champion.auth.models import User
from champion.database import utcnow
from champion.extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: command line
    action: Mapped[str] = mapped_column(String(50))
    target_type: Mapped[str] = mapped_column(String(30))
    target_id: Mapped[int | None]
    summary: Mapped[str] = mapped_column(String(500))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()

    @property
    def who(self) -> str:
        """Who made the change, as the log shows it: a person, someone on the web who was
        not signed in (a failed sign-in, a reset asked for), or the command line."""
        if self.actor is not None:
            return self.actor.name
        via = (self.detail or {}).get("via")
        if via == "web":
            return "Someone not signed in (web)"
        if via and via != "command line":
            return via  # a machine that acts by itself, e.g. "SCIM"
        return "Command line"
