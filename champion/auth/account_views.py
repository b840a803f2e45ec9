"""/me/account: a learner changes their own name, email address and password."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user

from champion.auth.account import (
    change_own_password,
    confirm_email_change,
    request_email_change,
)
from champion.auth.account_forms import (
    ConfirmEmailForm,
    EmailChangeForm,
    NameForm,
    PasswordChangeForm,
)
from champion.auth.operations import rename_user
from champion.auth.tokens import read_token
from champion.errors import OperationError
from champion.extensions import db, limiter
from champion.filters import sentence

blueprint = Blueprint("account", __name__, url_prefix="/me/account",
                      template_folder="templates")


def _account_key() -> str:
    return f"account-change:{current_user.id if current_user.is_authenticated else ''}"


def _page(name: NameForm | None = None, email: EmailChangeForm | None = None,
          password: PasswordChangeForm | None = None, status: int = 200):
    name = name or NameForm(formdata=None, name=current_user.name)
    password = password or PasswordChangeForm(formdata=None)
    password.email_for_check = current_user.email
    return render_template("auth/account.html", name_form=name,
                           email_form=email or EmailChangeForm(formdata=None),
                           password_form=password), status


@blueprint.get("", endpoint="page")
@login_required
def page():
    return _page()


@blueprint.post("/name", endpoint="name")
@login_required
def change_name():
    form = NameForm()
    if form.validate_on_submit():
        try:
            rename_user(current_user, form.name.data, current_user)
        except OperationError as exc:
            form.name.errors.append(sentence(exc))
        else:
            db.session.commit()
            flash(f"Your name is now {current_user.name}, on your certificate and "
                  "verification pages too.", "success")
            return redirect(url_for(".page"))
    return _page(name=form, status=400)


@blueprint.post("/email", endpoint="email")
@login_required
@limiter.limit("5 per hour", key_func=_account_key)
def change_email():
    form = EmailChangeForm()
    if form.validate_on_submit():
        try:
            new_email = request_email_change(current_user, form.email.data, form.current.data)
        except OperationError as exc:
            form.email.errors.append(sentence(exc))
        else:
            db.session.commit()
            flash(f"We sent a link to {new_email}. Your address changes when you follow it; "
                  f"until then you sign in with {current_user.email}.", "success")
            return redirect(url_for(".page"))
    return _page(email=form, status=400)


@blueprint.post("/password", endpoint="password")
@login_required
@limiter.limit("10 per hour", key_func=_account_key)
def change_password():
    form = PasswordChangeForm()
    form.email_for_check = current_user.email
    if form.validate_on_submit():
        try:
            change_own_password(current_user, form.current.data, form.password.data)
        except OperationError as exc:
            form.current.errors.append(sentence(exc))
        else:
            db.session.commit()
            user = current_user._get_current_object()
            session.clear()  # this session stays signed in with the new password; others end
            login_user(user)
            flash("Your password is changed; your other sessions are signed out.", "success")
            return redirect(url_for(".page"))
    return _page(password=form, status=400)


@blueprint.route("/email/<token>", methods=["GET", "POST"], endpoint="confirm_email")
def confirm_email(token: str):
    user, data = read_token(token, "change-email")
    if user is None or not isinstance(data.get("email"), str):
        return render_template("auth/link_expired.html", purpose="change-email"), 410
    form = ConfirmEmailForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            confirm_email_change(user, data["email"])
        except OperationError as exc:
            flash(sentence(exc), "error")
        else:
            db.session.commit()
            if current_user.is_authenticated and current_user.id == user.id:
                session.clear()
                login_user(user)
            flash(f"Your email address is now {user.email}.", "success")
            return redirect(url_for(".page") if current_user.is_authenticated
                            else url_for("auth.login"))
    return render_template("auth/confirm_email_change.html", form=form, user=user,
                           new_email=data["email"])
