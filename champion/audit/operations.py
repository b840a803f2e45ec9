"""Recording changes in the audit log, inside the transaction that makes them."""

from __future__ import annotations

from typing import Any

from flask import g, has_app_context, has_request_context

from champion.audit.models import AuditEvent
from champion.auth.models import User
from champion.extensions import db


def record(
    actor: User | None,
    action: str,
    target: Any,
    summary: str,
    **detail: Any,
) -> AuditEvent:
    """Add an audit event for ``target`` (a model instance, or None); the caller commits.

    With no ``actor``, the event says where it came from: a web request made by someone
    not signed in (a failed sign-in, a reset asked for) is not the command line's doing.
    """
    db.session.flush()  # the target has an id
    # A request made by a machine (SCIM) names it: every change it makes says so.
    via = g.get("audit_via") if has_app_context() else None
    if via:
        detail = {"via": via, **detail}
    if actor is None:
        detail.setdefault("via", "web" if has_request_context() else "command line")
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=type(target).__name__.lower() if target is not None else "none",
        target_id=getattr(target, "id", None),
        summary=summary,
        detail=detail,
    )
    db.session.add(event)
    return event
