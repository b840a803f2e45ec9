"""Reading the audit log: the administrators' filters (who, what, when, words)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from champion.audit.models import AuditEvent
from champion.auth.models import User
from champion.extensions import db
from champion.team.queries import like_pattern

# What the "who" filter matches for events no signed-in person made.
NOT_SIGNED_IN = "not signed in"
COMMAND_LINE = "command line"


@dataclass(frozen=True)
class AuditFilters:
    who: str = ""  # a name or email, or NOT_SIGNED_IN, or COMMAND_LINE
    action: str = ""  # an action (user.role) or its group (user)
    since: date | None = None
    until: date | None = None  # inclusive
    q: str = ""  # words in the summary

    @property
    def active(self) -> bool:
        return any((self.who, self.action, self.since, self.until, self.q))


def actions() -> list[str]:
    """Every action recorded so far, for the "what" filter's choices."""
    return list(db.session.scalars(
        select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def filtered(filters: AuditFilters) -> Select:
    """The events matching ``filters``, newest first (their actors loaded alongside)."""
    query = select(AuditEvent).options(selectinload(AuditEvent.actor))
    if filters.who:
        needle = filters.who.strip().casefold()
        if needle in (NOT_SIGNED_IN, COMMAND_LINE):
            via = AuditEvent.detail["via"].as_string()
            web = via == "web"
            query = query.where(AuditEvent.actor_id.is_(None),
                                web if needle == NOT_SIGNED_IN else (via.is_(None) | ~web))
        else:
            actor = aliased(User)
            pattern = like_pattern(filters.who.strip())
            query = query.join(actor, actor.id == AuditEvent.actor_id).where(
                actor.name.ilike(pattern, escape="\\") | actor.email.ilike(pattern, escape="\\"))
    if filters.action:
        query = query.where(or_(AuditEvent.action == filters.action,
                                AuditEvent.action.startswith(filters.action + ".",
                                                             autoescape=True)))
    if filters.since:
        query = query.where(AuditEvent.created_at >= _start(filters.since))
    if filters.until:
        query = query.where(AuditEvent.created_at < _start(filters.until + timedelta(days=1)))
    if filters.since and filters.until and filters.since > filters.until:
        query = query.where(false())
    if filters.q:
        query = query.where(AuditEvent.summary.ilike(like_pattern(filters.q.strip()),
                                                     escape="\\"))
    return query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())


def count(query: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
