"""A browser edit changes only what its author changed (issue 17): the rest of the file,
quoting and all, stays byte for byte as it was written."""

from __future__ import annotations

import difflib

import pytest

from champion.content.loader import parse_module_source
from champion.content.model import Choice, Question
from champion.content.writer import edit_module
from tests.content.test_writer import CURRICULUM


def source_of(module) -> str:
    return module.raw.decode("utf-8")


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(),
                                                  lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def reparse(module, text: str):
    parsed, problems = parse_module_source(CURRICULUM.root, module.series,
                                           module.path.split("/")[-1], text, None)
    assert parsed is not None, problems
    return parsed


@pytest.mark.parametrize("module", CURRICULUM.modules, ids=lambda m: m.key)
def test_saving_without_changes_changes_nothing(module):
    source = source_of(module)
    assert edit_module(source, module.meta, module.presentation_source,
                       module.references) == source


def test_a_new_title_changes_one_line_and_a_new_sentence_one_more():
    module = CURRICULUM.modules[0]
    source = source_of(module)
    meta = {**module.meta, "title": "A better title"}
    first, rest = module.presentation_source.split("\n\n", 1)
    edited = edit_module(source, meta, f"{first}\n\nAn added sentence.\n\n{rest}",
                         module.references)
    changes = changed_lines(source, edited)
    assert changes[0].startswith("-title:") and changes[1] == "+title: A better title"
    assert sorted(changes[2:]) == ["+", "+An added sentence."]
    parsed = reparse(module, edited)
    assert parsed.title == "A better title"
    assert parsed.questions == module.questions or [
        q.prompt for q in parsed.questions] == [q.prompt for q in module.questions]


def test_removed_and_added_parts_touch_only_themselves():
    module = next(m for m in CURRICULUM.modules if "objectives" in m.meta and m.references)
    source = source_of(module)
    without = edit_module(source, module.meta, module.presentation_source, None)
    assert not [line for line in changed_lines(source, without) if line.startswith("+")]
    assert reparse(module, without).references is None
    assert without == source[:source.index("## References")].rstrip("\n") + "\n"

    meta = {k: v for k, v in module.meta.items() if k != "objectives"}
    edited = edit_module(without, meta, module.presentation_source, "1. A new reference.")
    changes = changed_lines(without, edited)
    removed = [line for line in changes if line.startswith("-")]
    assert removed[0] == "-objectives:" and len(removed) == 1 + len(module.objectives)
    assert [line for line in changes if line.startswith("+")] == [
        "+", "+## References", "+", "+1. A new reference."]
    parsed = reparse(module, edited)
    assert not parsed.objectives and parsed.references == "1. A new reference."


def test_saving_the_quiz_keeps_the_rest_of_the_file_as_written():
    module = CURRICULUM.modules[0]
    source = source_of(module)
    question = Question(prompt="A new question?", choices=(
        Choice("Yes", True, None, 0), Choice("No", False, None, 0)), explanation=None, line=0)
    edited = edit_module(source, module.meta, module.presentation_source, module.references,
                         [question])
    head = source[:source.lower().index("## quiz")]
    assert edited.startswith(head)  # front matter and presentation, byte for byte
    assert [q.prompt for q in reparse(module, edited).questions] == ["A new question?"]
