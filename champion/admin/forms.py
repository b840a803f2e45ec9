"""Administration forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from champion.auth.forms import strip, valid_email
from champion.auth.models import Role


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=[SelectChoice(r.value, r.value.title()) for r in Role])
    # Choices are the departments, set by the view; a lead must lead at least one.
    departments = SelectMultipleField("Departments they lead (for the lead role)",
                                      coerce=int, choices=[],
                                      widget=ListWidget(prefix_label=False),
                                      option_widget=CheckboxInput())


class DepartmentForm(FlaskForm):
    slug = StringField(
        "Short name (in links)",
        validators=[InputRequired("Enter a short name."), Length(max=64),
                    Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                           message="Use lowercase words joined by -, e.g. gyn-onc.")],
        filters=[strip],
    )
    name = StringField("Name", validators=[InputRequired("Enter the name."), Length(max=200)],
                       filters=[strip])


class RenameForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired("Enter the name."), Length(max=200)],
                       filters=[strip])


class PersonNameForm(FlaskForm):
    name = StringField("Full name", validators=[InputRequired("Enter the name."),
                                                Length(max=120)], filters=[strip])


class LeadForm(FlaskForm):
    email = EmailField(
        "Email of the lead",
        validators=[InputRequired("Enter the email of an existing account."),
                    valid_email, Length(max=254)],
        filters=[strip],
    )


class PersonEmailForm(FlaskForm):
    email = EmailField("Email", validators=[InputRequired("Enter the email address."),
                                            valid_email, Length(max=254)], filters=[strip],
                       render_kw={"autocomplete": "off", "maxlength": 254})
