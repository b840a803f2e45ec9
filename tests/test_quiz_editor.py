"""The quiz editor's pure helpers: editor data, buttons, checking, field errors."""

from __future__ import annotations

from champion.author.quiz_editor import (
    apply_action,
    editor_data,
    field_problems,
    questions_from,
)
from champion.content import Choice, Question


def question(prompt="Q?", choices=(("A", True), ("B", False)), explanation=None):
    return {"prompt": prompt, "explanation": explanation or "",
            "choices": [{"text": t, "correct": c, "feedback": ""} for t, c in choices]}


def test_buttons_add_remove_and_move_questions_and_choices():
    data = [question("one"), question("two")]
    assert [q["prompt"] for q in apply_action(data, "down:0")] == ["two", "one"]
    assert [q["prompt"] for q in apply_action(data, "up:1")] == ["one", "two"]
    assert [q["prompt"] for q in apply_action(data, "up:0")] == ["one", "two"]  # already first
    apply_action(data, "add-choice:1")
    assert len(data[1]["choices"]) == 3 and data[1]["choices"][2]["text"] == ""
    apply_action(data, "remove-choice:1,0")
    assert [c["text"] for c in data[1]["choices"]] == ["B", ""]
    apply_action(data, "add-question")
    assert len(data) == 3 and len(data[2]["choices"]) == 2
    apply_action(data, "remove-question:0")
    assert [q["prompt"] for q in data] == ["two", ""]


def test_buttons_naming_what_is_not_there_change_nothing():
    data = [question("one")]
    for action in ("remove-question:5", "down:9", "add-choice:3", "remove-choice:0,7",
                   "remove-choice:4,0", "bogus:1", "up:x"):
        assert apply_action(data, action) == [question("one")], action


def test_checked_questions_name_each_problem_by_question_and_choice():
    data = [
        question("", choices=(("A", False), ("B", False))),
        {"prompt": "Two", "explanation": "", "choices": [
            {"text": "", "correct": True, "feedback": ""},
            {"text": "", "correct": False, "feedback": ""}]},
    ]
    _, errors = questions_from(data)
    assert errors == [
        "Question 1: write the question.",
        "Question 1: mark at least one choice as correct.",
        "Question 2, choice 1: the choice has no text.",
        "Question 2: give at least two choices.",
    ]


def test_blank_rows_are_dropped_and_text_is_tidied():
    data = [{"prompt": " Which? ", "explanation": " Because. ", "choices": [
        {"text": " A   first ", "correct": True, "feedback": " Yes "},
        {"text": "B", "correct": False, "feedback": ""},
        {"text": "", "correct": False, "feedback": ""}]}]
    questions, errors = questions_from(data)
    assert errors == []
    assert questions == [Question(prompt="Which?", explanation="Because.", line=0, choices=(
        Choice("A first", True, "Yes", 0), Choice("B", False, None, 0)))]


def test_editor_data_round_trips_through_the_checker():
    class Parsed:
        questions = (Question(prompt="P", explanation="E", line=3, choices=(
            Choice("x", False, "no", 4), Choice("y", True, None, 5))),)

    data = editor_data(Parsed())["questions"]
    questions, errors = questions_from(data)
    assert errors == []
    assert [(c.text, c.correct, c.feedback) for c in questions[0].choices] == [
        ("x", False, "no"), ("y", True, None)]


def test_field_problems_name_question_and_choice():
    assert field_problems([
        (1, "prompt", ["Field cannot be longer than 5000 characters."]),
        (2, "choices", {3: {"text": ["Too long."]}}),
    ]) == [
        "Question 1 (the question): Field cannot be longer than 5000 characters.",
        "Question 2, choice 3 (the choice's text): Too long.",
    ]


def test_pinned_choices_and_see_headings_survive_the_editor():
    from types import SimpleNamespace

    original = Question("Which?", (Choice("A", True, None, 3), Choice("B", False, None, 4),
                                   Choice("None of these", False, None, 5, pinned=True)),
                        "Because.", 2, see="Responding to emotion")
    data = editor_data(SimpleNamespace(questions=(original,)))["questions"]
    [again], errors = questions_from(data)
    assert errors == []
    assert again.see == "Responding to emotion"
    assert [(c.text, c.pinned) for c in again.choices] == [
        ("A", False), ("B", False), ("None of these", True)]


def test_the_editor_holds_so_many_questions_and_choices():
    from champion.content.limits import MAX_CHOICES, MAX_QUESTIONS

    assert questions_from([question()] * (MAX_QUESTIONS + 1)) == (
        [], [f"Question {MAX_QUESTIONS + 1}: a quiz holds at most {MAX_QUESTIONS} questions."])
    wide = question(choices=[("A", True)] + [(f"B{n}", False) for n in range(MAX_CHOICES)])
    assert questions_from([question(), wide])[1] == [
        f"Question 2: a question has at most {MAX_CHOICES} choices."]
    assert questions_from([question()] * MAX_QUESTIONS)[1] == []
