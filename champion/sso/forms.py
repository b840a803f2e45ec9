"""The department mapping form (admins)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length

from champion.auth.forms import strip


class MappingForm(FlaskForm):
    value = StringField("Claim value", validators=[
        InputRequired("Enter the value, exactly as the identity provider sends it."),
        Length(max=200)], filters=[strip])
    department = SelectField("Department", coerce=int,
                             validate_choice=True)
