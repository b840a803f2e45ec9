"""Markdown to sanitized HTML, once per content version.

Content is trusted less than code: every fragment goes through ``nh3`` with an
allow-list, and presenter notes are removed from learner-facing HTML before
rendering (the sanitizer's comment stripping is a second line of defence).
"""

from __future__ import annotations

import multiprocessing
import os
import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from html import escape

import markdown
import nh3

from champion.content.handout import guide_parts, split_guide
from champion.content.model import Module, Question, Series

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup",
    "dd", "del", "details", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre",
    "q", "s", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
    "sup": {"id"},
    "li": {"id"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
}
ALLOWED_CLASSES = {
    "a": {"footnote-ref", "footnote-backref"},
    "div": {"footnote"},
}
URL_SCHEMES = {"http", "https", "mailto"}

MEDIA_REF = re.compile(r"""(?P<attr>\b(?:src|href))="(?P<path>media/[^"]*)\"""")

# A media path from Markdown (e.g. "media/figure.png") becomes a URL via this.
MediaUrl = Callable[[str, str], str]  # (series slug, media path) -> URL


def default_media_url(series: str, path: str) -> str:
    return f"/modules/{series}/{path}"


# Bumped whenever the HTML this module produces changes: sync re-renders stored versions
# made by an older renderer (same source, same version number).
# 4: fragments sanitized one by one; 5: pinned choices, where taught; 6: handouts;
# 7: facilitator sections set apart in the guide; 8: the reading view's parts, for its
# contents list.
RENDERER_VERSION = 8

# Wide tables scroll sideways on a phone; the wrapper makes that region keyboard-reachable.
_TABLE_OPEN = '<div class="table-scroll" role="region" tabindex="0" aria-label="Table">\n<table>'


_EXTENSIONS = ["tables", "fenced_code", "footnotes", "sane_lists", "attr_list"]
_EXTENSION_CONFIGS = {"footnotes": {"BACKLINK_TITLE": "Back to reference %d"}}
_local = threading.local()


def converter() -> markdown.Markdown:
    """This thread's Python-Markdown, configured for content (reset it before each use)."""
    # Building a Markdown instance costs far more than a conversion; keep one per thread.
    md = getattr(_local, "converter", None)
    if md is None:
        md = _local.converter = markdown.Markdown(
            extensions=_EXTENSIONS, extension_configs=_EXTENSION_CONFIGS, output_format="html"
        )
    return md


_SANITIZER_OPTIONS: dict[str, object] = {
    "tags": ALLOWED_TAGS,
    "attributes": ALLOWED_ATTRIBUTES,
    "allowed_classes": ALLOWED_CLASSES,
    "url_schemes": URL_SCHEMES,
    "strip_comments": True,
    "link_rel": "noopener noreferrer",
}
# nh3.clean converts its allow-lists on every call, which costs more than cleaning a
# typical fragment; a Cleaner converts them once.
_CLEANER = nh3.Cleaner(**_SANITIZER_OPTIONS)


def sanitize(html: str) -> str:
    return _CLEANER.clean(html)


def render_markdown(
    text: str,
    *,
    series: str | None = None,
    media_url: MediaUrl = default_media_url,
) -> str:
    """Render Markdown to sanitized HTML, pointing ``media/...`` paths at ``media_url``."""
    if not text.strip():
        return ""
    return _finish(_convert(text), series=series, media_url=media_url)


def _convert(text: str) -> str:
    """Markdown to HTML, not yet sanitized."""
    md = converter()
    md.reset()
    return md.convert(text)


def _finish(html: str, *, series: str | None = None,
            media_url: MediaUrl = default_media_url) -> str:
    """Converted HTML sanitized, its tables made scrollable, its media paths made URLs."""
    html = sanitize(html)
    if "<table>" in html:
        html = html.replace("<table>", _TABLE_OPEN).replace("</table>", "</table>\n</div>")
    if series is not None:
        html = MEDIA_REF.sub(
            lambda m: f'{m["attr"]}="{escape(media_url(series, m["path"]))}"', html
        )
    return html


def render_inline(text: str, **kwargs) -> str:
    """Render a one-paragraph fragment without its wrapping ``<p>``."""
    html = render_markdown(text.strip(), **kwargs)
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html


@dataclass(frozen=True)
class RenderedSlide:
    html: str
    notes_html: str


@dataclass(frozen=True)
class RenderedModule:
    """What a module version stores: everything a learner or presenter sees, as HTML."""

    body_html: str  # the reading view: the whole presentation, notes removed
    slides: tuple[RenderedSlide, ...]
    references_html: str
    quiz: dict  # see quiz_to_data
    case_title: str | None
    case_html: str | None
    handout_html: str | None = None  # the case without its facilitator sections


# Joins fragments converted together; content holding it is refused (content.loader).
MARKER = "CHAMPIONFRAGMENTBREAK7Q3Z"
_MARKER_HTML = f"<p>{MARKER}</p>"
_FOOTNOTES_START = '<div class="footnote">'
_FOOTNOTE_ITEM = re.compile(r'<li id="fn:([^"]+)">(.*?)</li>', re.S)
_FOOTNOTE_REF_HTML = re.compile(r'href="#fn:([^"]+)"')


def render_many(texts: list[str], **options) -> list[str]:
    """Render several Markdown fragments in one conversion; the HTML of each, in order.

    Converting costs far more per call than per character, so a module's slides (or its
    quiz's prompts and explanations) are joined by an inert marker paragraph, converted
    once, and split again. Footnote definitions come back as a final extra element.
    Each fragment is sanitized on its own after the split, so markup one leaves open (a
    link, a <div>) is closed within it and cannot wrap the fragments after it.
    """
    # Blank fragments (a question without explanation, a slide without notes: most of
    # them) render to "" wherever they stand, so only the others are converted.
    present = [index for index, text in enumerate(texts) if not _is_blank(text)]
    if not present:
        return [""] * (len(texts) + 1)
    joined = f"\n\n{MARKER}\n\n".join(texts[index].strip("\n") for index in present)
    html = _convert(joined)
    # Python-Markdown puts the footnote definitions last, in one div (found with rfind: a
    # regex from each such div to the end would take time in the square of their number).
    notes_html = ""
    start = html.rfind(_FOOTNOTES_START)
    if start != -1 and html.rstrip().endswith("</div>"):
        html, notes_html = html[:start], _finish(html[start:], **options)
    parts = [_finish(part, **options).strip("\n") for part in html.split(_MARKER_HTML)]
    if len(parts) != len(present):  # a fragment swallowed the marker (an unclosed construct)
        parts = [render_markdown(texts[index], **options) for index in present]
        notes_html = ""
    rendered = [""] * len(texts)
    for index, part in zip(present, parts, strict=True):
        rendered[index] = part
    return [*rendered, notes_html]


def _is_blank(text: str) -> bool:
    """Only spaces, tabs and line breaks: what Markdown renders as nothing."""
    return not text.strip(" \t\r\n")


def _with_footnotes(slide_html: str, items: dict[str, tuple[int, str]], prefix: str) -> str:
    """A slide with the footnotes it cites, ids made unique to the slide."""
    cited = list(dict.fromkeys(_FOOTNOTE_REF_HTML.findall(slide_html)))
    if not cited:
        return slide_html
    slide_html = slide_html.replace('id="fnref:', f'id="{prefix}fnref:').replace(
        'href="#fn:', f'href="#{prefix}fn:')
    entries = "".join(
        f'<li id="{prefix}fn:{label}" value="{items[label][0]}">'
        + items[label][1].replace('href="#fnref:', f'href="#{prefix}fnref:') + "</li>"
        for label in cited if label in items)
    return slide_html + f'\n<div class="footnote">\n<hr>\n<ol>{entries}</ol>\n</div>'


def quiz_to_data(questions: tuple[Question, ...], series: str, media_url: MediaUrl) -> dict:
    """The stored form of a quiz: rendered HTML plus the answer key (one conversion)."""
    options = {"series": series, "media_url": media_url}
    blocks: list[str] = []
    for question in questions:
        blocks.append(question.prompt)
        blocks.append(question.explanation or "")
        blocks += [choice.feedback or "" for choice in question.choices]
    rendered = iter(render_many(blocks, **options)[:-1])
    data = []
    for question in questions:
        prompt, explanation = next(rendered), next(rendered)
        feedback = [next(rendered) for _ in question.choices]
        data.append({
            "prompt": prompt,
            "explanation": explanation or None,
            "choices": [
                {"html": render_inline(c.text, **options), "correct": c.correct,
                 "feedback": feedback[i] or None, "pinned": c.pinned}
                for i, c in enumerate(question.choices)
            ],
            # Where the module teaches it: a slide (0-based) and its heading, else None.
            "see": ({"slide": question.see_slide, "heading": question.see}
                    if question.see_slide is not None else None),
        })
    return {"questions": data}


def render_module(module: Module, media_url: MediaUrl = default_media_url) -> RenderedModule:
    options = {"series": module.series, "media_url": media_url}
    *slide_html, footnotes = render_many([slide.text for slide in module.slides], **options)
    items = {label: (number, body) for number, (label, body)
             in enumerate(_FOOTNOTE_ITEM.findall(footnotes), start=1)}
    # The reading view: the slides one after another, footnotes once at the end.
    # Each slide is a part the reading view's contents list can link to.
    body_html = "\n".join(f'<div class="reading-part" id="part-{number}">\n{html}\n</div>'
                          for number, html in enumerate(slide_html, start=1)) \
        + (("\n" + footnotes) if footnotes else "")
    notes = ["\n\n".join(slide.notes) for slide in module.slides]  # each slide's notes
    notes_html = render_many(notes, **options)[:-1]
    slides = tuple(
        RenderedSlide(html=_with_footnotes(html, items, f"s{index + 1}-"),
                      notes_html=notes_html[index])
        for index, html in enumerate(slide_html)
    )
    case = module.case
    handout = split_guide(case.body)[1] if case else ""
    guide_html = _guide_html(case.body, options) if case else None
    return RenderedModule(
        body_html=body_html,
        slides=slides,
        references_html=render_markdown(module.references or "", **options),
        quiz=quiz_to_data(module.questions, module.series, media_url),
        case_title=case.title if case else None,
        case_html=guide_html,
        handout_html=render_markdown(handout, **options) if case else None,
    )


def _guide_html(body: str, options: dict) -> str:
    """The facilitator's guide, its facilitator sections set apart (and labelled)."""
    parts = guide_parts(body)
    *rendered, footnotes = render_many([text for text, _ in parts], **options)
    return "\n".join(
        f'<section class="facilitator-notes" aria-label="For the facilitator">\n{html}\n'
        "</section>" if facilitator else html
        for html, (_, facilitator) in zip(rendered, parts, strict=True)) + footnotes


# Below this many modules, starting processes costs more than rendering in one.
PARALLEL_MINIMUM = 32


def render_modules(
    modules: Sequence[Module], processes: int | None = None, minimum: int = PARALLEL_MINIMUM
) -> list[RenderedModule]:
    """``render_module`` for each module (default media URLs), in order, across processes.

    Rendering is pure and CPU-bound (Python-Markdown), so a large sync spreads it over
    the machine's cores: forked workers, each handed a chunk of modules. Small batches,
    one core, or a platform without ``fork`` render here, in this process.
    """
    processes = processes or os.cpu_count() or 1
    processes = min(processes, len(modules) // 8 or 1)
    if (len(modules) < minimum or processes < 2
            or "fork" not in multiprocessing.get_all_start_methods()):
        return [render_module(module) for module in modules]
    context = multiprocessing.get_context("fork")
    chunk = -(-len(modules) // (processes * 8))  # several chunks per worker even the load
    with ProcessPoolExecutor(processes, mp_context=context) as pool:
        return list(pool.map(render_module, modules, chunksize=chunk))


def render_series_intro(series: Series, media_url: MediaUrl = default_media_url) -> str:
    return render_markdown(series.intro, series=series.slug, media_url=media_url)
