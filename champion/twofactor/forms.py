"""The code forms of two-factor: enrolment, the second step of sign-in, turning it off."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from champion.auth.forms import strip


class CodeForm(FlaskForm):
    code = StringField(
        "Code",
        validators=[InputRequired("Enter the 6-digit code from your authenticator app."),
                    Length(max=40)],
        filters=[strip],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "maxlength": 40,
                   "spellcheck": "false"},
    )


class StartForm(FlaskForm):
    """Only the CSRF token: a button that starts enrolment."""
