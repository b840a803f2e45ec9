"""Register, sign in, sign out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from champion.auth.forms import LoginForm, LogoutForm, RegistrationForm, SetPasswordForm
from champion.auth.models import User
from champion.auth.operations import AccountError, create_user, find_user, set_password
from champion.auth.tokens import user_for_token
from champion.extensions import db, login_manager

blueprint = Blueprint("auth", __name__, url_prefix="/auth", template_folder="templates")


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    # A deactivated account loses its sessions at once, not at its next sign-in.
    return user if user is not None and user.active else None


def safe_next(target: str | None) -> str:
    """Only a path on this site: never another host, never a scheme-relative URL."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and (
            not target.startswith("//") and "\\" not in target
        ):
            return target
    return url_for("catalog.index")


def _sign_in(user: User, remember: bool = False) -> None:
    session.clear()  # a fresh session at sign-in: nothing carried over from before
    login_user(user, remember=remember)


@blueprint.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("catalog.index"))
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            user = create_user(form.email.data, form.name.data, form.password.data)
        except AccountError:
            form.email.errors.append(
                "An account with this email already exists. Sign in instead."
            )
        else:
            db.session.commit()
            _sign_in(user)
            flash(f"Welcome, {user.name}. Pick any module to begin.", "success")
            return redirect(safe_next(request.args.get("next")))
    return render_template("auth/register.html", form=form)


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = find_user(form.email.data)
        if user is None or not user.check_password(form.password.data):
            form.password.errors.append("The email or password is incorrect.")
        elif not user.active:
            form.email.errors.append(
                "This account has been deactivated. Contact your department lead."
            )
        else:
            next_url = safe_next(request.args.get("next"))
            _sign_in(user, remember=form.remember.data)
            return redirect(next_url)
    return render_template("auth/login.html", form=form)


@blueprint.route("/logout", methods=["GET", "POST"])
def logout():
    form = LogoutForm()
    if request.method == "POST" and form.validate_on_submit():
        logout_user()
        session.clear()
        flash("You have signed out.", "info")
        return redirect(url_for("catalog.index"))
    if not current_user.is_authenticated:
        return redirect(url_for("catalog.index"))
    return render_template("auth/logout.html", form=form)


@blueprint.route("/set-password/<token>", methods=["GET", "POST"], endpoint="set_password")
def set_password_from_link(token: str):
    user = user_for_token(token)
    if user is None:
        return render_template("auth/link_expired.html"), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        set_password(user, form.password.data)
        db.session.commit()
        _sign_in(user)
        flash(f"Welcome, {user.name}. Your password is set.", "success")
        return redirect(url_for("catalog.index"))
    return render_template("auth/set_password.html", form=form, user=user)
