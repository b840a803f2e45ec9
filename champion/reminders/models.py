"""Who wants which email, and what was sent (so a second run sends nothing new)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from champion.database import utcnow
from champion.extensions import db

# The kinds of email a person can turn off, as the preferences page names them.
EMAIL_KINDS = {
    "reminders": "Reminders of assigned modules that are due soon or overdue",
    "digest": "The weekly digest of my team (leads)",
    "messages": "Messages from my department's lead",
}


class EmailPreference(db.Model):
    """One row per person who changed a setting; no row means every kind is wanted."""

    __tablename__ = "email_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    reminders: Mapped[bool] = mapped_column(default=True)
    digest: Mapped[bool] = mapped_column(default=True)
    messages: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class EmailSend(db.Model):
    """The sent-log: one row per person, kind and period (a day for reminders, an ISO week
    for digests). ``sent_at`` is set once a server accepted it; a row without it failed
    and is tried again by the next run."""

    __tablename__ = "email_sends"
    __table_args__ = (UniqueConstraint("user_id", "kind", "period"),
                      Index("ix_email_sends_kind_period", "kind", "period"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    period: Mapped[str] = mapped_column(String(10))
    tries: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
