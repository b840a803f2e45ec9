"""Email verification pages: ask for a link, and confirm with it."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from champion.auth.tokens import user_for_token
from champion.auth.verification import mark_email_verified, send_verification
from champion.extensions import db, limiter

blueprint = Blueprint("verification", __name__, url_prefix="/auth/verify",
                      template_folder="templates")


class ConfirmForm(FlaskForm):
    """A button: CSRF only. The link's GET only shows it, so mail scanners change nothing."""


def _account_key() -> str:
    return f"verify:{current_user.id if current_user.is_authenticated else ''}"


@blueprint.route("", methods=["GET", "POST"], endpoint="pending")
@login_required
@limiter.limit("3 per hour", methods=["POST"], key_func=_account_key)
def pending():
    form = ConfirmForm()
    if not current_user.email_verified and form.validate_on_submit():
        send_verification(current_user)
        db.session.commit()
        flash(f"We sent a link to {current_user.email}. It works for three days.", "success")
        return redirect(url_for(".pending"))
    return render_template("auth/verify_pending.html", form=form)


@blueprint.route("/<token>", methods=["GET", "POST"], endpoint="confirm")
def confirm(token: str):
    user = user_for_token(token, "verify-email")
    if user is None:
        return render_template("auth/link_expired.html", purpose="verify-email"), 410
    form = ConfirmForm()
    if user.email_verified or not form.validate_on_submit():
        return render_template("auth/verify_confirm.html", form=form, user=user)
    awards = mark_email_verified(user, how="link")
    db.session.commit()
    held = f" {len(awards)} badge(s) you had earned are now yours." if awards else ""
    flash(f"Thank you: {user.email} is verified.{held}", "success")
    return redirect(url_for("progress.me") if current_user.is_authenticated
                    else url_for("auth.login"))
