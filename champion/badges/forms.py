"""The programme evaluation asked before a certificate, and the revocation form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from champion.auth.forms import strip

RELEVANCE = [
    SelectChoice("5", "Highly relevant"),
    SelectChoice("4", "Relevant"),
    SelectChoice("3", "Somewhat relevant"),
    SelectChoice("2", "Slightly relevant"),
    SelectChoice("1", "Not relevant"),
]
YES_NO = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]
COMPETENCE = [
    SelectChoice("yes", "Yes: I know strategies I didn't know before"),
    SelectChoice("some", "Somewhat"),
    SelectChoice("no", "No"),
]
PERFORMANCE = [
    SelectChoice("yes", "Yes, I will change what I do"),
    SelectChoice("already", "No: I already practise this way"),
    SelectChoice("no", "No"),
]


class EvaluationForm(FlaskForm):
    relevance = RadioField(
        "How relevant was the programme to your practice?", choices=RELEVANCE,
        validators=[InputRequired("Choose how relevant the programme was.")])
    balanced = RadioField(
        "Was the content fair, balanced and based on evidence?", choices=YES_NO,
        validators=[InputRequired("Answer whether the content was balanced.")])
    free_of_commercial_bias = RadioField(
        "Was the programme free of commercial bias?", choices=YES_NO,
        validators=[InputRequired("Answer whether the programme was free of commercial bias.")])
    competence = RadioField(
        "Did the programme increase your competence: strategies you now know how to use "
        "in practice?", choices=COMPETENCE,
        validators=[InputRequired("Answer whether the programme increased your competence.")])
    performance = RadioField(
        "Will you change how you practise (your performance) because of it?",
        choices=PERFORMANCE,
        validators=[InputRequired("Answer whether you will change how you practise.")])
    practice_change = TextAreaField(
        "What will you change in your practice as a result?",
        validators=[InputRequired("Describe at least one change you will make."),
                    Length(max=2000)],
        filters=[strip], render_kw={"rows": 4, "maxlength": 2000})
    comments = TextAreaField(
        "Anything else the educators should know? (optional)",
        validators=[Length(max=2000)], filters=[strip],
        render_kw={"rows": 3, "maxlength": 2000})
    follow_up = BooleanField("Email me in 60 days to ask what has changed in my practice")


class RevokeForm(FlaskForm):
    reason = TextAreaField(
        "Reason (shown publicly on the verification page)",
        validators=[InputRequired("Give a reason for revoking the badge."), Length(max=500)],
        filters=[strip], render_kw={"rows": 2, "maxlength": 500})
    # Revocation can't be undone: one click is not enough.
    confirm = BooleanField(
        "I understand that revoking can't be undone, and that the holder is told by email",
        validators=[DataRequired("Tick the box to confirm: a revocation can't be undone.")])
