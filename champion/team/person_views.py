"""A lead's page about one member of their department: /team/<slug>/people/<id>."""

from __future__ import annotations

from flask import abort, render_template

from champion.departments.models import Department
from champion.progress.models import STATUS_LABELS
from champion.team.access import lead_of_department
from champion.team.person import member_report
from champion.team.views import blueprint


@blueprint.get("/<slug>/people/<int:user_id>")
@lead_of_department
def person(department: Department, user_id: int):
    report = member_report(department, user_id)
    if report is None:
        abort(404)  # never say who a non-member is
    return render_template("team/person.html", department=department, report=report,
                           statuses=STATUS_LABELS)
