"""Forms for managing a department's members and invites."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import EmailField, StringField
from wtforms.validators import Email, InputRequired, Length

from champion.auth.forms import strip


class AddMemberForm(FlaskForm):
    email = EmailField(
        "Email",
        validators=[InputRequired("Enter the person's email."),
                    Email("Enter a valid email address."), Length(max=254)],
        filters=[strip],
        render_kw={"autocomplete": "off", "maxlength": 254},
    )
    name = StringField(
        "Full name",
        validators=[InputRequired("Enter the person's name."), Length(max=120)],
        filters=[strip],
        render_kw={"autocomplete": "off", "maxlength": 120},
    )


class RosterForm(FlaskForm):
    roster = FileField(
        "Roster (CSV with columns email,name)",
        validators=[FileRequired("Choose a CSV file."),
                    FileAllowed(["csv", "txt"], "The roster must be a .csv file.")],
    )


class ActionForm(FlaskForm):
    """A button that changes something: CSRF only."""
