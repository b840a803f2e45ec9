"""The educators' area. For now: the programme evaluations learners give before certificates."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from champion.auth.access import role_required
from champion.auth.models import Role
from champion.badges.models import Badge, BadgeAward, ProgrammeEvaluation
from champion.extensions import db

blueprint = Blueprint("author", __name__, url_prefix="/author", template_folder="templates")


@blueprint.get("/")
@role_required(Role.EDUCATOR)
def index():
    return render_template("author/index.html")


@blueprint.get("/evaluations")
@role_required(Role.EDUCATOR)
def evaluations():
    summary = db.session.execute(
        select(
            Badge.name,
            func.count(ProgrammeEvaluation.id),
            func.avg(ProgrammeEvaluation.relevance),
            func.sum(case((ProgrammeEvaluation.balanced, 1), else_=0)),
            func.sum(case((ProgrammeEvaluation.free_of_commercial_bias, 1), else_=0)),
        )
        .join(BadgeAward, BadgeAward.id == ProgrammeEvaluation.award_id)
        .join(Badge, Badge.id == BadgeAward.badge_id)
        .group_by(Badge.name)
    ).all()
    relevance = dict(db.session.execute(
        select(ProgrammeEvaluation.relevance, func.count()).group_by(ProgrammeEvaluation.relevance)
    ).tuples().all())
    recent = db.session.scalars(
        select(ProgrammeEvaluation)
        .options(selectinload(ProgrammeEvaluation.award).selectinload(BadgeAward.badge))
        .order_by(ProgrammeEvaluation.created_at.desc()).limit(50)
    ).all()
    return render_template("author/evaluations.html", summary=summary, relevance=relevance,
                           recent=recent)
