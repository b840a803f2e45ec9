"""Moodle GIFT import and export of quiz questions (a pure module: no app, no database)."""

from __future__ import annotations

import pytest

from champion.content.model import Choice, Question
from champion.quizzes.gift import parse_gift, to_gift


def parse_one(text: str) -> Question:
    questions, problems = parse_gift(text)
    assert problems == []
    assert len(questions) == 1
    return questions[0]


def answers(question: Question) -> list[tuple[str, bool]]:
    return [(choice.text, choice.correct) for choice in question.choices]


def essence(questions) -> list:
    """What a learner sees and is graded on: everything but line numbers."""
    return [
        (
            q.prompt,
            [(c.text, c.correct, c.feedback) for c in q.choices],
            q.explanation,
        )
        for q in questions
    ]


def q(prompt, *choices, explanation=None) -> Question:
    return Question(
        prompt=prompt,
        choices=tuple(
            Choice(text=c[0], correct=c[1], feedback=c[2] if len(c) > 2 else None, line=0)
            for c in choices
        ),
        explanation=explanation,
        line=0,
    )


# --- import -----------------------------------------------------------------------------


def test_single_answer_question_with_line_numbers():
    question = parse_one(
        "Who is buried in Grant's tomb?{\n"
        "  ~Grant\n"
        "  =No one\n"
        "  ~Jefferson\n"
        "}\n"
    )
    assert question.prompt == "Who is buried in Grant's tomb?"
    assert answers(question) == [("Grant", False), ("No one", True), ("Jefferson", False)]
    assert not question.multiple
    assert question.line == 1
    assert [choice.line for choice in question.choices] == [2, 3, 4]
    assert question.explanation is None
    assert all(choice.feedback is None for choice in question.choices)


def test_answers_on_one_line():
    question = parse_one("Capital of Canada? { ~Toronto =Ottawa ~Montreal }")
    assert question.prompt == "Capital of Canada?"
    assert answers(question) == [("Toronto", False), ("Ottawa", True), ("Montreal", False)]


def test_title_and_format_markers_are_dropped():
    question = parse_one(
        "::Opioids 1::[markdown]Which is **first line**?{\n"
        "=[html]<em>Morphine</em>#[plain]Yes.\n"
        "~[markdown]Fentanyl patch\n"
        "####[html]<p>Start low, go slow.</p>\n"
        "}"
    )
    assert question.prompt == "Which is **first line**?"
    assert answers(question) == [("<em>Morphine</em>", True), ("Fentanyl patch", False)]
    assert question.choices[0].feedback == "Yes."
    assert question.explanation == "<p>Start low, go slow.</p>"
    assert "Opioids" not in question.prompt


def test_positive_weights_are_the_correct_set_and_partial_credit_is_dropped():
    question = parse_one(
        "Common causes of nausea in bowel obstruction?{\n"
        "~%50%Mechanical obstruction\n"
        "~%50%Opioids\n"
        "~%-100%Anemia\n"
        "~%0%Hypothermia\n"
        "}"
    )
    assert answers(question) == [
        ("Mechanical obstruction", True),
        ("Opioids", True),
        ("Anemia", False),
        ("Hypothermia", False),
    ]
    assert question.multiple  # the learner must pick exactly the two positive choices


def test_decimal_weights_and_a_single_positive_weight():
    thirds = parse_one("Pick three{~%33.33333%a ~%33.33333%b ~%33.33334%c ~%-100%d}")
    assert answers(thirds) == [("a", True), ("b", True), ("c", True), ("d", False)]
    one = parse_one("Pick{~%100%right ~%-50%wrong ~wrong too}")
    assert answers(one) == [("right", True), ("wrong", False), ("wrong too", False)]
    assert not one.multiple


def test_a_partly_weighted_choice_in_a_single_answer_question_is_wrong():
    question = parse_one("Best first step?{=Ask ~%50%Tell ~Wait}")
    assert answers(question) == [("Ask", True), ("Tell", False), ("Wait", False)]


def test_choice_feedback_and_general_feedback():
    question = parse_one(
        "Best opening?{\n"
        '  ~"Nothing more can be done."#Avoid: it sounds like abandonment.\n'
        '  ="What do you understand so far?"#Yes: ask before you tell.\n'
        "  ####Ask-Tell-Ask: elicit her understanding first.\n"
        "}"
    )
    assert [choice.feedback for choice in question.choices] == [
        "Avoid: it sounds like abandonment.",
        "Yes: ask before you tell.",
    ]
    assert question.explanation == "Ask-Tell-Ask: elicit her understanding first."


def test_escaped_characters_and_line_breaks():
    question = parse_one(
        r"Solve 2 \= 1 + 1\: what is \{x\} \~ \#1?\nSecond line, a \\ and a Markdown \*{"
        "\n"
        r"=x \= 2#Right\: \{2\}"
        "\n"
        r"~x \~ 3 \#odd"
        "\n"
        r"####Note\: 1\n2"
        "\n}"
    )
    assert question.prompt == (
        "Solve 2 = 1 + 1: what is {x} ~ #1?\nSecond line, a \\ and a Markdown \\*"
    )
    assert answers(question) == [("x = 2", True), ("x ~ 3 #odd", False)]
    assert question.choices[0].feedback == "Right: {2}"
    assert question.explanation == "Note: 1\n2"


def test_comment_lines_are_ignored_and_do_not_split_a_question():
    questions, problems = parse_gift(
        "// A bank of questions\n"
        "// written by hand\n"
        "Which drug?{\n"
        "// the right one\n"
        "=Haloperidol\n"
        "    // a wrong one\n"
        "~Lorazepam\n"
        "}\n"
    )
    assert problems == []
    assert answers(questions[0]) == [("Haloperidol", True), ("Lorazepam", False)]
    assert questions[0].line == 3  # the first line that isn't a comment
    assert [choice.line for choice in questions[0].choices] == [5, 7]


def test_questions_are_separated_by_blank_lines():
    questions, problems = parse_gift(
        "First?{=a ~b}\n"
        "\n"
        "\n"
        "Second?{\n"
        "~c\n"
        "=d\n"
        "}\n"
        "   \n"
        "Third?{~e =f}"
    )
    assert problems == []
    assert [question.prompt for question in questions] == ["First?", "Second?", "Third?"]
    assert [question.line for question in questions] == [1, 4, 9]
    assert [choice.line for choice in questions[1].choices] == [5, 6]


def test_multi_line_question_text():
    question = parse_one(
        "A 58-year-old with recurrent ovarian cancer asks\n"
        "whether more chemotherapy will cure her.\n"
        "Which response best begins the conversation?\n"
        "{=Ask what she understands ~Quote survival figures}"
    )
    assert question.prompt == (
        "A 58-year-old with recurrent ovarian cancer asks\n"
        "whether more chemotherapy will cure her.\n"
        "Which response best begins the conversation?"
    )


def test_missing_word_question_keeps_the_text_after_the_braces():
    question = parse_one("Grant is {~buried =entombed ~living} in Grant's tomb.")
    assert question.prompt == "Grant is _____ in Grant's tomb."
    assert answers(question) == [("buried", False), ("entombed", True), ("living", False)]


def test_a_moodle_export_with_categories_and_html():
    questions, problems = parse_gift(
        "// question: 0  name: Switch category to $course$/top/Default for Palliative\n"
        "$CATEGORY: $course$/top/Default for Palliative\n"
        "\n"
        "\n"
        "// question: 41  name: Nausea\n"
        "::Nausea::[html]<p>Which are causes of nausea?</p>{\n"
        "\t~%50%<p>Opioids</p>\n"
        "\t~%50%<p>Hypercalcemia</p>\n"
        "\t~%-100%<p>Anemia</p>#<p>Causes fatigue rather.</p>\n"
        "\t####<p>Think <b>drugs</b> and metabolic causes.</p>\n"
        "}\n"
        "\n"
        "\n"
        "// question: 42  name: Grant\n"
        "::Grant::[html]<p>Who's buried in Grant\\'s tomb?</p>{\n"
        "\t=<p>No one</p>\n"
        "\t~<p>Grant</p>\n"
        "}\n"
    )
    assert problems == []
    assert len(questions) == 2  # the category is not a question
    nausea, grant = questions
    assert nausea.prompt == "<p>Which are causes of nausea?</p>"
    assert answers(nausea) == [
        ("<p>Opioids</p>", True),
        ("<p>Hypercalcemia</p>", True),
        ("<p>Anemia</p>", False),
    ]
    assert nausea.choices[2].feedback == "<p>Causes fatigue rather.</p>"
    assert nausea.explanation == "<p>Think <b>drugs</b> and metabolic causes.</p>"
    assert nausea.line == 6
    assert grant.line == 15
    assert grant.prompt == "<p>Who's buried in Grant\\'s tomb?</p>"  # unknown escape kept


def test_windows_line_endings_and_byte_order_mark():
    questions, problems = parse_gift("\ufeffFirst?\r\n{=a ~b}\r\n\r\nSecond?{~c =d}\r\n")
    assert problems == []
    assert [question.prompt for question in questions] == ["First?", "Second?"]
    assert [question.line for question in questions] == [1, 4]


def test_an_empty_file_has_no_questions_and_no_problems():
    assert parse_gift("") == ([], [])
    assert parse_gift("// only a comment\n\n\n") == ([], [])


# --- refusals ---------------------------------------------------------------------------

ONLY_MC = "only multiple-choice questions can be imported"


@pytest.mark.parametrize(
    ("gift", "problem"),
    [
        ("Grant was born in 1822.{T}", f"is a true/false question; {ONLY_MC}"),
        ("Grant was born in 1900.{FALSE#He was born in 1822.}",
         f"is a true/false question; {ONLY_MC}"),
        ("Who is buried in Grant's tomb?{=no one =nobody}",
         f"is a short-answer question; {ONLY_MC}"),
        ("When was Grant born?{#1822:5}", f"is a numerical question; {ONLY_MC}"),
        ("Match the capitals.{=Canada -> Ottawa =Italy -> Rome =Japan -> Tokyo}",
         f"is a matching question; {ONLY_MC}"),
        ("Describe your approach to a family meeting.{}", f"is an essay question; {ONLY_MC}"),
        ("Reflect on a death you witnessed.{####Consider your own grief.}",
         f"is an essay question; {ONLY_MC}"),
        ("You are about to start the quiz.",
         f"is a description (it has no answers in braces); {ONLY_MC}"),
        ("Which?{=a ~b", r"has unbalanced braces; write a literal { or } as \{ or \}"),
        ("Which?=a ~b}", r"has unbalanced braces; write a literal { or } as \{ or \}"),
        ("Pick {=a ~b} and {=c ~d}",
         r"has more than one answer block in braces; write a literal { or } as \{ or \}"),
        ("Which?{~a ~b ~c}", "has no correct choice"),
        ("Which?{~%-50%a ~%0%b}", "has no correct choice"),
        ("Which?{=Ottawa}", f"is a short-answer question; {ONLY_MC}"),
        ("Which?{~Ottawa}", "has fewer than two choices"),
        ("Which?{~%100%a}", "has fewer than two choices"),
        ("::Title only::{=a ~b}", "has no question text"),
        ("Which?{=a =b ~c}",
         "marks more than one answer with '=' (in Moodle any one of them is right); "
         "keep one '=', or give each correct choice a weight such as ~%50% "
         "to make a select-all question"),
    ],
)
def test_questions_we_cannot_represent_are_skipped_with_a_located_problem(gift, problem):
    questions, problems = parse_gift(f"First?{{=a ~b}}\n\n// why not\n{gift}\n\nLast?{{~c =d}}")
    assert problems == [f"line 4: question 2 {problem}"]
    assert [question.prompt for question in questions] == ["First?", "Last?"]
    assert questions[1].line == 6


def test_an_empty_choice_is_reported_at_its_line():
    questions, problems = parse_gift("Intro?{=a ~b}\n\nWhich?{\n=right\n~\n~wrong\n}")
    assert problems == ["line 5: question 2 has an empty choice"]
    assert [question.prompt for question in questions] == ["Intro?"]


def test_every_bad_question_is_reported_at_once():
    _, problems = parse_gift(
        "One?{T}\n"
        "\n"
        "Two?{=a ~b}\n"
        "\n"
        "$CATEGORY: $course$/top/Other\n"
        "\n"
        "Three?\n"
        "{#42}\n"
        "\n"
        "Four?{~a ~b}\n"
    )
    assert problems == [
        f"line 1: question 1 is a true/false question; {ONLY_MC}",
        f"line 7: question 3 is a numerical question; {ONLY_MC}",
        "line 10: question 4 has no correct choice",
    ]


# --- export -----------------------------------------------------------------------------


def test_export_single_answer_question():
    gift = to_gift([
        q("Best opening?",
          ("Quote survival figures", False, "Too soon."),
          ("Ask what she understands", True),
          explanation="Ask before you tell."),
    ])
    assert gift == (
        "::Q1::[markdown]Best opening?{\n"
        "\t~Quote survival figures#Too soon.\n"
        "\t=Ask what she understands\n"
        "\t####Ask before you tell.\n"
        "}\n"
    )


def test_export_select_all_questions_with_weights():
    gift = to_gift([
        q("Causes?", ("Opioids", True), ("Anemia", False), ("Obstruction", True)),
        q("Three?", ("a", True), ("b", True), ("c", True), ("d", False)),
    ])
    assert gift == (
        "::Q1::[markdown]Causes?{\n"
        "\t~%50%Opioids\n"
        "\t~%-100%Anemia\n"
        "\t~%50%Obstruction\n"
        "}\n"
        "\n"
        "::Q2::[markdown]Three?{\n"
        "\t~%33.33333%a\n"
        "\t~%33.33333%b\n"
        "\t~%33.33333%c\n"
        "\t~%-100%d\n"
        "}\n"
    )


@pytest.mark.parametrize(
    ("correct", "weight"),
    [(2, "50"), (3, "33.33333"), (4, "25"), (6, "16.66667"), (7, "14.28571"), (8, "12.5")],
)
def test_export_weights_split_100_among_the_correct_choices(correct, weight):
    choices = [(f"yes {i}", True) for i in range(correct)] + [("no", False)]
    lines = to_gift([q("Which?", *choices)]).splitlines()
    assert lines[1:-2] == [f"\t~%{weight}%yes {i}" for i in range(correct)]
    assert lines[-2] == "\t~%-100%no"


def test_export_escapes_special_characters():
    gift = to_gift([
        q("Is 1 + 1 = 2? See {x}: ~ #1",
          ("Yes = right", True, "Note: #1"),
          ("No ~ {wrong}", False),
          explanation="a:b"),
    ])
    assert gift == (
        "::Q1::[markdown]Is 1 + 1 \\= 2? See \\{x\\}\\: \\~ \\#1{\n"
        "\t=Yes \\= right#Note\\: \\#1\n"
        "\t~No \\~ \\{wrong\\}\n"
        "\t####a\\:b\n"
        "}\n"
    )


def test_export_leaves_markdown_backslash_escapes_readable():
    gift = to_gift([q("2 \\* 3 and C:\\new\\", ("a \\_b", True), ("c", False))])
    first = gift.splitlines()[0]
    # \* stays as it is; a backslash before "n" or at the end must be doubled.
    assert first == "::Q1::[markdown]2 \\* 3 and C\\:\\\\new\\\\{"
    assert "\t=a \\_b" in gift


def test_export_keeps_a_multi_paragraph_prompt_in_one_question():
    prompt = (
        "A 58-year-old asks about more chemotherapy.\n"
        "She is tired.\n"
        "\n"
        "Which response is best?\n"
        "\n"
        "- one\n"
        "  - nested\n"
        "// not a comment"
    )
    gift = to_gift([q(prompt, ("Ask", True), ("Tell", False))])
    assert gift.startswith(
        "::Q1::[markdown]A 58-year-old asks about more chemotherapy.\n"
        "She is tired.\\n\n"
        "Which response is best?\\n\n"
        "- one\\n  - nested\\n// not a comment{\n"
    )
    assert "\n\n" not in gift  # no blank line inside the question
    assert essence(parse_gift(gift)[0]) == essence([q(prompt, ("Ask", True), ("Tell", False))])


def test_export_of_nothing_is_empty():
    assert to_gift([]) == ""


def test_exported_questions_are_numbered_and_separated_by_blank_lines():
    gift = to_gift([q(f"Q{n}?", ("a", True), ("b", False)) for n in range(1, 4)])
    blocks = gift.strip("\n").split("\n\n")
    assert [block.split("]", 1)[0] for block in blocks] == [
        "::Q1::[markdown", "::Q2::[markdown", "::Q3::[markdown",
    ]


# --- round trip -------------------------------------------------------------------------

ROUND_TRIP = [
    q("Which response best begins the conversation?",
      ('"There\'s nothing more we can do."', False, "This closes the conversation."),
      ('"Can you tell me what you understand about where things are?"', True),
      ('"Let\'s focus on the next scan."', False),
      explanation="Ask-Tell-Ask: start by eliciting her understanding."),
    q("Which are common causes of nausea in malignant bowel obstruction?\n"
      "Select all that apply.",
      ("Mechanical obstruction", True),
      ("Opioids", True, "Review the **opioid** dose."),
      ("Anemia", False, "Anemia causes fatigue and dyspnea more than nausea.")),
    q("Rules: a = b; {sets}; ~approx; #tag; ratio 1:2; path C:\\temp\\n; \\*stars\\*",
      ("x = 1 ~ y", True, "See {ref}: #3"),
      ("a::b", False),
      ("%50% of patients", False, "%~=#{}:"),
      explanation="Score = 100% when {all} match: ~ #"),
    q("**Case.** A 62-year-old with platinum-resistant disease.\n"
      "\n"
      "Her daughter asks:\n"
      "\n"
      "> Is it time for hospice?\n"
      "\n"
      "    code block line\n"
      "- list item  \n"
      "  continued with a hard break above\n"
      "\n"
      "\n"
      "Which steps come first?",
      ("Explore what *hospice* means to her", True, "Line one\n\nline two"),
      ("Arrange a family meeting", True),
      ("Refer to oncology", True),
      ("Say it is too early", False),
      explanation="First:\n\n1. ask\n2. listen"),
    q("Ends with a backslash \\", ("one \\", True), ("two\\\\", False)),
]


def test_round_trip_gives_back_the_same_questions():
    questions, problems = parse_gift(to_gift(ROUND_TRIP))
    assert problems == []
    assert essence(questions) == essence(ROUND_TRIP)
    assert [question.multiple for question in questions] == [False, True, False, True, False]


def test_round_trip_of_a_moodle_file_is_stable():
    source = (
        "::A::Grant is {~buried =entombed#Yes ~living} in Grant's tomb.\n"
        "\n"
        "Which?{~%50%a ~%50%b ~%-100%c ####Both a and b.}\n"
    )
    first, problems = parse_gift(source)
    assert problems == []
    again, problems = parse_gift(to_gift(first))
    assert problems == []
    assert essence(again) == essence(first)


def test_pinned_choices_and_see_lines_round_trip_through_gift():
    question = Question(
        prompt="What helps first?",
        choices=(Choice("A fan", True, None, 0), Choice("Oxygen", False, None, 0),
                 Choice("None of these", False, None, 0, pinned=True)),
        explanation="A fan on the face.", line=0, see="Treating breathlessness")
    text = to_gift([question])
    assert "// see: Treating breathlessness\n" in text and "None of these \\{last\\}" in text
    [again], problems = parse_gift(text)
    assert problems == []
    assert again.see == "Treating breathlessness"
    assert [(c.text, c.pinned) for c in again.choices] == [
        ("A fan", False), ("Oxygen", False), ("None of these", True)]


def test_a_gift_file_has_limits_on_size_questions_and_choices():
    from champion.content.limits import MAX_CHOICES, MAX_QUESTIONS, MAX_TEXT

    question = "Q{n}? {{=Yes ~No}}\n\n"
    many = "".join(question.format(n=n) for n in range(1, MAX_QUESTIONS + 3))
    questions, problems = parse_gift(many)
    assert questions == []  # refused whole
    assert problems == [f"line {2 * MAX_QUESTIONS + 1}: question {MAX_QUESTIONS + 1}: a quiz "
                        f"holds at most {MAX_QUESTIONS} questions"]
    wide = "Q?\n{=Yes\n" + "".join(f"~No {n}\n" for n in range(MAX_CHOICES)) + "}\n"
    assert parse_gift(wide) == ([], [f"line {MAX_CHOICES + 2}: question 1 has more than "
                                     f"{MAX_CHOICES} choices"])
    assert parse_gift("x" * (MAX_TEXT + 1)) == ([], [
        f"line 1: the file is {MAX_TEXT + 1:,} characters long; the limit is {MAX_TEXT:,}"])
