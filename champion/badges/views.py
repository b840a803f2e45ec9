"""Badge descriptions and the public verification page of each award."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template
from flask_login import current_user
from sqlalchemy import select

from champion.badges.models import Badge, BadgeAward
from champion.badges.operations import criteria_module_ids
from champion.catalog.models import Module, ModuleVersion
from champion.extensions import db

blueprint = Blueprint("badges", __name__, url_prefix="/badges", template_folder="templates")


def _badge_or_404(slug: str) -> Badge:
    badge = db.session.scalar(select(Badge).where(Badge.slug == slug))
    if badge is None:
        abort(404)
    return badge


@blueprint.get("/<slug>")
def badge(slug: str):
    badge = _badge_or_404(slug)
    module_ids = criteria_module_ids([badge])[badge.id]
    modules = db.session.execute(
        select(Module, ModuleVersion)
        .join(ModuleVersion, Module.current_version_id == ModuleVersion.id)
        .where(Module.id.in_(module_ids))
        .order_by(Module.series_id, ModuleVersion.position)
    ).all()
    award = None
    if current_user.is_authenticated:
        award = db.session.scalar(
            select(BadgeAward).where(
                BadgeAward.badge_id == badge.id, BadgeAward.user_id == current_user.id
            )
        )
    return render_template("badges/badge.html", badge=badge, modules=modules, award=award)


@blueprint.get("/<slug>/image")
def image(slug: str):
    badge = _badge_or_404(slug)
    response = Response(badge.image, mimetype=badge.image_media_type)
    response.headers["Cache-Control"] = "public, max-age=3600"
    if badge.image_media_type == "image/svg+xml":
        # An SVG opened on its own must not run script.
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'"
        )
    return response


@blueprint.get("/assertions/<uid>")
def assertion(uid: str):
    award = db.session.scalar(select(BadgeAward).where(BadgeAward.uid == uid))
    if award is None:
        abort(404)
    return render_template("badges/assertion.html", award=award, badge=award.badge)
