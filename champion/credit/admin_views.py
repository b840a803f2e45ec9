"""The provider's records of credit, for administrators: claims by date and type, as a page
and as CSV, and the PARS learner file."""

from __future__ import annotations

from datetime import date

from flask import Response, render_template, request

from champion.auth.access import role_required
from champion.auth.models import Role
from champion.content.credit import CREDIT_TYPES
from champion.credit.professions import PROFESSIONS
from champion.credit.queries import claims_between, pars_learners
from champion.credit.report import claim_rows, pars_rows
from champion.credit.views import blueprint
from champion.spreadsheet import to_csv


def _filters() -> tuple[date | None, date | None, str | None, list[str]]:
    problems = []
    days = []
    for key in ("from", "to"):
        text = request.args.get(key, "").strip()
        try:
            days.append(date.fromisoformat(text) if text else None)
        except ValueError:
            days.append(None)
            problems.append(f"'{key}' must be a date (YYYY-MM-DD), got {text!r}")
    kind = request.args.get("type") or None
    if kind is not None and kind not in CREDIT_TYPES:
        problems.append(f"'type' must be one of {', '.join(CREDIT_TYPES)}")
        kind = None
    return days[0], days[1], kind, problems


def _csv(text: str, filename: str) -> Response:
    return Response(text, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store"})


@blueprint.get("/admin/credit")
@role_required(Role.ADMIN)
def admin():
    start, end, kind, problems = _filters()
    claims = claims_between(start, end, kind)
    return render_template("credit/admin.html", claims=claims, problems=problems,
                           credit_types=CREDIT_TYPES, professions=PROFESSIONS,
                           args={k: v for k, v in request.args.items() if v})


@blueprint.get("/admin/credit/claims.csv")
@role_required(Role.ADMIN)
def admin_csv():
    start, end, kind, _problems = _filters()
    return _csv(to_csv(claim_rows(claims_between(start, end, kind))), "credit-claims.csv")


@blueprint.get("/admin/credit/pars.csv")
@role_required(Role.ADMIN)
def admin_pars():
    start, end, _kind, _problems = _filters()
    claims = claims_between(start, end, "ama")
    return _csv(to_csv(pars_rows(claims, pars_learners(claims))), "pars-learners.csv")
