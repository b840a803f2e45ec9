"""The writer: what it writes parses back to the same module."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from champion.content import load_content
from champion.content.loader import parse_module_source
from champion.content.model import Choice, Question
from champion.content.writer import write_case, write_module, write_quiz

CURRICULUM = load_content(Path(__file__).resolve().parents[2] / "modules")


def rewrite(module):
    source = write_module(module.meta, module.presentation_source, module.questions,
                          module.references)
    case = write_case(module.case.title, module.case.body) if module.case else None
    return parse_module_source(CURRICULUM.root, module.series, module.path.split("/")[-1],
                               source, case)


@pytest.mark.parametrize("module", CURRICULUM.modules, ids=lambda m: m.key)
def test_every_curriculum_module_survives_a_rewrite(module):
    again, problems = rewrite(module)
    # No problem but the original's item-writing warnings, on the same questions and choices.
    assert [(p.severity, p.message, p.rule) for p in problems] == [
        (p.severity, p.message, p.rule) for p in CURRICULUM.problems if p.path == module.path]
    assert all(p.rule for p in problems)
    assert again.meta == module.meta
    assert again.questions == tuple(
        replace(q, choices=tuple(replace(c, text=" ".join(c.text.split()),
                                         line=again.questions[i].choices[j].line)
                                 for j, c in enumerate(q.choices)),
                line=again.questions[i].line, see_line=again.questions[i].see_line)
        for i, q in enumerate(module.questions))
    assert [s.text for s in again.slides] == [s.text for s in module.slides]
    assert [s.notes for s in again.slides] == [s.notes for s in module.slides]
    assert again.references == module.references
    if module.case:
        assert (again.case.title, again.case.body.strip()) == (module.case.title,
                                                                module.case.body.strip())


def test_a_rewritten_module_rewrites_identically():
    module = CURRICULUM.modules[3]
    first, _ = rewrite(module)
    second, _ = rewrite(first)
    assert first.raw == second.raw and first.content_hash == second.content_hash


def test_quiz_writing_handles_multiline_text_and_feedback():
    question = Question(
        prompt="A woman asks:\n\n“Is this the end?”\n\nWhat do you say first?",
        choices=(Choice("Ask what she understands", True, "Yes:\n\nit opens the door.", 0),
                 Choice("Give the median survival", False, None, 0)),
        explanation="Ask–Tell–Ask.\n\nThen pause.", line=0)
    text = write_quiz([question])
    assert text.startswith("## Quiz\n\n1. A woman asks:\n\n   “Is this the end?”")
    assert "     > Yes:\n     >\n     > it opens the door." in text
    assert "   > Ask–Tell–Ask.\n   >\n   > Then pause." in text


def test_pinned_choices_see_lines_and_quiz_policy_round_trip(tmp_path):
    (tmp_path / "s").mkdir()
    source = ("---\ntitle: T\nduration: 10\nquestions_per_attempt: 1\nreveal: always\n"
              "retake_after_minutes: 30\nmax_attempts_per_day: 3\ncomplete_when: passed\n---\n"
              "## Responding to emotion\n\nSlide.\n\n## Quiz\n\n"
              "1. Which first?\n   {see: Responding to emotion}\n\n"
              "   - [ ] A\n   - [x] B\n   - [ ] None of these {last}\n\n   > Because.\n\n"
              "2. Second?\n\n   - [x] Yes\n   - [ ] No\n")
    module, problems = parse_module_source(tmp_path, "s", "01-t.md", source)
    assert [p for p in problems if p.severity == "error"] == []
    written = write_module(module.meta, module.presentation_source, module.questions,
                           module.references)
    assert written == source
    again, _ = parse_module_source(tmp_path, "s", "01-t.md", written)
    assert again.policy == module.policy and again.questions == module.questions
