"""Register, sign in, sign out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import bindparam, select

from champion.audit.operations import record
from champion.auth.forms import (
    ForgotPasswordForm,
    LoginForm,
    LogoutForm,
    RegistrationForm,
    SetPasswordForm,
)
from champion.auth.models import User
from champion.auth.operations import AccountError, create_user, find_user, set_password
from champion.auth.tokens import RESET_PASSWORD_LIFETIME, make_token, user_for_token
from champion.auth.verification import mark_email_verified, send_verification
from champion.extensions import db, login_manager
from champion.mail import send_mail
from champion.security import limiter
from champion.urls import external_url


def _account_key() -> str:
    """Rate-limit key: the account being signed in to (so spreading across IPs won't help)."""
    return "account:" + (request.form.get("email") or "").strip().lower()[:254]


def _failed(response) -> bool:
    # Only a refused sign-in counts (the form shown again); a redirect means success, and
    # an error page (say, the database down) is not the visitor's fault.
    return response.status_code == 200

blueprint = Blueprint("auth", __name__, url_prefix="/auth", template_folder="templates")


# Every signed-in request runs this: a statement built once costs a third of
# ``session.get``'s (which rebuilds its query each call).
_USER_BY_ID = select(User).where(User.id == bindparam("user_id"))


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _, fingerprint = session_id.partition(":")
    user = (db.session.execute(_USER_BY_ID, {"user_id": int(user_id)}).scalar_one_or_none()
            if user_id.isdigit() else None)
    # A deactivated account, or one whose password changed, loses its sessions at once.
    if user is None or not user.active or fingerprint != user.password_fingerprint:
        return None
    return user


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
    db.session.flush()  # a new account needs its id before the session can name it
    login_user(user, remember=remember)
    record(user, "auth.login", user, f"{user.email} signed in", ip=request.remote_addr)


@blueprint.route("/register", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"], deduct_when=_failed)
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
            _sign_in(user)
            send_verification(user)
            db.session.commit()
            flash(f"Welcome, {user.name}. Pick any module to begin. We sent a link to "
                  f"{user.email}: use it to confirm your address.", "success")
            return redirect(safe_next(request.args.get("next")))
    return render_template("auth/register.html", form=form)


@blueprint.route("/login", methods=["GET", "POST"])
@limiter.limit("30 per 15 minutes", methods=["POST"], deduct_when=_failed)
@limiter.limit("10 per 15 minutes", methods=["POST"], key_func=_account_key,
               deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = find_user(form.email.data)
        if user is None or not user.check_password(form.password.data):
            form.password.errors.append("The email or password is incorrect.")
            record(None, "auth.login_failed", user,
                   f"failed sign-in for {form.email.data.strip().lower()[:254]}"
                   + ("" if user else " (no such account)"), ip=request.remote_addr)
            db.session.commit()
        elif not user.active:
            form.email.errors.append(
                "This account has been deactivated. Contact your department lead."
            )
        else:
            next_url = safe_next(request.args.get("next"))
            _sign_in(user, remember=form.remember.data)
            db.session.commit()
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
    return _new_password(token, "set-password")


@blueprint.route("/reset/<token>", methods=["GET", "POST"], endpoint="reset_password")
def reset_password_from_link(token: str):
    return _new_password(token, "reset-password")


def _new_password(token: str, purpose: str):
    user = user_for_token(token, purpose)
    if user is None:
        return render_template("auth/link_expired.html", purpose=purpose), 410
    form = SetPasswordForm()
    form.email_for_check = user.email
    if form.validate_on_submit():
        try:
            set_password(user, form.password.data)
        except AccountError as exc:
            form.password.errors.append(str(exc))
        else:
            record(user, f"auth.{purpose}", user, f"{user.email} set a new password from a link")
            # The link reached the person through that address: it proves the mailbox.
            mark_email_verified(user, how=purpose)
            _sign_in(user)
            db.session.commit()
            flash(f"Welcome, {user.name}. Your password is set; other sessions are signed out.",
                  "success")
            return redirect(url_for("catalog.index"))
    return render_template("auth/set_password.html", form=form, user=user, purpose=purpose)


@blueprint.route("/forgot", methods=["GET", "POST"], endpoint="forgot_password")
@limiter.limit("10 per hour", methods=["POST"])
@limiter.limit("3 per hour", methods=["POST"], key_func=_account_key)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = find_user(form.email.data)
        if user is not None and user.active:
            link = external_url("auth.reset_password", token=make_token(user, "reset-password"))
            minutes = int(RESET_PASSWORD_LIFETIME.total_seconds() // 60)
            send_mail(user.email, "Reset your Champion password", (
                f"Hello {user.name},\n\nSomeone (we hope you) asked to reset the password of "
                f"your Champion account. This link works once, for {minutes} minutes:\n\n"
                f"{link}\n\nIf it wasn't you, ignore this message: your password is unchanged."
            ))
            record(user, "auth.reset_requested", user, f"password reset sent to {user.email}",
                   ip=request.remote_addr)
            db.session.commit()
        # The same answer either way, so the form can't be used to find out who has an account.
        return render_template("auth/forgot_sent.html", email=form.email.data)
    return render_template("auth/forgot.html", form=form)
