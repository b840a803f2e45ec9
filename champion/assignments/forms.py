"""The forms a lead uses to assign, change and withdraw, and to message the team."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from champion.assignments.models import KINDS
from champion.assignments.operations import MAX_NEW_MEMBER_DAYS
from champion.auth.forms import strip
from champion.catalog.live import live_catalog


class _Dates:
    starts_on = DateField("Start date (optional: shown to learners from this day)",
                          validators=[Optional()])
    due_on = DateField("Due date", validators=[InputRequired("Choose a due date.")])
    new_member_days = IntegerField(
        "For people who join later: due this many days after joining (optional)",
        validators=[Optional(), NumberRange(1, MAX_NEW_MEMBER_DAYS,
                                            f"Choose between 1 and {MAX_NEW_MEMBER_DAYS} days.")],
        render_kw={"min": 1, "max": MAX_NEW_MEMBER_DAYS, "inputmode": "numeric"})
    title = StringField("Title (optional: named after what is assigned)",
                        validators=[Optional(), Length(max=200)], filters=[strip],
                        render_kw={"maxlength": 200})


class AssignmentForm(_Dates, FlaskForm):
    kind = RadioField("What to assign", choices=[SelectChoice(k, v) for k, v in KINDS.items()],
                      default="series", validators=[InputRequired("Choose what to assign.")])
    series = SelectField("Series", validate_choice=False)
    badge = SelectField("Badge", validate_choice=False)
    modules = SelectMultipleField("Modules", validate_choice=False,
                                  widget=ListWidget(prefix_label=False),
                                  option_widget=CheckboxInput())
    audience = RadioField("Who", choices=[
        SelectChoice("everyone", "Everyone in the department, and people who join later"),
        SelectChoice("chosen", "Chosen members")],
                          default="everyone")
    members = TextAreaField("Chosen members' email addresses (one a line)",
                            validators=[Length(max=20000)], render_kw={"rows": 4})

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        live = live_catalog()
        self.series.choices = [SelectChoice(s.slug, s.title) for s in live.series]
        self.badge.choices = [SelectChoice(b.slug, b.name) for b in live.badges]
        self.modules.choices = [SelectChoice(f"{s.slug}/{m.slug}", f"{s.title}: {m.version.title}")
                                for s in live.series for m in live.modules[s.id]]


class EditAssignmentForm(_Dates, FlaskForm):
    pass


class MessageForm(FlaskForm):
    audience = RadioField("To", choices=[SelectChoice("everyone", "Everyone in the department"),
                                         SelectChoice("overdue",
                                                      "Only people with an overdue assignment")],
                          default="overdue")
    subject = StringField("Subject", validators=[InputRequired("Write a subject."),
                                                 Length(max=120)],
                          filters=[strip], render_kw={"maxlength": 120})
    body = TextAreaField("Message", validators=[InputRequired("Write a message."),
                                                Length(max=2000)],
                         filters=[strip], render_kw={"maxlength": 2000, "rows": 5})


class ButtonForm(FlaskForm):
    """A button that changes something: CSRF only."""
