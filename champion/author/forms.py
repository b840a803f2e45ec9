"""Forms of the authoring area: module metadata and body, the quiz editor, imports."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from champion.auth.forms import strip

SLUG_RULE = Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                   message="Use lowercase words joined by -, e.g. pain-basics.")


class NewModuleForm(FlaskForm):
    series = SelectField("Series", choices=[])
    title = StringField("Title", validators=[InputRequired("Give the module a title."),
                                             Length(max=300)], filters=[strip])
    slug = StringField("Short name (in its address)",
                       validators=[InputRequired("Give the module a short name."),
                                   Length(max=100), SLUG_RULE], filters=[strip])
    duration = IntegerField("Duration (minutes)", default=15, validators=[
        InputRequired("Give the expected duration in minutes."),
        NumberRange(1, 240, "Between 1 and 240 minutes.")])


class ModuleEditForm(FlaskForm):
    title = StringField("Title", validators=[InputRequired("Give the module a title."),
                                             Length(max=300)], filters=[strip])
    duration = IntegerField("Duration (minutes)", validators=[
        InputRequired("Give the expected duration in minutes."),
        NumberRange(1, 240, "Between 1 and 240 minutes.")])
    summary = StringField("One-line summary", validators=[Length(max=500)], filters=[strip])
    objectives = TextAreaField("Learning objectives (one a line)", filters=[strip],
                               validators=[Length(max=5_000)],
                               render_kw={"rows": 4})
    pass_mark = IntegerField("Pass mark (%)", default=80, validators=[
        InputRequired("Give the pass mark."), NumberRange(1, 100, "Between 1 and 100.")])
    required = BooleanField("Required (counts toward series completion and badges)")
    video = StringField("Video (an https:// address, or media/… for an uploaded file)",
                        validators=[Optional(), Length(max=1000)], filters=[strip])
    captions = StringField("Captions for the video (media/… WebVTT .vtt file)",
                           validators=[Optional(), Length(max=500)], filters=[strip])
    slides = StringField("Slides to download (media/… PDF)",
                         validators=[Optional(), Length(max=500)], filters=[strip])
    body = TextAreaField(
        "Presentation (Markdown: a line holding only --- between blank lines starts a slide; "
        "<!-- comments --> are presenter notes)",
        validators=[InputRequired("Write the presentation."), Length(max=200_000)],
        render_kw={"rows": 24, "data-preview": "body-preview"})
    references = TextAreaField("References (Markdown)", validators=[Length(max=50_000)],
                               render_kw={
        "rows": 6, "data-preview": "references-preview"})
    case_title = StringField("Case discussion guide: title", validators=[Length(max=300)],
                             filters=[strip])
    case_body = TextAreaField("Case discussion guide (Markdown; leave empty for none)",
                              validators=[Length(max=100_000)],
                              render_kw={"rows": 10, "data-preview": "case-preview"})


class ChoiceForm(Form):
    text = StringField("Choice", filters=[strip], validators=[Length(max=1000)],
                       render_kw={"maxlength": 1000})
    correct = BooleanField("Correct")
    pinned = BooleanField("Keep last")  # when choices are shuffled ("None of these")
    feedback = TextAreaField("Feedback for learners who pick it (optional)", filters=[strip],
                             validators=[Length(max=5000)], render_kw={"rows": 1})


class QuestionForm(Form):
    prompt = TextAreaField("Question (Markdown)", filters=[strip],
                           validators=[Length(max=10_000)], render_kw={"rows": 3})
    choices = FieldList(FormField(ChoiceForm))
    explanation = TextAreaField("Explanation, shown after submitting (Markdown)",
                                filters=[strip], validators=[Length(max=10_000)],
                                render_kw={"rows": 2})
    see = StringField("Taught under the heading (optional: a learner who misses the question "
                      "is sent to that slide)", filters=[strip], validators=[Length(max=300)],
                      render_kw={"maxlength": 300})


class QuizEditForm(FlaskForm):
    questions = FieldList(FormField(QuestionForm))


class GiftImportForm(FlaskForm):
    gift = FileField("GIFT file (.gift or .txt)", validators=[FileRequired("Choose a file.")])
    mode = RadioField("Questions", default="append", choices=[
        SelectChoice("append", "Add them after the existing questions"),
        SelectChoice("replace", "Replace the existing questions")])


class MediaForm(FlaskForm):
    file = FileField("Image (PNG, JPEG, GIF, WebP), slides (PDF) or captions (WebVTT .vtt)",
                     validators=[FileRequired("Choose a file.")])
