"""LTI forms: a platform registration (admins) and the deep-linking picker (instructors)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from champion.auth.forms import strip
from champion.lti.operations import PlatformFields


def _url_field(label: str) -> StringField:
    return StringField(label, validators=[InputRequired(f"Enter the {label.lower()}."),
                                          Length(max=500)], filters=[strip])


class PlatformForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired("Enter a name."), Length(max=120)],
                       filters=[strip])
    issuer = StringField("Issuer (platform ID)",
                         validators=[InputRequired("Enter the issuer."), Length(max=255)],
                         filters=[strip])
    client_id = StringField("Client ID", validators=[InputRequired("Enter the client ID."),
                                                     Length(max=255)], filters=[strip])
    auth_login_url = _url_field("Authentication request URL")
    token_url = _url_field("Access token URL")
    jwks_url = _url_field("Public keyset URL")
    deployment_ids = TextAreaField(
        "Deployment IDs", validators=[InputRequired("Enter at least one deployment ID."),
                                      Length(max=5000)])
    instructors_are_educators = BooleanField("Instructors in this platform become Champion "
                                             "educators")
    trust_emails = BooleanField("Trust this platform's email addresses: they link existing "
                                "Champion accounts and count as confirmed")

    def fields(self) -> PlatformFields:
        return PlatformFields(**{name: getattr(self, name).data
                                 for name in PlatformFields.__dataclass_fields__})


class DeepLinkForm(FlaskForm):
    picked = SelectMultipleField("Modules and series", choices=[], validate_choice=True,
                                 widget=ListWidget(prefix_label=False),
                                 option_widget=CheckboxInput())
