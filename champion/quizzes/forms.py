"""The quiz form, built for one module version: a field per question.

Choice values name their question (``q2-c3``), so an answer smuggled in from another
question, or made up, is caught and named rather than silently graded.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Hashable
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeTimedSerializer
from wtforms import Field, HiddenField, RadioField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation, ValidationError

_VALUE = re.compile(r"^q(\d+)-c(\d+)$")


def choice_value(question: int, choice: int) -> str:
    """The form value of a choice (both indexes 0-based; the value is 1-based)."""
    return f"q{question + 1}-c{choice + 1}"


class _QuestionField:
    """Shared checks for both kinds of question field."""

    question_number: int
    multiple: bool

    def _check(self: Any, values: list[str]) -> None:
        if not values:
            raise StopValidation(
                f"Question {self.question_number}: choose "
                + ("at least one answer." if self.multiple else "an answer.")
            )
        allowed = {choice.value for choice in self.choices}
        for value in values:
            if value in allowed:
                continue
            match = _VALUE.match(value or "")
            if match and int(match[1]) != self.question_number:
                raise StopValidation(
                    f"Question {self.question_number}: that answer belongs to question "
                    f"{match[1]}. Choose from this question's answers."
                )
            raise StopValidation(
                f"Question {self.question_number}: that isn't one of the answers offered."
            )
        if not self.multiple and len(values) > 1:
            raise StopValidation(f"Question {self.question_number}: choose only one answer.")


class SingleAnswerField(_QuestionField, RadioField):
    multiple = False

    def pre_validate(self, form) -> None:
        self._check(list(self.raw_data or []))


class MultipleAnswerField(_QuestionField, SelectMultipleField):
    multiple = True

    def pre_validate(self, form) -> None:
        self._check(list(self.raw_data or []))


# How long a quiz page may sit open and still be graded against the version it showed,
# once a newer version is live (the current version needs no such proof).
ISSUED_FORM_LIFETIME = timedelta(hours=12)


def _issued_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="champion.quiz-form")


def issue_version_token(user_id: int, module_id: int, version_id: int) -> str:
    """Proof that this learner was shown this version of this module's quiz, and when."""
    return _issued_serializer().dumps([user_id, module_id, version_id])


def issued_version(token: str, user_id: int, module_id: int) -> int | None:
    """The version a recently issued form showed this learner for this module, else None."""
    try:
        data = _issued_serializer().loads(
            token, max_age=int(ISSUED_FORM_LIFETIME.total_seconds()))
    except BadSignature:
        return None
    if not (isinstance(data, list) and len(data) == 3 and data[:2] == [user_id, module_id]
            and isinstance(data[2], int)):
        return None
    return data[2]


class QuizForm(FlaskForm):
    version = HiddenField()
    issued = HiddenField()  # signed: lets an answer to a superseded version be graded
    submission = HiddenField()  # a one-time key: the same form posted twice is one attempt

    def question_fields(self) -> list[Field]:
        return [self[name] for name in self._question_names]

    def selections(self) -> dict[int, set[int]]:
        """Question index -> chosen choice indexes, from validated data."""
        chosen: dict[int, set[int]] = {}
        for index, field in enumerate(self.question_fields()):
            values = field.data if isinstance(field.data, list) else [field.data]
            chosen[index] = {int(_VALUE.match(v)[2]) - 1 for v in values if v}
        return chosen

    def validate_submission(self, field: HiddenField) -> None:
        if field.data and not re.fullmatch(r"[0-9a-f]{32}", field.data):
            raise ValidationError("The form was altered: reload the quiz and submit again.")

    def validate_version(self, field: HiddenField) -> None:
        if str(field.data) != str(self._version_id):
            raise ValidationError("This quiz changed while you were answering it.")


_FORM_CLASSES: dict[Hashable, type[QuizForm]] = {}
MAX_FORM_CLASSES = 256


def build_quiz_form(version_id: int, quiz: dict, cache_key: Hashable | None = None,
                    **kwargs: Any) -> QuizForm:
    """The form for ``quiz``; its class is made once per ``cache_key`` (a version that
    cannot change under that key), else every time (a preview of a draft)."""
    form_class = _FORM_CLASSES.get(cache_key) if cache_key is not None else None
    if form_class is None:
        form_class = _quiz_form_class(quiz)
        if cache_key is not None:
            if len(_FORM_CLASSES) >= MAX_FORM_CLASSES:
                _FORM_CLASSES.clear()
            _FORM_CLASSES[cache_key] = form_class
    form = form_class(**kwargs)
    form._version_id = version_id
    for number, name in enumerate(form._question_names, start=1):
        form[name].question_number = number
    if not form.is_submitted():
        form.version.data = str(version_id)
        form.submission.data = uuid.uuid4().hex
    return form


def _quiz_form_class(quiz: dict) -> type[QuizForm]:
    names: list[str] = []
    attrs: dict[str, Any] = {}
    for q_index, question in enumerate(quiz["questions"]):
        choices = [
            SelectChoice(choice_value(q_index, c_index), choice["html"])
            for c_index, choice in enumerate(question["choices"])
        ]
        multiple = sum(c["correct"] for c in question["choices"]) > 1
        field_class = MultipleAnswerField if multiple else SingleAnswerField
        name = f"q{q_index + 1}"
        attrs[name] = field_class(f"Question {q_index + 1}", choices=choices)
        names.append(name)
    return type("BoundQuizForm", (QuizForm,), {**attrs, "_question_names": names})
