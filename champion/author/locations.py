"""Where a problem found in a draft's Markdown is in the browser editor: the field, the
presentation's line, the quiz question. Authors in the browser never see the file, so a
file line number means nothing to them. Pure: the draft's text in, words out."""

from __future__ import annotations

from champion.content.frontmatter import YamlError, split_front_matter
from champion.content.markdown_source import numbered_lines, split_sections
from champion.content.model import Problem
from champion.content.quiz import parse_quiz

FIELDS = {"title": "Title", "duration": "Duration", "summary": "Summary",
          "objectives": "Learning objectives", "pass_mark": "Pass mark",
          "required": "Counts toward completion", "video": "Video", "slides": "Slides"}


def _text_line(lines, line: int) -> int:
    """``line`` of the file as a line of the box showing ``lines`` (blank ends trimmed)."""
    first = next((i for i, text in enumerate(lines.texts) if text.strip()), 0)
    return line - lines.number(first) + 1


def editor_place(problem: Problem, source: str, case_source: str | None = None) -> str:
    """Where ``problem`` is, in the editor's words: "the Title field", "the quiz, question
    3", "the presentation, line 12"."""
    is_case = problem.path.endswith(".case.md")
    try:
        document = split_front_matter((case_source or "") if is_case else source)
    except YamlError:
        return "the module's settings"
    if problem.line < document.body_line:
        if is_case:
            return "the case discussion guide's title"
        keys = [key for key, line in document.key_lines.items() if line <= problem.line]
        key = max(keys, key=document.key_lines.__getitem__) if keys else None
        return (f"the {FIELDS[key]} field" if key in FIELDS
                else f"the setting '{key}'" if key else "the module's settings")
    lines = numbered_lines(document.body, document.body_line)
    if is_case:
        return f"the case discussion guide, line {_text_line(lines, problem.line)}"
    sections, _ = split_sections(lines)
    section = next((s for s in reversed(sections)
                    if (s.heading_line or document.body_line) <= problem.line), sections[0])
    if section.name == "quiz":
        questions, _ = parse_quiz(section.lines)
        number = sum(q.line <= problem.line for q in questions)
        return f"the quiz, question {number}" if number else "the quiz"
    name = "the presentation" if section.name == "presentation" else "the references"
    return f"{name}, line {_text_line(section.lines, problem.line)}"
