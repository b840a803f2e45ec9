"""WebVTT captions for a module's video: the checks ``champion modules check`` runs.

Browsers skip a cue they can't read and show nothing, so a broken captions file fails
silently for the people who need it. The parsers on PyPI are lenient the same way (a
malformed timing line is dropped, not reported), so this reads the parts of the WebVTT
grammar that decide whether captions appear (header, cue timings, their order) and says
which line is wrong.
"""

from __future__ import annotations

import re

_TIME = r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
_TIMING = re.compile(rf"^{_TIME}[ \t]+-->[ \t]+{_TIME}(?:[ \t].*)?$")
_HEADER = re.compile(r"^WEBVTT(?:[ \t].*)?$")
_NOT_CUES = ("NOTE", "STYLE", "REGION")


def _seconds(hours: str | None, minutes: str, seconds: str, millis: str) -> float:
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def _blocks(lines: list[str], start: int) -> list[list[tuple[int, str]]]:
    """Runs of non-blank lines from ``start``, each line with its 1-based number."""
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for number, line in enumerate(lines[start:], start=start + 1):
        if line.strip():
            current.append((number, line))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def webvtt_problems(text: str) -> list[tuple[int, str]]:
    """``(line, message)`` for each reason the captions would not show; empty if none."""
    lines = text.removeprefix("\ufeff").splitlines()
    if not lines or not _HEADER.match(lines[0]):
        return [(1, "a WebVTT captions file starts with the line 'WEBVTT'")]
    header_end = next((i for i, line in enumerate(lines) if not line.strip()), len(lines))
    problems: list[tuple[int, str]] = []
    cues = 0
    previous_start = 0.0
    for block in _blocks(lines, header_end):
        first_line = block[0][1]
        if first_line.startswith(_NOT_CUES) and "-->" not in first_line:
            continue
        timing = next(((n, line) for n, line in block[:2] if "-->" in line), None)
        if timing is None:
            problems.append((block[0][0], "a cue needs a timing line such as "
                                          "'00:00:01.000 --> 00:00:04.000'"))
            continue
        number, line = timing
        match = _TIMING.match(line.strip())
        if match is None:
            problems.append((number, f"unreadable cue timing {line.strip()!r}: write "
                                     "MM:SS.mmm --> MM:SS.mmm (hours optional)"))
            continue
        start = _seconds(*match.groups()[:4])
        end = _seconds(*match.groups()[4:])
        if end <= start:
            problems.append((number, "this cue ends before it starts"))
        elif start < previous_start:
            problems.append((number, "cues must be in order of their start times"))
        else:
            cues += 1
            previous_start = start
    if not cues and not problems:
        problems.append((1, "the captions file has no cues (no timed text)"))
    return problems
