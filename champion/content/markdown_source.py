"""Line-level structure of a module body: sections, slides and presenter notes.

Everything here works on source lines so that every problem keeps its file line. A text
is split into lines once (``numbered_lines``); sections and slides are ranges of those
lines, so no pass splits, joins or copies line by line more than it must: a sync reads
every module of the curriculum each time, changed or not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import groupby

from champion.content.model import SlideSource

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_H2 = re.compile(r"^##[ \t]+(.+?)[ \t]*#*[ \t]*$")

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """Lines as editors, Git and ``wc -l`` count them: only \\n, \\r\\n and \\r end a line.

    (``str.splitlines`` also breaks at form feeds and Unicode separators, which would make
    reported line numbers disagree with the file.)
    """
    lines = text.split("\n") if "\r" not in text else _LINE_BREAK.split(text)
    return lines[:-1] if lines and lines[-1] == "" else lines


@dataclass(frozen=True, slots=True)
class Lines:
    """Consecutive source lines: their texts (without line endings), whether each is
    ordinary Markdown (neither a code fence nor inside one), and the first one's file line.
    """

    texts: list[str]
    ordinary: list[bool]
    first: int  # file line number of texts[0]

    def __len__(self) -> int:
        return len(self.texts)

    def number(self, index: int) -> int:
        """The file line number of ``texts[index]``."""
        return self.first + index

    def part(self, start: int, end: int) -> Lines:
        """Lines ``start`` to ``end`` (exclusive), still numbered as in the file."""
        return Lines(self.texts[start:end], self.ordinary[start:end], self.first + start)

    def joined(self) -> str:
        """The text of these lines, without blank lines' breaks at either end."""
        return "\n".join(self.texts).strip("\n")


def numbered_lines(text: str, first_line: int) -> Lines:
    """The lines of ``text``, which starts on file line ``first_line``.

    Fenced code is marked once, over the whole text. A section starts after an ordinary
    heading, so outside any fence: the marks hold for each section on its own too.
    """
    texts = split_lines(text)
    return Lines(texts, _ordinary(text, texts), first_line)


def _ordinary(text: str, texts: list[str]) -> list[bool]:
    """For each line, whether it is ordinary Markdown (neither a code fence nor inside one)."""
    if "```" not in text and "~~~" not in text:  # no fence at all: the usual case
        return [True] * len(texts)
    flags = []
    fence: str | None = None
    for line in texts:
        match = _FENCE.match(line)
        if fence is None:
            if match:
                fence = match[1][0] * len(match[1])
            flags.append(match is None)
        else:
            if match and match[1].startswith(fence):
                fence = None
            flags.append(False)
    return flags


@dataclass(slots=True)
class Section:
    name: str  # "presentation", "quiz" or "references"
    heading_line: int | None
    lines: Lines


def split_sections(lines: Lines) -> tuple[list[Section], list[tuple[int, str]]]:
    """Split the body at ``## Quiz`` and ``## References``; return sections and problems."""
    problems: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    headings: list[tuple[int, str]] = []  # (index, section name) of each section heading
    texts, ordinary = lines.texts, lines.ordinary
    # Only the few lines that start with ## can be headings: a cheap filter comes first.
    for index in [i for i, text in enumerate(texts) if text.startswith("##")]:
        match = _H2.match(texts[index]) if ordinary[index] else None
        name = match[1].strip().lower() if match else None
        if name not in ("quiz", "references"):
            continue
        number = lines.number(index)
        if name in seen:
            problems.append(
                (number, f"a second '## {match[1]}' section (the first is on line "
                 f"{seen[name]})")
            )
        elif name == "quiz" and "references" in seen:
            problems.append((number, "'## Quiz' must come before '## References'"))
        seen.setdefault(name, number)
        headings.append((index, name))
    sections = []
    start, name, heading_line = 0, "presentation", None
    for index, next_name in headings:
        sections.append(Section(name, heading_line, lines.part(start, index)))
        start, name, heading_line = index + 1, next_name, lines.number(index)
    sections.append(Section(name, heading_line, lines.part(start, len(lines))))
    return sections, problems


def is_slide_break(texts: list[str], index: int) -> bool:
    """A line holding only ``---`` with a blank line before and after it."""
    if texts[index].strip() != "---":
        return False
    before = index == 0 or not texts[index - 1].strip()
    after = index == len(texts) - 1 or not texts[index + 1].strip()
    return before and after


def split_slides(lines: Lines) -> tuple[list[SlideSource], list[tuple[int, str]]]:
    """Split the presentation into slides and lift out presenter notes (HTML comments)."""
    texts, ordinary = lines.texts, lines.ordinary
    breaks = [index for index, text in enumerate(texts)  # "in" first: the cheapest test
              if "---" in text and ordinary[index] and is_slide_break(texts, index)]
    slides: list[SlideSource] = []
    problems: list[tuple[int, str]] = []
    for start, end in zip([0, *(index + 1 for index in breaks)], [*breaks, len(texts)],
                          strict=True):
        whole = "\n".join(texts[start:end])
        if not whole.strip():  # only blank lines
            continue
        text, notes, problem = _lift_notes(lines, start, end, whole)
        if problem:
            problems.append(problem)
        first = start
        while not texts[first].strip():
            first += 1
        slides.append(SlideSource(text=text.strip("\n"), notes=tuple(notes),
                                  line=lines.number(first)))
    return slides, problems


def _lift_notes(
    lines: Lines, start: int, end: int, whole: str
) -> tuple[str, list[str], tuple[int, str] | None]:
    """Remove HTML comments outside code from the slide of lines ``start`` to ``end``
    (``whole`` is its text); return (text, notes, problem)."""
    if "<!--" not in whole:  # no note on this slide
        return whole, [], None
    pieces: list[str] = []
    notes: list[str] = []
    problem = None
    # Group consecutive ordinary lines so a comment may span several of them.
    for flag, grouped in groupby(range(start, end), key=lines.ordinary.__getitem__):
        indexes = list(grouped)
        text = "\n".join(lines.texts[indexes[0]:indexes[-1] + 1])
        if flag:
            text, found = remove_comments(text)
            notes.extend(note.strip() for note in found if note.strip())
            if "<!--" in text and problem is None:
                offset = text[: text.index("<!--")].count("\n")
                problem = (
                    lines.number(indexes[0]) + offset,
                    "presenter note is not closed: end the HTML comment with -->",
                )
                text = text[: text.index("<!--")]
        pieces.append(text)
    return "\n".join(pieces), notes, problem


def remove_comments(text: str) -> tuple[str, list[str]]:
    """``text`` without its closed HTML comments, and what each comment held.

    What ``re.sub(r"<!--(.*?)-->", "", text, flags=re.S)`` gives, in one pass: each search
    starts where the last ended. (That regex searches from every ``<!--`` to the end of the
    text when none closes, so a text of many ``<!--`` took time in its length squared.)
    """
    kept: list[str] = []
    notes: list[str] = []
    position = 0
    while (start := text.find("<!--", position)) != -1:
        end = text.find("-->", start + 4)
        if end == -1:  # no comment after this one can close either
            break
        kept.append(text[position:start])
        notes.append(text[start + 4:end])
        position = end + 3
    kept.append(text[position:])
    return "".join(kept), notes


def dedent_block(texts: list[str], width: int) -> str:
    """Join lines, removing up to ``width`` leading spaces from each."""
    out = []
    for text in texts:
        strip = min(width, len(text) - len(text.lstrip(" ")))
        out.append(text[strip:])
    return "\n".join(out).strip("\n")
