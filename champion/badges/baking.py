"""Baking: an Open Badges assertion carried inside the badge image itself.

Pure functions over bytes and text, per the Open Badges baking specification: a PNG
``iTXt`` chunk with the keyword ``openbadges``, or an ``<openbadges:assertion>`` element
in an SVG. Either file still opens in any image viewer.
"""

from __future__ import annotations

import re
import struct
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
KEYWORD = b"openbadges"
SVG_NAMESPACE = "http://openbadges.org"
# An assertion is a few kilobytes; a compressed chunk that inflates past this is refused
# rather than decompressed (a few kilobytes of zeros can inflate to gigabytes).
MAX_ASSERTION_BYTES = 1_000_000


class BakingError(ValueError):
    pass


def _chunks(png: bytes):
    if not png.startswith(PNG_SIGNATURE):
        raise BakingError("not a PNG file")
    offset = len(PNG_SIGNATURE)
    while offset < len(png):
        if offset + 8 > len(png):
            raise BakingError("truncated PNG chunk")
        (length,) = struct.unpack(">I", png[offset:offset + 4])
        kind = png[offset + 4:offset + 8]
        end = offset + 12 + length
        if end > len(png):
            raise BakingError("truncated PNG chunk")
        yield kind, png[offset + 8:offset + 8 + length], png[offset:end]
        offset = end


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(
        ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _is_badge_chunk(kind: bytes, data: bytes) -> bool:
    return kind == b"iTXt" and data.split(b"\x00", 1)[0] == KEYWORD


def bake_png(png: bytes, assertion: str) -> bytes:
    """The PNG with ``assertion`` (JSON or a URL) in an uncompressed ``openbadges`` iTXt chunk.

    Any earlier badge chunk is replaced, so a badge is never baked twice.
    """
    # keyword, null, compression flag 0, method 0, empty language tag, null,
    # empty translated keyword, null, then the UTF-8 text.
    data = KEYWORD + b"\x00\x00\x00" + b"\x00" + b"\x00" + assertion.encode("utf-8")
    out = [PNG_SIGNATURE]
    baked = False
    for kind, body, raw in _chunks(png):
        if _is_badge_chunk(kind, body):
            continue
        if kind == b"IEND":
            out.append(_chunk(b"iTXt", data))
            baked = True
        out.append(raw)
    if not baked:
        raise BakingError("PNG has no IEND chunk")
    return b"".join(out)


def unbake_png(png: bytes) -> str | None:
    for kind, body, _raw in _chunks(png):
        if _is_badge_chunk(kind, body):
            try:
                rest = body[len(KEYWORD) + 1:]
                compressed, _method = rest[0], rest[1]
                rest = rest[2:]
                _language, rest = rest.split(b"\x00", 1)
                _translated, text = rest.split(b"\x00", 1)
            except (IndexError, ValueError) as exc:
                raise BakingError("malformed openbadges iTXt chunk") from exc
            return (_inflate(text) if compressed else text).decode("utf-8")
    return None


def _inflate(data: bytes) -> bytes:
    """Decompress an iTXt text, refusing (without inflating it) one over the limit."""
    inflater = zlib.decompressobj()
    try:
        text = inflater.decompress(data, MAX_ASSERTION_BYTES)
    except zlib.error as exc:
        raise BakingError(f"the baked assertion is not valid zlib data: {exc}") from exc
    if inflater.unconsumed_tail:
        raise BakingError("the baked assertion inflates to more than "
                          f"{MAX_ASSERTION_BYTES:,} bytes: refused")
    if not inflater.eof:
        raise BakingError("the baked assertion's compressed text is truncated")
    return text


_SVG_OPEN = re.compile(r"<svg\b[^>]*>", re.S)
_BAKED = re.compile(r"<openbadges:assertion\b.*?</openbadges:assertion>\s*", re.S)


def bake_svg(svg: str, assertion: str, verify_url: str) -> str:
    """The SVG with an ``<openbadges:assertion>`` right inside its root element."""
    svg = _BAKED.sub("", svg)
    match = _SVG_OPEN.search(svg)
    if match is None:
        raise BakingError("not an SVG document")
    opening = match.group(0)
    if "xmlns:openbadges" not in opening:
        opening = opening[:-1].rstrip("/") + f' xmlns:openbadges="{SVG_NAMESPACE}">'
    if "]]>" in assertion:
        raise BakingError("the assertion cannot be carried in CDATA")
    element = (f'<openbadges:assertion verify="{verify_url}"><![CDATA[{assertion}]]>'
               "</openbadges:assertion>")
    return svg[:match.start()] + opening + element + svg[match.end():]


_TAG = "<openbadges:assertion"
_VERIFY = 'verify="'
_CDATA = "<![CDATA["


def _word(svg: str, index: int) -> bool:
    """Whether ``svg[index]`` is a character a regex ``\\w`` matches."""
    return 0 <= index < len(svg) and (svg[index].isalnum() or svg[index] == "_")


def _tags(svg: str, unclosed: bool = False):
    """(start, end) of each ``<openbadges:assertion`` opening tag: ``end`` is its ``>``
    (or, if ``unclosed``, the end of the text for a tag never closed). Tags sharing one
    ``>`` (a tag left open, then another) are one."""
    start = svg.find(_TAG)
    while start != -1:
        if not _word(svg, start + len(_TAG)):
            end = svg.find(">", start + len(_TAG))
            if end == -1:
                if unclosed:
                    yield start, len(svg)
                return
            yield start, end
            start = svg.find(_TAG, end + 1)
        else:
            start = svg.find(_TAG, start + 1)


def _cdata(svg: str) -> str | None:
    for _, end in _tags(svg):
        content = end + 1
        while content < len(svg) and svg[content].isspace():
            content += 1
        if svg.startswith(_CDATA, content):
            close = svg.find("]]>", content + len(_CDATA))
            # No "]]>" after this one: none after any later one either.
            return None if close == -1 else svg[content + len(_CDATA):close]
    return None


def _verify_url(svg: str) -> str | None:
    for start, end in _tags(svg, unclosed=True):
        # The last verify=" in the tag whose value is not empty and is closed.
        candidates = []
        at = svg.find(_VERIFY, start + len(_TAG), end)
        while at != -1:
            if not _word(svg, at - 1):
                candidates.append(at)
            at = svg.find(_VERIFY, at + 1, end)
        for at in reversed(candidates):
            value = at + len(_VERIFY)
            close = svg.find('"', value)
            if close > value:
                return svg[value:close]
    return None


def unbake_svg(svg: str) -> str | None:
    """The assertion baked into an SVG (the CDATA of its ``<openbadges:assertion>``), else
    the element's ``verify`` URL; None if there is neither.

    Read in one pass: the regexes this replaces took time in the square of the number of
    unclosed ``<openbadges:assertion`` tags, so a forged SVG of 2 MB held ``champion
    badges verify`` for twenty minutes, one of a few more for hours.
    ``tests/test_baking.py`` holds that it answers as they did.
    """
    found = _cdata(svg)
    return found if found is not None else _verify_url(svg)
