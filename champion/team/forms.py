"""Forms for managing a department's members and invites."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import EmailField, IntegerField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from champion.auth.forms import strip, valid_email
from champion.departments.operations import INVITE_DAYS, INVITE_MAX_DAYS


class AddMemberForm(FlaskForm):
    email = EmailField(
        "Email",
        validators=[InputRequired("Enter the person's email."),
                    valid_email, Length(max=254)],
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


class InviteForm(FlaskForm):
    days = IntegerField(
        f"Works for (days; {INVITE_DAYS} if empty)",
        validators=[Optional(),
                    NumberRange(1, INVITE_MAX_DAYS,
                                f"Choose between 1 and {INVITE_MAX_DAYS} days.")],
        render_kw={"min": 1, "max": INVITE_MAX_DAYS, "inputmode": "numeric"},
    )
    max_uses = IntegerField(
        "Up to this many people (leave empty for no limit)",
        validators=[Optional(), NumberRange(1, 10000, "Choose between 1 and 10000 people.")],
        render_kw={"min": 1, "inputmode": "numeric"},
    )


class ActionForm(FlaskForm):
    """A button that changes something: CSRF only."""
