"""Two-factor pages of one's own account: set it up (QR code and secret, then a code to
confirm, then the recovery codes, shown once) and turn it off. The second step of sign-in
is in ``auth.views``, beside the first."""

from __future__ import annotations

import segno
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.exceptions import TooManyRequests

from champion.auth import throttle
from champion.extensions import db
from champion.twofactor.forms import CodeForm, StartForm
from champion.twofactor.operations import (
    TwoFactorError,
    WrongCode,
    confirm_enrolment,
    provisioning_uri,
    start_enrolment,
    turn_off,
)
from champion.twofactor.queries import must_enrol, recovery_codes_left, two_factor_of

blueprint = Blueprint("twofactor", __name__, url_prefix="/me/two-factor",
                      template_folder="templates")


def _uses_powers() -> bool:
    """An admin page, or any page kept for a role (``role_required``): an administrator
    holds every role, so the lead pages (every department) and the authoring pages are
    admin powers too."""
    view = current_app.view_functions.get(request.endpoint or "")
    return request.blueprint == "admin" or getattr(view, "required_roles", None) is not None


@blueprint.before_app_request
def administrators_enrol_first():
    """With CHAMPION_REQUIRE_2FA_ADMIN on, an administrator without two-factor is sent to
    set it up before any page that uses their powers."""
    if current_user.is_authenticated and must_enrol(current_user) and _uses_powers():
        flash("Set up two-factor sign-in before using the admin pages.", "info")
        return redirect(url_for("twofactor.index"))
    return None


@blueprint.get("")
@login_required
def index():
    return render_template("twofactor/index.html", factor=two_factor_of(current_user),
                           left=recovery_codes_left(current_user), start=StartForm(),
                           form=CodeForm(), required=must_enrol(current_user))


@blueprint.post("/enrol")
@login_required
def enrol():
    if StartForm().validate_on_submit():
        try:
            start_enrolment(current_user)
        except TwoFactorError as exc:
            flash(str(exc), "error")
            return redirect(url_for("twofactor.index"))
        db.session.commit()
    return redirect(url_for("twofactor.confirm"))


def _enrolment_page(form: CodeForm, status: int = 200):
    factor = two_factor_of(current_user)
    if factor is None or factor.enabled:
        return redirect(url_for("twofactor.index"))
    uri = provisioning_uri(factor)
    qr = segno.make(uri, error="m").svg_data_uri(scale=5, border=2)
    secret = " ".join(factor.secret[i:i + 4] for i in range(0, len(factor.secret), 4))
    return render_template("twofactor/enrol.html", form=form, qr=qr, secret=secret,
                           uri=uri), status


@blueprint.route("/confirm", methods=["GET", "POST"])
@login_required
def confirm():
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = confirm_enrolment(current_user, form.code.data)
        except TwoFactorError as exc:
            form.code.errors.append(str(exc))
            return _enrolment_page(form)
        db.session.commit()
        # Shown once: never stored in clear, never cached.
        response = render_template("twofactor/recovery_codes.html", codes=codes)
        return response, 200, {"Cache-Control": "no-store"}
    return _enrolment_page(form)


@blueprint.post("/disable")
@login_required
def disable():
    form = CodeForm()
    if form.validate_on_submit():
        # Throttled as the sign-in's code step is (its count too): a borrowed session
        # can't guess its way to turning two-factor off.
        wait = throttle.seconds_to_wait(current_user.email, step="two-factor")
        if wait:
            raise TooManyRequests(f"repeated wrong codes for this account: try again in {wait} "
                                  f"second{'s' if wait != 1 else ''}", retry_after=wait)
        try:
            turn_off(current_user, form.code.data, request.remote_addr)
        except TwoFactorError as exc:
            if isinstance(exc, WrongCode):
                throttle.note_failure(current_user.email, step="two-factor")
            db.session.commit()  # the failed attempt stays in the audit log
            flash(str(exc), "error")
            return redirect(url_for("twofactor.index"))
        db.session.commit()
        flash("Two-factor sign-in is off.", "success")
    return redirect(url_for("twofactor.index"))
