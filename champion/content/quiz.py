"""The ``## Quiz`` section: numbered questions, task-list choices, blockquote explanations."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from champion.content.limits import MAX_CHOICES, MAX_QUESTIONS
from champion.content.markdown_source import Lines, dedent_block
from champion.content.model import Choice, Question

_QUESTION = re.compile(r"^(\d{1,3})[.)](?:[ \t]+(.*))?$")
_CHOICE = re.compile(r"^(?P<indent> +)[-*+][ \t]+\[(?P<mark>[ xX])\](?:[ \t]+(?P<text>.*))?$")
_BULLET = re.compile(r"^(?P<indent> +)[-*+][ \t]+")
_QUOTE = re.compile(r"^(?P<indent> *)>[ ]?(?P<text>.*)$")
# A choice ending in {last} keeps its place at the end when choices are shuffled
# ("None of these"); a prompt line {see: Heading} names the slide that teaches the question.
PIN = "{last}"
_SEE = re.compile(r"^\s*\{see:\s*(?P<heading>[^{}]*?)\s*\}\s*$")


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


@dataclass(slots=True)  # slots: one per choice of every quiz, at every sync
class _ChoiceDraft:
    line: int
    indent: int
    correct: bool
    text: list[str]
    feedback: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _QuestionDraft:
    number: int
    line: int
    content_indent: int
    prompt: list[str] = field(default_factory=list)  # source lines
    prompt_line: int = 0  # the file line of prompt[0]
    choices: list[_ChoiceDraft] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    explanation_line: int | None = None


def parse_quiz(lines: Lines) -> tuple[tuple[Question, ...], list[tuple[int, str, str]]]:
    """Parse the quiz; return questions and ``(line, severity, message)`` problems."""
    problems: list[tuple[int, str, str]] = []
    drafts: list[_QuestionDraft] = []
    current: _QuestionDraft | None = None
    previous_blank = True
    reported_stray = False

    flags = lines.ordinary
    for index, text in enumerate(lines.texts):
        ordinary = flags[index]
        blank = not text.strip()
        question_match = _QUESTION.match(text) if ordinary and not blank else None
        if question_match:
            marker_width = len(text) - len(question_match[2] or "") if question_match[2] else len(
                text
            ) + 1
            current = _QuestionDraft(
                number=len(drafts) + 1, line=lines.number(index), content_indent=marker_width,
                prompt_line=lines.number(index) + (0 if question_match[2] else 1),
            )
            if question_match[2]:
                current.prompt.append(" " * marker_width + question_match[2])
            drafts.append(current)
        elif current is None or (not blank and previous_blank and _indent(text) == 0):
            if not blank and not reported_stray:
                problems.append(
                    (lines.number(index), "warning",
                     "text outside a numbered question is ignored in the quiz")
                )
                reported_stray = True
            if not blank:
                current = None
        elif blank:
            if current.choices and current.choices[-1].feedback:
                current.choices[-1].feedback.append("")
            elif current.explanation:
                current.explanation.append("")
            elif not current.choices:
                current.prompt.append(text)
        else:
            _add_line(current, lines.number(index), text, ordinary, problems)
        previous_blank = blank

    if len(drafts) > MAX_QUESTIONS:
        problems.append((drafts[MAX_QUESTIONS].line, "error",
                         f"question {MAX_QUESTIONS + 1}: a quiz holds at most {MAX_QUESTIONS} "
                         "questions"))
        drafts = drafts[:MAX_QUESTIONS]
    for draft in drafts:
        if len(draft.choices) > MAX_CHOICES:
            problems.append((draft.choices[MAX_CHOICES].line, "error",
                             f"question {draft.number}: a question has at most {MAX_CHOICES} "
                             "choices"))
            del draft.choices[MAX_CHOICES:]
    return tuple(_finish(d, problems) for d in drafts), problems


def _add_line(
    q: _QuestionDraft, number: int, text: str, ordinary: bool,
    problems: list[tuple[int, str, str]],
) -> None:
    """Add the non-blank line ``text`` (file line ``number``) to question ``q``."""
    choice = _CHOICE.match(text) if ordinary else None
    if choice and not q.explanation:
        q.choices.append(
            _ChoiceDraft(
                line=number,
                indent=len(choice["indent"]),
                correct=choice["mark"] in "xX",
                text=[choice["text"] or ""],
            )
        )
        return
    indent = _indent(text)
    quote = _QUOTE.match(text) if ordinary else None
    last = q.choices[-1] if q.choices else None
    if quote and last is not None and indent > last.indent and not q.explanation:
        last.feedback.append(quote["text"])
    elif quote and (last is not None or q.explanation):
        if q.explanation_line is None:
            q.explanation_line = number
        q.explanation.append(quote["text"])
    elif last is None:
        q.prompt.append(text)
    elif not q.explanation and indent > last.indent and not last.feedback:
        last.text.append(text.strip())  # a choice's wrapped text
    elif choice or _BULLET.match(text):
        problems.append(
            (number, "error",
             f"question {q.number}: a choice after the explanation; choices come first, "
             "then the '>' explanation")
            if q.explanation
            else (number, "error",
                  f"question {q.number}: a choice must be a task-list item, '- [ ]' or '- [x]'")
        )
    else:
        problems.append(
            (number, "error",
             f"question {q.number}: text after the choices must be a '>' blockquote "
             "(the explanation)")
        )


def _finish(q: _QuestionDraft, problems: list[tuple[int, str, str]]) -> Question:
    see = see_line = None
    for offset, text in enumerate(q.prompt):
        if match := _SEE.match(text):
            see_line = q.prompt_line + offset
            if not match["heading"]:
                problems.append((see_line, "error",
                                 f"question {q.number}: {{see: ...}} needs a heading's text"))
            see = match["heading"] or None
            q.prompt = q.prompt[:offset] + q.prompt[offset + 1:]
            break
    prompt = dedent_block(q.prompt, q.content_indent)
    if not prompt.strip():
        problems.append((q.line, "error", f"question {q.number} has no prompt"))
    if not q.choices:
        problems.append(
            (q.line, "error",
             f"question {q.number} has no choices: list them as '- [ ]' and '- [x]' items")
        )
    elif len(q.choices) < 2:
        problems.append((q.line, "error", f"question {q.number} needs at least two choices"))
    elif not any(c.correct for c in q.choices):
        problems.append(
            (q.line, "error", f"question {q.number} has no correct choice: mark one with [x]")
        )
    elif all(c.correct for c in q.choices):
        problems.append(
            (q.line, "warning", f"question {q.number}: every choice is marked correct")
        )
    return Question(
        prompt=prompt,
        choices=_choices(q, problems),
        explanation="\n".join(q.explanation).strip() or None,
        line=q.line,
        see=see,
        see_line=see_line,
    )


def _choices(q: _QuestionDraft, problems: list[tuple[int, str, str]]) -> tuple[Choice, ...]:
    """The question's choices, reporting empty ones (repeated ones are an item-writing
    warning: champion.content.itemwriting)."""
    choices = []
    for c in q.choices:
        if not " ".join(c.text).strip():
            problems.append((c.line, "error", f"question {q.number}: a choice has no text"))
        text = " ".join(filter(None, c.text)).strip()
        pinned = text.endswith(PIN)
        if pinned:
            text = text.removesuffix(PIN).rstrip()
        choices.append(Choice(
            text=text,
            correct=c.correct,
            feedback="\n".join(c.feedback).strip() or None,
            line=c.line,
            pinned=pinned,
        ))
    return tuple(choices)
