"""Absolute URLs for links that leave the site: emails, CSVs, badges, the command line."""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, url_for


def external_url(endpoint: str, **values: Any) -> str:
    """``CHAMPION_BASE_URL`` + the endpoint's path; the request's own host if unset."""
    base = current_app.config.get("CHAMPION_BASE_URL")
    if base is None and has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=base or "http://127.0.0.1:5000"):
        return url_for(endpoint, _external=True, **values)
