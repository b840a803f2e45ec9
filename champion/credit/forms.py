"""Forms of the credit pages: acknowledging disclosures, the profile, a claim."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from champion.auth.forms import strip
from champion.credit.professions import PROFESSIONS

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


class AcknowledgeForm(FlaskForm):
    """"I have read the disclosures": a button."""


class ProfileForm(FlaskForm):
    profession = SelectField(
        "Your profession", choices=[SelectChoice("", "Choose…")] + [
            SelectChoice(p.code, p.label) for p in PROFESSIONS.values()],
        validators=[InputRequired("Choose your profession.")])
    pars_consent = BooleanField(
        "I'm a physician and consent to the provider reporting my completions to ACCME's PARS "
        "(and through it to my certifying board)")
    board = StringField("Certifying board (e.g. American Board of Obstetrics and Gynecology)",
                        validators=[Optional(), Length(max=120)], filters=[strip])
    board_id = StringField("Board ID", validators=[Optional(), Length(max=40)], filters=[strip])
    birth_month = SelectField("Birth month", choices=[SelectChoice("", "—")] + [
        SelectChoice(str(i), m) for i, m in enumerate(MONTHS, start=1)],
        validators=[Optional()])
    birth_day = IntegerField("Birth day", validators=[
        Optional(), NumberRange(1, 31, "A day of the month is 1 to 31.")])


class ClaimForm(FlaskForm):
    credit_type = RadioField("Credit to claim", validators=[
        InputRequired("Choose the credit you claim.")])
    amount = StringField("Credit you claim (the time you actually spent)",
                         validators=[DataRequired("Give the credit you claim.")],
                         filters=[strip], render_kw={"inputmode": "decimal", "size": 6})
    attest = BooleanField("I attest that this is the time I actually spent on the activity",
                          validators=[DataRequired("Attest the time you spent.")])
    share_name = BooleanField("Show my name on the claim's public verification page")
