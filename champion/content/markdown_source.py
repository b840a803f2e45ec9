"""Line-level structure of a module body: sections, slides and presenter notes.

Everything here works on source lines so that every problem keeps its file line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from champion.content.model import SlideSource

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_H2 = re.compile(r"^##[ \t]+(.+?)[ \t]*#*[ \t]*$")
_COMMENT = re.compile(r"<!--(.*?)-->", re.S)


@dataclass(frozen=True)
class Line:
    number: int  # file line number
    text: str  # without the line ending


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """Lines as editors, Git and ``wc -l`` count them: only \\n, \\r\\n and \\r end a line.

    (``str.splitlines`` also breaks at form feeds and Unicode separators, which would make
    reported line numbers disagree with the file.)
    """
    lines = text.split("\n") if "\r" not in text else _LINE_BREAK.split(text)
    return lines[:-1] if lines and lines[-1] == "" else lines


def numbered_lines(text: str, first_line: int) -> list[Line]:
    return [Line(first_line + i, t) for i, t in enumerate(split_lines(text))]


def outside_fences(lines: list[Line]) -> Iterator[tuple[Line, bool]]:
    """Yield each line with whether it is ordinary Markdown (not inside fenced code)."""
    fence: str | None = None
    for line in lines:
        match = _FENCE.match(line.text)
        if fence is None:
            if match:
                fence = match[1][0] * len(match[1])
                yield line, False
            else:
                yield line, True
        else:
            if match and match[1].startswith(fence):
                fence = None
            yield line, False


@dataclass
class Section:
    name: str  # "presentation", "quiz" or "references"
    heading_line: int | None
    lines: list[Line]


def split_sections(lines: list[Line]) -> tuple[list[Section], list[tuple[int, str]]]:
    """Split the body at ``## Quiz`` and ``## References``; return sections and problems."""
    problems: list[tuple[int, str]] = []
    sections = [Section("presentation", None, [])]
    seen: dict[str, int] = {}
    for line, ordinary in outside_fences(lines):
        match = _H2.match(line.text) if ordinary else None
        name = match[1].strip().lower() if match else None
        if name in ("quiz", "references"):
            if name in seen:
                problems.append(
                    (line.number, f"a second '## {match[1]}' section (the first is on line "
                     f"{seen[name]})")
                )
            elif name == "quiz" and "references" in seen:
                problems.append(
                    (line.number, "'## Quiz' must come before '## References'")
                )
            seen.setdefault(name, line.number)
            sections.append(Section(name, line.number, []))
        else:
            sections[-1].lines.append(line)
    return sections, problems


def is_slide_break(lines: list[Line], index: int) -> bool:
    """A line holding only ``---`` with a blank line before and after it."""
    if lines[index].text.strip() != "---":
        return False
    before = index == 0 or not lines[index - 1].text.strip()
    after = index == len(lines) - 1 or not lines[index + 1].text.strip()
    return before and after


def split_slides(lines: list[Line]) -> tuple[list[SlideSource], list[tuple[int, str]]]:
    """Split the presentation into slides and lift out presenter notes (HTML comments)."""
    ordinary = dict((id(line), flag) for line, flag in outside_fences(lines))
    chunks: list[list[Line]] = [[]]
    for index, line in enumerate(lines):
        if ordinary[id(line)] and is_slide_break(lines, index):
            chunks.append([])
        else:
            chunks[-1].append(line)
    slides: list[SlideSource] = []
    problems: list[tuple[int, str]] = []
    for chunk in chunks:
        if not any(line.text.strip() for line in chunk):
            continue
        text, notes, problem = _lift_notes(chunk, ordinary)
        if problem:
            problems.append(problem)
        first = next(line.number for line in chunk if line.text.strip())
        slides.append(SlideSource(text=text.strip("\n"), notes=tuple(notes), line=first))
    return slides, problems


def _lift_notes(
    chunk: list[Line], ordinary: dict[int, bool]
) -> tuple[str, list[str], tuple[int, str] | None]:
    """Remove HTML comments outside code from a slide; return (text, notes, problem)."""
    pieces: list[str] = []
    notes: list[str] = []
    problem = None
    # Group consecutive ordinary lines so a comment may span several of them.
    groups: list[tuple[bool, list[Line]]] = []
    for line in chunk:
        flag = ordinary[id(line)]
        if groups and groups[-1][0] == flag:
            groups[-1][1].append(line)
        else:
            groups.append((flag, [line]))
    for flag, group in groups:
        text = "\n".join(line.text for line in group)
        if flag:
            notes.extend(note.strip() for note in _COMMENT.findall(text) if note.strip())
            text = _COMMENT.sub("", text)
            if "<!--" in text and problem is None:
                offset = text[: text.index("<!--")].count("\n")
                problem = (
                    group[0].number + offset,
                    "presenter note is not closed: end the HTML comment with -->",
                )
                text = text[: text.index("<!--")]
        pieces.append(text)
    return "\n".join(pieces), notes, problem


def dedent_block(lines: list[Line], width: int) -> str:
    """Join lines, removing up to ``width`` leading spaces from each."""
    out = []
    for line in lines:
        text = line.text
        strip = min(width, len(text) - len(text.lstrip(" ")))
        out.append(text[strip:])
    return "\n".join(out).strip("\n")


def line_text(lines: list[Line]) -> str:
    return "\n".join(line.text for line in lines).strip("\n")
