"""Limits on content (issue 14 #11): what would render in time is accepted, what would not
is refused at its line, and presenter notes are lifted in one pass."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from champion.content import load_content
from champion.content.limits import MAX_CHOICES, MAX_QUESTIONS, MAX_TEXT, markup_problem
from champion.content.markdown_source import remove_comments
from tests.content.test_loader import GOOD_QUIZ, INDEX, module, problems, write

CURRICULUM = Path(__file__).resolve().parents[2] / "modules"


def test_every_file_of_the_curriculum_is_within_the_limits():
    files = list(CURRICULUM.rglob("*.md"))
    assert len(files) > 17
    assert [f for f in files if markup_problem(f.read_text())] == []
    # Code with a few stray "<" (not tags) is fine too.
    assert markup_problem("```\nfor (i = 0; i<n; i++) {}\n```\n" * 20) is None


@pytest.mark.parametrize(("text", "line", "expected"), [
    ("Intro.\n\n" + "<a " * 20_000, 3,
     "markup left open: this '<a' is not closed for 59,998 characters"),
    ("Intro.\n\n" + "<!--" * 20_000, 3, "end the comment with -->"),
    ("One.\n\n" + "[](" * 20_000, 3, "too much inline markup ([, *, _, `, &) in long paragraphs"),
    ("*a" * 40_000, 1, "split the paragraph starting near here with blank lines"),
    ("x" * (MAX_TEXT + 1), 1, f"the text is {MAX_TEXT + 1:,} characters long; the limit is "
                              f"{MAX_TEXT:,}"),
])
def test_text_too_costly_to_render_is_refused_where_it_starts(text, line, expected):
    found = markup_problem(text)
    assert found is not None and found[0] == line and expected in found[1], found


def test_the_loader_refuses_such_a_file_at_its_line_and_loads_nothing_of_it(tmp_path):
    write(tmp_path, {"s/index.md": INDEX,
                     "s/01-a.md": module(body="Teach.\n\n" + "<a " * 20_000 + GOOD_QUIZ),
                     "s/02-b.md": module()})
    content = load_content(tmp_path)
    [error] = content.errors
    assert str(error).startswith("s/01-a.md:7: error: markup left open: this '<a' is not "
                                 "closed for"), str(error)
    assert [m.slug for m in content.modules] == ["b"]


def test_quizzes_have_at_most_so_many_questions_and_choices(tmp_path):
    question = "{n}. Q{n}?\n\n   - [ ] No\n   - [x] Yes\n\n"
    many = "".join(question.format(n=n) for n in range(1, MAX_QUESTIONS + 2))
    choices = "".join(f"   - [ ] C{n}\n" for n in range(MAX_CHOICES))
    write(tmp_path, {
        "s/index.md": INDEX,
        "s/01-a.md": module(body="Teach.\n\n## Quiz\n\n" + many),
        "s/02-b.md": module(body=f"Teach.\n\n## Quiz\n\n1. Q?\n\n   - [x] Yes\n{choices}"),
    })
    found = problems(tmp_path)
    line = 9 + 5 * MAX_QUESTIONS  # question 101's line
    assert (f"s/01-a.md:{line}: error: question {MAX_QUESTIONS + 1}: a quiz holds at most "
            f"{MAX_QUESTIONS} questions") in found
    assert (f"s/02-b.md:{11 + MAX_CHOICES}: error: question 1: a question has at most "
            f"{MAX_CHOICES} choices") in found


def old_lift(text: str) -> tuple[str, list[str]]:
    """The regex the presenter notes were lifted with before (quadratic on many <!--)."""
    comment = re.compile(r"<!--(.*?)-->", re.S)
    return comment.sub("", text), comment.findall(text)


@settings(max_examples=500, deadline=None, database=None)
@given(st.lists(st.sampled_from(["<!--", "-->", "<!-", "--", "-", ">", "<", "a", "\n", " "]),
                max_size=40).map("".join))
def test_notes_are_lifted_as_the_regex_did(text):
    assert remove_comments(text) == old_lift(text)


def test_a_slide_of_many_unclosed_notes_is_one_problem(tmp_path):
    body = "Slide. " + "<!--" * 600 + "\n\n" + GOOD_QUIZ  # within the scan budget
    write(tmp_path, {"s/index.md": INDEX, "s/01-a.md": module(body=body)})
    assert problems(tmp_path) == [
        "s/01-a.md:5: error: presenter note is not closed: end the HTML comment with -->"]
