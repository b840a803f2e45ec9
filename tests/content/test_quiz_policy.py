"""Quiz policy front matter (questions_per_attempt, reveal, retake_after_minutes,
max_attempts_per_day, complete_when): parsed, validated at the key's line, and written back
by the Markdown writer. The platform does not act on them yet."""

from __future__ import annotations

from pathlib import Path

import pytest

from champion.content import load_content
from champion.content.loader import parse_module_source
from champion.content.model import QuizPolicy
from champion.content.writer import write_module
from tests.content.test_loader import INDEX, module, write

QUIZ = "".join(
    f"\n{n}. Question {n}?\n\n   - [ ] No\n   - [x] Yes\n   - [ ] Maybe\n\n   > Because.\n"
    for n in range(1, 4)
)
BODY = "Teaching.\n\n## Quiz\n" + QUIZ


def load(tmp_path: Path, front: str, body: str = BODY):
    write(tmp_path, {"s/index.md": INDEX,
                     "s/01-a.md": module(front="title: A\nduration: 10\n" + front, body=body)})
    content = load_content(tmp_path)
    return content, [str(p) for p in content.problems]


def test_defaults_follow_required(tmp_path):
    content, problems = load(tmp_path, "")
    assert problems == []
    assert content.modules[0].policy == QuizPolicy(
        questions_per_attempt=None, reveal="after_pass", retake_after_minutes=0,
        max_attempts_per_day=None, complete_when="viewed_and_passed")
    optional, problems = load(tmp_path, "required: false\n")
    assert problems == []
    assert optional.modules[0].policy == QuizPolicy(reveal="always", complete_when="passed")


def test_every_key_is_read_and_none_is_unknown(tmp_path):
    content, problems = load(tmp_path, "questions_per_attempt: 3\nreveal: always\n"
                             "retake_after_minutes: 30\nmax_attempts_per_day: 2\n"
                             "complete_when: passed\n")
    assert problems == []
    assert content.modules[0].policy == QuizPolicy(3, "always", 30, 2, "passed")


@pytest.mark.parametrize(("front", "expected"), [
    ("questions_per_attempt: 4\n",
     "s/01-a.md:5: error: 'questions_per_attempt' is 4 but the quiz has 3 questions: draw at "
     "most 3"),
    ("questions_per_attempt: 0\n",
     "s/01-a.md:5: error: 'questions_per_attempt' must be a whole number from 1 to 1000, got 0"),
    ("questions_per_attempt: all\n",
     "s/01-a.md:5: error: 'questions_per_attempt' must be a whole number from 1 to 1000, got "
     "'all'"),
    ("reveal: never\n",
     "s/01-a.md:5: error: 'reveal' must be after_pass or always, got 'never'"),
    ("complete_when: viewed\n",
     "s/01-a.md:5: error: 'complete_when' must be passed or viewed_and_passed, got 'viewed'"),
    ("retake_after_minutes: -5\n",
     "s/01-a.md:5: error: 'retake_after_minutes' must be a whole number of minutes from 0 to "
     "525600, got -5"),
    ("max_attempts_per_day: 0\n",
     "s/01-a.md:5: error: 'max_attempts_per_day' must be a whole number from 1 to 1000, got 0"),
    ("max_attempts_per_day: true\n",
     "s/01-a.md:5: error: 'max_attempts_per_day' must be a whole number from 1 to 1000, got "
     "True"),
])
def test_bad_values_are_errors_at_the_key_line(tmp_path, front, expected):
    content, problems = load(tmp_path, "pass_mark: 80\n" + front)  # the key is on line 5
    assert problems == [expected]
    assert content.modules[0].policy.questions_per_attempt is None


def test_a_pool_size_without_a_quiz_is_an_error(tmp_path):
    _, problems = load(tmp_path, "questions_per_attempt: 1\n", body="Teaching only.\n")
    assert problems == ["s/01-a.md:4: error: 'questions_per_attempt' is set but the module "
                        "has no quiz"]


def test_the_writer_keeps_every_key_in_a_stable_order(tmp_path):
    meta = {"complete_when": "passed", "title": "A", "max_attempts_per_day": 2,
            "retake_after_minutes": 0, "reveal": "always", "duration": 10,
            "questions_per_attempt": 2}
    source = write_module(meta, "Teaching.", load(tmp_path, "")[0].modules[0].questions)
    assert source.startswith(
        "---\ntitle: A\nduration: 10\nquestions_per_attempt: 2\nreveal: always\n"
        "retake_after_minutes: 0\nmax_attempts_per_day: 2\ncomplete_when: passed\n---\n")
    again, problems = parse_module_source(tmp_path, "s", "01-a.md", source)
    assert problems == []
    assert again.meta == meta
    assert again.policy == QuizPolicy(2, "always", 0, 2, "passed")
