"""Writing modules back as Markdown in exactly the SPEC format: what the browser editor
saves and what ``champion modules export`` writes. Parsing what this writes gives back
the same module (tests/content/test_writer.py checks the whole curriculum)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from champion.content.frontmatter import split_front_matter
from champion.content.markdown_source import numbered_lines, split_lines, split_sections
from champion.content.model import Question
from champion.content.quiz import PIN

KEY_ORDER = ("title", "duration", "summary", "objectives", "order", "slug", "pass_mark",
             "video", "slides", "required", "questions_per_attempt", "reveal",
             "retake_after_minutes", "max_attempts_per_day", "complete_when")


def _dump(meta: Mapping[str, Any]) -> str:
    return yaml.safe_dump(dict(meta), sort_keys=False, allow_unicode=True, width=10_000,
                          default_flow_style=False)


def front_matter(meta: Mapping[str, Any]) -> str:
    ordered = {key: meta[key] for key in KEY_ORDER if meta.get(key) not in (None, "", [], ())}
    ordered.update({k: v for k, v in meta.items() if k not in KEY_ORDER and v is not None})
    if "objectives" in ordered:
        ordered["objectives"] = list(ordered["objectives"])
    return f"---\n{_dump(ordered)}---\n"


def _indented(text: str, first: str, rest: str) -> list[str]:
    lines = text.strip("\n").split("\n")
    return [first + lines[0]] + [(rest + line) if line.strip() else "" for line in lines[1:]]


def _quoted(text: str, indent: str) -> list[str]:
    return [f"{indent}> {line}" if line.strip() else f"{indent}>"
            for line in text.strip("\n").split("\n")]


def write_quiz(questions: Iterable[Question]) -> str:
    out = ["## Quiz", ""]
    for number, question in enumerate(questions, start=1):
        marker = f"{number}. "
        pad = " " * len(marker)
        out += _indented(question.prompt, marker, pad)
        if question.see:
            out.append(f"{pad}{{see: {question.see}}}")
        out.append("")
        for choice in question.choices:
            text = " ".join(choice.text.split()) + (f" {PIN}" if choice.pinned else "")
            out.append(f"{pad}- [{'x' if choice.correct else ' '}] {text}")
            if choice.feedback:
                out += _quoted(choice.feedback, pad + "  ")
        if question.explanation:
            out.append("")
            out += _quoted(question.explanation, pad)
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def write_module(
    meta: Mapping[str, Any],
    presentation: str,
    questions: Iterable[Question] = (),
    references: str | None = None,
) -> str:
    parts = [front_matter(meta), presentation.strip("\n") + "\n"]
    questions = list(questions)
    if questions:
        parts.append("\n" + write_quiz(questions))
    if references and references.strip():
        parts.append("\n## References\n\n" + references.strip("\n") + "\n")
    return "".join(parts)


def write_case(title: str | None, body: str) -> str:
    head = front_matter({"title": title}) if title else ""
    return head + body.strip("\n") + "\n"


# --- Editing a file in place -----------------------------------------------------------

_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")


def _edited_front_matter(yaml_text: str, old: Mapping[str, Any],
                         meta: Mapping[str, Any]) -> str:
    """The front matter's YAML with only the keys whose values changed rewritten."""
    blocks: list[tuple[str | None, list[str]]] = [(None, [])]  # (key, its lines)
    for line in split_lines(yaml_text):
        match = _TOP_KEY.match(line)
        if match:
            blocks.append((match[1], [line]))
        else:
            blocks[-1][1].append(line)
    out: list[str] = []
    for key, lines in blocks:
        if key is None or (key in meta and meta[key] == old.get(key)):
            out += lines  # as written: quoting, comments, indentation
        elif key in meta:
            out += split_lines(_dump({key: meta[key]}))
    out += [line for key in meta if key not in old
            for line in split_lines(_dump({key: meta[key]}))]
    return "".join(f"{line}\n" for line in out)


def edit_module(source: str, meta: Mapping[str, Any], presentation: str,
                references: str | None, questions: Iterable[Question] | None = None) -> str:
    """``source`` with its front matter, presentation and references set to these (and its
    quiz to ``questions`` if given), every other line as it was written.

    A browser edit must change only what its author changed: rewriting the whole file
    in the writer's style made the first save of a hand-written module a diff of every
    line, which hid the real change in the history.
    """
    document = split_front_matter(source)
    head = source[:len(source) - len(document.body)]
    if document.has_front_matter and dict(meta) != document.meta:
        opening = head.index("\n") + 1
        closing = head.rstrip("\n").rfind("\n") + 1
        head = (head[:opening] + _edited_front_matter(head[opening:closing], document.meta, meta)
                + head[closing:])
    elif not document.has_front_matter:
        head = front_matter(meta)
    lines = numbered_lines(document.body, 0)
    sections, _problems = split_sections(lines)
    texts = lines.texts
    body: list[str] = []
    old_references = None
    for section in sections:
        if section.name == "presentation":
            if section.lines.joined() == presentation.strip("\n"):
                body += section.lines.texts
            else:
                leading = len(section.lines.texts) - len(
                    "\n".join(section.lines.texts).lstrip("\n").split("\n"))
                body += ([""] * leading + split_lines(presentation.strip("\n"))
                         + [""] * (len(sections) > 1))
        elif section.name == "references":
            old_references = section.lines.joined()
            if references and references.strip():
                body.append(texts[section.heading_line])
                body += (section.lines.texts if old_references == references.strip("\n")
                         else ["", *split_lines(references.strip("\n"))])
        elif questions is None:
            body.append(texts[section.heading_line])
            body += section.lines.texts
        else:
            body += _new_quiz(questions, more=section is not sections[-1])
            questions = None
        if section.name == "presentation" and questions is not None and (
                len(sections) == 1 or sections[1].name != "quiz"):
            while body and not body[-1].strip():
                body.pop()
            body += ["", *_new_quiz(questions, more=len(sections) > 1)]
            questions = None
    if old_references is None and references and references.strip():
        while body and not body[-1].strip():
            body.pop()
        body += ["", "## References", "", *split_lines(references.strip("\n"))]
    while body and not body[-1].strip():
        body.pop()
    return head + "".join(f"{line}\n" for line in body)


def _new_quiz(questions: Iterable[Question], more: bool) -> list[str]:
    """A quiz section's lines (none for no questions), a blank line after if ``more``."""
    questions = list(questions)
    if not questions:
        return []
    return split_lines(write_quiz(questions)) + [""] * more
