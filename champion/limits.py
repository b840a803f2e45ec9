"""How large a request body each endpoint accepts, decided before anything reads the body.

``MAX_CONTENT_LENGTH`` (2 MB) holds for every request. An endpoint that takes larger
uploads says so with ``@body_limit(n)``. The limit must be set before the body is parsed,
and the CSRF check parses it first (in its own ``before_request``), so a view that set
``request.max_content_length`` itself would be too late: the hook here runs before it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, current_app, request

View = TypeVar("View", bound=Callable)


def body_limit(size: int) -> Callable[[View], View]:
    """Let this view accept request bodies of up to ``size`` bytes."""

    def mark(view: View) -> View:
        view.body_limit = size  # type: ignore[attr-defined]
        return view

    return mark


def apply_body_limit() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    size = getattr(view, "body_limit", None)
    if size is not None:
        request.max_content_length = size


def init_app(app: Flask) -> None:
    """Register before the CSRF check, so the limit is known before the body is read."""
    app.before_request(apply_body_limit)
