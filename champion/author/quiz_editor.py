"""The browser quiz editor's pure helpers: from a parsed module to the editor's data, the
editor's buttons, and back to checked questions. No Flask, no database."""

from __future__ import annotations

from typing import Any

from champion.content import Choice, Question
from champion.content import Module as ModuleSource
from champion.content.limits import MAX_CHOICES, MAX_QUESTIONS

BLANK_CHOICE = {"text": "", "correct": False, "pinned": False, "feedback": ""}
# The editor's names for its fields, as its labels say them (never the form's field names).
FIELD_NAMES = {"prompt": "the question", "explanation": "the explanation",
               "see": "the heading that teaches it", "text": "the choice's text",
               "feedback": "the feedback", "correct": "correct", "pinned": "keep last"}


def editor_data(parsed: ModuleSource) -> dict[str, Any]:
    """The module's questions as the quiz editor's form data."""
    return {"questions": [
        {"prompt": q.prompt, "explanation": q.explanation or "", "see": q.see or "",
         "choices": [{"text": c.text, "correct": c.correct, "pinned": c.pinned,
                      "feedback": c.feedback or ""} for c in q.choices]}
        for q in parsed.questions]}


def field_problems(errors: list[tuple[int, str, list[str] | dict]]) -> list[str]:
    """Field errors as sentences naming the question (and choice).

    ``errors`` holds, for each question number, a field name and its messages; for the
    ``choices`` field the messages are ``{choice number: {field: [messages]}}``.
    """
    problems = []
    for number, name, messages in errors:
        if name == "choices":
            for index, fields in messages.items():
                for field_name, field_messages in fields.items():
                    where = FIELD_NAMES.get(field_name, field_name)
                    problems += [f"Question {number}, choice {index} ({where}): {m}"
                                 for m in field_messages]
        else:
            problems += [f"Question {number} ({FIELD_NAMES.get(name, name)}): {m}"
                         for m in messages]
    return problems


def apply_action(questions: list[dict], action: str) -> list[dict]:
    """Structural edits from the editor's buttons: add, remove, move.

    ``action`` is ``kind:n`` or ``kind:n,m`` with zero-based positions; an action naming
    a question or choice that isn't there changes nothing.
    """
    kind, _, rest = action.partition(":")
    numbers = [int(n) for n in rest.split(",") if n.isdigit()]
    if kind == "add-question":
        questions.append({"prompt": "", "explanation": "", "see": "",
                          "choices": [dict(BLANK_CHOICE), dict(BLANK_CHOICE)]})
    elif kind == "remove-question" and numbers and numbers[0] < len(questions):
        questions.pop(numbers[0])
    elif kind in ("up", "down") and numbers and numbers[0] < len(questions):
        i = numbers[0]
        j = i - 1 if kind == "up" else i + 1
        if 0 <= j < len(questions):
            questions[i], questions[j] = questions[j], questions[i]
    elif kind == "add-choice" and numbers and numbers[0] < len(questions):
        questions[numbers[0]]["choices"].append(dict(BLANK_CHOICE))
    elif kind == "remove-choice" and len(numbers) == 2 and numbers[0] < len(questions):
        choices = questions[numbers[0]]["choices"]
        if numbers[1] < len(choices):
            choices.pop(numbers[1])
    return questions


def questions_from(data: list[dict]) -> tuple[list[Question], list[str]]:
    """The editor's questions, checked; each problem names the question and the field.

    Entirely blank choices (no text, not marked, no feedback) are dropped: they are the
    editor's empty rows, not choices.
    """
    questions, errors = [], []
    if len(data) > MAX_QUESTIONS:
        return [], [f"Question {MAX_QUESTIONS + 1}: a quiz holds at most {MAX_QUESTIONS} "
                    "questions."]
    for number, item in enumerate(data, start=1):
        choices = [c for c in item["choices"] if (c.get("text") or "").strip()
                   or c.get("correct") or (c.get("feedback") or "").strip()]
        if not (item.get("prompt") or "").strip():
            errors.append(f"Question {number}: write the question.")
        for index, choice in enumerate(choices, start=1):
            if not (choice.get("text") or "").strip():
                errors.append(f"Question {number}, choice {index}: the choice has no text.")
        if len(choices) < 2:
            errors.append(f"Question {number}: give at least two choices.")
        elif len(choices) > MAX_CHOICES:
            errors.append(f"Question {number}: a question has at most {MAX_CHOICES} choices.")
        elif not any(c.get("correct") for c in choices):
            errors.append(f"Question {number}: mark at least one choice as correct.")
        questions.append(Question(
            prompt=(item.get("prompt") or "").strip(),
            choices=tuple(Choice(" ".join((c.get("text") or "").split()), bool(c.get("correct")),
                                 (c.get("feedback") or "").strip() or None, 0,
                                 pinned=bool(c.get("pinned"))) for c in choices),
            explanation=(item.get("explanation") or "").strip() or None, line=0,
            see=" ".join((item.get("see") or "").split()) or None))
    return questions, errors
