"""Moodle GIFT import and export for quiz questions.

A pure module: text in, :class:`~champion.content.model.Question` objects out, and back.

Import (:func:`parse_gift`) reads the multiple-choice questions of a Moodle question bank
exported as GIFT, or a GIFT file written by hand, following Moodle's own importer:

- questions are separated by blank lines; lines starting with ``//`` are comments (they
  don't end a question); ``$CATEGORY:`` entries are skipped;
- an optional ``::title::`` is dropped (Champion questions have no names);
- format markers ``[markdown]``, ``[html]``, ``[plain]`` and ``[moodle]`` at the start of a
  text are removed and every text is treated as Markdown (HTML is allowed in Markdown, and
  rendered content is sanitized anyway);
- ``{=right ~wrong}`` is a single-answer question; ``#text`` after a choice is that
  choice's feedback; ``####text`` at the end of the braces is the explanation;
- ``{~%50%a ~%50%b ~%-100%c}`` (no ``=``) is a multiple-answer question. Champion scores
  all or nothing, so **partial credit is dropped**: every choice with a positive weight is
  correct, every other choice is wrong, and a learner must pick exactly the positive-weight
  set. In a single-answer question (one with ``=``), a partly-weighted ``~%50%`` choice is
  likewise simply wrong;
- ``\\~ \\= \\# \\{ \\} \\: \\\\`` are literal characters and ``\\n`` is a line break; any
  other backslash is kept as it is (so Markdown escapes such as ``\\*`` survive);
- text after the braces is a missing-word question: the braces become a ``_____`` blank;
- Champion's own additions survive a round trip: a choice ending in ``\\{last\\}`` is
  pinned last (``{last}`` in the Markdown), and a comment ``// see: Heading`` just before a
  question names the slide that teaches it (``{see: Heading}``). Moodle ignores both.

Anything else (true/false, short answer, numerical, matching, essay, description), and a
question we can't grade as written (no correct choice, fewer than two choices, an empty
choice, several ``=`` answers) is skipped with a problem ``"line N: message"``.

Export (:func:`to_gift`) writes what Moodle's importer reads back faithfully: a
``::Q1::`` title per question, ``[markdown]`` so Moodle renders the Markdown, ``=``/``~``
for single-answer questions and weights for select-all questions (each correct choice
``~%W%`` with W = 100 / number correct, rounded to 5 decimals as in Moodle's grade list,
e.g. 50 or 33.33333; each wrong choice ``~%-100%``, so guessing everything scores nothing).
Special characters are escaped. Line breaks are written as real line breaks where Moodle
keeps them as they are; a blank line (which would end the question), indentation and
trailing spaces (which Moodle trims) are written as ``\\n`` instead, so multi-paragraph
Markdown survives.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from champion.content.limits import MAX_CHOICES, MAX_QUESTIONS, MAX_TEXT
from champion.content.model import Choice, Question
from champion.content.quiz import PIN

__all__ = ["parse_gift", "to_gift"]

# Escaped characters are swapped for Unicode noncharacters (reserved for internal use)
# while the structure is parsed, and swapped back in each piece of text afterwards.
_ESCAPED = {
    "\\": "\ufdd0",
    "~": "\ufdd1",
    "=": "\ufdd2",
    "#": "\ufdd3",
    "{": "\ufdd4",
    "}": "\ufdd5",
    ":": "\ufdd6",
    "n": "\ufdd7",
}
_RESTORE = str.maketrans({v: ("\n" if k == "n" else k) for k, v in _ESCAPED.items()})
_ESCAPE = re.compile(r"\\(.)")
_FORMAT = re.compile(r"\[(?:markdown|html|plain|moodle)\]", re.IGNORECASE)
_WEIGHT = re.compile(r"\s*%\s*(-?\d+(?:\.\d*)?)\s*%")
_TRUE_FALSE = {"T", "TRUE", "F", "FALSE"}
_BLANK = "_____"
_SEE = re.compile(r"^//\s*see:(.*)$")
_SPACE = " \t\f\v\r\n"


class _Refused(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class _Block:
    """One question's lines: (line number, stripped text), comment lines left out, and the
    heading a ``// see:`` comment in it names."""

    lines: list[tuple[int, str]]
    see: str | None = None

    @property
    def text(self) -> str:
        return "\n".join(text for _, text in self.lines)

    def line_at(self, text: str, offset: int) -> int:
        """The line number of ``offset`` in ``text`` (this block's text, escapes protected)."""
        return self.lines[text.count("\n", 0, offset)][0]


def parse_gift(text: str) -> tuple[list[Question], list[str]]:
    """Read the multiple-choice questions in GIFT ``text``.

    Returns the questions and the problems, each ``"line N: message"`` where N is the line
    of ``text`` where the question starts (its first line that isn't a comment) or where
    the problem is. A question with a problem is skipped; the others are still returned
    (a file with more questions than a quiz holds returns none).
    """
    if len(text) > MAX_TEXT:
        return [], [f"line 1: the file is {len(text):,} characters long; "
                    f"the limit is {MAX_TEXT:,}"]
    questions: list[Question] = []
    problems: list[str] = []
    number = 0
    for block in _blocks(text):
        if block.text.startswith("$CATEGORY:"):
            continue
        number += 1
        if number > MAX_QUESTIONS:  # the file is refused whole: none of it is imported
            return [], [*problems, f"line {block.lines[0][0]}: question {number}: "
                        f"a quiz holds at most {MAX_QUESTIONS} questions"]
        try:
            questions.append(_question(block, number))
        except _Refused as refused:
            problems.append(f"line {refused.line}: {refused.message}")
    return questions, problems


def _blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    current: list[tuple[int, str]] = []
    see = None
    for number, raw in enumerate(re.split(r"\r\n|\r|\n", text.removeprefix("\ufeff")), 1):
        line = raw.strip(_SPACE)
        if not line:
            if current:
                blocks.append(_Block(current, see))
                see = None
            current = []
        elif match := _SEE.match(line):
            see = match[1].strip() or None
        elif not line.startswith("//"):
            current.append((number, line))
    if current:
        blocks.append(_Block(current, see))
    return blocks


def _protect(text: str) -> str:
    return _ESCAPE.sub(lambda m: _ESCAPED.get(m[1], m[0]), text)


def _clean(text: str) -> str:
    """A piece of protected text as Markdown: format marker removed, escapes resolved."""
    text = text.strip(_SPACE)
    marker = _FORMAT.match(text)
    if marker:
        text = text[marker.end():]
    return text.translate(_RESTORE).strip(_SPACE)


def _question(block: _Block, number: int) -> Question:
    text = _protect(block.text)
    start = block.lines[0][0]
    name = f"question {number}"

    def refuse(message: str, line: int = start) -> _Refused:
        return _Refused(line, f"{name} {message}")

    body = 0
    if text.startswith("::"):
        end = text.find("::", 2)
        body = 2 if end < 0 else end + 2

    opens, closes = text.count("{", body), text.count("}", body)
    if not opens and not closes:
        raise refuse(
            "is a description (it has no answers in braces); "
            "only multiple-choice questions can be imported"
        )
    open_at, close_at = text.find("{", body), text.find("}", body)
    if opens != closes or close_at < open_at:
        raise refuse(r"has unbalanced braces; write a literal { or } as \{ or \}")
    if opens > 1:
        raise refuse(
            r"has more than one answer block in braces; write a literal { or } as \{ or \}"
        )

    before, answers, after = text[body:open_at], text[open_at + 1:close_at], text[close_at + 1:]
    prompt = _clean(before + _BLANK + after if after.strip(_SPACE) else before)

    explanation = None
    general = answers.rfind("####")
    if general >= 0:
        explanation = _clean(answers[general + 4:]) or None
        answers = answers[:general]

    kind = _kind(answers)
    if kind:
        raise refuse(f"is {kind}; only multiple-choice questions can be imported")
    if not prompt:
        raise refuse("has no question text")

    choices = _choices(block, text, open_at + 1, answers, refuse)
    correct = sum(choice.correct for choice in choices)
    if len(choices) < 2:
        raise refuse("has fewer than two choices")
    if not correct:
        raise refuse("has no correct choice")
    if "=" in answers and correct > 1:
        raise refuse(
            "marks more than one answer with '=' (in Moodle any one of them is right); "
            "keep one '=', or give each correct choice a weight such as ~%50% "
            "to make a select-all question"
        )
    return Question(prompt=prompt, choices=choices, explanation=explanation, line=start,
                    see=block.see)


def _kind(answers: str) -> str | None:
    """What kind of GIFT question these answers make, if not multiple choice (Moodle's rules)."""
    answers = answers.strip(_SPACE)
    if not answers:
        return "an essay question"
    if answers.startswith("#"):
        return "a numerical question"
    if "~" in answers:
        return None
    if "=" in answers and "->" in answers:
        return "a matching question"
    if answers.split("#", 1)[0].strip(_SPACE).translate(_RESTORE).upper() in _TRUE_FALSE:
        return "a true/false question"
    return "a short-answer question"


def _choices(
    block: _Block, text: str, base: int, answers: str, refuse: Callable[..., _Refused]
) -> tuple[Choice, ...]:
    """The choices in ``answers``, which starts at offset ``base`` of the block's ``text``."""
    single = "=" in answers  # as in Moodle: any '=' makes a single-answer question
    markers = [m.start() for m in re.finditer(r"[=~]", answers)]
    if len(markers) > MAX_CHOICES:
        raise refuse(f"has more than {MAX_CHOICES} choices",
                     block.line_at(text, base + markers[MAX_CHOICES]))
    pieces = []
    lead = answers[: markers[0]] if markers else answers
    if lead.strip(_SPACE):  # Moodle reads text before the first marker as a wrong answer
        pieces.append((len(lead) - len(lead.lstrip(_SPACE)), "~", lead))
    for index, at in enumerate(markers):
        end = markers[index + 1] if index + 1 < len(markers) else len(answers)
        pieces.append((at, answers[at], answers[at + 1:end]))

    choices = []
    for at, marker, content in pieces:
        line = block.line_at(text, base + at)
        weight = 100.0 if marker == "=" else 0.0
        if marker == "~" and (match := _WEIGHT.match(content)):
            weight = float(match[1])
            content = content[match.end():]
        choice_text, hash_, feedback = content.partition("#")
        choice_text = _clean(choice_text)
        pinned = choice_text.endswith(PIN)
        choice_text = choice_text.removesuffix(PIN).rstrip(_SPACE) if pinned else choice_text
        if not choice_text:
            raise refuse("has an empty choice", line)
        choices.append(
            Choice(
                text=choice_text,
                correct=weight >= 100 if single else weight > 0,
                feedback=(_clean(feedback) or None) if hash_ else None,
                line=line,
                pinned=pinned,
            )
        )
    return tuple(choices)


def to_gift(questions: Sequence[Question]) -> str:
    """Write ``questions`` as GIFT, titled ``Q1``, ``Q2``... in order, a blank line between.

    Choice lines, line numbers and anything else GIFT can't hold are not written.
    """
    blocks = []
    for number, question in enumerate(questions, 1):
        lines = [f"// see: {question.see}"] if question.see else []
        lines.append(f"::Q{number}::[markdown]{_escape(question.prompt)}{{")
        correct = sum(choice.correct for choice in question.choices)
        weight = f"{100 / max(correct, 1):.5f}".rstrip("0").rstrip(".")
        for choice in question.choices:
            if question.multiple:
                mark = f"~%{weight}%" if choice.correct else "~%-100%"
            elif choice.correct:
                mark = "="
            else:
                # A wrong choice whose text starts like a weight ("%5%...") needs a real one.
                mark = "~%0%" if _WEIGHT.match(choice.text) else "~"
            line = f"\t{mark}{_escape(choice.text + (f' {PIN}' if choice.pinned else ''))}"
            if choice.feedback:
                line += f"#{_escape(choice.feedback)}"
            lines.append(line)
        if question.explanation:
            lines.append(f"\t####{_escape(question.explanation)}")
        lines.append("}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n" if blocks else ""


def _escape(text: str) -> str:
    """GIFT for a piece of Markdown: special characters escaped, line breaks kept safe."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out = _escape_line(lines[0])
    for previous, line in pairwise(lines):
        # A real line break only where Moodle's importer keeps the lines exactly as they
        # are: it trims every line, ends the question at a blank one, drops // comments.
        plain = (
            line[:1] not in ("", *_SPACE)
            and previous[-1:] not in tuple(_SPACE)
            and not line.startswith("//")
        )
        out += ("\n" if plain else "\\n") + _escape_line(line)
    return out


def _escape_line(line: str) -> str:
    # A backslash is doubled only where it would otherwise start an escape (or sit before
    # a line break), so Markdown's own escapes such as \* read the same in Moodle.
    line = re.sub(r"\\(?=[\\~=#{}:n]|$)", r"\\\\", line)
    return re.sub(r"([~=#{}:])", r"\\\1", line)
