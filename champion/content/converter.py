"""The Markdown converter content is rendered with, one per thread.

Python-Markdown as content is written for (tables, fenced code, footnotes...), told where
its work cannot change anything: sync converts the whole curriculum, and most of what
the converter does by default is trying syntax on text that holds none.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from xml.etree import ElementTree

import markdown
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

_EXTENSIONS = ["tables", "fenced_code", "footnotes", "sane_lists", "attr_list"]
_EXTENSION_CONFIGS = {"footnotes": {"BACKLINK_TITLE": "Back to reference %d"}}
_local = threading.local()


# What text must contain for each inline pattern (by its registered name) to match: every
# match of the pattern's regex includes one of these strings.
_INLINE_TRIGGERS: dict[str, tuple[str, ...]] = {
    "backtick": ("`",),
    "escape": ("\\",),
    "footnote": ("[",),
    "reference": ("[",),
    "link": ("[",),
    "image_link": ("[",),
    "image_reference": ("[",),
    "short_reference": ("[",),
    "short_image_ref": ("[",),
    "autolink": ("<",),
    "automail": ("<",),
    "linebreak": ("  \n",),
    "html": ("<",),
    "entity": ("&",),
    "em_strong": ("*", "_"),
}


def _inline_syntax(patterns: markdown.util.Registry) -> re.Pattern[str]:
    """A regex that finds any text an inline pattern in ``patterns`` could match.

    Refuses patterns missing from _INLINE_TRIGGERS: an extension that adds inline syntax
    must say what its syntax needs, or _PlainText would skip text it should have read.
    """
    known = [name for name in _INLINE_TRIGGERS if name in patterns]
    if len(known) != len(patterns):
        raise LookupError("an inline pattern has no entry in _INLINE_TRIGGERS")
    triggers = sorted({trigger for name in known for trigger in _INLINE_TRIGGERS[name]})
    return re.compile("|".join(re.escape(trigger) for trigger in triggers))


class _PlainText(Treeprocessor):
    """Mark text with no inline syntax at all as atomic, so the inline processor skips it.

    Most paragraphs, list items and cells are plain prose, yet the inline processor tries
    each of its ~15 patterns on every one of them: the costliest step of a conversion.
    Atomic text is exactly what that processor would have left unchanged, so the HTML is
    the same.
    """

    # After "footnote" (50), which moves footnote definitions into the tree (their text
    # is inline Markdown too), and before "inline" (20).
    PRIORITY = 21

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self._syntax = _inline_syntax(md.inlinePatterns)

    def run(self, root: ElementTree.Element) -> None:
        search = self._syntax.search
        for element in root.iter():
            text, tail = element.text, element.tail
            if text and not isinstance(text, AtomicString) and search(text) is None:
                element.text = AtomicString(text)
            if tail and not isinstance(tail, AtomicString) and search(tail) is None:
                element.tail = AtomicString(tail)


# What a block must contain for a block processor (by its registered name) to accept it.
# Most blocks are plain paragraphs that every one of these would otherwise scan with a
# regex (or, for tables, split into rows) only to turn down.
_BLOCK_TRIGGERS: dict[str, tuple[str, ...]] = {
    "table": ("|",),
    "hashheader": ("#",),
    "setextheader": ("=", "-"),
    "hr": ("-", "*", "_"),
    "quote": (">",),
}

BlockTest = Callable[[ElementTree.Element, str], bool]


def _guarded(test: BlockTest, triggers: tuple[str, ...]) -> BlockTest:
    """``test``, run only on blocks holding one of ``triggers``: the same answers, sooner."""
    def guarded(parent: ElementTree.Element, block: str) -> bool:
        return any(trigger in block for trigger in triggers) and test(parent, block)
    return guarded


def converter() -> markdown.Markdown:
    """This thread's converter (reset it before each conversion)."""
    # Building a Markdown instance costs far more than a conversion; keep one per thread.
    md = getattr(_local, "converter", None)
    if md is None:
        md = _local.converter = _build()
    return md


def _build() -> markdown.Markdown:
    md = markdown.Markdown(
        extensions=_EXTENSIONS, extension_configs=_EXTENSION_CONFIGS, output_format="html"
    )
    md.treeprocessors.register(_PlainText(md), "plain_text", _PlainText.PRIORITY)
    for name, triggers in _BLOCK_TRIGGERS.items():
        processor = md.parser.blockprocessors[name]
        processor.test = _guarded(processor.test, triggers)  # type: ignore[method-assign]
    return md
