"""Writing modules back as Markdown in exactly the SPEC format: what the browser editor
saves and what ``champion modules export`` writes. Parsing what this writes gives back
the same module (tests/content/test_writer.py checks the whole curriculum)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from champion.content.model import Question

KEY_ORDER = ("title", "duration", "summary", "objectives", "order", "slug", "pass_mark",
             "video", "slides", "required", "questions_per_attempt", "reveal",
             "retake_after_minutes", "max_attempts_per_day", "complete_when")


def front_matter(meta: Mapping[str, Any]) -> str:
    ordered = {key: meta[key] for key in KEY_ORDER if meta.get(key) not in (None, "", [], ())}
    ordered.update({k: v for k, v in meta.items() if k not in KEY_ORDER and v is not None})
    if "objectives" in ordered:
        ordered["objectives"] = list(ordered["objectives"])
    text = yaml.safe_dump(ordered, sort_keys=False, allow_unicode=True, width=10_000,
                          default_flow_style=False)
    return f"---\n{text}---\n"


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
        out += _indented(question.prompt, marker, " " * len(marker))
        out.append("")
        pad = " " * len(marker)
        for choice in question.choices:
            text = " ".join(choice.text.split())
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
