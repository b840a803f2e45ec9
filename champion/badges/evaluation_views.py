"""The programme evaluations learners give before their certificate, summarised for
educators. Linked from the educators' area, so its address stays under ``/author/``."""

from __future__ import annotations

from flask import render_template

from champion.auth.access import role_required
from champion.auth.models import Role
from champion.badges.queries import evaluation_summary
from champion.badges.views import blueprint


@blueprint.get("/author/evaluations")
@role_required(Role.EDUCATOR)
def evaluations():
    summary = evaluation_summary()
    return render_template("badges/evaluations.html", summary=summary.by_badge,
                           relevance=summary.relevance, recent=summary.recent)
