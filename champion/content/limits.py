"""Limits that keep one author's text from tying up a worker (docs/security.md, issue 14 #11).

Python-Markdown and the standard library's HTML parser, which it uses for raw HTML, scan
forward from each piece of markup that opens: a ``<`` that starts a tag to the next ``>``,
``<!--`` to the next ``-->``, ``<![`` to ``]]>``; and inline Markdown (a link's ``[``, emphasis,
code, an entity) to the end of its paragraph. So the time grows with the square of a text
that holds such pieces, left open or in one long paragraph: 40 KB of ``<a `` took 21 s, of
``[](`` 24 s.
:func:`markup_problem` adds those distances up in one linear pass, which is the work the
scans would do, and refuses a text whose total passes :data:`SCAN_BUDGET`; with the size
cap, that bounds the time rendering any accepted text can take.
"""

from __future__ import annotations

import re

MAX_TEXT = 200_000  # characters in one file or one fragment (the largest module: 39,000)
SCAN_BUDGET = 2_000_000  # characters scanned past open markup (the curriculum: at most 130,000)
MAX_QUESTIONS = 100  # in one quiz (the curriculum: at most 10)
MAX_CHOICES = 12  # in one question (the curriculum: at most 6)

# HTML that opens, and what closes it; inline Markdown that the inline processor scans to the
# end of its paragraph (a link's or footnote's [, emphasis, code, an entity).
_OPENER = re.compile(r"<!--|<!\[|<[A-Za-z/!?]|[\[*_`&]")
_CLOSER = {"<!--": "-->", "<![": "]]>", "<": ">"}
_PARAGRAPH_END = "\n\n"
_HINT = {
    "<!--": "end the comment with -->",
    "<![": "end it with ]]>",
    "<": "end the tag with >, or write &lt; for a literal <",
}


def markup_problem(text: str) -> tuple[int, str] | None:
    """Why ``text`` would take too long to render: (its 1-based line, message), or None."""
    if len(text) > MAX_TEXT:
        return 1, f"the text is {len(text):,} characters long; the limit is {MAX_TEXT:,}"
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    total, worst, worst_at, worst_kind = 0, 0, 0, ""
    # The next place each closer stands, found again only once a later opener passes it:
    # each closer's text.find calls together read the text once.
    next_close: dict[str, int] = {}
    for match in _OPENER.finditer(text):
        opener = match[0]
        kind = opener if opener in _CLOSER or len(opener) == 1 else "<"
        closer, start = _CLOSER.get(kind, _PARAGRAPH_END), match.end()
        at = next_close.get(closer, -2)
        if at == -2 or (at != -1 and at < start):
            at = next_close[closer] = text.find(closer, start)
        distance = (len(text) if at == -1 else at) - start
        total += distance
        if distance > worst:
            worst, worst_at, worst_kind = distance, match.start(), kind
    if total <= SCAN_BUDGET:
        return None
    line = text.count("\n", 0, worst_at) + 1
    if worst_kind in _HINT:
        shown = "<" + text[worst_at + 1] if worst_kind == "<" else worst_kind
        return line, (
            f"markup left open: this '{shown}' is not closed for {worst:,} characters, and "
            f"open markup in the text adds up to {total:,} characters to scan (the limit is "
            f"{SCAN_BUDGET:,}), too slow to render; {_HINT[worst_kind]}")
    return line, (
        f"too much inline markup ([, *, _, `, &) in long paragraphs: each is scanned to the "
        f"end of its paragraph, {total:,} characters in all (the limit is {SCAN_BUDGET:,}), "
        f"too slow to render; split the paragraph starting near here with blank lines")
