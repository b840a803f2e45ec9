"""Joining a department with an invite code or link."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from champion.auth.forms import strip
from champion.departments.operations import MembershipError, find_invite, join_with_invite
from champion.extensions import db

blueprint = Blueprint("departments", __name__, template_folder="templates")


class JoinForm(FlaskForm):
    code = StringField(
        "Invite code",
        validators=[InputRequired("Enter the code your lead gave you."), Length(max=20)],
        filters=[strip],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "maxlength": 20},
    )


def _join(form: JoinForm, code: str):
    try:
        department = join_with_invite(current_user, code)
    except MembershipError as exc:
        form.code.errors.append(str(exc))
        return None
    db.session.commit()
    flash(f"You are a member of {department.name}. Your lead can now see your progress.",
          "success")
    return redirect(url_for("catalog.index"))


@blueprint.route("/join", methods=["GET", "POST"])
@login_required
def join():
    form = JoinForm()
    if form.validate_on_submit() and (response := _join(form, form.code.data)):
        return response
    return render_template("departments/join.html", form=form, invite=None), (
        422 if form.errors else 200)


@blueprint.route("/join/<code>", methods=["GET", "POST"])
@login_required
def join_link(code: str):
    invite = find_invite(code)
    form = JoinForm(data={"code": code})
    if form.validate_on_submit() and (response := _join(form, code)):
        return response
    return render_template("departments/join.html", form=form, invite=invite)
