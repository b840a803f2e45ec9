"""Badges: descriptions, Open Badges documents, verification pages and learners' downloads."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select

from champion.badges import credentials, openbadges, status_list
from champion.badges.baking import bake_png, bake_svg
from champion.badges.certificate import certificate_pdf
from champion.badges.forms import EvaluationForm
from champion.badges.models import Badge, BadgeAward, ProgrammeEvaluation
from champion.badges.operations import record_evaluation
from champion.badges.queries import (
    completed_modules,
    criteria_module_ids,
    highest_status_index,
)
from champion.catalog.models import Module, ModuleVersion
from champion.extensions import db
from champion.urls import external_url

blueprint = Blueprint("badges", __name__, template_folder="templates")


def _badge_or_404(slug: str) -> Badge:
    return db.first_or_404(select(Badge).where(Badge.slug == slug))


def _award_or_404(uid: str) -> BadgeAward:
    return db.first_or_404(select(BadgeAward).where(BadgeAward.uid == uid))


def _own_award(uid: str) -> BadgeAward:
    award = _award_or_404(uid)
    if award.user_id != current_user.id:
        abort(404)
    return award


def _own_valid_award(uid: str) -> BadgeAward:
    """The earner's award for a download: gone (410) once revoked or expired, so no
    freshly signed or baked copy of it is ever handed out."""
    award = _own_award(uid)
    if not award.valid():
        abort(410)
    return award


def _json_ld(document: dict, status: int = 200) -> Response:
    response = Response(json.dumps(document, indent=2), status=status,
                        mimetype=openbadges.MEDIA_TYPE)
    response.headers["Access-Control-Allow-Origin"] = "*"  # verifiers fetch from anywhere
    return response


def _download(body: bytes | str, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "private, no-store",
    })


# --- public: issuer, badge classes, assertions -----------------------------------------

@blueprint.get("/issuer.json")
def issuer():
    return _json_ld(openbadges.issuer_profile())


@blueprint.get("/issuer/jwks.json")
def jwks():
    response = Response(json.dumps(credentials.jwks(), indent=2), mimetype="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@blueprint.get("/issuer/status/<int:number>")
def status_list_credential(number: int):
    """The issuer's Bitstring Status List ``number``, a signed VC-JWT, as of now."""
    highest = highest_status_index()
    if number > (highest or 0) // status_list.LIST_SIZE:
        abort(404)
    token = credentials.sign(status_list.status_list_credential(number),
                             credentials.issuer_key())
    response = Response(token, mimetype=credentials.MEDIA_TYPE)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@blueprint.get("/badges/<slug>")
def badge(slug: str):
    badge = _badge_or_404(slug)
    module_ids = criteria_module_ids([badge])[badge.id]
    modules = db.session.execute(
        select(Module, ModuleVersion)
        .join(ModuleVersion, Module.current_version_id == ModuleVersion.id)
        .where(Module.id.in_(module_ids))
        .order_by(Module.series_id, ModuleVersion.position)
    ).all()
    awards = []
    if current_user.is_authenticated:
        awards = db.session.scalars(
            select(BadgeAward).where(BadgeAward.badge_id == badge.id,
                                     BadgeAward.user_id == current_user.id)
            .order_by(BadgeAward.number.desc())
        ).all()
    return render_template("badges/badge.html", badge=badge, modules=modules,
                           award=awards[0] if awards else None)


@blueprint.get("/badges/<slug>.json")
def badge_json(slug: str):
    return _json_ld(openbadges.badge_class(_badge_or_404(slug)))


def _image(data: bytes, mimetype: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Cache-Control"] = "public, max-age=3600"
    if mimetype == "image/svg+xml":
        # An SVG opened on its own must not run script.
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'"
        )
    return response


@blueprint.get("/badges/<slug>/image")
def image(slug: str):
    badge = _badge_or_404(slug)
    return _image(badge.image, badge.image_media_type)


@blueprint.get("/badges/<slug>/image.png")
def image_png(slug: str):
    badge = _badge_or_404(slug)
    if badge.png is None:
        abort(404)
    return _image(badge.png, "image/png")


@blueprint.get("/badges/assertions/<uid>")
def assertion(uid: str):
    award = db.session.scalar(select(BadgeAward).where(BadgeAward.uid == uid))
    if award is None:  # most often a credential id typed from paper with a slip
        return render_template("badges/no_such_credential.html", uid=uid[:100]), 404
    return render_template("badges/assertion.html", award=award, badge=award.badge)


@blueprint.get("/badges/assertions/<uid>.json")
def assertion_json(uid: str):
    award = _award_or_404(uid)
    if award.revoked:
        return _json_ld(openbadges.revoked_assertion(award), status=410)
    return _json_ld(openbadges.assertion(award))


# --- the earner's own downloads -------------------------------------------------------

@blueprint.get("/me/badges/<uid>/badge.png")
@login_required
def baked_png(uid: str):
    award = _own_valid_award(uid)
    if award.badge.png is None:
        abort(404)
    baked = bake_png(award.badge.png, json.dumps(openbadges.assertion(award)))
    return _download(baked, "image/png", f"{award.badge.slug}.png")


@blueprint.get("/me/badges/<uid>/badge.svg")
@login_required
def baked_svg(uid: str):
    award = _own_valid_award(uid)
    if award.badge.image_media_type != "image/svg+xml":
        abort(404)
    baked = bake_svg(award.badge.image.decode("utf-8"), json.dumps(openbadges.assertion(award)),
                     external_url("badges.assertion_json", uid=award.uid))
    return _download(baked, "image/svg+xml", f"{award.badge.slug}.svg")


@blueprint.get("/me/badges/<uid>/credential.jwt")
@login_required
def credential(uid: str):
    award = _own_valid_award(uid)
    token = credentials.sign(credentials.credential(award), credentials.issuer_key())
    return _download(token, credentials.MEDIA_TYPE, f"{award.badge.slug}-credential.jwt")


@blueprint.route("/me/badges/<uid>/certificate", methods=["GET", "POST"])
@login_required
def certificate(uid: str):
    award = _own_valid_award(uid)
    evaluation = db.session.scalar(
        select(ProgrammeEvaluation).where(ProgrammeEvaluation.award_id == award.id))
    if evaluation is not None:
        return render_template("badges/certificate.html", award=award)
    form = EvaluationForm()
    if form.validate_on_submit():
        record_evaluation(
            award, relevance=int(form.relevance.data), balanced=form.balanced.data == "yes",
            free_of_commercial_bias=form.free_of_commercial_bias.data == "yes",
            practice_change=form.practice_change.data, comments=form.comments.data or None,
            competence=form.competence.data, performance=form.performance.data,
            follow_up=form.follow_up.data)
        db.session.commit()
        flash("Thank you for your evaluation. Your certificate is ready.", "success")
        return redirect(url_for(".certificate", uid=uid))
    return render_template("badges/evaluation.html", award=award, form=form), (
        422 if form.errors else 200)


@blueprint.get("/me/badges/<uid>/certificate.pdf")
@login_required
def certificate_download(uid: str):
    award = _own_valid_award(uid)
    evaluated = db.session.scalar(
        select(ProgrammeEvaluation.id).where(ProgrammeEvaluation.award_id == award.id))
    if evaluated is None:
        return redirect(url_for(".certificate", uid=uid))
    pdf = certificate_pdf(
        name=award.user.name, badge=award.badge.name, description=award.badge.description,
        modules=completed_modules(award), awarded_at=award.awarded_at,
        expires_at=award.expires_at, issuer=current_app.config["CHAMPION_ISSUER_NAME"],
        verify_url=external_url("badges.assertion", uid=award.uid),
    )
    return _download(pdf, "application/pdf", f"{award.badge.slug}-certificate.pdf")
