"""``/admin/lti``: the LMS platforms Champion accepts launches from. Administrators only."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from champion.auth.access import role_required
from champion.auth.models import Role
from champion.extensions import db
from champion.lti.forms import PlatformForm
from champion.lti.models import LtiPlatform
from champion.lti.operations import (
    RegistrationError,
    delete_platform,
    register_platform,
    update_platform,
)
from champion.lti.queries import platforms, scores_waiting
from champion.team.forms import ActionForm
from champion.urls import external_url

blueprint = Blueprint("lti_admin", __name__, url_prefix="/admin/lti",
                      template_folder="templates")


def tool_urls() -> dict[str, str]:
    """What an LMS administrator pastes into their platform."""
    return {"login": external_url("lti.login"), "launch": external_url("lti.launch"),
            "jwks": external_url("lti.jwks")}


def _saved(form: PlatformForm, save: Callable[[], LtiPlatform], done: str):
    """Run ``save``; the list of platforms with ``done`` flashed, or None with the refusal
    shown at its field (and what was typed kept)."""
    try:
        platform = save()
    except RegistrationError as exc:
        db.session.rollback()
        getattr(form, exc.field).errors.append(str(exc))
        return None
    db.session.commit()
    flash(f"{platform.name} {done}", "success")
    return redirect(url_for("lti_admin.index"))


@blueprint.route("/", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def index():
    form = PlatformForm()
    if form.validate_on_submit():
        answer = _saved(form, lambda: register_platform(form.fields(), current_user),
                        "registered: launches from it are accepted now.")
        if answer is not None:
            return answer
    return render_template("lti/admin.html", form=form, platforms=platforms(),
                           waiting=scores_waiting(), urls=tool_urls())


@blueprint.route("/<int:platform_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def platform(platform_id: int):
    found = db.get_or_404(LtiPlatform, platform_id)
    form = PlatformForm(obj=found)
    if form.validate_on_submit():
        answer = _saved(form, lambda: update_platform(found, form.fields(), current_user),
                        "saved.")
        if answer is not None:
            return answer
    return render_template("lti/admin_platform.html", form=form, platform=found,
                           delete_form=ActionForm(), urls=tool_urls())


@blueprint.post("/<int:platform_id>/delete")
@role_required(Role.ADMIN)
def delete(platform_id: int):
    found = db.get_or_404(LtiPlatform, platform_id)
    if ActionForm().validate_on_submit():
        delete_platform(found, current_user)
        db.session.commit()
        flash(f"{found.name} removed: launches from it are refused now.", "success")
    return redirect(url_for("lti_admin.index"))
