"""Comparing two versions of a module as people read it: the rendered text, paragraph by
paragraph, and the quiz as questions and choices, with changes marked word by word.

Pure: rendered HTML and quiz data in, escaped HTML out. No Flask, no database.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from html import escape
from html.parser import HTMLParser
from typing import Any

from markupsafe import Markup

_BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "pre", "dt",
           "dd", "figcaption", "hr", "br", "div", "section", "table", "ul", "ol"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_WORDS = re.compile(r"\S+|\s+")
CONTEXT = 1  # unchanged paragraphs shown either side of a change


class _Text(HTMLParser):
    """Readable text of HTML, one paragraph per block element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.current: list[str] = []
        self.prefix = ""

    def _flush(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.paragraphs.append(self.prefix + text)
        self.current, self.prefix = [], ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self._flush()
            if tag in _HEADINGS:
                self.prefix = "#" * int(tag[1]) + " "
            elif tag == "li":
                self.prefix = "• "
        elif tag == "img":
            alt = dict(attrs).get("alt") or ""
            self.current.append(f" [image: {alt}] ")
        elif tag in ("td", "th"):
            self.current.append(" | ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        self.current.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def text_of(html: str | None) -> list[str]:
    """The paragraphs a reader sees in ``html``."""
    parser = _Text()
    parser.feed(html or "")
    parser.close()
    return parser.paragraphs


def readable(title: str, body_html: str | None, quiz: dict[str, Any] | None,
             references_html: str | None = None, case_html: str | None = None) -> list[str]:
    """A version as its readers see it: the title, the text, the quiz as questions (the
    correct choices marked ✓), the references and the case guide."""
    paragraphs = [f"# {title}", *text_of(body_html)]
    for number, question in enumerate((quiz or {}).get("questions", []), start=1):
        prompt = " ".join(text_of(question["prompt"])) or "(no text)"
        paragraphs.append(f"Quiz question {number}: {prompt}")
        for choice in question["choices"]:
            mark = "✓ correct:" if choice["correct"] else "✗"
            paragraphs.append(f"{mark} {' '.join(text_of(choice['html']))}")
            if choice.get("feedback"):
                paragraphs.append(f"Feedback: {' '.join(text_of(choice['feedback']))}")
        if question.get("explanation"):
            paragraphs.append(f"Explanation: {' '.join(text_of(question['explanation']))}")
    if references := text_of(references_html):
        paragraphs += ["## References", *references]
    if case := text_of(case_html):
        paragraphs += ["## Case discussion guide", *case]
    return paragraphs


def _marked(kind: str, text: str) -> str:
    word = "added" if kind == "ins" else "removed"
    return (f'<{kind}><span class="visually-hidden">[{word}: </span>{escape(text)}'
            f'<span class="visually-hidden">]</span></{kind}>')


def _words(old: str, new: str) -> str:
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(_marked("del", "".join(a[i1:i2])))
        if j2 > j1:
            out.append(_marked("ins", "".join(b[j1:j2])))
    return "".join(out)


def _paragraph(html: str, kind: str = "") -> str:
    return f'<p class="diff-{kind or "same"}">{html}</p>'


def compare(old: Sequence[str], new: Sequence[str]) -> Markup | None:
    """The changes from ``old`` to ``new`` (readable() paragraphs) as HTML, word by word,
    with CONTEXT unchanged paragraphs around each change; None if nothing changed."""
    matcher = difflib.SequenceMatcher(None, list(old), list(new), autojunk=False)
    opcodes = matcher.get_opcodes()
    if all(op == "equal" for op, *_ in opcodes):
        return None
    parts: list[str] = []
    for index, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op == "equal":
            same = list(old[i1:i2])
            head = same[:CONTEXT] if index > 0 else []
            tail = same[-CONTEXT:] if index < len(opcodes) - 1 else []
            if len(same) > len(head) + len(tail):
                parts += [_paragraph(escape(p)) for p in head]
                skipped = len(same) - len(head) - len(tail)
                parts.append(f'<p class="diff-gap">… {skipped} unchanged '
                             f'paragraph{"" if skipped == 1 else "s"} …</p>')
                parts += [_paragraph(escape(p)) for p in tail]
            else:
                parts += [_paragraph(escape(p)) for p in same]
        else:
            parts += _blocks(old[i1:i2], new[j1:j2])
    return Markup('<div class="word-diff">' + "".join(parts) + "</div>")


def _blocks(removed: Iterable[str], added: Iterable[str]) -> list[str]:
    """Paragraphs removed and added, in order: a removed and an added paragraph that share
    most of their words are one paragraph changed word by word; others are shown whole."""
    removed, added = list(removed), list(added)
    parts: list[str] = []
    while removed or added:
        if removed and added and difflib.SequenceMatcher(
                None, removed[0].split(), added[0].split(), autojunk=False).ratio() >= 0.5:
            parts.append(_paragraph(_words(removed.pop(0), added.pop(0)), "changed"))
        elif removed:
            parts.append(_paragraph(_marked("del", removed.pop(0)), "removed"))
        else:
            parts.append(_paragraph(_marked("ins", added.pop(0)), "added"))
    return parts
