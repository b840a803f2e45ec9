"""Joining a department: with an invite code or link, or by accepting a lead's request."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from champion.auth.forms import strip
from champion.departments.models import MembershipRequest
from champion.departments.operations import (
    MembershipError,
    decide_request,
    find_invite,
    join_with_invite,
)
from champion.extensions import db, limiter
from champion.filters import sentence

blueprint = Blueprint("departments", __name__, template_folder="templates")


class JoinForm(FlaskForm):
    code = StringField(
        "Invite code",
        validators=[InputRequired("Enter the code your lead gave you."), Length(max=20)],
        filters=[strip],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "maxlength": 20},
    )


class DecisionForm(FlaskForm):
    """Accept or decline: CSRF only."""


def _joiner_key() -> str:
    """Rate-limit key: the signed-in account guessing codes, whatever address it uses."""
    return f"join:{current_user.id if current_user.is_authenticated else ''}"


def _refused(response) -> bool:
    # Only a code that didn't work counts; joining, or a typo in the form, does not.
    return response.status_code in (404, 422)


# Ten wrong codes an hour per account (and thirty per address), counted across both join
# pages, make guessing a 32^10 code space hopeless; a mistyped code costs one of them.
join_limits = [
    limiter.shared_limit("30 per hour", scope="join-address", deduct_when=_refused),
    limiter.shared_limit("10 per hour", scope="join-account", key_func=_joiner_key,
                         deduct_when=_refused),
]


def _throttled(view):
    for limit in join_limits:
        view = limit(view)
    return view


def _join(form: JoinForm, code: str):
    try:
        department = join_with_invite(current_user, code)
    except MembershipError as exc:
        form.code.errors.append(sentence(exc))
        return None
    db.session.commit()
    flash(f"You are a member of {department.name}. Your lead can now see your progress.",
          "success")
    return redirect(url_for("catalog.index"))


@blueprint.route("/join", methods=["GET", "POST"])
@login_required
@_throttled
def join():
    form = JoinForm()
    if form.validate_on_submit() and (response := _join(form, form.code.data)):
        return response
    return render_template("departments/join.html", form=form, invite=None), (
        422 if form.errors else 200)


@blueprint.route("/join/<code>", methods=["GET", "POST"])
@login_required
@_throttled
def join_link(code: str):
    invite = find_invite(code)
    if invite is None:
        abort(404)  # counted: looking codes up one by one is guessing them
    form = JoinForm(data={"code": code})
    if form.validate_on_submit() and (response := _join(form, code)):
        return response
    return render_template("departments/join.html", form=form, invite=invite), (
        422 if form.errors else 200)


def _my_request(request_id: int) -> MembershipRequest:
    found = db.session.get(MembershipRequest, request_id)
    if found is None or found.user_id != current_user.id:
        abort(404)
    return found


@blueprint.get("/me/requests")
@login_required
def requests():
    pending = db.session.scalars(
        select(MembershipRequest)
        .where(MembershipRequest.user_id == current_user.id,
               MembershipRequest.decided_at.is_(None))
        .order_by(MembershipRequest.created_at)
    ).all()
    return render_template("departments/requests.html", pending=pending, form=DecisionForm())


@blueprint.post("/me/requests/<int:request_id>/<any(accept, decline):decision>")
@login_required
def decide(request_id: int, decision: str):
    membership_request = _my_request(request_id)
    if DecisionForm().validate_on_submit():
        try:
            decide_request(membership_request, current_user, accept=decision == "accept")
        except MembershipError as exc:
            flash(sentence(exc), "error")
        else:
            db.session.commit()
            name = membership_request.department.name
            flash(f"You joined {name}: its leads can now see your progress."
                  if decision == "accept" else f"You declined to join {name}.", "success")
    return redirect(url_for(".requests"))
