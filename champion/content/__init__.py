"""Reading, validating and rendering the ``modules/`` content folder.

A pure package: no Flask, no database. ``load_content`` parses and validates a
folder and returns plain data plus every problem found; ``render_module`` turns
one parsed module into sanitized HTML. The app's sync step calls both.
"""

from champion.content.loader import load_content
from champion.content.model import (
    BadgeDefinition,
    CaseGuide,
    Choice,
    Content,
    Module,
    Problem,
    Question,
    QuizPolicy,
    Series,
)
from champion.content.render import (
    RenderedModule,
    render_markdown,
    render_module,
    render_series_intro,
)

__all__ = [
    "BadgeDefinition",
    "CaseGuide",
    "Choice",
    "Content",
    "Module",
    "Problem",
    "Question",
    "QuizPolicy",
    "RenderedModule",
    "Series",
    "load_content",
    "render_markdown",
    "render_module",
    "render_series_intro",
]
