"""Email preferences at /me/notifications, and the one-click unsubscribe link (RFC 8058)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField

from champion.auth.models import User
from champion.extensions import csrf, db
from champion.reminders.models import EMAIL_KINDS
from champion.reminders.operations import preferences, set_preferences, unsubscribe
from champion.reminders.tokens import read_unsubscribe_token

blueprint = Blueprint("reminders", __name__, template_folder="templates")


class PreferencesForm(FlaskForm):
    reminders = BooleanField(EMAIL_KINDS["reminders"])
    digest = BooleanField(EMAIL_KINDS["digest"])
    messages = BooleanField(EMAIL_KINDS["messages"])


@blueprint.route("/me/notifications", methods=["GET", "POST"])
@login_required
def preferences_page():
    form = PreferencesForm(data=preferences(current_user))
    if form.validate_on_submit():
        set_preferences(current_user, {kind: form[kind].data for kind in EMAIL_KINDS})
        db.session.commit()
        flash("Your email preferences are saved.", "success")
        return redirect(url_for(".preferences_page"))
    return render_template("reminders/preferences.html", form=form)


def _link_holder(token: str) -> tuple[User, str]:
    found = read_unsubscribe_token(token)
    user = db.session.get(User, found[0]) if found else None
    if user is None:
        abort(410)
    return user, found[1]


@blueprint.get("/me/notifications/unsubscribe/<token>")
def unsubscribe_page(token: str):
    """The link opened in a browser: a page that asks, so a link scanner can't unsubscribe."""
    user, kind = _link_holder(token)
    return render_template("reminders/unsubscribe.html", kind=EMAIL_KINDS[kind],
                           email=user.email, token=token, done=False)


@blueprint.post("/me/notifications/unsubscribe/<token>")
@csrf.exempt  # RFC 8058: the mail client posts with no session; the signed token is the proof
def unsubscribe_post(token: str):
    user, kind = _link_holder(token)
    unsubscribe(user, kind)
    db.session.commit()
    return render_template("reminders/unsubscribe.html", kind=EMAIL_KINDS[kind],
                           email=user.email, token=token, done=True)
