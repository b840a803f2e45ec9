"""Register, sign in, sign out."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import bindparam, select
from werkzeug.exceptions import TooManyRequests

from champion.auth import throttle
from champion.auth.emails import lookup_key
from champion.auth.forms import (
    ForgotPasswordForm,
    LoginForm,
    LogoutForm,
    RegistrationForm,
    SetPasswordForm,
)
from champion.auth.models import User
from champion.auth.operations import (
    AccountError,
    authenticate,
    find_user,
    record_sign_in,
    register_account,
    send_password_reset,
    send_reset_without_account,
    set_new_password,
    sign_out,
)
from champion.auth.tokens import user_for_token
from champion.extensions import db, limiter, login_manager
from champion.twofactor.forms import CodeForm
from champion.twofactor.operations import check_second_step
from champion.twofactor.queries import has_two_factor, may_use_password, password_sign_in_on


def _account_key() -> str:
    """Rate-limit key: the account asked about (so spreading across IPs won't help), as
    stored: spellings of one address (full-width letters, a quoted local part) are one
    mailbox, and mail to it must not get a fresh allowance for each of them."""
    return "account:" + lookup_key((request.form.get("email") or "")[:1000])[:254]


def _failed(response) -> bool:
    # Only a refused sign-in counts (the form shown again); a redirect means success, and
    # an error page (say, the database down) is not the visitor's fault.
    return response.status_code == 200


def _mailed(response) -> bool:
    # Sign-ups count when they send an email (the abuse is flooding an inbox), not when
    # the form comes back with a typo in it.
    return bool(g.get("signup_mailed"))


blueprint = Blueprint("auth", __name__, url_prefix="/auth", template_folder="templates")


# Every signed-in request runs this: a statement built once costs a third of
# ``session.get``'s (which rebuilds its query each call).
_USER_BY_ID = select(User).where(User.id == bindparam("user_id"))


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _, rest = session_id.partition(":")
    fingerprint, _, generation = rest.partition(":")
    user = (db.session.execute(_USER_BY_ID, {"user_id": int(user_id)}).scalar_one_or_none()
            if user_id.isdigit() else None)
    # A deactivated account, one whose password changed, or one signed out since (a new
    # session generation) loses its sessions at once, copied cookies included.
    if user is None or not user.active or fingerprint != user.password_fingerprint or \
            generation != str(user.session_generation):
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
    record_sign_in(user, request.remote_addr)
    login_user(user, remember=remember)


@blueprint.route("/register", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"], deduct_when=_mailed)
@limiter.limit("3 per hour", methods=["POST"], key_func=_account_key, deduct_when=_mailed)
def register():
    if current_user.is_authenticated:
        return redirect(url_for("catalog.index"))
    if not password_sign_in_on():
        return _password_sign_in_off()
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            register_account(form.email.data, form.name.data, form.password.data,
                             request.remote_addr)
        except AccountError as exc:
            form.password.errors.append(str(exc))
        else:
            db.session.commit()
            g.signup_mailed = True
            # The same page whether or not the address had an account: the email says which.
            return render_template("auth/register_sent.html", email=form.email.data.strip(),
                                   next=safe_next(request.args.get("next")))
    return render_template("auth/register.html", form=form)


@blueprint.route("/login", methods=["GET", "POST"])
@limiter.limit("30 per 15 minutes", methods=["POST"], deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        # A browser that signed in to this account before waits only for its own failures.
        device = throttle.trusted_device(request.cookies.get(throttle.DEVICE_COOKIE),
                                         form.email.data)
        wait = throttle.seconds_to_wait(form.email.data, device)
        if wait:
            raise TooManyRequests(
                f"repeated failed sign-ins to this account: try again in {wait} "
                f"second{'s' if wait != 1 else ''}", retry_after=wait)
        user = authenticate(form.email.data, form.password.data, request.remote_addr)
        if user is not None and not may_use_password(user):
            user = None  # password sign-in is off: the answer of a wrong password
        if user is None:
            throttle.note_failure(form.email.data, device)
            form.password.errors.append(
                "The email or password is incorrect." if password_sign_in_on() else
                "Password sign-in is off here: only administrators with two-factor on may "
                "use it, and the email or password was not one of theirs.")
            db.session.commit()
        elif not user.active:
            form.email.errors.append(
                "This account has been deactivated. Contact your department lead."
            )
        elif has_two_factor(user):
            throttle.note_success(form.email.data, device)
            return _second_step(user, form.remember.data, device)
        else:
            throttle.note_success(form.email.data, device)
            next_url = safe_next(request.args.get("next"))
            _sign_in(user, remember=form.remember.data)
            db.session.commit()
            response = redirect(next_url)
            throttle.remember_device(response, user.email, device)
            return response
    return render_template("auth/login.html", form=form, password_signin=password_sign_in_on())


SECOND_STEP_LIFETIME = 10 * 60  # seconds between the password and the code


def _password_sign_in_off():
    return render_template("auth/password_signin_off.html"), 403


def _second_step(user: User, remember: bool, device: str | None):
    """The password was right and the account has two-factor: ask for a code before any
    session is opened. Only the account's id and its session state are kept meanwhile."""
    session.clear()
    session["two_factor"] = {"user": user.get_id(), "remember": bool(remember),
                             "next": safe_next(request.args.get("next")), "device": device,
                             "at": int(time.time())}
    return redirect(url_for("auth.two_factor"))


def _pending_user() -> tuple[User | None, dict]:
    pending = session.get("two_factor") or {}
    if not isinstance(pending, dict) or \
            time.time() - pending.get("at", 0) > SECOND_STEP_LIFETIME:
        return None, {}
    return load_user(str(pending.get("user", ""))), pending  # None once the password changed


@blueprint.route("/two-factor", methods=["GET", "POST"])
@limiter.limit("30 per 15 minutes", methods=["POST"], deduct_when=_failed)
def two_factor():
    user, pending = _pending_user()
    if user is None:
        session.pop("two_factor", None)
        flash("Sign in again: the code wasn't entered in time.", "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        # Throttled as the password is, with a count of its own.
        device = pending.get("device")
        wait = throttle.seconds_to_wait(user.email, device, step="two-factor")
        if wait:
            raise TooManyRequests(
                f"repeated wrong codes for this account: try again in {wait} "
                f"second{'s' if wait != 1 else ''}", retry_after=wait)
        if check_second_step(user, form.code.data, request.remote_addr):
            throttle.note_success(user.email, device, step="two-factor")
            _sign_in(user, remember=pending.get("remember", False))
            db.session.commit()
            response = redirect(pending.get("next") or url_for("catalog.index"))
            throttle.remember_device(response, user.email, device)
            return response
        throttle.note_failure(user.email, device, step="two-factor")
        db.session.commit()
        form.code.errors.append("That code doesn't match: enter the 6 digits your app shows "
                                "now, or one of your recovery codes.")
    return render_template("auth/two_factor.html", form=form)


@blueprint.route("/logout", methods=["GET", "POST"])
def logout():
    form = LogoutForm()
    if request.method == "POST" and form.validate_on_submit():
        if current_user.is_authenticated:
            sign_out(current_user, request.remote_addr)
            db.session.commit()
        # Clear first: logout_user() leaves the flag that deletes the remember cookie.
        session.clear()
        logout_user()
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
    if not may_use_password(user):
        return _password_sign_in_off()
    form = SetPasswordForm()
    form.email_for_check = user.email
    if form.validate_on_submit():
        try:
            set_new_password(user, form.password.data, purpose)
        except AccountError as exc:
            form.password.errors.append(str(exc))
        else:
            if has_two_factor(user):  # a mailed link is no second factor
                db.session.commit()
                flash("Your password is set. Enter your code to sign in.", "success")
                return _second_step(user, remember=False, device=None)
            _sign_in(user)
            db.session.commit()
            flash(f"Welcome, {user.name}. Your password is set; other sessions are signed out.",
                  "success")
            response = redirect(url_for("catalog.index"))
            throttle.remember_device(response, user.email)  # the link proved who this is
            return response
    return render_template("auth/set_password.html", form=form, user=user, purpose=purpose)


@blueprint.route("/forgot", methods=["GET", "POST"], endpoint="forgot_password")
@limiter.limit("10 per hour", methods=["POST"])
@limiter.limit("3 per hour", methods=["POST"], key_func=_account_key)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = find_user(form.email.data)
        if user is not None and user.active and may_use_password(user):
            send_password_reset(user, request.remote_addr)
            db.session.commit()
        elif password_sign_in_on():
            send_reset_without_account(form.email.data)
        # Password sign-in off: no mail but to an administrator with two-factor on.
        # The same answer (and a mail) either way, so neither the page nor its time says
        # who has an account.
        return render_template("auth/forgot_sent.html", email=form.email.data)
    return render_template("auth/forgot.html", form=form)
