"""The account page's forms: name, email address, password."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from champion.auth.forms import NewPasswordForm, strip, valid_email
from champion.auth.operations import NAME_MAX

CURRENT = {"autocomplete": "current-password"}


class NameForm(FlaskForm):
    name = StringField("Your name", validators=[DataRequired("Enter your name."),
                                                Length(max=NAME_MAX)],
                       filters=[strip], render_kw={"autocomplete": "name",
                                                   "maxlength": NAME_MAX})


class EmailChangeForm(FlaskForm):
    email = EmailField("New email address",
                       validators=[InputRequired("Enter the new email address."), valid_email,
                                   Length(max=254)],
                       filters=[strip], render_kw={"autocomplete": "email", "maxlength": 254})
    current = PasswordField("Your current password", validators=[Length(max=200)],
                            render_kw=CURRENT)


class PasswordChangeForm(NewPasswordForm):
    current = PasswordField("Current password", validators=[Length(max=200)],
                            render_kw=CURRENT)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.password.label.text = "New password"
        self.confirm.label.text = "Confirm the new password"


class ConfirmEmailForm(FlaskForm):
    """A button: CSRF only. The link's GET only shows it, so mail scanners change nothing."""
