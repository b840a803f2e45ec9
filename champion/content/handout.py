"""A case guide's two readings: the facilitator's guide, and the participants' handout.

Facilitator-only material is marked by its heading: a heading whose text begins with
"Facilitator" ("### Facilitator notes"), or any heading ending in ``{facilitator}``
("## Running the session {facilitator}"). Such a section, down to the next heading of the
same or a higher level, is left out of the handout. The marker itself is never shown.
Headings inside fenced code are not headings.
"""

from __future__ import annotations

import re

from champion.content.markdown_source import numbered_lines

FACILITATOR = "{facilitator}"
_HEADING = re.compile(r"^(?P<marks>#{1,6})[ \t]+(?P<text>.*?)[ \t]*$")


def split_guide(body: str) -> tuple[str, str]:
    """(the facilitator's guide, the participants' handout), both as Markdown."""
    parts = guide_parts(body)
    return ("\n".join(text for text, _ in parts),
            "\n".join(text for text, facilitator in parts if not facilitator))


def guide_parts(body: str) -> list[tuple[str, bool]]:
    """The guide as Markdown runs, each marked True if it is a facilitator section (so the
    guide can set those apart, and the handout leave them out)."""
    lines = numbered_lines(body, 1)
    parts: list[tuple[list[str], bool]] = []
    hidden_from: int | None = None  # the level of the facilitator section we are in
    for text, ordinary in zip(lines.texts, lines.ordinary, strict=True):
        heading = _HEADING.match(text) if ordinary else None
        if heading:
            level, title = len(heading["marks"]), heading["text"].rstrip("# \t")
            if hidden_from is not None and level <= hidden_from:
                hidden_from = None
            marked = title.endswith(FACILITATOR)
            if marked:
                title = title.removesuffix(FACILITATOR).rstrip()
                text = f"{heading['marks']} {title}"
            if hidden_from is None and (marked or title.lower().startswith("facilitator")):
                hidden_from = level
        facilitator = hidden_from is not None
        if not parts or parts[-1][1] != facilitator:
            parts.append(([], facilitator))
        parts[-1][0].append(text)
    return [("\n".join(texts), facilitator) for texts, facilitator in parts]
