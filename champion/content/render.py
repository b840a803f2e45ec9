"""Markdown to sanitized HTML, once per content version.

Content is trusted less than code: every fragment goes through ``nh3`` with an
allow-list, and presenter notes are removed from learner-facing HTML before
rendering (the sanitizer's comment stripping is a second line of defence).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

import markdown
import nh3

from champion.content.markdown_source import split_lines
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

_EXTENSIONS = ["tables", "fenced_code", "footnotes", "sane_lists", "attr_list"]
_EXTENSION_CONFIGS = {"footnotes": {"BACKLINK_TITLE": "Back to reference %d"}}
_local = threading.local()

MEDIA_REF = re.compile(r"""(?P<attr>\b(?:src|href))="(?P<path>media/[^"]*)\"""")

# A media path from Markdown (e.g. "media/figure.png") becomes a URL via this.
MediaUrl = Callable[[str, str], str]  # (series slug, media path) -> URL


def default_media_url(series: str, path: str) -> str:
    return f"/modules/{series}/{path}"


def _converter() -> markdown.Markdown:
    # Building a Markdown instance costs far more than a conversion; keep one per thread.
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = markdown.Markdown(
            extensions=_EXTENSIONS,
            extension_configs=_EXTENSION_CONFIGS,
            output_format="html",
        )
        _local.converter = converter
    return converter


# Bumped whenever the HTML this module produces changes: sync re-renders stored versions
# made by an older renderer (same source, same version number).
RENDERER_VERSION = 2

# Wide tables scroll sideways on a phone; the wrapper makes that region keyboard-reachable.
_TABLE_OPEN = '<div class="table-scroll" role="region" tabindex="0" aria-label="Table">\n<table>'


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        strip_comments=True,
        link_rel="noopener noreferrer",
    )


def render_markdown(
    text: str,
    *,
    series: str | None = None,
    media_url: MediaUrl = default_media_url,
) -> str:
    """Render Markdown to sanitized HTML, pointing ``media/...`` paths at ``media_url``."""
    if not text.strip():
        return ""
    converter = _converter()
    converter.reset()
    html = sanitize(converter.convert(text))
    if "<table>" in html:
        html = html.replace("<table>", _TABLE_OPEN).replace("</table>", "</table>\n</div>")
    if series is not None:
        html = MEDIA_REF.sub(
            lambda m: f'{m["attr"]}="{escape(media_url(series, m["path"]))}"', html
        )
    return html


_PLAIN_INLINE = re.compile(r"^[^*_`\[\]<>&!\\#|~\n]*$")


def render_inline(text: str, **kwargs) -> str:
    """Render a one-paragraph fragment without its wrapping ``<p>``."""
    stripped = text.strip()
    if _PLAIN_INLINE.match(stripped):  # the common case: no Markdown at all
        return escape(stripped, quote=False)
    html = render_markdown(stripped, **kwargs)
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


_FOOTNOTE_DEF = re.compile(r"^\[\^([^\]]+)\]:")
_FOOTNOTE_REF = re.compile(r"\[\^([^\]]+)\](?!:)")


def _split_footnote_definitions(text: str) -> tuple[str, dict[str, str]]:
    """Separate footnote definitions (with their indented continuation lines) from text."""
    kept: list[str] = []
    definitions: dict[str, str] = {}
    label: str | None = None
    for line in split_lines(text):
        match = _FOOTNOTE_DEF.match(line)
        if match:
            label = match[1]
            definitions[label] = line
        elif label is not None and (line.startswith(("    ", "\t")) or not line.strip()):
            definitions[label] += "\n" + line
        else:
            label = None
            kept.append(line)
    return "\n".join(kept), definitions


def _slide_sources_with_footnotes(module: Module) -> list[str]:
    """Each slide's Markdown carrying exactly the footnote definitions it cites.

    Footnotes are usually defined once at the end of the presentation; a slide rendered
    on its own would otherwise show a dangling ``[^1]``, and the slide holding the
    definitions would show notes for references it doesn't make.
    """
    split = [_split_footnote_definitions(slide.text) for slide in module.slides]
    definitions = {label: text for _body, defs in split for label, text in defs.items()}
    sources = []
    for body, _defs in split:
        cited = [definitions[label] for label in dict.fromkeys(_FOOTNOTE_REF.findall(body))
                 if label in definitions]
        sources.append(body + ("\n\n" + "\n".join(cited) if cited else ""))
    return sources


def quiz_to_data(questions: tuple[Question, ...], series: str, media_url: MediaUrl) -> dict:
    """The stored form of a quiz: rendered HTML plus the answer key."""

    def render(text: str | None) -> str | None:
        return render_markdown(text, series=series, media_url=media_url) if text else None

    return {
        "questions": [
            {
                "prompt": render(q.prompt) or "",
                "explanation": render(q.explanation),
                "choices": [
                    {
                        "html": render_inline(c.text, series=series, media_url=media_url),
                        "correct": c.correct,
                        "feedback": render(c.feedback),
                    }
                    for c in q.choices
                ],
            }
            for q in questions
        ]
    }


def render_module(module: Module, media_url: MediaUrl = default_media_url) -> RenderedModule:
    options = {"series": module.series, "media_url": media_url}
    body = "\n\n".join(slide.text for slide in module.slides)
    slides = tuple(
        RenderedSlide(
            html=render_markdown(source, **options),
            notes_html="".join(render_markdown(note, **options) for note in slide.notes),
        )
        for slide, source in zip(module.slides, _slide_sources_with_footnotes(module), strict=True)
    )
    case = module.case
    return RenderedModule(
        body_html=render_markdown(body, **options),
        slides=slides,
        references_html=render_markdown(module.references or "", **options),
        quiz=quiz_to_data(module.questions, module.series, media_url),
        case_title=case.title if case else None,
        case_html=render_markdown(case.body, **options) if case else None,
    )


def render_series_intro(series: Series, media_url: MediaUrl = default_media_url) -> str:
    return render_markdown(series.intro, series=series.slug, media_url=media_url)
