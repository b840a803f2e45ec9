"""An administrator corrects a person's email address or mails them a password reset."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user

from champion.admin.forms import PersonEmailForm
from champion.admin.views import _person_page, blueprint
from champion.auth.access import role_required
from champion.auth.models import Role, User
from champion.auth.operations import AccountError, send_password_reset, set_email
from champion.extensions import db
from champion.filters import sentence
from champion.team.forms import ActionForm


@blueprint.post("/people/<int:user_id>/email")
@role_required(Role.ADMIN)
def person_email(user_id: int):
    user = db.get_or_404(User, user_id)
    form = PersonEmailForm()
    if not form.validate_on_submit():
        return _person_page(user, status=422, email_form=form)
    try:
        changed = set_email(user, form.email.data, current_user)
    except AccountError as exc:
        form.email.errors.append(sentence(exc))
        return _person_page(user, status=422, email_form=form)
    db.session.commit()
    if changed:
        flash(f"The email is now {user.email}. A link to confirm it was sent there, and "
              "the old address was told of the change.", "success")
    return redirect(url_for(".person", user_id=user.id))


@blueprint.post("/people/<int:user_id>/reset")
@role_required(Role.ADMIN)
def person_reset(user_id: int):
    user = db.get_or_404(User, user_id)
    if ActionForm().validate_on_submit():
        if not user.active or user.deleted_at is not None:
            flash("Only an active account can be sent a password reset.", "error")
        else:
            send_password_reset(user, request.remote_addr, actor=current_user)
            db.session.commit()
            flash(f"A password reset link was mailed to {user.email}.", "success")
    return redirect(url_for(".person", user_id=user.id))
