"""The audit log for administrators: filtered by who, what and when, searched, exported."""

from __future__ import annotations

from datetime import date

from flask import Response, render_template, request

from champion.admin.views import PAGE, _page, blueprint
from champion.audit.queries import (
    COMMAND_LINE,
    NOT_SIGNED_IN,
    AuditFilters,
    actions,
    count,
    filtered,
)
from champion.auth.access import role_required
from champion.auth.models import Role
from champion.extensions import db
from champion.spreadsheet import to_csv

CSV_LIMIT = 100_000  # rows in one export; narrow the filters for more


def _day(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name) or "")
    except ValueError:
        return None


def _filters() -> AuditFilters:
    args = request.args
    return AuditFilters(who=(args.get("who") or "").strip()[:254],
                        action=(args.get("action") or "").strip()[:50],
                        since=_day("since"), until=_day("until"),
                        q=(args.get("q") or "").strip()[:200])


@blueprint.get("/audit")
@role_required(Role.ADMIN)
def audit():
    filters = _filters()
    query = filtered(filters)
    total = count(query)
    page = _page()
    events = db.session.scalars(query.limit(PAGE).offset((page - 1) * PAGE)).all()
    return render_template("admin/audit.html", events=events, page=page, filters=filters,
                           pages=max(1, -(-total // PAGE)), total=total, actions=actions(),
                           not_signed_in=NOT_SIGNED_IN, command_line=COMMAND_LINE)


@blueprint.get("/audit.csv")
@role_required(Role.ADMIN)
def audit_csv():
    """The events the page shows with the same filters, every page of them."""
    events = db.session.scalars(filtered(_filters()).limit(CSV_LIMIT))
    rows = [["when_utc", "who", "who_email", "action", "target", "summary"]]
    rows += [[event.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"), event.who,
              event.actor.email if event.actor else "", event.action,
              f"{event.target_type} {event.target_id}" if event.target_id else event.target_type,
              event.summary] for event in events]
    return Response(to_csv(rows), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="audit-log.csv"',
        "Cache-Control": "no-store",
    })
