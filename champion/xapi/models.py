"""The outbox of xAPI statements, and the opaque names learners have in them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from champion.database import utcnow
from champion.extensions import db


class XapiStatement(db.Model):
    """One statement, written in the transaction of the event it tells, until the LRS has
    it. Delivered rows are kept (``delivered_at``): the record of what was sent."""

    __tablename__ = "xapi_outbox"
    __table_args__ = (Index("ix_xapi_outbox_pending", "delivered_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The statement's own id (a UUID): the LRS stores a statement once per id, which is
    # what makes delivering one twice harmless.
    statement_id: Mapped[str] = mapped_column(String(36), unique=True)
    statement: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))


class XapiActor(db.Model):
    """A learner's name in statements sent as an account: random, so an LRS learns nothing
    from it, and kept, so it never changes (a hash of the id would be guessable, and one
    keyed by SECRET_KEY would change when the key is rotated)."""

    __tablename__ = "xapi_actors"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    name: Mapped[str] = mapped_column(String(36), unique=True)
